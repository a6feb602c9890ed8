"""ivshmem-v2 without MSI-X: one vector, on the INTx line the devicetree names."""

from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_enable_interrupts,
    ivshmem_get_id,
    ivshmem_get_vectors,
    ivshmem_int_peer,
    ivshmem_register_handler,
)
from zpy.kernel import (
    K_MSEC,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    printk,
)


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    printk("ready %d vectors %u\n", device_is_ready(dev), ivshmem_get_vectors(dev))
    sig = k_poll_signal()
    printk("register vector 1: %d\n", ivshmem_register_handler(dev, sig, 1))
    ivshmem_register_handler(dev, sig, 0)
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    ivshmem_enable_interrupts(dev, True)
    ivshmem_int_peer(dev, ivshmem_get_id(dev), 0)
    rc = k_poll(events, 1, K_MSEC(2000))
    printk("poll %d signal %s\n", rc, k_poll_signal_check(sig))
    return 0
