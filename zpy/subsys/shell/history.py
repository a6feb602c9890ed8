"""Command history (subsys/shell/shell_history.c): newest first, no consecutive duplicates.

The buffer holds CONFIG_SHELL_HISTORY_BUFFER bytes; each entry costs its length
plus a header, and the oldest entries go when a new one does not fit.
"""

from __future__ import annotations

from collections import deque

#: bytes an entry costs besides its text (list node and length, on a 64-bit target)
ITEM_HEADER = 20


class ShellHistory:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: deque[str] = deque()  # [0] is the newest
        self._used = 0
        #: index of the entry shown while browsing; None outside history mode
        self.current: int | None = None

    def active(self) -> bool:
        return self.current is not None

    def mode_exit(self) -> None:
        self.current = None

    def purge(self) -> None:
        self._items.clear()
        self._used = 0
        self.current = None

    def put(self, line: str) -> None:
        self.mode_exit()
        if not line:
            return
        if self._items and self._items[0] == line:
            return
        cost = len(line) + ITEM_HEADER
        if cost > self.size:
            return
        while self._used + cost > self.size and self._items:
            self._used -= len(self._items.pop()) + ITEM_HEADER
        self._items.appendleft(line)
        self._used += cost

    def get(self, up: bool) -> str | None:
        """Step through the history (up: older); None when stepping past either end."""
        if not self._items:
            self.current = None
            return None
        if not up:
            if self.current is None:
                return None
            nxt: int | None = self.current - 1 if self.current > 0 else None
        else:
            nxt = 0 if self.current is None else self.current + 1
            if nxt >= len(self._items):
                nxt = None
        self.current = nxt
        return None if nxt is None else self._items[nxt]
