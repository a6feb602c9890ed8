"""k_mutex: recursive, owner-checked mutexes, with Zephyr's return codes."""

from __future__ import annotations

from zpy import errno
from zpy.kernel.context import current_kernel, current_thread
from zpy.kernel.sched import Waiter
from zpy.kernel.timeout import as_timeout, k_timeout_t


class k_mutex:
    def __init__(self) -> None:
        self.owner: object | None = None
        self.lock_count = 0
        self.wait_q: list[tuple[Waiter, object]] = []


def K_MUTEX_DEFINE(name: str) -> k_mutex:
    return k_mutex()


def k_mutex_init(mutex: k_mutex) -> int:
    mutex.owner = None
    mutex.lock_count = 0
    mutex.wait_q = []
    return 0


def _me() -> object:
    import threading

    return current_thread() or threading.current_thread()


def k_mutex_lock(mutex: k_mutex, timeout: k_timeout_t) -> int:
    """0 when locked (again, by its owner); -EBUSY with K_NO_WAIT; -EAGAIN on timeout."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    me = _me()
    with sched.lock:
        if mutex.lock_count == 0 or mutex.owner is me:
            mutex.owner = me
            mutex.lock_count += 1
            return 0
        if timeout.ns == 0:
            return -errno.EBUSY
        w = sched.prepare()
        mutex.wait_q.append((w, me))
    rc = sched.block(w, timeout.seconds())
    with sched.lock:
        mutex.wait_q = [(x, t) for (x, t) in mutex.wait_q if x is not w]
    return rc


def k_mutex_unlock(mutex: k_mutex) -> int:
    """0; -EINVAL if not locked; -EPERM if the caller does not own it."""
    sched = current_kernel().sched
    me = _me()
    with sched.lock:
        if mutex.lock_count == 0:
            return -errno.EINVAL
        if mutex.owner is not me:
            return -errno.EPERM
        mutex.lock_count -= 1
        if mutex.lock_count > 0:
            return 0
        mutex.owner = None
        while mutex.wait_q:
            w, who = mutex.wait_q.pop(0)
            if sched.wake(w, 0):
                mutex.owner = who
                mutex.lock_count = 1
                break
        return 0
