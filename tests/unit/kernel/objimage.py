"""What the tests of the data-passing objects share: one CPU in virtual time, so timings
are exact and no test waits, and a `spawn` helper in every image."""

from __future__ import annotations

CONFIG = {"BOOT_BANNER": "n", "TEST": "y", "SYS_CLOCK_TICKS_PER_SEC": "100",
          "IRQ_OFFLOAD": "y", "POLL": "y"}

HEADER = """
import ctypes
from dataclasses import dataclass
from zpy.kernel import *
from zpy.kernel.context import current_kernel

@dataclass(eq=False)
class item_t(sys_snode_t):
    value: int = 0

def spawn(entry, prio, *args):
    t = k_thread()
    k_thread_create(t, None, 0, entry, *(list(args) + [None] * (3 - len(args))), prio, 0,
                    K_NO_WAIT)
    return t

def u32(v):
    return v.to_bytes(4, "little")
"""


def run(make_image, boot, src, config=None):
    """Boot HEADER + src; (exit status, console text)."""
    cfg = dict(CONFIG)
    cfg.update(config or {})
    rt, console = boot(make_image(HEADER + src, config=cfg))
    status = rt.wait(20)
    return status, console.text()
