"""Writes into another peer's output section, which is mapped read-only: a fault."""

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_get_id, ivshmem_get_output_mem_section
from zpy.kernel import printk


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    other = 1 - ivshmem_get_id(dev)
    _, out = ivshmem_get_output_mem_section(dev, other)
    printk("writing peer %u's output section\n", other)
    out[0:4] = b"oops"
    printk("not reached\n")
    return 0
