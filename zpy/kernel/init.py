"""Init levels and SYS_INIT: the order in which an image comes up.

Entries run by level, then numeric priority, then sub-priority (the devicetree
dependency ordinal for devices defined from the devicetree, 0 otherwise), then
definition order, as Zephyr's linker-sorted init sections do.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from zpy.errors import LinkError
from zpy.kernel.context import current_kernel

if TYPE_CHECKING:
    from zpy.kernel.device import device


class InitLevel(IntEnum):
    EARLY = 0
    PRE_KERNEL_1 = 1
    PRE_KERNEL_2 = 2
    POST_KERNEL = 3
    APPLICATION = 4
    SMP = 5


EARLY = InitLevel.EARLY
PRE_KERNEL_1 = InitLevel.PRE_KERNEL_1
PRE_KERNEL_2 = InitLevel.PRE_KERNEL_2
POST_KERNEL = InitLevel.POST_KERNEL
APPLICATION = InitLevel.APPLICATION
SMP = InitLevel.SMP


@dataclass
class init_entry:
    """struct init_entry: a SYS_INIT function or a device, with its place in the order."""

    level: InitLevel
    prio: int
    sub_prio: int
    seq: int
    name: str
    init_fn: Callable[[], Any] | None = None
    dev: device | None = None
    where: str = field(default="", compare=False)  # file:line of the definition

    def sort_key(self) -> tuple[int, int, int, int]:
        return (int(self.level), self.prio, self.sub_prio, self.seq)


def check_level(level: Any) -> InitLevel:
    if isinstance(level, str):
        try:
            return InitLevel[level]
        except KeyError:
            pass
    elif isinstance(level, int) and level in InitLevel._value2member_map_:
        return InitLevel(level)
    raise LinkError(f"invalid init level {level!r} (EARLY, PRE_KERNEL_1, PRE_KERNEL_2, "
                    "POST_KERNEL, APPLICATION or SMP)")


def check_prio(prio: Any) -> int:
    if isinstance(prio, bool) or not isinstance(prio, int) or not 0 <= prio <= 999:
        raise LinkError(f"init priority must be an integer from 0 to 999, got {prio!r}")
    return prio


_ZPY_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_INTERNAL = tuple(
    os.path.join(_ZPY_DIR, p)
    for p in ("kernel" + os.sep, "subsys" + os.sep, "device.py", "init.py", "devicetree.py")
)


def is_internal(filename: str) -> bool:
    """True for zpy's own kernel code, which messages about user code should skip."""
    return filename.startswith(_INTERNAL)


def caller_location() -> str:
    """file:line of the user code (app or driver) that called into the kernel."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_INTERNAL):
        f = f.f_back  # type: ignore[assignment]
    return "?" if f is None else f"{f.f_code.co_filename}:{f.f_lineno}"


def SYS_INIT_NAMED(name: str, init_fn: Callable[[], Any], level: Any, prio: int) -> None:
    """Run init_fn() at `level`/`prio` during boot. Its return value is ignored, as in Zephyr."""
    kernel = current_kernel()
    if not callable(init_fn):
        raise TypeError(f"SYS_INIT needs a function, got {init_fn!r}")
    kernel.add_init_entry(
        init_entry(check_level(level), check_prio(prio), 0, 0, name, init_fn=init_fn,
                   where=caller_location())
    )


def SYS_INIT(init_fn: Callable[[], Any], level: Any, prio: int) -> None:
    SYS_INIT_NAMED(getattr(init_fn, "__name__", "init"), init_fn, level, prio)
