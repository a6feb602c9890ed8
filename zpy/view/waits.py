"""What a blocked thread waits on, read from its host thread's stack, as a debugger would.

The kernel records that a thread is pended (and on which wait queue) but not
on which object: in C a debugger finds the object from the wait queue's
address (CONTAINER_OF). Here the host thread that carries a blocked Zephyr
thread is stopped inside the kernel call that blocked it, so its stack names
the call (k_sem_take, k_poll, k_sleep, ...), the object it was given (the
call's first argument), and the line of the app or driver that made it.

Only frames are read (sys._current_frames()); nothing is called on the kernel.
"""

from __future__ import annotations

import linecache
import sys
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import FrameType
from typing import Any

from zpy.explain.text import short
from zpy.kernel.mutex import k_mutex
from zpy.kernel.poll import k_poll_event, k_poll_signal
from zpy.kernel.sem import k_sem
from zpy.kernel.snapshot import ThreadSnapshot
from zpy.kernel.thread import k_thread
from zpy.kernel.timeout import k_timeout_t

_KERNEL_DIR = str(Path(__file__).resolve().parent.parent / "kernel") + "/"
#: the frame of zpy.kernel.switch that runs a thread's entry
_HOST_MAIN = "_host_main"


@dataclass(frozen=True)
class Wait:
    """A blocked thread's kernel call: `call` (k_poll), what it waits for, and where."""

    call: str
    object: str | None
    at: str | None  # file:line of the call
    line: str | None  # the source line of the call

    def to_json(self) -> dict[str, str | None]:
        return {"call": self.call, "object": self.object, "at": self.at, "line": self.line}


def _in_kernel(frame: FrameType) -> bool:
    return frame.f_code.co_filename.startswith(_KERNEL_DIR)


def _outer_to_inner(frame: FrameType | None) -> list[FrameType]:
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    frames.reverse()
    return frames


def _api_frame(top: FrameType) -> FrameType | None:
    """The outermost kernel call made by the thread's own code: the first frame in
    zpy/kernel whose caller is not, past the kernel's frame that runs the thread."""
    frames = _outer_to_inner(top)
    start = next((i for i, f in enumerate(frames) if f.f_code.co_name == _HOST_MAIN
                  and _in_kernel(f)), None)
    if start is None:
        return None
    for caller, frame in pairwise(frames[start + 1:]):
        if _in_kernel(frame) and not _in_kernel(caller):
            return frame
    return None


def _name_in(frame: FrameType, obj: object) -> str | None:
    """The name the calling code has for `obj`: a local, a global, or an attribute of a
    local (`self.signal`)."""
    # list() copies at once: the thread that owns these scopes may change them meanwhile
    local_items = list(frame.f_locals.items())
    for name, value in local_items + list(frame.f_globals.items()):
        if value is obj:
            return name
    for name, value in local_items:
        attrs = getattr(value, "__dict__", None)
        if isinstance(attrs, dict):
            for attr, inner in list(attrs.items()):
                if inner is obj:
                    return f"{name}.{attr}"
    return None


def describe(obj: object, caller: FrameType | None = None) -> str | None:
    """A kernel object in a few words: its type, the caller's name for it, its state."""
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(e, k_poll_event) for e in obj):
        parts = [describe(e.obj, caller) for e in obj if e.obj is not None]
        return ", ".join(p for p in parts if p) or None
    if obj is None or isinstance(obj, (k_timeout_t, int, float, str, bytes)):
        return None
    name = _name_in(caller, obj) if caller is not None else None
    label = type(obj).__name__ + (f" {name}" if name else "")
    if isinstance(obj, k_sem):
        return f"{label} (count {obj.count}, limit {obj.limit})"
    if isinstance(obj, k_mutex):
        owner = obj.owner.name if obj.owner is not None else "nobody"
        return f"{label} (owner {owner!r}, lock count {obj.lock_count})"
    if isinstance(obj, k_poll_signal):
        return f"{label} (signaled {obj.signaled}, result {obj.result})"
    if isinstance(obj, k_thread):
        return f"thread {obj.name or hex(id(obj))!r}"
    return label


def _path(filename: str, base: Path | None) -> str:
    """A file name relative to `base` (the app's folder) or the current folder, if below."""
    if base is not None:
        try:
            return str(Path(filename).relative_to(base))
        except ValueError:
            pass
    return short(filename)


def wait_of(frame: FrameType | None, base: Path | None = None) -> Wait | None:
    """The kernel call a blocked thread's host is stopped in, from its innermost frame;
    file names are given relative to `base` when they are below it."""
    if frame is None:
        return None
    api = _api_frame(frame)
    if api is None:
        return None
    code = api.f_code
    caller = api.f_back
    obj: Any = None
    if code.co_argcount:
        obj = api.f_locals.get(code.co_varnames[0])
    at = line = None
    if caller is not None:
        at = f"{_path(caller.f_code.co_filename, base)}:{caller.f_lineno}"
        line = linecache.getline(caller.f_code.co_filename, caller.f_lineno).strip() or None
    return Wait(code.co_name, describe(obj, caller), at, line)


def waits(threads: tuple[ThreadSnapshot, ...], base: Path | None = None) -> dict[k_thread, Wait]:
    """What each blocked thread (pending, sleeping or suspended) waits on."""
    blocked = [t for t in threads if t.host_ident is not None and t.cpu is None
               and any(s in t.state for s in ("pending", "sleeping", "suspended"))]
    if not blocked:
        return {}
    frames = sys._current_frames()
    found = {}
    for t in blocked:
        assert t.host_ident is not None
        wait = wait_of(frames.get(t.host_ident), base)
        if wait is not None:
            found[t.thread] = wait
    return found
