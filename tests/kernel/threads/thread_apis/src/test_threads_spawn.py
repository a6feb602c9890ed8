"""Zephyr's tests/kernel/threads/thread_apis/src/test_threads_spawn.c."""

from zpy.kernel import (
    K_FOREVER,
    K_HIGHEST_THREAD_PRIO,
    K_MSEC,
    K_NO_WAIT,
    K_USER,
    k_current_get,
    k_msleep,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_thread_start,
    k_yield,
)
from zpy.ztest import ZTEST, ZTEST_USER, zassert_equal, zassert_false, zassert_true

from .tests_thread_apis import STACK_SIZE, tdata, tstack

tp1 = bytearray(8)
tp2 = 100
tp3 = None  # struct k_sema *, never set: NULL
spawn_prio = 0


def thread_entry_params(p1, p2, p3):
    zassert_equal(p1, tp1)
    zassert_equal(p2, tp2)
    zassert_equal(p3, tp3)


def thread_entry_priority(p1, p2, p3):
    zassert_equal(k_thread_priority_get(k_current_get()), spawn_prio)


def thread_entry_delay(p1, p2, p3):
    global tp2
    tp2 = 100


@ZTEST_USER("threads_lifecycle")
def test_threads_spawn_params():
    k_thread_create(tdata, tstack, STACK_SIZE, thread_entry_params, tp1, tp2, tp3, 0, K_USER,
                    K_NO_WAIT)
    k_msleep(100)


@ZTEST("threads_lifecycle")
def test_threads_spawn_priority():
    global spawn_prio
    spawn_prio = k_thread_priority_get(k_current_get()) - 1
    k_thread_create(tdata, tstack, STACK_SIZE, thread_entry_priority, None, None, None,
                    spawn_prio, K_USER, K_NO_WAIT)
    k_msleep(100)


@ZTEST_USER("threads_lifecycle")
def test_threads_spawn_delay():
    global tp2
    tp2 = 10
    k_thread_create(tdata, tstack, STACK_SIZE, thread_entry_delay, None, None, None, 0, K_USER,
                    K_MSEC(120))
    k_msleep(100)
    zassert_true(tp2 == 10)
    k_msleep(100)
    zassert_true(tp2 == 100)


@ZTEST("threads_lifecycle")
def test_threads_spawn_forever():
    global tp2
    tp2 = 10
    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry_delay, None, None, None,
                          K_HIGHEST_THREAD_PRIO, K_USER, K_FOREVER)
    k_yield()
    zassert_true(tp2 == 10)
    k_thread_start(tid)
    k_yield()
    zassert_true(tp2 == 100)
    k_thread_abort(tid)


@ZTEST("threads_lifecycle")
def test_thread_start():
    global tp2
    tp2 = 5

    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry_delay, None, None, None,
                          K_HIGHEST_THREAD_PRIO, K_USER, K_FOREVER)

    k_thread_start(tid)
    k_yield()
    zassert_true(tp2 == 100)

    tp2 = 50
    k_thread_start(tid)
    k_yield()
    zassert_false(tp2 == 100)


def user_start_thread(p1, p2, p3):
    global tp2
    tp2 = 100  # C: *(int *)p1 = 100, where p1 is &tp2 (a Python int has no address)


@ZTEST_USER("threads_lifecycle")
def test_thread_start_user():
    global tp2
    tp2 = 5

    tid = k_thread_create(tdata, tstack, STACK_SIZE, user_start_thread, None, None, None, 0,
                          K_USER, K_FOREVER)

    k_thread_start(tid)
    k_msleep(100)
    zassert_true(tp2 == 100)
    k_thread_abort(tid)
