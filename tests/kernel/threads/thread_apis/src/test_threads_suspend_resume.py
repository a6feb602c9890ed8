"""Zephyr's tests/kernel/threads/thread_apis/src/test_threads_suspend_resume.c."""

from zpy.kernel import (
    K_NO_WAIT,
    K_USER,
    k_current_get,
    k_msleep,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    k_thread_resume,
    k_thread_state_str,
    k_thread_suspend,
)
from zpy.ztest import ZTEST, ZTEST_USER, zassert_false, zassert_str_equal, zassert_true

from .tests_thread_apis import STACK_SIZE, tdata, tstack

last_prio = 0


def thread_entry(p1, p2, p3):
    global last_prio
    last_prio = k_thread_priority_get(k_current_get())


def threads_suspend_resume(prio):
    global last_prio
    last_prio = prio
    k_thread_priority_set(k_current_get(), last_prio)

    create_prio = last_prio + 1

    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None,
                          create_prio, K_USER, K_NO_WAIT)
    k_thread_suspend(tid)
    k_msleep(100)
    zassert_false(last_prio == create_prio)
    k_thread_resume(tid)
    k_msleep(100)
    zassert_true(last_prio == create_prio)


@ZTEST("threads_lifecycle_1cpu")
def test_threads_suspend_resume_cooperative():
    threads_suspend_resume(-2)


@ZTEST_USER("threads_lifecycle")
def test_threads_suspend_resume_preemptible():
    threads_suspend_resume(1)


after_suspend = False


def suspend_myself(arg0, arg1, arg2):
    global after_suspend
    k_thread_suspend(k_current_get())
    after_suspend = True


@ZTEST("threads_lifecycle")
def test_threads_suspend():
    global after_suspend
    after_suspend = False

    tid = k_thread_create(tdata, tstack, STACK_SIZE, suspend_myself, None, None, None, 0,
                          K_USER, K_NO_WAIT)

    k_msleep(100)
    zassert_false(after_suspend, "thread woke up unexpectedly")

    k_thread_abort(tid)


def sleep_suspended(arg0, arg1, arg2):
    global after_suspend
    k_msleep(100)
    after_suspend = True


@ZTEST("threads_lifecycle")
def test_threads_suspend_timeout():
    global after_suspend
    after_suspend = False

    tid = k_thread_create(tdata, tstack, STACK_SIZE, sleep_suspended, None, None, None, 0,
                          K_USER, K_NO_WAIT)

    k_msleep(50)
    k_thread_suspend(tid)

    k_msleep(200)
    zassert_false(after_suspend, "thread woke up unexpectedly")

    k_thread_abort(tid)


@ZTEST("threads_lifecycle")
def test_resume_unsuspend_thread():
    buffer = bytearray(32)
    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None, 0, K_USER,
                          K_NO_WAIT)

    str = k_thread_state_str(tid, buffer, len(buffer))
    zassert_str_equal(str, "queued")
    k_thread_resume(tid)
    str = k_thread_state_str(tid, buffer, len(buffer))
    zassert_str_equal(str, "queued")

    k_thread_suspend(tid)
    str = k_thread_state_str(tid, buffer, len(buffer))
    zassert_str_equal(str, "suspended")

    k_thread_resume(tid)
    str = k_thread_state_str(tid, buffer, len(buffer))
    zassert_str_equal(str, "queued")
    k_thread_abort(tid)
