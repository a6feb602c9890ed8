"""Threads: k_thread, K_THREAD_DEFINE, k_thread_create, k_sleep and friends.

Each Zephyr thread is a host thread bound to its kernel. The host schedules
them (priorities are recorded, not enforced: Python threads have none; the one
exception is that init code is not preempted by the threads it creates, see
_holds_back); blocking calls park in the kernel's scheduler so interrupts keep
flowing.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.context import current_kernel, current_thread, enter_thread
from zpy.kernel.sched import KernelHalt, ThreadAbort, Waiter
from zpy.kernel.timeout import K_FOREVER, K_MSEC, K_NO_WAIT, as_timeout, k_timeout_t

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel

K_ESSENTIAL = 1 << 0
K_FP_REGS = 1 << 1
K_USER = 1 << 2
K_INHERIT_PERMS = 1 << 3

SYS_FOREVER_MS = -1


def K_PRIO_COOP(x: int) -> int:
    return -16 + x


def K_PRIO_PREEMPT(x: int) -> int:
    return x


K_HIGHEST_THREAD_PRIO = -16
K_LOWEST_THREAD_PRIO = 15
K_LOWEST_APPLICATION_THREAD_PRIO = 14
K_IDLE_PRIO = 15


@dataclass(frozen=True)
class k_thread_stack_t:
    """A thread stack: only its size is kept (host threads size their own stacks)."""

    size: int


def K_THREAD_STACK_DEFINE(name: str, size: int) -> k_thread_stack_t:
    return k_thread_stack_t(size)


K_KERNEL_STACK_DEFINE = K_THREAD_STACK_DEFINE


def K_THREAD_STACK_SIZEOF(stack: k_thread_stack_t) -> int:
    return stack.size


class _ThreadExit(BaseException):
    """Ends the current thread quietly (k_thread_user_mode_enter's entry returned)."""


class k_thread:
    """A Zephyr thread (struct k_thread). k_tid_t is a k_thread too."""

    def __init__(self) -> None:
        self.name = ""
        self.prio = 0
        self.options = 0
        self.user = False
        self.custom_data: Any = None
        self.entry: Callable[..., Any] | None = None
        self.args: tuple[Any, ...] = ()
        self.stack_size = 0
        self.kernel: Kernel | None = None
        self._host: threading.Thread | None = None
        self._delay = K_NO_WAIT
        self._started = False
        self._exited = False
        self._joiners: list[Waiter] = []
        self._waiter: Waiter | None = None  # its Waiter once it runs (for k_wakeup / abort)

    def __repr__(self) -> str:
        return f"<k_thread {self.name or hex(id(self))}>"

    # -- internals used by the kernel -----------------------------------------------

    def _start(self, kernel: Kernel) -> None:
        self._started = True
        self._host = threading.Thread(
            target=self._main, args=(kernel,), name=f"zpy:{self.name or 'thread'}", daemon=True
        )
        self._host.start()

    def _main(self, kernel: Kernel) -> None:
        enter_thread(kernel, self)
        self._waiter = kernel.sched.waiter()
        try:
            if self._delay.ns > 0:
                _sleep(kernel, self._delay)
            if self.entry is not None:
                self.entry(*self.args)
        except (KernelHalt, ThreadAbort, _ThreadExit):
            pass
        except BaseException as e:  # an exception escaped the thread: a fatal error, as in C
            kernel.fatal_error(e, self)
        finally:
            with kernel.sched.lock:
                self._exited = True
                for w in self._joiners:
                    kernel.sched.wake(w, 0)
                self._joiners.clear()
            kernel.thread_exited(self)


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
    thread.prio = prio
    thread.options = options
    thread.user = bool(options & K_USER)
    thread.stack_size = stack_size


def k_thread_create(new_thread: k_thread, stack: k_thread_stack_t | None, stack_size: int,
                    entry: Callable[..., Any], p1: Any, p2: Any, p3: Any, prio: int,
                    options: int, delay: k_timeout_t) -> k_thread:
    """Create a thread; it starts after `delay` (never with K_FOREVER, until k_thread_start)."""
    kernel = current_kernel()
    _setup(new_thread, entry, p1, p2, p3, prio, options, stack_size)
    new_thread._delay = as_timeout(delay)
    kernel.thread_created(new_thread)
    if new_thread._delay.forever:
        return new_thread
    if _holds_back(kernel, new_thread):
        with kernel.sched.lock:
            kernel.sched.held_starts.append(lambda: new_thread._start(kernel))
    else:
        new_thread._start(kernel)
    return new_thread


def _holds_back(kernel: Kernel, new_thread: k_thread) -> bool:
    """Does init code keep the CPU from `new_thread` for now?

    In Zephyr, init functions run in the main thread, and a thread they create
    with no higher priority than main's cannot run until that code blocks: the
    driver's k_thread_name_set() right after k_thread_create() always comes
    first. zpy's threads really run in parallel, so it holds such a thread
    back until the init entry returns or blocks.
    """
    if kernel.main_started.is_set():
        return False
    main = kernel.main_thread
    return new_thread.prio >= (main.prio if main is not None else 0)


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
    kernel = current_kernel()
    if not thread._started:
        thread._delay = K_NO_WAIT
        thread._start(kernel)


def k_thread_join(thread: k_thread, timeout: k_timeout_t) -> int:
    """0 when `thread` has ended; -EBUSY (K_NO_WAIT), -EAGAIN (timeout), -EDEADLK (itself)."""
    kernel = current_kernel()
    timeout = as_timeout(timeout)
    sched = kernel.sched
    with sched.lock:
        if thread._exited:
            return 0
        if thread is current_thread():
            return -errno.EDEADLK
        if timeout.ns == 0:
            return -errno.EBUSY
        w = sched.prepare()
        thread._joiners.append(w)
    rc = sched.block(w, timeout.seconds())
    with sched.lock:
        if w in thread._joiners:
            thread._joiners.remove(w)
    return rc


def k_thread_abort(thread: k_thread) -> None:
    """End `thread`. A thread that is running Python code ends at its next kernel call."""
    if thread is current_thread():
        raise ThreadAbort
    kernel = current_kernel()
    w = thread._waiter
    if w is not None:
        with kernel.sched.lock:
            w.abort = True
            kernel.sched.wake(w, -errno.EINTR)


def k_current_get() -> k_thread | None:
    return current_thread()


def k_thread_name_set(thread: k_thread | None, name: str) -> int:
    thread = thread if thread is not None else current_thread()
    if thread is None:
        return -errno.EINVAL
    kernel = current_kernel()
    limit = int(kernel.config.get("CONFIG_THREAD_MAX_NAME_LEN", 32))
    if len(name) > limit - 1:
        return -errno.EINVAL
    thread.name = name
    if thread._host is not None:
        thread._host.name = f"zpy:{name}"
    return 0


def k_thread_name_get(thread: k_thread) -> str:
    return thread.name


def k_thread_priority_get(thread: k_thread) -> int:
    return thread.prio


def k_thread_priority_set(thread: k_thread, prio: int) -> None:
    thread.prio = prio


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


def k_thread_user_mode_enter(entry: Callable[..., Any], p1: Any, p2: Any, p3: Any) -> None:
    """Drop the current thread to user mode and run entry; the thread ends when it returns."""
    t = current_thread()
    if t is not None:
        t.user = True
    entry(*_entry_args(entry, p1, p2, p3))
    raise _ThreadExit


# -- sleeping -------------------------------------------------------------------------


def _sleep(kernel: Kernel, timeout: k_timeout_t) -> int:
    sched = kernel.sched
    with sched.lock:
        w = sched.prepare()
    start = time.monotonic()
    rc = sched.block(w, timeout.seconds())
    if rc == -errno.EAGAIN:
        return 0
    if timeout.forever:
        return SYS_FOREVER_MS
    left = timeout.ns / 1e9 - (time.monotonic() - start)
    return max(0, int(left * 1000))


def k_sleep(timeout: k_timeout_t) -> int:
    """Sleep; returns 0, or the ms left when k_wakeup() cut it short. Interrupts run meanwhile."""
    return _sleep(current_kernel(), as_timeout(timeout))


def k_msleep(ms: int) -> int:
    return k_sleep(K_MSEC(ms))


def k_usleep(us: int) -> int:
    """Sleep in microseconds; returns the µs left (0 when the full time passed)."""
    left_ms = k_sleep(K_MSEC(us / 1000))
    return left_ms * 1000


def k_wakeup(thread: k_thread) -> None:
    kernel = current_kernel()
    w = thread._waiter
    if w is not None:
        with kernel.sched.lock:
            kernel.sched.wake(w, 0)


def k_busy_wait(usec_to_wait: int) -> None:
    """Spin for the given microseconds without letting other kernel threads block this one."""
    end = time.perf_counter() + usec_to_wait / 1e6
    while time.perf_counter() < end:
        pass


def k_yield() -> None:
    time.sleep(0)
