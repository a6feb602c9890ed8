"""k_msgq: a ring of fixed-size messages, copied in and out (Zephyr's kernel/msg_q.c).

Messages are bytes, as in C: k_msgq_put() copies `msg_size` bytes from any
readable buffer (bytes, bytearray, memoryview, array, a ctypes object), and
k_msgq_get() and the peeks copy `msg_size` bytes into a writable one the caller
gives, as C's memcpy does; the ring is the buffer given to k_msgq_init(). A
message for a thread that waits is copied straight into (or out of) that
thread's buffer, as in C.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.cbuffer import byte_view
from zpy.kernel.context import current_kernel
from zpy.kernel.heap import z_thread_free, z_thread_malloc
from zpy.kernel.poll import K_POLL_STATE_MSGQ_DATA_AVAILABLE, k_poll_event, signal_poll_event
from zpy.kernel.sched import WaitQ
from zpy.kernel.timeout import K_NO_WAIT, as_timeout, k_timeout_t

if TYPE_CHECKING:
    from zpy.kernel.thread import k_thread

K_MSGQ_FLAG_ALLOC = 1 << 0


@dataclass
class k_msgq_attrs:
    msg_size: int = 0
    max_msgs: int = 0
    used_msgs: int = 0


class k_msgq:
    """struct k_msgq. C's pointers into the ring (buffer_start, buffer_end, read_ptr,
    write_ptr) are offsets into `buffer`, the caller's memory: buffer_start is 0."""

    def __init__(self) -> None:
        self.wait_q = WaitQ()
        self.msg_size = 0
        self.max_msgs = 0
        self.buffer = memoryview(bytearray())
        self.buffer_start = 0
        self.buffer_end = 0
        self.read_ptr = 0
        self.write_ptr = 0
        self.used_msgs = 0
        self.flags = 0
        self.poll_events: list[k_poll_event] = []
        #: the buffer of each waiting thread (C passes it in the thread's swap_data)
        self._waiting: dict[k_thread, memoryview] = {}
        self._block: tuple[Any, bytearray] | None = None


def K_MSGQ_DEFINE(name: str, q_msg_size: int, q_max_msgs: int, q_align: int = 4) -> k_msgq:
    msgq = k_msgq()
    k_msgq_init(msgq, bytearray(q_msg_size * q_max_msgs), q_msg_size, q_max_msgs)
    return msgq


def k_msgq_init(msgq: k_msgq, buffer: Any, msg_size: int, max_msgs: int) -> None:
    """Use `buffer` (writable, at least msg_size * max_msgs bytes) as the ring."""
    msgq.msg_size = msg_size
    msgq.max_msgs = max_msgs
    msgq.buffer = byte_view(buffer, msg_size * max_msgs, writable=True)
    msgq.buffer_start = 0
    msgq.buffer_end = msg_size * max_msgs
    msgq.read_ptr = msgq.buffer_start
    msgq.write_ptr = msgq.buffer_start
    msgq.used_msgs = 0
    msgq.flags = 0
    msgq.wait_q = WaitQ()
    msgq.poll_events = []
    msgq._waiting = {}


def k_msgq_alloc_init(msgq: k_msgq, msg_size: int, max_msgs: int) -> int:
    """0; -ENOMEM when the thread's resource pool cannot hold the ring; -EINVAL if its
    size overflows."""
    total = msg_size * max_msgs
    if total >= 1 << 64:
        return -errno.EINVAL
    got = z_thread_malloc(total)
    if got is None:
        return -errno.ENOMEM
    k_msgq_init(msgq, got[1], msg_size, max_msgs)
    msgq.flags = K_MSGQ_FLAG_ALLOC
    msgq._block = got
    return 0


def k_msgq_cleanup(msgq: k_msgq) -> int:
    """Give back what k_msgq_alloc_init() took; -EBUSY while a thread waits on it."""
    if msgq.wait_q:
        return -errno.EBUSY
    if msgq.flags & K_MSGQ_FLAG_ALLOC:
        if msgq._block is not None:
            z_thread_free(msgq._block)
            msgq._block = None
        msgq.flags &= ~K_MSGQ_FLAG_ALLOC
    return 0


