"""The ivshmem-v2 wire format: golden bytes, one sendmsg and one fd per message, framing."""

from __future__ import annotations

import array
import os
import socket

import pytest

from zpy.errors import ProtocolError
from zpy.ivshmem_host.v2 import protocol
from zpy.ivshmem_host.v2.protocol import (
    EventFdMessage,
    Frame,
    FrameReader,
    InitMessage,
    PeerGoneMessage,
    decode,
    send_message,
)

from .ivshmem_helpers import fd_kind, new_eventfd, open_fds

# Spelled by hand from the RFC's structs: little-endian u32 type, u32 len, then the fields.
GOLDEN = [
    (InitMessage(id=1, max_peers=2, vectors=3, protocol=0xC001, output_section_size=0x10000),
     "00000000" "28000000" "02000000" "02000000" "01000000" "02000000" "03000000" "01c00000"
     "0000010000000000"),
    (InitMessage(id=65535, max_peers=1024, vectors=64, protocol=0, output_section_size=1 << 32,
                 version=3, compatible_version=2),
     "00000000" "28000000" "03000000" "02000000" "ffff0000" "00040000" "40000000" "00000000"
     "0000000001000000"),
    (EventFdMessage(id=0x0102, vector=5), "01000000" "10000000" "02010000" "05000000"),
    (EventFdMessage(id=0, vector=63), "01000000" "10000000" "00000000" "3f000000"),
    (PeerGoneMessage(id=7), "02000000" "0c000000" "07000000"),
]


def frame_of(wire: bytes, fd: int | None = None) -> Frame:
    return Frame(int.from_bytes(wire[:4], "little"), int.from_bytes(wire[4:8], "little"),
                 wire[:40], fd)


@pytest.mark.parametrize("message, kind, size", [
    (GOLDEN[0][0], protocol.MSG_INIT, protocol.INIT_SIZE),
    (GOLDEN[2][0], protocol.MSG_EVENT_FD, protocol.EVENT_FD_SIZE),
    (GOLDEN[4][0], protocol.MSG_PEER_GONE, protocol.PEER_GONE_SIZE),
], ids=["INIT", "EVENT_FD", "PEER_GONE"])
def test_constants_describe_the_hand_spelled_messages(message: protocol.V2Message, kind: int,
                                                      size: int) -> None:
    """Each type code and size is the one in the RFC's bytes (the golden hex above)."""
    wire = bytes.fromhex(next(w for m, w in GOLDEN if m == message))
    assert (int.from_bytes(wire[:4], "little"), int.from_bytes(wire[4:8], "little")) == (
        kind, size)
    assert len(wire) == size


def test_init_carries_the_protocol_version() -> None:
    wire = bytes.fromhex(GOLDEN[0][1])
    assert int.from_bytes(wire[8:12], "little") == protocol.PROTOCOL_VERSION


@pytest.mark.parametrize("message, wire", GOLDEN, ids=lambda v: str(v)[:20])
def test_golden_bytes(message: protocol.V2Message, wire: str) -> None:
    assert message.encode().hex() == wire
    assert decode(frame_of(bytes.fromhex(wire))) == message


@pytest.mark.parametrize("wire, error", [
    ("00000000" "20000000" + "00" * 24, "invalid INIT message: 32 bytes, expecting at least 40"),
    ("01000000" "0c000000" "00000000", "invalid EVENT_FD message: 12 bytes, expecting at least 16"),
    ("02000000" "08000000", "invalid PEER_GONE message: 8 bytes, expecting at least 12"),
    ("03000000" "08000000", "invalid message, type 3"),
    ("ffffffff" "0c000000" "00000000", "invalid message, type 4294967295"),
])
def test_decode_refuses_short_and_unknown_messages(wire: str, error: str) -> None:
    with pytest.raises(ProtocolError) as e:
        decode(frame_of(bytes.fromhex(wire)))
    assert str(e.value) == error


def test_messages_read_well_in_logs() -> None:
    assert str(GOLDEN[0][0]) == \
        "INIT id=1 max_peers=2 vectors=3 protocol=0xc001 output_section_size=65536"
    assert str(EventFdMessage(3, 1)) == "EVENT_FD id=3 vector=1"
    assert str(PeerGoneMessage(3)) == "PEER_GONE id=3"


def test_send_message_is_one_sendmsg_with_one_fd() -> None:
    a, b = socket.socketpair()
    efd = new_eventfd()
    with a, b:
        send_message(a, EventFdMessage(3, 0), efd)
        send_message(a, PeerGoneMessage(3))
        # the kernel ends a read right after the segment that carries fds
        data, fds, _flags, _ = socket.recv_fds(b, 256, 4)
        assert data.hex() == "01000000100000000300000000000000" and len(fds) == 1
        assert fd_kind(fds[0]) == "anon_inode:[eventfd]"
        os.close(fds[0])
        data, fds, _flags, _ = socket.recv_fds(b, 256, 4)
        assert data.hex() == "020000000c00000003000000" and fds == []
    os.close(efd)


