"""Ivshmem2Server: the ivshmem-v2 server of QEMU's ivshmem2 RFC, made safe to leave running.

What is v2's own lives here; the queues that never lose a message, the loop
interface, the socket path and the shared memory object are PeerServer's,
shared with the v1 server (see zpy.ivshmem_host.peer_server). v2 differs from v1 in:

* Framed messages (zpy.ivshmem_host.v2.protocol): INIT with the shm fd, one
  EVENT_FD per eventfd, PEER_GONE without fd.
* A fixed number of peers. IDs are the lowest free one below `max_peers`, so
  they are reused: the state table is indexed by ID. A peer beyond
  `max_peers` is refused (one log line, its socket closed).
* The state table. The server maps the first 4 KiB of the shared memory,
  zeroes it at start, and zeroes a departed peer's entry *before* telling the
  others, so whoever hears PEER_GONE already reads 0 there.
* A 16-bit protocol number advertised to every peer. For virtio (0x8000 and
  up) there are exactly two peers: peer 0 is told the back-end value (bit 14
  set), the other the front-end value (bit 14 clear).

Message order for a newcomer N (each list in connection order, then vector
order): INIT to N; EVENT_FD(N, v) to every existing peer; EVENT_FD(P, v) to N
for every existing peer P; EVENT_FD(N, v) to N.
"""

from __future__ import annotations

import logging
import mmap
import socket
import struct
from pathlib import Path

from zpy.errors import MachineError
from zpy.ivshmem_host.listener import DEFAULT_BACKLOG
from zpy.ivshmem_host.peer_server import (
    DEFAULT_MAX_QUEUED,
    DEFAULT_STALL_TIMEOUT,
    Peer,
    PeerServer,
)
from zpy.ivshmem_host.protocol import (
    DEFAULT_SHM_NAME,
    DEFAULT_SHM_SIZE,
    DEFAULT_SOCKET_PATH,
    DEFAULT_VECTORS,
)
from zpy.ivshmem_host.server import check_vectors
from zpy.ivshmem_host.v2.layout import (
    STATE_TABLE_PEERS,
    STATE_TABLE_SIZE,
    V2Layout,
    check_output_section_size,
    check_shm_size,
)
from zpy.ivshmem_host.v2.protocol import EventFdMessage, InitMessage, PeerGoneMessage

#: the RFC server's default
DEFAULT_MAX_PEERS = 2
#: the spec's range for Maximum Peers (the 4 KiB state table allows 1024 of them)
MIN_PEERS = 2
MAX_PEERS = 65536
#: protocols from here up are virtio over shared memory (low 14 bits: the virtio device ID)
VIRTIO_PROTOCOL = 0x8000
#: set for the virtio back-end (0xC000 range), clear for the front-end (0x8000 range)
VIRTIO_BACKEND = 0x4000
MAX_PROTOCOL = 0xFFFF

_STATE = struct.Struct("=I")


