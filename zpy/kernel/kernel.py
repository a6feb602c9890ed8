"""Kernel: one image's kernel state and its boot, from EARLY to main() and the end.

Everything Zephyr keeps in static memory lives here, per image: devices and
init entries, threads, the interrupt table, the heap, the clock, the console,
subsystem state. `start()` boots it as kernel/init.c does; the run ends when
no thread can ever run again, on a fatal error, on sys_reboot(), or when the
host stops it. The exit status is main()'s return value (zpy's convention:
Zephyr ignores it).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from zpy import ZEPHYR_VERSION, __version__
from zpy.errors import LinkError
from zpy.image.dtmodel import DeviceTree
from zpy.kernel.context import isr_cpu, kernel_context
from zpy.kernel.heap import Heap
from zpy.kernel.init import InitLevel, init_entry, is_internal
from zpy.kernel.irq import InterruptTable
from zpy.kernel.sched import _THREAD_SLEEPING, KernelHalt, ThreadAbort
from zpy.kernel.switch import Scheduler
from zpy.kernel.sys_clock import SysClock
from zpy.kernel.thread import K_ESSENTIAL, k_sched_lock, k_sched_unlock, k_thread, schedule_new

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from zpy.kernel.device import device
    from zpy.kernel.platform import Platform

T = TypeVar("T")

KERNEL_VERSION_STRING = "{}.{}.{}".format(*ZEPHYR_VERSION)
#: What the boot banner shows (Zephyr shows `git describe` of its tree).
BUILD_VERSION = f"v{KERNEL_VERSION_STRING}-zpy{__version__}"

#: Zephyr's fatal error reasons (K_ERR_*) and their words
K_ERR_CPU_EXCEPTION = 0
K_ERR_KERNEL_OOPS = 3
K_ERR_KERNEL_PANIC = 4
_REASONS = {0: "CPU exception", 1: "Unhandled interrupt", 2: "Stack overflow",
            3: "Kernel oops", 4: "Kernel panic"}


def wants_virtual_time(config: dict[str, Any], real_time: bool | None) -> bool:
    """Virtual time for tests (CONFIG_TEST), as native_sim; `real_time` overrides it."""
    if real_time is not None:
        return not real_time
    return bool(config.get("CONFIG_TEST"))


class Kernel:
    def __init__(self, config: dict[str, Any], devicetree: DeviceTree, machine: Platform,
                 real_time: bool | None = None) -> None:
        self.config = config
        self.devicetree = devicetree
        self.machine = machine
        virtual = wants_virtual_time(config, real_time)
        if virtual and machine.outside_sources:
            if real_time is not None or config.get("CONFIG_TEST"):
                machine.log("real time: this run talks to the outside ("
                            + ", ".join(machine.outside_sources) + ")")
            virtual = False
        self.clock = SysClock(int(config.get("CONFIG_SYS_CLOCK_TICKS_PER_SEC", 100)),
                              int(config.get("CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC", 25_000_000)),
                              virtual)
        self.sched = Scheduler(self, config, self.clock, machine.cpu)
        self.sched.on_stall = self._stalled
        self.irq = InterruptTable(self)
        machine.cpu.interrupt_entry = self.irq.dispatch
        self.heap = Heap(int(config.get("CONFIG_HEAP_MEM_POOL_SIZE", 0)))
        #: each subsystem's state for this image, by its class (see service())
        self._services: dict[type, Any] = {}
        #: mappings k_mem_map_phys_bare gave out, with their physical addresses
        self.mappings: list[tuple[Any, int]] = []
        #: called when the console's input ends (the shell's UART backend registers)
        self.console_eof_hooks: list[Callable[[], None]] = []
        # what linking the image defines
        self.init_entries: list[init_entry] = []
        self.devices: list[device] = []
        self.dev_by_id: dict[str, device] = {}
        self.dev_by_ord: dict[int, device] = {}
        self.static_threads: list[k_thread] = []
        self._order_cache: list[device] | None = None
        self._kernel_init_entries()
        # threads, in creation order (k_thread_foreach lists the newest first, as Zephyr)
        self._thread_list: list[k_thread] = []
        self.idle_threads = [self._idle_thread(i) for i in range(self.sched.n_cpus)]
        self.sched.add_cpus(self.idle_threads)
        self.main_thread: k_thread | None = None
        self.main_fn: Callable[[], Any] | None = None
        #: main()'s return value once it returned (the run's exit status)
        self.main_rc: int | None = None
        self.exit_status: int | None = None
        #: set when every init level has run and main() is about to be called
        self.main_started = threading.Event()
        #: set when main() returned (other threads may run on)
        self.main_returned = threading.Event()
        self.fatal_exception: BaseException | None = None
        #: k_sys_fatal_error_handler(reason, esf): the app's own, or ztest's
        #: (CONFIG_ZTEST_FATAL_HOOK); None is Zephyr's default, which halts the system
        self.sys_fatal_error_handler: Callable[[int, Any], None] | None = None
        #: functions the app defines that override a weak default of the kernel or a
        #: subsystem, by name (test_main, k_sys_fatal_error_handler, ztest's hooks, ...)
        self.strong_symbols: dict[str, Callable[..., Any]] = {}
        self._done = threading.Event()
        self._console_lock = threading.Lock()
        #: "\n" goes out as "\r\n" (Zephyr's UART console does so; zpy turns it on with the
        #: shell, whose console is a terminal)
        self.console_crlf = False

    def _idle_thread(self, cpu_id: int) -> k_thread:
        t = k_thread()
        t.name = "idle" if self.sched.n_cpus == 1 else f"idle {cpu_id:02d}"
        t.prio = self.sched.lowest_prio
        t.options = K_ESSENTIAL
        t.thread_state = 0
        t._idle = True
        t._started = True
        t.kernel = self
        self._thread_list.append(t)
        return t

    def _kernel_init_entries(self) -> None:
        """The kernel's own SYS_INITs: the system work queue (kernel/system_work_q.c)."""
        if self.config.get("CONFIG_MULTITHREADING"):
            from zpy.kernel.work import k_sys_work_q_init

            prio = int(self.config.get("CONFIG_KERNEL_INIT_PRIORITY_DEFAULT", 40))
            self.add_init_entry(init_entry(InitLevel.POST_KERNEL, prio, 0, 0,
                                           "k_sys_work_q_init", init_fn=k_sys_work_q_init))

    # -- context and services ----------------------------------------------------------------

    def service(self, kind: type[T], make: Callable[[], T] | None = None) -> T:
        """This image's instance of a subsystem's state (logging's LogCore, ztest's registry,
        ...), made on first use by `make()` (default: `kind()`): Zephyr keeps such state in
        statics, zpy keeps one per image, typed."""
        svc = self._services.get(kind)
        if svc is None:
            svc = self._services[kind] = make() if make is not None else kind()
        return svc  # type: ignore[no-any-return]

    def context(self) -> AbstractContextManager[Kernel]:
        """`with kernel.context():` runs Zephyr API calls as part of this image."""
        return kernel_context(self)

    # -- linking (definitions) -------------------------------------------------------------

    def add_init_entry(self, entry: init_entry) -> None:
        entry.seq = len(self.init_entries)
        self.init_entries.append(entry)

    def add_device(self, dev_id: str, dev: device) -> None:
        if dev_id in self.dev_by_id:
            other = self.dev_by_id[dev_id]
            raise LinkError(f"multiple definition of `{dev_id}' (device '{dev.name}' at "
                            f"{dev.where}, first defined at {other.where})")
        self.dev_by_id[dev_id] = dev
        if dev.dt_node is not None:
            self.dev_by_ord[dev.dt_node.ord] = dev
        self.devices.append(dev)
        self._order_cache = None

    def devices_in_order(self) -> list[device]:
        """Devices in init order (the order of Zephyr's device section)."""
        if self._order_cache is None:
            entries = sorted((e for e in self.init_entries if e.dev is not None),
                             key=init_entry.sort_key)
            self._order_cache = [e.dev for e in entries if e.dev is not None]
        return self._order_cache

    # -- console and time ------------------------------------------------------------------

    def console_write(self, text: str) -> None:
        """printk's path: whole strings to the console UART's chardev."""
        if self.console_crlf:
            text = text.replace("\n", "\r\n")
        with self._console_lock:
            self.machine.console_write(text.encode("utf-8", "replace"))

    def console_write_raw(self, text: str) -> None:
        """Write as is (the shell, which ends its own lines)."""
        with self._console_lock:
            self.machine.console_write(text.encode("utf-8", "replace"))

    def uptime_ns(self) -> int:
        """Time since boot on the kernel's clock (virtual in tests)."""
        return self.clock.now_ns()

    # -- architecture hooks (x86: the I/O APIC routes IRQ lines to vectors) ----------------

    def arch_route_irq(self, irq: int, vector: int, flags: int) -> None:
        self.machine.route_irq(irq, vector, bool(flags & 0x8000))  # IRQ_TYPE_LEVEL

    def arch_irq_enable(self, irq: int, enable: bool) -> None:
        self.machine.set_irq_masked(irq, not enable)

    def arch_irq_is_enabled(self, irq: int) -> bool:
        return not self.machine.irq_masked(irq)

    # -- threads -----------------------------------------------------------------------------

    def thread_created(self, thread: k_thread) -> None:
        thread.kernel = self
        with self.sched.lock:
            self.sched.threads[thread] = None
            if thread not in self._thread_list:
                self._thread_list.append(thread)

    def all_threads(self) -> list[k_thread]:
        """The threads that are not dead, newest first (call with the scheduler lock)."""
        return [t for t in reversed(self._thread_list) if not t._exited]

    # -- errors ------------------------------------------------------------------------------

    def call_init(self, fn: Callable[..., Any], args: tuple[Any, ...], what: str) -> Any:
        """Run an init function; an exception in it is a fatal error, as a fault would be."""
        try:
            return fn(*args)
        except (KernelHalt, ThreadAbort):
            raise
        except BaseException as e:
            self.fatal_error(e, None, where=what)
            raise KernelHalt from e

    def _cpu_id(self) -> int:
        cpu = isr_cpu()
        if cpu is None:
            t = self.sched.current()
            cpu = t.cpu if t is not None else None
        return cpu.id if cpu is not None else 0

    def fatal_error(self, exc: BaseException, thread: k_thread | None, where: str = "") -> bool:
        """An exception escaped image code: Zephyr's CPU exception. True when the fatal error
        handler returned, and the faulting thread must end; False when the system halted."""
        if self.sched.halted:
            return False
        tb = traceback.extract_tb(exc.__traceback__)
        loc = ""
        if tb:
            # the innermost frame of image code (an app or a driver), not the kernel's own
            frame = next((f for f in reversed(tb) if not is_internal(f.filename)), tb[-1])
            loc = f" at {frame.filename}:{frame.lineno} in {frame.name}()"
        name = thread.name if thread is not None else ""
        context = where or (f"thread '{name}'" if name else "a thread")
        reason = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, TypeError) and "read-only memory" in str(exc):
            # a store through a mapping the MMU (here: the host's PROT_READ) refuses
            reason = "page fault: write to read-only memory"
        return self._fatal(K_ERR_CPU_EXCEPTION, exc, thread,
                           f">>> ZEPHYR FATAL ERROR {K_ERR_CPU_EXCEPTION}: CPU exception on CPU "
                           f"{self._cpu_id()} ({context}): {reason}{loc}\n")

    def panic(self, why: str, thread: k_thread | None, reason: int = K_ERR_KERNEL_PANIC) -> bool:
        """k_panic / k_oops and the kernel's own panics (an essential thread ended). True when
        the fatal error handler returned, and the faulting thread must end."""
        if self.sched.halted:
            return False
        name = thread.name if thread is not None and thread.name else "unknown"
        return self._fatal(reason, RuntimeError(why), thread,
                           f">>> ZEPHYR FATAL ERROR {reason}: {_REASONS.get(reason, 'Unknown')}"
                           f" on CPU {self._cpu_id()}\nCurrent thread: {name}: {why}\n")

    def _fatal(self, reason: int, exc: BaseException, thread: k_thread | None,
               report: str) -> bool:
        """z_fatal_error: the report, then k_sys_fatal_error_handler. Zephyr's default halts;
        a handler that returns lets the system go on without the faulting thread."""
        self.console_write(report)
        handler = self.sys_fatal_error_handler
        if handler is None:
            self.console_write("Halting system\n")
            self.fatal_exception = exc
            self.fatal_halt(reason)
            return False
        handler(reason, None)
        if self.sched.halted:
            if self.fatal_exception is None:
                self.fatal_exception = exc
            return False
        if thread is not None:
            thread.options &= ~K_ESSENTIAL  # it ends as an aborted thread, not a fault again
        return True

    def fatal_halt(self, reason: int) -> None:
        """k_fatal_halt: stop the system after a fatal error (exit status 1)."""
        if self.fatal_exception is None:
            self.fatal_exception = RuntimeError(f"fatal error {reason}")
        self.halt(1)

    # -- boot ------------------------------------------------------------------------------

    def _run_level(self, level: InitLevel) -> None:
        from zpy.kernel.device import DEVICE_FLAG_INIT_DEFERRED, do_device_init

        for entry in sorted((e for e in self.init_entries if e.level == level),
                            key=init_entry.sort_key):
            if self.sched.halted:
                raise KernelHalt
            if entry.dev is not None:
                if not entry.dev.flags & DEVICE_FLAG_INIT_DEFERRED:
                    do_device_init(self, entry.dev)
            elif entry.init_fn is not None:
                self.call_init(entry.init_fn, (), f"SYS_INIT {entry.name}()")

    def _boot_banner(self) -> None:
        cfg = self.config
        if not cfg.get("CONFIG_BOOT_BANNER"):
            return
        delay = int(cfg.get("CONFIG_BOOT_DELAY", 0))
        postfix = ""
        if cfg.get("CONFIG_BOOT_CLEAR_SCREEN"):
            self.console_write("\x1b[3J\x1b[2J\x1b[H")
        if delay > 0:
            self.console_write(f"***** delaying boot {delay}ms (per build configuration) *****\n")
            self.sched.busy_wait(delay * 1000)
            postfix = f" (delayed boot {delay}ms)"
        text = cfg.get("CONFIG_BOOT_BANNER_STRING", "Booting Zephyr OS build")
        self.console_write(f"*** {text} {BUILD_VERSION}{postfix} ***\n")

    def _bg_thread_main(self) -> None:
        """The main thread: POST_KERNEL, banner, APPLICATION, static threads, the other
        CPUs, then main()."""
        self._run_level(InitLevel.POST_KERNEL)
        self._boot_banner()
        self._run_level(InitLevel.APPLICATION)
        k_sched_lock()
        for thread in self.static_threads:
            self.thread_created(thread)
            schedule_new(self, thread, thread._delay)
        k_sched_unlock()
        if self.sched.n_cpus > 1:
            with self.sched.lock:
                for cpu in self.sched.cpus:
                    cpu.online = True
                self.sched.wake_idle_locked()
            self._run_level(InitLevel.SMP)
        self.main_started.set()
        if self.main_fn is not None:
            self.main_rc = self._exit_status_of(self.main_fn())
        else:
            self.main_rc = 0
        main = self.main_thread
        if main is not None:
            main.options &= ~K_ESSENTIAL  # main() is done: its thread may end
        self.main_returned.set()

    def _exit_status_of(self, rc: Any) -> int:
        """main()'s return value as an exit status, with a warning where C would differ."""
        if not isinstance(rc, int) or isinstance(rc, bool):
            self.machine.log(f"main() returned {rc!r}, not an int (C's int main()): "
                             "exit status 0")
            return 0
        if not 0 <= rc <= 255:
            self.machine.log(f"main() returned {rc}, which an exit status cannot hold: "
                             f"exit status {rc & 0xFF} ({rc} & 0xff)")
        return rc & 0xFF

    def start(self, main: Callable[[], Any] | None) -> None:
        """Boot: EARLY..PRE_KERNEL_2 in the calling thread, then the main thread takes over."""
        self.main_fn = main
        self.clock.restart()
        with kernel_context(self):
            try:
                self._run_level(InitLevel.EARLY)
                self._run_level(InitLevel.PRE_KERNEL_1)
                self._run_level(InitLevel.PRE_KERNEL_2)
            except KernelHalt:
                return
        main_thread = k_thread()
        main_thread.name = "main"
        main_thread.prio = int(self.config.get("CONFIG_MAIN_THREAD_PRIORITY", 0))
        main_thread.options = K_ESSENTIAL
        main_thread.stack_size = int(self.config.get("CONFIG_MAIN_STACK_SIZE", 1024))
        main_thread.entry = self._bg_thread_main
        main_thread.args = ()
        self.main_thread = main_thread
        self.thread_created(main_thread)
        sched = self.sched
        with kernel_context(self), sched.lock:
            main_thread.thread_state &= ~_THREAD_SLEEPING
            main_thread._started = True
            sched.ready_thread_locked(main_thread, sched.cpus[0])

    # -- the end ---------------------------------------------------------------------------

    def _stalled(self) -> None:
        """No thread can ever run again: the run ends with main()'s return value."""
        if self.main_rc is None:
            with self.sched.lock:
                threads = self.sched.live_threads_locked()
            alive = ", ".join(t.name or repr(t) for t in threads)
            self.machine.log("no thread can run any more: every one waits for ever and "
                             f"nothing can wake it ({alive}); the run ends")
        self.halt(self.main_rc or 0)

    def halt(self, status: int) -> None:
        """End the run with `status` (no thread left, a fatal error, a reboot, a stop)."""
        if self.exit_status is None:
            self.exit_status = status
        self.sched.halt_all()
        self._done.set()

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the run to end; returns the exit status (None if still running)."""
        if timeout is not None:
            return self.exit_status if self._done.wait(timeout) else None
        # Short waits keep the caller responsive to signals (Ctrl-C) in the host's main thread.
        while not self._done.wait(0.1):
            pass
        return self.exit_status

    def wait_main(self, timeout: float) -> int | None:
        """Wait for main() to return; its exit status, or None if it has not returned."""
        return self.main_rc if self.main_returned.wait(timeout) else None

    def run(self, main: Callable[[], Any] | None) -> int:
        """Boot and wait for the end; returns the exit status."""
        self.start(main)
        status = self.wait()
        return 0 if status is None else status

    def stop(self, status: int = 0) -> None:
        """Stop the image from outside (SIGTERM, a test's teardown)."""
        self.halt(status)

    def shutdown(self, timeout: float = 1.0) -> None:
        """Stop, and wait (up to timeout) for the host thread that waits for interrupts."""
        self.halt(self.exit_status or 0)
        self.sched.wait_seat_free(timeout)
