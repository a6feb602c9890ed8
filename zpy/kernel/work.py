"""Work queues: k_work, k_work_delayable, k_work_q and the system work queue (kernel/work.c).

State and return codes are Zephyr's, flag for flag (K_WORK_QUEUED, K_WORK_RUNNING,
K_WORK_CANCELING, K_WORK_DELAYED, K_WORK_FLUSHING; K_WORK_QUEUE_STARTED, ...):
a submission returns 1 (queued), 2 (queued to the queue that runs it now), 0
(already queued) or -EBUSY / -EINVAL / -ENODEV; a work item running when it is
submitted again goes to the queue running it, so a handler never runs twice at
once. All work state is guarded by the kernel lock (Zephyr guards it with a
spinlock of its own; nothing outside this module can tell).

The system work queue (`k_sys_work_q`) is a thread started at POST_KERNEL by the
kernel, at CONFIG_SYSTEM_WORKQUEUE_PRIORITY, as Zephyr's kernel/system_work_q.c.
While it waits for work it does not keep a run going (zpy's end of a run: no
thread can ever run again); delayed work does, through its timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.irq import k_is_in_isr
from zpy.kernel.sched import WaitQ
from zpy.kernel.sys_clock import Timeout
from zpy.kernel.thread import (
    K_ESSENTIAL,
    k_thread,
    k_thread_create,
    k_thread_join,
    k_thread_name_set,
    k_thread_stack_t,
    k_thread_start,
    k_yield,
)
from zpy.kernel.timeout import K_FOREVER, as_timeout, k_timeout_t

if TYPE_CHECKING:
    from zpy.kernel.switch import Scheduler

# k_work flags (the bits of k_work.flags and their masks)
K_WORK_RUNNING_BIT = 0
K_WORK_CANCELING_BIT = 1
K_WORK_QUEUED_BIT = 2
K_WORK_DELAYED_BIT = 3
K_WORK_FLUSHING_BIT = 4
K_WORK_DELAYABLE_BIT = 8
K_WORK_RUNNING = 1 << K_WORK_RUNNING_BIT
K_WORK_CANCELING = 1 << K_WORK_CANCELING_BIT
K_WORK_QUEUED = 1 << K_WORK_QUEUED_BIT
K_WORK_DELAYED = 1 << K_WORK_DELAYED_BIT
K_WORK_FLUSHING = 1 << K_WORK_FLUSHING_BIT
K_WORK_DELAYABLE = 1 << K_WORK_DELAYABLE_BIT
K_WORK_MASK = K_WORK_DELAYED | K_WORK_QUEUED | K_WORK_RUNNING | K_WORK_CANCELING | K_WORK_FLUSHING

# k_work_q flags
K_WORK_QUEUE_STARTED_BIT = 0
K_WORK_QUEUE_BUSY_BIT = 1
K_WORK_QUEUE_DRAIN_BIT = 2
K_WORK_QUEUE_PLUGGED_BIT = 3
K_WORK_QUEUE_STOP_BIT = 4
K_WORK_QUEUE_NO_YIELD_BIT = 8
K_WORK_QUEUE_STARTED = 1 << K_WORK_QUEUE_STARTED_BIT
K_WORK_QUEUE_BUSY = 1 << K_WORK_QUEUE_BUSY_BIT
K_WORK_QUEUE_DRAIN = 1 << K_WORK_QUEUE_DRAIN_BIT
K_WORK_QUEUE_PLUGGED = 1 << K_WORK_QUEUE_PLUGGED_BIT
K_WORK_QUEUE_STOP = 1 << K_WORK_QUEUE_STOP_BIT
K_WORK_QUEUE_NO_YIELD = 1 << K_WORK_QUEUE_NO_YIELD_BIT

k_work_handler_t = Callable[["k_work"], None]


# -- the structures ---------------------------------------------------------------------------


@dataclass(eq=True)
class k_work:
    """struct k_work. Two items compare equal when they hold the same state, as the memory
    of two C items initialized alike does (tests compare K_WORK_DEFINE with k_work_init)."""

    handler: k_work_handler_t | None = None
    flags: int = 0
    queue: k_work_q | None = field(default=None, compare=False)
    #: the structure embedding this item (k_work_delayable, k_work_poll, a flusher)
    _container: Any = field(default=None, compare=False, repr=False)


@dataclass(eq=True)
class k_work_delayable:
    """struct k_work_delayable: a k_work (`.work`) submitted after a delay."""

    work: k_work = field(default_factory=k_work)
    queue: k_work_q | None = field(default=None, compare=False)
    timeout: Timeout = field(default_factory=Timeout, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.work._container = self
        self.timeout.owner = self


@dataclass
class k_work_queue_config:
    """struct k_work_queue_config: the queue thread's name, and its policies."""

    name: str | None = None
    no_yield: bool = False
    essential: bool = False


