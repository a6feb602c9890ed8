# SPDX-License-Identifier: Apache-2.0
"""ivshmem doorbell sample: wait for notifications, print the shared memory each time.

A port of Zephyr's samples/drivers/virtualization/ivshmem/doorbell: one
k_poll_signal is registered on every vector; each time a peer rings us, the
whole shared memory is read as a NUL-terminated message and printed.
"""

from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_get_mem,
    ivshmem_get_vectors,
    ivshmem_register_handler,
)
from zpy.kernel import (
    K_FOREVER,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_init,
    k_poll_signal_reset,
    k_sleep,
    printk,
)


def setup_ivshmem():
    """The device, its shared memory, and a signal registered on every vector (or None)."""
    ivshmem = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    if not device_is_ready(ivshmem):
        printk("ivshmem device is not ready\n")
        return None

    size, mem = ivshmem_get_mem(ivshmem)
    if size == 0:
        printk("Size cannot not be 0")
        return None
    if mem is None:
        printk("Shared memory cannot be null\n")
        return None

    vectors = ivshmem_get_vectors(ivshmem)
    if vectors == 0:
        printk("ivshmem-doorbell must have vectors\n")
        return None

    signal = k_poll_signal()
    k_poll_signal_init(signal)
    for vector in range(vectors):
        if ivshmem_register_handler(ivshmem, signal, vector) < 0:
            printk("registering handlers must be supported\n")
            return None
    return mem, signal


def ivshmem_event_loop(mem, signal):
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, signal)]
    printk("Use write_shared_memory.sh and ivshmem-client to send a message\n")
    while True:
        if k_poll(events, 1, K_FOREVER) < 0:
            printk("poll failed\n")
            return
        signaled, vector = k_poll_signal_check(signal)
        k_poll_signal_reset(signal)
        if not signaled:
            continue
        data = bytes(mem)
        truncated = 0 not in data
        message = data.split(b"\0", 1)[0].decode("utf-8", "replace")
        printk("received IRQ and %s message: %s\n", "truncated" if truncated else "full",
               message)


def main():
    setup = setup_ivshmem()
    if setup is None:
        printk("test has failed\n")
        while True:  # as the C sample: stay here (Ctrl-C or SIGTERM stops the run)
            k_sleep(K_FOREVER)
    ivshmem_event_loop(*setup)
    return 0
