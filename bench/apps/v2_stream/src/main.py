"""ivshmem-v2 benchmarks between two peers (bench/bench_zpy.py runs two VMs of this app).

1. State-change round trip: peer 0 writes its State register; the change
   interrupts peer 1 on vector 0, which copies the value into its own State;
   that interrupts peer 0 back. "state_rtt <ns>" per round.
2. Streaming: peer 0 fills its whole output section (one block) and rings
   vector 1; peer 1 copies the block out of peer 0's section (mapped read-only
   for it) and acknowledges on vector 1. "stream <bytes> <ns>" at the end.
Peer 1 rings peer 0 once when it is up; peer 0 prints "ready" before that.
"""

import time

from zpy.autoconf import CONFIG_BENCH_STATE_ROUNDS, CONFIG_BENCH_STREAM_BLOCKS
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_enable_interrupts,
    ivshmem_get_id,
    ivshmem_get_output_mem_section,
    ivshmem_get_state,
    ivshmem_int_peer,
    ivshmem_register_handler,
    ivshmem_set_state,
)
from zpy.kernel import (
    K_FOREVER,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_reset,
    printk,
)

WARMUP = 300
STOP = 0xFFFFFFFF


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    me = ivshmem_get_id(dev)
    sig = k_poll_signal()
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    ivshmem_register_handler(dev, sig, 0)
    ivshmem_register_handler(dev, sig, 1)
    ivshmem_enable_interrupts(dev, True)

    def wait():
        k_poll(events, 1, K_FOREVER)
        _, vector = k_poll_signal_check(sig)
        k_poll_signal_reset(sig)
        return vector

    size, own = ivshmem_get_output_mem_section(dev, me)
    _, other = ivshmem_get_output_mem_section(dev, 1 - me)
    if me == 1:
        ivshmem_int_peer(dev, 0, 1)  # hello
        while True:  # echo states until peer 0 says STOP
            if wait() == 0:
                state = ivshmem_get_state(dev, 0)
                ivshmem_set_state(dev, state)
                if state == STOP:
                    break
        sink = bytearray(size)
        for _ in range(CONFIG_BENCH_STREAM_BLOCKS):
            wait()
            sink[:] = other  # take the block out of peer 0's section
            ivshmem_int_peer(dev, 0, 1)
        return 0

    printk("ready\n")
    wait()  # peer 1 is up
    clock = time.perf_counter_ns
    samples = []
    for i in range(WARMUP + CONFIG_BENCH_STATE_ROUNDS):
        t0 = clock()
        ivshmem_set_state(dev, i + 1)
        while wait() != 0 or ivshmem_get_state(dev, 1) != i + 1:
            pass
        if i >= WARMUP:
            samples.append(clock() - t0)
    ivshmem_set_state(dev, STOP)
    while wait() != 0 or ivshmem_get_state(dev, 1) != STOP:
        pass
    block = bytes(range(256)) * (size // 256)
    t0 = clock()
    for _ in range(CONFIG_BENCH_STREAM_BLOCKS):
        own[:] = block
        ivshmem_int_peer(dev, 1, 1)
        wait()
    elapsed = clock() - t0
    printk("%s\n", "\n".join(f"state_rtt {ns}" for ns in samples))
    printk("stream %d %d\n", size * CONFIG_BENCH_STREAM_BLOCKS, elapsed)
    return 0
