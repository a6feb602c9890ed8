"""IvshmemServer against real sockets and eventfds: QEMU's message order byte for byte,
peers that misbehave, queues that fill, IDs, permissions and socket paths."""

from __future__ import annotations

import logging
import os
import selectors
import socket
import stat
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from zpy.errors import MachineError
from zpy.ivshmem_host.client import PeerConnection, PeerLeft, PeerVector, ServerGone, read_eventfd
from zpy.ivshmem_host.protocol import MessageReader
from zpy.ivshmem_host.server import IvshmemServer
from zpy.ivshmem_host.shm import SHM_DIR

from .ivshmem_helpers import (
    TIMEOUT,
    RawPeer,
    ServerThread,
    fd_kind,
    open_fds,
    settle,
    wait_until,
)

Serve = Callable[..., ServerThread]
RawPeers = Callable[[str], RawPeer]
Peers = Callable[..., PeerConnection]


def le64(value: int) -> str:
    """Independent of zpy's encoder: the little-endian int64 spelled in hex."""
    return value.to_bytes(8, "little", signed=True).hex()


def expected_stream(own: int, ids: list[int], vectors: int) -> list[tuple[str, bool]]:
    """What peer `own` must receive once all of `ids` (connection order) are connected.

    Reference 2.3: version, ID, shm; the peers before it with their eventfds (told to
    it on connect); its own eventfds; then each later peer's eventfds as they join.
    """
    stream = [(le64(0), False), (le64(own), False), (le64(-1), True)]
    for peer in ids[: ids.index(own)]:
        stream += [(le64(peer), True)] * vectors
    stream += [(le64(own), True)] * vectors
    for peer in ids[ids.index(own) + 1:]:
        stream += [(le64(peer), True)] * vectors
    return stream


@pytest.mark.parametrize("vectors", [1, 3])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_message_order_is_qemus_byte_for_byte(serve: Serve, raw_peers: RawPeers,
                                              count: int, vectors: int) -> None:
    srv = serve(vectors=vectors)
    peers = []
    received: dict[int, list[tuple[bytes, int | None]]] = {}
    for peer_id in range(count):
        peer = raw_peers(srv.path)
        received[peer_id] = peer.recv_many(3)  # the greeting proves it was accepted (in order)
        peers.append(peer)
    ids = list(range(count))
    for peer_id, peer in enumerate(peers):
        expected = expected_stream(peer_id, ids, vectors)
        received[peer_id] += peer.recv_many(len(expected) - 3)
        peer.assert_quiet()
        got = [(data.hex(), fd is not None) for data, fd in received[peer_id]]
        assert got == expected, f"peer {peer_id}"

    # every peer got the server's shm object
    shm_inode = os.fstat(srv.server.shm.fd).st_ino  # type: ignore[union-attr]
    for peer_id in ids:
        shm_fd = received[peer_id][2][1]
        assert shm_fd is not None and os.fstat(shm_fd).st_ino == shm_inode

    # and the k-th fd announced for peer P is P's own k-th eventfd: ring each, read it back
    def fds_for(observer: int, target: int) -> list[int]:
        return [fd for data, fd in received[observer][3:]
                if data.hex() == le64(target) and fd is not None]

    for observer in ids:
        for target in ids:
            for vector, fd in enumerate(fds_for(observer, target)):
                assert fd_kind(fd) == "anon_inode:[eventfd]"
                os.write(fd, (1).to_bytes(8, "little"))
                counts = [read_eventfd(own) for own in fds_for(target, target)]
                assert counts == [1 if v == vector else 0 for v in range(vectors)]


def test_ids_are_never_reused(serve: Serve, peers: Peers) -> None:
    srv = serve()
    a, b = peers(srv.path), peers(srv.path)
    assert (a.own_id, b.own_id) == (0, 1)
    b.close()
    wait_until(a, lambda: 1 not in a.peers and a.peers == {})
    c = peers(srv.path)
    assert c.own_id == 2
    a.close()
    c.close()
    assert peers(srv.path).own_id == 3


def test_peer_ids_run_out_after_65535(serve: Serve, raw_peers: RawPeers,
                                      caplog: pytest.LogCaptureFixture) -> None:
    srv = serve()
    srv.server._next_id = 65535  # as if 65535 peers had come and gone
    last = raw_peers(srv.path)
    assert [d.hex() for d, _ in last.recv_many(2)] == [le64(0), le64(65535)]
    refused = raw_peers(srv.path)
    assert refused.sock.recv(8) == b""  # closed without a word
    assert "refusing a new peer: all 65536 peer IDs have been used" in caplog.text
    last.recv_many(2)  # shm, own vector: the last peer is unaffected
    last.assert_quiet()


