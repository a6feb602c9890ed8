"""IvshmemServer: QEMU's ivshmem-server, made safe to leave running.

The server hands every peer (a QEMU ivshmem-doorbell device, an
ivshmem-client, zpy's emulated device) the shared memory fd, gives each peer N
eventfds, one per vector, and tells every peer about every other one, in the
order QEMU's own server uses (see `IvshmemServer.handle_ready`). It differs from
QEMU's example server where that one is fragile:

* No message is ever lost. Peer sockets are non-blocking; what a full socket
  refuses waits in that peer's queue (holding the fd it carries open, even if
  its owner leaves) and goes out when the socket drains. A peer
  that stops reading is dropped once its queue passes `max_queued` messages or
  has made no progress for `stall_timeout` seconds; the others never wait.
* IDs are never reused (QEMU's device corrupts its heap when a departed ID comes
  back). After ID 65535 new peers are refused.
* The socket and a new shm object are owner-only unless `mode` says otherwise;
  a live server on the same path is detected, a stale socket file is replaced.

The queues, the loop interface (`interest()`, `handle_ready()`,
`handle_timeouts()`, `serve()`), the socket path and the shared memory are
`zpy.ivshmem_host.peer_server.PeerServer`'s, shared with the v2 server; this module
is what is v1's own: the 8-byte messages, the ID rule and the message order.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from zpy.errors import MachineError
from zpy.ivshmem_host.listener import DEFAULT_BACKLOG, DEFAULT_MODE, MAX_SOCKET_PATH
from zpy.ivshmem_host.peer_server import (
    DEFAULT_MAX_QUEUED,
    DEFAULT_STALL_TIMEOUT,
    READ,
    WRITE,
    Peer,
    PeerServer,
)
from zpy.ivshmem_host.protocol import (
    DEFAULT_SHM_NAME,
    DEFAULT_SHM_SIZE,
    DEFAULT_SOCKET_PATH,
    DEFAULT_VECTORS,
    IVSHMEM_PROTOCOL_VERSION,
    MAX_PEER_ID,
    MAX_VECTORS,
    SHM_MESSAGE,
    encode,
)
from zpy.ivshmem_host.shm import check_shm_size

__all__ = [
    "DEFAULT_BACKLOG", "DEFAULT_MAX_QUEUED", "DEFAULT_MODE", "DEFAULT_STALL_TIMEOUT",
    "MAX_SOCKET_PATH", "READ", "WRITE", "IvshmemServer", "check_vectors",
]


class IvshmemServer(PeerServer):
    """A QEMU-compatible ivshmem server (library: no loop of its own, no sys.exit).

    Use as a context manager (start() on enter, close() on exit) or call
    start()/close(). Options are checked in the constructor so that bad ones
    fail before anything is created.

    :param socket_path: the AF_UNIX path to listen on
    :param shm_name: a POSIX shm name (/dev/shm/NAME); ignored if shm_dir is given
    :param shm_dir: a directory for an unlinked shm file instead of a name
    :param shm_size: bytes; a power of two, at least 4096
    :param vectors: eventfds per peer, 1..64 (must equal QEMU's `vectors=`)
    :param mode: permissions of the socket and shm object (default 0600;
        an existing shm object is only changed when a mode is given)
    :param unlink_shm: remove /dev/shm/NAME on close (QEMU's example server
        keeps it by default, and so does this one)
    :param max_queued: messages waiting for one peer before it is dropped
    :param stall_timeout: seconds a peer may leave its full socket unread
    :param name: a name for log lines, to tell servers apart
    :param logger: where to log (default: the `zpy.ivshmem_host.server` logger)
    """

    def __init__(
        self,
        socket_path: str | Path = DEFAULT_SOCKET_PATH,
        *,
        shm_name: str = DEFAULT_SHM_NAME,
        shm_dir: str | Path | None = None,
        shm_size: int = DEFAULT_SHM_SIZE,
        vectors: int = DEFAULT_VECTORS,
        mode: int | None = None,
        unlink_shm: bool = False,
        max_queued: int = DEFAULT_MAX_QUEUED,
        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
        backlog: int = DEFAULT_BACKLOG,
        name: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        check_vectors(vectors)
        check_shm_size(shm_size)
        super().__init__(socket_path, shm_name=shm_name, shm_dir=shm_dir, shm_size=shm_size,
                         mode=mode, unlink_shm=unlink_shm, max_queued=max_queued,
                         stall_timeout=stall_timeout, backlog=backlog, name=name,
                         logger=logger or logging.getLogger(__name__))
        self.vectors = vectors
        self._next_id = 0

    def __enter__(self) -> IvshmemServer:
        self.start()
        return self

    def _started(self) -> None:
        assert self.shm is not None
        self.log.debug("listening on %s, shared memory %s (%d bytes), %d vector(s) per peer",
                       self.socket_path, self.shm.description, self.shm_size, self.vectors)

    @property
    def next_id(self) -> int:
        """The ID the next peer will get (IDs are never reused)."""
        return self._next_id

    # -- Peers arriving ---------------------------------------------------------------

    def _add_peer(self, sock: socket.socket) -> None:
        """Version, ID and shm to the newcomer; then every existing peer gets the new ID
        with each new eventfd, then the newcomer gets every existing peer's ID with its
        eventfds, then its own (QEMU's order, connection order, vector order)."""
        if self._next_id > MAX_PEER_ID:
            self.log.error("refusing a new peer: all %d peer IDs have been used, and an ID is "
                           "never given twice (QEMU corrupts its heap on reuse); restart the "
                           "server", MAX_PEER_ID + 1)
            sock.close()
            return
        eventfds = self._eventfds_for(sock, self.vectors)
        if eventfds is None:
            return
        peer, others = self._admit(self._next_id, sock, eventfds)
        self._next_id += 1

        assert self.shm is not None
        self._send(peer, IVSHMEM_PROTOCOL_VERSION)
        self._send(peer, peer.id)
        self._send(peer, SHM_MESSAGE, self.shm.fd)
        for other in others:
            for fd in peer.eventfds:
                self._send(other, peer.id, fd)
        for other in others:
            for fd in other.eventfds:
                self._send(peer, other.id, fd)
        for fd in peer.eventfds:
            self._send(peer, peer.id, fd)

    def _send(self, peer: Peer, value: int, fd: int | None = None) -> None:
        self._post(peer, value, encode(value), fd)

    # -- Peers leaving ----------------------------------------------------------------

    def _tell_departure(self, peer: Peer) -> None:
        """v1 says it with the departed ID and no fd."""
        for other in self._peers.values():
            self._send(other, peer.id)


def check_vectors(vectors: int) -> None:
    """Refuse vector counts QEMU's tools refuse (1..64)."""
    if vectors > MAX_VECTORS:
        raise MachineError(f"too many requested vectors (max is {MAX_VECTORS})")
    if vectors < 1:
        raise MachineError(f"invalid number of vectors {vectors}: a peer needs at least one")
