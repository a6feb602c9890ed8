"""Zephyr's tests/kernel/sched/schedule_api/src/main.c: shared stacks, spin_for_ms, suites."""

from zpy.kernel import K_THREAD_STACK_DEFINE, k_busy_wait, k_uptime_get_32
from zpy.ztest import ZTEST_SUITE, ztest_simple_1cpu_after, ztest_simple_1cpu_before

from .test_sched import MAX_NUM_THREAD, STACK_SIZE

tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tstacks = [K_THREAD_STACK_DEFINE("tstacks", STACK_SIZE) for _ in range(MAX_NUM_THREAD)]


def spin_for_ms(ms):
    t32 = k_uptime_get_32()

    while k_uptime_get_32() - t32 < ms:
        # zpy runs as native_sim (CONFIG_ARCH_POSIX) does: a busy loop takes no time, so
        # it takes some, whatever the arch
        k_busy_wait(50)


def threads_scheduling_tests_setup():
    return None


ZTEST_SUITE("threads_scheduling", None, threads_scheduling_tests_setup, None, None, None)
ZTEST_SUITE("threads_scheduling_1cpu", None, threads_scheduling_tests_setup,
            ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
