"""k_sem ping-pong between two threads of equal priority on one CPU.

Each round trip is two context switches: main gives `ping` and blocks on `pong`,
the other thread wakes, gives `pong` and blocks on `ping`. Timed with the host's
clock (real time: this app does not set CONFIG_TEST), one line per round trip.
"""

import time

from zpy.kernel import (
    K_FOREVER,
    K_NO_WAIT,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_create,
    printk,
)

ROUNDS = 5000
WARMUP = 200

ping = k_sem()
pong = k_sem()
k_sem_init(ping, 0, 1)
k_sem_init(pong, 0, 1)


def other() -> None:
    for _ in range(ROUNDS + WARMUP):
        k_sem_take(ping, K_FOREVER)
        k_sem_give(pong)


def main() -> int:
    k_thread_create(k_thread(), None, 0, other, None, None, None, 0, 0, K_NO_WAIT)
    samples = []
    clock = time.perf_counter_ns
    for i in range(ROUNDS + WARMUP):
        start = clock()
        k_sem_give(ping)
        k_sem_take(pong, K_FOREVER)
        if i >= WARMUP:
            samples.append(clock() - start)
    printk("%s\n", " ".join(map(str, samples)))
    return 0
