"""Threads: k_thread, K_THREAD_DEFINE, k_thread_create, k_sleep, k_yield and friends.

A k_thread is scheduled by the kernel's scheduler as Zephyr schedules it
(zpy.kernel.sched for the rules, zpy.kernel.switch for how host threads carry
Zephyr threads). Priorities, states, time slices and CPU masks are Zephyr's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.context import current_kernel, current_thread, isr_cpu
from zpy.kernel.heap import SYSTEM_HEAP
from zpy.kernel.sched import (
    _THREAD_ABORTING,
    _THREAD_DEAD,
    _THREAD_PENDING,
    _THREAD_QUEUED,
    _THREAD_SLEEPING,
    _THREAD_SUSPENDED,
    _THREAD_SUSPENDING,
    STATE_NAMES,
    KernelHalt,
    ThreadAbort,
    WaitQ,
    prevented,
)
from zpy.kernel.switch import Host, ThreadExit
from zpy.kernel.sys_assert import __ASSERT
from zpy.kernel.sys_clock import Timeout
from zpy.kernel.timeout import K_FOREVER, K_MSEC, K_NO_WAIT, K_TICKS, as_timeout, k_timeout_t
from zpy.kernel.usage import (
    cpu_usage_locked,
    k_thread_runtime_stats_t,
    thread_usage_locked,
    zero_stats,
)

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel
    from zpy.kernel.sched import Cpu

K_ESSENTIAL = 1 << 0
K_FP_REGS = 1 << 1
K_USER = 1 << 2
K_INHERIT_PERMS = 1 << 3

SYS_FOREVER_MS = -1


def _sched_config(name: str, default: int) -> int:
    try:
        return int(current_kernel().config.get(name, default))
    except LookupError:
        return default
    except RuntimeError:  # outside any image: Zephyr's defaults
        return default


def K_PRIO_COOP(x: int) -> int:
    """A cooperative priority: -(CONFIG_NUM_COOP_PRIORITIES - x)."""
    return -(_sched_config("CONFIG_NUM_COOP_PRIORITIES", 16) - x)


def K_PRIO_PREEMPT(x: int) -> int:
    return x


def __getattr__(name: str) -> int:
    """The priority limits follow the image's configuration, as Zephyr's macros do."""
    if name == "K_HIGHEST_THREAD_PRIO":
        return -_sched_config("CONFIG_NUM_COOP_PRIORITIES", 16)
    if name in ("K_LOWEST_THREAD_PRIO", "K_IDLE_PRIO"):
        return _sched_config("CONFIG_NUM_PREEMPT_PRIORITIES", 15)
    if name == "K_LOWEST_APPLICATION_THREAD_PRIO":
        return _sched_config("CONFIG_NUM_PREEMPT_PRIORITIES", 15) - 1
    if name == "K_HIGHEST_APPLICATION_THREAD_PRIO":
        return -_sched_config("CONFIG_NUM_COOP_PRIORITIES", 16) + _sched_config(
            "CONFIG_NUM_METAIRQ_PRIORITIES", 0)
    raise AttributeError(name)


@dataclass(frozen=True)
class k_thread_stack_t:
    """A thread stack: only its size is kept (host threads size their own stacks)."""

    size: int


def K_THREAD_STACK_DEFINE(name: str, size: int) -> k_thread_stack_t:
    return k_thread_stack_t(size)


K_KERNEL_STACK_DEFINE = K_THREAD_STACK_DEFINE


def K_THREAD_STACK_ARRAY_DEFINE(name: str, nmemb: int, size: int) -> list[k_thread_stack_t]:
    """`nmemb` stacks of `size` bytes: stacks[i] is C's stacks[i] (or &stacks[i][0])."""
    return [k_thread_stack_t(size) for _ in range(nmemb)]


K_KERNEL_STACK_ARRAY_DEFINE = K_THREAD_STACK_ARRAY_DEFINE


