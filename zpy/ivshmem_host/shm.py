"""The shared memory object an ivshmem server hands to every peer.

Two kinds, as in QEMU's server: a POSIX shm name (`/dev/shm/NAME`, created if
absent, reused with its contents if present, like shm_open(O_CREAT) without
O_EXCL) or a directory, e.g. a hugetlbfs mount, in which an unlinked temporary
file is made. Sizes are checked up front: QEMU's ivshmem-doorbell maps the
whole object as a PCI BAR, which must be a power of two and at least a page,
and QEMU aborts (SIGABRT) rather than refuse a bad one.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zpy.errors import MachineError

#: where glibc's shm_open() keeps POSIX shared memory objects
SHM_DIR = Path("/dev/shm")
#: smallest BAR QEMU maps for the shared memory: one host page
MIN_SHM_SIZE = 4096

_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_SIZE_RE = re.compile(r"\s*(\d+)\s*([KMGTB]?)(?:i?B)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes of a size written as QEMU's tools take it: 4194304, 4096K, 4M, 1G (1K = 1024)."""
    match = _SIZE_RE.fullmatch(text)
    if match is None:
        raise MachineError(f"invalid size '{text}': expected a number with an optional K, M or G suffix")
    return int(match.group(1)) * _UNITS[match.group(2).upper()]


def format_size(size: int) -> str:
    """The shortest exact K/M/G spelling of a size (4194304 -> '4M')."""
    for suffix, unit in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def check_shm_size(size: int, spelled: str | None = None) -> None:
    """Refuse what QEMU's ivshmem-doorbell would crash on, suggesting the next valid size."""
    shown = spelled if spelled is not None else format_size(size)
    if size < MIN_SHM_SIZE:
        raise MachineError(
            f"shared memory size {shown} is too small: QEMU maps it as a PCI BAR "
            f"of at least one page ({MIN_SHM_SIZE} bytes)",
            hint=f"use -l {format_size(MIN_SHM_SIZE)}",
        )
    if size & (size - 1):
        upper = 1 << size.bit_length()
        raise MachineError(
            f"shared memory size {shown} ({size} bytes) is not a power of two: "
            "QEMU's ivshmem-doorbell aborts on a BAR of that size",
            hint=f"use -l {format_size(upper)} (the next power of two)",
        )


def check_shm_name(name: str) -> str:
    """The file name under /dev/shm for a shm_open()-style name ('/foo' and 'foo' are the same)."""
    bare = name[1:] if name.startswith("/") else name
    if not bare or "/" in bare or bare in (".", ".."):
        raise MachineError(
            f"invalid shared memory name '{name}': a POSIX shm name is one path component",
            hint="use -m DIR to put the shared memory in a directory",
        )
    return bare


@dataclass
class SharedMemory:
    """An open shared memory object: the fd every peer gets, its size and where it lives."""

    fd: int
    size: int
    #: /dev/shm/NAME, or None for an unlinked file in a directory
    path: Path | None
    #: a human description for logs: '/dev/shm/ivshmem' or 'unlinked file in /mnt/huge'
    description: str
    created: bool

    @classmethod
    def open_name(
        cls, name: str, size: int, mode: int | None, log: logging.LoggerAdapter | logging.Logger
    ) -> SharedMemory:
        """Open or create /dev/shm/NAME and give it `size` bytes.

        A new object gets `mode` (0600 if None). An existing one keeps its
        contents; its mode changes only if `mode` is given, and its size is set
        with ftruncate() if it differs, as QEMU's server does.
        """
        path = SHM_DIR / check_shm_name(name)
        flags = os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW
        created = False
        fd = -1
        while fd < 0:
            try:
                fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
                created = True
            except FileExistsError:
                try:
                    fd = os.open(path, flags)
                except FileNotFoundError:
                    continue  # removed between the two opens: try creating again
                except OSError as e:
                    raise MachineError(f"cannot open shared memory {path}: {e.strerror}") from e
            except OSError as e:
                raise MachineError(f"cannot create shared memory {path}: {e.strerror}") from e
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise MachineError(f"shared memory {path} is not a regular file")
            if created or mode is not None:
                os.fchmod(fd, 0o600 if mode is None else mode)
            # Held while the fd lives: in this server and in every peer it sends the fd to.
            fcntl.flock(fd, fcntl.LOCK_SH)
            if created:
                log.debug("created shared memory %s", path)
            elif info.st_size != size:
                _check_resizable(fd, path, info, size)
                log.debug("resizing existing shared memory %s from %d to %d bytes",
                          path, info.st_size, size)
            else:
                log.debug("reusing existing shared memory %s (%d bytes)", path, size)
            _set_size(fd, size, str(path))
        except BaseException:
            os.close(fd)
            if created:
                path.unlink(missing_ok=True)
            raise
        return cls(fd, size, path, str(path), created)

    @classmethod
    def open_in_directory(cls, directory: str | Path, size: int, mode: int | None) -> SharedMemory:
        """An anonymous file of `size` bytes in `directory` (hugetlbfs works), unlinked at once."""
        directory = Path(directory)
        try:
            fd, name = tempfile.mkstemp(prefix="ivshmem.", dir=directory)
        except OSError as e:
            raise MachineError(f"cannot create shared memory in {directory}: {e.strerror}") from e
        os.unlink(name)
        try:
            os.set_inheritable(fd, False)
            if mode is not None:
                os.fchmod(fd, mode)
            _set_size(fd, size, f"a file in {directory}")
        except BaseException:
            os.close(fd)
            raise
        return cls(fd, size, None, f"unlinked file in {directory}", True)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def unlink(self) -> None:
        """Remove the POSIX name (peers that have the fd keep their mapping)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _check_resizable(fd: int, path: Path, info: os.stat_result, size: int) -> None:
    """Refuse to resize an object that is in use: a live server's peers, or a VM that maps it,
    die of SIGBUS when it shrinks under them (and one that grows is not what they were told).
    In use means locked by a server (the lock travels with the fd to every peer) or mapped
    by any process."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        locked = False
    except BlockingIOError:
        locked = True
    finally:
        fcntl.flock(fd, fcntl.LOCK_SH)  # back to ours alone (a failed upgrade may drop it)
    mappers = [] if locked else mapped_by(info)
    if not (locked or mappers):
        return
    who = ("a live ivshmem server or its peers" if locked
           else "process " + ", ".join(str(pid) for pid in mappers))
    raise MachineError(
        f"shared memory {path} is {format_size(info.st_size)} and in use by {who}: "
        f"refusing to resize it to {format_size(size)}",
        hint=f"share it with -l {format_size(info.st_size)}, or give this server another "
             "name with -M (or a directory with -m)")


def mapped_by(info: os.stat_result) -> list[int]:
    """The processes that map the file `info` describes (those whose /proc we may read)."""
    dev = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}"
    pids = []
    for maps in Path("/proc").glob("[0-9]*/maps"):
        try:
            text = maps.read_text()
        except OSError:
            continue  # gone, or not ours to read
        for line in text.splitlines():
            fields = line.split(maxsplit=5)
            if len(fields) >= 5 and fields[4] == str(info.st_ino) and fields[3] == dev:
                pids.append(int(maps.parent.name))
                break
    return sorted(pids)


def _set_size(fd: int, size: int, where: str) -> None:
    if os.fstat(fd).st_size == size:
        return
    try:
        os.ftruncate(fd, size)
    except OSError as e:
        raise MachineError(f"cannot give shared memory {where} {size} bytes: {e.strerror}") from e