@dataclass(eq=False)
class k_work_q:
    """struct k_work_q: its thread (`thread`, `thread_id`), pending items and flags."""

    thread: k_thread = field(default_factory=k_thread)
    thread_id: k_thread | None = None
    pending: list[k_work] = field(default_factory=list)
    notifyq: WaitQ = field(default_factory=WaitQ)
    drainq: WaitQ = field(default_factory=WaitQ)
    flags: int = 0


class z_work_flusher:
    """A work item queued behind the one being flushed; its waiter wakes when it runs."""

    def __init__(self) -> None:
        self.work = k_work(_flush_nop, K_WORK_FLUSHING, None, self)
        self.wait_q = WaitQ()


class z_work_canceller:
    def __init__(self) -> None:
        self.work: k_work | None = None
        self.wait_q = WaitQ()


class k_work_sync:
    """struct k_work_sync: what a *_sync call waits with (reusable, one call at a time)."""

    def __init__(self) -> None:
        self.flusher = z_work_flusher()
        self.canceller = z_work_canceller()


def _wait_locked(sched: Scheduler, wait_q: WaitQ | None) -> None:
    """Wait on `wait_q` for a flush or cancel to complete; None: nothing to wait for.
    Releases the kernel lock either way."""
    if wait_q is not None:
        sched.pend_curr_locked(wait_q, K_FOREVER)
    else:
        sched.lock.release()


def _flush_nop(work: k_work) -> None:
    """A flusher's handler: its completion (finalize_flush_locked) is the signal."""


def K_WORK_DEFINE(work: str, work_handler: k_work_handler_t) -> k_work:
    return k_work(work_handler)


def K_WORK_DELAYABLE_DEFINE(work: str, work_handler: k_work_handler_t) -> k_work_delayable:
    dwork = k_work_delayable()
    k_work_init_delayable(dwork, work_handler)
    return dwork


def k_work_delayable_from_work(work: k_work) -> k_work_delayable:
    """CONTAINER_OF(work, struct k_work_delayable, work)."""
    container = work._container
    if not isinstance(container, k_work_delayable):
        raise TypeError(f"{work!r} is not the work of a k_work_delayable")
    return container


# -- per-kernel state -----------------------------------------------------------------------


@dataclass
class _WorkState:
    """What Zephyr keeps in statics: k_sys_work_q and work.c's pending_cancels."""

    sys_work_q: k_work_q = field(default_factory=k_work_q)
    #: the cancellers waiting for running items to finish
    pending_cancels: list[z_work_canceller] = field(default_factory=list)


def _pending_cancels() -> list[z_work_canceller]:
    return current_kernel().service(_WorkState).pending_cancels


def sys_work_q() -> k_work_q:
    """The image's system work queue (`k_sys_work_q` in zpy.kernel)."""
    return current_kernel().service(_WorkState).sys_work_q


def k_sys_work_q_init() -> int:
    """SYS_INIT(k_sys_work_q_init, POST_KERNEL, CONFIG_KERNEL_INIT_PRIORITY_DEFAULT)."""
    config = current_kernel().config
    cfg = k_work_queue_config("sysworkq", bool(config.get("CONFIG_SYSTEM_WORKQUEUE_NO_YIELD")),
                              essential=True)
    size = int(config.get("CONFIG_SYSTEM_WORKQUEUE_STACK_SIZE", 1024))
    queue = sys_work_q()
    k_work_queue_start(queue, k_thread_stack_t(size), size,
                       int(config.get("CONFIG_SYSTEM_WORKQUEUE_PRIORITY", -1)), cfg)
    sched = current_kernel().sched
    with sched.lock:
        sched.idle_waits.add(queue.notifyq)  # waiting for work, it does not keep a run going
    return 0


