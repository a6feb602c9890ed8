"""k_work_poll: work submitted when one of its k_poll events happens (kernel/poll.c).

k_work_poll_submit registers the events as k_poll does, without blocking: the
first event signaled (a k_poll_signal raised, a k_sem given, data put in a
queue) submits the work to its queue; so does the timeout (then the work's
`poll_result` is -EAGAIN, else 0). An event already met at submission submits
at once. As with k_poll, each object signals the first poller registered on it:
a thread in k_poll and a k_work_poll waiting on one object take turns, in the
order they registered. The handler gets the k_work; CONTAINER_OF(work,
k_work_poll, "work") is its k_work_poll.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.poll import (
    K_POLL_TYPE_IGNORE,
    MODE_NONE,
    MODE_TRIGGERED,
    _condition,
    k_poll_event,
    z_poller,
)
from zpy.kernel.sys_clock import Timeout
from zpy.kernel.timeout import as_timeout, k_timeout_t
from zpy.kernel.work import (
    _submit_to_queue_locked,
    k_work,
    k_work_handler_t,
    k_work_q,
    k_work_submit_to_queue,
    sys_work_q,
)

if TYPE_CHECKING:
    from zpy.kernel.switch import Scheduler


class k_work_poll:
    """struct k_work_poll: `work`, the events, `poll_result` for the handler."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.work = k_work(_triggered_work_handler, 0, None, self)
        self.poller = z_poller(self)
        self.workq: k_work_q | None = None
        self.real_handler: k_work_handler_t | None = None
        self.events: list[k_poll_event] = []
        self.num_events = 0
        self.poll_result = 0
        self.timeout = Timeout(self)

    def triggered_locked(self, sched: Scheduler) -> None:
        """signal_triggered_work: one of the events happened."""
        if self.poller.is_polling and self.workq is not None:
            sched.clock.abort(self.timeout)
            self.poll_result = 0
            _submit_to_queue_locked(sched, self.work, self.workq)


def k_work_poll_init(work: k_work_poll, handler: k_work_handler_t) -> None:
    work.reset()
    work.real_handler = handler


def _clear_registrations_locked(work: k_work_poll) -> None:
    for ev in work.events[:work.num_events]:
        if ev._poller is work.poller:
            ev._poller = None
            try:
                ev.obj.poll_events.remove(ev)
            except ValueError:
                pass


def _triggered_work_handler(work: k_work) -> None:
    twork: k_work_poll = work._container
    if twork.poller.mode != MODE_NONE:
        sched = current_kernel().sched
        with sched.lock:
            _clear_registrations_locked(twork)
    twork.workq = None
    assert twork.real_handler is not None
    twork.real_handler(work)


def _expired(to: Timeout) -> None:
    """The timeout ran out before any event (ISR context): submit with -EAGAIN."""
    twork: k_work_poll = to.owner  # type: ignore[assignment]
    sched = current_kernel().sched
    with sched.lock:
        twork.poller.is_polling = False
        twork.poll_result = -errno.EAGAIN
        _submit_to_queue_locked(sched, twork.work, twork.workq)


def _cancel_locked(sched: Scheduler, work: k_work_poll) -> int:
    if work.poller.is_polling and work.poller.mode != MODE_NONE:
        sched.clock.abort(work.timeout)
        work.poller.mode = MODE_NONE
        _clear_registrations_locked(work)
        work.workq = None
        return 0
    return -errno.EINVAL  # being registered, queued or running: too late


def k_work_poll_submit_to_queue(work_q: k_work_q, work: k_work_poll,
                                events: list[k_poll_event], num_events: int,
                                timeout: k_timeout_t) -> int:
    """Wait for any of the events, then submit `work` to `work_q`. 0; -EINVAL (bad
    arguments, or a previous submission too far along to cancel); -EADDRINUSE (waiting
    for another queue)."""
    timeout = as_timeout(timeout)
    if num_events <= 0 or num_events > len(events):
        return -errno.EINVAL
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if work.workq is not None:
        if work.workq is not work_q:
            sched.lock.release()
            return -errno.EADDRINUSE
        rc = _cancel_locked(sched, work)
        if rc < 0:
            sched.lock.release()
            return rc
    poller = work.poller
    poller.is_polling = True
    poller.mode = MODE_NONE
    work.workq = work_q
    work.events = events
    work.num_events = num_events
    work.poll_result = -errno.EINPROGRESS
    for ev in events[:num_events]:
        state = _condition(ev)
        if state:
            ev.state |= state
            poller.is_polling = False
        elif poller.is_polling and ev.type != K_POLL_TYPE_IGNORE:
            ev._poller = poller
            ev.obj.poll_events.append(ev)
    if poller.is_polling and not timeout.no_wait:
        poller.mode = MODE_TRIGGERED
        if not timeout.forever:
            sched.add_timeout_locked(work.timeout, _expired, timeout)
        sched.lock.release()
        return 0
    if poller.is_polling:  # K_NO_WAIT and nothing ready
        poller.is_polling = False
        work.poll_result = -errno.EAGAIN
    else:
        work.poll_result = 0
    _clear_registrations_locked(work)
    sched.lock.release()
    k_work_submit_to_queue(work_q, work.work)
    return 0


def k_work_poll_submit(work: k_work_poll, events: list[k_poll_event], num_events: int,
                       timeout: k_timeout_t) -> int:
    return k_work_poll_submit_to_queue(sys_work_q(), work, events, num_events, timeout)


def k_work_poll_cancel(work: k_work_poll) -> int:
    """Stop waiting: 0, or -EINVAL if it is not waiting (queued or running already)."""
    if work is None or work.workq is None:
        return -errno.EINVAL
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        return _cancel_locked(sched, work)
