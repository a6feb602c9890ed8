"""<zephyr/kernel.h>: threads, timeouts, k_sem, k_mutex, k_poll, printk, heap, interrupts.

Zephyr-facing calls return C's codes (0 or a negative zpy.errno value) and never
raise for run-time conditions; misuse C would not compile (a wrong type, a
missing devicetree node) raises TypeError or zpy.errors.LinkError. Host tooling
(build, machine set-up, servers) raises zpy.errors.ZpyError instead.

Out-pointers become extra return values after the C return value:
`signaled, result = k_poll_signal_check(sig)`.
"""

from zpy import errno
from zpy.kernel import thread as _thread_module
from zpy.kernel.context import current_kernel
from zpy.kernel.heap import (
    K_OBJ_MUTEX,
    K_OBJ_POLL_SIGNAL,
    K_OBJ_SEM,
    K_OBJ_THREAD,
    k_calloc,
    k_free,
    k_malloc,
    k_object_access_all_grant,
    k_object_access_grant,
    k_object_alloc,
    k_object_free,
)
from zpy.kernel.irq import (
    irq_connect_dynamic,
    irq_disable,
    irq_enable,
    irq_is_enabled,
    irq_lock,
    irq_offload,
    irq_unlock,
    k_is_in_isr,
)
from zpy.kernel.mutex import K_MUTEX_DEFINE, k_mutex, k_mutex_init, k_mutex_lock, k_mutex_unlock
from zpy.kernel.poll import (
    K_POLL_EVENT_INITIALIZER,
    K_POLL_EVENT_STATIC_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_SIGNAL_INITIALIZER,
    K_POLL_STATE_CANCELLED,
    K_POLL_STATE_DATA_AVAILABLE,
    K_POLL_STATE_FIFO_DATA_AVAILABLE,
    K_POLL_STATE_MSGQ_DATA_AVAILABLE,
    K_POLL_STATE_NOT_READY,
    K_POLL_STATE_SEM_AVAILABLE,
    K_POLL_STATE_SIGNALED,
    K_POLL_TYPE_DATA_AVAILABLE,
    K_POLL_TYPE_FIFO_DATA_AVAILABLE,
    K_POLL_TYPE_IGNORE,
    K_POLL_TYPE_MSGQ_DATA_AVAILABLE,
    K_POLL_TYPE_SEM_AVAILABLE,
    K_POLL_TYPE_SIGNAL,
    k_poll,
    k_poll_event,
    k_poll_event_init,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_init,
    k_poll_signal_raise,
    k_poll_signal_reset,
)
from zpy.kernel.printk import printk, snprintk, vprintk
from zpy.kernel.sched import KernelHalt as _KernelHalt
from zpy.kernel.sem import (
    K_SEM_DEFINE,
    K_SEM_MAX_LIMIT,
    k_sem,
    k_sem_count_get,
    k_sem_give,
    k_sem_init,
    k_sem_reset,
    k_sem_take,
)
from zpy.kernel.sys_io import (
    K_MEM_CACHE_NONE,
    K_MEM_CACHE_WB,
    K_MEM_CACHE_WT,
    K_MEM_DIRECT_MAP,
    K_MEM_PERM_EXEC,
    K_MEM_PERM_RW,
    K_MEM_PERM_USER,
    POINTER_TO_UINT,
    device_map,
    k_mem_map_phys_bare,
    sys_in8,
    sys_in16,
    sys_in32,
    sys_out8,
    sys_out16,
    sys_out32,
    sys_read8,
    sys_read16,
    sys_read32,
    sys_read64,
    sys_write8,
    sys_write16,
    sys_write32,
    sys_write64,
    z_phys_map,
)
from zpy.kernel.thread import (
    K_ESSENTIAL,
    K_FP_REGS,
    K_INHERIT_PERMS,
    K_KERNEL_STACK_DEFINE,
    K_PRIO_COOP,
    K_PRIO_PREEMPT,
    K_THREAD_DEFINE,
    K_THREAD_STACK_DEFINE,
    K_THREAD_STACK_SIZEOF,
    K_USER,
    SYS_FOREVER_MS,
    k_busy_wait,
    k_current_get,
    k_is_preempt_thread,
    k_is_user_context,
    k_msleep,
    k_sched_current_thread_query,
    k_sched_lock,
    k_sched_time_slice_set,
    k_sched_unlock,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_cpu_mask_clear,
    k_thread_cpu_mask_disable,
    k_thread_cpu_mask_enable,
    k_thread_cpu_mask_enable_all,
    k_thread_cpu_pin,
    k_thread_create,
    k_thread_custom_data_get,
    k_thread_custom_data_set,
    k_thread_deadline_set,
    k_thread_foreach,
    k_thread_foreach_unlocked,
    k_thread_join,
    k_thread_name_get,
    k_thread_name_set,
    k_thread_priority_get,
    k_thread_priority_set,
    k_thread_resume,
    k_thread_stack_space_get,
    k_thread_stack_t,
    k_thread_start,
    k_thread_state_str,
    k_thread_suspend,
    k_thread_time_slice_set,
    k_thread_user_mode_enter,
    k_usleep,
    k_wakeup,
    k_yield,
)
from zpy.kernel.timeout import (
    K_FOREVER,
    K_HOURS,
    K_MINUTES,
    K_MSEC,
    K_NO_WAIT,
    K_NSEC,
    K_SECONDS,
    K_TICKS,
    K_TICKS_FOREVER,
    K_TIMEOUT_ABS_MS,
    K_TIMEOUT_ABS_NS,
    K_TIMEOUT_ABS_SEC,
    K_TIMEOUT_ABS_TICKS,
    K_TIMEOUT_ABS_US,
    K_TIMEOUT_EQ,
    K_USEC,
    k_timeout_t,
)
from zpy.kernel.uptime import (
    k_cyc_to_ms_ceil32,
    k_cyc_to_ms_floor32,
    k_cyc_to_ns_floor64,
    k_cyc_to_us_floor32,
    k_cycle_get_32,
    k_cycle_get_64,
    k_ms_to_cyc_ceil32,
    k_ms_to_ticks_ceil32,
    k_ms_to_ticks_ceil64,
    k_ms_to_ticks_floor64,
    k_ticks_to_ms_ceil32,
    k_ticks_to_ms_ceil64,
    k_ticks_to_ms_floor32,
    k_ticks_to_ms_floor64,
    k_ticks_to_us_ceil64,
    k_ticks_to_us_floor64,
    k_uptime_delta,
    k_uptime_get,
    k_uptime_get_32,
    k_uptime_seconds,
    k_uptime_ticks,
    k_us_to_cyc_ceil32,
    k_us_to_ticks_ceil64,
    sys_clock_hw_cycles_per_sec,
    sys_clock_tick_get,
    sys_clock_tick_get_32,
)

