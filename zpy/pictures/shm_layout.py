"""The ivshmem-v2 shared-memory layout: which section is where, and who may write it.

From the start of the shared memory (Jailhouse's specification; QEMU's
ivshmem2 RFC fixes the state table at 4096 bytes):

    0                     State Table        one u32 per peer, read-only for every peer
    ST                    R/W section        read/write for every peer (may be empty)
    ST + RW + i * OS      output section i   writable by peer i only, read-only for the others

A v2 server sends the shared memory, the maximum number of peers and the
output section size; the R/W section is what is left:
RW = shm size - ST - max_peers * OS. Every size is a whole number of pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from zpy.errors import ZpyError

PAGE_SIZE = 4096
#: the state table of QEMU's ivshmem2 device and server: one page
STATE_TABLE_SIZE = 4096
STATE_ENTRY_SIZE = 4  # one u32 per peer
#: largest ID a doorbell can name (16 bits), hence the largest number of peers
MAX_PEERS_LIMIT = 65536


class LayoutError(ZpyError):
    """Parameters that do not make a valid ivshmem-v2 shared memory."""


def format_bytes(size: int) -> str:
    """A size for people: 0 B, 512 B, 4 KiB, 1.5 MiB."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            value = f"{size / scale:.2f}".rstrip("0").rstrip(".")
            return f"{value} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class Section:
    """One region of the shared memory, as a picture labels it."""

    kind: str  # "state-table", "rw", "output"
    name: str
    offset: int
    size: int
    #: the peer that owns it (output sections), else None
    owner: int | None
    #: who may write it, in words
    access: str
    #: True for the viewing peer's own output section
    own: bool = False

    @property
    def end(self) -> int:
        return self.offset + self.size


def _check_size(what: str, value: int, allow_zero: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise LayoutError(f"{what} must be {'at least 0' if allow_zero else 'positive'}, "
                          f"got {value}")
    if value % PAGE_SIZE:
        raise LayoutError(f"{what} {value:#x} ({format_bytes(value)}) is not a multiple of the "
                          f"{PAGE_SIZE}-byte page: every section is mapped by whole pages")


@dataclass(frozen=True)
class SharedMemoryLayout:
    """Sizes of an ivshmem-v2 shared memory, and optionally the peer looking at it."""

    shm_size: int
    state_table_size: int
    rw_section_size: int
    output_section_size: int
    max_peers: int
    own_id: int | None = None

    def __post_init__(self) -> None:
        _check_size("shared memory size", self.shm_size, allow_zero=False)
        _check_size("state table size", self.state_table_size, allow_zero=False)
        _check_size("R/W section size", self.rw_section_size, allow_zero=True)
        _check_size("output section size", self.output_section_size, allow_zero=True)
        if isinstance(self.max_peers, bool) or not isinstance(self.max_peers, int):
            raise TypeError(f"max_peers must be an int, got {self.max_peers!r}")
        if not 1 <= self.max_peers <= MAX_PEERS_LIMIT:
            raise LayoutError(f"max peers must be from 1 to {MAX_PEERS_LIMIT}, got {self.max_peers}")
        if self.max_peers * STATE_ENTRY_SIZE > self.state_table_size:
            raise LayoutError(f"{self.max_peers} peers do not fit a state table of "
                              f"{format_bytes(self.state_table_size)} (one u32 per peer)")
        if self.own_id is not None and not 0 <= self.own_id < self.max_peers:
            raise LayoutError(f"peer ID {self.own_id} is not one of the {self.max_peers} peers "
                              f"(0 to {self.max_peers - 1})")
        total = (self.state_table_size + self.rw_section_size
                 + self.max_peers * self.output_section_size)
        if total != self.shm_size:
            raise LayoutError(f"the sections add up to {total:#x} bytes, not the shared memory's "
                              f"{self.shm_size:#x}")

    @classmethod
    def from_server(cls, shm_size: int, output_section_size: int, max_peers: int,
                    own_id: int | None = None,
                    state_table_size: int = STATE_TABLE_SIZE) -> SharedMemoryLayout:
        """The layout a v2 server's parameters give: the R/W section takes what is left."""
        _check_size("shared memory size", shm_size, allow_zero=False)
        _check_size("output section size", output_section_size, allow_zero=True)
        if isinstance(max_peers, int) and not isinstance(max_peers, bool) and max_peers >= 1:
            rw = shm_size - state_table_size - max_peers * output_section_size
            if rw < 0:
                raise LayoutError(
                    f"the sections do not fit: {max_peers} output sections of "
                    f"{format_bytes(output_section_size)} and the {format_bytes(state_table_size)} "
                    f"state table need {format_bytes(shm_size - rw)}, the shared memory has "
                    f"{format_bytes(shm_size)}")
        else:
            rw = 0  # __post_init__ says what is wrong with max_peers
        return cls(shm_size, state_table_size, rw, output_section_size, max_peers, own_id)

    # -- where things are ------------------------------------------------------------------

    @property
    def rw_section_offset(self) -> int:
        return self.state_table_size

    def output_section_offset(self, peer: int) -> int:
        if not 0 <= peer < self.max_peers:
            raise IndexError(f"peer {peer} is not one of the {self.max_peers} peers")
        return self.state_table_size + self.rw_section_size + peer * self.output_section_size

    def output_section(self, peer: int) -> Section:
        own = peer == self.own_id
        access = ("ours: read/write; read-only for the other peers" if own else
                  f"writable by peer {peer} only; read-only for the others")
        return Section("output", f"Output section {peer}", self.output_section_offset(peer),
                       self.output_section_size, peer, access, own)

    def sections(self) -> list[Section]:
        """Every section in address order: state table, R/W section, output sections."""
        out = [
            Section("state-table", "State Table", 0, self.state_table_size, None,
                    "read-only for every peer (one u32 state per peer)"),
            Section("rw", "R/W section", self.rw_section_offset, self.rw_section_size, None,
                    "read/write for every peer"),
        ]
        out += [self.output_section(peer) for peer in range(self.max_peers)]
        return out