# -- work items (all *_locked functions run with the kernel lock held) ------------------------


def _index(items: list[k_work], work: k_work) -> int:
    """Where `work` itself is in a queue (items that compare equal are other items)."""
    for i, w in enumerate(items):
        if w is work:
            return i
    return -1


def k_work_init(work: k_work, handler: k_work_handler_t) -> None:
    work.handler = handler
    work.flags = 0
    work.queue = None


def k_work_busy_get(work: k_work) -> int:
    """The item's K_WORK_* state bits (0: idle)."""
    return work.flags & K_WORK_MASK


def k_work_is_pending(work: k_work) -> bool:
    return k_work_busy_get(work) != 0


def _queue_flusher_locked(queue: k_work_q, work: k_work, flusher: z_work_flusher) -> None:
    flusher.work.flags = K_WORK_FLUSHING
    flusher.work.queue = queue
    i = _index(queue.pending, work)
    # behind the item if it is queued; first if it is running
    queue.pending.insert(0 if i < 0 else i + 1, flusher.work)


def _finalize_flush_locked(sched: Scheduler, work: k_work) -> None:
    work.flags &= ~K_WORK_FLUSHING
    sched.unpend_all_locked(work._container.wait_q, 0)


def _finalize_cancel_locked(sched: Scheduler, work: k_work) -> None:
    work.flags &= ~K_WORK_CANCELING
    cancels = _pending_cancels()
    for canceller in [c for c in cancels if c.work is work]:
        cancels.remove(canceller)
        sched.unpend_all_locked(canceller.wait_q, 0)


def _queue_remove_locked(queue: k_work_q | None, work: k_work) -> None:
    if work.flags & K_WORK_QUEUED:
        work.flags &= ~K_WORK_QUEUED
        i = -1 if queue is None else _index(queue.pending, work)
        if i >= 0:
            del queue.pending[i]  # type: ignore[union-attr]


def _notify_queue_locked(sched: Scheduler, queue: k_work_q | None) -> bool:
    return queue is not None and sched.wake_locked(queue.notifyq, 0) is not None


def _queue_submit_locked(sched: Scheduler, queue: k_work_q | None, work: k_work) -> int:
    if queue is None:
        return -errno.EINVAL
    chained = sched.current() is queue.thread_id and not k_is_in_isr()
    draining = queue.flags & K_WORK_QUEUE_DRAIN
    plugged = queue.flags & K_WORK_QUEUE_PLUGGED
    if not queue.flags & K_WORK_QUEUE_STARTED:
        return -errno.ENODEV
    if (draining and not chained) or (plugged and not draining):
        return -errno.EBUSY
    queue.pending.append(work)
    _notify_queue_locked(sched, queue)
    return 1


def _submit_to_queue_locked(sched: Scheduler, work: k_work,
                            queue: k_work_q | None) -> tuple[int, k_work_q | None]:
    """submit_to_queue_locked: (result, the queue it went to or None)."""
    ret = 0
    if work.flags & K_WORK_CANCELING:
        ret = -errno.EBUSY
    elif not work.flags & K_WORK_QUEUED:
        ret = 1
        if queue is None:
            queue = work.queue  # resubmit to the last queue
        if work.flags & K_WORK_RUNNING:
            queue = work.queue  # the queue running it, so the handler is not re-entered
            ret = 2
        rc = _queue_submit_locked(sched, queue, work)
        if rc < 0:
            ret = rc
        else:
            work.flags |= K_WORK_QUEUED
            work.queue = queue
    return ret, (queue if ret > 0 else None)