def test_peer_that_sends_data_is_dropped_and_others_told(
        serve: Serve, peers: Peers, raw_peers: RawPeers, caplog: pytest.LogCaptureFixture) -> None:
    srv = serve(vectors=2)
    a = peers(srv.path)
    chatty = raw_peers(srv.path)
    chatty.recv_many(3)
    wait_until(a, lambda: len(a.peers.get(1, [])) == 2)
    chatty.sock.send(b"hello")
    events = wait_until(a, lambda: 1 not in a.peers)
    assert events == [PeerLeft(1)]
    assert "peer 1 sent 5 byte(s), but peers never send: dropped" in caplog.text
    assert peers(srv.path).own_id == 2  # the server carries on


@pytest.mark.parametrize("when", ["before_accept", "after_version"])
def test_peer_gone_mid_setup(serve: Serve, peers: Peers, raw_peers: RawPeers,
                             caplog: pytest.LogCaptureFixture, when: str) -> None:
    """A newcomer leaves while most of its 3 + 64*5 setup messages still wait in the server."""
    caplog.set_level(logging.INFO)
    srv = serve(vectors=64)
    a = peers(srv.path)
    for _ in range(3):  # peers that never read: their fds stay in flight, not in this process
        raw_peers(srv.path)
    wait_until(a, lambda: len(a.peers) == 3 and all(len(v) == 64 for v in a.peers.values()))
    leaver = raw_peers(srv.path)
    if when == "after_version":
        assert leaver.recv()[0].hex() == le64(0)
    leaver.sock.close()
    seen: list[object] = []
    deadline = time.monotonic() + TIMEOUT
    while PeerLeft(4) not in seen:
        assert time.monotonic() < deadline, seen
        seen += settle(a, 0.05)
    # told of the newcomer, vector by vector, then of its departure; its fds are closed again
    assert [(type(e), getattr(e, "peer_id", None), getattr(e, "vector", None)) for e in seen] == \
        [(PeerVector, 4, v) for v in range(64)] + [(PeerLeft, 4, None)]
    assert 4 not in a.peers
    assert "peer 4 " in caplog.text
    newcomer = peers(srv.path, max_vectors=64)
    wait_until(newcomer, lambda: len(newcomer.own_vectors) == 64)
    assert list(newcomer.peers) == [0, 1, 2, 3]


def join_and_leave(path: str, count: int, vectors: int, watcher: PeerConnection) -> float:
    """`count` peers connect, finish setup and leave, one after another; returns the seconds taken.

    The watcher is pumped all along: it must see each of them come and go before the
    next one comes (so the server's view, and the order of its messages, is known).
    """
    start = time.monotonic()
    for _ in range(count):
        with PeerConnection.open(path, max_vectors=vectors) as joiner:
            wait_until(joiner, lambda: len(joiner.own_vectors) == vectors)  # noqa: B023
            wait_until(watcher, lambda: len(watcher.peers.get(joiner.own_id, [])) == vectors)  # noqa: B023
            gone = joiner.own_id
        wait_until(watcher, lambda: gone not in watcher.peers)  # noqa: B023
    return time.monotonic() - start


def read_all(peer: RawPeer) -> list[tuple[int, int | None]]:
    """Drain a raw peer until the server goes quiet or closes it."""
    reader = MessageReader(peer.sock)
    peer.sock.settimeout(0.3)
    messages = []
    while True:
        try:
            msg = reader.receive()
        except (TimeoutError, EOFError):
            return messages
        assert msg is not None
        if msg.fd is not None:
            peer.fds.append(msg.fd)
        messages.append((msg.value, msg.fd))


