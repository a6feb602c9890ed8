"""What the machine tells a watcher (zpy run --view) while one is attached.

Each event source (the CPU's interrupt entry, each ivshmem device) has a
`watch` attribute, None unless a page watches: the hot paths pay one attribute
check for it. Machine.set_watch() attaches or detaches a watcher everywhere.
Calls come from whatever host thread raised the event, so a watcher only
appends to a thread-safe buffer and returns.
"""

from __future__ import annotations

from typing import Protocol


class Watch(Protocol):
    def interrupt(self, vector: int) -> None:
        """The CPU was interrupted with `vector` (MSI-X, an I/O APIC line, irq_offload)."""

    def ring_sent(self, device: str, peer: int, vector: int) -> None:
        """`device` rang `vector` of `peer` (a Doorbell write, or a v2 state change)."""

    def ring_received(self, device: str, vector: int) -> None:
        """A peer rang our `vector` on `device` (its eventfd fired)."""