def k_work_submit_to_queue(queue: k_work_q | None, work: k_work) -> int:
    """Queue `work` on `queue` (None: the queue it last ran on). Returns 0 (already queued),
    1 (queued), 2 (queued to the queue running it), -EBUSY, -EINVAL or -ENODEV."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    ret, _ = _submit_to_queue_locked(sched, work, queue)
    if ret > 0:
        sched.reschedule_locked()
    else:
        sched.lock.release()
    return ret


def k_work_submit(work: k_work) -> int:
    return k_work_submit_to_queue(sys_work_q(), work)


def _work_flush_locked(sched: Scheduler, work: k_work, flusher: z_work_flusher) -> bool:
    need_flush = bool(work.flags & (K_WORK_QUEUED | K_WORK_RUNNING))
    if need_flush:
        queue = work.queue
        assert queue is not None
        _queue_flusher_locked(queue, work, flusher)
        _notify_queue_locked(sched, queue)
    return need_flush


def k_work_flush(work: k_work, sync: k_work_sync) -> bool:
    """Wait until `work` is neither queued nor running; True if it had to wait."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    need_flush = _work_flush_locked(sched, work, sync.flusher)
    _wait_locked(sched, sync.flusher.wait_q if need_flush else None)
    return need_flush


def _cancel_async_locked(work: k_work) -> int:
    if not work.flags & K_WORK_CANCELING:
        _queue_remove_locked(work.queue, work)
    ret = work.flags & K_WORK_MASK
    if ret:
        work.flags |= K_WORK_CANCELING
        ret = work.flags & K_WORK_MASK
    return ret


def _cancel_sync_locked(work: k_work, canceller: z_work_canceller) -> bool:
    canceling = bool(work.flags & K_WORK_CANCELING)
    if canceling:
        canceller.work = work
        _pending_cancels().append(canceller)
    return canceling


def k_work_cancel(work: k_work) -> int:
    """Take `work` off its queue; returns its busy state after that (0: it will not run)."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        return _cancel_async_locked(work)


def k_work_cancel_sync(work: k_work, sync: k_work_sync) -> bool:
    """Cancel, and wait for a running handler to finish; True if `work` was pending."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    pending = bool(work.flags & K_WORK_MASK)
    need_wait = False
    if pending:
        _cancel_async_locked(work)
        need_wait = _cancel_sync_locked(work, sync.canceller)
    _wait_locked(sched, sync.canceller.wait_q if need_wait else None)
    return pending


# -- work queues ------------------------------------------------------------------------------


def _work_queue_main(queue: k_work_q) -> None:
    """The loop of a work queue thread."""
    sched = current_kernel().sched
    while True:
        sched.lock.acquire()
        work = None
        if queue.pending:
            work = queue.pending.pop(0)
            queue.flags |= K_WORK_QUEUE_BUSY
            work.flags = (work.flags | K_WORK_RUNNING) & ~K_WORK_QUEUED
        elif queue.flags & K_WORK_QUEUE_DRAIN:
            queue.flags &= ~K_WORK_QUEUE_DRAIN
            sched.unpend_all_locked(queue.drainq, 1)
        elif queue.flags & K_WORK_QUEUE_STOP:
            queue.flags = 0
            sched.lock.release()
            return
        if work is None:
            sched.pend_curr_locked(queue.notifyq, K_FOREVER)
            continue
        sched.lock.release()
        assert work.handler is not None
        work.handler(work)
        sched.lock.acquire()
        work.flags &= ~K_WORK_RUNNING
        if work.flags & K_WORK_FLUSHING:
            _finalize_flush_locked(sched, work)
        if work.flags & K_WORK_CANCELING:
            _finalize_cancel_locked(sched, work)
        queue.flags &= ~K_WORK_QUEUE_BUSY
        yield_ = not queue.flags & K_WORK_QUEUE_NO_YIELD
        sched.lock.release()
        if yield_:
            k_yield()


def k_work_queue_init(queue: k_work_q) -> None:
    queue.flags = 0
    queue.pending = []
    queue.thread_id = None


def _queue_flags(cfg: k_work_queue_config | None) -> int:
    flags = K_WORK_QUEUE_STARTED
    if cfg is not None and cfg.no_yield:
        flags |= K_WORK_QUEUE_NO_YIELD
    return flags