def send_with_fd(sock: socket.socket, data: bytes, fd: int) -> None:
    sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])


def test_reader_reassembles_messages_split_anywhere_with_their_fd() -> None:
    a, b = socket.socketpair()
    b.setblocking(False)
    efd = new_eventfd()
    reader = FrameReader(b)
    init = InitMessage(1, 2, 1, 0, 0).encode()
    gone = PeerGoneMessage(0).encode()
    with a, b:
        send_with_fd(a, init[:3], efd)  # inside the header
        assert reader.receive() is None and reader.partial
        a.send(init[3:20])  # header done, body begun
        assert reader.receive() is None
        a.send(init[20:] + gone[:5])  # the rest, and the start of the next message
        frame = reader.receive()
        assert frame is not None and frame.fd is not None and frame.length == 40
        assert decode(frame) == InitMessage(1, 2, 1, 0, 0)
        assert fd_kind(frame.fd) == "anon_inode:[eventfd]"
        os.close(frame.fd)
        assert reader.receive() is None
        a.send(gone[5:])
        frame = reader.receive()
        assert frame is not None and frame.fd is None and decode(frame) == PeerGoneMessage(0)
        assert reader.receive() is None and not reader.partial
    os.close(efd)


def test_reader_skips_bytes_beyond_what_it_knows() -> None:
    """A longer INIT (a newer server), a huge unknown message: skipped, the stream stays in step."""
    a, b = socket.socketpair()
    b.setblocking(False)
    reader = FrameReader(b)
    longer_init = bytearray(InitMessage(4, 3, 2, 1, 0).encode() + b"\xee" * 24)
    longer_init[4:8] = (64).to_bytes(4, "little")
    unknown = (9).to_bytes(4, "little") + (200_008).to_bytes(4, "little") + b"\xaa" * 200_000
    efd = new_eventfd()
    with a, b:
        a.send(bytes(longer_init))
        frame = reader.receive()
        assert frame is not None and frame.length == 64
        assert decode(frame) == InitMessage(4, 3, 2, 1, 0)
        a.setblocking(False)
        sent = a.send(unknown)
        frames = []
        while sent < len(unknown):  # more than the socket holds: read as it is written
            frame = reader.receive()
            assert frame is None
            try:
                sent += a.send(unknown[sent:])
            except BlockingIOError:
                pass
        a.setblocking(True)
        send_with_fd(a, EventFdMessage(2, 1).encode(), efd)
        while len(frames) < 2:
            frame = reader.receive()
            if frame is not None:
                frames.append(frame)
        assert (frames[0].type, frames[0].length, frames[0].fd) == (9, 200_008, None)
        with pytest.raises(ProtocolError, match="^invalid message, type 9$"):
            decode(frames[0])
        assert decode(frames[1]) == EventFdMessage(2, 1) and frames[1].fd is not None
        os.close(frames[1].fd)
    os.close(efd)


def test_fds_stay_with_their_messages() -> None:
    """Fd-less messages followed by ones with fds, all in the socket before the first read."""
    a, b = socket.socketpair()
    efd = new_eventfd()
    reader = FrameReader(b)
    script = [(PeerGoneMessage(5), None), (PeerGoneMessage(6), None),
              (EventFdMessage(1, 0), efd), (EventFdMessage(1, 1), efd), (PeerGoneMessage(1), None),
              (InitMessage(0, 2, 1, 0, 0), efd)]
    with a, b:
        for message, fd in script:
            send_message(a, message, fd)
        frames = [reader.receive() for _ in script]
    got = [(decode(f), f.fd is not None) for f in frames if f is not None]
    assert got == [(message, fd is not None) for message, fd in script]
    for f in frames:
        if f is not None and f.fd is not None:
            os.close(f.fd)
    os.close(efd)


def test_length_shorter_than_a_header_cannot_be_followed() -> None:
    efd = new_eventfd()
    before = open_fds()
    a, b = socket.socketpair()
    reader = FrameReader(b)
    with a, b:
        send_with_fd(a, bytes.fromhex("01000000" "04000000"), efd)
        with pytest.raises(ProtocolError) as e:
            reader.receive()
    assert str(e.value) == ("invalid message length 4 (type 1): shorter than its own header, "
                            "the stream cannot be followed")
    assert open_fds() - before == set()  # the fd that came with it is closed
    os.close(efd)


def test_eof_mid_message_closes_its_fd() -> None:
    efd = new_eventfd()
    before = open_fds()
    a, b = socket.socketpair()
    reader = FrameReader(b)
    send_with_fd(a, EventFdMessage(1, 0).encode()[:10], efd)
    a.close()
    with pytest.raises(EOFError):
        reader.receive()
    b.close()
    assert open_fds() - before == set()
    os.close(efd)
