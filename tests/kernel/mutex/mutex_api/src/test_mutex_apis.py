# SPDX-License-Identifier: Apache-2.0
"""Zephyr's mutex API tests (tests/kernel/mutex/mutex_api/src/test_mutex_apis.c), line by line."""

from zpy import errno
from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE, CONFIG_TEST_MUTEX_API_THREAD_CREATE_TICKS
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_HIGHEST_THREAD_PRIO,
    K_INHERIT_PERMS,
    K_MSEC,
    K_MUTEX_DEFINE,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    K_THREAD_STACK_SIZEOF,
    K_TICKS,
    K_TIMEOUT_ABS_TICKS,
    K_USER,
    k_current_get,
    k_msleep,
    k_mutex,
    k_mutex_init,
    k_mutex_lock,
    k_mutex_unlock,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_access_grant,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    k_uptime_ticks,
)
from zpy.ztest import (
    TC_FAIL,
    TC_PASS,
    TC_PRINT,
    ZTEST,
    ZTEST_SUITE,
    ZTEST_USER,
    zassert_equal,
    zassert_false,
    zassert_true,
    ztest_simple_1cpu_after,
    ztest_simple_1cpu_before,
)

TIMEOUT = 500
STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
THREAD_HIGH_PRIORITY = 1
THREAD_MID_PRIORITY = 3
THREAD_LOW_PRIORITY = 5

# which case the threads run
case_type = 0
thread_ret = TC_FAIL

# one mutex from K_MUTEX_DEFINE, one from k_mutex_init
kmutex = K_MUTEX_DEFINE("kmutex")
tmutex = k_mutex()

tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tstack2 = K_THREAD_STACK_DEFINE("tstack2", STACK_SIZE)
tstack3 = K_THREAD_STACK_DEFINE("tstack3", STACK_SIZE)
tdata = k_thread()
tdata2 = k_thread()
tdata3 = k_thread()


def tThread_entry_lock_forever(p1, p2, p3):
    zassert_false(k_mutex_lock(p1, K_FOREVER) == 0,
                  "access locked resource from spawn thread")
    # never reached: the test aborts this thread


def tThread_entry_lock_no_wait(p1, p2, p3):
    zassert_true(k_mutex_lock(p1, K_NO_WAIT) != 0)
    TC_PRINT("bypass locked resource from spawn thread\n")


def tThread_entry_lock_timeout_fail(p1, p2, p3):
    zassert_true(k_mutex_lock(p1, K_MSEC(TIMEOUT - 100)) != 0, None)
    TC_PRINT("bypass locked resource from spawn thread\n")


def tThread_entry_lock_timeout_pass(p1, p2, p3):
    zassert_true(k_mutex_lock(p1, K_MSEC(TIMEOUT + 100)) == 0, None)
    TC_PRINT("access resource from spawn thread\n")
    k_mutex_unlock(p1)


def tmutex_test_lock(pmutex, entry_fn):
    k_mutex_init(pmutex)
    k_thread_create(tdata, tstack, STACK_SIZE,
                    entry_fn, pmutex, None, None,
                    K_PRIO_PREEMPT(0),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)
    zassert_true(k_mutex_lock(pmutex, K_FOREVER) == 0)
    TC_PRINT("access resource from main thread\n")

    # let the other thread try
    k_msleep(TIMEOUT)


def tmutex_test_lock_timeout(pmutex, entry_fn):
    k_mutex_init(pmutex)
    k_thread_create(tdata, tstack, STACK_SIZE,
                    entry_fn, pmutex, None, None,
                    K_PRIO_PREEMPT(0),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)
    zassert_true(k_mutex_lock(pmutex, K_FOREVER) == 0)
    TC_PRINT("access resource from main thread\n")

    # let the other thread try, then give it the mutex
    k_msleep(TIMEOUT)
    k_mutex_unlock(pmutex)
    k_msleep(TIMEOUT)


def tmutex_test_lock_unlock(pmutex):
    k_mutex_init(pmutex)
    zassert_true(k_mutex_lock(pmutex, K_FOREVER) == 0,
                 "fail to lock K_FOREVER")
    k_mutex_unlock(pmutex)
    zassert_true(k_mutex_lock(pmutex, K_NO_WAIT) == 0,
                 "fail to lock K_NO_WAIT")
    k_mutex_unlock(pmutex)
    zassert_true(k_mutex_lock(pmutex, K_MSEC(TIMEOUT)) == 0,
                 "fail to lock TIMEOUT")
    k_mutex_unlock(pmutex)


