"""Zephyr's tests/kernel/sched/schedule_api/src/test_sched_timeslice_reset.c."""

from zpy.autoconf import CONFIG_SYS_CLOCK_TICKS_PER_SEC
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    K_TICKS,
    k_busy_wait,
    k_current_get,
    k_cycle_get_32,
    k_ms_to_ticks_ceil32,
    k_ms_to_ticks_floor32,
    k_sched_time_slice_set,
    k_sem_give,
    k_sem_reset,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    k_ticks_to_cyc_ceil32,
    k_ticks_to_cyc_floor32,
    k_usleep,
    printk,
    sys_clock_hw_cycles_per_sec,
)
from zpy.ztest import ZTEST, zassert_true, ztest_test_skip

from .main import spin_for_ms, tstacks
from .test_sched import MAX_NUM_THREAD, STACK_SIZE

NUM_THREAD = 3
assert NUM_THREAD <= MAX_NUM_THREAD

SLICE_SIZE = 200
BUSY_MS = SLICE_SIZE + 20
HALF_SLICE_SIZE = SLICE_SIZE >> 1

if CONFIG_SYS_CLOCK_TICKS_PER_SEC >= 1000:
    TASK_SWITCH_TOLERANCE = 1
else:
    TASK_SWITCH_TOLERANCE = 1000 // CONFIG_SYS_CLOCK_TICKS_PER_SEC

sema = K_SEM_DEFINE("sema", 0, NUM_THREAD)
elapsed_slice = 0
thread_idx = 0


def Z_SPIN_DELAY(us):
    k_busy_wait(us)


def TC_PRINT(fmt, *args):
    if IS_ENABLED("CONFIG_ZTEST_VERBOSE_OUTPUT"):
        printk(fmt, *args)


def cycles_delta(reftime):
    """C: uint32_t cycles_delta(uint32_t *reftime); returns (delta, new reftime)."""
    now = k_cycle_get_32()
    delta = (now - reftime) & 0xFFFFFFFF
    return delta, now


def thread_time_slice(p1, p2, p3):
    global elapsed_slice, thread_idx
    t, elapsed_slice = cycles_delta(elapsed_slice)
    switch_tolerance_ticks = k_ms_to_ticks_ceil32(TASK_SWITCH_TOLERANCE)

    if thread_idx == 0:
        expected_slice_min = ((HALF_SLICE_SIZE - TASK_SWITCH_TOLERANCE)
                              * sys_clock_hw_cycles_per_sec() // 1000)
        expected_slice_max = ((HALF_SLICE_SIZE + TASK_SWITCH_TOLERANCE)
                              * sys_clock_hw_cycles_per_sec() // 1000)
    else:
        expected_slice_min = ((k_ms_to_ticks_floor32(SLICE_SIZE) - switch_tolerance_ticks)
                              * k_ticks_to_cyc_floor32(1))
        expected_slice_max = ((k_ms_to_ticks_ceil32(SLICE_SIZE) + switch_tolerance_ticks)
                              * k_ticks_to_cyc_ceil32(1))

    if IS_ENABLED("CONFIG_DEBUG"):
        TC_PRINT("thread[%d] elapsed slice: %d, expected: <%d, %d>\n", thread_idx, t,
                 expected_slice_min, expected_slice_max)

    thread_idx = (thread_idx + 1) % NUM_THREAD

    zassert_true(t >= expected_slice_min, "timeslice too small, expected %u got %u",
                 expected_slice_min, t)
    zassert_true(t <= expected_slice_max, "timeslice too big, expected %u got %u",
                 expected_slice_max, t)

    spin_for_ms(BUSY_MS)
    k_sem_give(sema)


@ZTEST("threads_scheduling")
def test_slice_reset():
    global thread_idx, elapsed_slice
    if not IS_ENABLED("CONFIG_TIMESLICING"):
        ztest_test_skip()
        return
    tid = [None] * NUM_THREAD
    t = [k_thread() for _ in range(NUM_THREAD)]
    old_prio = k_thread_priority_get(k_current_get())

    thread_idx = 0
    k_sched_time_slice_set(0, K_PRIO_PREEMPT(0))

    slice_ticks = k_ms_to_ticks_ceil32(SLICE_SIZE)
    half_slice_cyc = k_ticks_to_cyc_ceil32(slice_ticks // 2)

    if slice_ticks % 2 != 0:
        deviation = k_ticks_to_cyc_ceil32(1)
        half_slice_cyc = half_slice_cyc + (deviation // 2)

    for j in range(2):
        k_sem_reset(sema)

        k_thread_priority_set(k_current_get(), K_PRIO_PREEMPT(j))

        k_usleep(1)

        for i in range(NUM_THREAD):
            tid[i] = k_thread_create(t[i], tstacks[i], STACK_SIZE, thread_time_slice, None,
                                     None, None, K_PRIO_PREEMPT(j), 0, K_NO_WAIT)

        k_sched_time_slice_set(SLICE_SIZE, K_PRIO_PREEMPT(0))

        _, elapsed_slice = cycles_delta(elapsed_slice)

        t32 = k_cycle_get_32()
        while ((k_cycle_get_32() - t32) & 0xFFFFFFFF) < half_slice_cyc:
            Z_SPIN_DELAY(50)

        k_sleep(K_TICKS(slice_ticks * (NUM_THREAD + 1)))
        for _ in range(NUM_THREAD):
            k_sem_take(sema, K_FOREVER)

        for i in range(NUM_THREAD):
            k_thread_abort(tid[i])
        k_sched_time_slice_set(0, K_PRIO_PREEMPT(0))
    k_thread_priority_set(k_current_get(), old_prio)
