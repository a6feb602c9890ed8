"""Time since boot: k_uptime_get, k_cycle_get_32 and the conversions around them."""

from __future__ import annotations

from zpy.kernel.context import current_kernel


def _ticks_per_sec() -> int:
    return int(current_kernel().config.get("CONFIG_SYS_CLOCK_TICKS_PER_SEC", 100))


def sys_clock_hw_cycles_per_sec() -> int:
    return int(current_kernel().config.get("CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC", 25_000_000))


def k_uptime_get() -> int:
    """Milliseconds since boot."""
    return current_kernel().uptime_ns() // 1_000_000


def k_uptime_get_32() -> int:
    return k_uptime_get() & 0xFFFFFFFF


def k_uptime_seconds() -> int:
    return current_kernel().uptime_ns() // 1_000_000_000


def k_uptime_ticks() -> int:
    return current_kernel().uptime_ns() * _ticks_per_sec() // 1_000_000_000


def k_uptime_delta(reftime: int) -> tuple[int, int]:
    """C: int64_t k_uptime_delta(int64_t *reftime). Returns (delta, new reftime)."""
    now = k_uptime_get()
    return now - reftime, now


def k_cycle_get_64() -> int:
    return current_kernel().uptime_ns() * sys_clock_hw_cycles_per_sec() // 1_000_000_000


def k_cycle_get_32() -> int:
    return k_cycle_get_64() & 0xFFFFFFFF


def k_cyc_to_ns_floor64(cyc: int) -> int:
    return cyc * 1_000_000_000 // sys_clock_hw_cycles_per_sec()


def k_cyc_to_us_floor32(cyc: int) -> int:
    return (cyc * 1_000_000 // sys_clock_hw_cycles_per_sec()) & 0xFFFFFFFF


def k_cyc_to_ms_floor32(cyc: int) -> int:
    return (cyc * 1000 // sys_clock_hw_cycles_per_sec()) & 0xFFFFFFFF


def k_cyc_to_ms_ceil32(cyc: int) -> int:
    hz = sys_clock_hw_cycles_per_sec()
    return (-(-cyc * 1000 // hz)) & 0xFFFFFFFF


def k_ms_to_ticks_ceil32(ms: int) -> int:
    return (-(-ms * _ticks_per_sec() // 1000)) & 0xFFFFFFFF


def k_ticks_to_ms_floor64(ticks: int) -> int:
    return ticks * 1000 // _ticks_per_sec()
