"""Blocking and waking: what Zephyr's wait queues and z_swap() do.

A blocked thread parks on its Waiter. If the CPU's seat is free it takes it and
halts there (taking interrupts while it waits); otherwise it sleeps on its own
Event until a waker, or the seat holder leaving, rouses it. Wakers run with the
kernel lock held and decide the blocked call's return value, as z_swap()'s
return value is decided by whoever readies the thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from zpy import errno
from zpy.hw.cpu import CPU


class KernelHalt(BaseException):
    """Unwinds every kernel thread when the image stops (not an error)."""


class ThreadAbort(BaseException):
    """Unwinds a thread that k_thread_abort() ended."""


class Waiter:
    """One host thread's parking place while it is blocked in the kernel."""

    __slots__ = ("event", "woken", "in_seat", "retval", "data", "abort")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.woken = False
        self.in_seat = False
        self.retval = 0
        #: what the waker hands over (a k_fifo item, ...)
        self.data: object = None
        #: set by k_thread_abort() on the owning thread
        self.abort = False


class Scheduler:
    """The kernel lock, wait/wake, and the idle seat, for one kernel."""

    def __init__(self, cpu: CPU) -> None:
        #: Protects every kernel object's state (Zephyr's spinlocks). Never held while blocking.
        self.lock = threading.Lock()
        self.cpu = cpu
        self._local = threading.local()
        self._parked: set[Waiter] = set()
        self.halted = False
        #: threads readied during init that must not preempt the init code (see start_held)
        self.held_starts: list[Callable[[], None]] = []

    def waiter(self) -> Waiter:
        """The calling host thread's Waiter."""
        w = getattr(self._local, "waiter", None)
        if w is None:
            w = self._local.waiter = Waiter()
        return w

    def prepare(self) -> Waiter:
        """Get the caller's Waiter ready to block. Call with self.lock held."""
        w = self.waiter()
        w.woken = False
        w.retval = 0
        w.data = None
        if w.event.is_set():
            w.event.clear()
        return w

    def wake(self, w: Waiter, retval: int = 0, data: object = None) -> bool:
        """Ready a blocked thread with `retval` as its return value. Call with self.lock held."""
        if w.woken:
            return False
        w.woken = True
        w.retval = retval
        w.data = data
        if w.in_seat:
            self.cpu.kick()
        else:
            w.event.set()
        return True

    def block(self, w: Waiter, timeout: float | None) -> int:
        """Wait until woken (returns the waker's retval) or `timeout` seconds pass (-EAGAIN).

        Call without self.lock. The caller removes `w` from any wait queue afterwards.
        """
        if self.held_starts:
            self.start_held()  # the creator blocks: lower-priority threads get the CPU now
        cpu = self.cpu
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.halted:
                raise KernelHalt
            if w.abort:
                raise ThreadAbort
            if w.woken:
                return w.retval
            remaining = None
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    with self.lock:
                        if w.woken:
                            return w.retval
                        w.woken = True  # wakers skip it from now on
                        w.retval = -errno.EAGAIN
                        return w.retval
            if cpu.seat.acquire(blocking=False):
                try:
                    with self.lock:
                        if w.woken:
                            continue
                        w.in_seat = True
                    cpu.halt(remaining)
                finally:
                    with self.lock:
                        w.in_seat = False
                    cpu.seat.release()
                    self.pass_seat()
            else:
                with self.lock:
                    if w.woken:
                        continue
                    self._parked.add(w)
                w.event.wait(remaining)
                with self.lock:
                    self._parked.discard(w)
                    if not w.woken:
                        w.event.clear()

    def start_held(self) -> None:
        """Start the threads held back until the init code blocks or its entry returns."""
        if not self.held_starts:
            return
        with self.lock:
            held, self.held_starts = self.held_starts, []
        for start in held:
            start()

    def pass_seat(self) -> bool:
        """Rouse one parked thread so that it takes the free seat. Returns True if one was."""
        if not self._parked:
            return False
        with self.lock:
            for w in self._parked:
                if not w.woken:
                    w.event.set()
                    return True
        return False

    def halt_all(self) -> None:
        """Stop: every blocked thread raises KernelHalt."""
        with self.lock:
            self.halted = True
            for w in self._parked:
                w.event.set()
        self.cpu.kick()
