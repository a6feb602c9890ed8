"""<zephyr/init.h>: init levels and SYS_INIT."""

from zpy.kernel.init import (
    APPLICATION,
    EARLY,
    POST_KERNEL,
    PRE_KERNEL_1,
    PRE_KERNEL_2,
    SMP,
    SYS_INIT,
    SYS_INIT_NAMED,
    InitLevel,
)

__all__ = [
    "APPLICATION",
    "EARLY",
    "InitLevel",
    "POST_KERNEL",
    "PRE_KERNEL_1",
    "PRE_KERNEL_2",
    "SMP",
    "SYS_INIT",
    "SYS_INIT_NAMED",
]