def k_work_queue_start(queue: k_work_q, stack: k_thread_stack_t | None, stack_size: int,
                       prio: int, cfg: k_work_queue_config | None) -> None:
    """Start a thread running `queue` at `prio` (cfg: name, no_yield, essential)."""
    if queue.flags & K_WORK_QUEUE_STARTED:
        raise RuntimeError("k_work_queue_start: the queue is already started")
    queue.pending = []
    queue.notifyq = WaitQ()
    queue.drainq = WaitQ()
    queue.flags = _queue_flags(cfg)
    k_thread_create(queue.thread, stack, stack_size, _work_queue_main, queue, None, None,
                    prio, 0, K_FOREVER)
    k_thread_name_set(queue.thread, cfg.name if cfg is not None and cfg.name else "")
    if cfg is not None and cfg.essential:
        queue.thread.options |= K_ESSENTIAL
    queue.thread_id = queue.thread
    k_thread_start(queue.thread)


def k_work_queue_run(queue: k_work_q, cfg: k_work_queue_config | None) -> None:
    """Run `queue` in the calling thread; returns after k_work_queue_stop()."""
    if queue.flags & K_WORK_QUEUE_STARTED:
        raise RuntimeError("k_work_queue_run: the queue is already started")
    sched = current_kernel().sched
    me = sched.running_thread()
    if cfg is not None and cfg.name is not None:
        k_thread_name_set(me, cfg.name)
    queue.pending = []
    queue.notifyq = WaitQ()
    queue.drainq = WaitQ()
    queue.thread_id = me
    queue.flags = _queue_flags(cfg)
    _work_queue_main(queue)


def k_work_queue_thread_get(queue: k_work_q) -> k_thread | None:
    return queue.thread_id


def k_work_queue_drain(queue: k_work_q, plug: bool) -> int:
    """Wait until the queue is empty (plug: and refuse new work until unplugged). Returns 1
    if it waited, 0 if the queue was idle already."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if queue.flags & (K_WORK_QUEUE_BUSY | K_WORK_QUEUE_DRAIN) or plug or queue.pending:
        queue.flags |= K_WORK_QUEUE_DRAIN
        if plug:
            queue.flags |= K_WORK_QUEUE_PLUGGED
        _notify_queue_locked(sched, queue)
        return sched.pend_curr_locked(queue.drainq, K_FOREVER)
    sched.lock.release()
    return 0


def k_work_queue_unplug(queue: k_work_q) -> int:
    """0, or -EALREADY if the queue was not plugged."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        if queue.flags & K_WORK_QUEUE_PLUGGED:
            queue.flags &= ~K_WORK_QUEUE_PLUGGED
            return 0
    return -errno.EALREADY


