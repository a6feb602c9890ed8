"""Zephyr's tests/kernel/sched/schedule_api/src/test_sched_timeslice_and_lock.c."""

from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_COOP,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    k_busy_wait,
    k_current_get,
    k_msleep,
    k_sched_lock,
    k_sched_time_slice_set,
    k_sched_unlock,
    k_sem_give,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    k_timer,
    k_timer_init,
    k_timer_start,
    k_wakeup,
    k_yield,
)
from zpy.ztest import ZTEST, zassert_false, zassert_true, ztest_test_skip

from .main import tstack, tstacks
from .test_sched import MAX_NUM_THREAD, STACK_SIZE, thread_data

THREADS_NUM = 3
DURATION = K_MSEC(1)
assert THREADS_NUM <= MAX_NUM_THREAD

tdata = [thread_data() for _ in range(THREADS_NUM)]
tthread = [k_thread() for _ in range(THREADS_NUM)]
old_prio = 0
init_prio = 0

t = k_thread()

pend_sema = K_SEM_DEFINE("pend_sema", 0, 1)
timer_sema = K_SEM_DEFINE("timer_sema", 0, 1)
th_wakeup_timer = k_timer()


def thread_entry(p1, p2, p3):
    sleep_ms = p2

    if sleep_ms > 0:
        k_msleep(sleep_ms)

    tnum = p1

    tdata[tnum].executed = 1


def setup_threads():
    global old_prio
    old_prio = k_thread_priority_get(k_current_get())
    for i in range(THREADS_NUM):
        if i == 0:
            tdata[i].priority = init_prio - 1
        elif i == 1:
            tdata[i].priority = init_prio
        else:
            tdata[i].priority = init_prio + 1
        tdata[i].executed = 0
    k_thread_priority_set(k_current_get(), init_prio)


def spawn_threads(sleep_sec):
    for i in range(THREADS_NUM):
        tdata[i].tid = k_thread_create(tthread[i], tstacks[i], STACK_SIZE, thread_entry, i,
                                       sleep_sec, None, tdata[i].priority, 0, K_NO_WAIT)


def teardown_threads():
    for i in range(THREADS_NUM):
        k_thread_abort(tdata[i].tid)
    k_thread_priority_set(k_current_get(), old_prio)


def timer_handler(timer):
    k_sem_give(timer_sema)


def thread_handler(p1, p2, p3):
    k_timer_init(th_wakeup_timer, timer_handler, None)
    k_timer_start(th_wakeup_timer, DURATION, K_NO_WAIT)


@ZTEST("threads_scheduling")
def test_yield_cooperative():
    global init_prio
    init_prio = -1
    setup_threads()

    spawn_threads(0)
    k_yield()
    zassert_true(tdata[0].executed == 1)
    zassert_true(tdata[1].executed == 1)
    for i in range(2, THREADS_NUM):
        zassert_true(tdata[i].executed == 0)
    teardown_threads()


@ZTEST("threads_scheduling")
def test_sleep_cooperative():
    global init_prio
    init_prio = -1
    setup_threads()

    spawn_threads(0)
    k_sleep(K_MSEC(100))
    for i in range(THREADS_NUM):
        zassert_true(tdata[i].executed == 1)

    teardown_threads()


@ZTEST("threads_scheduling")
def test_busy_wait_cooperative():
    global init_prio
    init_prio = -1
    setup_threads()

    spawn_threads(0)
    k_busy_wait(100000)
    for i in range(THREADS_NUM):
        zassert_true(tdata[i].executed == 0)
    teardown_threads()


@ZTEST("threads_scheduling")
def test_sleep_wakeup_preemptible():
    global init_prio
    init_prio = 0
    setup_threads()

    spawn_threads(10 * 1000)
    for i in range(THREADS_NUM):
        zassert_true(tdata[i].executed == 0)
    k_wakeup(tdata[0].tid)
    zassert_true(tdata[0].executed == 1)
    teardown_threads()


executed = 0


def coop_thread(p1, p2, p3):
    global executed
    k_sem_take(pend_sema, K_MSEC(100))
    executed = 1


@ZTEST("threads_scheduling")
def test_pending_thread_wakeup():
    k_thread_priority_set(k_current_get(), K_PRIO_PREEMPT(1))

    tid = k_thread_create(t, tstack, STACK_SIZE, coop_thread, None, None, None, K_PRIO_COOP(1),
                          0, K_NO_WAIT)

    zassert_false(executed == 1, "The thread didn't wait for semaphore acquisition")

    k_wakeup(tid)

    zassert_true(executed != 1, "k_wakeup woke up a pending thread!")

    k_thread_abort(tid)


@ZTEST("threads_scheduling")
def test_time_slicing_preemptible():
    global init_prio
    if IS_ENABLED("CONFIG_TIMESLICING"):
        init_prio = 0
        setup_threads()

        k_sched_time_slice_set(200, 0)
        spawn_threads(0)
        zassert_true(tdata[0].executed == 1)
        k_busy_wait(500000)
        zassert_true(tdata[1].executed == 1)
        for i in range(2, THREADS_NUM):
            zassert_true(tdata[i].executed == 0)

        k_sched_time_slice_set(0, 0)
        teardown_threads()
    else:
        ztest_test_skip()


@ZTEST("threads_scheduling")
def test_time_slicing_disable_preemptible():
    global init_prio
    if IS_ENABLED("CONFIG_TIMESLICING"):
        init_prio = 0
        setup_threads()

        spawn_threads(0)
        zassert_true(tdata[0].executed == 1)
        k_busy_wait(500000)
        zassert_true(tdata[1].executed == 0)
        for i in range(2, THREADS_NUM):
            zassert_true(tdata[i].executed == 0)
        teardown_threads()
    else:
        ztest_test_skip()


@ZTEST("threads_scheduling")
def test_lock_preemptible():
    global init_prio
    init_prio = 0
    setup_threads()

    k_sched_lock()
    spawn_threads(0)
    k_busy_wait(100000)
    for i in range(THREADS_NUM):
        zassert_true(tdata[i].executed == 0)
    k_sleep(K_MSEC(100))
    for i in range(THREADS_NUM):
        zassert_true(tdata[i].executed == 1)
    teardown_threads()


@ZTEST("threads_scheduling")
def test_unlock_preemptible():
    global init_prio
    init_prio = 0
    setup_threads()

    k_sched_lock()
    spawn_threads(0)
    k_busy_wait(100000)

    k_sched_unlock()

    k_yield()

    zassert_true(tdata[0].executed == 1)
    zassert_true(tdata[1].executed == 1)
    zassert_true(tdata[2].executed == 0)

    teardown_threads()


@ZTEST("threads_scheduling")
def test_unlock_nested_sched_lock():
    global init_prio
    init_prio = 0
    setup_threads()

    k_sched_lock()
    k_sched_lock()

    spawn_threads(0)

    k_busy_wait(100000)

    k_sched_unlock()

    for i in range(THREADS_NUM):
        zassert_true(tdata[i].executed == 0)

    k_sched_unlock()

    k_yield()

    zassert_true(tdata[0].executed == 1)
    zassert_true(tdata[1].executed == 1)
    zassert_true(tdata[2].executed == 0)

    teardown_threads()


@ZTEST("threads_scheduling")
def test_wakeup_expired_timer_thread():
    tid = k_thread_create(tthread[0], tstack, STACK_SIZE, thread_handler, None, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
    k_sem_take(timer_sema, K_FOREVER)
    k_wakeup(tid)
    k_thread_abort(tid)
