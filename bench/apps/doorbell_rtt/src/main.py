"""Doorbell round trip between two VMs: int_peer, ISR, k_poll wake, int_peer back.

Peer 0 measures; peer 1 echoes every doorbell on vector 0 and stops on vector 1.
Peer 1 rings peer 0 once when it is up, so peer 0 knows it can start.
Output (peer 0): one line per measured round trip, "rtt <ns>".
"""

import time

from zpy.autoconf import CONFIG_RTT_ROUNDS, CONFIG_RTT_WARMUP
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_get_id, ivshmem_int_peer, ivshmem_register_handler
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


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    me = ivshmem_get_id(dev)
    sig = k_poll_signal()
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    ivshmem_register_handler(dev, sig, 0)
    ivshmem_register_handler(dev, sig, 1)
    if me != 0:
        ivshmem_int_peer(dev, 0, 0)  # hello
        while True:
            k_poll(events, 1, K_FOREVER)
            _, vector = k_poll_signal_check(sig)
            k_poll_signal_reset(sig)
            if vector == 1:
                return 0
            ivshmem_int_peer(dev, 0, 0)
    printk("ready\n")
    k_poll(events, 1, K_FOREVER)  # peer 1 is up
    k_poll_signal_reset(sig)
    samples = []
    clock = time.perf_counter_ns
    for i in range(CONFIG_RTT_WARMUP + CONFIG_RTT_ROUNDS):
        t0 = clock()
        ivshmem_int_peer(dev, 1, 0)
        k_poll(events, 1, K_FOREVER)
        k_poll_signal_reset(sig)
        if i >= CONFIG_RTT_WARMUP:
            samples.append(clock() - t0)
    ivshmem_int_peer(dev, 1, 1)  # stop
    printk("%s\n", "\n".join(f"rtt {ns}" for ns in samples))
    return 0
