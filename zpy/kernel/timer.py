"""k_timer: one-shot and periodic timers (kernel/timer.c).

The expiry and stop functions run in ISR context, from the timer interrupt
(k_is_in_isr() is true there), as in Zephyr. Rounding is Zephyr's: a relative
duration of n ticks expires after exactly n ticks (k_timer_start takes one off
the "at least n" rounding of other timeouts), and a periodic timer is re-armed
from the tick its expiry was due at, not from when the interrupt ran, so its
period never drifts (CONFIG_TIMEOUT_64BIT's absolute re-arming).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zpy.kernel.context import current_kernel
from zpy.kernel.sched import WaitQ
from zpy.kernel.sys_clock import Timeout
from zpy.kernel.timeout import (
    K_FOREVER,
    K_NO_WAIT,
    K_TICKS,
    K_TIMEOUT_ABS_TICKS,
    as_timeout,
    k_timeout_t,
)

k_timer_expiry_t = Callable[["k_timer"], None]
k_timer_stop_t = Callable[["k_timer"], None]


class k_timer:
    """struct k_timer."""

    __slots__ = ("timeout", "wait_q", "expiry_fn", "stop_fn", "period", "status", "user_data")

    def __init__(self, expiry_fn: k_timer_expiry_t | None = None,
                 stop_fn: k_timer_stop_t | None = None) -> None:
        self.timeout = Timeout(self)
        self.wait_q = WaitQ()
        self.expiry_fn = expiry_fn
        self.stop_fn = stop_fn
        self.period: k_timeout_t = K_NO_WAIT
        self.status = 0
        self.user_data: Any = None

    def __repr__(self) -> str:
        return f"<k_timer status={self.status}>"


def K_TIMER_DEFINE(name: str, expiry_fn: k_timer_expiry_t | None,
                   stop_fn: k_timer_stop_t | None) -> k_timer:
    return k_timer(expiry_fn, stop_fn)


def k_timer_init(timer: k_timer, expiry_fn: k_timer_expiry_t | None,
                 stop_fn: k_timer_stop_t | None) -> None:
    timer.expiry_fn = expiry_fn
    timer.stop_fn = stop_fn
    timer.status = 0
    timer.wait_q = WaitQ()
    timer.timeout = Timeout(timer)
    timer.user_data = None


def _expired(to: Timeout) -> None:
    """z_timer_expiration_handler, in ISR context, without the kernel lock."""
    timer: k_timer = to.owner  # type: ignore[assignment]
    sched = current_kernel().sched
    clock = sched.clock
    with sched.lock:
        period = timer.period
        if not period.forever and not period.no_wait and not to.linked:
            # the tick this expiry was due at (curr_tick, here) plus the period
            ticks = max(period.to_ticks(clock.ticks_per_sec), 1)
            sched.add_timeout_locked(to, _expired, K_TIMEOUT_ABS_TICKS(clock.curr_tick + ticks))
        timer.status += 1
    if timer.expiry_fn is not None:
        timer.expiry_fn(timer)
    with sched.lock:
        sched.wake_locked(timer.wait_q, 0)


def k_timer_start(timer: k_timer, duration: k_timeout_t, period: k_timeout_t) -> None:
    """Start (or restart) the timer: first expiry after `duration`, then every `period`
    (K_NO_WAIT or K_FOREVER: one-shot). The status is reset to 0."""
    duration = as_timeout(duration)
    period = as_timeout(period)
    if duration.forever:
        return
    sched = current_kernel().sched
    sched.entry()
    if not duration.absolute:
        duration = K_TICKS(max(duration.to_ticks(sched.clock.ticks_per_sec) - 1, 0))
    with sched.lock:
        sched.clock.abort(timer.timeout)
        timer.period = period
        timer.status = 0
        sched.add_timeout_locked(timer.timeout, _expired, duration)


def k_timer_stop(timer: k_timer) -> None:
    """Stop a running timer: its stop function runs (in the caller's context) and a thread
    in k_timer_status_sync() wakes. Stopping a stopped timer does nothing."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        inactive = sched.clock.abort(timer.timeout) != 0
    if inactive:
        return
    if timer.stop_fn is not None:
        timer.stop_fn(timer)
    sched.lock.acquire()
    if sched.wake_locked(timer.wait_q, 0) is not None:
        sched.reschedule_locked()
    else:
        sched.lock.release()


def k_timer_status_get(timer: k_timer) -> int:
    """Expiries since the last status read (or start); resets it to 0."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        result, timer.status = timer.status, 0
    return result


def k_timer_status_sync(timer: k_timer) -> int:
    """Like k_timer_status_get, but a running timer that has not expired yet is waited for
    (until it expires or is stopped: then 0)."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    result = timer.status
    if result == 0 and timer.timeout.linked:
        sched.pend_curr_locked(timer.wait_q, K_FOREVER)
        sched.lock.acquire()
        result = timer.status
    timer.status = 0
    sched.lock.release()
    return result


def k_timer_remaining_ticks(timer: k_timer) -> int:
    """Ticks until the next expiry (0 if stopped)."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        return sched.clock.remaining(timer.timeout)


def k_timer_remaining_get(timer: k_timer) -> int:
    """Milliseconds until the next expiry, rounded down (0 if stopped)."""
    ticks = k_timer_remaining_ticks(timer)
    return ticks * 1000 // current_kernel().clock.ticks_per_sec


def k_timer_expires_ticks(timer: k_timer) -> int:
    """The uptime in ticks at which the timer expires next (now if it is stopped)."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        to = timer.timeout
        return to.deadline if to.linked else sched.clock.tick_get()


def k_timer_user_data_set(timer: k_timer, user_data: Any) -> None:
    timer.user_data = user_data


def k_timer_user_data_get(timer: k_timer) -> Any:
    return timer.user_data