def K_THREAD_STACK_SIZEOF(stack: k_thread_stack_t) -> int:
    return stack.size


class k_thread:
    """A Zephyr thread (struct k_thread). k_tid_t is a k_thread too."""

    def __init__(self) -> None:
        self.name = ""
        self.options = 0
        self.user = False
        self.custom_data: Any = None
        #: the heap its kernel objects allocate from (k_thread_heap_assign)
        self.resource_pool: Any = SYSTEM_HEAP
        self.entry: Callable[..., Any] | None = None
        self.args: tuple[Any, ...] = ()
        self.stack_size = 0
        self.kernel: Kernel | None = None
        # struct _thread_base
        self.prio = 0
        self.thread_state = _THREAD_SLEEPING  # not started yet
        self.sched_locked = 0
        self.cpu_mask = -1
        self.pended_on: WaitQ | None = None
        self.timeout = Timeout(self)
        self.swap_retval = 0
        self.swap_data: Any = None
        self.join_queue = WaitQ()
        self.halt_queue = WaitQ()
        self.cpu: Cpu | None = None
        self.slice_ticks = 0
        self.slice_expired_fn: Callable[[k_thread, Any], None] | None = None
        self.slice_data: Any = None
        self.irq_locks = 0
        #: CONFIG_SCHED_THREAD_USAGE: the cycles it ran (zpy.kernel.usage)
        self.usage_total = 0
        self._queued_prio = 0
        self._idle = False
        # the host thread that carries it (see zpy.kernel.switch)
        self._host: Host | None = None
        self._started = False
        self._delay = K_NO_WAIT

    def __repr__(self) -> str:
        return f"<k_thread {self.name or hex(id(self))}>"

    @property
    def _exited(self) -> bool:
        return bool(self.thread_state & _THREAD_DEAD)


#: k_thread_state_str() called with the thread alone: the whole string, no buffer
_WHOLE = bytearray()


def k_thread_state_str(thread_id: k_thread, buf: bytearray | None = _WHOLE,
                       buf_size: int = 0) -> str:
    """The thread's state words joined by '+'. As C's, written into `buf` (a bytearray: at
    most buf_size - 1 characters and a NUL) and returned; "" when `buf` is None or buf_size
    is 0. zpy also takes the thread alone: then the whole string, no buffer."""
    text = "+".join(name for bit, name in STATE_NAMES if thread_id.thread_state & bit)
    if buf is _WHOLE:
        return text
    if buf is None or buf_size == 0:
        return ""
    data = text.encode()[: min(buf_size, len(buf)) - 1]
    buf[: len(data) + 1] = data + b"\0"
    return data.decode()


def _entry_args(entry: Callable[..., Any], p1: Any, p2: Any, p3: Any) -> tuple[Any, ...]:
    """C entry points take (p1, p2, p3); a Python port may declare fewer."""
    try:
        params = inspect.signature(entry).parameters.values()
    except (TypeError, ValueError):
        return (p1, p2, p3)
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return (p1, p2, p3)
    n = sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    return (p1, p2, p3)[: min(n, 3)]


def _setup(thread: k_thread, entry: Callable[..., Any], p1: Any, p2: Any, p3: Any,
           prio: int, options: int, stack_size: int) -> None:
    if not isinstance(thread, k_thread):
        raise TypeError(f"expected a k_thread, got {type(thread).__name__}")
    if not callable(entry):
        raise TypeError(f"thread entry must be a function, got {entry!r}")
    thread.entry = entry
    thread.args = _entry_args(entry, p1, p2, p3)
    creator = current_thread()
    thread.resource_pool = creator.resource_pool if creator is not None else SYSTEM_HEAP
    thread.prio = prio
    thread.options = options
    thread.user = bool(options & K_USER)
    thread.custom_data = None  # z_setup_new_thread: no custom data from an earlier life
    thread.usage_total = 0
    thread.stack_size = stack_size
    thread.thread_state = _THREAD_SLEEPING
    thread.sched_locked = 0
    thread.cpu_mask = -1
    thread.cpu = None
    thread.irq_locks = 0
    thread.slice_ticks = 0  # z_init_thread_base: no slice of its own from an earlier life
    thread.slice_expired_fn = None
    thread.slice_data = None
    thread.timeout = Timeout(thread)
    thread.join_queue = WaitQ()
    thread.halt_queue = WaitQ()
    thread._started = False
    thread._host = None  # its next run gets a host of its own (see zpy.kernel.switch.Host)


