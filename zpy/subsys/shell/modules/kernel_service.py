"""The `kernel` shell command (subsys/shell/modules/kernel_service/), linked with CONFIG_KERNEL_SHELL.

Subcommands, in name order as Zephyr's section sorts them: cycles, reboot
(CONFIG_REBOOT), sleep, thread list, threads (the name before Zephyr 4.0,
kept), uptime, version. Output formats are Zephyr's; what zpy cannot measure
honestly (stack usage, scheduler ticks) is reported as Zephyr does when it
cannot either.
"""

from __future__ import annotations

from zpy import ZEPHYR_VERSION, errno
from zpy.kernel import (
    IS_ENABLED,
    SYS_REBOOT_COLD,
    SYS_REBOOT_WARM,
    k_current_get,
    k_cycle_get_32,
    k_msleep,
    k_thread_foreach_unlocked,
    k_thread_stack_space_get,
    k_thread_state_str,
    k_uptime_get,
    sys_reboot,
)
from zpy.kernel.context import current_kernel
from zpy.kernel.thread import k_thread
from zpy.shell import (
    SHELL_CMD,
    SHELL_CMD_REGISTER,
    SHELL_STATIC_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_ADD,
    SHELL_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_SET_END,
    shell_error,
    shell_print,
    shell_strtoul,
)
from zpy.subsys.shell.core import Shell

KERNEL_VERSION_STRING = "{}.{}.{}".format(*ZEPHYR_VERSION)

MSEC_PER_SEC = 1000
MINUTES_FACTOR = MSEC_PER_SEC * 60
HOURS_FACTOR = MINUTES_FACTOR * 60
DAYS_FACTOR = HOURS_FACTOR * 24


def KERNEL_CMD_ARG_ADD(syntax: str, subcmd: object, help: str, handler: object, mand: int,
                       opt: int) -> None:
    SHELL_SUBCMD_ADD(("kernel",), syntax, subcmd, help, handler, mand, opt)  # type: ignore[arg-type]


def KERNEL_CMD_ADD(syntax: str, subcmd: object, help: str, handler: object) -> None:
    KERNEL_CMD_ARG_ADD(syntax, subcmd, help, handler, 0, 0)


kernel_cmds = SHELL_SUBCMD_SET_CREATE("kernel_cmds", ("kernel",))
SHELL_CMD_REGISTER("kernel", kernel_cmds, "Kernel commands", None)


# -- version, uptime, cycles, sleep -------------------------------------------------------


def cmd_kernel_version(sh: Shell, argc: int, argv: list[str]) -> int:
    shell_print(sh, "Zephyr version %s", KERNEL_VERSION_STRING)
    return 0


def cmd_kernel_uptime(sh: Shell, argc: int, argv: list[str]) -> int:
    ms = k_uptime_get()
    if argc == 1:
        shell_print(sh, "Uptime: %llu ms", ms)
        return 0
    if argv[1] not in ("-p", "--pretty"):
        shell_error(sh, "Unsupported option: %s", argv[1])
        return -errno.EIO
    days, ms = divmod(ms, DAYS_FACTOR)
    hours, ms = divmod(ms, HOURS_FACTOR)
    minutes, ms = divmod(ms, MINUTES_FACTOR)
    seconds, ms = divmod(ms, MSEC_PER_SEC)
    shell_print(sh, "uptime: %llu days, %llu hours, %llu minutes, %llu seconds, "
                "%llu milliseconds", days, hours, minutes, seconds, ms)
    return 0


def cmd_kernel_cycles(sh: Shell, argc: int, argv: list[str]) -> int:
    shell_print(sh, "cycles: %u hw cycles", k_cycle_get_32())
    return 0


def cmd_kernel_sleep(sh: Shell, argc: int, argv: list[str]) -> int:
    ms, err = shell_strtoul(argv[1], 10)
    if err:
        shell_error(sh, "Unable to parse input (err %d)", err)
        return err
    k_msleep(ms)
    return 0


KERNEL_CMD_ADD("cycles", None, "Kernel cycles.", cmd_kernel_cycles)
KERNEL_CMD_ARG_ADD("sleep", None, "ms", cmd_kernel_sleep, 2, 0)
KERNEL_CMD_ARG_ADD("uptime", None, "Kernel uptime. Can be called with the -p or --pretty options",
                   cmd_kernel_uptime, 1, 1)
KERNEL_CMD_ADD("version", None, "Kernel version.", cmd_kernel_version)

# -- reboot (CONFIG_REBOOT): on QEMU, and in zpy, it ends the run -------------------------------


def cmd_kernel_reboot_warm(sh: Shell, argc: int, argv: list[str]) -> int:
    sys_reboot(SYS_REBOOT_WARM)
    return 0


def cmd_kernel_reboot_cold(sh: Shell, argc: int, argv: list[str]) -> int:
    sys_reboot(SYS_REBOOT_COLD)
    return 0


if IS_ENABLED("CONFIG_REBOOT"):
    sub_kernel_reboot = SHELL_STATIC_SUBCMD_SET_CREATE(
        "sub_kernel_reboot",
        SHELL_CMD("cold", None, "Cold reboot.", cmd_kernel_reboot_cold),
        SHELL_CMD("warm", None, "Warm reboot.", cmd_kernel_reboot_warm),
        SHELL_SUBCMD_SET_END,
    )
    KERNEL_CMD_ADD("reboot", sub_kernel_reboot, "Reboot.", cmd_kernel_reboot_cold)

# -- threads ---------------------------------------------------------------------------------------


def shell_tdata_dump(thread: k_thread, sh: Shell) -> None:
    """One thread, as Zephyr's `kernel thread list` shows it."""
    kernel = current_kernel()
    shell_print(sh, "%s%p %-10s", "*" if thread is k_current_get() else " ", thread,
                thread.name or "NA")
    with kernel.sched.lock:
        ticks = kernel.clock.remaining(thread.timeout)
    shell_print(sh, "\toptions: 0x%x, priority: %d timeout: %lld", thread.options, thread.prio,
                ticks)
    shell_print(sh, "\tstate: %s, entry: %p", k_thread_state_str(thread), thread.entry)
    if IS_ENABLED("CONFIG_SCHED_CPU_MASK"):
        shell_print(sh, "\tcpu_mask: 0x%x", thread.cpu_mask & 0xFFFFFFFF)
    # zpy's threads are host threads: their stack use cannot be measured
    rc, _ = k_thread_stack_space_get(thread)
    shell_print(sh, "Unable to determine unused stack size (%d)\n", rc)


def cmd_kernel_thread_list(sh: Shell, argc: int, argv: list[str]) -> int:
    shell_print(sh, "Scheduler: %u since last call", 0)
    shell_print(sh, "Threads:")
    k_thread_foreach_unlocked(shell_tdata_dump, sh)
    return 0


sub_kernel_thread = SHELL_SUBCMD_SET_CREATE("sub_kernel_thread", ("thread",))
SHELL_SUBCMD_ADD(("thread",), "list", None, "List kernel threads.", cmd_kernel_thread_list, 0, 0)
KERNEL_CMD_ADD("thread", sub_kernel_thread, "Kernel threads.", None)
KERNEL_CMD_ADD("threads", None, "List kernel threads.", cmd_kernel_thread_list)
