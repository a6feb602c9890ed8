"""k_mutex: recursive, owner-checked mutexes with priority inheritance (kernel/mutex.c).

While a thread waits for a mutex, its owner runs at the waiter's priority if that
is higher, but never above CONFIG_PRIORITY_CEILING; the owner falls back when it
unlocks, or when the waiter gives up (timeout) to what the remaining waiters need.
"""

from __future__ import annotations

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.sched import WaitQ
from zpy.kernel.switch import Scheduler
from zpy.kernel.thread import k_thread
from zpy.kernel.timeout import as_timeout, k_timeout_t


class k_mutex:
    def __init__(self) -> None:
        self.owner: k_thread | None = None
        self.lock_count = 0
        self.owner_orig_prio = 0
        self.wait_q = WaitQ()


def K_MUTEX_DEFINE(name: str) -> k_mutex:
    return k_mutex()


def k_mutex_init(mutex: k_mutex) -> int:
    mutex.owner = None
    mutex.lock_count = 0
    mutex.wait_q = WaitQ()
    return 0


def _new_prio_for_inheritance(sched: Scheduler, target: int, limit: int) -> int:
    new_prio = target if target < limit else limit
    return max(new_prio, sched.prio_ceiling)


def _adjust_owner_prio(sched: Scheduler, mutex: k_mutex, new_prio: int) -> bool:
    owner = mutex.owner
    if owner is None or owner.prio == new_prio:
        return False
    return sched.set_prio_locked(owner, new_prio, sched.caller_cpu())


def k_mutex_lock(mutex: k_mutex, timeout: k_timeout_t) -> int:
    """0 when locked (again, by its owner); -EBUSY with K_NO_WAIT; -EAGAIN on timeout."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    me = sched.running_thread() if not timeout.no_wait else sched.current()
    sched.lock.acquire()
    if mutex.lock_count == 0 or mutex.owner is me:
        if mutex.lock_count == 0 and me is not None:
            mutex.owner_orig_prio = me.prio
        mutex.lock_count += 1
        mutex.owner = me
        sched.lock.release()
        return 0
    if timeout.no_wait or me is None:
        sched.lock.release()
        return -errno.EBUSY
    owner = mutex.owner
    assert owner is not None
    new_prio = _new_prio_for_inheritance(sched, me.prio, owner.prio)
    if new_prio < owner.prio:
        _adjust_owner_prio(sched, mutex, new_prio)
    rc = sched.pend_curr_locked(mutex.wait_q, timeout)
    if rc == 0:
        return 0
    # timed out: the owner keeps only what the remaining waiters still need
    sched.lock.acquire()
    if mutex.owner is not None:
        waiter = mutex.wait_q.best()
        new_prio = mutex.owner_orig_prio
        if waiter is not None:
            new_prio = _new_prio_for_inheritance(sched, waiter.prio, new_prio)
        if _adjust_owner_prio(sched, mutex, new_prio):
            sched.reschedule_locked()
            return -errno.EAGAIN
    sched.lock.release()
    return -errno.EAGAIN


def k_mutex_unlock(mutex: k_mutex) -> int:
    """0; -EINVAL if not locked; -EPERM if the caller does not own it."""
    sched = current_kernel().sched
    sched.entry()
    me = sched.current()
    sched.lock.acquire()
    rc = mutex_unlock_locked(sched, mutex, me)
    if rc == 0 and mutex.owner is not me:
        sched.reschedule_locked()
    else:
        sched.lock.release()
    return rc


def mutex_unlock_locked(sched: Scheduler, mutex: k_mutex, me: k_thread | None) -> int:
    """k_mutex_unlock's work, with the kernel lock held (k_condvar_wait unlocks and pends
    in one step). The next owner is readied; the caller reschedules."""
    if mutex.owner is None:
        return -errno.EINVAL
    if mutex.owner is not me:
        return -errno.EPERM
    if mutex.lock_count > 1:
        mutex.lock_count -= 1
        return 0
    _adjust_owner_prio(sched, mutex, mutex.owner_orig_prio)
    new_owner = sched.wake_locked(mutex.wait_q, 0)
    mutex.owner = new_owner
    if new_owner is not None:
        # the wait queue is priority-ordered: the new owner is its highest waiter
        mutex.owner_orig_prio = new_owner.prio
    else:
        mutex.lock_count = 0
    return 0
