"""k_condvar: condition variables used with a k_mutex (kernel/condvar.c).

k_condvar_wait releases the mutex and blocks in one step (no signal can fall
between the two), and takes the mutex again before it returns, whatever woke it.
"""

from __future__ import annotations

from zpy.kernel.context import current_kernel
from zpy.kernel.mutex import k_mutex, k_mutex_lock, mutex_unlock_locked
from zpy.kernel.sched import WaitQ
from zpy.kernel.timeout import K_FOREVER, as_timeout, k_timeout_t


class k_condvar:
    """struct k_condvar: the threads waiting on it."""

    __slots__ = ("wait_q",)

    def __init__(self) -> None:
        self.wait_q = WaitQ()


def K_CONDVAR_DEFINE(name: str) -> k_condvar:
    return k_condvar()


def k_condvar_init(condvar: k_condvar) -> int:
    condvar.wait_q = WaitQ()
    return 0


def k_condvar_signal(condvar: k_condvar) -> int:
    """Wake the highest-priority waiter, if any. Returns 0. Callable from ISRs."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if sched.wake_locked(condvar.wait_q, 0) is not None:
        sched.reschedule_locked()
    else:
        sched.lock.release()
    return 0


def k_condvar_broadcast(condvar: k_condvar) -> int:
    """Wake every waiter; returns how many there were."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    woken = 0
    while sched.wake_locked(condvar.wait_q, 0) is not None:
        woken += 1
    sched.reschedule_locked()
    return woken


def k_condvar_wait(condvar: k_condvar, mutex: k_mutex, timeout: k_timeout_t) -> int:
    """Release `mutex`, wait for a signal (0) or the timeout (-EAGAIN), lock `mutex` again."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    me = sched.running_thread()
    sched.lock.acquire()
    mutex_unlock_locked(sched, mutex, me)
    ret = sched.pend_curr_locked(condvar.wait_q, timeout)
    k_mutex_lock(mutex, K_FOREVER)
    return ret
