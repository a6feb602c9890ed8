"""The ivshmem-v2 wire format (QEMU's ivshmem2 RFC, "protocol version 2"), and nothing else.

One AF_UNIX stream socket per peer, server to peer only. Every message starts
with a little-endian header {u32 type; u32 len}, where len counts the whole
message, header included. Each message goes out with its own sendmsg() and
carries at most one fd (SCM_RIGHTS):

====  ===========  =====  ========  ==================================================
type  name         bytes  fd        body (little-endian, offsets from the start)
====  ===========  =====  ========  ==================================================
0     INIT         40     shm       version@8, compatible_version@12, id@16,
                                    max_peers@20, vectors@24, protocol@28 (u32 each),
                                    output_section_size@32 (u64)
1     EVENT_FD     16     eventfd   id@8, vector@12
2     PEER_GONE    12     none      id@8
====  ===========  =====  ========  ==================================================

A receiver accepts messages longer than these sizes (newer servers may append
fields) and skips the extra bytes. It reads one message at a time, never past
its end, so that an fd stays with the message it came with (see zpy.ivshmem_host.fdio).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from zpy.errors import ProtocolError
from zpy.ivshmem_host.fdio import FramedReader, send_whole

#: what a v2 server sends as `version` and `compatible_version`
PROTOCOL_VERSION = 2

MSG_INIT = 0
MSG_EVENT_FD = 1
MSG_PEER_GONE = 2

_HEADER = struct.Struct("<II")
_INIT = struct.Struct("<IIIIIIIIQ")
_EVENT_FD = struct.Struct("<IIII")
_PEER_GONE = struct.Struct("<III")

HEADER_SIZE = _HEADER.size  # 8
INIT_SIZE = _INIT.size  # 40
EVENT_FD_SIZE = _EVENT_FD.size  # 16
PEER_GONE_SIZE = _PEER_GONE.size  # 12
#: bytes of a message a reader keeps; anything after them is skipped
_KEPT = INIT_SIZE
_SKIP_CHUNK = 65536

#: peer IDs are 16 bits (the Doorbell register's target field)
MAX_PEER_ID = 65535

_NAMES = {MSG_INIT: "INIT", MSG_EVENT_FD: "EVENT_FD", MSG_PEER_GONE: "PEER_GONE"}


@dataclass(frozen=True, slots=True)
class InitMessage:
    """The greeting: who the peer is, what the device looks like; comes with the shm fd."""

    id: int
    max_peers: int
    vectors: int
    protocol: int
    output_section_size: int
    version: int = PROTOCOL_VERSION
    compatible_version: int = PROTOCOL_VERSION

    def encode(self) -> bytes:
        return _INIT.pack(MSG_INIT, INIT_SIZE, self.version, self.compatible_version, self.id,
                          self.max_peers, self.vectors, self.protocol, self.output_section_size)

    def __str__(self) -> str:
        return (f"INIT id={self.id} max_peers={self.max_peers} vectors={self.vectors} "
                f"protocol={self.protocol:#06x} output_section_size={self.output_section_size}")


@dataclass(frozen=True, slots=True)
class EventFdMessage:
    """Vector `vector` of peer `id`: the eventfd that comes with it rings it."""

    id: int
    vector: int

    def encode(self) -> bytes:
        return _EVENT_FD.pack(MSG_EVENT_FD, EVENT_FD_SIZE, self.id, self.vector)

    def __str__(self) -> str:
        return f"EVENT_FD id={self.id} vector={self.vector}"


@dataclass(frozen=True, slots=True)
class PeerGoneMessage:
    """Peer `id` has left (its state table entry is already 0)."""

    id: int

    def encode(self) -> bytes:
        return _PEER_GONE.pack(MSG_PEER_GONE, PEER_GONE_SIZE, self.id)

    def __str__(self) -> str:
        return f"PEER_GONE id={self.id}"


V2Message = InitMessage | EventFdMessage | PeerGoneMessage


@dataclass(frozen=True, slots=True)
class Frame:
    """One received message before it is understood: type, total length, the
    first bytes (header included, at most 40) and the fd that came with it.

    The receiver owns `fd` and must close it (or keep it).
    """

    type: int
    length: int
    data: bytes
    fd: int | None = None


def decode(frame: Frame) -> V2Message:
    """The message in a frame; ProtocolError for an unknown type or a message too short."""
    if frame.type == MSG_INIT:
        _check_length(frame, INIT_SIZE)
        (_, _, version, compatible, peer_id, max_peers, vectors, protocol,
         output_section_size) = _INIT.unpack_from(frame.data)
        return InitMessage(peer_id, max_peers, vectors, protocol, output_section_size,
                           version, compatible)
    if frame.type == MSG_EVENT_FD:
        _check_length(frame, EVENT_FD_SIZE)
        _, _, peer_id, vector = _EVENT_FD.unpack_from(frame.data)
        return EventFdMessage(peer_id, vector)
    if frame.type == MSG_PEER_GONE:
        _check_length(frame, PEER_GONE_SIZE)
        _, _, peer_id = _PEER_GONE.unpack_from(frame.data)
        return PeerGoneMessage(peer_id)
    raise ProtocolError(f"invalid message, type {frame.type}")


def _check_length(frame: Frame, size: int) -> None:
    if frame.length < size:
        raise ProtocolError(f"invalid {_NAMES[frame.type]} message: {frame.length} bytes, "
                            f"expecting at least {size}")


def send_message(sock: socket.socket, message: V2Message, fd: int | None = None) -> None:
    """Send one whole message on a blocking socket (the fd with its first byte)."""
    send_whole(sock, message.encode(), fd)


class FrameReader(FramedReader):
    """Cuts a v2 stream into frames: the header, then exactly the rest of the message.

    A length shorter than the header itself leaves no way to find the next
    message: receive() raises ProtocolError and the stream is unusable.
    """

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(sock)
        self._skipped = 0

    def receive(self) -> Frame | None:
        """The next whole frame, or None if a non-blocking socket has no more yet.

        Raises EOFError when the other side has closed the stream (a half-read
        message is discarded, its fd closed), ProtocolError for an impossible
        length, socket.timeout and OSError as a socket does.
        """
        if not self.fill(HEADER_SIZE):
            return None
        kind, length = _HEADER.unpack_from(self._buf)
        if length < HEADER_SIZE:
            self.discard()
            raise ProtocolError(f"invalid message length {length} (type {kind}): shorter than "
                                "its own header, the stream cannot be followed")
        kept = min(length, _KEPT)
        if not self.fill(kept):
            return None
        while self._skipped < length - kept:
            dropped = self.skip(min(length - kept - self._skipped, _SKIP_CHUNK))
            if dropped is None:
                return None
            self._skipped += dropped
        self._skipped = 0
        data, fd = self.take()
        return Frame(kind, length, data, fd)

    def discard(self) -> None:
        super().discard()
        self._skipped = 0
