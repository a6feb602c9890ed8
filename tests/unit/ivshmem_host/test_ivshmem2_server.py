"""Ivshmem2Server against real sockets and eventfds: the RFC's message order byte for byte,
lowest-free IDs, max peers, the state table, virtio roles, misbehaving peers, bad options."""

from __future__ import annotations

import logging
import mmap
import os
import socket
import struct
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from zpy.errors import MachineError
from zpy.ivshmem_host.client import PeerConnection, read_eventfd
from zpy.ivshmem_host.events import PeerLeft, PeerVector, ServerGone
from zpy.ivshmem_host.shm import SHM_DIR
from zpy.ivshmem_host.v2.client import V2PeerConnection
from zpy.ivshmem_host.v2.layout import V2Layout
from zpy.ivshmem_host.v2.protocol import Frame, FrameReader
from zpy.ivshmem_host.v2.server import Ivshmem2Server

from .ivshmem_helpers import TIMEOUT, ServerThread, fd_kind, settle, wait_until

Serve = Callable[..., ServerThread]
Peers2 = Callable[..., V2PeerConnection]


# Messages spelled independently of zpy's encoder.
def le32(value: int) -> str:
    return value.to_bytes(4, "little").hex()


def init(peer_id: int, max_peers: int, vectors: int, protocol: int = 0, oss: int = 0) -> str:
    return ("00000000" "28000000" "02000000" "02000000" + le32(peer_id) + le32(max_peers)
            + le32(vectors) + le32(protocol) + oss.to_bytes(8, "little").hex())


def event_fd(peer_id: int, vector: int) -> str:
    return "01000000" "10000000" + le32(peer_id) + le32(vector)


def peer_gone(peer_id: int) -> str:
    return "02000000" "0c000000" + le32(peer_id)


