"""PeerServer: the machinery both ivshmem servers share, whatever their wire format.

An ivshmem server, v1 (QEMU's) or v2 (the ivshmem2 RFC's), accepts peers on a
UNIX socket, gives each a set of eventfds, sends them fd-carrying messages and
hears nothing back but a hang-up. What differs is only the bytes of the
messages, how IDs are chosen and what a departure means; the subclasses
(`zpy.ivshmem_host.server.IvshmemServer`, `zpy.ivshmem_host.v2.server.Ivshmem2Server`)
supply those. Everything else lives here, once:

* No message is ever lost. Peer sockets are non-blocking; what a full socket
  refuses waits in that peer's queue and goes out when the socket drains. A
  queued message holds a reference to the server's fd (not a dup: 256 peers
  joining at once queue ~130k fd-carrying messages, far more fds than a
  process may hold), and an eventfd whose owner leaves stays open until the
  last queued message carrying it has gone. A peer that stops reading is
  dropped once its queue passes `max_queued` messages or has made no progress
  for `stall_timeout` seconds; the others never wait.
* A broken peer (it sends data, hangs up mid-setup, breaks a send, or trips a
  bug in the server) costs that peer alone; the others are told it left.
* The socket path is handled by `UnixListener`, the shared memory by
  `SharedMemory`; both are owner-only unless `mode` says otherwise.

No event loop is owned: `interest()` lists the objects to watch (fileno()-able)
with the selectors events wanted; call `handle_ready(obj, events)` when one is
ready and `handle_timeouts()` once `timeout()` seconds have passed. `serve()` is
a small selectors loop doing just that. Not thread-safe: drive one server from
one thread; `wakeup()` is the exception (safe from other threads and signal
handlers). There is no global state, so several servers can share a process.
"""

from __future__ import annotations

import errno
import logging
import os
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zpy.errors import MachineError
from zpy.ivshmem_host.fdio import send_part
from zpy.ivshmem_host.listener import UnixListener
from zpy.ivshmem_host.shm import SharedMemory

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE

#: messages a peer may have waiting in the server before it is dropped
DEFAULT_MAX_QUEUED = 16384
#: seconds a peer's socket may stay full, with messages waiting, before it is dropped
DEFAULT_STALL_TIMEOUT = 10.0
#: how long to stop accepting after accept() ran out of fds, so the loop does not spin
_ACCEPT_PAUSE = 0.1
#: how long to wait before retrying sends the kernel refused with ETOOMANYREFS
_SEND_RETRY = 0.05


class ServerLog(logging.LoggerAdapter):
    """Prefixes messages with the server's name, when it has one, so two servers can share a log."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        name = self.extra.get("server") if self.extra else None
        return (f"{name}: {msg}" if name else msg), kwargs


@dataclass(slots=True)
class Outgoing:
    """A message a peer's socket has not taken yet."""

    #: what the verbose log shows for it (formatted only when logged)
    what: object
    data: memoryview
    #: the server's fd to pass (with the first byte), held until it has gone out
    fd: int | None
    #: the fd number the server knows the eventfd or shm by, for the verbose log
    shown_fd: int | None


@dataclass(eq=False)
class Peer:
    """One connected peer, as the server sees it."""

    id: int
    sock: socket.socket
    eventfds: list[int]
    queue: deque[Outgoing] = field(default_factory=deque)
    #: when the socket last refused a write while messages were waiting
    stalled_since: float | None = None
    #: why this peer is being dropped, once something went wrong, and how loudly to say so
    failure: str | None = None
    failure_level: int = logging.WARNING


