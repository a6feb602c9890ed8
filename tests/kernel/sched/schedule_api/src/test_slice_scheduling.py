"""Zephyr's tests/kernel/sched/schedule_api/src/test_slice_scheduling.c."""

from zpy.autoconf import CONFIG_SRAM_SIZE
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    k_busy_wait,
    k_current_get,
    k_cyc_to_ticks_near32,
    k_cycle_get_32,
    k_ms_to_ticks_ceil32,
    k_sched_time_slice_set,
    k_sem_give,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    k_thread_start,
    k_thread_time_slice_set,
    k_ticks_to_ms_ceil64,
    k_ticks_to_ms_floor64,
    k_uptime_delta,
    k_usleep,
    printk,
)
from zpy.ztest import ZTEST, zassert_equal, zassert_false, zassert_true, ztest_test_skip

from .main import spin_for_ms, tstacks
from .test_sched import MAX_NUM_THREAD, STACK_SIZE

if CONFIG_SRAM_SIZE <= 24:
    NUM_THREAD = 2
elif CONFIG_SRAM_SIZE <= 32 or IS_ENABLED("CONFIG_SOC_EMSK_EM7D"):
    NUM_THREAD = 3
else:
    NUM_THREAD = 10
BASE_PRIORITY = 0
ITRERATION_COUNT = 5

assert NUM_THREAD <= MAX_NUM_THREAD
SLICE_SIZE = 200
PERTHREAD_SLICE_TICKS = 64
TICK_SLOP = 4
BUSY_MS = SLICE_SIZE + 20
t = [k_thread() for _ in range(NUM_THREAD)]

sema1 = K_SEM_DEFINE("sema1", 0, NUM_THREAD)
elapsed_slice = 0

thread_idx = 0


def TC_PRINT(fmt, *args):
    if IS_ENABLED("CONFIG_ZTEST_VERBOSE_OUTPUT"):
        printk(fmt, *args)


def thread_tslice(p1, p2, p3):
    global elapsed_slice, thread_idx
    idx = p1

    thread_parameter = ord("\n") if idx == NUM_THREAD - 1 else idx + ord("A")

    expected_slice_min = k_ticks_to_ms_floor64(k_ms_to_ticks_ceil32(SLICE_SIZE) - 1)
    expected_slice_max = k_ticks_to_ms_ceil64(k_ms_to_ticks_ceil32(SLICE_SIZE) + 1)

    if expected_slice_max == expected_slice_min:
        expected_slice_max = expected_slice_min + 1

    while True:
        tdelta, elapsed_slice = k_uptime_delta(elapsed_slice)
        TC_PRINT("%c", thread_parameter)
        zassert_true((tdelta >= expected_slice_min) and (tdelta <= expected_slice_max)
                     and (idx == thread_idx))
        thread_idx = (thread_idx + 1) % NUM_THREAD

        spin_for_ms(BUSY_MS)
        k_sem_give(sema1)


if IS_ENABLED("CONFIG_TIMESLICING"):

    @ZTEST("threads_scheduling")
    def test_slice_scheduling():
        global thread_idx, elapsed_slice
        tid = [None] * NUM_THREAD
        old_prio = k_thread_priority_get(k_current_get())
        count = 0

        thread_idx = 0

        k_sched_time_slice_set(0, K_PRIO_PREEMPT(0))

        k_thread_priority_set(k_current_get(), K_PRIO_PREEMPT(BASE_PRIORITY))

        for i in range(NUM_THREAD):
            tid[i] = k_thread_create(t[i], tstacks[i], STACK_SIZE, thread_tslice, i, None, None,
                                     K_PRIO_PREEMPT(BASE_PRIORITY), 0, K_NO_WAIT)

        k_sched_time_slice_set(SLICE_SIZE, K_PRIO_PREEMPT(BASE_PRIORITY))

        while count < ITRERATION_COUNT:
            _, elapsed_slice = k_uptime_delta(elapsed_slice)

            spin_for_ms(BUSY_MS)

            for _ in range(NUM_THREAD):
                k_sem_take(sema1, K_FOREVER)
            count += 1

        for i in range(NUM_THREAD):
            k_thread_abort(tid[i])

        k_sched_time_slice_set(0, K_PRIO_PREEMPT(0))

        k_thread_priority_set(k_current_get(), old_prio)

    perthread_count = 0
    last_cyc = 0
    perthread_running = False
    perthread_sem = K_SEM_DEFINE("perthread_sem", 0, 1)

    def slice_expired(thread, data):
        global perthread_count, last_cyc, perthread_running
        zassert_equal(thread, data, "wrong callback data pointer")

        now = k_cycle_get_32()
        dt = k_cyc_to_ticks_near32(now - last_cyc)

        zassert_true(perthread_running, "thread didn't start")
        zassert_true(dt >= PERTHREAD_SLICE_TICKS - TICK_SLOP,
                     "slice expired >%d ticks too soon (dt=%d)", TICK_SLOP, dt)
        zassert_true((dt - PERTHREAD_SLICE_TICKS) <= TICK_SLOP,
                     "slice expired >%d ticks late (dt=%d)", TICK_SLOP, dt)

        last_cyc = now

        perthread_count += 1
        if perthread_count - 1 != 0:
            k_thread_abort(thread)
            perthread_running = False
            k_sem_give(perthread_sem)

    def slice_perthread_fn(a, b, c):
        global perthread_running
        while True:
            perthread_running = True
            k_busy_wait(10)

    @ZTEST("threads_scheduling")
    def test_slice_perthread():
        global last_cyc
        if not IS_ENABLED("CONFIG_TIMESLICE_PER_THREAD"):
            ztest_test_skip()
            return

        k_thread_create(t[0], tstacks[0], STACK_SIZE, slice_perthread_fn, None, None, None, 1,
                        0, K_FOREVER)
        k_thread_time_slice_set(t[0], PERTHREAD_SLICE_TICKS, slice_expired, t[0])

        k_usleep(1)
        last_cyc = k_cycle_get_32()
        k_thread_start(t[0])

        k_sem_take(perthread_sem, K_FOREVER)
        zassert_false(perthread_running, "thread failed to suspend")

else:

    @ZTEST("threads_scheduling")
    def test_slice_scheduling():
        ztest_test_skip()

    @ZTEST("threads_scheduling")
    def test_slice_perthread():
        ztest_test_skip()