def schedule_new(kernel: Kernel, thread: k_thread, delay: k_timeout_t) -> None:
    """thread_schedule_new: start now, after `delay`, or (K_FOREVER) on k_thread_start."""
    thread._delay = delay
    if delay.forever:
        return
    if delay.no_wait:
        k_thread_start(thread)
        return
    sched = kernel.sched
    with sched.lock:
        sched.add_timeout_locked(thread.timeout, sched._thread_timeout, delay)


def k_thread_create(new_thread: k_thread, stack: k_thread_stack_t | None, stack_size: int,
                    entry: Callable[..., Any], p1: Any, p2: Any, p3: Any, prio: int,
                    options: int, delay: k_timeout_t) -> k_thread:
    """Create a thread; it starts after `delay` (never with K_FOREVER, until k_thread_start)."""
    kernel = current_kernel()
    kernel.sched.entry()
    _setup(new_thread, entry, p1, p2, p3, prio, options, stack_size)
    kernel.thread_created(new_thread)
    schedule_new(kernel, new_thread, as_timeout(delay))
    return new_thread


def K_THREAD_DEFINE(name: str, stack_size: int, entry: Callable[..., Any], p1: Any, p2: Any,
                    p3: Any, prio: int, options: int, delay: int) -> k_thread:
    """Define a static thread, started by the kernel before main() (delay in ms, SYS_FOREVER_MS)."""
    kernel = current_kernel()
    thread = k_thread()
    thread.name = name
    _setup(thread, entry, p1, p2, p3, prio, options, stack_size)
    thread._delay = K_FOREVER if delay == SYS_FOREVER_MS else K_MSEC(delay)
    kernel.static_threads.append(thread)
    return thread


def k_thread_start(thread: k_thread) -> None:
    """z_sched_start: a thread created with K_FOREVER becomes ready."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if thread._started or thread.thread_state & _THREAD_DEAD:
        sched.lock.release()
        return
    sched.clock.abort(thread.timeout)
    thread._started = True
    thread.thread_state &= ~_THREAD_SLEEPING
    sched.ready_thread_locked(thread, sched.caller_cpu())
    sched.reschedule_locked()


def k_thread_join(thread: k_thread, timeout: k_timeout_t) -> int:
    """0 when `thread` has ended; -EBUSY (K_NO_WAIT), -EAGAIN (timeout), -EDEADLK."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    me = sched.current()
    sched.lock.acquire()
    if thread.thread_state & _THREAD_DEAD:
        sched.lock.release()
        return 0
    if timeout.no_wait:
        sched.lock.release()
        return -errno.EBUSY
    if me is not None and (thread is me or thread.pended_on is me.join_queue):
        sched.lock.release()
        return -errno.EDEADLK
    return sched.pend_curr_locked(thread.join_queue, timeout)