def test_stalled_peer_is_queued_then_drains_everything_in_order(
        serve: Serve, raw_peers: RawPeers, peers: Peers) -> None:
    """110 peers come and go (4 messages each for the stalled one: more than its socket holds)."""
    srv = serve(vectors=3)
    stalled = raw_peers(srv.path)
    greeting = stalled.recv_many(3)
    watcher = peers(srv.path, max_vectors=3)
    took = join_and_leave(srv.path, 110, 3, watcher)
    assert srv.server.queued(0) > 0, "the stalled peer's socket never filled"
    assert took < 10
    wait_until(watcher, lambda: list(watcher.peers) == [0])  # the others all came and went
    assert len(watcher.peers[0]) == 3

    messages = read_all(stalled)
    expected = [(0, True)] * 3 + [(1, True)] * 3
    for joiner in range(2, 112):
        expected += [(joiner, True)] * 3 + [(joiner, False)]
    assert [d.hex() for d, _ in greeting] == [le64(0), le64(0), le64(-1)]
    assert [(value, fd is not None) for value, fd in messages] == expected
    # fds queued for peers that left long ago were kept open (dups) until sent
    assert all(fd_kind(fd) == "anon_inode:[eventfd]" for _, fd in messages if fd is not None)
    assert srv.server.queued(0) == 0


def test_queued_messages_share_the_servers_fds(
        serve: Serve, raw_peers: RawPeers, peers: Peers) -> None:
    """Four stalled peers each queue the eventfds of 110 departed peers: the server keeps
    each such eventfd open once (until its last queued copy is sent), not once per message,
    so the fds it holds do not grow with the number of peers that wait for them."""
    srv = serve(vectors=3)
    stalled = [raw_peers(srv.path) for _ in range(4)]
    for peer in stalled:
        peer.recv_many(3)
    watcher = peers(srv.path, max_vectors=3)
    wait_until(watcher, lambda: len(watcher.peers) == 4 and len(watcher.own_vectors) == 3)
    before = len(open_fds())
    greeting_fds = sum(len(peer.fds) for peer in stalled)
    join_and_leave(srv.path, 110, 3, watcher)
    assert all(srv.server.queued(peer_id) > 0 for peer_id in range(4)), \
        "a stalled peer's socket never filled"
    held = len(open_fds()) - before
    assert 0 < held <= 110 * 3, f"{held} fds held for the queues of 4 stalled peers"
    for peer in stalled:
        messages = read_all(peer)
        assert len([fd for _, fd in messages if fd is not None]) > 110 * 3 // 2
    assert all(srv.server.queued(peer_id) == 0 for peer_id in range(4))
    # once sent, every held eventfd is closed: what is left open is what the peers received
    received = sum(len(peer.fds) for peer in stalled) - greeting_fds
    assert len(open_fds()) - before <= received


def test_stalled_peer_dropped_when_queue_bound_is_hit(
        serve: Serve, raw_peers: RawPeers, peers: Peers, caplog: pytest.LogCaptureFixture) -> None:
    srv = serve(vectors=3, max_queued=20)
    stalled = raw_peers(srv.path)
    watcher = peers(srv.path, max_vectors=3)
    join_and_leave(srv.path, 80, 3, watcher)
    wait_until(watcher, lambda: 0 not in watcher.peers)
    assert "peer 0 dropped: more than 20 messages waiting: it does not read" in caplog.text
    read_all(stalled)  # what fitted in its socket, then EOF
    assert stalled.sock.recv(8) == b""
    assert peers(srv.path).own_id == 82


def test_stalled_peer_dropped_after_stall_timeout(
        serve: Serve, raw_peers: RawPeers, peers: Peers, caplog: pytest.LogCaptureFixture) -> None:
    srv = serve(vectors=3, stall_timeout=0.3)
    raw_peers(srv.path)
    watcher = peers(srv.path, max_vectors=3)
    join_and_leave(srv.path, 80, 3, watcher)
    wait_until(watcher, lambda: 0 not in watcher.peers, timeout=3)
    assert "peer 0 dropped: socket full for 0.3 s with" in caplog.text


def test_close_tells_every_peer_and_removes_the_socket(serve: Serve, peers: Peers) -> None:
    srv = serve(shm_dir=None, shm_name=f"zpy-test-{uuid.uuid4().hex}", unlink_shm=False)
    shm_path = SHM_DIR / srv.server.shm_name
    try:
        a, b, c = peers(srv.path), peers(srv.path), peers(srv.path)
        for conn in (a, b, c):
            wait_until(conn, lambda conn=conn: len(conn.peers) == 2 and conn.own_vectors)
        srv.shutdown()
        assert settle(a) == [ServerGone()]
        assert settle(b) == [PeerLeft(0), ServerGone()]
        assert settle(c) == [PeerLeft(0), PeerLeft(1), ServerGone()]
        assert not Path(srv.path).exists()
        assert shm_path.exists()  # kept, as QEMU's server keeps it
        # the peers keep ringing each other without a server
        assert b.notify(2, 0) and read_eventfd(c.own_vectors[0]) == 1
    finally:
        shm_path.unlink(missing_ok=True)