class Ivshmem2Server(PeerServer):
    """An ivshmem-v2 server (library: no loop of its own, no sys.exit).

    Use as a context manager or call start()/close(); the loop interface is
    PeerServer's. Options are checked in the constructor, before anything is
    created.

    :param socket_path: the AF_UNIX path to listen on
    :param shm_name: a POSIX shm name (/dev/shm/NAME); ignored if shm_dir is given
    :param shm_dir: a directory for an unlinked shm file instead of a name
    :param shm_size: bytes; a power of two (QEMU's BAR2), at least the state table
    :param output_section_size: bytes of each peer's output section, whole pages
    :param max_peers: peers at once, 2..1024 (what the 4 KiB state table holds)
    :param vectors: eventfds per peer, 1..64
    :param protocol: the 16-bit protocol number advertised (virtio: see protocol_for)
    :param mode: permissions of the socket and shm object (default 0600)
    :param unlink_shm: remove /dev/shm/NAME on close
    :param max_queued: messages waiting for one peer before it is dropped
    :param stall_timeout: seconds a peer may leave its full socket unread
    :param name: a name for log lines, to tell servers apart
    :param logger: where to log (default: the `zpy.ivshmem_host.v2.server` logger)
    """

    def __init__(
        self,
        socket_path: str | Path = DEFAULT_SOCKET_PATH,
        *,
        shm_name: str = DEFAULT_SHM_NAME,
        shm_dir: str | Path | None = None,
        shm_size: int = DEFAULT_SHM_SIZE,
        output_section_size: int = 0,
        max_peers: int = DEFAULT_MAX_PEERS,
        vectors: int = DEFAULT_VECTORS,
        protocol: int = 0,
        mode: int | None = None,
        unlink_shm: bool = False,
        max_queued: int = DEFAULT_MAX_QUEUED,
        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
        backlog: int = DEFAULT_BACKLOG,
        name: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        check_max_peers(max_peers)
        check_vectors(vectors)
        check_protocol(protocol, max_peers)
        check_shm_size(shm_size)
        check_output_section_size(output_section_size)
        self.layout = V2Layout(shm_size, max_peers, output_section_size)
        super().__init__(socket_path, shm_name=shm_name, shm_dir=shm_dir, shm_size=shm_size,
                         mode=mode, unlink_shm=unlink_shm, max_queued=max_queued,
                         stall_timeout=stall_timeout, backlog=backlog, name=name,
                         logger=logger or logging.getLogger(__name__))
        self.max_peers = max_peers
        self.vectors = vectors
        self.protocol = protocol
        self.output_section_size = output_section_size
        self._state: mmap.mmap | None = None

    def __enter__(self) -> Ivshmem2Server:
        self.start()
        return self

    def _started(self) -> None:
        """Map the state table and clear it: entries of a previous run mean nothing now."""
        assert self.shm is not None
        try:
            self._state = mmap.mmap(self.shm.fd, STATE_TABLE_SIZE, mmap.MAP_SHARED,
                                    mmap.PROT_READ | mmap.PROT_WRITE)
        except OSError as e:
            raise MachineError(f"cannot map the state table of shared memory "
                               f"{self.shm.description}: {e.strerror}") from e
        self._state[:] = bytes(STATE_TABLE_SIZE)
        self.log.debug("listening on %s, shared memory %s (%d bytes), max %d peers, "
                       "%d vector(s) per peer, protocol %#06x; %s", self.socket_path,
                       self.shm.description, self.shm_size, self.max_peers, self.vectors,
                       self.protocol, self.layout.describe())

    def _stopping(self) -> None:
        if self._state is not None:
            self._state.close()
            self._state = None

    # -- Introspection ----------------------------------------------------------------

    def protocol_for(self, peer_id: int) -> int:
        """The protocol peer `peer_id` is told: for virtio, peer 0 is the back-end."""
        if self.protocol < VIRTIO_PROTOCOL:
            return self.protocol
        if peer_id == 0:
            return self.protocol | VIRTIO_BACKEND
        return self.protocol & ~VIRTIO_BACKEND

    def state(self, peer_id: int) -> int:
        """Peer `peer_id`'s state table entry, as the server's mapping shows it."""
        if self._state is None:
            raise MachineError("server not started")
        return int(_STATE.unpack_from(self._state, V2Layout.state_offset(peer_id))[0])

    # -- Peers arriving ---------------------------------------------------------------

    def _free_id(self) -> int | None:
        for peer_id in range(self.max_peers):
            if peer_id not in self._peers:
                return peer_id
        return None

    def _add_peer(self, sock: socket.socket) -> None:
        peer_id = self._free_id()
        if peer_id is None:
            self.log.warning("refusing a new peer: all %d peer IDs are in use (max peers %d)",
                             self.max_peers, self.max_peers)
            sock.close()
            return
        eventfds = self._eventfds_for(sock, self.vectors)
        if eventfds is None:
            return
        peer, others = self._admit(peer_id, sock, eventfds)

        assert self.shm is not None
        init = InitMessage(peer.id, self.max_peers, self.vectors, self.protocol_for(peer.id),
                           self.output_section_size)
        self._post(peer, init, init.encode(), self.shm.fd)
        announced = [EventFdMessage(peer.id, vector) for vector in range(self.vectors)]
        for other in others:
            for msg, fd in zip(announced, peer.eventfds, strict=True):
                self._post(other, msg, msg.encode(), fd)
        for other in others:
            for vector, fd in enumerate(other.eventfds):
                msg = EventFdMessage(other.id, vector)
                self._post(peer, msg, msg.encode(), fd)
        for msg, fd in zip(announced, peer.eventfds, strict=True):
            self._post(peer, msg, msg.encode(), fd)

    # -- Peers leaving ----------------------------------------------------------------

    def _tell_departure(self, peer: Peer) -> None:
        """Zero its state table entry first, then PEER_GONE to everyone left."""
        if self._state is not None:
            _STATE.pack_into(self._state, V2Layout.state_offset(peer.id), 0)
        msg = PeerGoneMessage(peer.id)
        wire = msg.encode()
        for other in self._peers.values():
            self._post(other, msg, wire)


def check_max_peers(max_peers: int) -> None:
    """Refuse a peer count outside the spec's 2..65536 or beyond the 4 KiB state table."""
    if max_peers < MIN_PEERS:
        raise MachineError(f"invalid max peers {max_peers}: at least {MIN_PEERS} "
                           "(a peer and one to talk to)")
    if max_peers > MAX_PEERS:
        raise MachineError(f"invalid max peers {max_peers}: at most {MAX_PEERS} "
                           "(peer IDs are 16 bits)")
    if max_peers > STATE_TABLE_PEERS:
        raise MachineError(f"max peers {max_peers} do not fit the state table: its "
                           f"{STATE_TABLE_SIZE} bytes hold one 4-byte entry per peer, "
                           f"{STATE_TABLE_PEERS} peers at most")


def check_protocol(protocol: int, max_peers: int) -> None:
    """Refuse a protocol that is not 16 bits, or virtio with more than two peers."""
    if not 0 <= protocol <= MAX_PROTOCOL:
        raise MachineError(f"invalid protocol {protocol:#x}: a 16-bit value is expected "
                           f"(0 to {MAX_PROTOCOL:#x})")
    if protocol >= VIRTIO_PROTOCOL and max_peers > 2:
        raise MachineError(f"protocol {protocol:#06x} is virtio (0x8000 and up), which links "
                           f"one front-end to one back-end: max peers must be 2, not "
                           f"{max_peers}", hint="use -n 2")