class RawPeer2:
    """A bare v2 peer: frames exactly as they come, nothing interpreted."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(path)
        self.reader = FrameReader(self.sock)
        self.fds: list[int] = []

    def recv(self) -> tuple[str, int | None]:
        frame = self.reader.receive()
        assert isinstance(frame, Frame)
        if frame.fd is not None:
            self.fds.append(frame.fd)
        return frame.data.hex(), frame.fd

    def recv_many(self, count: int) -> list[tuple[str, int | None]]:
        return [self.recv() for _ in range(count)]

    def read_all(self, quiet: float = 0.3) -> list[tuple[str, int | None]]:
        """Everything until the server goes quiet or hangs up."""
        self.sock.settimeout(quiet)
        got = []
        try:
            while True:
                got.append(self.recv())
        except (TimeoutError, EOFError):
            return got
        finally:
            self.sock.settimeout(TIMEOUT)

    def assert_quiet(self, wait: float = 0.05) -> None:
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(64, socket.MSG_PEEK)
        except TimeoutError:
            return
        finally:
            self.sock.settimeout(TIMEOUT)
        raise AssertionError(f"unexpected bytes from the server: {data.hex()}")

    def close(self) -> None:
        self.sock.close()
        self.reader.discard()
        for fd in self.fds:
            os.close(fd)
        self.fds = []


@pytest.fixture
def raw2() -> Iterator[Callable[[str], RawPeer2]]:
    made: list[RawPeer2] = []

    def connect(path: str) -> RawPeer2:
        made.append(RawPeer2(path))
        return made[-1]

    yield connect
    for peer in made:
        peer.close()


def expected_stream(own: int, order: list[int], max_peers: int, vectors: int) -> list[str]:
    """What `own` receives once every peer of `order` (connection order) is connected."""
    stream = [init(own, max_peers, vectors)]
    at = order.index(own)
    for other in order[:at]:
        stream += [event_fd(other, v) for v in range(vectors)]
    stream += [event_fd(own, v) for v in range(vectors)]
    for other in order[at + 1:]:
        stream += [event_fd(other, v) for v in range(vectors)]
    return stream


# -- Message order ---------------------------------------------------------------------------


@pytest.mark.parametrize("vectors", [1, 3])
@pytest.mark.parametrize("count", [2, 3])
def test_message_order_is_the_rfcs_byte_for_byte(serve2: Serve, raw2: Callable[[str], RawPeer2],
                                                 count: int, vectors: int) -> None:
    srv = serve2(max_peers=3, vectors=vectors)
    peers: list[RawPeer2] = []
    got: dict[int, list[tuple[str, int | None]]] = {}
    for peer_id in range(count):
        peer = raw2(srv.path)
        got[peer_id] = [peer.recv()]  # its INIT: accepted, in this order
        peers.append(peer)
    order = list(range(count))
    for peer_id, peer in enumerate(peers):
        expected = expected_stream(peer_id, order, 3, vectors)
        got[peer_id] += peer.recv_many(len(expected) - 1)
        peer.assert_quiet()
        assert [data for data, _ in got[peer_id]] == expected, f"peer {peer_id}"
        assert all(fd is not None for _, fd in got[peer_id]), "every INIT and EVENT_FD has an fd"

    shm = srv.server.shm
    assert shm is not None
    for peer_id in order:  # INIT carries the server's shm object
        fd = got[peer_id][0][1]
        assert fd is not None and os.fstat(fd).st_ino == os.fstat(shm.fd).st_ino

    def fds_for(observer: int, target: int) -> list[int]:
        return [fd for data, fd in got[observer][1:]
                if data.startswith("01000000" "10000000" + le32(target)) and fd is not None]

    for observer in order:  # the k-th eventfd announced for P rings P's own k-th vector
        for target in order:
            for vector, fd in enumerate(fds_for(observer, target)):
                assert fd_kind(fd) == "anon_inode:[eventfd]"
                os.write(fd, (1).to_bytes(8, "little"))
                counts = [read_eventfd(own) for own in fds_for(target, target)]
                assert counts == [1 if v == vector else 0 for v in range(vectors)]


def test_lowest_free_id_is_reused(serve2: Serve, peers2: Peers2) -> None:
    srv = serve2(max_peers=4)
    a, b, c = peers2(srv.path), peers2(srv.path), peers2(srv.path)
    assert (a.own_id, b.own_id, c.own_id) == (0, 1, 2)
    b.close()
    wait_until(a, lambda: 1 not in a.peers and 2 in a.peers)
    d = peers2(srv.path)
    assert d.own_id == 1  # not 3
    wait_until(d, lambda: len(d.own_vectors) == 1)
    assert list(d.peers) == [0, 2]  # the others, in connection order
    a.close()
    c.close()
    wait_until(d, lambda: list(d.peers) == [])
    assert [peers2(srv.path).own_id for _ in range(3)] == [0, 2, 3]
    assert srv.server.peer_ids == [1, 0, 2, 3]  # connection order


def test_peer_beyond_max_peers_is_refused(serve2: Serve, peers2: Peers2,
                                          raw2: Callable[[str], RawPeer2],
                                          caplog: pytest.LogCaptureFixture) -> None:
    srv = serve2(max_peers=2, vectors=2)
    a, b = peers2(srv.path), peers2(srv.path)
    wait_until(a, lambda: len(a.peers.get(1, [])) == 2 and len(a.own_vectors) == 2)
    wait_until(b, lambda: len(b.own_vectors) == 2)
    extra = raw2(srv.path)
    assert extra.sock.recv(64) == b""  # closed without a word
    assert caplog.text.count("refusing a new peer: all 2 peer IDs are in use (max peers 2)") == 1
    assert settle(a) == [] and settle(b) == []  # nobody heard of it
    b.close()
    wait_until(a, lambda: 1 not in a.peers)
    assert peers2(srv.path).own_id == 1  # a place is free again


# -- The state table -------------------------------------------------------------------------


def state_of(mem: mmap.mmap, peer_id: int) -> int:
    return int(struct.unpack_from("=I", mem, 4 * peer_id)[0])


def test_state_entry_is_zero_before_peer_gone_arrives(serve2: Serve, peers2: Peers2,
                                                      raw2: Callable[[str], RawPeer2]) -> None:
    """Each time: the leaver's entry is set (as its State register would), it leaves, and the
    watcher reads 0 there the moment PEER_GONE is in its hands."""
    srv = serve2(max_peers=3)
    watcher = raw2(srv.path)
    data, shm_fd = watcher.recv_many(2)[0]
    assert shm_fd is not None
    with mmap.mmap(shm_fd, 4096) as table:
        for round_ in range(20):
            leaver = V2PeerConnection.open(srv.path)
            assert leaver.own_id == 1
            with mmap.mmap(leaver.shm_fd, 4096) as own:  # type: ignore[arg-type]
                struct.pack_into("=I", own, 4, 0xC0DE0000 + round_)
            assert [d for d, _ in watcher.recv_many(1)] == [event_fd(1, 0)]
            assert state_of(table, 1) == 0xC0DE0000 + round_
            leaver.close()
            assert watcher.recv() == (peer_gone(1), None)
            assert state_of(table, 1) == 0, f"round {round_}: PEER_GONE before the entry was 0"
            assert state_of(table, 0) == 0
    assert srv.server.state(1) == 0


def test_state_table_cleared_at_start_rest_kept(sock_dir: os.PathLike[str]) -> None:
    path = SHM_DIR / f"zpy-test-{uuid.uuid4().hex}"
    path.write_bytes(b"\x77" * 8192)
    try:
        with Ivshmem2Server(sock_dir / "s", shm_name=path.name, shm_size=8192) as server:
            assert server.state(0) == 0
            contents = path.read_bytes()
            assert contents[:4096] == bytes(4096)  # stale states mean nothing to new peers
            assert contents[4096:] == b"\x77" * 4096  # the R/W section is the users'
    finally:
        path.unlink()


def test_close_zeroes_entries_and_tells_every_peer(serve2: Serve, peers2: Peers2) -> None:
    srv = serve2(max_peers=3)
    a, b, c = peers2(srv.path), peers2(srv.path), peers2(srv.path)
    for conn in (a, b, c):
        wait_until(conn, lambda conn=conn: len(conn.peers) == 2 and conn.own_vectors)
    with mmap.mmap(c.shm_fd, 4096) as table:  # type: ignore[arg-type]
        for peer_id in range(3):
            struct.pack_into("=I", table, 4 * peer_id, 1)
        srv.shutdown()
        assert settle(a) == [ServerGone()]
        assert settle(b) == [PeerLeft(0), ServerGone()]
        assert settle(c) == [PeerLeft(0), PeerLeft(1), ServerGone()]
        assert [state_of(table, i) for i in range(3)] == [0, 0, 0]
    assert not os.path.exists(srv.path)
    assert b.notify(2, 0) and read_eventfd(c.own_vectors[0]) == 1  # still ringing


# -- Protocol numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("protocol, told", [
    (0x8001, (0xC001, 0x8001)),  # virtio-net: peer 0 is the back-end
    (0xC002, (0xC002, 0x8002)),  # given as a back-end value: the front-end still gets 0x8002
    (0x4001, (0x4001, 0x4001)),  # user-defined: the same for everyone
    (0x0001, (0x0001, 0x0001)),
])
def test_protocol_advertised_per_peer(serve2: Serve, peers2: Peers2,
                                      protocol: int, told: tuple[int, int]) -> None:
    srv = serve2(max_peers=2, protocol=protocol)
    a, b = peers2(srv.path), peers2(srv.path)
    assert (a.protocol, b.protocol) == told
    wait_until(b, lambda: 0 in b.peers)
    a.close()
    wait_until(b, lambda: 0 not in b.peers)
    assert peers2(srv.path).protocol == told[0]  # ID 0 again: the back-end again


def test_init_reports_the_layout(serve2: Serve, peers2: Peers2) -> None:
    srv = serve2(shm_size=1 << 20, max_peers=4, vectors=2, output_section_size=64 << 10)
    peer = peers2(srv.path)
    assert (peer.max_peers, peer.vectors, peer.output_section_size) == (4, 2, 64 << 10)
    assert peer.shm_size == 1 << 20 and peer.server_version == 2
    layout = peer.layout
    assert (layout.rw_offset, layout.rw_size) == (4096, (1 << 20) - 4096 - 4 * (64 << 10))
    assert layout.output_section(0) == (4096 + layout.rw_size, 64 << 10)
    assert layout.output_section(3) == ((1 << 20) - (64 << 10), 64 << 10)
    assert layout.describe() == \
        "state table 4K @0, R/W 764K @4K, 4 output sections of 64K @768K"


# -- Misbehaving peers ---------------------------------------------------------------------------


def test_peer_that_sends_data_is_dropped_and_its_id_freed(
        serve2: Serve, peers2: Peers2, raw2: Callable[[str], RawPeer2],
        caplog: pytest.LogCaptureFixture) -> None:
    srv = serve2(max_peers=3, vectors=2)
    a = peers2(srv.path)
    chatty = raw2(srv.path)
    chatty.recv()
    wait_until(a, lambda: len(a.peers.get(1, [])) == 2)
    chatty.sock.send(b"hello")
    assert wait_until(a, lambda: 1 not in a.peers) == [PeerLeft(1)]
    assert "peer 1 sent 5 byte(s), but peers never send: dropped" in caplog.text
    assert peers2(srv.path).own_id == 1


def test_peer_gone_mid_setup(serve2: Serve, peers2: Peers2, raw2: Callable[[str], RawPeer2],
                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    srv = serve2(max_peers=3, vectors=64)
    a = peers2(srv.path)
    wait_until(a, lambda: len(a.own_vectors) == 64)
    leaver = raw2(srv.path)
    leaver.sock.close()  # before it read a byte of its 1 + 64 + 64 messages
    seen: list[object] = []
    deadline = time.monotonic() + TIMEOUT
    while PeerLeft(1) not in seen:
        assert time.monotonic() < deadline, seen
        seen += settle(a, 0.05)
    assert [(type(e), getattr(e, "peer_id", None)) for e in seen] == \
        [(PeerVector, 1)] * 64 + [(PeerLeft, 1)]
    assert "peer 1 " in caplog.text
    assert srv.server.state(1) == 0
    newcomer = peers2(srv.path)
    assert newcomer.own_id == 1
    wait_until(newcomer, lambda: len(newcomer.own_vectors) == 64)
    assert list(newcomer.peers) == [0]



def test_stalled_peer_drains_everything_in_order(serve2: Serve, peers2: Peers2,
                                                 raw2: Callable[[str], RawPeer2]) -> None:
    """A peer that does not read while 120 peers come and go on one reused ID."""
    srv = serve2(max_peers=3, vectors=3)
    stalled = raw2(srv.path)
    watcher = peers2(srv.path)
    for _ in range(120):
        with V2PeerConnection.open(srv.path) as joiner:
            assert joiner.own_id == 2
            wait_until(watcher, lambda: len(watcher.peers.get(2, [])) == 3)
        wait_until(watcher, lambda: 2 not in watcher.peers)
    assert srv.server.queued(0) > 0, "the stalled peer's socket never filled"
    got = stalled.read_all()
    expected = [init(0, 3, 3)] + [event_fd(0, v) for v in range(3)] + \
        [event_fd(1, v) for v in range(3)]
    for _ in range(120):
        expected += [event_fd(2, v) for v in range(3)] + [peer_gone(2)]
    assert [data for data, _ in got] == expected
    assert all(fd_kind(fd) == "anon_inode:[eventfd]" for _, fd in got[1:] if fd is not None)
    assert srv.server.queued(0) == 0


def test_stalled_peer_dropped_when_queue_bound_is_hit(
        serve2: Serve, peers2: Peers2, raw2: Callable[[str], RawPeer2],
        caplog: pytest.LogCaptureFixture) -> None:
    srv = serve2(max_peers=3, vectors=3, max_queued=20)
    stalled = raw2(srv.path)
    watcher = peers2(srv.path)
    seen: list[object] = []
    deadline = time.monotonic() + TIMEOUT
    while "peer 0 dropped" not in caplog.text:
        assert time.monotonic() < deadline
        with V2PeerConnection.open(srv.path) as joiner:
            seen += wait_until(watcher, lambda: joiner.own_id in watcher.peers)  # noqa: B023
            gone = joiner.own_id
        # its ID is free again before the next joiner asks for one (3 peers at most)
        seen += wait_until(watcher, lambda: gone not in watcher.peers)  # noqa: B023
        seen += settle(watcher, 0.001)
    seen += wait_until(watcher, lambda: PeerLeft(0) in seen + watcher.handle_readable())
    assert "peer 0 dropped: more than 20 messages waiting: it does not read" in caplog.text
    assert srv.server.state(0) == 0
    stalled.read_all()  # what fitted in its socket, then EOF
    assert stalled.sock.recv(16) == b""
    assert peers2(srv.path).own_id == 0  # its place is free


# -- Several servers, bad options -----------------------------------------------------------------


def test_v1_and_v2_servers_in_one_process(serve: Serve, serve2: Serve,
                                          peers: Callable[..., PeerConnection],
                                          peers2: Peers2) -> None:
    one, two = serve("one", vectors=2, name="v1"), serve2("two", max_peers=2, name="v2")
    v1a, v1b = peers(one.path), peers(one.path)
    v2a, v2b = peers2(two.path), peers2(two.path)
    assert (v1a.own_id, v1b.own_id, v2a.own_id, v2b.own_id) == (0, 1, 0, 1)
    wait_until(v2a, lambda: 1 in v2a.peers)
    wait_until(v1b, lambda: len(v1b.own_vectors) == 2)
    assert v2a.notify(1, 0)
    wait_until(v2b, lambda: len(v2b.own_vectors) == 1)
    assert read_eventfd(v2b.own_vectors[0]) == 1
    assert read_eventfd(v1b.own_vectors[0]) == 0


@pytest.mark.parametrize("options, message", [
    ({"shm_size": 3 << 20}, "shared memory size 3M (3145728 bytes) is not a power of two: QEMU "
                            "maps the shared memory as one PCI BAR and aborts on a BAR of that size"),
    ({"shm_size": 6000}, "shared memory size 6000 is not a multiple of the page size (4096 bytes)"),
    ({"shm_size": 0}, "shared memory size 0 is too small: the state table alone takes 4K"),
    ({"output_section_size": 100},
     "output section size 100 is not a multiple of the page size (4096 bytes)"),
    ({"shm_size": 1 << 16, "output_section_size": 32 << 10},
     "Invalid output section size, shared memory too small: 4K state table + 2 x 32K output "
     "sections = 68K, more than 64K"),
    ({"max_peers": 1}, "invalid max peers 1: at least 2 (a peer and one to talk to)"),
    ({"max_peers": 65537}, "invalid max peers 65537: at most 65536 (peer IDs are 16 bits)"),
    ({"max_peers": 1025}, "max peers 1025 do not fit the state table: its 4096 bytes hold one "
                          "4-byte entry per peer, 1024 peers at most"),
    ({"vectors": 0}, "invalid number of vectors 0: a peer needs at least one"),
    ({"vectors": 65}, "too many requested vectors (max is 64)"),
    ({"protocol": 0x10000}, "invalid protocol 0x10000: a 16-bit value is expected (0 to 0xffff)"),
    ({"protocol": -1}, "invalid protocol -0x1: a 16-bit value is expected (0 to 0xffff)"),
    ({"protocol": 0x8000, "max_peers": 3}, "protocol 0x8000 is virtio (0x8000 and up), which "
                                           "links one front-end to one back-end: max peers must "
                                           "be 2, not 3"),
], ids=["pow2", "page", "zero", "oss_page", "too_small", "peers1", "peers65537", "peers1025",
        "vectors0", "vectors65", "proto17bit", "proto_negative", "virtio3"])
def test_bad_options_are_refused_with_the_reason(options: dict[str, int], message: str) -> None:
    with pytest.raises(MachineError) as e:
        Ivshmem2Server("/nonexistent/s", **options)  # type: ignore[arg-type]
    assert str(e.value) == message


def test_largest_table_and_smallest_memory_are_fine(serve2: Serve, peers2: Peers2) -> None:
    srv = serve2(shm_size=4096, max_peers=1024)
    assert srv.server.layout.rw_size == 0
    peer = peers2(srv.path)
    assert (peer.own_id, peer.max_peers, peer.shm_size) == (0, 1024, 4096)


def test_layout_arithmetic() -> None:
    layout = V2Layout(1 << 20, 3, 8192)
    assert (layout.rw_offset, layout.rw_size, layout.output_offset) == \
        (4096, (1 << 20) - 4096 - 3 * 8192, (1 << 20) - 3 * 8192)
    assert [layout.output_section(i)[0] for i in range(3)] == \
        [(1 << 20) - 3 * 8192, (1 << 20) - 2 * 8192, (1 << 20) - 8192]
    assert V2Layout.state_offset(5) == 20
    with pytest.raises(ValueError):
        layout.output_section(3)
