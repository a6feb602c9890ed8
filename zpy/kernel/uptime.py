"""Time since boot: k_uptime_get, the tick and cycle counters, and Zephyr's conversions.

Uptime comes from the tick count (CONFIG_SYS_CLOCK_TICKS_PER_SEC), as in
Zephyr: at 100 ticks a second it moves in steps of 10 ms. The cycle counter
runs at CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC. Both follow the kernel's clock,
so under virtual time they show simulated time.
"""

from __future__ import annotations

from zpy.kernel.context import current_kernel
from zpy.kernel.sys_clock import SysClock


def _clock() -> SysClock:
    kernel = current_kernel()
    kernel.sched.entry()
    return kernel.clock


def _tps() -> int:
    return current_kernel().clock.ticks_per_sec


def sys_clock_hw_cycles_per_sec() -> int:
    return current_kernel().clock.cycles_per_sec


def sys_clock_tick_get() -> int:
    return _clock().tick_get()


def sys_clock_tick_get_32() -> int:
    return sys_clock_tick_get() & 0xFFFFFFFF


def k_uptime_ticks() -> int:
    return sys_clock_tick_get()


def k_uptime_get() -> int:
    """Milliseconds since boot (whole ticks, rounded down)."""
    clock = _clock()
    return clock.tick_get() * 1000 // clock.ticks_per_sec


def k_uptime_get_32() -> int:
    return k_uptime_get() & 0xFFFFFFFF


def k_uptime_seconds() -> int:
    clock = _clock()
    return clock.tick_get() // clock.ticks_per_sec


def k_uptime_delta(reftime: int) -> tuple[int, int]:
    """C: int64_t k_uptime_delta(int64_t *reftime). Returns (delta, new reftime)."""
    now = k_uptime_get()
    return now - reftime, now


def k_cycle_get_64() -> int:
    return _clock().cycle_get()


def k_cycle_get_32() -> int:
    return k_cycle_get_64() & 0xFFFFFFFF


# -- conversions (Zephyr's time_units.h), for the ones ports use ---------------------------------


def _conv(value: int, num: int, den: int, ceil: bool) -> int:
    return -(-value * num // den) if ceil else value * num // den


def k_ms_to_ticks_ceil32(ms: int) -> int:
    return _conv(ms, _tps(), 1000, True) & 0xFFFFFFFF


def k_ms_to_ticks_ceil64(ms: int) -> int:
    return _conv(ms, _tps(), 1000, True)


def k_ms_to_ticks_floor64(ms: int) -> int:
    return _conv(ms, _tps(), 1000, False)


def k_us_to_ticks_ceil32(us: int) -> int:
    return k_us_to_ticks_ceil64(us) & 0xFFFFFFFF


def k_us_to_ticks_ceil64(us: int) -> int:
    return _conv(us, _tps(), 1_000_000, True)


def k_ticks_to_ms_floor64(ticks: int) -> int:
    return _conv(ticks, 1000, _tps(), False)


def k_ticks_to_ms_floor32(ticks: int) -> int:
    return k_ticks_to_ms_floor64(ticks) & 0xFFFFFFFF


def k_ticks_to_ms_ceil64(ticks: int) -> int:
    return _conv(ticks, 1000, _tps(), True)


def k_ticks_to_ms_ceil32(ticks: int) -> int:
    return k_ticks_to_ms_ceil64(ticks) & 0xFFFFFFFF


def k_ticks_to_us_floor64(ticks: int) -> int:
    return _conv(ticks, 1_000_000, _tps(), False)


def k_ticks_to_us_ceil64(ticks: int) -> int:
    return _conv(ticks, 1_000_000, _tps(), True)


def k_ticks_to_us_ceil32(ticks: int) -> int:
    return k_ticks_to_us_ceil64(ticks) & 0xFFFFFFFF


def k_cyc_to_ticks_ceil64(cyc: int) -> int:
    return _conv(cyc, _tps(), sys_clock_hw_cycles_per_sec(), True)


def k_cyc_to_ns_floor64(cyc: int) -> int:
    return _conv(cyc, 1_000_000_000, sys_clock_hw_cycles_per_sec(), False)


def k_cyc_to_us_floor32(cyc: int) -> int:
    return _conv(cyc, 1_000_000, sys_clock_hw_cycles_per_sec(), False) & 0xFFFFFFFF


def k_cyc_to_ms_floor32(cyc: int) -> int:
    return _conv(cyc, 1000, sys_clock_hw_cycles_per_sec(), False) & 0xFFFFFFFF


def k_cyc_to_ms_ceil32(cyc: int) -> int:
    return _conv(cyc, 1000, sys_clock_hw_cycles_per_sec(), True) & 0xFFFFFFFF


def k_ms_to_cyc_ceil64(ms: int) -> int:
    return _conv(ms, sys_clock_hw_cycles_per_sec(), 1000, True)


def k_ms_to_cyc_ceil32(ms: int) -> int:
    return k_ms_to_cyc_ceil64(ms) & 0xFFFFFFFF


def k_us_to_cyc_ceil32(us: int) -> int:
    return _conv(us, sys_clock_hw_cycles_per_sec(), 1_000_000, True) & 0xFFFFFFFF


def k_us_to_cyc_floor64(us: int) -> int:
    return _conv(us, sys_clock_hw_cycles_per_sec(), 1_000_000, False)


def k_ms_to_ticks_floor32(ms: int) -> int:
    return k_ms_to_ticks_floor64(ms) & 0xFFFFFFFF


def k_ticks_to_cyc_floor32(ticks: int) -> int:
    return _conv(ticks, sys_clock_hw_cycles_per_sec(), _tps(), False) & 0xFFFFFFFF


def k_ticks_to_cyc_ceil32(ticks: int) -> int:
    return _conv(ticks, sys_clock_hw_cycles_per_sec(), _tps(), True) & 0xFFFFFFFF


def k_cyc_to_ticks_near32(cyc: int) -> int:
    hz = sys_clock_hw_cycles_per_sec()
    return ((cyc * _tps() + hz // 2) // hz) & 0xFFFFFFFF
