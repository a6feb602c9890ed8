"""Zephyr's tests/kernel/sched/schedule_api/src/test_sched_priority.c."""

from zpy.kernel import (
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    k_current_get,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    k_usleep,
)
from zpy.ztest import ZTEST, zassert_false, zassert_true

from .main import tstack, tstacks
from .test_sched import STACK_SIZE

THREAD_NUM = 4

tdata_prio = [k_thread() for _ in range(THREAD_NUM)]
tdata = k_thread()
last_prio = 0
tid_num = [0] * 4
sync_sema = k_sem()
_i = 0


def thread_entry(p1, p2, p3):
    global last_prio
    last_prio = k_thread_priority_get(k_current_get())


def thread_entry_prio(p1, p2, p3):
    global _i
    k_sem_take(sync_sema, K_MSEC(100))

    tid_num[_i] = p1
    _i += 1


@ZTEST("threads_scheduling")
def test_priority_cooperative():
    global last_prio
    old_prio = k_thread_priority_get(k_current_get())

    last_prio = -1
    k_thread_priority_set(k_current_get(), last_prio)

    spawn_prio = last_prio - 1

    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None,
                          spawn_prio, 0, K_NO_WAIT)
    zassert_true(last_prio == k_thread_priority_get(k_current_get()))
    k_sleep(K_MSEC(100))
    zassert_true(last_prio == spawn_prio)
    k_thread_abort(tid)

    k_thread_priority_set(k_current_get(), old_prio)


@ZTEST("threads_scheduling")
def test_priority_preemptible():
    global last_prio
    old_prio = k_thread_priority_get(k_current_get())

    last_prio = 2
    k_thread_priority_set(k_current_get(), last_prio)

    spawn_prio = last_prio - 1

    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None,
                          spawn_prio, 0, K_NO_WAIT)
    zassert_true(last_prio == spawn_prio)

    k_sleep(K_MSEC(100))
    k_thread_abort(tid)

    spawn_prio = last_prio + 1
    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None,
                          spawn_prio, 0, K_NO_WAIT)
    zassert_false(last_prio == spawn_prio)
    k_thread_abort(tid)

    k_thread_priority_set(k_current_get(), old_prio)


@ZTEST("threads_scheduling_1cpu")
def test_priority_preemptible_wait_prio():
    global last_prio
    old_prio = k_thread_priority_get(k_current_get())
    tid = [None] * THREAD_NUM
    tid_chk = [0, 1, 2, 3]

    k_sem_init(sync_sema, 0, THREAD_NUM)

    k_usleep(1)

    last_prio = K_PRIO_PREEMPT(2)
    k_thread_priority_set(k_current_get(), last_prio)

    tid[0] = k_thread_create(tdata_prio[0], tstacks[0], STACK_SIZE, thread_entry_prio, 0,
                             None, None, K_PRIO_PREEMPT(0), 0, K_MSEC(10))
    tid[1] = k_thread_create(tdata_prio[1], tstacks[1], STACK_SIZE, thread_entry_prio, 1,
                             None, None, K_PRIO_PREEMPT(0), 0, K_MSEC(20))
    tid[2] = k_thread_create(tdata_prio[2], tstacks[2], STACK_SIZE, thread_entry_prio, 2,
                             None, None, K_PRIO_PREEMPT(1), 0, K_MSEC(10))
    tid[3] = k_thread_create(tdata_prio[3], tstacks[3], STACK_SIZE, thread_entry_prio, 3,
                             None, None, K_PRIO_PREEMPT(1), 0, K_MSEC(20))

    k_sleep(K_MSEC(30))

    for _ in range(THREAD_NUM):
        k_sem_give(sync_sema)

    zassert_true(tid_num == tid_chk, "scheduling priority failed")

    for i in range(THREAD_NUM):
        k_thread_abort(tid[i])

    k_thread_priority_set(k_current_get(), old_prio)
