"""A zpy VM on ivshmem-plain, sharing a memory file with a QEMU guest (tests/interop).

It prints what the guest left at offset 0x100, then writes its own text at 0.
"""

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import ivshmem_get_id, ivshmem_get_mem
from zpy.kernel import printk


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    size, mem = ivshmem_get_mem(dev)
    found = bytes(mem[0x100:0x200]).split(b"\0", 1)[0].decode()
    printk("size %zu id %u found: %s\n", size, ivshmem_get_id(dev), found)
    text = b"plain hello from zpy\0"
    mem[0 : len(text)] = text
    return 0
