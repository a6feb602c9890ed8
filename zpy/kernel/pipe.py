"""k_pipe: a byte stream between threads, the API of Zephyr 4.1 (kernel/pipe.c).

Zephyr 4.1 reworked pipes: k_pipe_init/k_pipe_write/k_pipe_read/k_pipe_reset/
k_pipe_close over a ring buffer, with the older API (k_pipe_put, k_pipe_get,
...) deprecated behind CONFIG_PIPES, which is off by default. zpy has the new
one. Bytes are copied from and into buffers the caller gives (bytes,
bytearray, memoryview, ctypes objects), as C copies them.

A write blocks while the ring is full and returns what it wrote when its
timeout ends (-EAGAIN if nothing); a read likewise while it is empty. Closing
a pipe fails writes with -EPIPE, while reads drain what is left first;
resetting it drops the data and ends every wait with -ECANCELED.
"""

from __future__ import annotations

from typing import Any

from zpy import errno
from zpy.kernel.cbuffer import byte_view
from zpy.kernel.context import current_kernel
from zpy.kernel.poll import K_POLL_STATE_PIPE_DATA_AVAILABLE, k_poll_event, signal_poll_event
from zpy.kernel.sched import WaitQ
from zpy.kernel.sys_clock import SysClock
from zpy.kernel.timeout import K_FOREVER, K_NO_WAIT, K_TICKS, as_timeout, k_timeout_t

PIPE_FLAG_OPEN = 1 << 0
PIPE_FLAG_RESET = 1 << 1

_FOREVER = -1  # the time point of K_FOREVER (C: UINT64_MAX)


class ring_buf:
    """struct ring_buf, as the pipe uses it: bytes in the caller's buffer, in order."""

    __slots__ = ("buffer", "size", "head", "used")

    def __init__(self, buffer: memoryview) -> None:
        self.buffer = buffer
        self.size = len(buffer)
        self.head = 0  # where the oldest byte is
        self.used = 0

    def space(self) -> int:
        return self.size - self.used

    def put(self, src: memoryview) -> int:
        n = min(len(src), self.size - self.used)
        start = (self.head + self.used) % self.size if self.size else 0
        first = min(n, self.size - start)
        self.buffer[start:start + first] = src[:first]
        self.buffer[:n - first] = src[first:n]
        self.used += n
        return n

    def get(self, dst: memoryview) -> int:
        n = min(len(dst), self.used)
        first = min(n, self.size - self.head)
        dst[:first] = self.buffer[self.head:self.head + first]
        dst[first:n] = self.buffer[:n - first]
        self.used -= n
        self.head = (self.head + n) % self.size if self.size else 0
        return n

    def reset(self) -> None:
        self.head = 0
        self.used = 0


class k_pipe:
    """struct k_pipe: readers wait on `data`, writers on `space`."""

    def __init__(self) -> None:
        self.waiting = 0
        self.buf = ring_buf(memoryview(bytearray()))
        self.data = WaitQ()
        self.space = WaitQ()
        self.flags = 0
        self.poll_events: list[k_poll_event] = []


def K_PIPE_DEFINE(name: str, pipe_buffer_size: int, pipe_align: int) -> k_pipe:
    pipe = k_pipe()
    k_pipe_init(pipe, bytearray(pipe_buffer_size), pipe_buffer_size)
    return pipe


def k_pipe_init(pipe: k_pipe, buffer: Any, buffer_size: int) -> None:
    """Open the pipe on `buffer` (writable, buffer_size bytes); it also reopens a closed one."""
    pipe.buf = ring_buf(byte_view(buffer, buffer_size, writable=True))
    pipe.flags = PIPE_FLAG_OPEN
    pipe.waiting = 0
    pipe.data = WaitQ()
    pipe.space = WaitQ()
    pipe.poll_events = []


# -- time points (sys_timepoint_calc / sys_timepoint_timeout) ----------------------------------


def _timepoint_calc(clock: SysClock, timeout: k_timeout_t) -> int:
    if timeout.forever:
        return _FOREVER
    if timeout.no_wait:
        return 0
    ticks = timeout.to_ticks(clock.ticks_per_sec)
    return ticks if timeout.absolute else clock.tick_get() + max(1, ticks)


def _timepoint_timeout(clock: SysClock, end: int) -> k_timeout_t:
    if end == _FOREVER:
        return K_FOREVER
    if end == 0:
        return K_NO_WAIT
    return K_TICKS(max(0, end - clock.tick_get()))


