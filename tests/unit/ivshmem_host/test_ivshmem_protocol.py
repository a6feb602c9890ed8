"""The wire format: golden bytes, one fd per message, partial reads, no leaked fds."""

from __future__ import annotations

import array
import os
import socket

import pytest

from zpy.ivshmem_host import protocol
from zpy.ivshmem_host.protocol import Message, MessageReader, decode, encode, send_message

from .ivshmem_helpers import fd_kind, new_eventfd, open_fds

GOLDEN = {
    0: "0000000000000000",
    1: "0100000000000000",
    -1: "ffffffffffffffff",
    65535: "ffff000000000000",
    0x0102030405060708: "0807060504030201",
    -2: "feffffffffffffff",
}


def test_constants_are_qemus() -> None:
    assert protocol.IVSHMEM_PROTOCOL_VERSION == 0
    assert protocol.DEFAULT_SOCKET_PATH == "/tmp/ivshmem_socket"
    assert protocol.DEFAULT_SHM_NAME == "ivshmem"
    assert protocol.DEFAULT_SHM_SIZE == 4 * 1024 * 1024
    assert protocol.DEFAULT_VECTORS == 1
    assert protocol.MAX_VECTORS == 64
    assert protocol.MAX_PEER_ID == 65535


@pytest.mark.parametrize("value", GOLDEN)
def test_golden_bytes(value: int) -> None:
    assert encode(value).hex() == GOLDEN[value]
    assert decode(bytes.fromhex(GOLDEN[value])) == value


def test_send_message_is_one_sendmsg_with_one_fd() -> None:
    a, b = socket.socketpair()
    efd = new_eventfd()
    with a, b:
        send_message(a, 3, efd)
        send_message(a, 3)
        data, fds, _flags, _ = socket.recv_fds(b, 64, 4)
        # the kernel stops a read right after the segment that carries fds
        assert data.hex() == "0300000000000000" and len(fds) == 1
        assert fd_kind(fds[0]) == "anon_inode:[eventfd]"
        os.close(fds[0])
        data, fds, _flags, _ = socket.recv_fds(b, 64, 4)
        assert data.hex() == "0300000000000000" and fds == []
    os.close(efd)


def test_reader_reassembles_partial_messages_with_their_fd() -> None:
    a, b = socket.socketpair()
    b.setblocking(False)
    efd = new_eventfd()
    reader = MessageReader(b)
    with a, b:
        wire = encode(-1)
        a.sendmsg([wire[:3]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [efd]))])
        assert reader.receive() is None and reader.partial
        a.send(wire[3:7])
        assert reader.receive() is None
        a.send(wire[7:] + encode(5)[:1])
        msg = reader.receive()
        assert msg is not None and msg.value == -1 and msg.fd is not None
        assert fd_kind(msg.fd) == "anon_inode:[eventfd]"
        os.close(msg.fd)
        a.send(encode(5)[1:])
        assert reader.receive() == Message(5, None)
        assert reader.receive() is None
    os.close(efd)


def test_reader_never_merges_messages_into_one_read() -> None:
    """Reference 2.8: fd-less messages followed by one with an fd; each fd stays with its message."""
    a, b = socket.socketpair()
    efd = new_eventfd()
    reader = MessageReader(b)
    with a, b:
        for value, fd in [(0, None), (5, None), (-1, efd), (3, efd), (3, efd), (7, None)]:
            send_message(a, value, fd)
        got = [reader.receive() for _ in range(6)]
    assert [m.value for m in got if m] == [0, 5, -1, 3, 3, 7]
    assert [m.fd is not None for m in got if m] == [False, False, True, True, True, False]
    for m in got:
        if m and m.fd is not None:
            os.close(m.fd)
    os.close(efd)


def test_reader_closes_extra_fds_and_eof_discards_half_message() -> None:
    e1, e2 = new_eventfd(), new_eventfd()
    before = open_fds()
    a, b = socket.socketpair()
    reader = MessageReader(b)
    # a broken sender: two fds on one message
    a.sendmsg([encode(4)], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [e1, e2]))])
    msg = reader.receive()
    assert msg is not None and msg.value == 4 and msg.fd is not None
    assert reader.extra_fds_closed == 1
    os.close(msg.fd)
    # half a message with an fd, then EOF: the fd must not leak
    a.sendmsg([encode(4)[:2]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [e1]))])
    a.close()
    with pytest.raises(EOFError):
        reader.receive()
    b.close()
    assert open_fds() - before == set()
    os.close(e1)
    os.close(e2)


def test_reader_on_blocking_socket_with_timeout() -> None:
    a, b = socket.socketpair()
    b.settimeout(0.05)
    with a, b:
        with pytest.raises(TimeoutError):
            MessageReader(b).receive()
