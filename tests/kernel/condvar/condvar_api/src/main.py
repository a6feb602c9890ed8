# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/condvar/condvar_api (src/main.c), ported line by line."""

from zpy import errno
from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE, CONFIG_ZTEST_THREAD_PRIORITY
from zpy.kernel import (
    K_FOREVER,
    K_INHERIT_PERMS,
    K_MSEC,
    K_MUTEX_DEFINE,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    K_TICKS,
    K_TICKS_FOREVER,
    K_USER,
    irq_offload,
    k_condvar,
    k_condvar_broadcast,
    k_condvar_init,
    k_condvar_signal,
    k_condvar_wait,
    k_current_get,
    k_ms_to_ticks_ceil32,
    k_msleep,
    k_mutex_init,
    k_mutex_lock,
    k_mutex_unlock,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_access_grant,
    k_thread_create,
    k_thread_join,
    k_yield,
    printk,
)
from zpy.ztest import ZTEST, ZTEST_SUITE, ZTEST_USER, zassert_equal, zassert_false, zassert_true

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE

PRIO_WAIT = CONFIG_ZTEST_THREAD_PRIORITY + 2
PRIO_WAKE = CONFIG_ZTEST_THREAD_PRIORITY + 1

stack_1 = K_THREAD_STACK_DEFINE("stack_1", STACK_SIZE)
condvar_wake_stack = K_THREAD_STACK_DEFINE("condvar_wake_stack", STACK_SIZE)

condvar_tid = k_thread()
condvar_wake_tid = k_thread()

simple_condvar = k_condvar()
test_mutex = K_MUTEX_DEFINE("test_mutex")

TOTAL_THREADS_WAITING = 3
TCOUNT = 10
COUNT_LIMIT = 12

# the C ints the threads get pointers to (&woken, &timeout) are one-element lists
woken = [0]
timeout = [0]
index = [0] * TOTAL_THREADS_WAITING
count = 0

multiple_condvar = [k_condvar() for _ in range(TOTAL_THREADS_WAITING)]

multiple_tid = [k_thread() for _ in range(TOTAL_THREADS_WAITING)]
multiple_wake_tid = [k_thread() for _ in range(TOTAL_THREADS_WAITING)]
multiple_stack = [K_THREAD_STACK_DEFINE("multiple_stack", STACK_SIZE)
                  for _ in range(TOTAL_THREADS_WAITING)]
multiple_wake_stack = [K_THREAD_STACK_DEFINE("multiple_wake_stack", STACK_SIZE)
                       for _ in range(TOTAL_THREADS_WAITING)]


def condvar_isr_wake(condvar):
    k_condvar_signal(condvar)


def condvar_wake_from_isr(condvar):
    irq_offload(condvar_isr_wake, condvar)


def condvar_wait_task(p1, p2, p3):
    time_val = p1[0]

    k_condvar_init(simple_condvar)
    zassert_true(time_val >= K_TICKS_FOREVER, "invalid timeout parameter")

    k_mutex_lock(test_mutex, K_FOREVER)
    ret_value = k_condvar_wait(simple_condvar, test_mutex, K_TICKS(time_val))

    if time_val == K_TICKS_FOREVER:
        zassert_true(ret_value == 0, "k_condvar_wait failed when it shouldn't have")
        zassert_false(ret_value == 0, "condvar wait task wakeup when it shouldn't have")
    elif time_val == 0:
        zassert_true(ret_value == -errno.EAGAIN, "k_condvar_wait failed when it shouldn't have")
    else:
        zassert_true(ret_value == -errno.EAGAIN,
                     "k_condvar_wait failed when it shouldn't have: %d", ret_value)

    k_mutex_unlock(test_mutex)


def condvar_wake_task(p1, p2, p3):
    ret_value = k_condvar_signal(simple_condvar)
    zassert_equal(ret_value, 0, "k_condvar_wake failed when it shouldn't have (%d!=%d)",
                  ret_value, 0)


def condvar_wake_multiple(p1, p2, p3):
    woken_num = p1[0]

    ret_value = k_condvar_broadcast(simple_condvar)
    zassert_true(ret_value == woken_num,
                 "k_condvar_wake failed when it shouldn't have (%d!=%d)", ret_value, woken_num)