def _wait_for(pipe: k_pipe, wait_q: WaitQ, end: int) -> int:
    """Wait for the other side (lock held on entry and on return): 0 when notified in
    time, -EAGAIN when the time is up, -EPIPE if closed, -ECANCELED if reset meanwhile."""
    sched = current_kernel().sched
    timeout = _timepoint_timeout(sched.clock, end)
    if timeout.no_wait:
        return -errno.EAGAIN
    pipe.waiting += 1
    sched.pend_curr_locked(wait_q, timeout)
    sched.lock.acquire()
    pipe.waiting -= 1
    if not pipe.flags & PIPE_FLAG_OPEN:
        return -errno.EPIPE
    if pipe.flags & PIPE_FLAG_RESET:
        if pipe.waiting == 0:
            pipe.flags &= ~PIPE_FLAG_RESET
        return -errno.ECANCELED
    if _timepoint_timeout(sched.clock, end).no_wait:
        return -errno.EAGAIN
    return 0


def k_pipe_write(pipe: k_pipe, data: Any, len: int, timeout: k_timeout_t) -> int:
    """Write `len` bytes of `data`: the count written, or -EAGAIN (nothing in time),
    -EPIPE (closed), -ECANCELED (reset)."""
    timeout = as_timeout(timeout)
    src = byte_view(data, len, writable=False)
    sched = current_kernel().sched
    sched.entry()
    end = _timepoint_calc(sched.clock, timeout)
    written = 0
    while written < len:
        sched.lock.acquire()
        if not pipe.flags & PIPE_FLAG_OPEN:
            sched.lock.release()
            return -errno.EPIPE
        if pipe.flags & PIPE_FLAG_RESET:
            sched.lock.release()
            return -errno.ECANCELED
        if pipe.buf.space() == 0:
            rc = _wait_for(pipe, pipe.space, end)
            if rc == -errno.EAGAIN:
                sched.lock.release()
                return written if written else -errno.EAGAIN
            if rc != 0:
                sched.lock.release()
                return rc
            if pipe.buf.space() == 0:  # another writer took the space first
                sched.lock.release()
                continue
        n = pipe.buf.put(src[written:])
        if n:
            sched.wake_locked(pipe.data, 0)
            signal_poll_event(sched, pipe.poll_events, K_POLL_STATE_PIPE_DATA_AVAILABLE)
        sched.lock.release()
        written += n
    return written


def k_pipe_read(pipe: k_pipe, data: Any, len: int, timeout: k_timeout_t) -> int:
    """Read up to `len` bytes into `data`: the count read, or -EAGAIN (nothing in time),
    -EPIPE (closed and drained), -ECANCELED (reset)."""
    timeout = as_timeout(timeout)
    dst = byte_view(data, len, writable=True)
    sched = current_kernel().sched
    sched.entry()
    end = _timepoint_calc(sched.clock, timeout)
    read = 0
    while read < len:
        sched.lock.acquire()
        if pipe.flags & PIPE_FLAG_RESET:
            sched.lock.release()
            return -errno.ECANCELED
        if pipe.buf.used == 0 and pipe.flags & PIPE_FLAG_OPEN:
            rc = _wait_for(pipe, pipe.data, end)
            if rc == -errno.EAGAIN:
                sched.lock.release()
                return read if read else -errno.EAGAIN
            if rc == -errno.ECANCELED:
                sched.lock.release()
                return rc
            if rc == 0 and pipe.buf.used == 0:  # another reader took the bytes first
                sched.lock.release()
                continue
        if not pipe.flags & PIPE_FLAG_OPEN and pipe.buf.used == 0:
            sched.lock.release()
            return read if read else -errno.EPIPE
        n = pipe.buf.get(dst[read:])
        if n:
            sched.wake_locked(pipe.space, 0)
        read += n
        sched.lock.release()
    return read


def k_pipe_reset(pipe: k_pipe) -> None:
    """Drop the buffered bytes; every read and write waiting on the pipe returns -ECANCELED."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        pipe.buf.reset()
        if pipe.waiting:
            pipe.flags |= PIPE_FLAG_RESET
            sched.unpend_all_locked(pipe.data)
            sched.unpend_all_locked(pipe.space)


def k_pipe_close(pipe: k_pipe) -> None:
    """No more writes (-EPIPE); reads get what is left, then -EPIPE. k_pipe_init() reopens."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        pipe.flags = 0
        sched.unpend_all_locked(pipe.data)
        sched.unpend_all_locked(pipe.space)
