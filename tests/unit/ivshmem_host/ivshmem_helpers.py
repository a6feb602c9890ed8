"""Helpers for the ivshmem host-tool tests: real sockets, real eventfds, servers in threads.

* `serve` starts an IvshmemServer with serve() in a thread (as QEMU's qtest runs
  its server library in a thread of the test process) and stops it at the end.
* `RawPeer` reads the wire exactly as the bytes come, for golden-byte checks.
* `FakeServer` plays a scripted (possibly broken) server against PeerConnection.
* `wait_until` pumps a PeerConnection until a condition holds.

The same helpers serve the v2 tests: `serve2` starts an Ivshmem2Server, `peers2`
opens V2PeerConnections, `FakeServer.send_raw` sends arbitrary v2 bytes.
"""

from __future__ import annotations

import gc
import os
import selectors
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from zpy.ivshmem_host.client import PeerConnection, PeerEvent
from zpy.ivshmem_host.connection import ServerConnection
from zpy.ivshmem_host.fdio import send_whole
from zpy.ivshmem_host.peer_server import PeerServer
from zpy.ivshmem_host.protocol import MESSAGE_SIZE, send_message
from zpy.ivshmem_host.server import IvshmemServer
from zpy.ivshmem_host.v2.client import V2PeerConnection
from zpy.ivshmem_host.v2.server import Ivshmem2Server

TIMEOUT = 5.0


def open_fds() -> set[int]:
    """The process's open fds, once garbage from earlier tests has been collected.

    Compare with `open_fds() - before`: fds of unrelated objects may still close meanwhile.
    """
    gc.collect()
    return listed_fds()


def listed_fds() -> set[int]:
    """The process's open fds as they are listed now, garbage's included."""
    return {int(fd) for fd in os.listdir("/proc/self/fd")}


def fds_opened_since(before: set[int]) -> set[int]:
    """The fds open now that were not in `before`, collecting garbage only when some seem
    left (a full collection per call costs the fuzzers more than the cases themselves)."""
    opened = listed_fds() - before
    return open_fds() - before if opened else opened


