"""Publishes state 100 + ID, then reports every change of the state table it is
interrupted for (vector 0), until it is told to stop (its ring on vector 1)."""

from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_enable_interrupts,
    ivshmem_get_id,
    ivshmem_get_max_peers,
    ivshmem_get_state,
    ivshmem_register_handler,
    ivshmem_set_state,
)
from zpy.kernel import (
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    K_SECONDS,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_reset,
    printk,
)


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    if not device_is_ready(dev):
        printk("not ready\n")
        return 1
    me, peers = ivshmem_get_id(dev), ivshmem_get_max_peers(dev)
    sig = k_poll_signal()
    ivshmem_register_handler(dev, sig, 0)
    ivshmem_register_handler(dev, sig, 1)
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    ivshmem_enable_interrupts(dev, True)
    ivshmem_set_state(dev, 100 + me)

    def table():
        return " ".join(str(ivshmem_get_state(dev, p)) for p in range(peers))

    printk("peer %u up: %s\n", me, table())
    while True:
        if k_poll(events, 1, K_SECONDS(30)) != 0:
            printk("peer %u: timeout\n", me)
            return 1
        _, vector = k_poll_signal_check(sig)
        k_poll_signal_reset(sig)
        if vector == 1:
            printk("peer %u stops\n", me)
            return 0
        printk("peer %u sees: %s\n", me, table())
