"""The scheduler: which Zephyr thread each CPU runs (Zephyr's kernel/sched.c).

Policy is Zephyr's, rule for rule: the highest-priority ready thread runs,
FIFO among equals; cooperative threads (negative priorities) are preempted
only by meta-IRQ threads; a preemptible thread is preempted as soon as a
higher-priority thread is ready; k_sched_lock() makes the current thread
cooperative for a while; time slices rotate preemptible threads of equal
priority. With CONFIG_SMP=n the running thread stays in the run queue, with
CONFIG_SMP=y it does not, and the few places where that shows (where a
preempted thread goes back in the queue) behave as they do on Zephyr.

The mechanics are in zpy.kernel.switch: each Zephyr thread is carried by a
host thread, which runs Zephyr code only while its thread is the `current` of
a CPU.

Everything here that mentions `_locked` in its name, and every method that
says so, runs with `lock` held: the kernel lock, Zephyr's _sched_spinlock.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from zpy.kernel.sys_clock import SysClock
from zpy.kernel.timeout import k_timeout_t

if TYPE_CHECKING:
    from zpy.kernel.thread import k_thread

# struct k_thread's thread_state bits (Zephyr's kthread.h), in k_thread_state_str()'s order
_THREAD_DUMMY = 1 << 0
_THREAD_PENDING = 1 << 1
_THREAD_SLEEPING = 1 << 2
_THREAD_DEAD = 1 << 3
_THREAD_SUSPENDED = 1 << 4
_THREAD_ABORTING = 1 << 5
_THREAD_SUSPENDING = 1 << 6
_THREAD_QUEUED = 1 << 7
#: the states that keep a thread off the CPU (z_is_thread_prevented_from_running)
_PREVENTED = _THREAD_PENDING | _THREAD_SLEEPING | _THREAD_DEAD | _THREAD_DUMMY | _THREAD_SUSPENDED
_HALTING = _THREAD_ABORTING | _THREAD_SUSPENDING

STATE_NAMES = ((_THREAD_DUMMY, "dummy"), (_THREAD_PENDING, "pending"),
               (_THREAD_SLEEPING, "sleeping"), (_THREAD_DEAD, "dead"),
               (_THREAD_SUSPENDED, "suspended"), (_THREAD_ABORTING, "aborting"),
               (_THREAD_SUSPENDING, "suspending"), (_THREAD_QUEUED, "queued"))


class KernelHalt(BaseException):
    """Unwinds every kernel thread when the image stops (not an error)."""


class ThreadAbort(BaseException):
    """Unwinds a thread that k_thread_abort() ended."""


def prevented(t: k_thread) -> bool:
    return bool(t.thread_state & _PREVENTED)


# -- queues ------------------------------------------------------------------------------------


class RunQueue:
    """The ready threads: a FIFO per priority, priorities kept sorted (highest first)."""

    __slots__ = ("_lists", "_prios")

    def __init__(self) -> None:
        self._lists: dict[int, deque[k_thread]] = {}
        self._prios: list[int] = []

    def add(self, t: k_thread, front: bool = False) -> None:
        q = self._lists.get(t.prio)
        if q is None:
            q = self._lists[t.prio] = deque()
            bisect.insort(self._prios, t.prio)
        if front:
            q.appendleft(t)
        else:
            q.append(t)
        t._queued_prio = t.prio

    def remove(self, t: k_thread) -> None:
        prio = t._queued_prio
        q = self._lists[prio]
        q.remove(t)
        if not q:
            del self._lists[prio]
            self._prios.remove(prio)

    def best(self, cpu_bit: int = 0) -> k_thread | None:
        """The first thread of the highest priority (that may run on the CPU, if a mask is
        given: 1 << cpu id)."""
        for prio in self._prios:
            for t in self._lists[prio]:
                if not cpu_bit or t.cpu_mask & cpu_bit:
                    return t
        return None

    def __bool__(self) -> bool:
        return bool(self._prios)

    def __iter__(self) -> Iterator[k_thread]:
        for prio in self._prios:
            yield from self._lists[prio]


class WaitQ:
    """_wait_q_t: threads pended on an object, highest priority first, FIFO among equals."""

    __slots__ = ("waiters",)

    def __init__(self) -> None:
        self.waiters: list[k_thread] = []

    def add(self, t: k_thread) -> None:
        w = self.waiters
        i = len(w)
        while i > 0 and w[i - 1].prio > t.prio:
            i -= 1
        w.insert(i, t)

    def remove(self, t: k_thread) -> None:
        self.waiters.remove(t)

    def best(self) -> k_thread | None:
        return self.waiters[0] if self.waiters else None

    def __bool__(self) -> bool:
        return bool(self.waiters)

    def __len__(self) -> int:
        return len(self.waiters)

    def __iter__(self) -> Iterator[k_thread]:
        return iter(list(self.waiters))


class Cpu:
    """struct _cpu: what one CPU runs, and its scheduling state."""

    __slots__ = ("id", "bit", "current", "idle_thread", "online", "swap_ok", "need_resched",
                 "in_isr", "metairq_preempted", "slice_deadline", "slice_expired", "cache",
                 "pending_irqs", "usage0", "usage_total")

    def __init__(self, cpu_id: int, idle_thread: k_thread) -> None:
        self.id = cpu_id
        self.bit = 1 << cpu_id
        self.idle_thread = idle_thread
        self.current = idle_thread
        idle_thread.cpu = self
        self.online = cpu_id == 0
        #: SMP: the current thread may give way to an equal one at the next switch
        self.swap_ok = False
        #: look again at what this CPU should run, at its thread's next kernel entry
        self.need_resched = False
        #: interrupt nesting depth on this CPU
        self.in_isr = 0
        self.metairq_preempted: k_thread | None = None
        #: the tick at which the current thread's time slice ends (None: no slice)
        self.slice_deadline: int | None = None
        self.slice_expired = False
        #: CONFIG_SMP=n: the thread that should run next (Zephyr's ready_q.cache)
        self.cache = idle_thread
        #: vectors raised while this CPU's thread had interrupts locked
        self.pending_irqs: list[int] = []
        #: CONFIG_SCHED_THREAD_USAGE (zpy.kernel.usage): the cycle count when `current`'s
        #: run was last charged, and the cycles threads other than idle ran here
        self.usage0 = 0
        self.usage_total = 0

    def __repr__(self) -> str:
        return f"<cpu {self.id} running {self.current!r}>"


# -- the scheduler -------------------------------------------------------------------------------


class SchedPolicy:
    """One kernel's scheduling state and policy. The host-thread mechanics (switching,
    idling, taking interrupts) are in zpy.kernel.switch.Scheduler, its subclass."""

    def __init__(self, config: dict[str, Any], clock: SysClock) -> None:
        self.lock = threading.Lock()
        self.clock = clock
        self.smp = bool(config.get("CONFIG_SMP"))
        n_cpus = 1
        if self.smp:  # older apps ask for fewer CPUs with CONFIG_MP_NUM_CPUS
            n_cpus = min(int(config.get("CONFIG_MP_MAX_NUM_CPUS", 1)),
                         int(config.get("CONFIG_MP_NUM_CPUS", 1 << 16)))
        self.n_cpus = max(1, n_cpus)
        self.num_coop = int(config.get("CONFIG_NUM_COOP_PRIORITIES", 16))
        self.num_preempt = int(config.get("CONFIG_NUM_PREEMPT_PRIORITIES", 15))
        self.num_metairq = int(config.get("CONFIG_NUM_METAIRQ_PRIORITIES", 0))
        self.prio_ceiling = int(config.get("CONFIG_PRIORITY_CEILING", -127))
        self.timeslicing = bool(config.get("CONFIG_TIMESLICING"))
        self.thread_usage = bool(config.get("CONFIG_SCHED_THREAD_USAGE"))
        slice_ms = int(config.get("CONFIG_TIMESLICE_SIZE", 0))
        self.slice_ticks = -(-slice_ms * clock.ticks_per_sec // 1000)
        self.slice_max_prio = int(config.get("CONFIG_TIMESLICE_PRIORITY", 0))
        #: a cooperative thread that a meta-IRQ thread preempted gets its CPU back first
        self._metairq_returns = bool(self.num_metairq and self.num_coop > self.num_metairq)
        self.cpus: list[Cpu] = []
        self.runq = RunQueue()
        #: every thread that is not dead (for `kernel threads` and the end of a run)
        self.threads: dict[k_thread, None] = {}
        #: wait queues whose waiters are kernel services idling (the system work queue's):
        #: they alone do not keep a run going
        self.idle_waits: set[WaitQ] = set()

    @property
    def highest_prio(self) -> int:
        return -self.num_coop

    @property
    def lowest_prio(self) -> int:
        return self.num_preempt

    def add_cpus(self, idle_threads: list[k_thread]) -> None:
        self.cpus = [Cpu(i, t) for i, t in enumerate(idle_threads)]

    # -- predicates ----------------------------------------------------------------------------

    def is_metairq(self, t: k_thread) -> bool:
        return 0 <= t.prio - self.highest_prio < self.num_metairq

    @staticmethod
    def is_preemptible(t: k_thread) -> bool:
        return t.prio >= 0 and t.sched_locked == 0

    def is_idle(self, t: k_thread) -> bool:
        return t.cpu is not None and t is t.cpu.idle_thread

    def should_preempt(self, candidate: k_thread, preempt_ok: bool, cur: k_thread) -> bool:
        if preempt_ok or prevented(cur):
            return True
        return self.is_preemptible(cur) or self.is_metairq(candidate)

    # -- the run queue (queue_thread, dequeue_thread, next_up, update_cache) --------------------

    def queue_thread_locked(self, t: k_thread, cpu: Cpu) -> None:
        """Mark `t` queued; `cpu` is the CPU running this code."""
        t.thread_state |= _THREAD_QUEUED
        if not self.smp or t is not cpu.current:
            self.runq.add(t)
        elif t is cpu.current:
            cpu.swap_ok = True  # adding the running thread at the end means "yield"

    def dequeue_thread_locked(self, t: k_thread, cpu: Cpu) -> None:
        t.thread_state &= ~_THREAD_QUEUED
        if not self.smp or t is not cpu.current:
            self.runq.remove(t)

    def next_up_locked(self, cpu: Cpu) -> k_thread:
        """What `cpu` should run now."""
        cur = cpu.current
        runq = self.runq
        # a CPU taken offline (held for a 1cpu test) starts nothing new; CPU masks hold
        # without SMP too
        best = runq.best(cpu.bit) if runq._prios and cpu.online else None
        if self._metairq_returns:
            mirqp = cpu.metairq_preempted
            if mirqp is not None and (best is None or not self.is_metairq(best)):
                if not prevented(mirqp):
                    best = mirqp
                else:
                    cpu.metairq_preempted = None
        idle = cpu.idle_thread
        if not self.smp:
            return best if best is not None else idle
        state = cur.thread_state
        active = not state & _PREVENTED and cur is not idle
        if best is None:
            best = idle
        if active:
            swap_ok = cpu.swap_ok
            cmp = best.prio - cur.prio  # > 0: cur has the higher priority
            if cmp > 0 or (cmp == 0 and not swap_ok):
                best = cur
            elif not (swap_ok or (cur.prio >= 0 and cur.sched_locked == 0)
                      or self.is_metairq(best)):
                best = cur  # should_preempt() says no: a cooperative thread keeps its CPU
            if best is not cur and not state & _THREAD_QUEUED:
                self.queue_thread_locked(cur, cpu)
        if best.thread_state & _THREAD_QUEUED:
            self.dequeue_thread_locked(best, cpu)
        cpu.swap_ok = False
        return best

    def update_cache_locked(self, cpu: Cpu, preempt_ok: bool) -> None:
        if self.smp:
            cpu.swap_ok = preempt_ok
            return
        t = self.next_up_locked(cpu)
        cur = cpu.current
        if self.should_preempt(t, preempt_ok, cur):
            if t is not cur:
                self._update_metairq_preempt(cpu, t)
            cpu.cache = t
        else:
            cpu.cache = cur
        cpu.need_resched = cpu.cache is not cur

    def _update_metairq_preempt(self, cpu: Cpu, t: k_thread) -> None:
        if not self._metairq_returns:
            return
        cur = cpu.current
        if self.is_metairq(t) and not self.is_metairq(cur) and not self.is_preemptible(cur):
            cpu.metairq_preempted = cur
        elif not self.is_metairq(t) and t is not cpu.idle_thread:
            cpu.metairq_preempted = None

    # -- readying and unreadying ---------------------------------------------------------------

    def ready_thread_locked(self, t: k_thread, cpu: Cpu) -> None:
        """Make `t` runnable if nothing prevents it (z_ready_thread's core)."""
        if t.thread_state & (_THREAD_QUEUED | _PREVENTED):
            return
        running = t.cpu
        if running is not None and running is not cpu and running.current is t:
            return  # running elsewhere
        self.queue_thread_locked(t, cpu)
        self.update_cache_locked(cpu, False)
        self.dispatch_locked(t)

    def unready_thread_locked(self, t: k_thread, cpu: Cpu) -> None:
        if t.thread_state & _THREAD_QUEUED:
            self.dequeue_thread_locked(t, cpu)
        self.update_cache_locked(cpu, t is cpu.current)

    def move_thread_to_end_of_prio_q_locked(self, t: k_thread, cpu: Cpu) -> None:
        if t.thread_state & _THREAD_QUEUED:
            self.dequeue_thread_locked(t, cpu)
        self.queue_thread_locked(t, cpu)
        self.update_cache_locked(cpu, t is cpu.current)

    def dispatch_locked(self, t: k_thread) -> None:
        """`t` became ready: idle CPUs take it, and (SMP) the CPUs it could preempt are told,
        as Zephyr's IPI tells them; each looks again at its next kernel entry. The policy
        alone cannot run a thread: zpy.kernel.switch's Scheduler does."""

    # -- priorities ----------------------------------------------------------------------------

    def set_prio_locked(self, t: k_thread, prio: int, cpu: Cpu) -> bool:
        """z_thread_prio_set: change the priority; True when a reschedule is due."""
        if prevented(t) or t._idle:
            wait_q = t.pended_on if t.thread_state & _THREAD_PENDING else None
            if wait_q is not None:
                wait_q.remove(t)  # its place in the wait queue follows the new priority
            t.prio = prio
            if wait_q is not None:
                wait_q.add(t)
            return False
        if not self.smp or t.thread_state & _THREAD_QUEUED:
            self.dequeue_thread_locked(t, cpu)
            t.prio = prio
            self.queue_thread_locked(t, cpu)
        else:
            old = t.prio
            t.prio = prio
            other = t.cpu
            if other is not None and other is not cpu and other.current is t and old < prio:
                other.need_resched = True  # lowered while running elsewhere: it may yield
        self.update_cache_locked(cpu, True)
        for other in self.cpus:
            if other is not cpu and other.online:
                other.need_resched = True
        return True

    # -- time slicing (Zephyr's kernel/timeslicing.c) -------------------------------------------

    def slice_time(self, t: k_thread) -> int:
        return t.slice_ticks or self.slice_ticks

    def sliceable(self, t: k_thread) -> bool:
        ok = (self.is_preemptible(t) and self.slice_time(t) != 0
              and not t.prio < self.slice_max_prio and not prevented(t) and not t._idle)
        return ok or bool(t.slice_ticks)

    def reset_time_slice_locked(self, cpu: Cpu, t: k_thread) -> None:
        """A new slice for the thread `cpu` switches to. Zephyr arms a timeout of slice - 1
        ticks; zpy keeps the tick it expires at on the CPU (the timer interrupt checks it),
        which is the same moment without a timeout-queue entry per context switch."""
        cpu.slice_expired = False
        cpu.slice_deadline = None
        if not self.timeslicing or t._idle:
            return
        ticks = t.slice_ticks or self.slice_ticks
        if t.slice_ticks or (ticks and t.prio >= 0 and t.sched_locked == 0
                             and t.prio >= self.slice_max_prio
                             and not t.thread_state & _PREVENTED):
            cpu.slice_deadline = self.clock.deadline_of(ticks - 1)

    def expire_slices_locked(self, now_tick: int) -> None:
        """The timer interrupt: CPUs whose slice ended rotate their thread (z_time_slice)."""
        for cpu in self.cpus:
            deadline = cpu.slice_deadline
            if deadline is not None and deadline <= now_tick:
                cpu.slice_expired = True
                cpu.need_resched = True
                self.time_slice_locked(cpu)

    def next_slice_deadline_locked(self) -> int | None:
        deadlines = [c.slice_deadline for c in self.cpus if c.slice_deadline is not None]
        return min(deadlines) if deadlines else None

    def time_slice_locked(self, cpu: Cpu) -> None:
        """z_time_slice: the CPU's slice ran out; its thread goes behind its equals."""
        curr = cpu.current
        if cpu.slice_expired and self.sliceable(curr):
            if curr.slice_expired_fn is not None:
                self.lock.release()  # the callback may call the kernel (Zephyr's z_time_slice)
                try:
                    curr.slice_expired_fn(curr, curr.slice_data)
                finally:
                    self.lock.acquire()
            if not prevented(curr):
                self.move_thread_to_end_of_prio_q_locked(curr, cpu)
            self.reset_time_slice_locked(cpu, curr)
        else:
            cpu.slice_deadline = None
        cpu.slice_expired = False

    def time_slice_set(self, slice_ms: int, prio: int, cpu: Cpu) -> None:
        """k_sched_time_slice_set (call with the lock held)."""
        self.slice_ticks = -(-max(0, slice_ms) * self.clock.ticks_per_sec // 1000)
        self.slice_max_prio = prio
        self.reset_time_slice_locked(cpu, cpu.current)


def timeout_of(timeout: k_timeout_t, clock: SysClock) -> int:
    """A timeout in ticks (for error messages and remaining-time figures)."""
    return timeout.to_ticks(clock.ticks_per_sec)