def test_unlink_shm_option_removes_the_name(sock_dir: Path) -> None:
    name = f"zpy-test-{uuid.uuid4().hex}"
    with IvshmemServer(sock_dir / "s", shm_name=name, unlink_shm=True):
        assert (SHM_DIR / name).exists()
    assert not (SHM_DIR / name).exists()


def test_two_servers_in_one_process(serve: Serve, peers: Peers) -> None:
    one, two = serve("one", vectors=1, name="one"), serve("two", vectors=2, name="two")
    a1, a2 = peers(one.path), peers(two.path)
    b1 = peers(one.path)
    assert (a1.own_id, a2.own_id, b1.own_id) == (0, 0, 1)
    wait_until(a2, lambda: len(a2.own_vectors) == 2)
    wait_until(a1, lambda: len(a1.own_vectors) == 1 and 1 in a1.peers)
    assert a2.peers == {}
    assert os.fstat(a1.shm_fd).st_ino != os.fstat(a2.shm_fd).st_ino  # type: ignore[arg-type]


# -- Files: permissions, shm reuse, socket paths ------------------------------------------


def mode_of(path: Path | str) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_socket_and_new_shm_are_owner_only(sock_dir: Path) -> None:
    name = f"zpy-test-{uuid.uuid4().hex}"
    old_umask = os.umask(0)
    try:
        with IvshmemServer(sock_dir / "s", shm_name=name, unlink_shm=True) as server:
            assert stat.S_ISSOCK(os.lstat(server.socket_path).st_mode)
            assert mode_of(server.socket_path) == 0o600
            assert mode_of(SHM_DIR / name) == 0o600
            assert os.listdir(sock_dir) == ["s"]  # the private bind directory is gone
    finally:
        os.umask(old_umask)


def test_mode_option_applies_to_socket_and_shm(sock_dir: Path) -> None:
    name = f"zpy-test-{uuid.uuid4().hex}"
    with IvshmemServer(sock_dir / "s", shm_name=name, mode=0o660, unlink_shm=True) as server:
        assert mode_of(server.socket_path) == 0o660
        assert mode_of(SHM_DIR / name) == 0o660


def test_existing_shm_is_reused_and_resized(sock_dir: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, "zpy.ivshmem_host.server")
    path = SHM_DIR / f"zpy-test-{uuid.uuid4().hex}"
    path.write_bytes(b"kept" + bytes(8188))
    path.chmod(0o640)
    try:
        with IvshmemServer(sock_dir / "s", shm_name=path.name, shm_size=4096):
            assert path.stat().st_size == 4096
            assert path.read_bytes()[:4] == b"kept"
            assert mode_of(path) == 0o640  # not ours to change without --mode
        assert f"resizing existing shared memory {path} from 8192 to 4096 bytes" in caplog.text
    finally:
        path.unlink()


def test_another_live_server_is_refused(serve: Serve) -> None:
    srv = serve()
    with pytest.raises(MachineError, match=f"^another server is listening on {srv.path}$"):
        IvshmemServer(srv.path, shm_dir=Path(srv.path).parent).start()
    assert PeerConnection.open(srv.path).own_id == 0  # still the first server's


def test_stale_socket_is_replaced(sock_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    path = sock_dir / "s"
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(path))
    dead.close()  # a server that died without unlinking
    srv = ServerThread(IvshmemServer(path, shm_dir=sock_dir)).start()
    try:
        with PeerConnection.open(path) as peer:
            assert peer.own_id == 0
    finally:
        srv.shutdown()
    assert f"removing stale socket {path} (its server is gone)" in caplog.text


