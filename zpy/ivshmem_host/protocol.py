"""The ivshmem wire format, and nothing else.

QEMU's ivshmem server talks to its peers over an AF_UNIX stream socket, one
way only (server to peer). Every message is 8 bytes, a little-endian signed
64-bit integer, written with its own sendmsg() and carrying at most one file
descriptor as SCM_RIGHTS ancillary data. What a value means depends on where
it comes in the stream and on whether an fd rides with it:

=========================  ========  ============================================
value                      fd        meaning
=========================  ========  ============================================
0 (first message)          none      protocol version (IVSHMEM_PROTOCOL_VERSION)
id (second message)        none      the ID the server gave the receiving peer
-1                         shm fd    the shared memory object
peer ID P                  eventfd   the next vector of P (0, 1, ... in order)
peer ID P                  none      P has left
=========================  ========  ============================================

The receiver reads exactly 8 bytes per recvmsg(): with a larger buffer the
kernel may merge several fd-less messages with a following one that carries an
fd, and the fd would then belong to the last message of the chunk only.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from zpy.ivshmem_host.fdio import FramedReader, send_whole
from zpy.ivshmem_host.fdio import send_part as send_part  # re-exported: the v1 server's sender

#: the version message every server sends first (QEMU 2.5 and later)
IVSHMEM_PROTOCOL_VERSION = 0
#: where QEMU's tools put the server socket by default
DEFAULT_SOCKET_PATH = "/tmp/ivshmem_socket"
#: the POSIX shm name QEMU's server uses by default (/dev/shm/ivshmem)
DEFAULT_SHM_NAME = "ivshmem"
#: 4 MiB, QEMU's default
DEFAULT_SHM_SIZE = 4 * 1024 * 1024
#: eventfds (MSI-X vectors) per peer unless told otherwise
DEFAULT_VECTORS = 1
#: QEMU's server and client accept at most this many vectors per peer
MAX_VECTORS = 64
#: peer IDs are 16 bits; QEMU rejects any message value above this
MAX_PEER_ID = 65535
#: the value that carries the shared memory fd
SHM_MESSAGE = -1

MESSAGE_SIZE = 8
_WIRE = struct.Struct("<q")


def encode(value: int) -> bytes:
    """The 8 wire bytes of `value` (raises struct.error outside int64)."""
    return _WIRE.pack(value)


def decode(data: bytes | bytearray | memoryview) -> int:
    """The value of exactly 8 wire bytes."""
    return _WIRE.unpack(data)[0]


@dataclass(frozen=True, slots=True)
class Message:
    """One received message: the value and the fd that came with it, if any.

    The receiver owns `fd` and must close it (or keep it) once decoded.
    """

    value: int
    fd: int | None = None


def send_message(sock: socket.socket, value: int, fd: int | None = None) -> None:
    """Send one whole message on a blocking socket, as QEMU's server does.

    The fd goes with the first sendmsg(); the rare short write is completed
    without it.
    """
    send_whole(sock, encode(value), fd)


class MessageReader(FramedReader):
    """Reassembles messages from one stream socket, 8 bytes per recvmsg().

    Works on blocking and non-blocking sockets: a short read is kept and
    completed by the next call. An fd that arrives with any part of a message
    belongs to that message; any further fd (a broken server) is closed and
    counted in `extra_fds_closed`, so received fds never leak.
    """

    def receive(self) -> Message | None:
        """The next whole message, or None if a non-blocking socket has no more yet.

        Raises EOFError when the other side has closed the stream (any
        half-read message is discarded, its fd closed), socket.timeout when a
        socket with a timeout stays quiet, and OSError for socket errors.
        """
        if not self.fill(MESSAGE_SIZE):
            return None
        data, fd = self.take()
        return Message(decode(data), fd)
