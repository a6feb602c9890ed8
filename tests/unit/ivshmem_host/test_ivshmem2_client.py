"""V2PeerConnection against scripted, broken v2 servers: the RFC device's checks, faults after
setup, partial messages, no fd leaks; and against the real server: doorbells, server loss."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from zpy.errors import ProtocolError
from zpy.ivshmem_host.connection import ServerUnreachable
from zpy.ivshmem_host.events import OwnVector, PeerLeft, PeerVector, ProtocolFault, ServerGone
from zpy.ivshmem_host.v2.client import V2PeerConnection
from zpy.ivshmem_host.v2.protocol import EventFdMessage, InitMessage, PeerGoneMessage

from .ivshmem_helpers import (
    FakeServer,
    fd_kind,
    new_eventfd,
    new_shm,
    open_fds,
    settle,
)

Script = list[tuple[bytes, int | None]]


def init(peer_id: int = 1, max_peers: int = 3, vectors: int = 2, protocol: int = 0,
         oss: int = 0, compatible: int = 2) -> bytes:
    return InitMessage(peer_id, max_peers, vectors, protocol, oss,
                       compatible_version=compatible).encode()


def ev(peer_id: int, vector: int) -> bytes:
    return EventFdMessage(peer_id, vector).encode()


def gone(peer_id: int) -> bytes:
    return PeerGoneMessage(peer_id).encode()


def raw(kind: int, length: int, body: bytes = b"") -> bytes:
    return kind.to_bytes(4, "little") + length.to_bytes(4, "little") + body


def setup_error(fake: FakeServer, script: Callable[[], Script], then_close: bool = False,
                timeout: float = 5.0) -> str:
    """Run setup() against `script()`; return the ProtocolError text. No fd may leak."""
    before = open_fds()
    sender = fake.accept_raw_in_background(script(), then_close)
    conn = V2PeerConnection()
    conn.connect(fake.path)
    with pytest.raises(ProtocolError) as e:
        conn.setup(timeout)
    sender.join(5)
    fake.conn.close()  # type: ignore[union-attr]
    fake.conn = None
    assert open_fds() - before == set(), "setup failure leaked fds"
    return str(e.value)


@pytest.mark.parametrize("script, message", [
    (lambda: [(init(compatible=1), new_shm())], "server sent compatible version 1, expecting 2"),
    (lambda: [(init(compatible=3), new_shm())], "server sent compatible version 3, expecting 2"),
    (lambda: [(raw(0, 32, init()[8:32]), new_shm())],
     "invalid INIT message: 32 bytes, expecting at least 40"),
    (lambda: [(init(), None)], "server didn't provide fd with INIT message"),
    (lambda: [(init(vectors=0), new_shm())],
     "server sent invalid number of vectors 0 (expecting 1 to 1024)"),
    (lambda: [(init(vectors=1025), new_shm())],
     "server sent invalid number of vectors 1025 (expecting 1 to 1024)"),
    (lambda: [(init(peer_id=65536), new_shm())], "server sent invalid ID 65536 (at most 65535)"),
    (lambda: [(ev(0, 0), new_eventfd())], "server sent message type 1, expecting INIT (type 0)"),
    (lambda: [(raw(7, 8), None)], "server sent message type 7, expecting INIT (type 0)"),
    (lambda: [(raw(0, 4), new_shm())],
     "invalid message length 4 (type 0): shorter than its own header, the stream cannot be "
     "followed"),
    (lambda: [(init(max_peers=2, oss=8192), new_shm(4096))],
     "Invalid output section size, shared memory too small: 4K state table + 2 x 8K output "
     "sections = 20K, more than 4K"),
], ids=["compatible1", "compatible3", "short_init", "no_fd", "vectors0", "vectors1025",
        "id65536", "event_fd_first", "unknown_first", "length4", "too_small"])
def test_setup_refuses_what_the_rfc_device_refuses(fake_server: FakeServer,
                                                   script: Callable[[], Script],
                                                   message: str) -> None:
    assert setup_error(fake_server, script) == f"{fake_server.path}: {message}"


def test_setup_names_a_server_that_hangs_up_or_says_nothing(fake_server: FakeServer) -> None:
    assert setup_error(fake_server, lambda: [], then_close=True) == \
        f"{fake_server.path}: server closed the connection before sending the INIT message"
    start = time.monotonic()
    assert setup_error(fake_server, lambda: [(init()[:20], None)], timeout=0.2) == \
        f"{fake_server.path}: no answer from the server: the INIT message did not come " \
        "within 0.2 s"
    assert time.monotonic() - start < 2


def test_longer_init_split_across_sends_is_accepted(fake_server: FakeServer) -> None:
    longer = bytearray(init(peer_id=2, max_peers=4, vectors=3, protocol=0x4001, oss=4096)
                       + b"\x99" * 24)
    longer[4:8] = (64).to_bytes(4, "little")
    shm = new_shm(1 << 16)
    # three sendmsg() calls: the fd with the first, the message ends inside the third
    sender = fake_server.accept_raw_in_background(
        [(bytes(longer[:5]), shm), (bytes(longer[5:41]), None), (bytes(longer[41:]) + ev(0, 0)[:3],
                                                                  None)])
    with V2PeerConnection.open(fake_server.path) as conn:
        sender.join(5)
        assert (conn.own_id, conn.max_peers, conn.vectors, conn.protocol) == (2, 4, 3, 0x4001)
        assert (conn.output_section_size, conn.shm_size, conn.server_version) == \
            (4096, 1 << 16, 2)
        assert fd_kind(conn.shm_fd).startswith("/memfd:ivshmem-test")  # type: ignore[arg-type]
        # the rest of the EVENT_FD comes later, byte by byte, with its fd on the first byte
        efd = new_eventfd()
        rest = ev(0, 0)[3:]
        fake_server.send_raw(rest[:1], efd)
        assert settle(conn, 0.05) == []
        for i in range(1, len(rest)):
            fake_server.send_raw(rest[i:i + 1])
        events = settle(conn)
        assert [(type(e), e.peer_id, e.vector) for e in events  # type: ignore[union-attr]
                ] == [(PeerVector, 0, 0)]
        assert fd_kind(conn.peers[0][0]) == "anon_inode:[eventfd]"


def test_faults_after_setup_are_reported_and_the_connection_stays(
        fake_server: FakeServer) -> None:
    sender = fake_server.accept_raw_in_background([(init(peer_id=1, max_peers=3, vectors=2),
                                                    new_shm())])
    conn = V2PeerConnection.open(fake_server.path)
    sender.join(5)
    before = open_fds()
    script: Script = [
        (ev(0, 1), new_eventfd()),                # vector 1 before vector 0
        (ev(0, 0), new_eventfd()),
        (ev(0, 1), new_eventfd()),
        (ev(0, 2), new_eventfd()),                # in order, but the device has 2 vectors
        (raw(1, 12, (0).to_bytes(4, "little")), new_eventfd()),  # EVENT_FD of 12 bytes
        (ev(2, 0), None),                         # EVENT_FD without an eventfd
        (ev(3, 0), new_eventfd()),                # peer 3 with max peers 3
        (raw(9, 20, b"\x00" * 12), new_eventfd()),  # a type nobody knows, then in step again
        (init(), new_shm()),                      # a second INIT
        (gone(1), None),                          # ourselves
        (gone(2), None),                          # never heard of: ignored
        (ev(1, 0), new_eventfd()),                # our own vector 0
        (gone(0), new_eventfd()),                 # a departure with a stray fd
    ]
    for data, fd in script:
        fake_server.send_raw(data, fd)
    events = settle(conn)
    shown = [e if not isinstance(e, PeerVector | OwnVector) else (type(e), e.vector)
             for e in events]
    assert shown == [
        ProtocolFault("Received vector 1 out of order"),
        (PeerVector, 0),
        (PeerVector, 1),
        ProtocolFault("Too many eventfd received, device has 2 vectors"),
        ProtocolFault("invalid EVENT_FD message: 12 bytes, expecting at least 16"),
        ProtocolFault("server didn't provide fd with EVENT_FD message (peer 2, vector 0)"),
        ProtocolFault("invalid peer 3 (max peers 3)"),
        ProtocolFault("invalid message, type 9"),
        ProtocolFault("server sent unexpected INIT message"),
        ProtocolFault("invalid peer 1"),
        (OwnVector, 0),
        PeerLeft(0),
    ]
    assert conn.connected and conn.peers == {}
    assert open_fds() - before == {conn.own_vectors[0]}, "rejected fds must be closed"
    fake_server.conn.close()  # type: ignore[union-attr]
    assert settle(conn) == [ServerGone()]
    assert settle(conn) == [] and not conn.connected
    conn.close()


def test_unfollowable_length_after_setup_hangs_up(fake_server: FakeServer) -> None:
    sender = fake_server.accept_raw_in_background([(init(), new_shm())])
    conn = V2PeerConnection.open(fake_server.path)
    sender.join(5)
    fake_server.send_raw(ev(0, 0), new_eventfd())
    fake_server.send_raw(raw(2, 3) + gone(0))
    events = settle(conn)
    assert [type(e) for e in events] == [PeerVector, ProtocolFault, ServerGone]
    assert events[1] == ProtocolFault("invalid message length 3 (type 2): shorter than its own "
                                      "header, the stream cannot be followed")
    assert fake_server.conn is not None
    fake_server.conn.settimeout(5)
    assert fake_server.conn.recv(16) == b""  # the server hears us leave
    assert conn.handle_readable() == [] and not conn.connected
    assert conn.notify(0, 0)  # what we have keeps working
    conn.close()


def test_connect_without_server() -> None:
    with pytest.raises(ServerUnreachable) as e:
        V2PeerConnection.open("/nonexistent/sock")
    assert str(e.value) == "cannot connect to ivshmem server /nonexistent/sock: " \
                           "No such file or directory"
