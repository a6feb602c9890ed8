"""How zpy runs Zephyr threads on host threads: switches, idling, interrupts, time.

The model is native_sim's. Each Zephyr thread is carried by a host thread, and
a host thread runs Zephyr code only while its thread is the `current` of a
CPU; every other host thread waits on its own lock (`_go`). A context switch
is the old host handing the CPU to the new one (releasing its lock) and then
waiting on its own. At most CONFIG_MP_MAX_NUM_CPUS threads therefore run at
once, one with CONFIG_SMP=n.

Interrupts are taken at two kinds of moments, as on native_sim:

- When a CPU idles. The host thread of a thread that blocks leaves its CPU to
  the next ready thread, or to the idle thread when there is none; while some
  CPU idles, one waiting host holds "the seat" and waits on the machine's
  interrupt sources (epoll) for every idle CPU, runs the ISRs of what fires
  right there, and takes the timer interrupt when a timeout is due. When the
  thread it carries is what an ISR woke (the doorbell path), it simply goes on
  running: no hand-off between host threads.
- At kernel entry points (every zpy.kernel call, device API calls, printk and
  LOG_*, sys_read/sys_write, irq_unlock) of a running thread: a CPU that
  another thread must preempt switches there, and every POLL_EVERY entries a
  busy machine looks at its interrupt sources and the clock.

So Python code between two kernel calls runs atomically, as native_sim's code
between interrupts does; with one CPU, a run is deterministic.

Time (zpy.kernel.sys_clock) is real, or virtual: then it moves only when every
CPU idles (it jumps to the next timeout) or a thread busy-waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.context import _isr_cpu, _thread, enter_thread
from zpy.kernel.platform import Events, InterruptInputs
from zpy.kernel.sched import (
    _HALTING,
    _PREVENTED,
    _THREAD_ABORTING,
    _THREAD_DEAD,
    _THREAD_PENDING,
    _THREAD_QUEUED,
    _THREAD_SLEEPING,
    _THREAD_SUSPENDED,
    _THREAD_SUSPENDING,
    Cpu,
    KernelHalt,
    SchedPolicy,
    ThreadAbort,
    WaitQ,
    prevented,
)
from zpy.kernel.sys_clock import SysClock, Timeout
from zpy.kernel.timeout import K_FOREVER, k_timeout_t
from zpy.kernel.usage import usage_update_locked

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel
    from zpy.kernel.thread import k_thread

#: Kernel entries between two looks at the interrupt sources while no CPU idles.
POLL_EVERY = 32


class ThreadExit(BaseException):
    """Ends the current thread quietly (k_thread_user_mode_enter's entry returned)."""


class Host:
    """The host thread that carries one Zephyr thread from its first run to its end.

    It has an identity of its own: C code re-creates static thread structs, so a k_thread
    object can start again while the host of its previous life still takes interrupts for
    idle CPUs (see Scheduler._linger_locked).
    """

    __slots__ = ("thread", "go", "parked", "signaled", "pythread")

    def __init__(self, thread: k_thread) -> None:
        #: the Zephyr thread it carries (None once that thread has ended)
        self.thread: k_thread | None = thread
        #: held while the host must not run; released to wake it
        self.go = threading.Lock()
        self.go.acquire()
        self.parked = False
        self.signaled = False
        self.pythread: threading.Thread | None = None


#: the Host of the calling host thread (None for threads zpy did not start: boot, tests)
_host: ContextVar[Host | None] = ContextVar("zpy_host", default=None)


class Scheduler(SchedPolicy):
    """One kernel's scheduler: the policy of SchedPolicy, run on host threads."""

    def __init__(self, kernel: Kernel, config: dict[str, Any], clock: SysClock,
                 hw: InterruptInputs) -> None:
        super().__init__(config, clock)
        self.kernel = kernel
        self.hw = hw
        #: the host thread that waits for interrupts on behalf of the idle CPUs
        self.seat: Host | None = None
        #: a host whose thread just blocked and that asked the holder for the seat
        self.seat_wanted: Host | None = None
        #: hosts waiting on their `go` lock, in the order they parked
        self._parked: dict[Host, None] = {}
        self.halted = False
        #: hand-offs between host threads so far (a wake-up of a parked host): the doorbell
        #: path should need none when the woken thread's own host takes the interrupt
        self.host_wakeups = 0
        self._countdown = POLL_EVERY
        #: called (without the lock) when no thread can ever run again
        self.on_stall: Callable[[], None] = lambda: None
        #: set when the seat is left after halt_all() (shutdown waits for it)
        self._seat_left = threading.Event()
        #: CPUs taken offline by hold_other_cpus()
        self._held: list[Cpu] = []

    # -- who is calling ------------------------------------------------------------------------

    def caller_cpu(self) -> Cpu:
        """The CPU the calling code runs on (CPU 0 for code outside threads)."""
        cpu = _isr_cpu.get()
        if cpu is not None:
            return cpu
        t = _thread.get()
        if t is not None and t.cpu is not None:
            return t.cpu
        return self.cpus[0]

    def current(self) -> k_thread | None:
        """k_current_get(): the thread running here (an interrupted or idle one in ISRs)."""
        cpu = _isr_cpu.get()
        if cpu is not None:
            return cpu.current
        return _thread.get()

    def running_thread(self) -> k_thread:
        """The calling thread, which must be running (blocking calls need one)."""
        t = _thread.get()
        if t is None or t.cpu is None or t.cpu.current is not t or _isr_cpu.get() is not None:
            if _isr_cpu.get() is not None:
                raise RuntimeError("a blocking kernel call in an ISR (use K_NO_WAIT there)")
            raise RuntimeError("a blocking kernel call outside any thread (before the kernel "
                               "starts threads, or from host code)")
        return t

    # -- kernel entry points ---------------------------------------------------------------------

    def entry(self) -> None:
        """A kernel entry point: take pending interrupts, switch if this CPU must."""
        t = _thread.get()
        if t is None:
            return
        cpu = t.cpu
        if cpu is None or cpu.current is not t:
            return
        self._countdown -= 1
        if cpu.need_resched or self._countdown <= 0:
            self._entry_slow(t, cpu)

    def _entry_slow(self, t: k_thread, cpu: Cpu) -> None:
        if self.halted:
            raise KernelHalt
        if _isr_cpu.get() is not None:
            return  # an ISR runs on: the thread it interrupted unwinds once the ISR returns
        if t.thread_state & _THREAD_ABORTING:
            raise ThreadAbort
        if t.irq_locks:
            return
        if t.thread_state & _THREAD_SUSPENDING:
            self.lock.acquire()
            self.halt_thread_locked(t, _THREAD_SUSPENDED, cpu)
            self.swap_locked(t, cpu)
            return
        if self._countdown <= 0:
            self._countdown = POLL_EVERY
            self.poll_interrupts(t, cpu)
        if cpu.need_resched:
            self.lock.acquire()
            self._resched_locked(t, cpu)

    def _resched_locked(self, t: k_thread, cpu: Cpu) -> None:
        """Switch to what `cpu` should run now, if that is not `t` (lock released)."""
        cpu.need_resched = False
        new = self.next_up_locked(cpu) if self.smp else cpu.cache
        if new is t:
            self.lock.release()
            return
        self._switch_locked(cpu, new)
        self._wait_for_cpu(t)
        self._after_resume(t)

    def reschedule_locked(self) -> None:
        """z_reschedule: the calling thread gives way if it should (lock released)."""
        t = _thread.get()
        if t is None or t.cpu is None or t.cpu.current is not t or t.irq_locks \
                or _isr_cpu.get() is not None:
            self.lock.release()
            return
        cpu = t.cpu
        if self.smp:
            cpu.swap_ok = False
            prios = self.runq._prios
            if not prevented(t) and (not prios or prios[0] >= t.prio) \
                    and cpu.metairq_preempted is None:
                cpu.need_resched = False
                self.lock.release()  # nothing of higher priority: next_up would keep `t`
                return
        elif cpu.cache is t:
            self.lock.release()
            return
        self._resched_locked(t, cpu)

    def reschedule(self) -> None:
        self.lock.acquire()
        self.reschedule_locked()

    # -- blocking ----------------------------------------------------------------------------------

    def next_up_locked(self, cpu: Cpu) -> k_thread:
        """As SchedPolicy's, but first (SMP) a current thread that another CPU asked to
        abort or suspend halts, as Zephyr's next_up() does: it may leave its CPU (sleep,
        pend) before a kernel entry of its own sees the request."""
        cur = cpu.current
        if self.smp and cur.thread_state & _HALTING:
            self.halt_thread_locked(cur, _THREAD_DEAD if cur.thread_state & _THREAD_ABORTING
                                    else _THREAD_SUSPENDED, cpu)
        return super().next_up_locked(cpu)

    def swap_locked(self, t: k_thread, cpu: Cpu) -> int:
        """z_swap: run what should run next on `cpu`; return `t`'s swap_retval once `t` runs
        again (lock released)."""
        new = self.next_up_locked(cpu) if self.smp else cpu.cache
        if new is t:
            self.lock.release()
        else:
            self._switch_locked(cpu, new)
            self._wait_for_cpu(t)
        self._after_resume(t)
        return t.swap_retval

    def pend_curr_locked(self, wait_q: WaitQ | None, timeout: k_timeout_t,
                         t: k_thread | None = None) -> int:
        """z_pend_curr: block the calling thread (`t`, if the caller has it at hand) on
        `wait_q` until a waker readies it (its return value) or the timeout passes (-EAGAIN).
        Lock held on entry, released on return."""
        if t is None:
            try:
                t = self.running_thread()
            except RuntimeError:
                self.lock.release()
                raise
        cpu = t.cpu
        assert cpu is not None
        self.unready_thread_locked(t, cpu)
        t.thread_state |= _THREAD_PENDING
        if wait_q is not None:
            t.pended_on = wait_q
            wait_q.add(t)
        t.swap_retval = -errno.EAGAIN
        t.swap_data = None
        if not timeout.forever:
            self.add_timeout_locked(t.timeout, self._thread_timeout, timeout)
        return self.swap_locked(t, cpu)

    def unpend_thread_no_timeout_locked(self, t: k_thread) -> None:
        if t.pended_on is not None:
            t.pended_on.remove(t)
            t.pended_on = None
        t.thread_state &= ~_THREAD_PENDING

    def wake_locked(self, wait_q: WaitQ, retval: int = 0, data: object = None) -> k_thread | None:
        """z_sched_wake: ready the best waiter with `retval` (and `data`); None if none."""
        t = wait_q.best()
        if t is None:
            return None
        t.swap_retval = retval
        t.swap_data = data
        self.unpend_thread_no_timeout_locked(t)
        self.clock.abort(t.timeout)
        self.ready_thread_locked(t, self.caller_cpu())
        return t

    def wake_thread_locked(self, t: k_thread, retval: int) -> bool:
        """Ready a thread pended without a wait queue (k_poll); False if it is not pending."""
        if not t.thread_state & _THREAD_PENDING:
            return False
        t.swap_retval = retval
        self.unpend_thread_no_timeout_locked(t)
        self.clock.abort(t.timeout)
        self.ready_thread_locked(t, self.caller_cpu())
        return True

    def unpend_all_locked(self, wait_q: WaitQ, retval: int = 0) -> bool:
        """Ready every waiter with `retval`; True if there was one."""
        woke = False
        while self.wake_locked(wait_q, retval) is not None:
            woke = True
        return woke

    def _thread_timeout(self, to: Timeout) -> None:
        """A pended or sleeping thread's timeout ran out (z_sched_wake_thread)."""
        t: k_thread = to.owner  # type: ignore[assignment]
        with self.lock:
            if t.thread_state & (_THREAD_DEAD | _THREAD_ABORTING):
                return
            self.unpend_thread_no_timeout_locked(t)
            t._started = True
            t.thread_state &= ~_THREAD_SLEEPING
            self.ready_thread_locked(t, self.caller_cpu())

    def add_timeout_locked(self, to: Timeout, fn: Callable[[Timeout], None],
                           timeout: k_timeout_t) -> None:
        """Arm a timeout; the host waiting for interrupts recomputes its wait if this one
        comes first."""
        first = self.next_deadline_locked()
        self.clock.add(to, fn, timeout)
        if self.seat is not None and self.seat is not _host.get() \
                and (first is None or to.deadline < first):
            self.hw.kick()

    # -- halting threads -----------------------------------------------------------------------------

    def halt_thread_locked(self, t: k_thread, new_state: int, cpu: Cpu) -> None:
        """halt_thread: make `t` dead or suspended (it is not running anywhere else)."""
        if new_state == _THREAD_SUSPENDED and t.thread_state & _THREAD_ABORTING:
            # a thread suspending itself after another CPU asked it to abort, before a kernel
            # entry of its own saw it (on Zephyr the IPI lands first): it dies
            new_state = _THREAD_DEAD
        if t.thread_state & new_state:
            return
        t.thread_state |= new_state
        if t.thread_state & _THREAD_QUEUED:
            self.dequeue_thread_locked(t, cpu)
        if new_state == _THREAD_DEAD:
            self.unpend_thread_no_timeout_locked(t)
            self.clock.abort(t.timeout)
            self.unpend_all_locked(t.join_queue, 0)
            self.threads.pop(t, None)
        self.unpend_all_locked(t.halt_queue, 0)
        self.update_cache_locked(cpu, True)
        t.thread_state &= ~(_THREAD_ABORTING | _THREAD_SUSPENDING)

    def wake_host_to_unwind_locked(self, t: k_thread) -> None:
        """A dead thread's host, waiting somewhere, must unwind its Python stack."""
        host = t._host
        if host is None:
            return
        if self.seat is host and _host.get() is not host:
            self.hw.kick()
        else:
            self._wake_host_locked(host)

    # -- switching host threads -----------------------------------------------------------------------

    def _switch_locked(self, cpu: Cpu, new: k_thread) -> None:
        """Make `new` the current thread of `cpu`, and start or wake its host."""
        old = cpu.current
        if old is new:
            return
        idle = cpu.idle_thread
        if self.smp:
            if old.thread_state & _THREAD_QUEUED and old is not idle:
                self.runq.add(old)  # z_requeue_current: a preempted thread goes back, last
            if self._metairq_returns:
                self._update_metairq_preempt(cpu, new)
            cpu.swap_ok = False
        else:
            cpu.cache = new
        if self.thread_usage:
            usage_update_locked(self.clock, cpu)  # `old` leaves the CPU: charge its run
        cpu.current = new
        if old is not idle:
            old.cpu = None
        new.cpu = cpu
        cpu.need_resched = False
        if new is idle:
            cpu.slice_deadline = None
            if self.seat is not None and self.seat is not _host.get():
                self.hw.kick()  # the seat's holder may now advance time or end the run
        else:
            self.reset_time_slice_locked(cpu, new)
            self._resume_host_locked(new)

    def _resume_host_locked(self, t: k_thread) -> None:
        host = t._host
        if host is None:
            host = t._host = Host(t)
            host.pythread = threading.Thread(target=self._host_main, args=(host,), daemon=True,
                                             name=f"zpy:{t.name or 'thread'}")
            host.pythread.start()
        elif self.seat is host:
            if _host.get() is not host:
                self.hw.kick()
        else:
            self._wake_host_locked(host)

    def _wake_host_locked(self, host: Host) -> None:
        if host.parked and not host.signaled:
            self.host_wakeups += 1
            host.signaled = True
            host.go.release()

    def _idle_cpu_locked(self) -> Cpu | None:
        for cpu in self.cpus:
            if cpu.online and cpu.current is cpu.idle_thread:
                return cpu
        return None

    def _all_idle_locked(self) -> bool:
        return all(cpu.current is cpu.idle_thread for cpu in self.cpus if cpu.online)

    def ready_thread_locked(self, t: k_thread, cpu: Cpu) -> None:
        """As SchedPolicy's; with SMP and nothing else ready, an idle CPU that may run `t`
        takes it straight away (what queueing it and that CPU's next_up() would do)."""
        if self.smp and not self.runq._prios \
                and not t.thread_state & (_THREAD_QUEUED | _PREVENTED) and t.cpu is None:
            for other in self.cpus:
                if other.online and other.current is other.idle_thread and not other.in_isr \
                        and t.cpu_mask & other.bit and other.metairq_preempted is None:
                    cpu.swap_ok = False  # update_cache(0) of the calling CPU
                    self._switch_locked(other, t)
                    return
        super().ready_thread_locked(t, cpu)

    def dispatch_locked(self, t: k_thread) -> None:
        smp = self.smp
        in_isr: Cpu | None = None
        for cpu in self.cpus:
            if not cpu.online or smp and not t.cpu_mask & cpu.bit:
                continue
            cur = cpu.current
            if cur is cpu.idle_thread:
                if cpu.in_isr:
                    in_isr = in_isr or cpu
                    continue
                new = self.next_up_locked(cpu) if smp else cpu.cache
                if new is not cur:
                    self._switch_locked(cpu, new)
                    if new is t:
                        return
            elif smp and t.prio < cur.prio and (cur.prio >= 0 and cur.sched_locked == 0
                                                or self.is_metairq(t)):
                cpu.need_resched = True
        if in_isr is not None:
            in_isr.need_resched = True  # the idle CPU taking an interrupt runs it at its end

    def wake_idle_locked(self) -> None:
        """Give the ready threads to the idle CPUs (after an interrupt, when CPUs come up)."""
        for cpu in self.cpus:
            if cpu.online and cpu.current is cpu.idle_thread and not cpu.in_isr:
                cpu.need_resched = False
                new = self.next_up_locked(cpu) if self.smp else cpu.cache
                if new is not cpu.idle_thread:
                    self._switch_locked(cpu, new)

    def _wait_for_cpu(self, t: k_thread) -> None:
        """Wait until `t` (the calling host's thread) is the current thread of a CPU again
        (lock held on entry, released on return). Meanwhile the host takes interrupts for
        idle CPUs if no other host does."""
        host = t._host
        assert host is not None
        just_blocked = True  # only a thread that blocks now takes the seat over
        while True:
            if t._host is not host:  # t died and its object was re-created meanwhile
                self._leave_seat_if(host)
                self.lock.release()
                raise ThreadAbort
            cpu = t.cpu
            if cpu is not None and cpu.current is t:
                if self.seat is host:
                    self._leave_seat_locked()
                if self.seat_wanted is host:
                    self.seat_wanted = None
                self.lock.release()
                return
            if self.halted:
                self._leave_seat_if(host)
                self.lock.release()
                raise KernelHalt
            if t.thread_state & _THREAD_DEAD:
                self._leave_seat_if(host)
                self.lock.release()
                raise ThreadAbort
            if self._hold_seat_locked(host, steal=just_blocked):
                just_blocked = False
                self.lock.release()
                self._idle_round(host)
                self.lock.acquire()
                continue
            just_blocked = False
            self._park_locked(host)

    def _after_resume(self, t: k_thread) -> None:
        if self.halted:
            raise KernelHalt
        if t.thread_state & (_THREAD_ABORTING | _THREAD_DEAD):
            raise ThreadAbort

    def _park_locked(self, host: Host) -> None:
        """Wait on the host's own lock until a waker signals it (lock held around)."""
        self._parked[host] = None
        host.parked = True
        self.lock.release()
        host.go.acquire()
        self.lock.acquire()
        host.parked = False
        host.signaled = False
        self._parked.pop(host, None)

    def _hold_seat_locked(self, host: Host, steal: bool = False) -> bool:
        """Should this host wait for interrupts now? Takes or gives up the seat.

        A thread that has just blocked asks for the seat (`steal`) when another host holds
        it: the thread that blocked last is the one an interrupt most likely wakes next (a
        doorbell answering its own ring), and it then wakes in its own host. The holder,
        kicked out of its wait, hands the seat over and parks; only one host ever waits on
        the interrupt sources."""
        if self._idle_cpu_locked() is None:
            self._leave_seat_if(host)
            return False
        if self.seat is None:
            self.seat = host
            return True
        if self.seat is host:
            wanted = self.seat_wanted
            if wanted is None or wanted is host:
                self.seat_wanted = None
                return True
            self.seat_wanted = None
            if wanted.parked and not wanted.signaled:
                self.seat = wanted
                self._wake_host_locked(wanted)
            else:  # the asker runs again meanwhile: it takes the free seat when it blocks
                self._leave_seat_locked()
            return False
        if steal and self.seat_wanted is None:
            self.seat_wanted = host
            self.hw.kick()
        return False

    def _leave_seat_if(self, host: Host) -> None:
        if self.seat_wanted is host:
            self.seat_wanted = None
        if self.seat is host:
            self._leave_seat_locked()

    def _leave_seat_locked(self) -> None:
        """Give up the seat. A host leaves it because its thread runs again: CPUs still idle
        are then watched by that thread's kernel entries, and the next thread to block takes
        the seat. Waking another (blocked) host to hold it would cost a hand-off between host
        threads on every doorbell, for a thread that has nothing to do."""
        self.seat = None
        if self.halted:
            self._seat_left.set()

    # -- a thread's host ------------------------------------------------------------------------

    def _host_main(self, host: Host) -> None:
        t = host.thread
        assert t is not None
        enter_thread(self.kernel, t)
        _host.set(host)
        try:
            self._after_resume(t)
            if t.entry is not None:
                t.entry(*t.args)
        except (KernelHalt, ThreadAbort, ThreadExit):
            pass
        except BaseException as e:  # an exception escaped the thread: a fatal error, as in C
            self.kernel.fatal_error(e, t)
        finally:
            self.thread_exit(t)

    def thread_exit(self, t: k_thread) -> None:
        """The thread's entry returned (or it was aborted): it is dead; its CPU goes on."""
        if self.halted:
            return
        from zpy.kernel.thread import K_ESSENTIAL

        if t.options & K_ESSENTIAL and not t.thread_state & _THREAD_DEAD:
            if not self.kernel.panic(f"essential thread '{t.name or t!r}' exited", t):
                return
        host = _host.get()
        self.lock.acquire()
        if host is not None and t._host is not host:
            # the object lives again (re-created while this host unwound): not ours to end
            host.thread = None
            self._linger_locked(host)
            return
        cpu = t.cpu
        if not t.thread_state & _THREAD_DEAD:
            self.halt_thread_locked(t, _THREAD_DEAD, cpu or self.cpus[0])
        if cpu is not None and cpu.current is t:
            self._switch_locked(cpu, self.next_up_locked(cpu) if self.smp else cpu.cache)
        if host is None:
            self.lock.release()
            return
        host.thread = None  # the k_thread may live again (re-created), with a host of its own
        self._linger_locked(host)

    def _linger_locked(self, host: Host) -> None:
        """A dead thread's host keeps taking interrupts for idle CPUs until another host
        can (lock released)."""
        while not self.halted and self._hold_seat_locked(host):
            parked = next((p for p in self._parked if not p.signaled), None)
            if parked is not None:  # a host that will live on holds the seat from now on
                self._leave_seat_locked()
                self._wake_host_locked(parked)
                break
            self.lock.release()
            self._idle_round(host)
            self.lock.acquire()
        self._leave_seat_if(host)
        self.lock.release()

    # -- interrupts ----------------------------------------------------------------------------------

    def _idle_round(self, holder: Host) -> None:
        """One wait for interrupts on behalf of the idle CPUs (the seat held, no lock)."""
        clock = self.clock
        hw = self.hw
        with self.lock:
            carried = holder.thread
            mine = carried.cpu if carried is not None else None
            if mine is not None and mine.current is carried or self.halted \
                    or self.seat is not holder or self.seat_wanted is not None:
                return  # what changed (and kicked) happened before we got here
            cpu = None
            all_idle = True
            for c in self.cpus:
                if c.online:
                    if c.current is c.idle_thread:
                        cpu = cpu or c
                    else:
                        all_idle = False
            if cpu is None:
                return  # no CPU idles: nothing to wait for on their behalf
            deadline = self.next_deadline_locked()
            may_stall = all_idle and deadline is None and self._stalled_locked()
            jump = clock.virtual and all_idle and deadline is not None
            timeout: float | None = None
            if not clock.virtual and deadline is not None:
                timeout = max(0.0, (clock.tick_ns(deadline) - clock.now_ns()) / 1e9)
        if may_stall or jump:
            events = hw.poll(0)  # an internal source (the UART's kick) may still hold work
            if not events:
                if may_stall:
                    self.on_stall()
                    return
                assert deadline is not None
                clock.advance_to_tick(deadline)  # every CPU idles: time jumps to the timeout
        else:
            events = hw.poll(timeout)  # a source, a kick, or (real time) the timer
        due = deadline is not None and deadline <= clock.tick_get()
        if events or due:
            self._take_interrupts(cpu, events, due)
            if cpu.need_resched:
                with self.lock:
                    self.wake_idle_locked()

    def next_deadline_locked(self) -> int | None:
        """The next tick the timer interrupt has work at (timeouts and time slices)."""
        deadline = self.clock.next_deadline() if self.clock.armed else None
        for cpu in self.cpus:
            slice_end = cpu.slice_deadline
            if slice_end is not None and (deadline is None or slice_end < deadline):
                deadline = slice_end
        return deadline

    def _isr_target(self) -> Cpu:
        with self.lock:
            return self._idle_cpu_locked() or self.cpus[0]

    def _stalled_locked(self) -> bool:
        """Every CPU idles and no timeout is armed: can anything ever run again?"""
        if self.runq:
            return False
        return not self.live_threads_locked() or not self.hw.has_wake_sources()

    def live_threads_locked(self) -> list[k_thread]:
        """The threads that keep a run going: all that are not dead, but for kernel service
        threads waiting for work (the system work queue, on its `idle_waits` queue)."""
        idle = self.idle_waits
        return [t for t in self.threads if t.pended_on is None or t.pended_on not in idle]

    def _take_interrupts(self, cpu: Cpu, events: Events, due: bool) -> None:
        """Run the ISRs of `events` (and the timer's, if `due`) on `cpu`, in ISR context."""
        token = _isr_cpu.set(cpu)
        cpu.in_isr += 1
        try:
            if events:
                self.hw.dispatch(events)
            if due:
                self.announce()
        finally:
            cpu.in_isr -= 1
            _isr_cpu.reset(token)

    def _timer_due(self) -> bool:
        with self.lock:
            deadline = self.next_deadline_locked()
        return deadline is not None and deadline <= self.clock.tick_get()

    def poll_interrupts(self, t: k_thread, cpu: Cpu) -> None:
        """A busy CPU's look at its interrupt sources (when no idle CPU does it)."""
        with self.lock:
            if self.seat is not None or t._host is None:
                return
            self.seat = t._host
        try:
            events = self.hw.poll(0)
            due = not self.clock.virtual and self._timer_due()
            if events or due:
                self._take_interrupts(cpu, events, due)
        finally:
            with self.lock:
                self._leave_seat_locked()

    def announce(self) -> None:
        """sys_clock_announce: run the expired timeouts, then time slices (in ISR context)."""
        clock = self.clock
        now = clock.tick_get()
        while True:
            with self.lock:
                to = clock.pop_expired(now)
            if to is None:
                break
            assert to.fn is not None
            to.fn(to)
        if self.timeslicing:
            with self.lock:
                self.expire_slices_locked(now)

    def isr_enter(self) -> tuple[object, Cpu] | None:
        """Enter ISR context for an interrupt raised now; None if already in one."""
        if _isr_cpu.get() is not None:
            return None
        t = _thread.get()
        if t is not None and t.cpu is not None and t.cpu.current is t:
            cpu = t.cpu
        else:
            cpu = self._isr_target()
        cpu.in_isr += 1
        return _isr_cpu.set(cpu), cpu

    def isr_exit(self, entered: tuple[object, Cpu]) -> None:
        token, cpu = entered
        cpu.in_isr -= 1
        _isr_cpu.reset(token)  # type: ignore[arg-type]

    # -- holding CPUs ------------------------------------------------------------------------------

    def hold_other_cpus(self, hold: bool) -> None:
        """ztest's 1cpu tests (z_test_1cpu_start/_stop): while held, the CPUs but the
        caller's start no thread (a thread running on one goes on until it blocks), so
        the test sees one CPU, as Zephyr's spinning holder threads make it see."""
        with self.lock:
            me = self.caller_cpu()
            for cpu in self.cpus:
                if cpu is me:
                    continue
                if hold and cpu.online:
                    cpu.online = False
                    self._held.append(cpu)
                elif not hold and cpu in self._held:
                    cpu.online = True
            if not hold:
                self._held.clear()
                self.wake_idle_locked()

    # -- time -------------------------------------------------------------------------------------

    def busy_wait(self, usec: int) -> None:
        """k_busy_wait: interrupts are taken meanwhile; simulated time moves by `usec`."""
        if usec <= 0:
            return
        clock = self.clock
        end = clock.now_ns() + usec * 1000
        t = _thread.get()
        while not self.halted:
            now = clock.now_ns()
            if now >= end:
                break
            with self.lock:
                deadline = self.next_deadline_locked()
            due = end if deadline is None else min(end, clock.tick_ns(deadline))
            if clock.virtual:
                clock.advance_ns(max(0, due - now))
            else:
                time.sleep(min(max(0, due - now) / 1e9, 0.001))
            if t is None or t.cpu is None or t.cpu.current is not t or _isr_cpu.get() is not None:
                continue  # boot code or an ISR: nothing to take or to switch here
            cpu = t.cpu
            if self._timer_due():
                self._take_interrupts(cpu, [], True)
            self.poll_interrupts(t, cpu)
            self.entry()

    # -- stopping -----------------------------------------------------------------------------------

    def halt_all(self) -> None:
        """The image stops: every host thread unwinds (KernelHalt) where it waits or runs."""
        with self.lock:
            self.halted = True
            self._countdown = 0
            for cpu in self.cpus:
                cpu.need_resched = True
            for host in list(self._parked):
                self._wake_host_locked(host)
        self.hw.kick()

    def wait_seat_free(self, timeout: float) -> bool:
        """After halt_all(): wait for the host waiting on the interrupt sources to leave."""
        with self.lock:
            if self.seat is None:
                return True
        return self._seat_left.wait(timeout)


__all__ = ["Scheduler", "ThreadExit", "K_FOREVER", "_THREAD_SUSPENDED", "POLL_EVERY"]
