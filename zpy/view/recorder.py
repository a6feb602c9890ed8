"""What the view records: the machine's events while a page watches, and the console.

Recorder is the machine's watcher (zpy.hw.watch.Watch): the hooks call it from
whatever host thread raised the event, so each call only appends a tuple to a
deque (thread-safe, bounded) and returns; the view's own thread drains it.
"""

from __future__ import annotations

import threading
import time
from collections import deque

#: (monotonic ns, kind, device, peer, vector); kind is "irq", "sent" or "received"
Event = tuple[int, str, str | None, int | None, int]

#: events kept between two looks of the view (older ones are dropped first)
EVENT_LIMIT = 50_000
#: console bytes kept (a page that connects late sees this much of the past)
CONSOLE_LIMIT = 64 * 1024


class Recorder:
    def __init__(self, limit: int = EVENT_LIMIT) -> None:
        self._events: deque[Event] = deque(maxlen=limit)

    def interrupt(self, vector: int) -> None:
        self._events.append((time.monotonic_ns(), "irq", None, None, vector))

    def ring_sent(self, device: str, peer: int, vector: int) -> None:
        self._events.append((time.monotonic_ns(), "sent", device, peer, vector))

    def ring_received(self, device: str, vector: int) -> None:
        self._events.append((time.monotonic_ns(), "received", device, None, vector))

    def drain(self) -> list[Event]:
        """The events recorded since the last drain, oldest first."""
        out = []
        pop = self._events.popleft
        while True:
            try:
                out.append(pop())
            except IndexError:
                return out


class ConsoleBuffer:
    """The last CONSOLE_LIMIT bytes the console transmitted; `total` counts every byte ever
    written, so a reader keeps its place with a cursor."""

    def __init__(self, limit: int = CONSOLE_LIMIT) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._buf = bytearray()
        self.total = 0

    def write(self, data: bytes) -> None:
        with self._lock:
            self._buf += data
            self.total += len(data)
            excess = len(self._buf) - self._limit
            if excess > 0:
                del self._buf[:excess]

    def since(self, cursor: int) -> tuple[bytes, int]:
        """The bytes written after `cursor` that are still kept, and the new cursor."""
        with self._lock:
            first = self.total - len(self._buf)
            start = max(cursor, first) - first
            return bytes(self._buf[start:]), self.total
