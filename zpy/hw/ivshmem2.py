"""ivshmem-v2 (PCI 110a:4106): the Jailhouse specification, as QEMU's ivshmem2 RFC device.

Plugged with `-device ivshmem,chardev=ID` on an ivshmem-v2 server, which tells
the device its ID, the number of peers, vectors, the protocol and the output
section size (INIT), and hands out eventfds as the v1 server does.

Configuration space: class code FFh with the protocol in sub-class and prog-if,
a vendor-specific capability (state table size, R/W and output section sizes,
privileged control with one-shot mode), MSI-X (or INTx with a single vector
when there is none, `msi=off`). BAR0 registers (32-bit):

  0x00 ID                 read-only: our peer ID
  0x04 Maximum Peers      read-only
  0x08 Interrupt Control  bit 0 enables interrupt delivery (one-shot mode clears it)
  0x0C Doorbell           (peer << 16) | vector
  0x10 State              our state: a write that changes it is copied into our
                          state-table entry and interrupts every other peer on vector 0

BAR2 is the shared memory: state table, R/W section, one output section per
peer. Only the R/W section and our own output section can be mapped writable;
everything else is mapped read-only by the host (PROT_READ), so a guest write
there fails instead of being silently accepted.
"""

from __future__ import annotations

import select
import struct
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from zpy.errors import MachineError
from zpy.hw.bus import dword_read, dword_write
from zpy.hw.machine import Machine
from zpy.hw.memory import MemoryBackend, is_power_of_2
from zpy.hw.msix import Msix
from zpy.hw.pci import PciFunction
from zpy.hw.watch import Watch
from zpy.ivshmem_host.events import OwnVector, PeerLeft, ProtocolFault, ServerGone
from zpy.ivshmem_host.v2.client import V2PeerConnection
from zpy.ivshmem_host.v2.layout import V2Layout

IVSHMEM2_VENDOR_ID = 0x110A
IVSHMEM2_DEVICE_ID = 0x4106
IVSHMEM2_REVISION = 0
IVSHMEM2_REG_BAR_SIZE = 0x1000

REG_ID = 0x00
REG_MAX_PEERS = 0x04
REG_INT_CONTROL = 0x08
REG_DOORBELL = 0x0C
REG_STATE = 0x10

PCI_CAP_ID_VNDR = 0x09
VENDOR_CAP_LENGTH = 0x18
CAP_PRIV_CNTL = 0x03
CAP_STATE_TAB_SZ = 0x04
CAP_RW_SECTION_SZ = 0x08
CAP_OUTPUT_SECTION_SZ = 0x10
PRIV_CNTL_ONESHOT_INT = 0x01
INT_ENABLE = 0x01

#: how long the device waits at machine start for all of its own vectors (seconds)
OWN_VECTORS_TIMEOUT = 1.0


def writable(layout: V2Layout, own_id: int, offset: int, size: int) -> bool:
    """May peer `own_id` map [offset, offset+size) writable? Only the R/W section and its own
    output section."""
    end = offset + size
    own_offset, own_size = layout.output_section(own_id)
    return any(lo <= offset and end <= hi and lo < hi for lo, hi in (
        (layout.rw_offset, layout.rw_offset + layout.rw_size), (own_offset, own_offset + own_size)))


class _SharedMemory:
    """BAR2: loads and stores honour the layout's permissions; map() hands out views."""

    def __init__(self, backend: MemoryBackend, layout: V2Layout, own_id: int,
                 fault: Callable[[str], None]) -> None:
        self.backend = backend
        self.layout = layout
        self.own_id = own_id
        self._fault = fault

    def map(self, offset: int, size: int, want_writable: bool) -> memoryview:
        return self.backend.map(offset, size, want_writable and
                                writable(self.layout, self.own_id, offset, size))

    def read(self, offset: int, size: int) -> int:
        return self.backend.read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        if not writable(self.layout, self.own_id, offset, size):
            self._fault(f"write to read-only shared memory at offset {offset:#x}")
            return
        self.backend.write(offset, size, value)