def _put_msg_in_queue(msgq: k_msgq, data: Any, timeout: k_timeout_t, put_at_back: bool) -> int:
    size = msgq.msg_size
    src = byte_view(data, size, writable=False)
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if msgq.used_msgs < msgq.max_msgs:
        reader = msgq.wait_q.best()
        if reader is not None:
            # the queue is empty and a thread waits for a message: it is its now
            msgq._waiting[reader][:] = src
            sched.wake_locked(msgq.wait_q, 0)
            sched.reschedule_locked()
            return 0
        ring = msgq.buffer
        if put_at_back:
            w = msgq.write_ptr
            ring[w:w + size] = src
            msgq.write_ptr = msgq.buffer_start if w + size == msgq.buffer_end else w + size
        else:
            if msgq.read_ptr == msgq.buffer_start:
                msgq.read_ptr = msgq.buffer_end
            msgq.read_ptr -= size
            r = msgq.read_ptr
            ring[r:r + size] = src
        msgq.used_msgs += 1
        if signal_poll_event(sched, msgq.poll_events, K_POLL_STATE_MSGQ_DATA_AVAILABLE):
            sched.reschedule_locked()
        else:
            sched.lock.release()
        return 0
    if timeout.no_wait:
        sched.lock.release()
        return -errno.ENOMSG
    me = sched.running_thread()
    msgq._waiting[me] = src
    try:
        return sched.pend_curr_locked(msgq.wait_q, timeout)
    finally:
        msgq._waiting.pop(me, None)


def k_msgq_put(msgq: k_msgq, data: Any, timeout: k_timeout_t) -> int:
    """Copy a message in, at the back. 0; -ENOMSG when full with K_NO_WAIT, or when
    k_msgq_purge() ends the wait; -EAGAIN on timeout."""
    return _put_msg_in_queue(msgq, data, as_timeout(timeout), True)


def k_msgq_put_front(msgq: k_msgq, data: Any) -> int:
    """Copy a message in at the front (it is the next one read). 0; -ENOMSG when full."""
    return _put_msg_in_queue(msgq, data, K_NO_WAIT, False)


def k_msgq_get(msgq: k_msgq, data: Any, timeout: k_timeout_t) -> int:
    """Copy the first message into `data` (a writable buffer of msg_size bytes or more).
    0; -ENOMSG when empty with K_NO_WAIT; -EAGAIN on timeout."""
    timeout = as_timeout(timeout)
    size = msgq.msg_size
    dst = byte_view(data, size, writable=True)
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if msgq.used_msgs > 0:
        ring = msgq.buffer
        r = msgq.read_ptr
        dst[:] = ring[r:r + size]
        msgq.read_ptr = msgq.buffer_start if r + size == msgq.buffer_end else r + size
        msgq.used_msgs -= 1
        writer = msgq.wait_q.best()
        if writer is None:
            sched.lock.release()
            return 0
        # the queue was full and a thread waits to put: its message goes in now
        w = msgq.write_ptr
        ring[w:w + size] = msgq._waiting[writer]
        msgq.write_ptr = msgq.buffer_start if w + size == msgq.buffer_end else w + size
        msgq.used_msgs += 1
        sched.wake_locked(msgq.wait_q, 0)
        sched.reschedule_locked()
        return 0
    if timeout.no_wait:
        sched.lock.release()
        return -errno.ENOMSG
    me = sched.running_thread()
    msgq._waiting[me] = dst
    try:
        return sched.pend_curr_locked(msgq.wait_q, timeout)
    finally:
        msgq._waiting.pop(me, None)


def k_msgq_peek(msgq: k_msgq, data: Any) -> int:
    """Copy the first message into `data`, leaving it queued. 0, or -ENOMSG when empty."""
    return k_msgq_peek_at(msgq, data, 0)


def k_msgq_peek_at(msgq: k_msgq, data: Any, idx: int) -> int:
    """Copy the message `idx` places from the front into `data`. 0, or -ENOMSG if there
    are not that many."""
    size = msgq.msg_size
    dst = byte_view(data, size, writable=True)
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        if idx >= msgq.used_msgs:
            return -errno.ENOMSG
        at = (msgq.read_ptr + idx * size) % msgq.buffer_end
        dst[:] = msgq.buffer[at:at + size]
    return 0


def k_msgq_purge(msgq: k_msgq) -> None:
    """Drop every message; threads waiting to put return -ENOMSG."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    sched.unpend_all_locked(msgq.wait_q, -errno.ENOMSG)
    msgq.used_msgs = 0
    msgq.read_ptr = msgq.write_ptr
    sched.reschedule_locked()


def k_msgq_get_attrs(msgq: k_msgq, attrs: k_msgq_attrs) -> None:
    """C: k_msgq_get_attrs(msgq, &attrs): fills the caller's k_msgq_attrs."""
    attrs.msg_size = msgq.msg_size
    attrs.max_msgs = msgq.max_msgs
    attrs.used_msgs = msgq.used_msgs


def k_msgq_num_free_get(msgq: k_msgq) -> int:
    return msgq.max_msgs - msgq.used_msgs


def k_msgq_num_used_get(msgq: k_msgq) -> int:
    return msgq.used_msgs
