"""The ivshmem shared memory of a running VM, as the view's hexdump shows it.

A device's memory is split into the sections a picture would draw: one for
ivshmem v1 (plain or doorbell), the state table, R/W section and output
sections for ivshmem-v2, coloured as `zpy draw memory-map` colours them. The
page asks for a window (an offset); each look copies that window from the
mapping, which needs no lock: the memory is shared with other VMs anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zpy.pictures.memory_map import STYLES
from zpy.pictures.shm_layout import SharedMemoryLayout, format_bytes

ROW = 16
#: bytes in the window the page shows
WINDOW = 512

#: v1 memory has one section; it takes the colours of the R/W section (every peer writes it)
_V1_STYLE = "rw"


@dataclass(frozen=True)
class ShmSection:
    kind: str  # "shared" (v1), "state-table", "rw", "output"
    name: str
    offset: int
    size: int
    own: bool
    fill: str
    stroke: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "offset": self.offset, "size": self.size,
                "own": self.own, "fill": self.fill, "stroke": self.stroke,
                "human": format_bytes(self.size)}


class SharedMemory:
    """One ivshmem device's memory: its sections, and windows of its bytes."""

    def __init__(self, device: str, flavour: str, peer_id: int, view: memoryview,
                 sections: list[ShmSection]) -> None:
        self.device = device
        self.flavour = flavour
        self.peer_id = peer_id
        self.size = len(view)
        self._view = view
        self.sections = sections

    @classmethod
    def of(cls, dev: object) -> SharedMemory | None:
        """The memory of an ivshmem device model of zpy.hw, None for any other device."""
        from zpy.hw.ivshmem import IvshmemV1
        from zpy.hw.ivshmem2 import Ivshmem2

        if isinstance(dev, Ivshmem2):
            layout = dev.layout
            picture = SharedMemoryLayout.from_server(
                layout.shm_size, layout.output_section_size, layout.max_peers,
                own_id=dev.own_id, state_table_size=layout.state_table_size)
            sections = []
            for s in picture.sections():
                style = STYLES["own" if s.own else s.kind]
                sections.append(ShmSection(s.kind, s.name, s.offset, s.size, s.own,
                                           style.fill, style.stroke))
            return cls(dev.name, "ivshmem-v2", dev.own_id, dev.shm.view, sections)
        if isinstance(dev, IvshmemV1):
            style = STYLES[_V1_STYLE]
            flavour = "ivshmem-doorbell" if dev.doorbell else "ivshmem-plain"
            whole = ShmSection("shared", "Shared memory", 0, dev.shm.size, False, style.fill,
                               style.stroke)
            return cls(dev.name, flavour, dev.vm_id, dev.shm.view, [whole])
        return None

    def describe(self) -> dict[str, Any]:
        return {"device": self.device, "flavour": self.flavour, "peer": self.peer_id,
                "size": self.size, "human": format_bytes(self.size), "window": WINDOW,
                "sections": [s.to_json() for s in self.sections]}

    def clamp(self, offset: int) -> int:
        """A window start: a whole row, inside the memory."""
        last = max(0, self.size - WINDOW)
        return max(0, min(int(offset), last)) // ROW * ROW

    def window(self, offset: int) -> list[dict[str, Any]]:
        """The rows of the window at `offset`: {"offset", "hex", "ascii"} each; none once the
        machine is off (the mapping is gone)."""
        start = self.clamp(offset)
        try:
            data = bytes(self._view[start : start + WINDOW])
        except ValueError:  # released: the machine was switched off
            return []
        rows = []
        for i in range(0, len(data), ROW):
            chunk = data[i : i + ROW]
            rows.append({"offset": start + i, "hex": chunk.hex(" "),
                         "ascii": "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)})
        return rows
