"""Memory backends: host memory that device models expose, shared with other processes.

A backend is a file descriptor (a file under /dev/shm, a hugetlbfs file, or the
shm fd an ivshmem server sent) mapped MAP_SHARED, so a write through one
mapping is seen by every other process that maps the same object: another zpy
VM, a QEMU guest, the host's `dd`. Views can be made read-only by the host MMU
(a separate PROT_READ mapping), so a write through them fails instead of being
silently accepted.
"""

from __future__ import annotations

import mmap
import os
import stat
from pathlib import Path

from zpy.errors import MachineError

PAGE_SIZE = mmap.PAGESIZE


def parse_size(text: str, default_unit: str = "") -> int:
    """QEMU-style sizes: 4096, 64K, 4M, 1G (binary units; a plain number is bytes)."""
    text = text.strip()
    units = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    number, unit = text, default_unit
    if text and text[-1].upper() in "BKMGT" and not text[-1].isdigit():
        number, unit = text[:-1], text[-1].upper()
    try:
        value = float(number) if "." in number else int(number, 0)
    except ValueError:
        raise MachineError(f"invalid size '{text}' (use a number with an optional K, M or G suffix)") \
            from None
    size = int(value * units[unit.upper()])
    if size < 0:
        raise MachineError(f"invalid size '{text}'")
    return size


def is_power_of_2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


class MemoryBackend:
    """A shared, mapped host memory object of a fixed size."""

    def __init__(self, fd: int, size: int, name: str) -> None:
        self.fd = fd
        self.size = size
        self.name = name
        self._map = mmap.mmap(fd, size, flags=mmap.MAP_SHARED,
                              prot=mmap.PROT_READ | mmap.PROT_WRITE)
        self._extra: list[mmap.mmap] = []
        self.view = memoryview(self._map)

    @classmethod
    def from_file(cls, path: str | Path, size: int, share: bool = True) -> MemoryBackend:
        """memory-backend-file: create or extend the file to `size` and map it shared."""
        path = Path(path)
        if not share:
            raise MachineError(f"memory-backend-file {path}: share=off would not be shared "
                               "with anyone; use share=on")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as e:
            raise MachineError(f"can't open backing store {path} for guest RAM: {e.strerror}") \
                from None
        try:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and st.st_size < size:
                os.ftruncate(fd, size)
            return cls(fd, size, str(path))
        except BaseException:
            os.close(fd)
            raise

    @classmethod
    def from_fd(cls, fd: int, name: str) -> MemoryBackend:
        """The shared memory an ivshmem server sent (its size is the object's size).
        The backend keeps its own duplicate of fd."""
        size = os.fstat(fd).st_size
        if size <= 0:
            raise MachineError(f"{name}: shared memory object is empty")
        own = os.dup(fd)
        try:
            return cls(own, size, name)
        except BaseException:
            os.close(own)
            raise

    def map(self, offset: int, size: int, writable: bool) -> memoryview:
        """A view of [offset, offset+size): writable, or read-only enforced by the host MMU."""
        if offset < 0 or offset + size > self.size:
            raise MachineError(f"{self.name}: mapping {offset:#x}+{size:#x} is outside the object")
        if writable:
            return self.view[offset : offset + size]
        # A PROT_READ mapping: writing through it is refused, never silently accepted.
        start = offset - offset % mmap.ALLOCATIONGRANULARITY
        ro = mmap.mmap(self.fd, size + offset - start, flags=mmap.MAP_SHARED,
                       prot=mmap.PROT_READ, offset=start)
        self._extra.append(ro)
        return memoryview(ro)[offset - start :]

    # As a bus region (BAR2 of an ivshmem device): loads and stores of 1, 2, 4 or 8 bytes.
    def read(self, offset: int, size: int) -> int:
        return int.from_bytes(self._map[offset : offset + size], "little")

    def write(self, offset: int, size: int, value: int) -> None:
        self._map[offset : offset + size] = value.to_bytes(size, "little")

    def close(self) -> None:
        self.view.release()
        for m in self._extra:
            try:
                m.close()
            except BufferError:
                pass  # a view is still in use somewhere; the OS unmaps at exit
        try:
            self._map.close()
        except BufferError:
            pass
        os.close(self.fd)
