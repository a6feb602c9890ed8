"""<zephyr/ztest_error_hook.h>: fatal errors and failed __ASSERT()s a test expects.

With CONFIG_ZTEST_FATAL_HOOK, ztest's k_sys_fatal_error_handler lets a fatal
error the test announced (ztest_set_fault_valid(true) in the faulting thread, or
in an ISR) through: the faulting thread ends, ztest_post_fatal_error_hook() runs
and the system goes on; any other fatal error halts it. CONFIG_ZTEST_ASSERT_HOOK
does the same for __ASSERT(), whose failed thread ends by default.
"""

from __future__ import annotations

from typing import Any

from zpy.kernel.context import current_kernel, isr_cpu
from zpy.kernel.printk import printk


def _state() -> Any:
    from zpy.subsys.ztest import _ztest

    return _ztest()


def _app_hook(name: str) -> Any:
    return current_kernel().strong_symbols.get(name)


def ztest_set_fault_valid(valid: bool) -> None:
    from zpy.kernel.thread import k_current_get

    zt = _state()
    if valid:
        if isr_cpu() is not None:
            zt.fault_in_isr = True
        else:
            zt.valid_fault_tid = k_current_get()
    else:
        zt.valid_fault_tid = None
        zt.fault_in_isr = False


def k_sys_fatal_error_handler(reason: int, esf: Any) -> None:
    from zpy.kernel.thread import k_current_get

    zt = _state()
    valid = (k_current_get() is zt.valid_fault_tid) or zt.fault_in_isr
    printk("Caught system error -- reason %d %d\n", reason, int(valid))
    if valid:
        printk("Fatal error expected as part of test case.\n")
        zt.valid_fault_tid = None
        zt.fault_in_isr = False
        hook = _app_hook("ztest_post_fatal_error_hook")
        if hook is not None:
            hook(reason, esf)
    else:
        printk("Fatal error was unexpected, aborting...\n")
        current_kernel().fatal_halt(reason)


def ztest_set_assert_valid(valid: bool) -> None:
    from zpy.kernel.thread import k_current_get

    zt = _state()
    if valid:
        if isr_cpu() is not None:
            zt.assert_in_isr = True
        else:
            zt.valid_assert_tid = k_current_get()
    else:
        zt.valid_assert_tid = None
        zt.assert_in_isr = False


def ztest_post_assert_fail_hook() -> None:
    """The default: the thread whose assertion failed ends."""
    from zpy.kernel.thread import k_current_get, k_thread_abort

    me = k_current_get()
    if me is not None:
        k_thread_abort(me)


def assert_post_action(file: str, line: int) -> None:
    from zpy.kernel import k_oops, k_panic
    from zpy.kernel.thread import k_current_get, k_is_user_context

    zt = _state()
    printk("Caught assert failed\n")
    if k_current_get() is zt.valid_assert_tid or zt.assert_in_isr:
        printk("Assert error expected as part of test case.\n")
        zt.valid_assert_tid = None
        zt.assert_in_isr = False
        (_app_hook("ztest_post_assert_fail_hook") or ztest_post_assert_fail_hook)()
    else:
        printk("Assert failed was unexpected, aborting...\n")
        if current_kernel().config.get("CONFIG_USERSPACE") and k_is_user_context():
            k_oops()
        k_panic()


__all__ = ["assert_post_action", "k_sys_fatal_error_handler", "ztest_post_assert_fail_hook",
           "ztest_set_assert_valid", "ztest_set_fault_valid"]
