"""Where things lie in ivshmem-v2 shared memory, and which sizes a server may hand out.

    offset 0                           state table: one u32 per peer, indexed by ID (4 KiB)
    4096                               R/W section: read/write for every peer (may be empty)
    4096 + rw                          output section of peer 0 (writable by peer 0 only)
    4096 + rw + i * output_size        output section of peer i, i < max_peers

QEMU's ivshmem2 RFC fixes the state table at 4096 bytes, so it holds 1024
peers at most, and the R/W section takes what the others leave:
rw = shm_size - 4096 - max_peers * output_section_size, which must not be
negative. Every section must be mappable on its own, so sizes are page
multiples. The RFC does not ask for a power of two, but QEMU's device maps the
whole shared memory as one PCI BAR, and a BAR that is not a power of two makes
QEMU abort; zpy's server refuses such sizes (check_shm_size), and the layout
itself, which a device computes from what it is given, does not care.
"""

from __future__ import annotations

from dataclasses import dataclass

from zpy.errors import MachineError
from zpy.ivshmem_host.shm import format_size

PAGE_SIZE = 4096
#: fixed by QEMU's ivshmem2 RFC
STATE_TABLE_SIZE = 4096
#: one u32 per peer
STATE_ENTRY_SIZE = 4
#: peers a 4 KiB state table has room for
STATE_TABLE_PEERS = STATE_TABLE_SIZE // STATE_ENTRY_SIZE


@dataclass(frozen=True, slots=True)
class V2Layout:
    """The sections of one shared memory object; raises MachineError if they do not fit."""

    shm_size: int
    max_peers: int
    output_section_size: int = 0
    state_table_size: int = STATE_TABLE_SIZE

    def __post_init__(self) -> None:
        if self.rw_size < 0:
            need = self.state_table_size + self.max_peers * self.output_section_size
            raise MachineError(
                "Invalid output section size, shared memory too small: "
                f"{format_size(self.state_table_size)} state table + {self.max_peers} x "
                f"{format_size(self.output_section_size)} output sections = {format_size(need)}, "
                f"more than {format_size(self.shm_size)}",
                hint=f"use -l {format_size(_next_power_of_two(need))} or a smaller -o")

    @property
    def rw_offset(self) -> int:
        return self.state_table_size

    @property
    def rw_size(self) -> int:
        return self.shm_size - self.state_table_size - self.max_peers * self.output_section_size

    @property
    def output_offset(self) -> int:
        """Where the output section of peer 0 starts."""
        return self.rw_offset + self.rw_size

    def output_section(self, peer_id: int) -> tuple[int, int]:
        """(offset, size) of peer `peer_id`'s output section."""
        if not 0 <= peer_id < self.max_peers:
            raise ValueError(f"peer {peer_id} is not below max peers {self.max_peers}")
        return self.output_offset + peer_id * self.output_section_size, self.output_section_size

    @staticmethod
    def state_offset(peer_id: int) -> int:
        """Where peer `peer_id`'s u32 lies in the state table."""
        return peer_id * STATE_ENTRY_SIZE

    def describe(self) -> str:
        """'state table 4K @0, R/W 888K @4K, 2 output sections of 64K @892K' (for logs)."""
        parts = [f"state table {format_size(self.state_table_size)} @0",
                 f"R/W {format_size(self.rw_size)} @{format_size(self.rw_offset)}"]
        if self.output_section_size:
            parts.append(f"{self.max_peers} output sections of "
                         f"{format_size(self.output_section_size)} "
                         f"@{format_size(self.output_offset)}")
        else:
            parts.append("no output sections")
        return ", ".join(parts)


def check_shm_size(size: int, spelled: str | None = None) -> None:
    """Refuse a v2 shared memory size that is not whole pages, cannot hold the state
    table, or is not a power of two (QEMU's BAR2), suggesting the next valid one."""
    shown = _spell(size, spelled)
    hint = f"use -l {format_size(_next_power_of_two(max(size, STATE_TABLE_SIZE)))}"
    if size % PAGE_SIZE:
        raise MachineError(f"shared memory size {shown} is not a multiple of "
                           f"the page size ({PAGE_SIZE} bytes)", hint=hint)
    if size < STATE_TABLE_SIZE:
        raise MachineError(f"shared memory size {shown} is too small: the state table alone "
                           f"takes {format_size(STATE_TABLE_SIZE)}", hint=hint)
    if size & (size - 1):
        raise MachineError(f"shared memory size {shown} is not a power of two: "
                           "QEMU maps the shared memory as one PCI BAR and aborts on a BAR "
                           "of that size", hint=hint + " (the next power of two)")


def check_output_section_size(size: int, spelled: str | None = None) -> None:
    """Refuse an output section size that is not whole pages (each section is mapped alone)."""
    shown = _spell(size, spelled)
    if size < 0 or size % PAGE_SIZE:
        rounded = max(0, -(-size // PAGE_SIZE) * PAGE_SIZE)
        raise MachineError(f"output section size {shown} is not a multiple of "
                           f"the page size ({PAGE_SIZE} bytes)",
                           hint=f"use -o {format_size(rounded)}")


def _spell(size: int, spelled: str | None) -> str:
    """'3M (3145728 bytes)' as the user wrote it, or just '1000' when that is the byte count."""
    shown = spelled if spelled is not None else format_size(size)
    return shown if shown.strip() == str(size) else f"{shown} ({size} bytes)"


def _next_power_of_two(size: int) -> int:
    return 1 << max(size - 1, 0).bit_length()