def k_thread_abort(thread: k_thread) -> None:
    """End `thread`: at once if it is not running, a running one at its next kernel entry."""
    kernel = current_kernel()
    sched = kernel.sched
    me = current_thread()
    in_isr = isr_cpu() is not None
    if thread.options & K_ESSENTIAL:
        # z_thread_abort: the thread ends all the same, then the kernel panics in the caller
        thread.options &= ~K_ESSENTIAL
        if thread is not me or in_isr:
            k_thread_abort(thread)
        if not kernel.panic(f"aborting essential thread '{thread.name or thread!r}'", me):
            raise KernelHalt
        if me is None or in_isr:
            return
        raise ThreadAbort  # the handler returned: the faulting (calling) thread ends
    if thread is me and not in_isr:
        raise ThreadAbort
    sched.lock.acquire()
    if thread.thread_state & _THREAD_DEAD:
        sched.lock.release()
        return
    running_on = thread.cpu
    if running_on is not None and running_on.current is thread:
        # running elsewhere (or interrupted by this ISR): it ends itself at its next entry
        thread.thread_state |= _THREAD_ABORTING
        running_on.need_resched = True
        if in_isr or me is None:
            sched.lock.release()
        else:
            sched.pend_curr_locked(thread.join_queue, K_FOREVER)
        return
    sched.halt_thread_locked(thread, _THREAD_DEAD, sched.caller_cpu())
    if thread._host is not None:
        sched.wake_host_to_unwind_locked(thread)
    sched.reschedule_locked()


def k_thread_suspend(thread: k_thread) -> None:
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    sched.clock.abort(thread.timeout)
    if thread.thread_state & _THREAD_SUSPENDED:
        sched.lock.release()
        return
    cpu = sched.caller_cpu()
    me = sched.current()
    other = thread.cpu
    if other is not None and other.current is thread and thread is not me:
        thread.thread_state |= _THREAD_SUSPENDING  # it stops itself at its next kernel entry
        other.need_resched = True
        if isr_cpu() is None and me is not None:
            sched.pend_curr_locked(thread.halt_queue, K_FOREVER)
        else:
            sched.lock.release()
        return
    sched.halt_thread_locked(thread, _THREAD_SUSPENDED, cpu)
    if thread is me and isr_cpu() is None:
        sched.swap_locked(thread, cpu)
    else:
        sched.lock.release()


def k_thread_resume(thread: k_thread) -> None:
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if not thread.thread_state & _THREAD_SUSPENDED:
        sched.lock.release()
        return
    thread.thread_state &= ~_THREAD_SUSPENDED
    sched.ready_thread_locked(thread, sched.caller_cpu())
    sched.reschedule_locked()


def k_current_get() -> k_thread | None:
    return current_kernel().sched.current()


def k_sched_current_thread_query() -> k_thread | None:
    return k_current_get()


def k_thread_name_set(thread: k_thread | None, name: str) -> int:
    thread = thread if thread is not None else current_thread()
    if thread is None:
        return -errno.EINVAL
    kernel = current_kernel()
    kernel.sched.entry()
    limit = int(kernel.config.get("CONFIG_THREAD_MAX_NAME_LEN", 32))
    if len(name) > limit - 1:
        return -errno.EINVAL
    thread.name = name
    host = thread._host
    if host is not None and host.pythread is not None:
        host.pythread.name = f"zpy:{name}"
    return 0


def k_thread_name_get(thread: k_thread) -> str:
    return thread.name


def k_thread_name_copy(thread: k_thread, buf: bytearray, size: int) -> int:
    """C's strncpy of the name into `buf` (a bytearray): `size` bytes, NUL-padded, no NUL
    when the name fills them. Returns 0."""
    data = thread.name.encode()[: min(size, len(buf))]
    buf[: min(size, len(buf))] = data.ljust(min(size, len(buf)), b"\0")
    return 0


def k_thread_priority_get(thread: k_thread) -> int:
    current_kernel().sched.entry()
    return thread.prio