def k_work_queue_stop(queue: k_work_q, timeout: k_timeout_t) -> int:
    """Stop a plugged, drained queue's thread: 0, -EALREADY (not started), -EBUSY (not
    plugged), -ETIMEDOUT (its thread did not end in time)."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        if not queue.flags & K_WORK_QUEUE_STARTED:
            return -errno.EALREADY
        if not queue.flags & K_WORK_QUEUE_PLUGGED:
            return -errno.EBUSY
        queue.flags |= K_WORK_QUEUE_STOP
        _notify_queue_locked(sched, queue)
    assert queue.thread_id is not None
    if k_thread_join(queue.thread_id, timeout) != 0:
        with sched.lock:
            queue.flags &= ~K_WORK_QUEUE_STOP
        return -errno.ETIMEDOUT
    return 0


# -- delayable work ---------------------------------------------------------------------------


def _work_timeout(to: Timeout) -> None:
    """The delay of a k_work_delayable ran out (ISR context): submit it."""
    dwork: k_work_delayable = to.owner  # type: ignore[assignment]
    sched = current_kernel().sched
    with sched.lock:
        work = dwork.work
        if work.flags & K_WORK_DELAYED:
            work.flags &= ~K_WORK_DELAYED
            _submit_to_queue_locked(sched, work, dwork.queue)


def k_work_init_delayable(dwork: k_work_delayable, handler: k_work_handler_t) -> None:
    dwork.work = k_work(handler, K_WORK_DELAYABLE, None, dwork)
    dwork.queue = None
    dwork.timeout = Timeout(dwork)


def k_work_delayable_busy_get(dwork: k_work_delayable) -> int:
    return dwork.work.flags & K_WORK_MASK


def k_work_delayable_is_pending(dwork: k_work_delayable) -> bool:
    return k_work_delayable_busy_get(dwork) != 0


def k_work_delayable_remaining_get(dwork: k_work_delayable) -> int:
    """Ticks until the delay runs out (0 if it is not delayed)."""
    sched = current_kernel().sched
    with sched.lock:
        return sched.clock.remaining(dwork.timeout)


def k_work_delayable_expires_get(dwork: k_work_delayable) -> int:
    """The uptime in ticks at which the delay runs out (now if it is not delayed)."""
    sched = current_kernel().sched
    with sched.lock:
        to = dwork.timeout
        return to.deadline if to.linked else sched.clock.tick_get()


def _schedule_for_queue_locked(sched: Scheduler, queue: k_work_q | None,
                               dwork: k_work_delayable, delay: k_timeout_t) -> int:
    work = dwork.work
    if delay.no_wait:
        return _submit_to_queue_locked(sched, work, queue)[0]
    work.flags |= K_WORK_DELAYED
    dwork.queue = queue
    sched.add_timeout_locked(dwork.timeout, _work_timeout, delay)
    return 1


def _unschedule_locked(sched: Scheduler, dwork: k_work_delayable) -> bool:
    work = dwork.work
    if work.flags & K_WORK_DELAYED:
        work.flags &= ~K_WORK_DELAYED
        return sched.clock.abort(dwork.timeout) == 0
    return False


def k_work_schedule_for_queue(queue: k_work_q | None, dwork: k_work_delayable,
                              delay: k_timeout_t) -> int:
    """Submit after `delay` unless already delayed or queued: 1 (scheduled), 0, or the
    submission's codes for K_NO_WAIT."""
    delay = as_timeout(delay)
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        if dwork.work.flags & K_WORK_MASK & ~K_WORK_RUNNING:
            return 0
        return _schedule_for_queue_locked(sched, queue, dwork, delay)


def k_work_schedule(dwork: k_work_delayable, delay: k_timeout_t) -> int:
    return k_work_schedule_for_queue(sys_work_q(), dwork, delay)


def k_work_reschedule_for_queue(queue: k_work_q | None, dwork: k_work_delayable,
                                delay: k_timeout_t) -> int:
    """Like k_work_schedule_for_queue, but a pending delay is replaced by this one."""
    delay = as_timeout(delay)
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        _unschedule_locked(sched, dwork)
        return _schedule_for_queue_locked(sched, queue, dwork, delay)


def k_work_reschedule(dwork: k_work_delayable, delay: k_timeout_t) -> int:
    return k_work_reschedule_for_queue(sys_work_q(), dwork, delay)


def k_work_cancel_delayable(dwork: k_work_delayable) -> int:
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        _unschedule_locked(sched, dwork)
        return _cancel_async_locked(dwork.work)


def k_work_cancel_delayable_sync(dwork: k_work_delayable, sync: k_work_sync) -> bool:
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    pending = bool(dwork.work.flags & K_WORK_MASK)
    need_wait = False
    if pending:
        _unschedule_locked(sched, dwork)
        _cancel_async_locked(dwork.work)
        need_wait = _cancel_sync_locked(dwork.work, sync.canceller)
    _wait_locked(sched, sync.canceller.wait_q if need_wait else None)
    return pending


def k_work_flush_delayable(dwork: k_work_delayable, sync: k_work_sync) -> bool:
    """A delayed item is submitted at once, then waited for; True if it had to wait."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    work = dwork.work
    if not work.flags & K_WORK_MASK:
        sched.lock.release()
        return False
    if _unschedule_locked(sched, dwork):
        _submit_to_queue_locked(sched, work, dwork.queue)
    need_flush = _work_flush_locked(sched, work, sync.flusher)
    _wait_locked(sched, sync.flusher.wait_q if need_flush else None)
    return need_flush
