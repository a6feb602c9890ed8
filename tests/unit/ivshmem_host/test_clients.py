"""What the v1 and v2 peer connections share, run against each version's real server."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from zpy.ivshmem_host.client import PeerConnection, ServerGone
from zpy.ivshmem_host.connection import ServerConnection, read_eventfd
from zpy.ivshmem_host.v2.client import V2PeerConnection

from .ivshmem_helpers import ServerThread, fd_kind, open_fds, settle, wait_until


@dataclass
class Version:
    serve: Callable[..., ServerThread]  # serve(vectors=N)
    open: Callable[[str], ServerConnection]


@pytest.fixture(params=["v1", "v2"])
def version(request: pytest.FixtureRequest, serve: Callable[..., ServerThread],
            serve2: Callable[..., ServerThread]) -> Version:
    if request.param == "v1":
        return Version(serve, PeerConnection.open)
    return Version(lambda **kw: serve2(max_peers=3, **kw), V2PeerConnection.open)


@pytest.fixture
def connect(version: Version):  # type: ignore[no-untyped-def]
    made: list[ServerConnection] = []

    def open_one(path: str) -> ServerConnection:
        made.append(version.open(path))
        return made[-1]

    yield open_one
    for conn in made:
        conn.close()


def test_notify_rings_the_right_eventfd_and_ignores_unknown_targets(version, connect) -> None:
    srv = version.serve(vectors=2)
    a, b = connect(srv.path), connect(srv.path)
    wait_until(a, lambda: len(a.peers.get(1, [])) == 2 and len(a.own_vectors) == 2)
    wait_until(b, lambda: len(b.own_vectors) == 2)
    assert a.notify(1, 1) and a.notify(1, 1)
    assert [read_eventfd(fd) for fd in b.own_vectors] == [0, 2]  # kicks coalesce
    assert a.notify(0, 0) and read_eventfd(a.own_vectors[0]) == 1  # ourselves: a loopback
    assert not a.notify(1, 2) and not a.notify(2, 0) and not a.notify(9, 0)
    assert not a.notify(1, -1)
    assert [read_eventfd(fd) for fd in b.own_vectors] == [0, 0]


def test_server_vanishing_peers_keep_ringing(version, connect) -> None:
    srv = version.serve(vectors=1)
    a, b = connect(srv.path), connect(srv.path)
    wait_until(a, lambda: 1 in a.peers and a.own_vectors)
    wait_until(b, lambda: b.own_vectors)
    srv.stop.set()  # the sockets vanish without a goodbye, as when the server is SIGKILLed
    srv.server.wakeup()
    srv.thread.join(5)
    for sock in list(srv.server._by_sock):
        sock.close()
    assert settle(a) == [ServerGone()] and settle(b) == [ServerGone()]
    assert a.notify(1, 0) and read_eventfd(b.own_vectors[0]) == 1
    assert b.notify(0, 0) and read_eventfd(a.own_vectors[0]) == 1


def test_close_releases_every_fd(version) -> None:
    srv = version.serve(vectors=3)
    before = open_fds()
    a = version.open(srv.path)
    b = version.open(srv.path)
    wait_until(a, lambda: len(a.peers.get(1, [])) == 3)
    a.close()
    b.close()
    a.close()  # twice is fine
    deadline = time.monotonic() + 5  # the server (in this process) lets go of them too
    while srv.server.peer_ids and time.monotonic() < deadline:
        time.sleep(0.01)
    leaked = {fd: fd_kind(fd) for fd in open_fds() - before}
    # (the serve thread may have made its selector after `before` was taken)
    assert {fd: kind for fd, kind in leaked.items() if kind != "anon_inode:[eventpoll]"} == {}