def k_thread_priority_set(thread: k_thread, prio: int) -> None:
    """Change a thread's priority; it takes effect at once (and may switch threads)."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    me = sched.current()
    need = sched.set_prio_locked(thread, prio, sched.caller_cpu())
    if need and (sched.smp or me is None or me.sched_locked == 0):
        sched.reschedule_locked()
    else:
        sched.lock.release()


def k_thread_custom_data_set(value: Any) -> None:
    t = current_thread()
    if t is not None:
        t.custom_data = value


def k_thread_custom_data_get() -> Any:
    t = current_thread()
    return None if t is None else t.custom_data


def k_is_user_context() -> bool:
    t = current_thread()
    return bool(t and t.user)


def k_is_preempt_thread() -> int:
    """1 if the calling thread is preemptible (not cooperative, scheduler not locked)."""
    t = current_thread()
    return int(isr_cpu() is None and t is not None and t.prio >= 0 and t.sched_locked == 0)


def k_thread_user_mode_enter(entry: Callable[..., Any], p1: Any, p2: Any, p3: Any) -> None:
    """Drop the current thread to user mode and run entry; the thread ends when it returns.
    A user thread is never essential (Zephyr clears the flag)."""
    t = current_thread()
    if t is not None:
        t.user = True
        t.options &= ~K_ESSENTIAL
    entry(*_entry_args(entry, p1, p2, p3))
    raise ThreadExit


# -- the scheduler's calls ---------------------------------------------------------------------


def k_yield() -> None:
    """Give the CPU to the other ready threads of the same priority."""
    sched = current_kernel().sched
    sched.entry()
    t = sched.running_thread()
    cpu = t.cpu
    assert cpu is not None
    sched.lock.acquire()
    if not sched.smp or t.thread_state & _THREAD_QUEUED:
        sched.dequeue_thread_locked(t, cpu)
    sched.queue_thread_locked(t, cpu)
    sched.update_cache_locked(cpu, True)
    sched.swap_locked(t, cpu)


def k_sched_lock() -> None:
    """Make the current thread non-preemptible until k_sched_unlock (nests)."""
    t = current_thread()
    if t is not None:
        t.sched_locked += 1


def k_sched_unlock() -> None:
    sched = current_kernel().sched
    t = current_thread()
    if t is None or t.sched_locked == 0:
        return
    sched.lock.acquire()
    t.sched_locked -= 1
    sched.update_cache_locked(sched.caller_cpu(), False)
    if sched.smp:
        sched.caller_cpu().need_resched = True
    sched.reschedule_locked()


def k_sched_time_slice_set(slice: int, prio: int) -> None:
    """Time slices of `slice` ms for preemptible threads of priority `prio` or lower."""
    sched = current_kernel().sched
    with sched.lock:
        sched.time_slice_set(slice, prio, sched.caller_cpu())


def k_thread_time_slice_set(thread: k_thread, slice_ticks: int,
                            expired: Callable[[k_thread, Any], None] | None,
                            data: Any) -> None:
    """CONFIG_TIMESLICE_PER_THREAD: a slice of its own for `thread`, and a callback."""
    sched = current_kernel().sched
    with sched.lock:
        thread.slice_ticks = slice_ticks
        thread.slice_expired_fn = expired
        thread.slice_data = data
        if thread.cpu is not None and thread.cpu.current is thread:
            sched.reset_time_slice_locked(thread.cpu, thread)


def k_thread_deadline_set(thread: k_thread, deadline: int) -> None:
    """CONFIG_SCHED_DEADLINE is not modelled: accepted, no effect (see docs/kernel.md)."""


# -- CPUs (<zephyr/arch/arch_interface.h>) -----------------------------------------------------


def arch_curr_cpu() -> Cpu:
    """struct _cpu of the CPU the caller runs on (its `id` field numbers it from 0)."""
    return current_kernel().sched.caller_cpu()


def arch_num_cpus() -> int:
    """How many CPUs the image has: CONFIG_MP_MAX_NUM_CPUS, 1 without CONFIG_SMP."""
    return current_kernel().sched.n_cpus


# -- CPU masks (CONFIG_SCHED_CPU_MASK) ---------------------------------------------------------


def _cpu_mask_mod(thread: k_thread, enable: int, disable: int) -> int:
    sched = current_kernel().sched
    if not current_kernel().config.get("CONFIG_SCHED_CPU_MASK"):
        return -errno.ENOTSUP
    with sched.lock:
        if not prevented(thread) and not thread.thread_state & _THREAD_SLEEPING:
            return -errno.EINVAL  # only threads that are not runnable may change it
        thread.cpu_mask = (thread.cpu_mask | enable) & ~disable
    return 0


def k_thread_cpu_mask_clear(thread: k_thread) -> int:
    return _cpu_mask_mod(thread, 0, -1)


def k_thread_cpu_mask_enable_all(thread: k_thread) -> int:
    return _cpu_mask_mod(thread, -1, 0)


def k_thread_cpu_mask_enable(thread: k_thread, cpu: int) -> int:
    return _cpu_mask_mod(thread, 1 << cpu, 0)


def k_thread_cpu_mask_disable(thread: k_thread, cpu: int) -> int:
    return _cpu_mask_mod(thread, 0, 1 << cpu)


def k_thread_cpu_pin(thread: k_thread, cpu: int) -> int:
    rc = k_thread_cpu_mask_clear(thread)
    return k_thread_cpu_mask_enable(thread, cpu) if rc == 0 else rc


# -- sleeping -----------------------------------------------------------------------------------


def _tick_sleep(kernel: Kernel, timeout: k_timeout_t) -> int:
    """z_tick_sleep: sleep; returns the ticks left when woken early (0 otherwise)."""
    sched = kernel.sched
    clock = sched.clock
    ticks = timeout.to_ticks(clock.ticks_per_sec)
    if ticks == 0 and not timeout.absolute:
        k_yield()
        return 0
    expected = ticks if timeout.absolute else ticks + clock.tick_get()
    t = sched.running_thread()
    cpu = t.cpu
    assert cpu is not None
    sched.lock.acquire()
    sched.unready_thread_locked(t, cpu)
    sched.add_timeout_locked(t.timeout, sched._thread_timeout, timeout)
    t.thread_state |= _THREAD_SLEEPING
    sched.swap_locked(t, cpu)
    return max(0, expected - clock.tick_get())


def k_sleep(timeout: k_timeout_t) -> int:
    """Sleep; returns 0, or the ms left when k_wakeup() cut it short (K_FOREVER: suspend)."""
    timeout = as_timeout(timeout)
    kernel = current_kernel()
    kernel.sched.entry()
    if timeout.forever:
        k_thread_suspend(kernel.sched.running_thread())
        return SYS_FOREVER_MS
    left = _tick_sleep(kernel, timeout)
    tps = kernel.sched.clock.ticks_per_sec
    return -(-left * 1000 // tps)


def k_msleep(ms: int) -> int:
    return k_sleep(K_MSEC(ms))


def k_usleep(us: int) -> int:
    """Sleep in microseconds; returns the µs left (0 when the full time passed)."""
    kernel = current_kernel()
    kernel.sched.entry()
    tps = kernel.sched.clock.ticks_per_sec
    ticks = -(-max(0, int(us)) * tps // 1_000_000)
    left = _tick_sleep(kernel, K_TICKS(ticks))
    return -(-left * 1_000_000 // tps)


def k_wakeup(thread: k_thread) -> None:
    """End a sleep early (k_sleep then returns the time left)."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if thread.thread_state & _THREAD_PENDING:
        sched.lock.release()
        return
    if sched.clock.abort(thread.timeout) < 0 and thread.thread_state != _THREAD_SUSPENDED:
        sched.lock.release()
        return
    thread.thread_state &= ~(_THREAD_SUSPENDED | _THREAD_SLEEPING)
    sched.ready_thread_locked(thread, sched.caller_cpu())
    sched.reschedule_locked()


