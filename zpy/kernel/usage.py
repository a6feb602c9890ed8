"""Thread runtime statistics: the cycles each thread and each CPU ran (Zephyr's
kernel/usage.c, CONFIG_SCHED_THREAD_USAGE).

At every context switch the thread leaving a CPU is charged the cycles since it
came on (the cycle counter, k_cycle_get_64's, so virtual under virtual time:
there a thread runs up cycles only by busy-waiting, as on native_sim, and the
idle thread gets the jumps). A CPU's total counts what its threads other than
idle ran. A query about the thread running on the calling CPU brings its figure
up to now first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zpy.kernel.sched import Cpu
    from zpy.kernel.sys_clock import SysClock
    from zpy.kernel.thread import k_thread


@dataclass
class k_thread_runtime_stats_t:
    """struct k_thread_runtime_stats (the fields of CONFIG_SCHED_THREAD_USAGE_ALL)."""

    execution_cycles: int = 0
    total_cycles: int = 0
    idle_cycles: int = 0


def zero_stats(stats: k_thread_runtime_stats_t) -> None:
    """C's `*stats = (k_thread_runtime_stats_t) {}`."""
    stats.execution_cycles = stats.total_cycles = stats.idle_cycles = 0


def usage_update_locked(clock: SysClock, cpu: Cpu) -> None:
    """Charge the CPU's current thread (and the CPU) the cycles since the last update, and
    count from now: at a context switch, z_sched_usage_stop then z_sched_usage_start
    (kernel lock held)."""
    now = clock.cycle_get()
    cycles = now - cpu.usage0
    cpu.usage0 = now
    cur = cpu.current
    cur.usage_total += cycles
    if cur is not cpu.idle_thread:
        cpu.usage_total += cycles


def thread_usage_locked(clock: SysClock, cpu: Cpu, thread: k_thread,
                        stats: k_thread_runtime_stats_t) -> None:
    """z_sched_thread_usage: `cpu` is the calling one."""
    if thread is cpu.current:
        usage_update_locked(clock, cpu)
    stats.execution_cycles = thread.usage_total
    stats.total_cycles = thread.usage_total
    stats.idle_cycles = 0


def cpu_usage_locked(clock: SysClock, cpu: Cpu, caller: Cpu,
                     stats: k_thread_runtime_stats_t) -> None:
    """z_sched_cpu_usage: `cpu`'s figures (brought up to now when it is the caller's)."""
    if cpu is caller:
        usage_update_locked(clock, cpu)
    stats.total_cycles = cpu.usage_total
    stats.idle_cycles = cpu.idle_thread.usage_total
    stats.execution_cycles = stats.total_cycles + stats.idle_cycles


__all__ = ["k_thread_runtime_stats_t"]
