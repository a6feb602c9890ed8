"""The interrupt path, step by step: one VM rings its own doorbell (vector 0 of its own ID).

Each step runs CONFIG_IRQ_ROUNDS times and prints "step <name> <p50 ns>":
  host       os.eventfd_write, epoll.poll and os.eventfd_read in plain Python (what the
             host alone costs for one ring, the floor under everything else)
  kcall      k_sem_give + k_sem_take(K_NO_WAIT): two kernel entries
  int_peer   ivshmem_int_peer with interrupts locked: the API call, the driver, the
             BAR0 doorbell register of the device model, the eventfd write
  signal     k_poll_signal_raise + k_poll(K_NO_WAIT) + k_poll_signal_reset: the ISR's
             work and the wake's bookkeeping, without an interrupt
  ring       int_peer, then k_poll(K_FOREVER) until the ISR raised the signal, then
             reset: the whole self-ring (the CPU takes the interrupt, MSI-X, the ISR)
With CONFIG_IRQ_PROFILE, the ring loop runs again under cProfile and its busiest
functions are printed ("prof <tottime ns per ring> <calls per ring> <function>"), after
the number of function calls a ring makes ("calls <per ring>").
"""

import cProfile
import os
import pstats
import select
import time

from zpy.autoconf import CONFIG_IRQ_ROUNDS
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_get_id, ivshmem_int_peer, ivshmem_register_handler
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_NO_WAIT,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    irq_lock,
    irq_unlock,
    k_poll,
    k_poll_signal,
    k_poll_signal_raise,
    k_poll_signal_reset,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    printk,
)

clock = time.perf_counter_ns


def p50(samples):
    return sorted(samples)[len(samples) // 2]


def timed(step, rounds=CONFIG_IRQ_ROUNDS):
    """Run step() rounds times (after as many warm-up rounds); the p50 in ns."""
    samples = []
    for i in range(2 * rounds):
        t0 = clock()
        step()
        if i >= rounds:
            samples.append(clock() - t0)
    return p50(samples)


def host_ring():
    fd = os.eventfd(0)
    ep = select.epoll()
    ep.register(fd, select.EPOLLIN)

    def ring():
        os.eventfd_write(fd, 1)
        ep.poll()
        os.eventfd_read(fd)

    try:
        return timed(ring)
    finally:
        ep.close()
        os.close(fd)


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    me = ivshmem_get_id(dev)
    sig = k_poll_signal()
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    ivshmem_register_handler(dev, sig, 0)
    sem = k_sem()
    k_sem_init(sem, 0, 1)

    def kcall():
        k_sem_give(sem)
        k_sem_take(sem, K_NO_WAIT)

    def signal():
        k_poll_signal_raise(sig, 0)
        k_poll(events, 1, K_NO_WAIT)
        k_poll_signal_reset(sig)

    def ring():
        ivshmem_int_peer(dev, me, 0)
        k_poll(events, 1, K_FOREVER)
        k_poll_signal_reset(sig)

    printk("step host %d\n", host_ring())
    printk("step kcall %d\n", timed(kcall))
    key = irq_lock()  # the rings pile up in the eventfd; one interrupt at the unlock
    printk("step int_peer %d\n", timed(lambda: ivshmem_int_peer(dev, me, 0)))
    irq_unlock(key)
    k_poll(events, 1, K_FOREVER)
    k_poll_signal_reset(sig)
    printk("step signal %d\n", timed(signal))
    printk("step ring %d\n", timed(ring))
    if IS_ENABLED("CONFIG_IRQ_PROFILE"):
        profile(ring)
    return 0


def profile(ring):
    rounds = CONFIG_IRQ_ROUNDS
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        ring()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (cc, nc, tottime, cumtime, ...)
    printk("calls %.1f\n", sum(v[1] for v in stats.values()) / rounds)
    busiest = sorted(stats.items(), key=lambda item: -item[1][2])[:20]
    for (path, line, name), (_, calls, tottime, _, _) in busiest:
        where = f"{os.path.basename(path)}:{line}({name})" if line else name
        printk("prof %d %.1f %s\n", int(tottime * 1e9 / rounds), calls / rounds, where)
