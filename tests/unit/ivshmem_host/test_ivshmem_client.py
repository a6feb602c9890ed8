"""PeerConnection against scripted, broken servers: QEMU's device checks and wording, no fd leaks."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from zpy.errors import ProtocolError
from zpy.ivshmem_host.client import (
    OwnVector,
    PeerConnection,
    PeerLeft,
    PeerVector,
    ProtocolFault,
    ServerGone,
    ServerUnreachable,
)

from .ivshmem_helpers import (
    FakeServer,
    fd_kind,
    new_eventfd,
    new_shm,
    open_fds,
    settle,
)

Script = list[tuple[int, int | None]]


def setup_error(fake: FakeServer, script: Callable[[], Script], max_vectors: int = 2,
                then_close: bool = False, timeout: float = 5.0) -> str:
    """Run setup() against `script()`; return the ProtocolError text. No fd may leak."""
    before = open_fds()
    sender = fake.accept_in_background(script(), then_close)
    conn = PeerConnection(max_vectors)
    conn.connect(fake.path)
    with pytest.raises(ProtocolError) as e:
        conn.setup(timeout)
    sender.join(5)
    fake.conn.close()  # type: ignore[union-attr]
    fake.conn = None
    # (other fds may close meanwhile: earlier tests' objects being collected)
    assert open_fds() - before == set(), "setup failure leaked fds"
    return str(e.value)


def greeting(own_id: int = 1) -> Script:
    return [(0, None), (own_id, None), (-1, new_shm())]


@pytest.mark.parametrize("script, message", [
    (lambda: [(1, None)], "server sent version 1, expecting 0"),
    (lambda: [(0, new_eventfd())], "server sent invalid version message"),
    (lambda: [(0, None), (3, new_eventfd())], "server sent invalid ID message"),
    (lambda: [(0, None), (-1, None)], "server sent invalid ID message"),
    (lambda: [(0, None), (65536, None)], "server sent invalid ID message"),
    (lambda: [(0, None), (1, None), (-1, None)],
     "server didn't provide fd with shared memory message"),
    (lambda: [(0, None), (1, None), (70000, new_eventfd())], "server sent invalid message 70000"),
    (lambda: [(0, None), (1, None), (-2, None)], "server sent invalid message -2"),
    (lambda: [(0, None), (1, None), (1, None)], "invalid peer 1"),
    (lambda: [(0, None), (1, None)] + [(0, new_eventfd()) for _ in range(3)],
     "Too many eventfd received, device has 2 vectors"),
    (lambda: [(0, None), (1, None), (1, new_eventfd())],
     "server sent an eventfd for our own ID before the shared memory"),
], ids=["version1", "fd_on_version", "fd_on_id", "negative_id", "id_too_big", "shm_without_fd",
        "value_70000", "value_minus2", "own_id_gone", "too_many_eventfds", "own_fd_before_shm"])
def test_setup_rejects_what_qemu_rejects(fake_server: FakeServer,
                                         script: Callable[[], Script], message: str) -> None:
    assert setup_error(fake_server, script) == f"{fake_server.path}: {message}"


def test_setup_names_a_server_that_hangs_up_or_says_nothing(fake_server: FakeServer) -> None:
    assert setup_error(fake_server, lambda: [(0, None)], then_close=True) == \
        f"{fake_server.path}: server closed the connection before sending our ID"
    start = time.monotonic()
    assert setup_error(fake_server, lambda: [(0, None), (4, None)], timeout=0.2) == \
        f"{fake_server.path}: no answer from the server: the shared memory did not come " \
        "within 0.2 s"
    assert time.monotonic() - start < 2


def test_connect_without_server(sock_dir: object) -> None:
    with pytest.raises(ServerUnreachable) as e:
        PeerConnection().connect("/nonexistent/sock")
    assert str(e.value) == "cannot connect to ivshmem server /nonexistent/sock: " \
                           "No such file or directory"


def test_setup_accepts_other_peers_before_the_shm(fake_server: FakeServer) -> None:
    fds = [new_eventfd(), new_eventfd()]
    shm = new_shm(8192)
    fake_server.accept_in_background([(0, None), (7, None), (3, fds[0]), (3, fds[1]), (-1, shm),
                                      (7, new_eventfd())])
    with PeerConnection.open(fake_server.path, max_vectors=2) as conn:
        assert conn.own_id == 7 and conn.shm_size == 8192
        assert list(conn.peers) == [3] and len(conn.peers[3]) == 2
        assert fd_kind(conn.shm_fd).startswith("/memfd:ivshmem-test")  # type: ignore[arg-type]
        events = settle(conn)
        assert [type(e) for e in events] == [OwnVector]


def test_errors_after_setup_are_reported_and_the_connection_stays(
        fake_server: FakeServer) -> None:
    sender = fake_server.accept_in_background(greeting(own_id=2))
    conn = PeerConnection.open(fake_server.path, max_vectors=1)
    sender.join(5)
    before = open_fds()
    extra_fd = new_eventfd()
    fake_server.send([(70000, new_eventfd()), (2, None), (-1, new_shm()), (5, new_eventfd()),
                      (5, extra_fd), (9, None), (-1, None), (2, new_eventfd()), (5, None)])
    events = settle(conn)
    assert [e if not isinstance(e, PeerVector | OwnVector) else type(e) for e in events] == [
        ProtocolFault("server sent invalid message 70000"),
        ProtocolFault("invalid peer 2"),
        ProtocolFault("server sent unexpected shared memory message"),
        PeerVector,
        ProtocolFault("Too many eventfd received, device has 1 vectors"),
        # 9 was never announced: its departure is ignored, as QEMU does
        ProtocolFault("server didn't provide fd with shared memory message"),
        OwnVector,
        PeerLeft(5),
    ]
    assert conn.connected
    assert open_fds() - before == {conn.own_vectors[0]}, "rejected fds must be closed"
    fake_server.conn.close()  # type: ignore[union-attr]
    assert settle(conn) == [ServerGone()]
    assert settle(conn) == [] and not conn.connected
    conn.close()
