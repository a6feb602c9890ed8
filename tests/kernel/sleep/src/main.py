# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/sleep (src/main.c), ported line by line."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_INHERIT_PERMS,
    K_NO_WAIT,
    K_SECONDS,
    K_THREAD_STACK_DEFINE,
    K_TICKS_FOREVER,
    K_USER,
    irq_offload,
    k_busy_wait,
    k_current_get,
    k_ms_to_ticks_ceil32,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_access_grant,
    k_thread_create,
    k_thread_priority_set,
    k_ticks_to_ms_floor64,
    k_uptime_get_32,
    k_wakeup,
    k_yield,
)
from zpy.ztest import (
    TC_ERROR,
    ZTEST,
    ZTEST_SUITE,
    zassert_equal,
    zassert_false,
    zassert_true,
    ztest_simple_1cpu_after,
    ztest_simple_1cpu_before,
)

if IS_ENABLED("CONFIG_ASSERT") and IS_ENABLED("CONFIG_DEBUG"):
    THREAD_STACK = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
else:
    THREAD_STACK = 384 + CONFIG_TEST_EXTRA_STACK_SIZE

TEST_THREAD_PRIORITY = -4
HELPER_THREAD_PRIORITY = -10

MSEC_PER_SEC = 1000
_TICK_ALIGN = 1
UINT_MAX = 0xFFFFFFFF

ONE_SECOND = MSEC_PER_SEC
ONE_SECOND_ALIGNED = k_ticks_to_ms_floor64(k_ms_to_ticks_ceil32(ONE_SECOND) + _TICK_ALIGN)

TICK_MARGIN = 1

test_thread_sem = k_sem()
helper_thread_sem = k_sem()
task_sem = k_sem()

test_thread_stack = K_THREAD_STACK_DEFINE("test_thread_stack", THREAD_STACK)
helper_thread_stack = K_THREAD_STACK_DEFINE("helper_thread_stack", THREAD_STACK)

test_thread_id = None
helper_thread_id = None

test_thread_data = k_thread()
helper_thread_data = k_thread()

test_failure = True


def test_objects_init():
    k_sem_init(test_thread_sem, 0, UINT_MAX)
    k_sem_init(helper_thread_sem, 0, UINT_MAX)
    k_sem_init(task_sem, 0, UINT_MAX)


def align_to_tick_boundary():
    tick = k_uptime_get_32()
    while k_uptime_get_32() == tick:
        k_busy_wait(50)  # Z_SPIN_DELAY(50): zpy's CPUs are native_sim's, infinitely fast


def sleep_time_valid(start, end, dur):
    dt = (end - start) & UINT_MAX

    return dt >= dur and dt <= (dur + TICK_MARGIN)


def test_thread(p1, p2, p3):
    global test_failure

    k_sem_take(test_thread_sem, K_FOREVER)

    align_to_tick_boundary()

    start_tick = k_uptime_get_32()
    k_sleep(K_SECONDS(1))
    end_tick = k_uptime_get_32()

    if not sleep_time_valid(start_tick, end_tick, ONE_SECOND_ALIGNED):
        TC_ERROR(" *** k_sleep() slept for %d ticks not %d.", end_tick - start_tick,
                 ONE_SECOND_ALIGNED)

        return

    k_sem_give(helper_thread_sem)
    align_to_tick_boundary()

    start_tick = k_uptime_get_32()
    k_sleep(K_SECONDS(1))
    end_tick = k_uptime_get_32()

    if end_tick - start_tick > TICK_MARGIN:
        TC_ERROR(" *** k_wakeup() took too long (%d ticks)\n", end_tick - start_tick)
        return

    k_sem_give(helper_thread_sem)
    align_to_tick_boundary()

    start_tick = k_uptime_get_32()
    k_sleep(K_SECONDS(1))
    end_tick = k_uptime_get_32()

    if end_tick - start_tick > TICK_MARGIN:
        TC_ERROR(" *** k_wakeup() took too long (%d ticks)\n", end_tick - start_tick)
        return

    k_sem_give(task_sem)
    align_to_tick_boundary()

    start_tick = k_uptime_get_32()
    k_sleep(K_SECONDS(1))
    end_tick = k_uptime_get_32()

    if end_tick - start_tick > TICK_MARGIN:
        TC_ERROR(" *** k_wakeup() took too long (%d ticks) at LAST\n", end_tick - start_tick)
        return
    test_failure = False


def irq_offload_isr(arg):
    k_wakeup(arg)


def helper_thread(p1, p2, p3):
    k_sem_take(helper_thread_sem, K_FOREVER)
    k_wakeup(test_thread_id)
    k_sem_take(helper_thread_sem, K_FOREVER)
    irq_offload(irq_offload_isr, test_thread_id)


@ZTEST("sleep")
def test_sleep():
    global test_thread_id, helper_thread_id

    k_thread_priority_set(k_current_get(), 0)
    test_objects_init()

    test_thread_id = k_thread_create(test_thread_data, test_thread_stack, THREAD_STACK,
                                     test_thread, 0, 0, None, TEST_THREAD_PRIORITY, 0,
                                     K_NO_WAIT)

    helper_thread_id = k_thread_create(helper_thread_data, helper_thread_stack, THREAD_STACK,
                                       helper_thread, 0, 0, None, HELPER_THREAD_PRIORITY, 0,
                                       K_NO_WAIT)

    k_sem_give(test_thread_sem)

    k_sem_take(task_sem, K_FOREVER)

    k_wakeup(test_thread_id)

    zassert_false(test_failure, "test failure")

    align_to_tick_boundary()
    start_tick = k_uptime_get_32()
    k_sleep(K_SECONDS(1))
    end_tick = k_uptime_get_32()
    zassert_true(sleep_time_valid(start_tick, end_tick, ONE_SECOND_ALIGNED),
                 "k_sleep() slept for %d ticks, not %d\n", end_tick - start_tick,
                 ONE_SECOND_ALIGNED)


def forever_thread_entry(p1, p2, p3):
    ret = k_sleep(K_FOREVER)
    zassert_equal(ret, K_TICKS_FOREVER, "unexpected return value")
    k_sem_give(test_thread_sem)


@ZTEST("sleep")
def test_sleep_forever():
    global test_thread_id

    test_objects_init()

    test_thread_id = k_thread_create(test_thread_data, test_thread_stack, THREAD_STACK,
                                     forever_thread_entry, 0, 0, None, TEST_THREAD_PRIORITY,
                                     K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_wakeup(test_thread_id)
    k_sem_take(test_thread_sem, K_FOREVER)


def sleep_setup():
    k_thread_access_grant(k_current_get(), test_thread_sem)

    return None


ZTEST_SUITE("sleep", None, sleep_setup, ztest_simple_1cpu_before, ztest_simple_1cpu_after,
            None)
