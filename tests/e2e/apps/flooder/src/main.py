"""Rings peer 0 on vector 0 as fast as it can, forever (killed by the test)."""

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_int_peer
from zpy.kernel import k_yield, printk


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    ivshmem_int_peer(dev, 0, 0)
    printk("flooding\n")  # after a first ring: the test kills it mid-traffic from here on
    while True:
        ivshmem_int_peer(dev, 0, 0)
        k_yield()
