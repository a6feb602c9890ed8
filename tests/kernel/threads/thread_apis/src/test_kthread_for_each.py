"""Zephyr's tests/kernel/threads/thread_apis/src/test_kthread_for_each.c."""

from zpy.kernel import (
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    k_msleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_foreach,
    k_thread_foreach_unlocked,
    k_thread_state_str,
)
from zpy.kernel.sched import (
    _THREAD_ABORTING,
    _THREAD_DEAD,
    _THREAD_DUMMY,
    _THREAD_PENDING,
    _THREAD_QUEUED,
    _THREAD_SUSPENDED,
)
from zpy.ztest import TC_PRINT, ZTEST, zassert_str_equal, zassert_true

from .tests_thread_apis import STACK_SIZE, tdata, tstack

SLEEP_MS = 100
TEST_STRING = "TEST"
TEST_STRING_UNLOCKED = "TEST_UNLOCKED"

tcount = 0
thread_flag = False
create_thread = False
in_callback_tid = None

tdata1 = k_thread()
tstack1 = K_THREAD_STACK_DEFINE("tstack1", STACK_SIZE)


def thread_entry(p1, p2, p3):
    k_msleep(SLEEP_MS)


def thread_callback(thread, user_data):
    global thread_flag, tcount
    str = user_data

    if thread is tdata:
        TC_PRINT("%s: Newly added thread found\n", str)
        TC_PRINT("%s: tid: %p, prio: %d\n", str, thread, thread.prio)
        thread_flag = True
    tcount += 1


def thread_callback_unlocked(thread, user_data):
    global create_thread, in_callback_tid, thread_flag, tcount
    str = user_data

    if create_thread:
        in_callback_tid = k_thread_create(tdata1, tstack1, STACK_SIZE, thread_entry, None,
                                          None, None, K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
        create_thread = False

    if thread is tdata:
        TC_PRINT("%s: Newly added thread found\n", str)
        TC_PRINT("%s: tid: %p, prio: %d\n", str, thread, thread.prio)
        thread_flag = True

    if thread is tdata1:
        TC_PRINT("%s: Newly added thread in callback found\n", str)
        TC_PRINT("%s: tid: %p, prio: %d\n", str, thread, thread.prio)
        thread_flag = True
        k_thread_abort(in_callback_tid)
    tcount += 1


@ZTEST("threads_lifecycle_1cpu")
def test_k_thread_foreach():
    global tcount

    k_thread_foreach(thread_callback, TEST_STRING)

    zassert_true(tcount and not thread_flag, "thread_callback() not getting called")
    count = tcount

    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
    k_msleep(1)

    tcount = 0
    k_thread_foreach(thread_callback, TEST_STRING)

    zassert_true((tcount > count) and thread_flag, "thread_callback() not getting called")
    k_thread_abort(tid)


@ZTEST("threads_lifecycle_1cpu")
def test_k_thread_foreach_unlocked():
    global thread_flag, tcount, create_thread

    thread_flag = False
    tcount = 0
    k_thread_foreach_unlocked(thread_callback_unlocked, TEST_STRING_UNLOCKED)

    zassert_true(tcount and not thread_flag, "thread_callback() not getting called")
    count = tcount

    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
    k_msleep(1)

    tcount = 0
    create_thread = True
    k_thread_foreach_unlocked(thread_callback_unlocked, TEST_STRING_UNLOCKED)

    zassert_true((tcount > count) and thread_flag, "thread_callback() not getting called")

    tcount = 0
    k_thread_foreach_unlocked(thread_callback_unlocked, TEST_STRING_UNLOCKED)
    zassert_true((tcount > count) and thread_flag, "thread_callback() not getting called")
    k_thread_abort(tid)


@ZTEST("threads_lifecycle_1cpu")
def test_k_thread_foreach_null_cb():
    k_thread_foreach(None, TEST_STRING)


@ZTEST("threads_lifecycle_1cpu")
def test_k_thread_foreach_unlocked_null_cb():
    k_thread_foreach_unlocked(None, TEST_STRING_UNLOCKED)


@ZTEST("threads_lifecycle_1cpu")
def test_k_thread_state_str():
    state_str = bytearray(32)
    tid = tdata1

    tid.thread_state = 0
    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "")

    tid.thread_state = _THREAD_DUMMY

    str = k_thread_state_str(tid, None, len(state_str))
    zassert_str_equal(str, "")

    str = k_thread_state_str(tid, state_str, 0)
    zassert_str_equal(str, "")

    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "dummy")

    tid.thread_state = _THREAD_PENDING
    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "pending")

    tid.thread_state = _THREAD_DEAD
    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "dead")

    tid.thread_state = _THREAD_SUSPENDED
    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "suspended")

    tid.thread_state = _THREAD_ABORTING
    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "aborting")

    tid.thread_state = _THREAD_QUEUED
    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "queued")

    tid.thread_state = _THREAD_PENDING | _THREAD_SUSPENDED
    str = k_thread_state_str(tid, state_str, len(state_str))
    zassert_str_equal(str, "pending+suspended")
