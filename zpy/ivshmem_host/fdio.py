"""Messages with file descriptors on an AF_UNIX stream socket, for both protocol versions.

Both ivshmem protocols send each message with its own sendmsg(), carrying at
most one fd as SCM_RIGHTS ancillary data. The receiving side must never let a
recvmsg() run past the end of a message: with a larger buffer the kernel may
merge several fd-less messages with a following one that carries an fd, and
the fd would then appear to belong to the wrong message. `FramedReader`
therefore asks for exactly the bytes the current message still lacks, and
attaches any fd that arrives meanwhile to that message.
"""

from __future__ import annotations

import array
import os
import socket

_FD_SIZE = array.array("i").itemsize
#: ancillary room for one fd (rounded up by the kernel ABI, so it may hold two)
ANCILLARY_SPACE = socket.CMSG_SPACE(_FD_SIZE)


def send_part(sock: socket.socket, data: bytes | memoryview, fd: int | None) -> int:
    """One sendmsg() of (the rest of) a message; returns the bytes written.

    Attach `fd` only with the first byte of a message. Raises BlockingIOError on
    a full non-blocking socket and OSError when the peer is gone.
    """
    if fd is None:
        return sock.sendmsg([data])
    fds = array.array("i", [fd])
    return sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])


def send_whole(sock: socket.socket, data: bytes, fd: int | None = None) -> None:
    """Send a whole message on a blocking socket: the fd goes with the first sendmsg(),
    the rare short write is completed without it."""
    view = memoryview(data)
    sent = send_part(sock, view, fd)
    while sent < len(view):
        sent += send_part(sock, view[sent:], None)


def fds_of(ancdata: list[tuple[int, int, bytes]]) -> list[int]:
    """The fds in recvmsg() ancillary data (the receiver now owns them)."""
    fds: list[int] = []
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % _FD_SIZE
            fds.extend(array.array("i", payload[:usable]))
    return fds


class FramedReader:
    """The receiving half of a message stream: bytes of the current message, and its fd.

    Subclasses decide where a message ends and call `fill()`; a short read is
    kept and completed by a later call, so blocking and non-blocking sockets
    both work. An fd that arrives with any part of a message belongs to it;
    any further fd (a broken server) is closed and counted in
    `extra_fds_closed`, so received fds never leak.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buf = bytearray()
        self._fd: int | None = None
        self.extra_fds_closed = 0

    @property
    def partial(self) -> bool:
        """True while part of a message has been read."""
        return bool(self._buf) or self._fd is not None

    def fill(self, size: int) -> bool:
        """Read until the buffer holds `size` bytes; False if a non-blocking socket has no more yet.

        Raises EOFError when the other side has closed the stream (a half-read
        message is discarded, its fd closed), socket.timeout when a socket with
        a timeout stays quiet, and OSError for socket errors.
        """
        while len(self._buf) < size:
            data = self._recv(size - len(self._buf))
            if data is None:
                return False
            self._buf += data
        return True

    def skip(self, count: int) -> int | None:
        """Read and drop up to `count` bytes that belong to the current message (fds kept).

        Returns how many were dropped, or None if a non-blocking socket has none yet.
        """
        return None if (data := self._recv(count)) is None else len(data)

    def take(self) -> tuple[bytes, int | None]:
        """The buffered bytes and the fd of the message just completed; starts the next one."""
        data, fd = bytes(self._buf), self._fd
        self._buf.clear()
        self._fd = None
        return data, fd

    def discard(self) -> None:
        """Forget a half-read message and close its fd."""
        self._buf.clear()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _recv(self, count: int) -> bytes | None:
        try:
            data, ancdata, _flags, _addr = self.sock.recvmsg(count, ANCILLARY_SPACE)
        except BlockingIOError:
            return None
        for fd in fds_of(ancdata):
            if self._fd is None:
                self._fd = fd
            else:
                os.close(fd)
                self.extra_fds_closed += 1
        if not data:
            self.discard()
            raise EOFError("connection closed")
        return data
