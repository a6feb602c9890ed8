"""QEMU's ivshmem v1 device (PCI 1af4:1110): ivshmem-plain and ivshmem-doorbell.

BAR0 holds four 32-bit registers with QEMU's semantics:
  0x00 IntrMask    read/write
  0x04 IntrStatus  read/write; a read returns it and clears it
  0x08 IVPosition  read-only: our peer ID (0 for ivshmem-plain)
  0x0C Doorbell    write-only: (peer << 16) | vector rings that peer's vector
BAR1 is the MSI-X table and PBA (doorbell, msi=on); BAR2 the shared memory
(64-bit, prefetchable, a power of two in size), backed by a memory-backend-file
(plain) or by the shared memory the ivshmem server sent (doorbell).

Our own vectors are the eventfds the server gave us: when a peer writes one, the
CPU's event loop calls us and we notify MSI-X vector v (or, with msi=off, set
IntrStatus and raise INTx as QEMU's legacy device did).
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from zpy.errors import MachineError
from zpy.hw.bus import dword_read, dword_write
from zpy.hw.machine import Machine
from zpy.hw.memory import MemoryBackend, is_power_of_2
from zpy.hw.msix import Msix
from zpy.hw.pci import PciFunction
from zpy.hw.watch import Watch

IVSHMEM_VENDOR_ID = 0x1AF4
IVSHMEM_DEVICE_ID = 0x1110
IVSHMEM_CLASS_CODE = 0x050000  # memory controller, RAM
IVSHMEM_REVISION = 1
IVSHMEM_REG_BAR_SIZE = 0x100

INTRMASK = 0x00
INTRSTATUS = 0x04
IVPOSITION = 0x08
DOORBELL = 0x0C

#: How long a doorbell device waits, at machine start, for the server to send all of its
#: own vectors (seconds).
OWN_VECTORS_TIMEOUT = 1.0


class PeerLink(Protocol):
    """What the device needs from its connection to an ivshmem server (zpy.ivshmem_host.client)."""

    own_id: int | None
    shm_fd: int | None
    own_vectors: list[int]

    def fileno(self) -> int: ...

    def handle_readable(self) -> list[Any]: ...

    def notify(self, peer_id: int, vector: int) -> bool: ...

    def close(self) -> None: ...


class IvshmemV1:
    def __init__(self, machine: Machine, name: str, *, memdev: MemoryBackend | None = None,
                 link: PeerLink | None = None, vectors: int = 1, msi: bool = True,
                 ioeventfd: bool = True, log: Callable[[str], None] | None = None) -> None:
        self.machine = machine
        self.name = name
        self.link = link
        self.doorbell = link is not None
        self.vectors = vectors
        self.msi = msi
        self.ioeventfd = ioeventfd
        self.log = log or machine.log
        self.intr_mask = 0
        self.intr_status = 0
        self.vm_id = (link.own_id or 0) if link is not None else 0
        self._registered: set[int] = set()
        self._dropped_dests: set[int] = set()
        self.server_gone = False
        #: who watches our doorbells (Machine.set_watch), else None
        self.watch: Watch | None = None

        if link is not None:
            assert link.shm_fd is not None, "the link's setup() received the shared memory"
            backend = MemoryBackend.from_fd(link.shm_fd, f"{name} shared memory")
        elif memdev is not None:
            backend = memdev
        else:
            raise MachineError("You must specify a 'memdev'")
        if not is_power_of_2(backend.size):
            raise MachineError(
                f"{name}: shared memory size {backend.size:#x} is not a power of two (QEMU's "
                "device aborts on such a BAR); use a power-of-two size such as 4M")
        self.shm = backend

        pin = 1 if (self.doorbell and not msi) else 0
        fn = PciFunction(name, IVSHMEM_VENDOR_ID, IVSHMEM_DEVICE_ID, IVSHMEM_CLASS_CODE,
                         IVSHMEM_REVISION, 0x1AF4, 0x1100, interrupt_pin=pin)
        fn.add_bar(0, IVSHMEM_REG_BAR_SIZE, _Registers(self))
        self.msix: Msix | None = None
        if self.doorbell and msi:
            self.msix = Msix(fn, vectors, 1, machine.lapic)
        fn.add_bar(2, backend.size, backend, mem64=True, prefetch=True)
        self.fn = fn
        machine.pci.plug(fn)
        machine.on_close(self.close)
        machine.devices.append(self)

        if link is not None:
            machine.outside_sources.append(f"{name} on an ivshmem server")
            self._await_own_vectors(OWN_VECTORS_TIMEOUT)
            machine.cpu.add_source(link.fileno(), self._server_readable)
            self._watch_own_vectors()

    # -- interrupts in ----------------------------------------------------------------------

    def _await_own_vectors(self, timeout: float) -> None:
        """Finish setup before the guest runs: the server sends our own eventfds last, after
        every other peer's, so once we have all `vectors` of ours we know every peer and can
        ring any of them. (QEMU's device processes these asynchronously, so a guest that rings
        a peer right after boot can find it unknown.) A server with fewer vectors than the
        device gets a warning: the missing vectors stay dead, as on QEMU."""
        assert self.link is not None
        fd = self.link.fileno()
        deadline = time.monotonic() + timeout
        while len(self.link.own_vectors) < self.vectors and not self.server_gone:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.log(f"{self.name}: the server gave {len(self.link.own_vectors)} of "
                         f"{self.vectors} vectors (is its -n smaller than vectors={self.vectors}?); "
                         "the missing ones stay dead")
                return
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                self._server_readable(fd)

    def _watch_own_vectors(self) -> None:
        assert self.link is not None
        for vector, fd in enumerate(self.link.own_vectors):
            if fd not in self._registered:
                self._registered.add(fd)
                self.machine.cpu.add_source(fd, partial(self._vector_fired, vector), edge=True)

    def _vector_fired(self, vector: int, fd: int) -> None:
        # edge-triggered: one call per write, no need to drain the counter
        watch = self.watch
        if watch is not None:
            watch.ring_received(self.name, vector)
        if self.msix is not None:
            self.msix.notify(vector)
        elif self.doorbell:  # msi=off: QEMU's legacy INTx behaviour
            self.intr_status = 1
            self._update_intx()

    def _update_intx(self) -> None:
        level = (self.intr_status & self.intr_mask) != 0
        self.machine.set_intx(self.fn, level)

    def _server_readable(self, fd: int) -> None:
        assert self.link is not None
        from zpy.ivshmem_host.client import OwnVector, ProtocolFault, ServerGone

        for event in self.link.handle_readable():
            if isinstance(event, OwnVector):
                self._watch_own_vectors()
            elif isinstance(event, ServerGone):
                if not self.server_gone:
                    self.server_gone = True
                    self.log(f"{self.name}: lost the ivshmem server; peers keep ringing each "
                             "other with the eventfds they have")
                self.machine.cpu.remove_source(fd)
            elif isinstance(event, ProtocolFault):
                self.log(f"{self.name}: {event.message}")

    # -- registers ---------------------------------------------------------------------------

    def read_reg(self, offset: int) -> int:
        if offset == INTRMASK:
            return self.intr_mask
        if offset == INTRSTATUS:
            value = self.intr_status
            self.intr_status = 0
            if value:
                self._update_intx()
            return value
        if offset == IVPOSITION:
            return self.vm_id
        return 0

    def write_reg(self, offset: int, value: int) -> None:
        if offset == DOORBELL:
            self.ring(value)
        elif offset == INTRMASK:
            self.intr_mask = value
            self._update_intx()
        elif offset == INTRSTATUS:
            self.intr_status = value
            self._update_intx()

    def ring(self, value: int) -> None:
        """A Doorbell write: (peer << 16) | vector, as QEMU decodes it."""
        link = self.link
        if link is None:
            return
        dest = value >> 16
        vector = value & 0xFFFF
        watch = self.watch
        if watch is not None:
            watch.ring_sent(self.name, dest, vector)
        # With ioeventfd (QEMU's default) an exact (peer << 16 | vector) value rings that
        # vector; QEMU's slow path only looks at the low 8 bits.
        if self.ioeventfd and link.notify(dest, vector):
            return
        if (vector & 0xFF) != vector or not self.ioeventfd:
            if link.notify(dest, vector & 0xFF):
                return
        if dest not in self._dropped_dests:
            self._dropped_dests.add(dest)
            self.log(f"{self.name}: doorbell to peer {dest} vector {vector} dropped: no such "
                     "peer or vector (later drops to that peer are not logged)")

    def close(self) -> None:
        cpu = self.machine.cpu
        for fd in self._registered:
            cpu.remove_source(fd)
        self._registered.clear()
        if self.link is not None:
            cpu.remove_source(self.link.fileno())
            self.link.close()
        self.fn.unmap_all()
        self.shm.close()


class _Registers:
    """BAR0: 32-bit registers, accessed as QEMU's device is: a read at an address inside a
    register reads 0, a write lands on the register holding the address (QEMU masks it)."""

    def __init__(self, dev: IvshmemV1) -> None:
        self._dev = dev
        self._ring = dev.ring

    def read(self, offset: int, size: int) -> int:
        return dword_read(self._dev.read_reg, offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        if size == 4 and offset == DOORBELL:  # the hot path: straight to the doorbell
            self._ring(value)
        else:
            dword_write(self._write32, offset, size, value)

    def _write32(self, offset: int, value: int) -> None:
        self._dev.write_reg(offset & 0xFC, value)