def tThread_T1_priority_inheritance(p1, p2, p3):
    # t1 takes the mutex first
    zassert_true(k_mutex_lock(p1, K_FOREVER) == 0,
                 "access locked resource from spawn thread T1")

    priority_origin = k_thread_priority_get(p2)

    # give t2 time to wait for it (and lend its priority, or not)
    k_sleep(K_MSEC(500))

    priority = k_thread_priority_get(p2)

    if case_type == 1:
        zassert_equal(priority, THREAD_HIGH_PRIORITY,
                      "priority inheritance not happened!")

        k_mutex_unlock(p1)

        # back to its own priority
        priority = k_thread_priority_get(p2)

        zassert_equal(priority, priority_origin,
                      "priority inheritance adjust back not happened!")
    elif case_type == 2:
        zassert_equal(priority, priority_origin,
                      "priority inheritance should not be happened!")

        # until t2 has given up
        k_sleep(K_MSEC(TIMEOUT))

        k_mutex_unlock(p1)
    elif case_type == 3:
        zassert_equal(priority, THREAD_HIGH_PRIORITY,
                      "priority inheritance not happened!")

        # until t2 has given up
        k_sleep(K_MSEC(TIMEOUT))

        k_mutex_unlock(p1)
    else:
        zassert_true(0, "should not be here!")


def tThread_T2_priority_inheritance(p1, p2, p3):
    if case_type == 1:
        zassert_true(k_mutex_lock(p1, K_FOREVER) == 0,
                     "access locked resource from spawn thread T2")

        k_mutex_unlock(p1)
    elif case_type == 2 or case_type == 3:
        zassert_false(k_mutex_lock(p1, K_MSEC(100)) == 0,
                      "T2 should not get the resource")
    else:
        zassert_true(0, "should not be here!")


def tThread_lock_with_time_period(p1, p2, p3):
    zassert_true(k_mutex_lock(p1, K_FOREVER) == 0,
                 "access locked resource from spawn thread")

    # hold it 600 ms
    k_sleep(K_MSEC(TIMEOUT + 100))

    k_mutex_unlock(p1)


def tThread_waiter(p1, p2, p3):
    global thread_ret
    # waits until the recursive locks are all undone
    zassert_true(k_mutex_lock(p1, K_FOREVER) == 0,
                 "Failed to get the test_mutex")

    thread_ret = TC_PASS
    k_mutex_unlock(p1)


# -- test cases --


@ZTEST_USER("mutex_api_1cpu")
def test_mutex_reent_lock_forever():
    k_mutex_init(tmutex)
    tmutex_test_lock(tmutex, tThread_entry_lock_forever)
    k_thread_abort(tdata)

    tmutex_test_lock(kmutex, tThread_entry_lock_forever)
    k_thread_abort(tdata)


@ZTEST_USER("mutex_api")
def test_mutex_reent_lock_no_wait():
    tmutex_test_lock(tmutex, tThread_entry_lock_no_wait)

    tmutex_test_lock(kmutex, tThread_entry_lock_no_wait)


@ZTEST_USER("mutex_api")
def test_mutex_reent_lock_timeout_fail():
    tmutex_test_lock_timeout(tmutex, tThread_entry_lock_timeout_fail)

    tmutex_test_lock_timeout(kmutex, tThread_entry_lock_no_wait)


@ZTEST_USER("mutex_api_1cpu")
def test_mutex_reent_lock_timeout_pass():
    tmutex_test_lock_timeout(tmutex, tThread_entry_lock_timeout_pass)

    tmutex_test_lock_timeout(kmutex, tThread_entry_lock_no_wait)


@ZTEST_USER("mutex_api_1cpu")
def test_mutex_lock_unlock():
    tmutex_test_lock_unlock(tmutex)

    tmutex_test_lock_unlock(kmutex)


