"""One running VM as the view sees it: what the page is told first, then each update.

VmWatcher turns a Runtime into JSON-able dicts: threads (from the kernel's
snapshot, with what each blocked one waits on), devices in init order with
their readiness (zpy explain's records), the doorbells and interrupts recorded
since the last update, the console, and the shared memory of each ivshmem
device. It only reads; attaching the recorder (while a page watches) is the
one thing it changes, and that only decides whether the hooks record.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zpy.explain.devices import DeviceRecord, device_table
from zpy.kernel.snapshot import KernelSnapshot, ThreadSnapshot, snapshot
from zpy.view.recorder import ConsoleBuffer, Event, Recorder
from zpy.view.shm import SharedMemory
from zpy.view.waits import Wait, waits

if TYPE_CHECKING:
    from zpy.runtime import Runtime

#: events sent to the page per update at most (the counts cover all of them)
EVENTS_PER_UPDATE = 400

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _thread_json(t: ThreadSnapshot, wait: Wait | None, ticks_per_sec: int) -> dict[str, Any]:
    timeout_ms = None
    if t.timeout_ticks is not None:
        timeout_ms = t.timeout_ticks * 1000 // ticks_per_sec
    return {"id": f"{id(t.thread):x}", "name": t.name or f"{id(t.thread):#x}", "prio": t.prio,
            "state": t.state, "cpu": t.cpu, "idle": t.idle, "pending": t.pending,
            "timeout_ms": timeout_ms, "essential": bool(t.options & 1),
            "wait": wait.to_json() if wait is not None else None}


def _device_json(r: DeviceRecord) -> dict[str, Any]:
    return {"name": r.name, "node": r.node, "level": r.level, "priority": r.priority,
            "init": r.init, "ready": r.ready, "why": r.why, "log": r.log,
            "status": r.status}


class VmWatcher:
    """A Runtime, read for the view. Create it before the run starts so that the console is
    kept from the boot banner on."""

    def __init__(self, runtime: Runtime, label: str | None = None) -> None:
        self.runtime = runtime
        self.kernel = runtime.kernel
        self.machine = runtime.machine
        self.label = label or Path(runtime.manifest.app_dir).name
        self.recorder = Recorder()
        self.console = ConsoleBuffer()
        self.machine.serial.tap = self.console.write
        self.memories = [m for m in (SharedMemory.of(d) for d in self.machine.devices)
                         if m is not None]
        self._device_states: tuple[bool, tuple[tuple[bool, int], ...]] | None = None
        self._devices: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self.status: int | None = None

    # -- watching ------------------------------------------------------------------------

    def watch(self, on: bool) -> None:
        """Record doorbells and interrupts (a page is open), or stop (nobody watches)."""
        self.machine.set_watch(self.recorder if on else None)
        if not on:
            self.recorder.drain()

    # -- what the page is told -----------------------------------------------------------

    def hello(self) -> dict[str, Any]:
        """What does not change during a run."""
        k = self.kernel
        return {"type": "hello", "label": self.label, "pid": os.getpid(),
                "app": str(self.runtime.manifest.app_dir),
                "build": str(self.runtime.build_dir),
                "board": k.config.get("CONFIG_BOARD", ""),
                "cpus": k.sched.n_cpus, "smp": k.sched.smp,
                "ticks_per_sec": k.clock.ticks_per_sec, "virtual_time": k.clock.virtual,
                "memories": [m.describe() for m in self.memories]}

    def update(self, events: bool = True) -> dict[str, Any]:
        """The state now, and the events recorded since the last update (none with
        events=False: a page's first update leaves them to the next one of every page)."""
        snap = snapshot(self.kernel)
        recorded = self._events(self.recorder.drain()) if events else []
        update: dict[str, Any] = {
            "type": "update", "label": self.label, "now_us": time.monotonic_ns() // 1000,
            "events": recorded[-EVENTS_PER_UPDATE:], "counts": dict(self.counts),
        }
        if snap is not None:
            found = waits(snap.threads, Path(self.runtime.manifest.app_dir))
            update.update({
                "uptime_ms": snap.uptime_ns // 1_000_000, "tick": snap.tick,
                "halted": snap.halted, "booted": snap.main_started,
                "cpus": [{"id": c.id, "online": c.online, "current": c.current,
                          "in_isr": c.in_isr} for c in snap.cpus],
                "threads": [_thread_json(t, found.get(t.thread), snap.ticks_per_sec)
                            for t in snap.threads],
                "devices": self._device_rows(snap),
            })
        if self.status is not None:
            update["status"] = self.status
        return update

    def console_since(self, cursor: int) -> tuple[str, int]:
        """The console text after `cursor` (colours dropped), and the new cursor."""
        data, cursor = self.console.since(cursor)
        return _ANSI.sub("", data.decode("utf-8", "replace")), cursor

    def window(self, device: str, offset: int) -> dict[str, Any] | None:
        """The hexdump rows of `device`'s memory at `offset`."""
        for m in self.memories:
            if m.device == device:
                start = m.clamp(offset)
                return {"device": device, "offset": start, "rows": m.window(start)}
        return None

    # -- helpers -------------------------------------------------------------------------

    def _device_rows(self, snap: KernelSnapshot) -> list[dict[str, Any]]:
        """zpy explain's device records, computed again only when a device's state moved."""
        key = (snap.main_started, snap.devices)
        if key != self._device_states:
            table = device_table(self.kernel, booted=snap.main_started)
            self._devices = [_device_json(r) for r in table.devices]
            self._device_states = key
        return self._devices

    def _isr_name(self, vector: int) -> str | None:
        entry = self.kernel.irq.isr.get(vector)
        if entry is None:
            return None
        routine, parameter = entry
        name = getattr(routine, "__qualname__", None) or repr(routine)
        dev_name = getattr(parameter, "name", None)
        return f"{name}({dev_name})" if isinstance(dev_name, str) else f"{name}()"

    def _events(self, raw: list[Event]) -> list[dict[str, Any]]:
        out = []
        for t, kind, device, peer, vector in raw:
            t_us = t // 1000  # JSON numbers are exact to 2**53: microseconds are
            if kind == "irq":
                key = f"irq {vector:#x}"
                ev: dict[str, Any] = {"t_us": t_us, "kind": kind, "vector": vector,
                                      "isr": self._isr_name(vector)}
            elif kind == "sent":
                key = f"sent {device} peer {peer} vector {vector}"
                ev = {"t_us": t_us, "kind": kind, "device": device, "peer": peer, "vector": vector}
            else:
                key = f"received {device} vector {vector}"
                ev = {"t_us": t_us, "kind": kind, "device": device, "vector": vector}
            self.counts[key] += 1
            ev["lane"] = key
            out.append(ev)
        return out
