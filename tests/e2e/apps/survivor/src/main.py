"""Counts doorbells on vector 0; on vector 1 reports the count and a checksum of
shared memory bytes 4096..8191 (tests/e2e/test_ivshmem_faults.py). A signal per
vector, so a ring of each taken together still counts before it reports."""

import zlib

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_get_id, ivshmem_get_mem, ivshmem_register_handler
from zpy.kernel import (
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_STATE_NOT_READY,
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
    counted, report = k_poll_signal(), k_poll_signal()
    ivshmem_register_handler(dev, counted, 0)
    ivshmem_register_handler(dev, report, 1)
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)
              for sig in (counted, report)]
    printk("up %u\n", ivshmem_get_id(dev))
    count = 0
    while True:
        if k_poll(events, 2, K_SECONDS(60)) != 0:
            printk("timeout\n")
            return 1
        if k_poll_signal_check(counted)[0]:
            k_poll_signal_reset(counted)
            count += 1
        if k_poll_signal_check(report)[0]:
            k_poll_signal_reset(report)
            printk("count %s crc %08x\n", "some" if count else "none",
                   zlib.crc32(bytes(mem[4096:8192])))
        for event in events:
            event.state = K_POLL_STATE_NOT_READY
