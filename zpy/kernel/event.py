"""k_event: a 32-bit set of events threads wait for, any or all of them (kernel/events.c).

Posting events wakes every waiter whose condition the new set meets, at once.
k_event_post / set / set_masked / clear return the events that were set before
among the ones they change. A wait returns the awaited events that were set
(0 on timeout); with `reset` the set is cleared before waiting. Zephyr has no
k_poll event type for k_event: pair it with a k_poll_signal or a work item if a
poller must see it.
"""

from __future__ import annotations

from zpy.kernel.context import current_kernel
from zpy.kernel.sched import WaitQ
from zpy.kernel.timeout import K_NO_WAIT, as_timeout, k_timeout_t

_MASK32 = 0xFFFFFFFF


class k_event:
    """struct k_event: `events` (the set) and the threads waiting on it."""

    __slots__ = ("events", "wait_q", "_waits")

    def __init__(self) -> None:
        self.events = 0
        self.wait_q = WaitQ()
        #: each waiting thread's (desired events, wait for all)
        self._waits: dict[object, tuple[int, bool]] = {}

    def __repr__(self) -> str:
        return f"<k_event {self.events:#010x}>"


def K_EVENT_DEFINE(name: str) -> k_event:
    return k_event()


def k_event_init(event: k_event) -> None:
    event.events = 0
    event.wait_q = WaitQ()
    event._waits = {}


def _met(desired: int, current: int, wait_all: bool) -> bool:
    match = current & desired
    return match == desired if wait_all else match != 0


def _post(event: k_event, events: int, events_mask: int) -> int:
    """k_event_post_internal: set the masked bits, wake every waiter now satisfied."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    events &= _MASK32
    events_mask &= _MASK32
    previous = event.events & events_mask
    events = (event.events & ~events_mask) | (events & events_mask)
    event.events = events
    for t in event.wait_q:
        desired, wait_all = event._waits[t]
        if _met(desired, events, wait_all):
            t.swap_data = events  # what the waiter's k_event_wait reports
            sched.wake_thread_locked(t, 0)
    sched.reschedule_locked()
    return previous


def k_event_post(event: k_event, events: int) -> int:
    """Set `events` (the others stay); returns which of them were set already."""
    return _post(event, events, events)


def k_event_set(event: k_event, events: int) -> int:
    """Replace the whole set; returns the previous set."""
    return _post(event, events, _MASK32)


def k_event_set_masked(event: k_event, events: int, events_mask: int) -> int:
    """Set the bits of `events_mask` to those of `events`; returns their previous values."""
    return _post(event, events, events_mask)


def k_event_clear(event: k_event, events: int) -> int:
    """Clear `events`; returns which of them were set."""
    return _post(event, 0, events)


def _wait(event: k_event, events: int, wait_all: bool, reset: bool,
          timeout: k_timeout_t) -> int:
    timeout = as_timeout(timeout)
    events &= _MASK32  # a uint32_t in C: ~0 is all 32 events
    if events == 0:
        return 0
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if reset:
        event.events = 0
    if _met(events, event.events, wait_all):
        rv = event.events
        sched.lock.release()
        return rv & events
    if timeout.no_wait:
        sched.lock.release()
        return 0
    try:
        me = sched.running_thread()
    except RuntimeError:
        sched.lock.release()
        raise
    event._waits[me] = (events, wait_all)
    rc = sched.pend_curr_locked(event.wait_q, timeout)
    with sched.lock:
        del event._waits[me]
    return (me.swap_data & events) if rc == 0 else 0


def k_event_wait(event: k_event, events: int, reset: bool, timeout: k_timeout_t) -> int:
    """Wait for any of `events`; returns those of them that are set (0 on timeout)."""
    return _wait(event, events, False, reset, timeout)


def k_event_wait_all(event: k_event, events: int, reset: bool, timeout: k_timeout_t) -> int:
    """Wait for all of `events`; returns `events` (0 on timeout)."""
    return _wait(event, events, True, reset, timeout)


def k_event_test(event: k_event, events_mask: int) -> int:
    """The events of `events_mask` that are set now."""
    return k_event_wait(event, events_mask, False, K_NO_WAIT)
