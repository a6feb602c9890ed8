"""A read-only snapshot of a running kernel: its threads, CPUs and device states.

For tools that watch an image from outside it (`zpy run --view`): they run in
host threads of their own, never as Zephyr threads, so they call no kernel
entry point (which would preempt or take interrupts). snapshot() copies what
it needs under the scheduler's lock and lets go at once; everything it returns
is plain data, except `thread`, kept so that a viewer can tell rows apart and
find the host thread that carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zpy.kernel.sched import _THREAD_PENDING, WaitQ
from zpy.kernel.thread import k_thread, k_thread_state_str

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel

#: How long snapshot() waits for the scheduler's lock before giving up (seconds).
LOCK_TIMEOUT = 1.0


@dataclass(frozen=True)
class ThreadSnapshot:
    thread: k_thread
    name: str
    prio: int
    options: int
    #: k_thread_state_str(): "pending", "sleeping", "queued", "suspended", ... ("" running)
    state: str
    #: the CPU running it, None when it does not run
    cpu: int | None
    #: pended on a wait queue, or in k_poll (which pends on no queue)
    pending: bool
    wait_q: WaitQ | None
    #: ticks left of its armed timeout (a sleep or a wait with a timeout), None if none
    timeout_ticks: int | None
    #: threading ident of the host thread carrying it (None: idle, or not started)
    host_ident: int | None
    idle: bool


@dataclass(frozen=True)
class CpuSnapshot:
    id: int
    online: bool
    current: str  # the name of the thread it runs
    in_isr: bool


@dataclass(frozen=True)
class KernelSnapshot:
    tick: int
    ticks_per_sec: int
    uptime_ns: int
    cpus: tuple[CpuSnapshot, ...]
    #: in creation order (idle threads, main, then the others)
    threads: tuple[ThreadSnapshot, ...]
    #: (initialized, init_res) of each device, in kernel.devices order
    devices: tuple[tuple[bool, int], ...]
    main_started: bool
    halted: bool


def _thread(t: k_thread, kernel: Kernel) -> ThreadSnapshot:
    cpu = t.cpu
    running = cpu is not None and cpu.current is t
    to = t.timeout
    host = t._host
    pythread = host.pythread if host is not None else None
    return ThreadSnapshot(
        thread=t, name=t.name, prio=t.prio, options=t.options, state=k_thread_state_str(t),
        cpu=cpu.id if running and cpu is not None else None,
        pending=bool(t.thread_state & _THREAD_PENDING), wait_q=t.pended_on,
        timeout_ticks=kernel.clock.remaining(to) if to.linked else None,
        host_ident=pythread.ident if pythread is not None else None, idle=t._idle)


def snapshot(kernel: Kernel) -> KernelSnapshot | None:
    """The kernel's state now; None if its lock stayed taken for LOCK_TIMEOUT (a run that
    died holding it)."""
    sched = kernel.sched
    if not sched.lock.acquire(timeout=LOCK_TIMEOUT):
        return None
    try:
        threads = tuple(_thread(t, kernel) for t in reversed(kernel.all_threads()))
        cpus = tuple(CpuSnapshot(c.id, c.online, c.current.name, c.in_isr > 0)
                     for c in sched.cpus)
        devices = tuple((d.state.initialized, d.state.init_res) for d in kernel.devices)
        halted = sched.halted
    finally:
        sched.lock.release()
    clock = kernel.clock
    return KernelSnapshot(tick=clock.tick_get(), ticks_per_sec=clock.ticks_per_sec,
                          uptime_ns=clock.now_ns(), cpus=cpus, threads=threads,
                          devices=devices, main_started=kernel.main_started.is_set(),
                          halted=halted)