class Ivshmem2:
    def __init__(self, machine: Machine, name: str, link: V2PeerConnection, *, msi: bool = True,
                 log: Callable[[str], None] | None = None) -> None:
        self.machine = machine
        self.name = name
        self.link = link
        self.log = log or machine.log
        self.msi = msi
        self.vectors = link.vectors if msi else 1
        self.int_control = 0
        self.state = 0
        self.server_gone = False
        self._registered: set[int] = set()
        #: who watches our doorbells (Machine.set_watch), else None
        self.watch: Watch | None = None

        if not is_power_of_2(link.shm_size):
            raise MachineError(f"{name}: shared memory size {link.shm_size:#x} is not a power "
                               "of two (QEMU maps BAR2 as one)")
        assert link.own_id is not None and link.shm_fd is not None, "setup() is done"
        self.own_id: int = link.own_id
        self.layout: V2Layout = link.layout  # checked by the connection's setup
        backend = MemoryBackend.from_fd(link.shm_fd, f"{name} shared memory")
        self.shm = backend
        # the device's own (hypervisor) view of the state table, which it writes
        self._state_table = backend.view[0 : self.layout.state_table_size]

        protocol = link.protocol & 0xFFFF
        fn = PciFunction(name, IVSHMEM2_VENDOR_ID, IVSHMEM2_DEVICE_ID, 0xFF0000 | protocol,
                         IVSHMEM2_REVISION, 0x1AF4, 0x1100, interrupt_pin=0 if msi else 1)
        cap = fn.add_capability(PCI_CAP_ID_VNDR, VENDOR_CAP_LENGTH)
        fn.put(cap + 2, 1, VENDOR_CAP_LENGTH)
        fn.set_wmask(cap + CAP_PRIV_CNTL, 1, PRIV_CNTL_ONESHOT_INT)
        fn.put(cap + CAP_STATE_TAB_SZ, 4, self.layout.state_table_size)
        fn.put(cap + CAP_RW_SECTION_SZ, 8, self.layout.rw_size)
        fn.put(cap + CAP_OUTPUT_SECTION_SZ, 8, self.layout.output_section_size)
        self.cap = cap
        fn.add_bar(0, IVSHMEM2_REG_BAR_SIZE, _Registers(self))
        self.msix: Msix | None = None
        if msi:
            self.msix = Msix(fn, self.vectors, 1, machine.lapic, pending_bits=False)
        fn.add_bar(2, backend.size, _SharedMemory(backend, self.layout, self.own_id, self._fault),
                   mem64=True, prefetch=True)
        self.fn = fn
        machine.pci.plug(fn)
        machine.on_close(self.close)
        machine.devices.append(self)
        self._await_own_vectors(OWN_VECTORS_TIMEOUT)
        machine.outside_sources.append(f"{name} on an ivshmem-v2 server")
        machine.cpu.add_source(link.fileno(), self._server_readable)
        self._watch_own_vectors()

    # -- interrupts in --------------------------------------------------------------------

    def _await_own_vectors(self, timeout: float) -> None:
        fd = self.link.fileno()
        deadline = time.monotonic() + timeout
        while len(self.link.own_vectors) < self.link.vectors and not self.server_gone:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if select.select([fd], [], [], remaining)[0]:
                self._server_readable(fd)

    def _watch_own_vectors(self) -> None:
        for vector, fd in enumerate(self.link.own_vectors):
            if fd not in self._registered:
                self._registered.add(fd)
                self.machine.cpu.add_source(fd, partial(self._vector_fired, vector), edge=True)

    def _vector_fired(self, vector: int, fd: int) -> None:
        watch = self.watch
        if watch is not None:
            watch.ring_received(self.name, vector)
        self.interrupt(vector)  # edge-triggered: one call per write, nothing to drain

    def interrupt(self, vector: int) -> None:
        """Deliver `vector` to our guest, if its interrupts are enabled (Interrupt Control)."""
        if not self.int_control & INT_ENABLE:
            return
        if self.fn.get(self.cap + CAP_PRIV_CNTL, 1) & PRIV_CNTL_ONESHOT_INT:
            self.int_control &= ~INT_ENABLE  # one-shot: the guest re-arms it
        if self.msix is not None:
            self.msix.notify(vector)
        elif vector == 0:
            self.machine.set_intx(self.fn, True)  # edge-like: a pulse
            self.machine.set_intx(self.fn, False)

    def _server_readable(self, fd: int) -> None:
        for event in self.link.handle_readable():
            if isinstance(event, OwnVector):
                self._watch_own_vectors()
            elif isinstance(event, PeerLeft):
                # the server zeroed its state-table entry: our guest sees a state change
                self.interrupt(0)
            elif isinstance(event, ServerGone):
                if not self.server_gone:
                    self.server_gone = True
                    self.log(f"{self.name}: lost the ivshmem-v2 server; peers keep ringing each "
                             "other with the eventfds they have")
                self.machine.cpu.remove_source(fd)
            elif isinstance(event, ProtocolFault):
                self.log(f"{self.name}: {event.message}")

    def _fault(self, message: str) -> None:
        self.log(f"{self.name}: {message} (refused)")

    # -- registers ------------------------------------------------------------------------------

    def read_reg(self, offset: int) -> int:
        if offset == REG_ID:
            return self.own_id
        if offset == REG_MAX_PEERS:
            return self.layout.max_peers
        if offset == REG_INT_CONTROL:
            return self.int_control
        if offset == REG_STATE:
            return self.state
        return 0

    def write_reg(self, offset: int, value: int) -> None:
        if offset == REG_DOORBELL:
            self.ring(value)
        elif offset == REG_INT_CONTROL:
            self.int_control = value & INT_ENABLE
        elif offset == REG_STATE:
            self.set_state(value)

    def ring(self, value: int) -> None:
        dest, vector = value >> 16, value & 0xFFFF
        if dest >= self.layout.max_peers:
            return
        watch = self.watch
        if watch is not None:
            watch.ring_sent(self.name, dest, vector)
        if not self.link.notify(dest, vector):
            self.link.notify(dest, vector & 0xFF)

    def set_state(self, value: int) -> None:
        """Our state: into the state table, and vector 0 of every other peer if it changed."""
        changed = value != self.state
        self.state = value
        struct.pack_into("=I", self._state_table, V2Layout.state_offset(self.own_id), value)
        if changed:
            watch = self.watch
            for peer in list(self.link.peers):
                if peer != self.own_id:
                    if watch is not None:
                        watch.ring_sent(self.name, peer, 0)
                    self.link.notify(peer, 0)

    # -- life cycle -------------------------------------------------------------------------------

    def close(self) -> None:
        cpu = self.machine.cpu
        for fd in self._registered:
            cpu.remove_source(fd)
        self._registered.clear()
        cpu.remove_source(self.link.fileno())
        self.link.close()
        self.fn.unmap_all()
        self._state_table.release()
        self.shm.close()


