"""A zpy VM facing a QEMU guest on one ivshmem server (driven by tests/interop).

It says who it is, writes a greeting at offset 0 of the shared memory, waits
for a doorbell, prints the vector and the text at offset 256, rings peer 0
(QEMU, which connected first) on vector 0, and ends.
"""

from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_get_id,
    ivshmem_get_mem,
    ivshmem_get_vectors,
    ivshmem_int_peer,
    ivshmem_register_handler,
)
from zpy.kernel import (
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    K_SECONDS,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    printk,
)


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    if not device_is_ready(dev):
        printk("not ready\n")
        return 1
    size, mem = ivshmem_get_mem(dev)
    sig = k_poll_signal()
    for vector in range(ivshmem_get_vectors(dev)):
        ivshmem_register_handler(dev, sig, vector)
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    greeting = b"hello from a zpy VM\0"
    mem[0 : len(greeting)] = greeting
    printk("id %u size %zu vectors %u: wrote greeting\n", ivshmem_get_id(dev), size,
           ivshmem_get_vectors(dev))
    if k_poll(events, 1, K_SECONDS(20)) != 0:
        printk("no doorbell\n")
        return 1
    _, vector = k_poll_signal_check(sig)
    text = bytes(mem[256:512]).split(b"\0", 1)[0].decode()
    printk("doorbell on vector %u: %s\n", vector, text)
    printk("ringing peer 0: %d\n", ivshmem_int_peer(dev, 0, 0))
    return 0