@ZTEST_USER("mutex_api")
def test_mutex_recursive():
    """Relocking an owned mutex succeeds; a waiter gets it only when every lock is undone."""
    global thread_ret
    k_mutex_init(tmutex)

    # nobody owns it: unlocking fails
    zassert_true(k_mutex_unlock(tmutex) == -errno.EINVAL,
                 "fail: mutex has no owner")

    zassert_true(k_mutex_lock(tmutex, K_NO_WAIT) == 0,
                 "Failed to lock mutex")

    # lock it again
    zassert_true(k_mutex_lock(tmutex, K_NO_WAIT) == 0,
                 "Failed to recursively lock mutex")

    thread_ret = TC_FAIL
    k_thread_create(tdata3, tstack3, STACK_SIZE,
                    tThread_waiter, tmutex, None, None,
                    K_PRIO_PREEMPT(12),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    zassert_true(thread_ret == TC_FAIL,
                 "waiter thread should block on the recursively locked mutex")

    zassert_true(k_mutex_unlock(tmutex) == 0, "fail to unlock")

    # one lock left: the waiter still waits
    zassert_true(thread_ret == TC_FAIL,
                 "waiter thread should still block on the locked mutex")

    zassert_true(k_mutex_unlock(tmutex) == 0, "fail to unlock")

    # now it can take it
    k_sleep(K_MSEC(1))

    zassert_true(thread_ret == TC_PASS,
                 "waiter thread can't take the mutex")


@ZTEST_USER("mutex_api_1cpu")
def test_mutex_priority_inheritance():
    """T1 holds the mutex: (1) a higher T2 waits, T1 inherits its priority; (2) a lower T2
    waits, nothing is inherited; (3) T2 > T3 > T1 wait, T2 times out, T3 gets it."""
    global case_type
    # case 1: T1 below T2
    k_mutex_init(tmutex)

    case_type = 1

    # the low-priority holder
    k_thread_create(tdata, tstack, STACK_SIZE,
                    tThread_T1_priority_inheritance,
                    tmutex, tdata, None,
                    K_PRIO_PREEMPT(THREAD_LOW_PRIORITY),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_msleep(TIMEOUT)

    # this thread does not own it
    zassert_true(k_mutex_unlock(tmutex) == -errno.EPERM,
                 "fail: current thread does not own the mutex")

    # the high-priority waiter
    k_thread_create(tdata2, tstack2, STACK_SIZE,
                    tThread_T2_priority_inheritance,
                    tmutex, tdata2, None,
                    K_PRIO_PREEMPT(THREAD_HIGH_PRIORITY),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_msleep(TIMEOUT + 1000)

    # case 2: T1 above T2, no inheritance
    k_mutex_init(tmutex)
    case_type = 2

    k_thread_create(tdata, tstack, STACK_SIZE,
                    tThread_T1_priority_inheritance,
                    tmutex, tdata, None,
                    K_PRIO_PREEMPT(THREAD_HIGH_PRIORITY),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_msleep(TIMEOUT)

    k_thread_create(tdata2, tstack2, STACK_SIZE,
                    tThread_T2_priority_inheritance,
                    tmutex, tdata2, None,
                    K_PRIO_PREEMPT(THREAD_LOW_PRIORITY),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_msleep(TIMEOUT + 1000)

    # case 3: T1 < T3 < T2, T2 times out
    k_mutex_init(tmutex)
    case_type = 3

    k_thread_create(tdata, tstack, STACK_SIZE,
                    tThread_T1_priority_inheritance,
                    tmutex, tdata, None,
                    K_PRIO_PREEMPT(THREAD_LOW_PRIORITY),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_msleep(TIMEOUT)

    k_thread_create(tdata2, tstack2, STACK_SIZE,
                    tThread_T2_priority_inheritance,
                    tmutex, tdata2, None,
                    K_PRIO_PREEMPT(THREAD_HIGH_PRIORITY),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_thread_create(tdata3, tstack3, STACK_SIZE,
                    tThread_lock_with_time_period,
                    tmutex, tdata3, None,
                    K_PRIO_PREEMPT(THREAD_MID_PRIORITY),
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_msleep(TIMEOUT + 1000)


def tThread_mutex_lock_should_fail(p1, p2, p3):
    # C passes the 64-bit timeout in two pointer-sized halves; a Python object needs no split
    mutex = p1
    timeout = p2

    zassert_equal(-errno.EAGAIN, k_mutex_lock(mutex, timeout), None)


@ZTEST("mutex_api_1cpu")
def test_mutex_timeout_race_during_priority_inversion():
    """A high-priority waiter times out, and before it runs again the low-priority owner
    unlocks (no owner left) and drops its priority: the waiter must cope with no owner."""
    helper_prio = k_thread_priority_get(k_current_get()) + 1

    k_mutex_init(tmutex)

    # start on a tick boundary
    k_sleep(K_TICKS(1))

    timeout = K_TIMEOUT_ABS_TICKS(k_uptime_ticks()
                                  + CONFIG_TEST_MUTEX_API_THREAD_CREATE_TICKS)

    k_mutex_lock(tmutex, K_FOREVER)
    k_thread_create(tdata, tstack, K_THREAD_STACK_SIZEOF(tstack),
                    tThread_mutex_lock_should_fail, tmutex, timeout,
                    None, helper_prio,
                    K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_thread_priority_set(k_current_get(), K_HIGHEST_THREAD_PRIO)

    k_sleep(timeout)

    k_mutex_unlock(tmutex)


def mutex_api_tests_setup():
    if IS_ENABLED("CONFIG_USERSPACE"):
        k_thread_access_grant(k_current_get(), tdata, tstack, tdata2,
                              tstack2, tdata3, tstack3, kmutex,
                              tmutex)
    return None


ZTEST_SUITE("mutex_api", None, mutex_api_tests_setup, None, None, None)
ZTEST_SUITE("mutex_api_1cpu", None, mutex_api_tests_setup,
            ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