def condvar_wait_wake_task(p1, p2, p3):
    time_val = p1[0]

    zassert_true(time_val >= K_TICKS_FOREVER, "invalid timeout parameter")
    k_condvar_init(simple_condvar)
    k_mutex_lock(test_mutex, K_FOREVER)
    ret_value = k_condvar_wait(simple_condvar, test_mutex, K_TICKS(time_val))

    if time_val == K_TICKS_FOREVER:
        zassert_true(ret_value == 0, "k_condvar_wait failed when it shouldn't have")
    elif time_val == 0:
        zassert_true(ret_value == -errno.EAGAIN, "k_condvar_wait failed when it shouldn't have")
    else:
        zassert_true(ret_value == 0, "k_condvar_wait failed when it shouldn't have")

    k_mutex_unlock(test_mutex)


@ZTEST_USER("condvar_tests")
def test_condvar_wait_forever_wake():
    woken[0] = 1
    timeout[0] = K_TICKS_FOREVER

    k_thread_create(condvar_tid, stack_1, STACK_SIZE, condvar_wait_wake_task, timeout, None,
                    None, PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_create(condvar_wake_tid, condvar_wake_stack, STACK_SIZE, condvar_wake_task, woken,
                    None, None, PRIO_WAKE, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_abort(condvar_wake_tid)
    k_thread_abort(condvar_tid)


@ZTEST_USER("condvar_tests")
def test_condvar_wait_timeout_wake():
    woken[0] = 1
    timeout[0] = k_ms_to_ticks_ceil32(100)

    k_thread_create(condvar_tid, stack_1, STACK_SIZE, condvar_wait_wake_task, timeout, None,
                    None, PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_create(condvar_wake_tid, condvar_wake_stack, STACK_SIZE, condvar_wake_task, woken,
                    None, None, PRIO_WAKE, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_abort(condvar_wake_tid)
    k_thread_abort(condvar_tid)


@ZTEST_USER("condvar_tests")
def test_condvar_wait_timeout():
    timeout[0] = k_ms_to_ticks_ceil32(50)

    k_thread_create(condvar_tid, stack_1, STACK_SIZE, condvar_wait_task, timeout, None, None,
                    PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_sleep(K_MSEC(100))

    k_thread_abort(condvar_tid)


@ZTEST_USER("condvar_tests")
def test_condvar_wait_forever():
    timeout[0] = K_TICKS_FOREVER

    k_thread_create(condvar_tid, stack_1, STACK_SIZE, condvar_wait_task, timeout, None, None,
                    PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_abort(condvar_tid)


@ZTEST_USER("condvar_tests")
def test_condvar_wait_nowait():
    timeout[0] = 0

    k_thread_create(condvar_tid, stack_1, STACK_SIZE, condvar_wait_task, timeout, None, None,
                    PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_sleep(K_MSEC(100))

    k_thread_abort(condvar_tid)


@ZTEST_USER("condvar_tests")
def test_condvar_wait_nowait_wake():
    woken[0] = 0
    timeout[0] = 0

    k_thread_create(condvar_tid, stack_1, STACK_SIZE, condvar_wait_wake_task, timeout, None,
                    None, PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_sleep(K_MSEC(100))

    k_thread_create(condvar_wake_tid, condvar_wake_stack, STACK_SIZE, condvar_wake_task, woken,
                    None, None, PRIO_WAKE, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_abort(condvar_wake_tid)
    k_thread_abort(condvar_tid)


@ZTEST("condvar_tests")
def test_condvar_wait_forever_wake_from_isr():
    timeout[0] = K_TICKS_FOREVER

    k_thread_create(condvar_tid, stack_1, STACK_SIZE, condvar_wait_wake_task, timeout, None,
                    None, PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    condvar_wake_from_isr(simple_condvar)

    k_yield()

    k_thread_abort(condvar_tid)


@ZTEST_USER("condvar_tests")
def test_condvar_multiple_threads_wait_wake():
    timeout[0] = K_TICKS_FOREVER
    woken[0] = TOTAL_THREADS_WAITING

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_create(multiple_tid[i], multiple_stack[i], STACK_SIZE, condvar_wait_wake_task,
                        timeout, None, None, PRIO_WAIT, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_create(condvar_wake_tid, condvar_wake_stack, STACK_SIZE, condvar_wake_multiple,
                    woken, None, None, PRIO_WAKE, K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    k_thread_abort(condvar_wake_tid)
    for i in range(TOTAL_THREADS_WAITING):
        k_thread_abort(multiple_tid[i])


def condvar_multiple_wait_wake_task(p1, p2, p3):
    time_val = p1[0]
    idx = p2

    k_condvar_init(multiple_condvar[idx])

    zassert_true(time_val == K_TICKS_FOREVER, "invalid timeout parameter")
    k_mutex_lock(test_mutex, K_FOREVER)

    ret_value = k_condvar_wait(multiple_condvar[idx], test_mutex, K_TICKS(time_val))
    zassert_true(ret_value == 0, "k_condvar_wait failed when it shouldn't have")

    k_mutex_unlock(test_mutex)


def condvar_multiple_wake_task(p1, p2, p3):
    woken_num = p1[0]
    idx = p2

    zassert_true(woken_num > 0, "invalid woken number")

    if woken[0] > 1:
        ret_value = k_condvar_signal(multiple_condvar[idx])
    else:
        ret_value = k_condvar_broadcast(multiple_condvar[idx])

    zassert_true(ret_value == woken_num, "k_condvar_wake failed when it shouldn't have")


@ZTEST_USER("condvar_tests")
def test_multiple_condvar_wait_wake():
    woken[0] = 1
    timeout[0] = K_TICKS_FOREVER

    for i in range(TOTAL_THREADS_WAITING):
        index[i] = i

        k_thread_create(multiple_tid[i], multiple_stack[i], STACK_SIZE,
                        condvar_multiple_wait_wake_task, timeout, index[i], None, PRIO_WAIT,
                        K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_msleep(10)

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_create(multiple_wake_tid[i], multiple_wake_stack[i], STACK_SIZE,
                        condvar_multiple_wake_task, woken, index[i], None, PRIO_WAKE,
                        K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_yield()

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_abort(multiple_tid[i])
        k_thread_abort(multiple_wake_tid[i])


def inc_count(p1, p2, p3):
    global count
    multi = p2

    for _i in range(TCOUNT):
        k_mutex_lock(test_mutex, K_FOREVER)
        count += 1

        if count == COUNT_LIMIT:
            if multi:
                k_condvar_broadcast(simple_condvar)
            else:
                k_condvar_signal(simple_condvar)

        k_mutex_unlock(test_mutex)

        k_sleep(K_MSEC(50))


def watch_count(p1, p2, p3):
    global count
    my_id = p1

    printk("Starting %s: thread %ld\n", "watch_count", my_id)

    k_mutex_lock(test_mutex, K_FOREVER)
    while count < COUNT_LIMIT:
        k_condvar_wait(simple_condvar, test_mutex, K_FOREVER)
    count += 125
    k_mutex_unlock(test_mutex)


def _condvar_usecase(multi):
    global count
    t1, t2, t3 = 1, 2, 3

    count = 0

    k_mutex_init(test_mutex)

    k_thread_create(multiple_tid[0], multiple_stack[0], STACK_SIZE, watch_count, t1, None, None,
                    K_PRIO_PREEMPT(10), K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_thread_create(multiple_tid[1], multiple_stack[1], STACK_SIZE, inc_count, t2, multi, None,
                    K_PRIO_PREEMPT(10), K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_thread_create(multiple_tid[2], multiple_stack[2], STACK_SIZE, inc_count, t3, multi, None,
                    K_PRIO_PREEMPT(10), K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    for i in range(3):
        k_thread_join(multiple_tid[i], K_FOREVER)

    zassert_equal(count, 145, "Count not equal to 145")


@ZTEST_USER("condvar_tests")
def test_condvar_usecase_signal():
    _condvar_usecase(0)


@ZTEST_USER("condvar_tests")
def test_condvar_usecase_broadcast():
    _condvar_usecase(1)


def condvar_tests_setup():
    k_thread_access_grant(k_current_get(), test_mutex, condvar_tid, condvar_wake_tid,
                          simple_condvar, stack_1, condvar_wake_stack)

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_access_grant(k_current_get(), multiple_tid[i], multiple_wake_tid[i],
                              multiple_stack[i], multiple_condvar[i], multiple_wake_stack[i])
    return None


ZTEST_SUITE("condvar_tests", None, condvar_tests_setup, None, None, None)
