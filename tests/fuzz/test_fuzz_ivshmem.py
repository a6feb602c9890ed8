"""Fuzzing the ivshmem host tools: the v1 and v2 clients against servers that send
anything (the readers of both wire formats included), and both servers against clients
that send anything. A case ends in a ZpyError or success; no fd leaks; a hostile peer
never harms the server or a well-behaved peer."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.ivshmem_host.ivshmem_helpers import (
    TIMEOUT,
    ServerThread,
    fds_opened_since,
    listed_fds,
    wait_until,
)
from zpy.errors import ZpyError
from zpy.ivshmem_host.client import PeerConnection
from zpy.ivshmem_host.connection import ServerConnection
from zpy.ivshmem_host.fdio import send_whole
from zpy.ivshmem_host.server import IvshmemServer
from zpy.ivshmem_host.v2 import protocol as v2
from zpy.ivshmem_host.v2.client import V2PeerConnection
from zpy.ivshmem_host.v2.server import Ivshmem2Server

# -- what a hostile server sends ------------------------------------------------------------

FD_KINDS = ("none", "eventfd", "shm", "shm-odd", "shm-empty", "pipe")
I64 = st.one_of(st.sampled_from([-2, -1, 0, 1, 2, 3, 0xFFFF, 0x10000, 2**31, 2**63 - 1, -2**63]),
                st.integers(-2**63, 2**63 - 1))
U32 = st.one_of(st.sampled_from([0, 1, 2, 3, 4, 0xFFFF, 2**31, 2**32 - 1]),
                st.integers(0, 2**32 - 1))


def make_fd(kind: str) -> int | None:
    if kind == "none":
        return None
    if kind == "eventfd":
        return os.eventfd(0, os.EFD_CLOEXEC)
    if kind == "pipe":
        r, w = os.pipe()
        os.close(w)
        return r
    fd = os.memfd_create("fuzz-shm")
    os.ftruncate(fd, {"shm": 1 << 16, "shm-odd": 12345, "shm-empty": 0}[kind])
    return fd


def v1_message(value: int) -> bytes:
    return value.to_bytes(8, "little", signed=True)


v1_stream = st.lists(st.tuples(I64.map(v1_message), st.sampled_from(FD_KINDS)), max_size=12)


def v2_frame(kind: int, length: int | None, body: bytes) -> bytes:
    size = 8 + len(body) if length is None else length
    return kind.to_bytes(4, "little") + size.to_bytes(4, "little") + body


v2_messages = st.one_of(
    st.builds(lambda *a: v2.InitMessage(*a).encode(), U32, U32, U32, U32, st.integers(0, 2**64 - 1),
              U32, U32),
    st.builds(lambda i, v: v2.EventFdMessage(i, v).encode(), U32, U32),
    st.builds(lambda i: v2.PeerGoneMessage(i).encode(), U32),
    st.builds(v2_frame, U32, st.one_of(st.none(), U32), st.binary(max_size=48)),
)
v2_stream = st.lists(st.tuples(v2_messages, st.sampled_from(FD_KINDS)), max_size=12)


@pytest.fixture
def listener(sock_dir: Path) -> Iterator[tuple[Path, socket.socket]]:
    path = sock_dir / "hostile"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.listen(4)
    yield path, sock
    sock.close()


def against_hostile_server(listener: tuple[Path, socket.socket],
                           client: Callable[[], ServerConnection],
                           stream: list[tuple[bytes, str]], trailer: bytes) -> None:
    """`client` connects, the server sends `stream` (and `trailer`) and hangs up, the client
    sets up and reads to the end: a ZpyError or events, and every fd closed afterwards."""
    path, sock = listener
    before = listed_fds()
    conn = client()
    conn.connect(path, TIMEOUT)
    server_side, _ = sock.accept()
    try:
        for data, kind in stream:
            fd = make_fd(kind)
            try:
                send_whole(server_side, data, fd)
            finally:
                if fd is not None:
                    os.close(fd)
        if trailer:
            send_whole(server_side, trailer)
    finally:
        server_side.close()
    try:
        conn.setup(TIMEOUT)
        while conn.connected:
            conn.handle_readable()
    except ZpyError:
        pass
    finally:
        conn.close()
    assert fds_opened_since(before) == set()


@given(stream=v1_stream, trailer=st.binary(max_size=16))
def test_v1_client_against_any_server(listener, cases, stream, trailer):
    cases["v1 client and reader vs hostile server"] += 1
    against_hostile_server(listener, lambda: PeerConnection(max_vectors=4), stream, trailer)


@given(stream=v2_stream, trailer=st.binary(max_size=16))
def test_v2_client_against_any_server(listener, cases, stream, trailer):
    cases["v2 client and reader vs hostile server"] += 1
    against_hostile_server(listener, V2PeerConnection, stream, trailer)


# -- what a hostile client sends -------------------------------------------------------------


class Served:
    """A server in a thread with one well-behaved peer, checked after every hostile case."""

    def __init__(self, kind: str, server: IvshmemServer | Ivshmem2Server,
                 connect: Callable[[str], ServerConnection]) -> None:
        self.kind = kind
        self.thread = ServerThread(server).start()
        self.connect = connect
        self.good = connect(self.thread.path)

    def still_serves(self) -> None:
        """The server thread runs, and a newcomer is announced to the good peer."""
        assert self.thread.thread.is_alive() and self.thread.error is None
        with self.connect(self.thread.path) as newcomer:
            assert newcomer.own_id is not None
            wait_until(self.good, lambda: newcomer.own_id in self.good.peers)
        wait_until(self.good, lambda: newcomer.own_id not in self.good.peers)

    def close(self) -> None:
        self.good.close()
        self.thread.shutdown()


@pytest.fixture(params=["v1", "v2"])
def served(request, sock_dir: Path) -> Iterator[Served]:
    if request.param == "v1":
        s = Served("v1", IvshmemServer(sock_dir / "srv", shm_dir=sock_dir, shm_size=1 << 16,
                                 vectors=2), lambda p: PeerConnection.open(p, timeout=TIMEOUT))
    else:
        s = Served("v2", Ivshmem2Server(sock_dir / "srv", shm_dir=sock_dir, shm_size=1 << 16,
                                  max_peers=64, vectors=2),
                   lambda p: V2PeerConnection.open(p, timeout=TIMEOUT))
    yield s
    s.close()


@given(chunks=st.lists(st.tuples(st.binary(min_size=1, max_size=64),
                                 st.sampled_from(FD_KINDS)), max_size=6),
       how=st.sampled_from(["close", "half-close", "stay"]))
def test_servers_against_any_client(served, cases, chunks, how):
    cases[f"{served.kind} server vs hostile client"] += 1
    hostile = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        hostile.connect(served.thread.path)
        for data, kind in chunks:
            fd = make_fd(kind)
            try:
                send_whole(hostile, data, fd)
            except OSError:
                break  # the server hung up on us already
            finally:
                if fd is not None:
                    os.close(fd)
        if how == "half-close":
            hostile.shutdown(socket.SHUT_WR)
        elif how == "close":
            hostile.close()
        served.still_serves()
    finally:
        hostile.close()
