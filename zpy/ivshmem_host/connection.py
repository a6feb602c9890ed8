"""ServerConnection: what a peer's side of the two ivshmem protocols shares.

Whatever the wire format, a peer connects to the server's socket, reads a
greeting synchronously (as QEMU's devices do while they are realized), then
keeps reading asynchronously from an embedding event loop: other peers'
eventfds, its own, departures. It rings vector v of peer P by writing the
8-byte native-endian value 1 to P's v-th eventfd, and is rung when one of its
own eventfds becomes readable. Errors after setup are reported, not fatal, and
a server that goes away is reported once (the eventfds keep working).

The subclasses, `zpy.ivshmem_host.client.PeerConnection` (v1) and
`zpy.ivshmem_host.v2.client.V2PeerConnection`, add the greeting and the meaning of
each message.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import time
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from zpy.errors import MachineError, ProtocolError
from zpy.ivshmem_host.events import PeerEvent, ProtocolFault, ServerGone
from zpy.ivshmem_host.protocol import DEFAULT_SOCKET_PATH

#: seconds a server may take to send its greeting
DEFAULT_SETUP_TIMEOUT = 5.0

_ONE = struct.pack("=Q", 1)

M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)


class ServerUnreachable(MachineError):
    """connect() found no server on the socket path (the CLI client retries on this)."""


class Reader(Protocol[M_co]):
    """A protocol's message reader (a zpy.ivshmem_host.fdio.FramedReader)."""

    def receive(self) -> M_co | None: ...

    def discard(self) -> None: ...


class ServerConnection(Generic[M]):
    """One peer's connection to an ivshmem server; subclasses speak a protocol version.

    :param logger: where debug lines go
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.log = logger
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
        self._reader: Reader[M] | None = None
        self._server_gone = False
        self._setup_timeout = DEFAULT_SETUP_TIMEOUT

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- What subclasses provide ------------------------------------------------------

    def _new_reader(self, sock: socket.socket) -> Reader[M]:
        raise NotImplementedError

    def _process(self, msg: M) -> PeerEvent | None:
        """Apply one message received after setup; a fault leaves the state unchanged."""
        raise NotImplementedError

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
        self._reader = self._new_reader(sock)
        self._server_gone = False

    def _deadline(self, timeout: float | None) -> float | None:
        if self._sock is None:
            raise MachineError("not connected")
        self._setup_timeout = timeout or 0.0
        return None if timeout is None else time.monotonic() + timeout

    def _receive_setup(self, deadline: float | None, what: str) -> M:
        """The next message of the greeting, on the blocking socket, before `deadline`."""
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
            except ProtocolError as e:
                raise self._error(e.message) from e
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
            except ProtocolError as e:
                # the stream cannot be followed past this point: hang up, so that the
                # server forgets us too, and report it like a lost server
                events.append(ProtocolFault(e.message))
                self._hang_up()
                events.append(ServerGone())
                return events
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

    def _hang_up(self) -> None:
        self._server_gone = True
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

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
