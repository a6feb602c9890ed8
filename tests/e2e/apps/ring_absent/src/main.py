"""Rings a peer that does not exist: v1 does not check peer IDs, the device drops it."""

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_int_peer
from zpy.kernel import printk


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    printk("int_peer 42: %d\n", ivshmem_int_peer(dev, 42, 0))
    printk("int_peer 42 again: %d\n", ivshmem_int_peer(dev, 42, 1))
    return 0
