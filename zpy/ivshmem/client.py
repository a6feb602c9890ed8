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
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from zpy.errors import MachineError, ProtocolError
from zpy.ivshmem.protocol import (
    DEFAULT_SOCKET_PATH,
    IVSHMEM_PROTOCOL_VERSION,
    MAX_PEER_ID,
    MAX_VECTORS,
    SHM_MESSAGE,
    Message,
    MessageReader,
)

#: seconds a server may take to send version, ID and shared memory
DEFAULT_SETUP_TIMEOUT = 5.0

_ONE = struct.pack("=Q", 1)


class ServerUnreachable(MachineError):
    """connect() found no server on the socket path (the CLI client retries on this)."""


@dataclass(frozen=True, slots=True)
class PeerVector:
    """Peer `peer_id` announced its vector `vector` (vector 0 means it has just joined)."""

    peer_id: int
    vector: int
    fd: int


@dataclass(frozen=True, slots=True)
class OwnVector:
    """One of our own receive eventfds: watch `fd`; it becomes readable when rung."""

    vector: int
    fd: int


@dataclass(frozen=True, slots=True)
class PeerLeft:
    """Peer `peer_id` is gone; its eventfds are closed."""

    peer_id: int


@dataclass(frozen=True, slots=True)
class ServerGone:
    """The server closed the connection. Stop watching fileno(); the eventfds still work."""


@dataclass(frozen=True, slots=True)
class ProtocolFault:
    """The server sent something invalid after setup; it was ignored, as QEMU does."""

    message: str


PeerEvent = PeerVector | OwnVector | PeerLeft | ServerGone | ProtocolFault


class PeerConnection:
    """One peer's connection to an ivshmem server.

    ::

        conn = PeerConnection(max_vectors=2)
        conn.connect("/tmp/ivshmem_socket")
        conn.setup()                      # blocks until version, ID and shm arrived
        loop.register(conn.fileno())      # then: events = conn.handle_readable()
        conn.notify(peer_id, vector)

    :param max_vectors: vectors this peer has (QEMU's `vectors=`); fds beyond
        it for any one peer are refused and closed
    :param logger: where debug lines go (default: the `zpy.ivshmem.client` logger)
    """

    def __init__(self, max_vectors: int = MAX_VECTORS, logger: logging.Logger | None = None) -> None:
        if max_vectors < 1:
            raise MachineError(f"invalid number of vectors {max_vectors}: at least one is needed")
        self.max_vectors = max_vectors
        self.log = logger or logging.getLogger(__name__)
        self.socket_path: Path | None = None
        #: our peer ID, once setup() has read it
        self.own_id: int | None = None
        #: the shared memory fd and its size (fstat), once setup() is done
        self.shm_fd: int | None = None
        self.shm_size = 0
        #: other peers' eventfds (ring them), by ID in arrival order
        self.peers: dict[int, list[int]] = {}
        #: our own eventfds (watch them), in vector order
        self.own_vectors: list[int] = []
        self._sock: socket.socket | None = None
        self._reader: MessageReader | None = None
        self._server_gone = False
        self._setup_timeout = DEFAULT_SETUP_TIMEOUT

    def __enter__(self) -> PeerConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    # -- Setup ------------------------------------------------------------------------

    def connect(self, path: str | Path = DEFAULT_SOCKET_PATH,
                timeout: float | None = DEFAULT_SETUP_TIMEOUT) -> None:
        """Connect to the server's socket; raises ServerUnreachable if no server listens there."""
        if self._sock is not None:
            raise MachineError("already connected")
        self.socket_path = Path(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (OSError, TimeoutError) as e:
            sock.close()
            reason = e.strerror if isinstance(e, OSError) and e.strerror else "timed out"
            raise ServerUnreachable(f"cannot connect to ivshmem server {path}: {reason}") from e
        self._sock = sock
        self._reader = MessageReader(sock)
        self._server_gone = False

    def setup(self, timeout: float | None = DEFAULT_SETUP_TIMEOUT) -> None:
        """Read the greeting the way QEMU's device does during realize.

        Version 0 without fd, then our ID without fd, then any messages up to
        and including the shared memory (-1 with an fd). Raises ProtocolError
        naming the socket (and closes everything) if the server breaks the
        protocol, goes away, or says nothing for `timeout` seconds.
        """
        if self._sock is None:
            raise MachineError("not connected")
        deadline = None if timeout is None else time.monotonic() + timeout
        self._setup_timeout = timeout or 0.0
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

    def _receive_setup(self, deadline: float | None, what: str) -> Message:
        assert self._sock is not None and self._reader is not None
        while True:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._error(f"no answer from the server: {what} did not come "
                                      f"within {self._setup_timeout:g} s")
                self._sock.settimeout(remaining)
            try:
                msg = self._reader.receive()
            except TimeoutError:
                continue  # the deadline check above turns this into an error
            except EOFError as e:
                raise self._error(f"server closed the connection before sending {what}") from e
            except OSError as e:
                raise self._error(f"read from server failed: {e.strerror}") from e
            if msg is not None:
                return msg

    def _error(self, message: str) -> ProtocolError:
        return ProtocolError(message, filename=self.socket_path)

    # -- After setup ------------------------------------------------------------------

    def fileno(self) -> int:
        """The server socket, to watch for readability (until ServerGone)."""
        if self._sock is None:
            raise MachineError("not connected")
        return self._sock.fileno()

    @property
    def connected(self) -> bool:
        """True while the server is there."""
        return self._sock is not None and not self._server_gone

    def handle_readable(self) -> list[PeerEvent]:
        """Process every whole message available, without blocking; return what happened."""
        events: list[PeerEvent] = []
        if self._reader is None or self._server_gone:
            return events
        while True:
            try:
                msg = self._reader.receive()
            except (EOFError, OSError) as e:
                self._server_gone = True
                self.log.debug("%s: server gone (%s)", self.socket_path, e)
                events.append(ServerGone())
                return events
            if msg is None:
                return events
            event = self._process(msg)
            if event is not None:
                self.log.debug("%s: %s", self.socket_path, event)
                events.append(event)

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

    # -- Doorbell ---------------------------------------------------------------------

    def notify(self, peer_id: int, vector: int) -> bool:
        """Ring `vector` of `peer_id` (our own ID rings ourselves).

        Returns False, as QEMU silently does nothing, when the peer or the
        vector is unknown.
        """
        fds = self.own_vectors if peer_id == self.own_id else self.peers.get(peer_id)
        if fds is None or not 0 <= vector < len(fds):
            return False
        try:
            os.write(fds[vector], _ONE)
        except BlockingIOError:
            pass  # the counter is saturated: the peer has a notification pending anyway
        return True

    # -- Teardown ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the socket, the shared memory fd and every eventfd."""
        if self._reader is not None:
            self._reader.discard()
            self._reader = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._close_fd(self.shm_fd)
        self.shm_fd = None
        for fd in self.own_vectors:
            os.close(fd)
        self.own_vectors = []
        for fds in self.peers.values():
            for fd in fds:
                os.close(fd)
        self.peers = {}

    @staticmethod
    def _close_fd(fd: int | None) -> None:
        if fd is not None:
            os.close(fd)


def read_eventfd(fd: int) -> int:
    """Take the count of an eventfd (0 if it has not been rung since the last read)."""
    try:
        return os.eventfd_read(fd)
    except BlockingIOError:
        return 0