def k_busy_wait(usec_to_wait: int) -> None:
    """Wait without giving up the CPU; interrupts are taken meanwhile. In virtual time it
    moves the clock by exactly that much, as native_sim's does."""
    sched = current_kernel().sched
    sched.entry()
    sched.busy_wait(int(usec_to_wait))


def k_thread_foreach(user_cb: Callable[[k_thread, Any], None], user_data: Any) -> None:
    """Call user_cb(thread, user_data) for every thread that is not dead."""
    __ASSERT(user_cb is not None, "user_cb can not be NULL")
    kernel = current_kernel()
    with kernel.sched.lock:
        threads = kernel.all_threads()
    for t in threads:
        user_cb(t, user_data)


k_thread_foreach_unlocked = k_thread_foreach


def k_thread_stack_space_get(thread: k_thread) -> tuple[int, int]:
    """C: int k_thread_stack_space_get(thread, size_t *unused_ptr). zpy cannot measure it."""
    return -errno.ENOTSUP, 0


# -- timeouts and runtime statistics (CONFIG_THREAD_RUNTIME_STATS) ----------------------------


def k_thread_timeout_remaining_ticks(thread: k_thread) -> int:
    """Ticks until the thread's timeout (a delayed start, a sleep, a wait) expires; 0 if
    none is armed."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        return sched.clock.remaining(thread.timeout)


def k_thread_timeout_expires_ticks(thread: k_thread) -> int:
    """The uptime in ticks at which the thread's timeout expires (the last tick announced
    if none is armed, as Zephyr's z_timeout_expires)."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        to = thread.timeout
        return to.deadline if to.linked else sched.clock.curr_tick