class _Registers:
    """BAR0: 32-bit registers with the RFC device's access rules (those of ivshmem v1)."""

    def __init__(self, dev: Ivshmem2) -> None:
        self._dev = dev

    def read(self, offset: int, size: int) -> int:
        return dword_read(self._dev.read_reg, offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        dword_write(self._write32, offset, size, value)

    def _write32(self, offset: int, value: int) -> None:
        self._dev.write_reg(offset & 0xFFC, value)


def plug_ivshmem2(machine: Machine, opt: Any, name: str, chardevs: dict[str, Any]) -> None:
    """`-device ivshmem,chardev=ID[,msi=off]`: the ivshmem2 RFC device on a v2 server."""
    from zpy.hw.plug import SERVER_SETUP_TIMEOUT, server_socket, unreachable
    from zpy.ivshmem_host.client import ServerUnreachable
    from zpy.ivshmem_host.v2.client import V2PeerConnection

    path = server_socket(opt, chardevs)
    try:
        link = V2PeerConnection.open(path, timeout=SERVER_SETUP_TIMEOUT)
    except ServerUnreachable as e:
        raise unreachable(path, e, f"zpy ivshmem2-server -F -S {path}") from e
    try:
        Ivshmem2(machine, name, link, msi=opt.flag("msi", True))
    except BaseException:
        link.close()
        raise
