"""V2PeerConnection: the peer side of the ivshmem-v2 protocol, as QEMU's ivshmem2 RFC device does it.

A v2 peer connects, reads INIT synchronously (its ID, the number of peers and
vectors, the protocol, the output section size, with the shared memory fd),
then reads EVENT_FD and PEER_GONE messages asynchronously from its owner's
event loop. The checks and their wording follow the RFC device, so a zpy VM
refuses what QEMU refuses. Everything not v2-specific (connecting, the
doorbell, teardown, the event classes) is shared with the v1 peer
(zpy.ivshmem_host.connection, zpy.ivshmem_host.events).

On PEER_GONE, QEMU's device also rings its own vector 0, so that the guest
sees a state change; that is the device model's business, not this class's:
it reports `PeerLeft` and the device does the kick.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from zpy.errors import MachineError, ProtocolError
from zpy.ivshmem_host.connection import DEFAULT_SETUP_TIMEOUT, ServerConnection
from zpy.ivshmem_host.events import OwnVector, PeerEvent, PeerLeft, PeerVector, ProtocolFault
from zpy.ivshmem_host.protocol import DEFAULT_SOCKET_PATH
from zpy.ivshmem_host.v2.layout import V2Layout
from zpy.ivshmem_host.v2.protocol import (
    MAX_PEER_ID,
    MSG_INIT,
    PROTOCOL_VERSION,
    EventFdMessage,
    Frame,
    FrameReader,
    InitMessage,
    PeerGoneMessage,
    decode,
)

#: the vectors QEMU's ivshmem2 device accepts in INIT
MIN_DEVICE_VECTORS = 1
MAX_DEVICE_VECTORS = 1024


class V2PeerConnection(ServerConnection[Frame]):
    """One peer's connection to an ivshmem-v2 server.

    ::

        conn = V2PeerConnection.open("/tmp/ivshmem_socket")   # INIT read and checked
        conn.own_id, conn.max_peers, conn.vectors, conn.protocol, conn.layout
        loop.register(conn.fileno())          # then: events = conn.handle_readable()
        conn.notify(peer_id, vector)

    :param logger: where debug lines go (default: the `zpy.ivshmem_host.v2.client` logger)
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        super().__init__(logger or logging.getLogger(__name__))
        #: what INIT said (0 until setup() is done)
        self.max_peers = 0
        self.vectors = 0
        self.protocol = 0
        self.output_section_size = 0
        #: the server's own protocol version (its compatible version is 2)
        self.server_version = 0

    def __enter__(self) -> V2PeerConnection:
        return self

    @classmethod
    def open(cls, path: str | Path = DEFAULT_SOCKET_PATH,
             timeout: float | None = DEFAULT_SETUP_TIMEOUT,
             logger: logging.Logger | None = None) -> V2PeerConnection:
        """connect() and setup() in one call; raises ServerUnreachable or ProtocolError."""
        conn = cls(logger)
        try:
            conn.connect(path, timeout)
            conn.setup(timeout)
        except BaseException:
            conn.close()
            raise
        return conn

    def _new_reader(self, sock: socket.socket) -> FrameReader:
        return FrameReader(sock)

    @property
    def layout(self) -> V2Layout:
        """The sections of the shared memory (checked by setup())."""
        return V2Layout(self.shm_size, self.max_peers, self.output_section_size)

    # -- Setup ------------------------------------------------------------------------

    def setup(self, timeout: float | None = DEFAULT_SETUP_TIMEOUT) -> None:
        """Read INIT the way QEMU's ivshmem2 device does while it is realized.

        Raises ProtocolError naming the socket (and closes everything) if the
        first message is not a valid INIT with the shared memory, if the server
        goes away, or if it says nothing for `timeout` seconds.
        """
        deadline = self._deadline(timeout)
        assert self._sock is not None
        fd: int | None = None
        try:
            frame = self._receive_setup(deadline, "the INIT message")
            fd = frame.fd
            if frame.type != MSG_INIT:
                raise self._error(f"server sent message type {frame.type}, expecting INIT "
                                  f"(type {MSG_INIT})")
            try:
                init = decode(frame)
            except ProtocolError as e:
                raise self._error(e.message) from None
            assert isinstance(init, InitMessage)
            self._check_init(init, fd)
            assert fd is not None
            try:
                size = os.fstat(fd).st_size
            except OSError as e:
                raise self._error("can't determine size of shared memory sent by server: "
                                  f"{e.strerror}") from e
            try:
                V2Layout(size, init.max_peers, init.output_section_size)
            except MachineError as e:
                raise self._error(e.message) from None
            self.own_id, self.max_peers, self.vectors = init.id, init.max_peers, init.vectors
            self.protocol, self.output_section_size = init.protocol, init.output_section_size
            self.server_version = init.version
            self.shm_fd, self.shm_size = fd, size
            fd = None
        except BaseException:
            self._close_fd(fd)
            self.close()
            raise
        self._sock.setblocking(False)
        self.log.debug("%s: setup done: our ID is %d of %d, %d vectors, protocol %#06x, "
                       "shared memory %d bytes (%s)", self.socket_path, self.own_id,
                       self.max_peers, self.vectors, self.protocol, self.shm_size,
                       self.layout.describe())

    def _check_init(self, init: InitMessage, fd: int | None) -> None:
        if init.compatible_version != PROTOCOL_VERSION:
            raise self._error(f"server sent compatible version {init.compatible_version}, "
                              f"expecting {PROTOCOL_VERSION}")
        if init.id > MAX_PEER_ID:
            raise self._error(f"server sent invalid ID {init.id} (at most {MAX_PEER_ID})")
        if not MIN_DEVICE_VECTORS <= init.vectors <= MAX_DEVICE_VECTORS:
            raise self._error(f"server sent invalid number of vectors {init.vectors} "
                              f"(expecting {MIN_DEVICE_VECTORS} to {MAX_DEVICE_VECTORS})")
        if fd is None:
            raise self._error("server didn't provide fd with INIT message")

    # -- After setup ------------------------------------------------------------------

    def _process(self, msg: Frame) -> PeerEvent | None:
        """Apply one message received after setup; a fault leaves the state unchanged."""
        try:
            decoded = decode(msg)
        except ProtocolError as e:
            self._close_fd(msg.fd)
            return ProtocolFault(e.message)
        if isinstance(decoded, EventFdMessage):
            return self._process_event_fd(decoded, msg.fd)
        self._close_fd(msg.fd)  # neither INIT after setup nor PEER_GONE may keep an fd
        if isinstance(decoded, PeerGoneMessage):
            return self._process_peer_gone(decoded.id)
        return ProtocolFault("server sent unexpected INIT message")

    def _process_event_fd(self, msg: EventFdMessage, fd: int | None) -> PeerEvent:
        if fd is None:
            return ProtocolFault(f"server didn't provide fd with EVENT_FD message "
                                 f"(peer {msg.id}, vector {msg.vector})")
        if msg.id >= self.max_peers or msg.id > MAX_PEER_ID:
            os.close(fd)
            return ProtocolFault(f"invalid peer {msg.id} (max peers {self.max_peers})")
        own = msg.id == self.own_id
        vectors = self.own_vectors if own else self.peers.get(msg.id, [])
        if msg.vector != len(vectors):
            os.close(fd)
            return ProtocolFault(f"Received vector {msg.vector} out of order")
        if msg.vector >= self.vectors:
            os.close(fd)
            return ProtocolFault(f"Too many eventfd received, device has {self.vectors} vectors")
        vectors.append(fd)
        if own:
            return OwnVector(msg.vector, fd)
        self.peers[msg.id] = vectors
        return PeerVector(msg.id, msg.vector, fd)

    def _process_peer_gone(self, peer_id: int) -> PeerEvent | None:
        if peer_id == self.own_id:
            return ProtocolFault(f"invalid peer {peer_id}")
        fds = self.peers.pop(peer_id, None)
        if fds is None:
            return None  # a peer never heard of: nothing to forget
        for fd in fds:
            os.close(fd)
        return PeerLeft(peer_id)
