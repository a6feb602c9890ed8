"""Interrupts: irq_connect_dynamic, irq_enable, irq_lock, k_is_in_isr, irq_offload.

x86 flavour: an IRQ line (an I/O APIC input, e.g. 4 for the COM1 UART) is routed
to a CPU vector (0x20-0xFF); MSI/MSI-X messages carry a vector directly. The
kernel keeps the vector -> (ISR, parameter) table; the CPU calls the kernel's
interrupt entry with the vector, and the ISR runs right there, in ISR context.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.kernel.context import current_kernel

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
        # The CPU masks interrupts while an ISR runs, so one thread at a time is in here.
        self._isr_thread: int | None = None
        self._depth = 0
        self.spurious = 0

    # -- ISR context ------------------------------------------------------------------

    def in_isr(self) -> bool:
        return self._depth > 0 and self._isr_thread == threading.get_ident()

    def dispatch(self, vector: int) -> None:
        """The CPU's interrupt entry (interrupts masked): run the vector's ISR in ISR context."""
        entry = self.isr.get(vector)
        if entry is None:
            self.spurious += 1
            return
        outer = self._isr_thread
        self._isr_thread = threading.get_ident()
        self._depth += 1
        try:
            entry[0](entry[1])
        except BaseException as e:
            self._kernel.fatal_error(e, None, where=f"ISR of vector {vector:#x}")
        finally:
            self._depth -= 1
            self._isr_thread = outer

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
    """Mask interrupts on the CPU; returns the key for irq_unlock (nests)."""
    current_kernel().cpu.irq_mask.acquire()
    return 1


def irq_unlock(key: int) -> None:
    current_kernel().cpu.irq_mask.release()


def k_is_in_isr() -> bool:
    """True while an ISR runs in the calling thread."""
    return current_kernel().irq.in_isr()


def irq_offload(routine: Isr, parameter: Any) -> None:
    """Run routine(parameter) in ISR context now (CONFIG_IRQ_OFFLOAD), as a software interrupt."""
    kernel = current_kernel()
    kernel.irq.connect_vector(IRQ_OFFLOAD_VECTOR, routine, parameter)
    kernel.cpu.raise_interrupt(IRQ_OFFLOAD_VECTOR)
