"""Interrupts: irq_connect_dynamic, irq_enable, irq_lock, k_is_in_isr, irq_offload.

x86 flavour: an IRQ line (an I/O APIC input, e.g. 4 for the COM1 UART) is routed
to a CPU vector (0x20-0xFF); MSI/MSI-X messages carry a vector directly. The
kernel keeps the vector -> (ISR, parameter) table; the CPU calls the kernel's
interrupt entry with the vector, and the ISR runs right there, in ISR context,
unless the interrupted thread holds irq_lock(): then it waits for irq_unlock().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.errors import LinkError
from zpy.kernel.context import current_kernel, current_thread, isr_cpu
from zpy.kernel.sem import k_sem

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel

#: First vector usable by devices, and the vector irq_offload() uses.
IRQ_VECTOR_BASE = 0x20
IRQ_OFFLOAD_VECTOR = 0x21
IRQ_VECTOR_MAX = 0xFF
#: Vectors per priority band (x86: the upper nibble of the vector is its priority).
_BAND = 16

Isr = Callable[[Any], None]


class InterruptTable:
    """One kernel's vectors: who handles each, and which IRQ line feeds which vector."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel
        self.isr: dict[int, tuple[Isr, Any]] = {}
        self.irq2vector: dict[int, int] = {}
        self.allocated: set[int] = {IRQ_OFFLOAD_VECTOR}
        self.spurious = 0
        #: irq_offload() runs one offload at a time (Zephyr's offload_sem)
        self.offload_sem = k_sem(1, 1)

    # -- ISR context ------------------------------------------------------------------

    def dispatch(self, vector: int) -> None:
        """The CPU's interrupt entry: run the vector's ISR in ISR context (or hold it back
        until irq_unlock() if the interrupted thread locked interrupts)."""
        entry = self.isr.get(vector)
        if entry is None:
            self.spurious += 1
            return
        if isr_cpu() is not None:  # nested in an interrupt being taken (the common case)
            self._run(entry, vector)
            return
        t = current_thread()
        if t is not None and t.irq_locks and t.cpu is not None and t.cpu.current is t:
            t.cpu.pending_irqs.append(vector)
            return
        sched = self._kernel.sched
        entered = sched.isr_enter()
        try:
            self._run(entry, vector)
        finally:
            if entered is not None:
                sched.isr_exit(entered)

    def _run(self, entry: tuple[Isr, Any], vector: int) -> None:
        try:
            entry[0](entry[1])
        except BaseException as e:
            self._kernel.fatal_error(e, None, where=f"ISR of vector {vector:#x}")

    # -- vectors ---------------------------------------------------------------------------

    def allocate_vector(self, priority: int) -> int:
        """A free vector in the priority's band (x86's z_x86_allocate_vector); -1 if none."""
        band = min(max(priority, 0) + 2, IRQ_VECTOR_MAX // _BAND)
        for start in (band * _BAND, IRQ_VECTOR_BASE):
            for vector in range(start, IRQ_VECTOR_MAX + 1):
                if vector not in self.allocated:
                    self.allocated.add(vector)
                    return vector
        return -1

    def connect_vector(self, vector: int, routine: Isr, parameter: Any) -> None:
        self.allocated.add(vector)
        self.isr[vector] = (routine, parameter)


def irq_connect_dynamic(irq: int, priority: int, routine: Isr, parameter: Any, flags: int) -> int:
    """Connect `routine(parameter)` to IRQ line `irq`; returns the vector it got (or -errno)."""
    kernel = current_kernel()
    table = kernel.irq
    vector = table.irq2vector.get(irq)
    if vector is None:
        vector = table.allocate_vector(priority)
        if vector < 0:
            return -errno.EBUSY
        table.irq2vector[irq] = vector
    table.connect_vector(vector, routine, parameter)
    kernel.arch_route_irq(irq, vector, flags)
    return vector


def irq_enable(irq: int) -> None:
    current_kernel().arch_irq_enable(irq, True)


def irq_disable(irq: int) -> None:
    current_kernel().arch_irq_enable(irq, False)


def irq_is_enabled(irq: int) -> bool:
    return current_kernel().arch_irq_is_enabled(irq)


def irq_lock() -> int:
    """Mask interrupts for the calling thread; returns the key for irq_unlock (nests).

    The thread is not preempted while they are masked. zpy's SMP does not make this a
    lock across CPUs, as Zephyr's global irq_lock() is (see docs/kernel.md).
    """
    t = current_thread()
    if t is None or isr_cpu() is not None:
        return 0
    t.irq_locks += 1
    return t.irq_locks


def irq_unlock(key: int) -> None:
    """Unmask (when the outermost lock ends): interrupts raised meanwhile are taken now."""
    kernel = current_kernel()
    t = current_thread()
    if t is None or isr_cpu() is not None or t.irq_locks == 0:
        return
    if key <= 1:
        t.irq_locks = 0
        cpu = t.cpu
        if cpu is not None and cpu.pending_irqs:
            pending, cpu.pending_irqs = cpu.pending_irqs, []
            for vector in pending:
                kernel.irq.dispatch(vector)
    else:
        t.irq_locks = key - 1
    kernel.sched.entry()


def k_is_in_isr() -> bool:
    """True while an ISR runs in the calling thread."""
    return isr_cpu() is not None


def irq_offload(routine: Isr, parameter: Any) -> None:
    """Run routine(parameter) in ISR context now (CONFIG_IRQ_OFFLOAD), as a software interrupt.

    One at a time, as Zephyr's: the caller holds offload_sem meanwhile. A thread the ISR
    aborts ends when the interrupt returns, still holding it (Zephyr's tests give it back).
    """
    from zpy.kernel.sem import k_sem_give, k_sem_take
    from zpy.kernel.timeout import K_FOREVER

    kernel = current_kernel()
    if not kernel.config.get("CONFIG_IRQ_OFFLOAD"):
        raise LinkError("undefined reference to `irq_offload' (enable CONFIG_IRQ_OFFLOAD)")
    sem = kernel.irq.offload_sem
    k_sem_take(sem, K_FOREVER)
    kernel.irq.connect_vector(IRQ_OFFLOAD_VECTOR, routine, parameter)
    kernel.machine.cpu.raise_interrupt(IRQ_OFFLOAD_VECTOR)
    kernel.sched.entry()
    k_sem_give(sem)


def __getattr__(name: str) -> Any:
    """`offload_sem`, the image's (C: extern struct k_sem offload_sem)."""
    if name == "offload_sem":
        return current_kernel().irq.offload_sem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
