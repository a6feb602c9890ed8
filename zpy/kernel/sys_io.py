"""Register access and memory mapping: how a driver reaches its hardware.

sys_read32/sys_write32 (memory-mapped registers), sys_in32/sys_out32 (x86 I/O
ports), device_map / k_mem_map_phys_bare (map a physical range). All of it goes
through the image's machine, like loads and stores through the MMU to a bus.
Each access is a kernel entry point after it completes: an interrupt the access
raised is taken, and a thread it readied may preempt the caller, right there.

Mapping rule: RAM-like ranges (memory BARs backed by host memory, such as
ivshmem's shared memory) map to a memoryview of that memory (read-only unless
K_MEM_PERM_RW; the host MMU enforces it). Register ranges map to an address for
sys_read*/sys_write*.
"""

from __future__ import annotations

import ctypes
from typing import Any

from zpy.errors import LinkError
from zpy.kernel.context import current_kernel

K_MEM_CACHE_NONE = 2
K_MEM_CACHE_WT = 1
K_MEM_CACHE_WB = 0
K_MEM_CACHE_MASK = 3
K_MEM_PERM_RW = 1 << 2
K_MEM_PERM_EXEC = 1 << 3
K_MEM_PERM_USER = 1 << 4
K_MEM_DIRECT_MAP = 1 << 6


def sys_read8(addr: int) -> int:
    kernel = current_kernel()
    value = kernel.machine.mem.read(addr, 1)
    kernel.sched.entry()
    return value


def sys_read16(addr: int) -> int:
    kernel = current_kernel()
    value = kernel.machine.mem.read(addr, 2)
    kernel.sched.entry()
    return value


def sys_read32(addr: int) -> int:
    kernel = current_kernel()
    value = kernel.machine.mem.read(addr, 4)
    kernel.sched.entry()
    return value


def sys_read64(addr: int) -> int:
    kernel = current_kernel()
    value = kernel.machine.mem.read(addr, 8)
    kernel.sched.entry()
    return value


def sys_write8(data: int, addr: int) -> None:
    kernel = current_kernel()
    kernel.machine.mem.write(addr, 1, data)
    kernel.sched.entry()


def sys_write16(data: int, addr: int) -> None:
    kernel = current_kernel()
    kernel.machine.mem.write(addr, 2, data)
    kernel.sched.entry()


def sys_write32(data: int, addr: int) -> None:
    kernel = current_kernel()
    kernel.machine.mem.write(addr, 4, data)
    kernel.sched.entry()


def sys_write64(data: int, addr: int) -> None:
    kernel = current_kernel()
    kernel.machine.mem.write(addr, 8, data)
    kernel.sched.entry()


def sys_in8(port: int) -> int:
    kernel = current_kernel()
    value = kernel.machine.io.read(port, 1)
    kernel.sched.entry()
    return value


def sys_in16(port: int) -> int:
    kernel = current_kernel()
    value = kernel.machine.io.read(port, 2)
    kernel.sched.entry()
    return value


def sys_in32(port: int) -> int:
    kernel = current_kernel()
    value = kernel.machine.io.read(port, 4)
    kernel.sched.entry()
    return value


def sys_out8(data: int, port: int) -> None:
    kernel = current_kernel()
    kernel.machine.io.write(port, 1, data)
    kernel.sched.entry()


def sys_out16(data: int, port: int) -> None:
    kernel = current_kernel()
    kernel.machine.io.write(port, 2, data)
    kernel.sched.entry()


def sys_out32(data: int, port: int) -> None:
    kernel = current_kernel()
    kernel.machine.io.write(port, 4, data)
    kernel.sched.entry()


def device_map(phys_addr: int, size: int, flags: int) -> int:
    """Map a register range; returns its virtual address (zpy maps 1:1)."""
    current_kernel().machine.mem.find(phys_addr)  # a bus fault now beats one at first access
    return phys_addr


def k_mem_map_phys_bare(phys: int, size: int, flags: int) -> Any:
    """Map a physical range: a memoryview for RAM-backed ranges, else the address (see above)."""
    kernel = current_kernel()
    base, region_size, region = kernel.machine.mem.find(phys)
    if phys + size > base + region_size:
        raise LinkError(f"k_mem_map_phys_bare: {phys:#x}+{size:#x} runs past its region")
    mapper = getattr(region, "map", None)
    if mapper is None:
        return phys
    view = mapper(phys - base, size, bool(flags & K_MEM_PERM_RW))
    kernel.mappings.append((view, phys))
    return view


z_phys_map = k_mem_map_phys_bare


def buffer_address(buf: Any) -> int:
    """Where a writable buffer's first byte is in host memory (a non-empty one)."""
    return ctypes.addressof(ctypes.c_char.from_buffer(buf))


def POINTER_TO_UINT(ptr: Any) -> int:
    """The address of a mapping (a memoryview from k_mem_map_phys_bare), of a block of a
    k_mem_slab or k_heap (any writable buffer: its host address, so alignment shows), or an
    int address."""
    if isinstance(ptr, int):
        return ptr
    if ptr is None:
        return 0
    for view, phys in current_kernel().mappings:
        if view is ptr:
            return phys
    try:
        return buffer_address(ptr)
    except (TypeError, ValueError):  # not a writable buffer, or an empty one
        return id(ptr)
