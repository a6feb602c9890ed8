"""Which kernel the calling code belongs to.

Zephyr's API is free functions (printk, k_sleep, DEVICE_DT_GET ...), and an image
is the only program on its CPU. zpy can run several images in one process (tests
do), so the free functions find their kernel through a context variable: every
kernel thread, the interrupt thread, and the code linked into an image run with
it set. No module-level state: two kernels never see each other.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel
    from zpy.kernel.sched import Cpu
    from zpy.kernel.thread import k_thread

_kernel: contextvars.ContextVar[Kernel] = contextvars.ContextVar("zpy_kernel")
_thread: contextvars.ContextVar[k_thread | None] = contextvars.ContextVar("zpy_thread", default=None)
#: the CPU whose interrupt this host thread is handling now (None: not in an ISR)
_isr_cpu: contextvars.ContextVar[Cpu | None] = contextvars.ContextVar("zpy_isr_cpu", default=None)


class NoKernelError(RuntimeError):
    """A Zephyr API was called outside any image (no kernel in this context)."""


def current_kernel() -> Kernel:
    try:
        return _kernel.get()
    except LookupError:
        raise NoKernelError(
            "no zpy kernel in this context: call Zephyr APIs from code running in an image "
            "(its threads, ISRs or init functions), or inside `with kernel.context():`"
        ) from None


def current_thread() -> k_thread | None:
    """The Zephyr thread this host thread carries (None outside threads: boot, linking)."""
    return _thread.get()


def isr_cpu() -> Cpu | None:
    """The CPU whose interrupt the calling code handles, or None outside ISRs."""
    return _isr_cpu.get()


@contextmanager
def kernel_context(kernel: Kernel, thread: k_thread | None = None) -> Iterator[Kernel]:
    """Run the enclosed code as part of `kernel` (and as `thread`, if given)."""
    t1 = _kernel.set(kernel)
    t2 = _thread.set(thread)
    try:
        yield kernel
    finally:
        _thread.reset(t2)
        _kernel.reset(t1)


def enter_thread(kernel: Kernel, thread: k_thread | None) -> None:
    """Bind a new host thread (which starts with an empty context) to `kernel`."""
    _kernel.set(kernel)
    _thread.set(thread)
