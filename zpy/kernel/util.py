"""<zephyr/sys/util.h>: BIT, and CONTAINER_OF for the kernel's own embeddings.

C finds a struct from a pointer to one of its members by address arithmetic.
Python objects do not nest that way, so zpy's kernel objects that embed a
k_work (k_work_delayable, k_work_poll) keep a reference to their container, and
CONTAINER_OF follows it. A port's own structs keep such a reference themselves
(or use k_timer's user data): see docs/porting.md.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def BIT(n: int) -> int:
    """The unsigned value with bit n set: BIT(3) is 0x8."""
    return 1 << n


def CONTAINER_OF(ptr: Any, type: type[T], field: str) -> T:  # noqa: A002 (Zephyr's name)
    """The `type` whose member `field` is `ptr`: CONTAINER_OF(work, k_work_poll, "work")."""
    container = getattr(ptr, "_container", None)
    if isinstance(container, type) and getattr(container, field, None) is ptr:
        return container
    raise TypeError(f"CONTAINER_OF: zpy does not know which {type.__name__} holds {ptr!r} "
                    f"as .{field} (it knows the kernel's own embeddings, such as a k_work in "
                    "a k_work_delayable or k_work_poll; give your struct's member a "
                    "reference to it instead)")
