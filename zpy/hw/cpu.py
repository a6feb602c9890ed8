"""The CPU: where interrupts are taken and where idle threads halt.

Everything that can interrupt the CPU is a file descriptor: a device model's
eventfds, a chardev socket, the console. They are registered here with a
callback. A thread with nothing to do (a kernel thread blocked in k_poll,
k_sem_take or k_sleep, or the machine's interrupt thread) halts in "the seat":
it waits on epoll and runs the callbacks of the sources that fire. Callbacks of
interrupt controllers call raise_interrupt(), which runs the kernel's ISR right
there, in that thread, with interrupts masked.

Only one thread holds the seat at a time, so ISRs never run concurrently: this
is one CPU. A blocked kernel thread takes the seat itself when it is free, so a
doorbell wakes the thread that waits for it without a hand-off between host
threads; that keeps the doorbell round trip short.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable

_EVENTFD_FLAGS = os.EFD_NONBLOCK | os.EFD_CLOEXEC
_ONE = (1).to_bytes(8, "little")


class CPU:
    def __init__(self) -> None:
        self._epoll = select.epoll()
        self._sources: dict[int, Callable[[int], None]] = {}
        self._kick_fd = os.eventfd(0, _EVENTFD_FLAGS)
        self._epoll.register(self._kick_fd, select.EPOLLIN)
        #: Held by the thread that halts (waits for interrupts); see the module docstring.
        self.seat = threading.Lock()
        self.seat_owner: int | None = None
        #: Held while an ISR runs, and by irq_lock(): interrupts are masked while it is held.
        self.irq_mask = threading.RLock()
        #: The kernel's interrupt entry: called with the vector number, interrupts masked.
        self.interrupt_entry: Callable[[int], None] | None = None
        self._closed = False

    # -- interrupt sources ------------------------------------------------------------

    def add_source(self, fd: int, callback: Callable[[int], None], edge: bool = False) -> None:
        """Call callback(fd) from the halting thread whenever fd is readable.

        edge=True (for eventfds): once per write, without the callback having to drain the
        fd first, which saves a system call on the doorbell path.
        """
        self._sources[fd] = callback
        self._epoll.register(fd, select.EPOLLIN | (select.EPOLLET if edge else 0))

    def remove_source(self, fd: int) -> None:
        if self._sources.pop(fd, None) is not None:
            try:
                self._epoll.unregister(fd)
            except (OSError, ValueError):
                pass  # already closed by its owner

    def raise_interrupt(self, vector: int) -> None:
        """Deliver interrupt `vector` to the kernel (called by interrupt controller models)."""
        entry = self.interrupt_entry
        if entry is not None:
            with self.irq_mask:
                entry(vector)

    # -- halting ----------------------------------------------------------------------

    def kick(self) -> None:
        """Make the thread halted in the seat return (another thread made it runnable)."""
        if self.seat_owner != threading.get_ident() and not self._closed:
            try:
                os.write(self._kick_fd, _ONE)
            except OSError:
                pass  # switched off meanwhile: nobody is halted any more

    def halt(self, timeout: float | None) -> None:
        """Wait up to `timeout` seconds (None: forever) and run the sources that fired.

        The caller holds the seat. Returns after one round of events, a kick or the timeout.
        """
        if self._closed:
            return
        self.seat_owner = threading.get_ident()
        try:
            events = self._epoll.poll(-1 if timeout is None else timeout)
            for fd, _ in events:
                if fd == self._kick_fd:
                    try:
                        os.read(self._kick_fd, 8)
                    except BlockingIOError:
                        pass
                    continue
                callback = self._sources.get(fd)
                if callback is not None:
                    callback(fd)
        finally:
            self.seat_owner = None

    def close(self, timeout: float = 1.0) -> None:
        """Switch off: waits (up to timeout) for the thread in the seat to leave it."""
        if self._closed:
            return
        self._closed = True
        self.kick()
        got_seat = self.seat.acquire(timeout=timeout)
        self._sources.clear()
        if got_seat:
            self._epoll.close()
            os.close(self._kick_fd)
            self.seat.release()
        # else: a thread is stuck in an ISR; leave the epoll to it rather than pull it away