def k_thread_runtime_stats_get(thread: k_thread | None,
                               stats: k_thread_runtime_stats_t | None) -> int:
    """Fill `stats` with the cycles `thread` ran (zeros without CONFIG_SCHED_THREAD_USAGE);
    -EINVAL if either is None."""
    if thread is None or stats is None:
        return -errno.EINVAL
    sched = current_kernel().sched
    if not sched.thread_usage:
        zero_stats(stats)
        return 0
    with sched.lock:
        thread_usage_locked(sched.clock, sched.caller_cpu(), thread, stats)
    return 0


def k_thread_runtime_stats_cpu_get(cpu: int, stats: k_thread_runtime_stats_t | None) -> int:
    """Fill `stats` with CPU `cpu`'s figures (CONFIG_SCHED_THREAD_USAGE_ALL); -EINVAL if
    `stats` is None."""
    if stats is None:
        return -errno.EINVAL
    kernel = current_kernel()
    sched = kernel.sched
    zero_stats(stats)
    if kernel.config.get("CONFIG_SCHED_THREAD_USAGE_ALL") and 0 <= cpu < len(sched.cpus):
        with sched.lock:
            cpu_usage_locked(sched.clock, sched.cpus[cpu], sched.caller_cpu(), stats)
    return 0


def k_thread_runtime_stats_all_get(stats: k_thread_runtime_stats_t | None) -> int:
    """Fill `stats` with the sums over every CPU (zeros without
    CONFIG_SCHED_THREAD_USAGE_ALL); -EINVAL if `stats` is None."""
    if stats is None:
        return -errno.EINVAL
    zero_stats(stats)
    one = k_thread_runtime_stats_t()
    for cpu in range(len(current_kernel().sched.cpus)):
        k_thread_runtime_stats_cpu_get(cpu, one)
        stats.execution_cycles += one.execution_cycles
        stats.total_cycles += one.total_cycles
        stats.idle_cycles += one.idle_cycles
    return 0


# -- kernel internals that Zephyr's own tests use (kthread.h, ksched.h) ----------------------


def z_thread_essential_set(thread: k_thread) -> None:
    thread.options |= K_ESSENTIAL


def z_thread_essential_clear(thread: k_thread) -> None:
    thread.options &= ~K_ESSENTIAL


def z_is_thread_essential(thread: k_thread) -> bool:
    return bool(thread.options & K_ESSENTIAL)


def z_is_idle_thread_object(thread: k_thread) -> bool:
    return thread._idle


__all__ = [
    "K_ESSENTIAL", "K_FP_REGS", "K_USER", "K_INHERIT_PERMS", "SYS_FOREVER_MS",
    "K_PRIO_COOP", "K_PRIO_PREEMPT", "k_thread", "k_thread_stack_t",
]
