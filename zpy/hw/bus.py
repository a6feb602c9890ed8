"""Address spaces: the memory bus (MMIO and RAM-backed regions) and x86 I/O ports.

A device model maps regions; the kernel's sys_read32/sys_write32 and
sys_in32/sys_out32 land here, are routed to the region that holds the address,
and become calls on the model, as loads and stores reach a device's registers.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterator
from typing import Protocol

from zpy.errors import MachineError


class Region(Protocol):
    """What a mapped region implements. Offsets are relative to the region's base."""

    def read(self, offset: int, size: int) -> int: ...

    def write(self, offset: int, size: int, value: int) -> None: ...


class BusError(Exception):
    """An access hit no mapped region (a bus fault on real hardware)."""


class AddressSpace:
    """Non-overlapping [base, base+size) regions, looked up by address."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._starts: list[int] = []
        self._regions: list[tuple[int, int, Region]] = []
        self._lock = threading.Lock()
        self._last: tuple[int, int, Region] | None = None

    def map(self, base: int, size: int, region: Region) -> None:
        if size <= 0:
            raise MachineError(f"{self.name}: cannot map an empty region at {base:#x}")
        with self._lock:
            i = bisect.bisect_right(self._starts, base)
            prev = self._regions[i - 1] if i > 0 else None
            nxt = self._regions[i] if i < len(self._regions) else None
            if (prev and prev[0] + prev[1] > base) or (nxt and base + size > nxt[0]):
                raise MachineError(f"{self.name}: region {base:#x}+{size:#x} overlaps another")
            self._starts.insert(i, base)
            self._regions.insert(i, (base, size, region))
            self._last = None

    def unmap(self, base: int) -> None:
        with self._lock:
            i = bisect.bisect_left(self._starts, base)
            if i < len(self._starts) and self._starts[i] == base:
                del self._starts[i]
                del self._regions[i]
            self._last = None

    def find(self, addr: int) -> tuple[int, int, Region]:
        last = self._last
        if last is not None and last[0] <= addr < last[0] + last[1]:
            return last
        i = bisect.bisect_right(self._starts, addr) - 1
        if i >= 0:
            entry = self._regions[i]
            if addr < entry[0] + entry[1]:
                self._last = entry
                return entry
        raise BusError(f"{self.name}: no device at {addr:#x}")

    def read(self, addr: int, size: int) -> int:
        base, _, region = self.find(addr)
        return region.read(addr - base, size)

    def write(self, addr: int, size: int, value: int) -> None:
        base, _, region = self.find(addr)
        region.write(addr - base, size, value & ((1 << (8 * size)) - 1))



def _pieces(offset: int, size: int) -> Iterator[tuple[int, int]]:
    """The accesses QEMU's memory core cuts a load or store into for 4-byte registers: none
    wider than 4 bytes or than the alignment of its address."""
    end = offset + size
    while offset < end:
        piece = min(end - offset, 4, offset & -offset or 4)
        piece = 1 << (piece.bit_length() - 1)
        yield offset, piece
        offset += piece


def dword_read(read32: Callable[[int], int], offset: int, size: int, min_size: int = 1) -> int:
    """A load from registers that implement only 4-byte accesses, as QEMU performs it: each
    piece is a 4-byte read at the piece's very address (so 0 inside a register) cut to the
    piece's size; a piece narrower than the device accepts (`min_size`) is refused and reads 0."""
    value = 0
    for at, piece in _pieces(offset, size):
        if piece >= min_size:
            value |= (read32(at) & ((1 << (8 * piece)) - 1)) << (8 * (at - offset))
    return value


def dword_write(write32: Callable[[int, int], None], offset: int, size: int, value: int,
                min_size: int = 1) -> None:
    """A store to 4-byte registers, cut as dword_read() cuts loads (a refused piece is dropped)."""
    for at, piece in _pieces(offset, size):
        if piece >= min_size:
            write32(at, (value >> (8 * (at - offset))) & ((1 << (8 * piece)) - 1))
