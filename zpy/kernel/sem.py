"""k_sem: counting semaphores, with Zephyr's return codes (kernel/sem.c)."""

from __future__ import annotations

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.poll import K_POLL_STATE_SEM_AVAILABLE, k_poll_event, signal_poll_event
from zpy.kernel.sched import WaitQ
from zpy.kernel.timeout import as_timeout, k_timeout_t

K_SEM_MAX_LIMIT = 0xFFFFFFFF


class k_sem:
    """struct k_sem. Also pollable (K_POLL_TYPE_SEM_AVAILABLE)."""

    def __init__(self, initial_count: int = 0, limit: int = K_SEM_MAX_LIMIT) -> None:
        self.count = initial_count
        self.limit = limit
        self.wait_q = WaitQ()
        self.poll_events: list[k_poll_event] = []  # pollers waiting for it


def K_SEM_DEFINE(name: str, initial_count: int, count_limit: int) -> k_sem:
    return k_sem(initial_count, count_limit)


def k_sem_init(sem: k_sem, initial_count: int, limit: int) -> int:
    if limit == 0 or initial_count > limit:
        return -errno.EINVAL
    sem.count = initial_count
    sem.limit = limit
    sem.wait_q = WaitQ()
    sem.poll_events = []
    return 0


def k_sem_give(sem: k_sem) -> None:
    """Give: the highest-priority waiter takes it at once, else the count goes up."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if sched.wake_locked(sem.wait_q, 0) is None:
        if sem.count < sem.limit:
            sem.count += 1
        signal_poll_event(sched, sem.poll_events, K_POLL_STATE_SEM_AVAILABLE)
    sched.reschedule_locked()


def k_sem_take(sem: k_sem, timeout: k_timeout_t) -> int:
    """0 when taken; -EBUSY with K_NO_WAIT, -EAGAIN on timeout or k_sem_reset()."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if sem.count > 0:
        sem.count -= 1
        sched.lock.release()
        return 0
    if timeout.no_wait:
        sched.lock.release()
        return -errno.EBUSY
    return sched.pend_curr_locked(sem.wait_q, timeout)


def k_sem_reset(sem: k_sem) -> None:
    """Count to 0; every waiter returns -EAGAIN."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    sem.count = 0
    sched.unpend_all_locked(sem.wait_q, -errno.EAGAIN)
    signal_poll_event(sched, sem.poll_events, K_POLL_STATE_SEM_AVAILABLE)
    sched.reschedule_locked()


def k_sem_count_get(sem: k_sem) -> int:
    current_kernel().sched.entry()
    return sem.count
