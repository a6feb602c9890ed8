"""PeerConnection: the peer side of the ivshmem protocol, as QEMU's ivshmem-doorbell does it.

A peer connects to the server, reads its greeting synchronously (version 0, its
ID, the shared memory fd), then keeps reading asynchronously: other peers'
eventfds as they join (one message per vector, in vector order), its own
receive eventfds, and departures. It rings vector v of peer P by writing the
8-byte native-endian value 1 to P's v-th eventfd, and is rung when one of its
own eventfds becomes readable.

The class is built for an embedding event loop (zpy's emulated device registers
`fileno()` and the own eventfds in its own epoll): handle_readable() never
blocks and returns what happened as events. It follows QEMU's device where the
two differ from QEMU's ivshmem-client: errors after setup are reported and the
connection stays open, a departure of an unknown peer is ignored, and a server
that goes away is reported once (the eventfds already received keep working).
The error texts are QEMU's, so logs read the same.

Connecting, the doorbell, teardown and the event classes are shared with the v2
peer (`zpy.ivshmem_host.connection`, `zpy.ivshmem_host.events`); this module is v1's
greeting and the meaning of v1's messages.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from zpy.errors import MachineError
from zpy.ivshmem_host.connection import (
    DEFAULT_SETUP_TIMEOUT,
    ServerConnection,
    ServerUnreachable,
    read_eventfd,
)
from zpy.ivshmem_host.events import (
    OwnVector,
    PeerEvent,
    PeerLeft,
    PeerVector,
    ProtocolFault,
    ServerGone,
)
from zpy.ivshmem_host.protocol import (
    DEFAULT_SOCKET_PATH,
    IVSHMEM_PROTOCOL_VERSION,
    MAX_PEER_ID,
    MAX_VECTORS,
    SHM_MESSAGE,
    Message,
    MessageReader,
)

__all__ = [
    "DEFAULT_SETUP_TIMEOUT", "OwnVector", "PeerConnection", "PeerEvent", "PeerLeft",
    "PeerVector", "ProtocolFault", "ServerGone", "ServerUnreachable", "read_eventfd",
]


class PeerConnection(ServerConnection[Message]):
    """One peer's connection to an ivshmem server.

    ::

        conn = PeerConnection(max_vectors=2)
        conn.connect("/tmp/ivshmem_socket")
        conn.setup()                      # blocks until version, ID and shm arrived
        loop.register(conn.fileno())      # then: events = conn.handle_readable()
        conn.notify(peer_id, vector)

    :param max_vectors: vectors this peer has (QEMU's `vectors=`); fds beyond
        it for any one peer are refused and closed
    :param logger: where debug lines go (default: the `zpy.ivshmem_host.client` logger)
    """

    def __init__(self, max_vectors: int = MAX_VECTORS, logger: logging.Logger | None = None) -> None:
        if max_vectors < 1:
            raise MachineError(f"invalid number of vectors {max_vectors}: at least one is needed")
        super().__init__(logger or logging.getLogger(__name__))
        self.max_vectors = max_vectors

    def __enter__(self) -> PeerConnection:
        return self

    @classmethod
    def open(cls, path: str | Path = DEFAULT_SOCKET_PATH, max_vectors: int = MAX_VECTORS,
             timeout: float | None = DEFAULT_SETUP_TIMEOUT,
             logger: logging.Logger | None = None) -> PeerConnection:
        """connect() and setup() in one call."""
        conn = cls(max_vectors, logger)
        try:
            conn.connect(path, timeout)
            conn.setup(timeout)
        except BaseException:
            conn.close()
            raise
        return conn

    def _new_reader(self, sock: socket.socket) -> MessageReader:
        return MessageReader(sock)

    # -- Setup ------------------------------------------------------------------------

    def setup(self, timeout: float | None = DEFAULT_SETUP_TIMEOUT) -> None:
        """Read the greeting the way QEMU's device does during realize.

        Version 0 without fd, then our ID without fd, then any messages up to
        and including the shared memory (-1 with an fd). Raises ProtocolError
        naming the socket (and closes everything) if the server breaks the
        protocol, goes away, or says nothing for `timeout` seconds.
        """
        deadline = self._deadline(timeout)
        assert self._sock is not None
        try:
            msg = self._receive_setup(deadline, "the version message")
            if msg.value != IVSHMEM_PROTOCOL_VERSION:
                self._close_fd(msg.fd)
                raise self._error(f"server sent version {msg.value}, "
                                  f"expecting {IVSHMEM_PROTOCOL_VERSION}")
            if msg.fd is not None:
                self._close_fd(msg.fd)
                raise self._error("server sent invalid version message")
            msg = self._receive_setup(deadline, "our ID")
            if msg.fd is not None or not 0 <= msg.value <= MAX_PEER_ID:
                self._close_fd(msg.fd)
                raise self._error("server sent invalid ID message")
            self.own_id = msg.value
            while self.shm_fd is None:
                msg = self._receive_setup(deadline, "the shared memory")
                if msg.fd is not None and msg.value == self.own_id:
                    # QEMU would crash here: its vectors are not set up before the shm.
                    self._close_fd(msg.fd)
                    raise self._error("server sent an eventfd for our own ID before the "
                                      "shared memory")
                event = self._process(msg)
                if isinstance(event, ProtocolFault):
                    raise self._error(event.message)
        except BaseException:
            self.close()
            raise
        self._sock.setblocking(False)
        self.log.debug("%s: setup done: our ID is %d, shared memory %d bytes",
                       self.socket_path, self.own_id, self.shm_size)

    # -- After setup ------------------------------------------------------------------

    def _process(self, msg: Message) -> PeerEvent | None:
        """Apply one message, as QEMU's process_msg() does; a fault leaves the state unchanged."""
        value, fd = msg.value, msg.fd
        if value < SHM_MESSAGE or value > MAX_PEER_ID:
            self._close_fd(fd)
            return ProtocolFault(f"server sent invalid message {value}")
        if value == SHM_MESSAGE:
            return self._process_shm(fd)
        if fd is None:
            if value == self.own_id:
                return ProtocolFault(f"invalid peer {value}")
            fds = self.peers.pop(value, None)
            if fds is None:
                return None  # QEMU ignores the departure of a peer it never heard of
            for peer_fd in fds:
                os.close(peer_fd)
            return PeerLeft(value)
        vectors = self.own_vectors if value == self.own_id else self.peers.setdefault(value, [])
        if len(vectors) >= self.max_vectors:
            os.close(fd)
            return ProtocolFault(f"Too many eventfd received, device has {self.max_vectors} vectors")
        vectors.append(fd)
        if value == self.own_id:
            return OwnVector(len(vectors) - 1, fd)
        return PeerVector(value, len(vectors) - 1, fd)

    def _process_shm(self, fd: int | None) -> ProtocolFault | None:
        if fd is None:
            return ProtocolFault("server didn't provide fd with shared memory message")
        if self.shm_fd is not None:
            os.close(fd)
            return ProtocolFault("server sent unexpected shared memory message")
        try:
            size = os.fstat(fd).st_size
        except OSError as e:
            os.close(fd)
            return ProtocolFault(f"can't determine size of shared memory sent by server: {e.strerror}")
        self.shm_fd, self.shm_size = fd, size
        return None