def fd_kind(fd: int) -> str:
    """'anon_inode:[eventfd]', 'socket:[...]', a path, ..."""
    return os.readlink(f"/proc/self/fd/{fd}")


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    """A short directory for sockets (sun_path is 108 bytes; pytest's tmp_path can be longer)."""
    path = Path(tempfile.mkdtemp(prefix="zpyi-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


class ServerThread:
    """An IvshmemServer (or Ivshmem2Server) serving from a background thread."""

    def __init__(self, server: PeerServer) -> None:
        self.server = server
        self.path = str(server.socket_path)
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.server.serve(self.stop)
        except BaseException as e:  # surfaced by shutdown()
            self.error = e

    def start(self) -> ServerThread:
        self.server.start()
        self.thread.start()
        return self

    def shutdown(self) -> None:
        """Stop the loop, then close the server (which tells the remaining peers)."""
        if self.thread.is_alive():
            self.stop.set()
            self.server.wakeup()
            self.thread.join(TIMEOUT)
            assert not self.thread.is_alive(), "server thread did not stop"
        self.server.close()
        if self.error is not None:
            raise self.error


@pytest.fixture
def serve(sock_dir: Path) -> Iterator[Callable[..., ServerThread]]:
    """serve(vectors=2, ...) -> a running ServerThread on sock_dir/sock (shm in sock_dir)."""
    started: list[ServerThread] = []

    def start(sock_name: str = "sock", **options: object) -> ServerThread:
        options.setdefault("shm_dir", sock_dir)
        server = IvshmemServer(sock_dir / sock_name, **options)  # type: ignore[arg-type]
        started.append(ServerThread(server).start())
        return started[-1]

    yield start
    for thread in started:
        thread.shutdown()


@pytest.fixture
def serve2(sock_dir: Path) -> Iterator[Callable[..., ServerThread]]:
    """serve2(max_peers=3, vectors=2, ...) -> a running Ivshmem2Server thread on sock_dir/sock."""
    started: list[ServerThread] = []

    def start(sock_name: str = "sock", **options: object) -> ServerThread:
        options.setdefault("shm_dir", sock_dir)
        options.setdefault("shm_size", 1 << 16)
        server = Ivshmem2Server(sock_dir / sock_name, **options)  # type: ignore[arg-type]
        started.append(ServerThread(server).start())
        return started[-1]

    yield start
    for thread in started:
        thread.shutdown()


class RawPeer:
    """A bare protocol peer: one 8-byte recvmsg() per message, nothing interpreted."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(path)
        self.fds: list[int] = []

    def recv(self) -> tuple[bytes, int | None]:
        data, fds = _recv_exact(self.sock)
        self.fds += fds
        assert len(fds) <= 1, f"{len(fds)} fds on one message"
        return data, (fds[0] if fds else None)

    def recv_many(self, count: int) -> list[tuple[bytes, int | None]]:
        return [self.recv() for _ in range(count)]

    def assert_quiet(self, wait: float = 0.05) -> None:
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(8, socket.MSG_PEEK)
        except TimeoutError:
            return
        finally:
            self.sock.settimeout(TIMEOUT)
        raise AssertionError(f"unexpected bytes from the server: {data.hex()}")

    def close(self) -> None:
        self.sock.close()
        for fd in self.fds:
            os.close(fd)
        self.fds = []


def _recv_exact(sock: socket.socket) -> tuple[bytes, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(sock, MESSAGE_SIZE, 4)
    assert len(data) == MESSAGE_SIZE, f"short read: {data.hex()}"
    return data, fds


@pytest.fixture
def raw_peers() -> Iterator[Callable[[str], RawPeer]]:
    made: list[RawPeer] = []

    def connect(path: str) -> RawPeer:
        made.append(RawPeer(path))
        return made[-1]

    yield connect
    for peer in made:
        peer.close()


@pytest.fixture
def peers() -> Iterator[Callable[..., PeerConnection]]:
    """peers(path, max_vectors=...) -> a set-up PeerConnection, closed at the end."""
    made: list[PeerConnection] = []

    def connect(path: str, **options: object) -> PeerConnection:
        made.append(PeerConnection.open(path, **options))  # type: ignore[arg-type]
        return made[-1]

    yield connect
    for conn in made:
        conn.close()


@pytest.fixture
def peers2() -> Iterator[Callable[..., V2PeerConnection]]:
    """peers2(path) -> a set-up V2PeerConnection, closed at the end."""
    made: list[V2PeerConnection] = []

    def connect(path: str, **options: object) -> V2PeerConnection:
        made.append(V2PeerConnection.open(path, **options))  # type: ignore[arg-type]
        return made[-1]

    yield connect
    for conn in made:
        conn.close()


def wait_until(conn: ServerConnection, done: Callable[[], bool],
               timeout: float = TIMEOUT) -> list[PeerEvent]:
    """Pump `conn` until done() holds; return the events seen."""
    events: list[PeerEvent] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(conn.fileno(), selectors.EVENT_READ)
        while not done():
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out; events so far: {events}"
            if selector.select(remaining):
                events += conn.handle_readable()
    return events


def settle(conn: ServerConnection, quiet: float = 0.1) -> list[PeerEvent]:
    """Pump `conn` until the server has been silent for `quiet` seconds."""
    events: list[PeerEvent] = []
    with selectors.DefaultSelector() as selector:
        selector.register(conn.fileno(), selectors.EVENT_READ)
        while selector.select(quiet):
            new = conn.handle_readable()
            events += new
            if not new and not conn.connected:
                break
    return events


@dataclass
class FakeServer:
    """A scripted server: accepts one peer and sends (value, fd) messages as told.

    fds given in a script are sent and then closed here, so the peer's copy is the only one.
    """

    path: str
    listener: socket.socket = field(init=False)
    conn: socket.socket | None = None

    def __post_init__(self) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.listener.settimeout(TIMEOUT)

    def accept_in_background(self, script: list[tuple[int, int | None]],
                             then_close: bool = False) -> threading.Thread:
        def run() -> None:
            self.conn, _ = self.listener.accept()
            self.send(script)
            if then_close:
                self.conn.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def send(self, script: list[tuple[int, int | None]]) -> None:
        assert self.conn is not None
        for value, fd in script:
            send_message(self.conn, value, fd)
            if fd is not None:
                os.close(fd)

    def send_raw(self, data: bytes, fd: int | None = None) -> None:
        """One message as given (any protocol), with its own sendmsg(); the fd is closed here."""
        assert self.conn is not None
        send_whole(self.conn, data, fd)
        if fd is not None:
            os.close(fd)

    def accept_raw_in_background(self, script: list[tuple[bytes, int | None]],
                                 then_close: bool = False) -> threading.Thread:
        """accept_in_background() for raw messages (see send_raw)."""
        def run() -> None:
            self.conn, _ = self.listener.accept()
            for data, fd in script:
                self.send_raw(data, fd)
            if then_close:
                self.conn.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.listener.close()


@pytest.fixture
def fake_server(sock_dir: Path) -> Iterator[FakeServer]:
    server = FakeServer(str(sock_dir / "fake"))
    yield server
    server.close()


def new_eventfd() -> int:
    return os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)


def new_shm(size: int = 4096) -> int:
    fd = os.memfd_create("ivshmem-test", os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    return fd