@pytest.mark.parametrize("case, message", [
    ("regular_file", "cannot listen on {path}: it exists and is not a socket"),
    ("missing_dir", "cannot listen on {path}: directory {parent} does not exist"),
    ("too_long", "socket path {path} is too long ({n} bytes, at most 107)"),
    ("not_permitted", "cannot listen on {path}: Operation not permitted"),
])
def test_bad_socket_paths(sock_dir: Path, case: str, message: str) -> None:
    path = {"regular_file": sock_dir / "file", "missing_dir": sock_dir / "nope" / "s",
            "too_long": sock_dir / ("x" * 120), "not_permitted": Path("/sys/ivshmem_socket")}[case]
    if case == "regular_file":
        path.write_text("data")
    server = IvshmemServer(path, shm_dir=sock_dir)
    expected = message.format(path=path, parent=path.parent, n=len(os.fsencode(path)))
    with pytest.raises(MachineError) as e:
        server.start()
    assert str(e.value) == expected
    assert os.listdir(sock_dir) == (["file"] if case == "regular_file" else [])
    if case == "regular_file":
        assert path.read_text() == "data"


@pytest.mark.parametrize("size, message", [
    (3 << 20, "shared memory size 3M (3145728 bytes) is not a power of two: "
              "QEMU's ivshmem-doorbell aborts on a BAR of that size"),
    (1000, "shared memory size 1000 is too small: QEMU maps it as a PCI BAR of at least one "
           "page (4096 bytes)"),
    (0, "shared memory size 0 is too small: QEMU maps it as a PCI BAR of at least one "
        "page (4096 bytes)"),
])
def test_bad_sizes_are_refused_with_the_reason(size: int, message: str) -> None:
    with pytest.raises(MachineError) as e:
        IvshmemServer("/nonexistent/s", shm_size=size)
    assert str(e.value) == message
    assert e.value.hint == ("use -l 4M (the next power of two)" if size == 3 << 20
                            else "use -l 4K")


@pytest.mark.parametrize("vectors, message", [
    (65, "too many requested vectors (max is 64)"),
    (0, "invalid number of vectors 0: a peer needs at least one"),
])
def test_bad_vector_counts(vectors: int, message: str) -> None:
    with pytest.raises(MachineError) as e:
        IvshmemServer("/nonexistent/s", vectors=vectors)
    assert str(e.value) == message


def test_shm_directory_file_is_unlinked(sock_dir: Path) -> None:
    with IvshmemServer(sock_dir / "s", shm_dir=sock_dir, shm_size=1 << 16) as server:
        assert os.listdir(sock_dir) == ["s"]
        assert os.fstat(server.shm.fd).st_size == 1 << 16  # type: ignore[union-attr]
        assert fd_kind(server.shm.fd).endswith("(deleted)")  # type: ignore[union-attr]


def test_server_driven_by_an_outside_loop(sock_dir: Path) -> None:
    """The library owns no loop: interest(), handle_ready() and timeout() are enough."""
    with IvshmemServer(sock_dir / "s", shm_dir=sock_dir, vectors=2) as server:
        peer = RawPeer(str(server.socket_path))  # connect() completes in the listen backlog
        got: list[tuple[bytes, int | None]] = []
        peer.sock.setblocking(False)
        deadline = time.monotonic() + TIMEOUT
        with selectors.DefaultSelector() as selector:
            while len(got) < 5:
                assert time.monotonic() < deadline, got
                for obj, events in server.interest().items():
                    selector.register(obj, events)
                assert server.timeout() is None  # nothing is stalled
                for key, events in selector.select(0.01):
                    server.handle_ready(key.fileobj, events)
                for key in list(selector.get_map().values()):
                    selector.unregister(key.fileobj)
                try:
                    got.append(peer.recv())
                except BlockingIOError:
                    pass
        assert [data.hex() for data, _ in got] == [le64(0), le64(0), le64(-1), le64(0), le64(0)]
        assert server.peer_ids == [0] and server.peer_eventfds(0) != []
        peer.close()


def test_second_server_fails_before_touching_the_shm(serve: Serve) -> None:
    name = f"zpy-test-{uuid.uuid4().hex}"
    first = serve(shm_dir=None, shm_name=name, shm_size=1 << 16, unlink_shm=True)
    with pytest.raises(MachineError, match="another server is listening"):
        IvshmemServer(first.path, shm_name=name, shm_size=4096).start()
    assert (SHM_DIR / name).stat().st_size == 1 << 16  # not resized under the first server


def test_shm_failure_leaves_no_socket(sock_dir: Path) -> None:
    with pytest.raises(MachineError) as e:
        IvshmemServer(sock_dir / "s", shm_dir=sock_dir / "missing").start()
    assert str(e.value) == f"cannot create shared memory in {sock_dir / 'missing'}: " \
                           "No such file or directory"
    assert os.listdir(sock_dir) == []