#: The priority limits follow the image's Kconfig (CONFIG_NUM_COOP_PRIORITIES, ...), so
#: they are looked up when read: `from zpy.kernel import K_LOWEST_APPLICATION_THREAD_PRIO`.
_PRIORITY_LIMITS = ("K_HIGHEST_THREAD_PRIO", "K_LOWEST_THREAD_PRIO", "K_IDLE_PRIO",
                    "K_LOWEST_APPLICATION_THREAD_PRIO", "K_HIGHEST_APPLICATION_THREAD_PRIO")


def __getattr__(name: str) -> int:
    if name in _PRIORITY_LIMITS:
        return getattr(_thread_module, name)  # type: ignore[no-any-return]
    raise AttributeError(f"module 'zpy.kernel' has no attribute {name!r}")


def IS_ENABLED(config_macro: str) -> bool:
    """IS_ENABLED("CONFIG_FOO"): true when the image's Kconfig symbol is set (y or a value)."""
    return bool(current_kernel().config.get(config_macro))


def k_panic() -> None:
    """A kernel panic: Zephyr's fatal error 4, which halts the image."""
    current_kernel().panic("k_panic()", k_current_get())
    raise _KernelHalt


def k_oops() -> None:
    """A kernel oops: Zephyr's fatal error 3, which halts the image."""
    current_kernel().panic("k_oops()", k_current_get(), reason=3)
    raise _KernelHalt


def sys_reboot(type: int = 0) -> None:
    """Zephyr's sys_reboot on QEMU ends the run (zpy run exits with status 0)."""
    current_kernel().halt(0)


SYS_REBOOT_WARM = 0
SYS_REBOOT_COLD = 1

__all__ = [name for name in dir() if not name.startswith("_")] + list(_PRIORITY_LIMITS)
