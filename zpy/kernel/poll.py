"""k_poll, k_poll_event and k_poll_signal: wait for any of several conditions.

Semantics follow kernel/poll.c: a condition already met makes k_poll return 0
at once; otherwise the events are registered on their objects, highest
priority poller first (FIFO among equals), and the thread blocks. A raise,
give or put signals the FIRST event registered on that object only: it ORs the
state into the event and readies its poller, whose k_poll returns 0 (-EINTR
for a cancelled queue wait); a poller another of its events has woken already
gets the state too (its k_poll reports both), one whose timeout ran out passes
the signal to the next poller. Event states are ORed, never cleared by k_poll:
reset them before reuse if you read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.timeout import k_timeout_t

if TYPE_CHECKING:
    from zpy.kernel.switch import Scheduler
    from zpy.kernel.thread import k_thread

K_POLL_TYPE_IGNORE = 0
K_POLL_TYPE_SIGNAL = 1 << 0
K_POLL_TYPE_SEM_AVAILABLE = 1 << 1
K_POLL_TYPE_DATA_AVAILABLE = 1 << 2
K_POLL_TYPE_FIFO_DATA_AVAILABLE = K_POLL_TYPE_DATA_AVAILABLE
K_POLL_TYPE_MSGQ_DATA_AVAILABLE = 1 << 3
K_POLL_TYPE_PIPE_DATA_AVAILABLE = 1 << 4

# bit n-1 for Zephyr's enum _poll_states_bits value n
K_POLL_STATE_NOT_READY = 0
K_POLL_STATE_SIGNALED = 1 << 0
K_POLL_STATE_SEM_AVAILABLE = 1 << 1
K_POLL_STATE_DATA_AVAILABLE = 1 << 2
K_POLL_STATE_FIFO_DATA_AVAILABLE = K_POLL_STATE_DATA_AVAILABLE
K_POLL_STATE_CANCELLED = 1 << 3
K_POLL_STATE_MSGQ_DATA_AVAILABLE = 1 << 4
K_POLL_STATE_PIPE_DATA_AVAILABLE = 1 << 5

K_POLL_MODE_NOTIFY_ONLY = 0

# how a z_poller's events are answered (Zephyr's enum poller mode)
MODE_NONE = 0
MODE_POLL = 1
MODE_TRIGGERED = 2


class z_poller:
    """struct z_poller of a k_work_poll: a signaled event submits the work (MODE_TRIGGERED)
    instead of waking a thread. `owner` is the k_work_poll."""

    __slots__ = ("is_polling", "mode", "owner")

    def __init__(self, owner: Any) -> None:
        self.is_polling = False
        self.mode = MODE_NONE
        self.owner = owner


class k_poll_signal:
    """struct k_poll_signal: raised with an int result, checked, reset."""

    __slots__ = ("signaled", "result", "poll_events")

    def __init__(self) -> None:
        self.signaled = 0
        self.result = 0
        self.poll_events: list[k_poll_event] = []


class k_poll_event:
    """struct k_poll_event: what to wait for (type + object) and what happened (state)."""

    __slots__ = ("type", "mode", "state", "tag", "obj", "_poller")

    def __init__(self, type: int = K_POLL_TYPE_IGNORE, mode: int = K_POLL_MODE_NOTIFY_ONLY,
                 obj: Any = None, tag: int = 0) -> None:
        self.type = type
        self.mode = mode
        self.state = K_POLL_STATE_NOT_READY
        self.tag = tag
        self.obj = obj
        #: the thread blocked in k_poll on this event, or a k_work_poll's poller
        self._poller: k_thread | z_poller | None = None


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
    event._poller = None


def _condition(event: k_poll_event) -> int:
    """The state bit if the event's condition holds now, else 0 (is_condition_met)."""
    t = event.type
    obj = event.obj
    if t == K_POLL_TYPE_SIGNAL:
        return K_POLL_STATE_SIGNALED if obj.signaled else 0
    if t == K_POLL_TYPE_SEM_AVAILABLE:
        return K_POLL_STATE_SEM_AVAILABLE if obj.count > 0 else 0
    if t == K_POLL_TYPE_DATA_AVAILABLE:
        return K_POLL_STATE_DATA_AVAILABLE if obj.data_q else 0
    if t == K_POLL_TYPE_MSGQ_DATA_AVAILABLE:
        return K_POLL_STATE_MSGQ_DATA_AVAILABLE if obj.used_msgs > 0 else 0
    if t == K_POLL_TYPE_PIPE_DATA_AVAILABLE:
        return K_POLL_STATE_PIPE_DATA_AVAILABLE if obj.buf.used else 0
    return 0


