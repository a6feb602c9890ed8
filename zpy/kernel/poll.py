"""k_poll, k_poll_event and k_poll_signal: wait for any of several conditions.

Semantics follow kernel/poll.c: a condition already met makes k_poll return 0
at once; otherwise the events are registered on their objects and the thread
blocks. A raise or give readies ONE registered poller of that object (the first
to register), ORs the state into its event and makes its k_poll return 0.
Event states are ORed, never cleared by k_poll: reset them before reuse if you
read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.sched import Scheduler, Waiter
from zpy.kernel.timeout import as_timeout, k_timeout_t

if TYPE_CHECKING:
    pass

K_POLL_TYPE_IGNORE = 0
K_POLL_TYPE_SIGNAL = 1 << 0
K_POLL_TYPE_SEM_AVAILABLE = 1 << 1
K_POLL_TYPE_DATA_AVAILABLE = 1 << 2
K_POLL_TYPE_FIFO_DATA_AVAILABLE = K_POLL_TYPE_DATA_AVAILABLE
K_POLL_TYPE_MSGQ_DATA_AVAILABLE = 1 << 3

K_POLL_STATE_NOT_READY = 0
K_POLL_STATE_SIGNALED = 1 << 0
K_POLL_STATE_SEM_AVAILABLE = 1 << 1
K_POLL_STATE_DATA_AVAILABLE = 1 << 2
K_POLL_STATE_FIFO_DATA_AVAILABLE = K_POLL_STATE_DATA_AVAILABLE
K_POLL_STATE_MSGQ_DATA_AVAILABLE = 1 << 3
K_POLL_STATE_CANCELLED = 1 << 4

K_POLL_MODE_NOTIFY_ONLY = 0


class k_poll_signal:
    """struct k_poll_signal: raised with an int result, checked, reset."""

    __slots__ = ("signaled", "result", "poll_events")

    def __init__(self) -> None:
        self.signaled = 0
        self.result = 0
        self.poll_events: list[k_poll_event] = []


class k_poll_event:
    """struct k_poll_event: what to wait for (type + object) and what happened (state)."""

    __slots__ = ("type", "mode", "state", "tag", "obj", "_waiter")

    def __init__(self, type: int = K_POLL_TYPE_IGNORE, mode: int = K_POLL_MODE_NOTIFY_ONLY,
                 obj: Any = None, tag: int = 0) -> None:
        self.type = type
        self.mode = mode
        self.state = K_POLL_STATE_NOT_READY
        self.tag = tag
        self.obj = obj
        self._waiter: Waiter | None = None


def K_POLL_SIGNAL_INITIALIZER(name: str | None = None) -> k_poll_signal:
    return k_poll_signal()


def K_POLL_EVENT_INITIALIZER(_event_type: int, _event_mode: int, _event_obj: Any) -> k_poll_event:
    return k_poll_event(_event_type, _event_mode, _event_obj)


def K_POLL_EVENT_STATIC_INITIALIZER(_event_type: int, _event_mode: int, _event_obj: Any,
                                    event_tag: int) -> k_poll_event:
    return k_poll_event(_event_type, _event_mode, _event_obj, event_tag)


def k_poll_event_init(event: k_poll_event, type: int, mode: int, obj: Any) -> None:
    if mode != K_POLL_MODE_NOTIFY_ONLY:
        raise ValueError("only K_POLL_MODE_NOTIFY_ONLY is supported (as in Zephyr)")
    event.type = type
    event.mode = mode
    event.state = K_POLL_STATE_NOT_READY
    event.obj = obj
    event._waiter = None


def _condition(event: k_poll_event) -> int:
    """The state bit if the event's condition holds now, else 0."""
    t = event.type
    if t == K_POLL_TYPE_SIGNAL:
        return K_POLL_STATE_SIGNALED if event.obj.signaled else 0
    if t == K_POLL_TYPE_SEM_AVAILABLE:
        return K_POLL_STATE_SEM_AVAILABLE if event.obj.count > 0 else 0
    if t == K_POLL_TYPE_DATA_AVAILABLE:
        return K_POLL_STATE_DATA_AVAILABLE if event.obj.has_data() else 0
    if t == K_POLL_TYPE_MSGQ_DATA_AVAILABLE:
        return K_POLL_STATE_MSGQ_DATA_AVAILABLE if event.obj.has_data() else 0
    return 0


def signal_poll_event(sched: Scheduler, poll_events: list[k_poll_event], state: int) -> None:
    """Ready the first poller of an object (call with the kernel lock held)."""
    while poll_events:
        event = poll_events.pop(0)
        w = event._waiter
        event._waiter = None
        if w is not None and not w.woken:
            event.state |= state
            sched.wake(w, 0)
            return


def k_poll(events: list[k_poll_event], num_events: int, timeout: k_timeout_t) -> int:
    """0 when at least one event is ready; -EAGAIN on timeout (or K_NO_WAIT with none ready)."""
    if timeout.__class__ is not k_timeout_t:
        as_timeout(timeout)
    if num_events < 0 or num_events > len(events):
        return -errno.EINVAL
    sched = current_kernel().sched
    chosen = events if num_events == len(events) else events[:num_events]
    with sched.lock:
        ready = False
        for ev in chosen:
            if ev.type == K_POLL_TYPE_SIGNAL:  # the common case, inline
                state = K_POLL_STATE_SIGNALED if ev.obj.signaled else 0
            else:
                state = _condition(ev)
            if state:
                ev.state |= state
                ready = True
        if ready:
            return 0
        if timeout.ns == 0:
            return -errno.EAGAIN
        w = sched.prepare()
        for ev in chosen:
            if ev.type != K_POLL_TYPE_IGNORE:
                ev._waiter = w
                ev.obj.poll_events.append(ev)
    rc = sched.block(w, None if timeout.ns < 0 else timeout.ns / 1e9)
    with sched.lock:
        for ev in chosen:
            if ev._waiter is w:
                ev._waiter = None
                try:
                    ev.obj.poll_events.remove(ev)
                except ValueError:
                    pass
    return rc


def k_poll_signal_init(sig: k_poll_signal) -> None:
    sig.signaled = 0
    sig.result = 0
    sig.poll_events = []


def k_poll_signal_reset(sig: k_poll_signal) -> None:
    sig.signaled = 0


def k_poll_signal_check(sig: k_poll_signal) -> tuple[int, int]:
    """C: k_poll_signal_check(sig, &signaled, &result). Returns (signaled, result)."""
    return sig.signaled, sig.result


def k_poll_signal_raise(sig: k_poll_signal, result: int) -> int:
    """Signal it with `result` and ready its first poller. Callable from ISRs. Returns 0."""
    sched = current_kernel().sched
    with sched.lock:
        sig.result = result
        sig.signaled = 1
        if sig.poll_events:
            signal_poll_event(sched, sig.poll_events, K_POLL_STATE_SIGNALED)
    return 0
