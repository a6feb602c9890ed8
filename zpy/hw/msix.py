"""MSI-X: the capability, the vector table and the pending-bit array (PBA).

A device notifies a vector; what happens follows the PCI rules QEMU applies:
with MSI-X disabled the notification is dropped; with the function or the
vector masked its pending bit is set (and delivered when unmasked); otherwise
the message (address, data) is written, which the local APIC turns into a CPU
interrupt with vector = data & 0xff.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from zpy.hw.bus import dword_read, dword_write
from zpy.hw.pci import PciFunction

PCI_CAP_ID_MSIX = 0x11
MSIX_CAP_LENGTH = 12
MSIX_CONTROL_ENABLE = 1 << 15
MSIX_CONTROL_MASKALL = 1 << 14
MSIX_ENTRY_SIZE = 16
MSIX_VECTOR_CTRL_MASK = 0x1
MSIX_MIN_ACCESS = 4  # bytes
#: QEMU's layout for an exclusive MSI-X BAR with up to 128 vectors: table at 0, PBA at 0x800.
MSIX_EXCLUSIVE_BAR_PBA_OFFSET = 0x800
MSIX_EXCLUSIVE_BAR_SIZE = 0x1000

LAPIC_MSI_BASE = 0xFEE00000


class Msix:
    def __init__(self, fn: PciFunction, n_vectors: int, bar_index: int,
                 lapic: LocalApic, pending_bits: bool = True) -> None:
        if not 1 <= n_vectors <= 2048:
            raise ValueError("The number of MSI-X vectors is invalid")
        self.fn = fn
        self.n_vectors = n_vectors
        self.lapic = lapic  # where MSI writes (address, data) go
        #: ivshmem-v2 has no pending concept: a masked vector's event is lost, the PBA reads 0
        self.pending_bits = pending_bits
        self.table = bytearray(n_vectors * MSIX_ENTRY_SIZE)
        pba_offset = max(MSIX_EXCLUSIVE_BAR_PBA_OFFSET, n_vectors * MSIX_ENTRY_SIZE)
        self.pba_offset = pba_offset
        self.pba = bytearray(((n_vectors + 63) // 64) * 8)
        self.bar_size = MSIX_EXCLUSIVE_BAR_SIZE
        while self.bar_size < pba_offset + len(self.pba):
            self.bar_size *= 2
        self._lock = threading.Lock()
        #: per vector, the CPU vector its message raises now, or None (MSI-X off, masked, or a
        #: message the local APIC ignores): the doorbell path reads only this; configuration
        #: and table writes recompute it.
        self._routes: list[int | None] = [None] * n_vectors
        for v in range(n_vectors):  # all vectors start masked
            self.table[v * MSIX_ENTRY_SIZE + 12] = MSIX_VECTOR_CTRL_MASK
        self.cap = fn.add_capability(PCI_CAP_ID_MSIX, MSIX_CAP_LENGTH)
        fn.put(self.cap + 2, 2, n_vectors - 1)
        fn.set_wmask(self.cap + 2, 2, MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASKALL)
        fn.put(self.cap + 4, 4, 0 | bar_index)  # table offset 0, BIR
        fn.put(self.cap + 8, 4, pba_offset | bar_index)
        fn.write_hooks.append(self._config_written)
        fn.add_bar(bar_index, self.bar_size, self)

    # -- state ------------------------------------------------------------------------------

    @property
    def control(self) -> int:
        return self.fn.get(self.cap + 2, 2)

    @property
    def enabled(self) -> bool:
        return bool(self.control & MSIX_CONTROL_ENABLE)

    def _masked(self, vector: int) -> bool:
        return bool(self.control & MSIX_CONTROL_MASKALL) or bool(
            self.table[vector * MSIX_ENTRY_SIZE + 12] & MSIX_VECTOR_CTRL_MASK)

    def pending(self, vector: int) -> bool:
        return bool(self.pba[vector // 8] & (1 << (vector % 8)))

    def _set_pending(self, vector: int, on: bool) -> None:
        if on:
            self.pba[vector // 8] |= 1 << (vector % 8)
        else:
            self.pba[vector // 8] &= ~(1 << (vector % 8)) & 0xFF

    def _message(self, vector: int) -> tuple[int, int]:
        e = vector * MSIX_ENTRY_SIZE
        return (int.from_bytes(self.table[e : e + 8], "little"),
                int.from_bytes(self.table[e + 8 : e + 12], "little"))

    def _send(self, vector: int) -> None:
        self.lapic.msi(*self._message(vector))

    # -- the device side -----------------------------------------------------------------------

    def notify(self, vector: int) -> None:
        """The device raises `vector` (called from the CPU's event loop)."""
        route = self._routes[vector] if vector < self.n_vectors else None
        if route is not None:
            self.lapic.raise_vector(route)
            return
        if vector >= self.n_vectors or not self.enabled:
            return  # dropped, as QEMU drops events while MSI-X is off
        with self._lock:
            if self._masked(vector):
                if self.pending_bits:
                    self._set_pending(vector, True)
                return
        self._send(vector)

    def _update_routes(self) -> None:
        """Recompute the per-vector messages; then send what became unmasked while pending."""
        fire = []
        with self._lock:
            enabled = self.enabled
            for v in range(self.n_vectors):
                if not enabled or self._masked(v):
                    self._routes[v] = None
                    continue
                self._routes[v] = self.lapic.route(*self._message(v))
                if self.pending(v):
                    self._set_pending(v, False)
                    fire.append(v)
        for v in fire:
            self._send(v)

    def _config_written(self, offset: int, size: int) -> None:
        if offset < self.cap + 4 and offset + size > self.cap + 2:
            self._update_routes()

    # -- the BAR (table and PBA) as a bus region ------------------------------------------------------

    # QEMU accepts only aligned 4- and 8-byte accesses to the table and the PBA: a byte or
    # word access is refused (reads 0, a store is dropped).

    def read(self, offset: int, size: int) -> int:
        return dword_read(self._read32, offset, size, MSIX_MIN_ACCESS)

    def _read32(self, offset: int) -> int:
        with self._lock:
            if offset + 4 <= len(self.table):
                return int.from_bytes(self.table[offset : offset + 4], "little")
            p = offset - self.pba_offset
            if 0 <= p and p + 4 <= len(self.pba):
                return int.from_bytes(self.pba[p : p + 4], "little")
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if offset + size > len(self.table):
            return  # the PBA is read-only
        dword_write(self._write32, offset, size, value, MSIX_MIN_ACCESS)
        self._update_routes()

    def _write32(self, offset: int, value: int) -> None:
        with self._lock:
            self.table[offset : offset + 4] = value.to_bytes(4, "little")

    def reset(self) -> None:
        for v in range(self.n_vectors):
            self.table[v * MSIX_ENTRY_SIZE + 12] = MSIX_VECTOR_CTRL_MASK
        self.pba[:] = bytes(len(self.pba))
        self._update_routes()


class LocalApic:
    """Turns MSI writes to 0xFEExxxxx into CPU interrupts (vector = data & 0xff)."""

    def __init__(self, raise_interrupt: Callable[[int], None]) -> None:
        #: raise_vector(v): interrupt the CPU with vector v
        self.raise_vector = raise_interrupt
        self.dropped = 0

    @staticmethod
    def route(address: int, data: int) -> int | None:
        """The CPU vector an MSI (address, data) raises, or None if it is not ours."""
        if address & 0xFFF00000 != LAPIC_MSI_BASE:
            return None
        return data & 0xFF

    def msi(self, address: int, data: int) -> None:
        vector = self.route(address, data)
        if vector is None:
            self.dropped += 1
            return
        self.raise_vector(vector)
