"""Counts doorbells on vector 0; on vector 1 reports the count and a checksum of
shared memory bytes 4096..8191 (tests/e2e/test_ivshmem_faults.py)."""

import zlib

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_get_id, ivshmem_get_mem, ivshmem_register_handler
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
    _, mem = ivshmem_get_mem(dev)
    sig = k_poll_signal()
    ivshmem_register_handler(dev, sig, 0)
    ivshmem_register_handler(dev, sig, 1)
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    printk("up %u\n", ivshmem_get_id(dev))
    count = 0
    while True:
        if k_poll(events, 1, K_SECONDS(60)) != 0:
            printk("timeout\n")
            return 1
        _, vector = k_poll_signal_check(sig)
        k_poll_signal_reset(sig)
        if vector == 1:
            printk("count %s crc %08x\n", "some" if count else "none",
                   zlib.crc32(bytes(mem[4096:8192])))
        else:
            count += 1
