"""What a peer's connection reports to its owner, for both protocol versions.

A device model (or a tool) watches the server socket and calls
`handle_readable()`; the connection answers with these small events. v1 and v2
use the same ones, so a device handles both with the same code: v2's PEER_GONE
is `PeerLeft`, its EVENT_FD is `PeerVector` or `OwnVector`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PeerVector:
    """Peer `peer_id` announced its vector `vector` (vector 0 means it has just joined)."""

    peer_id: int
    vector: int
    fd: int


@dataclass(frozen=True, slots=True)
class OwnVector:
    """One of our own receive eventfds: watch `fd`; it becomes readable when rung."""

    vector: int
    fd: int


@dataclass(frozen=True, slots=True)
class PeerLeft:
    """Peer `peer_id` is gone; its eventfds are closed."""

    peer_id: int


@dataclass(frozen=True, slots=True)
class ServerGone:
    """The server closed the connection. Stop watching fileno(); the eventfds still work."""


@dataclass(frozen=True, slots=True)
class ProtocolFault:
    """The server sent something invalid after setup; it was ignored, as QEMU does."""

    message: str


PeerEvent = PeerVector | OwnVector | PeerLeft | ServerGone | ProtocolFault