class Wakeup:
    """An eventfd that makes the server's loop return at once (thread- and signal-safe)."""

    def __init__(self) -> None:
        self._fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)

    def fileno(self) -> int:
        return self._fd

    def wake(self) -> None:
        try:
            os.eventfd_write(self._fd, 1)
        except (BlockingIOError, OSError):
            pass  # already pending, or closed during shutdown

    def drain(self) -> None:
        try:
            os.eventfd_read(self._fd)
        except BlockingIOError:
            pass

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class PeerServer:
    """The shared server machinery (library: no loop of its own, no sys.exit).

    Subclasses implement `_add_peer(sock)` (choose an ID, make eventfds with
    `_eventfds_for()`, register with `_admit()`, send with `_post()`) and
    `_tell_departure(peer)` (what the remaining peers hear when one leaves).
    Use as a context manager (start() on enter, close() on exit) or call
    start()/close(). Options are checked in the constructor so that bad ones
    fail before anything is created.

    :param socket_path: the AF_UNIX path to listen on
    :param shm_name: a POSIX shm name (/dev/shm/NAME); ignored if shm_dir is given
    :param shm_dir: a directory for an unlinked shm file instead of a name
    :param shm_size: bytes (the subclass checks what its devices can map)
    :param mode: permissions of the socket and shm object (default 0600;
        an existing shm object is only changed when a mode is given)
    :param unlink_shm: remove /dev/shm/NAME on close
    :param max_queued: messages waiting for one peer before it is dropped
    :param stall_timeout: seconds a peer may leave its full socket unread
    :param backlog: listen() backlog
    :param name: a name for log lines, to tell servers apart
    :param logger: where to log
    """

    def __init__(
        self,
        socket_path: str | Path,
        *,
        shm_name: str,
        shm_dir: str | Path | None,
        shm_size: int,
        mode: int | None,
        unlink_shm: bool,
        max_queued: int,
        stall_timeout: float,
        backlog: int,
        name: str | None,
        logger: logging.Logger,
    ) -> None:
        if mode is not None and not 0 <= mode <= 0o777:
            raise MachineError(f"invalid mode {mode:#o}: expected permission bits such as 0660")
        if max_queued < 1:
            raise MachineError(f"invalid queue bound {max_queued}: must be at least 1")
        if stall_timeout <= 0:
            raise MachineError(f"invalid stall timeout {stall_timeout}: must be positive")
        self.socket_path = Path(socket_path)
        self.shm_name = shm_name
        self.shm_dir = Path(shm_dir) if shm_dir is not None else None
        self.shm_size = shm_size
        self.mode = mode
        self.unlink_shm = unlink_shm
        self.max_queued = max_queued
        self.stall_timeout = stall_timeout
        self.backlog = max(backlog, 10)
        self.log = ServerLog(logger, {"server": name})

        self.shm: SharedMemory | None = None
        self._listener: UnixListener | None = None
        self._wakeup: Wakeup | None = None
        #: ID -> peer, in connection order (dicts keep insertion order)
        self._peers: dict[int, Peer] = {}
        self._by_sock: dict[socket.socket, Peer] = {}
        #: peers with messages waiting (they want EVENT_WRITE)
        self._backlogged: dict[int, Peer] = {}
        #: peers found broken while sending; removed by _reap() once the current step is done
        self._doomed: deque[Peer] = deque()
        self._accept_paused_until = 0.0
        self._retry_sends_at: float | None = None
        #: fd -> queued messages that will pass it (see _hold_fd)
        self._fd_holds: dict[int, int] = {}
        #: fds whose owner left while queued messages still carry them
        self._orphan_fds: set[int] = set()

    # -- Life cycle -------------------------------------------------------------------

    def __enter__(self) -> PeerServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Listen on the socket path, then create (or reuse) the shared memory.

        The socket comes first: a second server started by mistake on the same
        path must fail before it touches (resizes) a shm object the first one uses.
        Peers that connect meanwhile wait in the listen backlog.
        """
        if self._listener is not None:
            raise MachineError("server already started")
        listener = UnixListener(self.socket_path, self.mode, self.backlog, self.log)
        listener.open()
        self._listener = listener
        try:
            if self.shm_dir is not None:
                self.shm = SharedMemory.open_in_directory(self.shm_dir, self.shm_size, self.mode)
            else:
                self.shm = SharedMemory.open_name(self.shm_name, self.shm_size, self.mode,
                                                  self.log)
            self._wakeup = Wakeup()
            self._started()
        except BaseException:
            self._close_listener()
            if self._wakeup is not None:
                self._wakeup.close()
                self._wakeup = None
            if self.shm is not None:
                if self.shm.created:
                    self.shm.unlink()
                self.shm.close()
                self.shm = None
            raise

    def close(self) -> None:
        """Tell every peer that the others are leaving, close everything, remove the socket path.

        As QEMU's servers do, peers are freed one by one, so each one still
        connected hears (best effort, without waiting) that the earlier ones left.
        """
        while self._peers:
            peer = next(iter(self._peers.values()))
            self._flush(peer)
            self._remove(peer, "closed: the server is shutting down", logging.DEBUG)
            self._reap()
        if self._listener is not None:
            self._close_listener()
        if self._wakeup is not None:
            self._wakeup.close()
            self._wakeup = None
        self._stopping()
        if self.shm is not None:
            if self.unlink_shm:
                self.shm.unlink()
            self.shm.close()
            self.shm = None

    # -- What a loop needs ------------------------------------------------------------

    def fileno(self) -> int:
        """The listening socket's fd."""
        if self._listener is None or self._listener.sock is None:
            raise MachineError("server not started")
        return self._listener.sock.fileno()

    def interest(self) -> dict[Any, int]:
        """What to watch now: fileno()-able object -> selectors.EVENT_READ | EVENT_WRITE.

        Ask again after each handle_ready()/handle_timeouts(): peers come and
        go and want EVENT_WRITE only while messages wait. Objects, not fd
        numbers, are the keys, because a closed peer's fd number may be reused
        by the next one at once.
        """
        wanted: dict[Any, int] = {}
        if self._listener is not None and self._listener.sock is not None \
                and time.monotonic() >= self._accept_paused_until:
            wanted[self._listener.sock] = READ
        if self._wakeup is not None:
            wanted[self._wakeup] = READ
        for peer in self._peers.values():
            wanted[peer.sock] = READ | WRITE if peer.queue else READ
        return wanted

    def timeout(self) -> float | None:
        """Seconds until handle_timeouts() has work, or None if nothing is pending."""
        deadlines = [peer.stalled_since + self.stall_timeout
                     for peer in self._backlogged.values() if peer.stalled_since is not None]
        if self._accept_paused_until:
            deadlines.append(self._accept_paused_until)
        if self._retry_sends_at is not None:
            deadlines.append(self._retry_sends_at)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def handle_ready(self, source: Any, events: int) -> None:
        """React to `source` (a key of interest()) being ready for `events`.

        * listening socket: accept every pending connection and greet each new
          peer (the subclass's protocol and order);
        * peer socket readable: data or EOF, either way the peer is gone;
        * peer socket writable: send what waits in its queue.
        """
        if self._listener is not None and source is self._listener.sock:
            self._accept_all()
        elif source is self._wakeup:
            self._wakeup.drain()
        else:
            peer = self._by_sock.get(source)
            if peer is None:
                return  # an event for a peer removed earlier in the same batch
            try:
                if events & READ:
                    self._on_readable(peer)
                elif events & WRITE:
                    self._flush(peer)
            except Exception:  # a bug must cost one peer, not the server and every other peer
                self.log.exception("peer %d: internal error", peer.id)
                self._fail(peer, "dropped after an internal error", logging.ERROR)
        self._reap()

    def handle_timeouts(self, now: float | None = None) -> None:
        """Drop peers whose full socket made no progress for stall_timeout; resume paused work."""
        now = time.monotonic() if now is None else now
        if self._accept_paused_until and now >= self._accept_paused_until:
            self._accept_paused_until = 0.0
        if self._retry_sends_at is not None and now >= self._retry_sends_at:
            self._retry_sends_at = None
            for peer in list(self._backlogged.values()):
                self._flush(peer)
        for peer in list(self._backlogged.values()):
            if peer.stalled_since is not None and now - peer.stalled_since >= self.stall_timeout:
                self._fail(peer, f"dropped: socket full for {self.stall_timeout:g} s with "
                                 f"{len(peer.queue)} messages waiting: it does not read")
        self._reap()

    def wakeup(self) -> None:
        """Make a blocked serve() look at its stop event now (thread- and signal-safe)."""
        if self._wakeup is not None:
            self._wakeup.wake()

    def serve(self, stop: threading.Event | None = None) -> None:
        """Run a selectors loop until `stop` is set (or forever). Call wakeup() after setting it."""
        if self._listener is None:
            raise MachineError("server not started")
        with selectors.DefaultSelector() as selector:
            registered: dict[Any, int] = {}
            while stop is None or not stop.is_set():
                wanted = self.interest()
                for obj in [obj for obj in registered if obj not in wanted]:
                    selector.unregister(obj)
                for obj, events in wanted.items():
                    if obj not in registered:
                        selector.register(obj, events)
                    elif registered[obj] != events:
                        selector.modify(obj, events)
                registered = wanted
                timeout = self.timeout()
                if stop is not None:  # notice a stop set without wakeup() too
                    timeout = 0.5 if timeout is None else min(timeout, 0.5)
                for key, events in selector.select(timeout):
                    self.handle_ready(key.fileobj, events)
                self.handle_timeouts()

    # -- Introspection ----------------------------------------------------------------

    @property
    def peer_ids(self) -> list[int]:
        """IDs of the connected peers, in connection order."""
        return list(self._peers)

    def queued(self, peer_id: int) -> int:
        """Messages waiting in the server for peer `peer_id`."""
        return len(self._peers[peer_id].queue)

    def peer_eventfds(self, peer_id: int) -> list[int]:
        """The server's copies of a peer's eventfds (vector order)."""
        return list(self._peers[peer_id].eventfds)

    # -- What subclasses provide ------------------------------------------------------

    def _started(self) -> None:
        """Called once the socket listens and the shm is open (e.g. to log or map it)."""

    def _stopping(self) -> None:
        """Called by close() after every peer is gone, before the shm is closed."""

    def _add_peer(self, sock: socket.socket) -> None:
        """Greet a newly accepted connection (or refuse it and close `sock`)."""
        raise NotImplementedError

    def _tell_departure(self, peer: Peer) -> None:
        """Tell the remaining peers that `peer` has left (it is already unregistered)."""
        raise NotImplementedError

    # -- Helpers for subclasses -------------------------------------------------------

    def _eventfds_for(self, sock: socket.socket, count: int) -> list[int] | None:
        """`count` new eventfds for a newcomer; None (logged, `sock` closed) if the system has none."""
        eventfds: list[int] = []
        try:
            for _ in range(count):
                eventfds.append(os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC))
        except OSError as e:
            for fd in eventfds:
                os.close(fd)
            self.log.error("refusing a new peer: cannot create its eventfds: %s", e.strerror)
            sock.close()
            return None
        return eventfds

    def _admit(self, peer_id: int, sock: socket.socket, eventfds: list[int]) -> tuple[Peer, list[Peer]]:
        """Register a newcomer; returns it and the peers that were there before (connection order)."""
        sock.setblocking(False)
        peer = Peer(peer_id, sock, eventfds)
        others = list(self._peers.values())
        self._peers[peer.id] = peer
        self._by_sock[sock] = peer
        self.log.info("peer %d connected (%d other peer(s))", peer.id, len(others))
        return peer, others

    def _post(self, peer: Peer, what: object, wire: bytes, fd: int | None = None) -> None:
        """Send one message now if nothing waits for this peer, else (or if the socket is full) queue it.

        `what` is how the verbose log shows the message (str() is taken only then).
        """
        if peer.failure is not None:
            return
        data = memoryview(wire)
        queued_fd = fd
        if not peer.queue:
            try:
                sent = send_part(peer.sock, data, fd)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as e:
                if e.errno != errno.ETOOMANYREFS:
                    self._fail_send(peer, e)
                    return
                sent = 0
                self._retry_sends_at = time.monotonic() + _SEND_RETRY
            if sent == len(data):
                if self._verbose_enabled():
                    self._log_sent(peer, what, fd)
                return
            if sent:
                data, queued_fd = data[sent:], None  # the fd went with the first byte
            peer.stalled_since = time.monotonic()
            self._backlogged[peer.id] = peer
            self.log.debug("peer %d: socket full, queueing", peer.id)
        if len(peer.queue) >= self.max_queued:
            self._fail(peer, f"dropped: more than {self.max_queued} messages waiting: "
                             "it does not read")
            return
        if queued_fd is not None:
            self._hold_fd(queued_fd)
        peer.queue.append(Outgoing(what, data, queued_fd, fd))

    # -- fds held by queued messages ----------------------------------------------------

    def _hold_fd(self, fd: int) -> None:
        """A queued message will pass `fd`: keep it open until then."""
        self._fd_holds[fd] = self._fd_holds.get(fd, 0) + 1

    def _release_fd(self, fd: int) -> None:
        """A queued message passed (or dropped) `fd`; close it if its owner left meanwhile."""
        left = self._fd_holds[fd] - 1
        if left:
            self._fd_holds[fd] = left
            return
        del self._fd_holds[fd]
        if fd in self._orphan_fds:
            self._orphan_fds.discard(fd)
            os.close(fd)

    def _close_owned_fd(self, fd: int) -> None:
        """Close a departed peer's eventfd, or leave that to the last queued message carrying it."""
        if fd in self._fd_holds:
            self._orphan_fds.add(fd)
        else:
            os.close(fd)

    # -- Peers arriving ---------------------------------------------------------------

    def _accept_all(self) -> None:
        assert self._listener is not None and self._listener.sock is not None
        while True:
            try:
                sock, _ = self._listener.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as e:  # EMFILE and friends: the connection stays pending
                self.log.error("cannot accept a new peer: %s; retrying in %g s",
                               e.strerror, _ACCEPT_PAUSE)
                self._accept_paused_until = time.monotonic() + _ACCEPT_PAUSE
                return
            self._add_peer(sock)

    def _close_listener(self) -> None:
        assert self._listener is not None
        self._listener.close()
        self._listener = None

    # -- Sending ----------------------------------------------------------------------

    def _flush(self, peer: Peer) -> None:
        """Send what waits for `peer` until its socket is full again."""
        progressed = False
        while peer.queue and peer.failure is None:
            item = peer.queue[0]
            try:
                sent = send_part(peer.sock, item.data, item.fd)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as e:
                if e.errno == errno.ETOOMANYREFS:
                    self._retry_sends_at = time.monotonic() + _SEND_RETRY
                    break
                self._fail_send(peer, e)
                return
            progressed = True
            if item.fd is not None:
                self._release_fd(item.fd)
                item.fd = None
            if sent < len(item.data):
                item.data = item.data[sent:]
                continue
            peer.queue.popleft()
            if self._verbose_enabled():
                self._log_sent(peer, item.what, item.shown_fd)
        if not peer.queue:
            peer.stalled_since = None
            self._backlogged.pop(peer.id, None)
        elif progressed:
            peer.stalled_since = time.monotonic()

    def _verbose_enabled(self) -> bool:
        return self.log.isEnabledFor(logging.DEBUG)

    def _log_sent(self, peer: Peer, what: object, fd: int | None) -> None:
        if fd is None:
            self.log.debug("to peer %d: %s, no fd", peer.id, what)
        else:
            self.log.debug("to peer %d: %s, fd %d", peer.id, what, fd)

    # -- Peers leaving ----------------------------------------------------------------

    def _on_readable(self, peer: Peer) -> None:
        """Peers never send: data and EOF both mean the peer is gone."""
        try:
            data = peer.sock.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionResetError:
            # it closed with our messages still unread in its socket: an ordinary departure
            self._remove(peer, "disconnected", logging.INFO)
            return
        except OSError as e:
            self._remove(peer, f"connection error: {e.strerror}", logging.WARNING)
            return
        if data:
            self._remove(peer, f"sent {len(data)} byte(s), but peers never send: dropped",
                         logging.WARNING)
        elif peer.queue:
            self._remove(peer, f"disconnected with {len(peer.queue)} message(s) of its setup "
                               "still unsent", logging.INFO)
        else:
            self._remove(peer, "disconnected", logging.INFO)

    def _fail(self, peer: Peer, reason: str, level: int = logging.WARNING) -> None:
        """Mark a peer broken; it is removed (and `reason` logged) once the step in progress is done."""
        if peer.failure is None:
            peer.failure = reason
            peer.failure_level = level
            self._doomed.append(peer)

    def _fail_send(self, peer: Peer, error: OSError) -> None:
        if error.errno in (errno.EPIPE, errno.ECONNRESET):
            # it hung up; the server wrote before it read the EOF
            self._fail(peer, "disconnected", logging.INFO)
        else:
            self._fail(peer, f"dropped: send failed: {error.strerror}")

    def _reap(self) -> None:
        while self._doomed:
            peer = self._doomed.popleft()
            if self._peers.get(peer.id) is peer:
                assert peer.failure is not None
                self._remove(peer, peer.failure, peer.failure_level)

    def _remove(self, peer: Peer, reason: str, level: int) -> None:
        """Close a peer, tell the remaining peers (the subclass's way), close its eventfds."""
        del self._peers[peer.id]
        del self._by_sock[peer.sock]
        self._backlogged.pop(peer.id, None)
        peer.failure = peer.failure or reason
        peer.sock.close()
        for item in peer.queue:
            if item.fd is not None:
                self._release_fd(item.fd)
        peer.queue.clear()
        self.log.log(level, "peer %d %s", peer.id, reason)
        self._tell_departure(peer)
        for fd in peer.eventfds:
            self._close_owned_fd(fd)
        peer.eventfds.clear()
