"""Kernel: one image's kernel state and its boot, from EARLY to main().

Everything Zephyr keeps in static memory lives here, per image: devices and
init entries, threads, the interrupt table, the heap, the console, subsystem
state. `run()` boots it as kernel/init.c does and returns the exit status.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zpy import ZEPHYR_VERSION, __version__
from zpy.build.dtmodel import DeviceTree
from zpy.errors import LinkError
from zpy.kernel.context import enter_thread, kernel_context
from zpy.kernel.heap import Heap
from zpy.kernel.init import InitLevel, init_entry, is_internal
from zpy.kernel.irq import InterruptTable
from zpy.kernel.sched import KernelHalt, Scheduler, ThreadAbort
from zpy.kernel.thread import K_ESSENTIAL, k_thread

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from zpy.hw.machine import Machine
    from zpy.kernel.device import device

#: How often the interrupt thread takes interrupts when no kernel thread is idle (seconds).
IDLE_SWEEP_PERIOD = 0.001

KERNEL_VERSION_STRING = "{}.{}.{}".format(*ZEPHYR_VERSION)
#: What the boot banner shows (Zephyr shows `git describe` of its tree).
BUILD_VERSION = f"v{KERNEL_VERSION_STRING}-zpy{__version__}"


class Kernel:
    def __init__(self, config: dict[str, Any], devicetree: DeviceTree, machine: Machine) -> None:
        self.config = config
        self.devicetree = devicetree
        self.machine = machine
        self.cpu = machine.cpu
        self.sched = Scheduler(self.cpu)
        self.irq = InterruptTable(self)
        self.cpu.interrupt_entry = self.irq.dispatch
        self.heap = Heap(int(config.get("CONFIG_HEAP_MEM_POOL_SIZE", 0)))
        self.boot_ns = time.perf_counter_ns()
        #: subsystems keep their per-image state here ("log", "ztest", "shell", ...)
        self.subsys: dict[str, Any] = {}
        # what linking the image defines
        self.init_entries: list[init_entry] = []
        self.devices: list[device] = []
        self.dev_by_id: dict[str, device] = {}
        self.dev_by_ord: dict[int, device] = {}
        self.static_threads: list[k_thread] = []
        self._order_cache: list[device] | None = None
        # run state
        self.threads: set[k_thread] = set()
        self.main_thread: k_thread | None = None
        self.main_fn: Callable[[], Any] | None = None
        #: when set, main() returning does not end the run (the shell keeps the image alive)
        self.keep_alive_after_main = False
        self.exit_status: int | None = None
        #: set when every init level has run and main() is about to be called
        self.main_started = threading.Event()
        self.fatal_exception: BaseException | None = None
        self._done = threading.Event()
        self._irq_thread: threading.Thread | None = None
        self._console_lock = threading.Lock()
        #: "\n" goes out as "\r\n" (Zephyr's UART console does so; zpy turns it on with the
        #: shell, whose console is a terminal)
        self.console_crlf = False

    # -- context ---------------------------------------------------------------------------

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

    # -- console ---------------------------------------------------------------------------

    def console_write(self, text: str) -> None:
        """printk's path: whole strings to the console UART's chardev."""
        if self.console_crlf:
            text = text.replace("\n", "\r\n")
        with self._console_lock:
            self.machine.serial.write(text.encode("utf-8", "replace"))

    def console_write_raw(self, text: str) -> None:
        """Write as is (the shell, which ends its own lines)."""
        with self._console_lock:
            self.machine.serial.write(text.encode("utf-8", "replace"))

    def uptime_ns(self) -> int:
        return time.perf_counter_ns() - self.boot_ns

    # -- architecture hooks (x86: I/O APIC routing) ----------------------------------------

    def arch_route_irq(self, irq: int, vector: int, flags: int) -> None:
        from zpy.hw.ioapic import IOAPIC_PINS

        if 0 <= irq < IOAPIC_PINS:
            level = bool(flags & 0x8000)  # IRQ_TYPE_LEVEL
            self.machine.ioapic.program(irq, vector, level)

    def arch_irq_enable(self, irq: int, enable: bool) -> None:
        from zpy.hw.ioapic import IOAPIC_PINS

        if 0 <= irq < IOAPIC_PINS:
            self.machine.ioapic.set_masked(irq, not enable)

    def arch_irq_is_enabled(self, irq: int) -> bool:
        from zpy.hw.ioapic import IOAPIC_PINS

        return 0 <= irq < IOAPIC_PINS and not self.machine.ioapic.redirections[irq].masked

    # -- threads -----------------------------------------------------------------------------

    def thread_created(self, thread: k_thread) -> None:
        thread.kernel = self
        with self.sched.lock:
            self.threads.add(thread)

    def thread_exited(self, thread: k_thread) -> None:
        with self.sched.lock:
            self.threads.discard(thread)

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

    def fatal_error(self, exc: BaseException, thread: k_thread | None, where: str = "") -> None:
        """An exception escaped image code: report it like Zephyr's fatal error and halt."""
        if self.fatal_exception is not None or self.sched.halted:
            return
        self.fatal_exception = exc
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
        self.console_write(
            f">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 ({context}): {reason}{loc}\n"
        )
        self.halt(1)

    # -- boot and halt -------------------------------------------------------------------

    def halt(self, status: int) -> None:
        """End the run with `status` (main returned, a fatal error, a reboot, a stop request)."""
        if self.exit_status is None:
            self.exit_status = status
        self.sched.halt_all()
        self._done.set()

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
            self.sched.start_held()

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
            time.sleep(delay / 1000)
            postfix = f" (delayed boot {delay}ms)"
        text = cfg.get("CONFIG_BOOT_BANNER_STRING", "Booting Zephyr OS build")
        self.console_write(f"*** {text} {BUILD_VERSION}{postfix} ***\n")

    def _bg_thread_main(self) -> None:
        """The main thread: POST_KERNEL, banner, APPLICATION, static threads, then main()."""
        self._run_level(InitLevel.POST_KERNEL)
        self._boot_banner()
        self._run_level(InitLevel.APPLICATION)
        for thread in self.static_threads:
            self.thread_created(thread)
            if not thread._delay.forever:
                thread._start(self)
        if self.config.get("CONFIG_SMP"):
            self._run_level(InitLevel.SMP)
        status = 0
        self.sched.start_held()  # none left behind by code that ran outside an init entry
        self.main_started.set()
        if self.main_fn is not None:
            rc = self.main_fn()
            status = rc & 0xFF if isinstance(rc, int) and not isinstance(rc, bool) else 0
        if not self.keep_alive_after_main:
            self.halt(status)

    def _interrupt_thread(self) -> None:
        """Takes interrupts while every kernel thread is busy (none holds the idle seat)."""
        enter_thread(self, None)
        cpu, sched = self.cpu, self.sched
        while not self._done.wait(IDLE_SWEEP_PERIOD):
            if sched.pass_seat():
                continue  # a parked kernel thread takes the seat: interrupts reach it directly
            if cpu.seat.acquire(blocking=False):
                try:
                    cpu.halt(0)
                except (KernelHalt, ThreadAbort):
                    break
                finally:
                    cpu.seat.release()

    def start(self, main: Callable[[], Any] | None) -> None:
        """Boot: EARLY..PRE_KERNEL_2 in the calling thread, then the main thread takes over."""
        self.main_fn = main
        self.boot_ns = time.perf_counter_ns()
        enter = kernel_context(self)
        with enter:
            try:
                self._run_level(InitLevel.EARLY)
                self._run_level(InitLevel.PRE_KERNEL_1)
                self._run_level(InitLevel.PRE_KERNEL_2)
            except KernelHalt:
                return
        self._irq_thread = threading.Thread(target=self._interrupt_thread, name="zpy:irq",
                                            daemon=True)
        self._irq_thread.start()
        main_thread = k_thread()
        main_thread.name = "main"
        main_thread.prio = int(self.config.get("CONFIG_MAIN_THREAD_PRIORITY", 0))
        main_thread.options = K_ESSENTIAL
        main_thread.stack_size = int(self.config.get("CONFIG_MAIN_STACK_SIZE", 1024))
        main_thread.entry = self._bg_thread_main
        main_thread.args = ()
        self.main_thread = main_thread
        self.thread_created(main_thread)
        main_thread._start(self)

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the run to end; returns the exit status (None if still running)."""
        # Short waits keep the caller responsive to signals (Ctrl-C) in the host's main thread.
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._done.wait(0.1):
            if deadline is not None and time.monotonic() >= deadline:
                return None
        return self.exit_status

    def run(self, main: Callable[[], Any] | None) -> int:
        """Boot and wait for the end; returns the exit status."""
        self.start(main)
        status = self.wait()
        return 0 if status is None else status

    def stop(self, status: int = 0) -> None:
        """Stop the image from outside (SIGTERM, a test's teardown)."""
        self.halt(status)

    def shutdown(self, timeout: float = 1.0) -> None:
        """Stop and wait (up to timeout) for the interrupt thread to finish."""
        self.halt(self.exit_status or 0)
        if self._irq_thread is not None and self._irq_thread is not threading.current_thread():
            self._irq_thread.join(timeout)