def _add_event(poll_events: list[k_poll_event], event: k_poll_event, poller: k_thread) -> None:
    """Register `event` on its object: behind the pollers of higher or equal priority."""
    i = len(poll_events)
    while i > 0:
        other = poll_events[i - 1]._poller
        if other is not None and getattr(other, "prio", poller.prio) <= poller.prio:
            break
        i -= 1
    event._poller = poller
    poll_events.insert(i, event)


def signal_poll_event(sched: Scheduler, poll_events: list[k_poll_event], state: int) -> bool:
    """z_handle_obj_poll_events: signal the first thread polling an object, or submit the
    first k_work_poll waiting on it; True if one was (call with the kernel lock held)."""
    while poll_events:
        event = poll_events.pop(0)
        poller = event._poller
        event._poller = None
        if isinstance(poller, z_poller):
            if poller.mode == MODE_TRIGGERED:
                poller.owner.triggered_locked(sched)
            poller.is_polling = False
            event.state |= state
            return True
        if poller is not None:
            retval = -errno.EINTR if state == K_POLL_STATE_CANCELLED else 0
            if sched.wake_thread_locked(poller, retval) or poller.swap_retval != -errno.EAGAIN:
                # woken now, or by another of its events: its k_poll sees this one too
                event.state |= state
                return True
    return False


def k_poll(events: list[k_poll_event], num_events: int, timeout: k_timeout_t) -> int:
    """0 when at least one event is ready; -EAGAIN on timeout (or K_NO_WAIT with none ready)."""
    if timeout.__class__ is not k_timeout_t:
        raise TypeError(f"expected a k_timeout_t (K_MSEC(...), K_FOREVER, K_NO_WAIT), got "
                        f"{type(timeout).__name__} {timeout!r}")
    if num_events < 0 or num_events > len(events):
        return -errno.EINVAL
    sched = current_kernel().sched
    sched.entry()
    chosen = events if num_events == len(events) else events[:num_events]
    sched.lock.acquire()
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
        sched.lock.release()
        return 0
    if timeout.no_wait:
        sched.lock.release()
        return -errno.EAGAIN
    try:
        me = sched.running_thread()
    except RuntimeError:
        sched.lock.release()
        raise
    for ev in chosen:
        if ev.type != K_POLL_TYPE_IGNORE:
            _add_event(ev.obj.poll_events, ev, me)
    rc = sched.pend_curr_locked(None, timeout, me)
    # Wakers clear _poller (under the lock) of the event they signal and never set it back:
    # an event still naming us is one to unregister.
    for ev in chosen:
        if ev._poller is me:
            with sched.lock:
                for ev in chosen:
                    if ev._poller is me:
                        ev._poller = None
                        try:
                            ev.obj.poll_events.remove(ev)
                        except ValueError:
                            pass
            break
    return rc


def k_poll_signal_init(sig: k_poll_signal) -> None:
    sig.signaled = 0
    sig.result = 0
    sig.poll_events = []


def k_poll_signal_reset(sig: k_poll_signal) -> None:
    current_kernel().sched.entry()
    sig.signaled = 0


def k_poll_signal_check(sig: k_poll_signal) -> tuple[int, int]:
    """C: k_poll_signal_check(sig, &signaled, &result). Returns (signaled, result)."""
    current_kernel().sched.entry()
    return sig.signaled, sig.result


def k_poll_signal_raise(sig: k_poll_signal, result: int) -> int:
    """Signal it with `result` and ready its first poller. Callable from ISRs. Returns 0."""
    sched = current_kernel().sched
    sched.lock.acquire()
    sig.result = result
    sig.signaled = 1
    if sig.poll_events:
        signal_poll_event(sched, sig.poll_events, K_POLL_STATE_SIGNALED)
    sched.reschedule_locked()
    return 0
