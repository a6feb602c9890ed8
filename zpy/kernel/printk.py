"""printk and snprintk: C formatting straight to the console (no timestamp, no prefix)."""

from __future__ import annotations

from zpy.kernel.cformat import c_format
from zpy.kernel.context import current_kernel


def printk(fmt: str, *args: object) -> None:
    kernel = current_kernel()
    kernel.sched.entry()
    if kernel.config.get("CONFIG_PRINTK", 1):
        kernel.console_write(c_format(fmt, *args))


def vprintk(fmt: str, args: tuple[object, ...]) -> None:
    printk(fmt, *args)


def snprintk(size: int, fmt: str, *args: object) -> tuple[int, str]:
    """C: int snprintk(char *str, size_t size, fmt, ...). Returns (length it wanted, text).

    The text is cut to size - 1 characters, as C leaves room for the NUL.
    """
    text = c_format(fmt, *args)
    return len(text), text[: max(0, size - 1)]
