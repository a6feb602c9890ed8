"""The CPU's interrupt inputs: every source of outside events is a file descriptor.

A device model's eventfds, a chardev's socket or pipe, the UART's own kick:
each is registered here with a callback. The kernel decides when the CPU
looks at them (when it idles, and at its kernel entry points, as native_sim
takes interrupts); `poll()` waits for some to fire and `dispatch()` runs their
callbacks. Callbacks of interrupt controllers call `raise_interrupt()`, which
enters the kernel's interrupt handling with the vector, right there.
"""

from __future__ import annotations

import os
import select
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zpy.hw.watch import Watch

_EVENTFD_FLAGS = os.EFD_NONBLOCK | os.EFD_CLOEXEC
_ONE = (1).to_bytes(8, "little")

Events = list[tuple[int, int]]


class CPU:
    def __init__(self) -> None:
        self._epoll = select.epoll()
        self._sources: dict[int, Callable[[int], None]] = {}
        #: sources that cannot bring new work on their own (the UART's kick)
        self._internal: set[int] = set()
        self._kick_fd = os.eventfd(0, _EVENTFD_FLAGS)
        self._epoll.register(self._kick_fd, select.EPOLLIN)
        #: The kernel's interrupt entry: called with the vector number.
        self.interrupt_entry: Callable[[int], None] | None = None
        #: who watches the interrupts (zpy run --view with a page open), else None
        self.watch: Watch | None = None
        self._closed = False

    # -- interrupt sources ------------------------------------------------------------

    def add_source(self, fd: int, callback: Callable[[int], None], edge: bool = False,
                   internal: bool = False) -> None:
        """Call callback(fd) when fd is readable and the CPU takes its interrupts.

        edge=True (for eventfds): once per write, without the callback having to drain the
        fd first, which saves a system call on the doorbell path. internal=True: the fd only
        carries what the machine itself started (it never wakes a run that has nothing left).
        """
        self._sources[fd] = callback
        if internal:
            self._internal.add(fd)
        self._epoll.register(fd, select.EPOLLIN | (select.EPOLLET if edge else 0))

    def remove_source(self, fd: int) -> None:
        self._internal.discard(fd)
        if self._sources.pop(fd, None) is not None:
            try:
                self._epoll.unregister(fd)
            except (OSError, ValueError):
                pass  # already closed by its owner

    def has_wake_sources(self) -> bool:
        """Could something from outside still bring work (a peer, a terminal, a socket)?"""
        return len(self._sources) > len(self._internal)

    def raise_interrupt(self, vector: int) -> None:
        """Deliver interrupt `vector` to the kernel (called by interrupt controller models)."""
        watch = self.watch
        if watch is not None:
            watch.interrupt(vector)
        entry = self.interrupt_entry
        if entry is not None:
            entry(vector)

    # -- waiting ------------------------------------------------------------------------

    def kick(self) -> None:
        """Make a poll() in another thread return (the kernel changed what it waits for)."""
        if not self._closed:
            try:
                os.write(self._kick_fd, _ONE)
            except OSError:
                pass  # switched off meanwhile

    def poll(self, timeout: float | None) -> Events:
        """Wait up to `timeout` seconds (None: until something fires or a kick) for sources."""
        if self._closed:
            return []
        try:
            events = self._epoll.poll(-1 if timeout is None else timeout)
        except (OSError, ValueError):
            return []  # closed under us: the machine is being switched off
        kick = self._kick_fd
        for i, (fd, _) in enumerate(events):
            if fd == kick:
                try:
                    os.read(kick, 8)
                except OSError:
                    pass
                del events[i]
                break
        return events

    def dispatch(self, events: Events) -> None:
        """Run the callbacks of the sources that fired."""
        sources = self._sources
        for fd, _ in events:
            callback = sources.get(fd)
            if callback is not None:
                callback(fd)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._sources.clear()
        self._internal.clear()
        self._epoll.close()
        os.close(self._kick_fd)
