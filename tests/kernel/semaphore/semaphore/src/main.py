# SPDX-License-Identifier: Apache-2.0
"""Zephyr's semaphore test suite (tests/kernel/semaphore/semaphore/src/main.c), line by line.

Cases left out are named, with why, in ../README.md; each has a one-line note
where it stands in the C file.
"""

from ctypes import Structure, c_int, c_uint32, py_object, sizeof

from zpy import errno
from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_INHERIT_PERMS,
    K_MSEC,
    K_NO_WAIT,
    K_PIPE_DEFINE,
    K_PRIO_PREEMPT,
    K_SECONDS,
    K_SEM_DEFINE,
    K_THREAD_STACK_ARRAY_DEFINE,
    K_THREAD_STACK_DEFINE,
    K_USER,
    arch_num_cpus,
    irq_offload,
    k_busy_wait,
    k_current_get,
    k_pipe_read,
    k_pipe_reset,
    k_pipe_write,
    k_sem,
    k_sem_count_get,
    k_sem_give,
    k_sem_init,
    k_sem_reset,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_access_grant,
    k_thread_create,
    k_thread_join,
    k_thread_start,
    k_uptime_get,
)
from zpy.ztest import (
    ZTEST,
    ZTEST_SUITE,
    ZTEST_USER,
    zassert_equal,
    zassert_false,
    zassert_true,
    ztest_simple_1cpu_after,
    ztest_simple_1cpu_before,
    ztest_test_skip,
)

SEM_INIT_VAL = 0
SEM_MAX_VAL = 10
THREAD_TEST_PRIORITY = 0


def sem_give_from_isr(sema):
    irq_offload(isr_sem_give, sema)


def sem_take_from_isr(sema):
    irq_offload(isr_sem_take, sema)


SEM_TIMEOUT = K_MSEC(100)
STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
TOTAL_THREADS_WAITING = 5


def SEC2MS(s):
    return s * 1000


def QSEC2MS(s):
    return s * 250


def expect_k_sem_take(sem, timeout, exp, str):
    _act = k_sem_take(sem, timeout)
    _exp = exp
    zassert_equal(_act, _exp, str, _act, _exp)


def expect_k_sem_init(sem, init, max, exp, str):
    _act = k_sem_init(sem, init, max)
    _exp = exp
    zassert_equal(_act, _exp, str, _act, _exp)


def expect_k_sem_count_get(sem, exp, str):
    _act = k_sem_count_get(sem)
    _exp = exp
    zassert_equal(_act, _exp, str, _act, _exp)


def expect_k_sem_take_nomsg(sem, timeout, exp):
    expect_k_sem_take(sem, timeout, exp, "k_sem_take incorrect return value: %d != %d")


def expect_k_sem_init_nomsg(sem, init, max, exp):
    expect_k_sem_init(sem, init, max, exp, "k_sem_init incorrect return value: %d != %d")


def expect_k_sem_count_get_nomsg(sem, exp):
    expect_k_sem_count_get(sem, exp, "k_sem_count_get incorrect return value: %u != %u")


# the shared count of the mutual exclusion test
critical_var = 0


class timeout_info(Structure):
    # sema is the k_sem's PyObject pointer: the pipe copies it as C copies a pointer (the
    # semaphores are module objects, alive as long as the image)
    _fields_ = [("timeout", c_uint32), ("sema", py_object)]


# -- kernel objects --
statically_defined_sem = K_SEM_DEFINE("statically_defined_sem", SEM_INIT_VAL, SEM_MAX_VAL)
simple_sem = K_SEM_DEFINE("simple_sem", SEM_INIT_VAL, SEM_MAX_VAL)
low_prio_sem = K_SEM_DEFINE("low_prio_sem", SEM_INIT_VAL, SEM_MAX_VAL)
mid_prio_sem = K_SEM_DEFINE("mid_prio_sem", SEM_INIT_VAL, SEM_MAX_VAL)
high_prio_long_sem = K_SEM_DEFINE("high_prio_long_sem", SEM_INIT_VAL, SEM_MAX_VAL)
high_prio_sem = K_SEM_DEFINE("high_prio_sem", SEM_INIT_VAL, SEM_MAX_VAL)
multiple_thread_sem = K_SEM_DEFINE("multiple_thread_sem", SEM_INIT_VAL, SEM_MAX_VAL)

stack_1 = K_THREAD_STACK_DEFINE("stack_1", STACK_SIZE)
stack_2 = K_THREAD_STACK_DEFINE("stack_2", STACK_SIZE)
stack_3 = K_THREAD_STACK_DEFINE("stack_3", STACK_SIZE)
stack_4 = K_THREAD_STACK_DEFINE("stack_4", STACK_SIZE)
multiple_stack = K_THREAD_STACK_ARRAY_DEFINE("multiple_stack", TOTAL_THREADS_WAITING, STACK_SIZE)
# v4.1's k_pipe_put/k_pipe_get/k_pipe_flush (CONFIG_PIPES) are 4.1's k_pipe_write/
# k_pipe_read/k_pipe_reset here, as Zephyr later converted this file (README.md)
timeout_info_pipe = K_PIPE_DEFINE("timeout_info_pipe",
                                  sizeof(timeout_info) * TOTAL_THREADS_WAITING, 4)

sem_tid_1, sem_tid_2, sem_tid_3, sem_tid_4 = k_thread(), k_thread(), k_thread(), k_thread()
multiple_tid = [k_thread() for _ in range(TOTAL_THREADS_WAITING)]

ksema = K_SEM_DEFINE("ksema", SEM_INIT_VAL, SEM_MAX_VAL)
sema, mut_sem = k_sem(), k_sem()
tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tdata = k_thread()

# -- helpers --


def sem_give_task(p1, p2, p3):
    k_sem_give(p1)


def sem_reset_take_task(p1, p2, p3):
    k_sem_reset(p1)
    zassert_false(k_sem_take(p1, K_FOREVER))


def isr_sem_give(semaphore):
    k_sem_give(semaphore)


def tsema_thread_thread(psem):
    # thread-to-thread hand-over
    tid = k_thread_create(tdata, tstack, STACK_SIZE,
                          sem_give_task, psem, None, None,
                          K_PRIO_PREEMPT(0),
                          K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    expect_k_sem_take_nomsg(psem, K_FOREVER, 0)

    # the next case starts with the helper gone
    k_thread_join(tid, K_FOREVER)


def tsema_thread_isr(psem):
    # ISR-to-thread hand-over
    irq_offload(isr_sem_give, psem)

    expect_k_sem_take_nomsg(psem, K_FOREVER, 0)


def isr_sem_take(semaphore):
    ret = k_sem_take(semaphore, K_NO_WAIT)

    if ret != 0 and ret != -errno.EBUSY:
        zassert_true(False, "incorrect k_sem_take return: %d", ret)


def sem_take_timeout_forever_helper(p1, p2, p3):
    k_sleep(K_MSEC(100))
    k_sem_give(simple_sem)


def sem_take_timeout_isr_helper(p1, p2, p3):
    sem_give_from_isr(simple_sem)


def sem_take_multiple_low_prio_helper(p1, p2, p3):
    expect_k_sem_take_nomsg(low_prio_sem, K_FOREVER, 0)
    expect_k_sem_take_nomsg(multiple_thread_sem, K_FOREVER, 0)

    k_sem_give(low_prio_sem)


def sem_take_multiple_mid_prio_helper(p1, p2, p3):
    expect_k_sem_take_nomsg(mid_prio_sem, K_FOREVER, 0)
    expect_k_sem_take_nomsg(multiple_thread_sem, K_FOREVER, 0)

    k_sem_give(mid_prio_sem)


def sem_take_multiple_high_prio_helper(p1, p2, p3):
    expect_k_sem_take_nomsg(high_prio_sem, K_FOREVER, 0)
    expect_k_sem_take_nomsg(multiple_thread_sem, K_FOREVER, 0)

    k_sem_give(high_prio_sem)


def sem_queue_mutual_exclusion1(p1, p2, p3):
    """Adds one to the shared count, a thousand times, each inside the semaphore."""
    global critical_var
    for _ in range(1000):
        expect_k_sem_take_nomsg(mut_sem, K_FOREVER, 0)

        tmp = critical_var
        critical_var += 1

        # nobody else may have changed it while we hold the semaphore
        zassert_true(critical_var == tmp + 1)
        k_sem_give(mut_sem)


def sem_queue_mutual_exclusion2(p1, p2, p3):
    """Takes one from the shared count, a thousand times, each inside the semaphore."""
    global critical_var
    for _ in range(1000):
        expect_k_sem_take_nomsg(mut_sem, K_FOREVER, 0)

        tmp = critical_var
        critical_var -= 1

        zassert_true(critical_var == tmp - 1)
        k_sem_give(mut_sem)


def sem_take_multiple_high_prio_long_helper(p1, p2, p3):
    expect_k_sem_take_nomsg(high_prio_long_sem, K_FOREVER, 0)
    expect_k_sem_take_nomsg(multiple_thread_sem, K_FOREVER, 0)

    k_sem_give(high_prio_long_sem)


# -- test cases --


@ZTEST_USER("semaphore")
def test_k_sem_define():
    expect_k_sem_count_get(statically_defined_sem, SEM_INIT_VAL,
                           "semaphore initialized failed at compile time"
                           "- got %u, expected %u")


@ZTEST_USER("semaphore")
def test_sem_thread2thread():
    # a semaphore from k_sem_init
    expect_k_sem_init_nomsg(sema, SEM_INIT_VAL, SEM_MAX_VAL, 0)

    tsema_thread_thread(sema)

    # one from K_SEM_DEFINE
    tsema_thread_thread(ksema)


@ZTEST("semaphore")
def test_sem_thread2isr():
    expect_k_sem_init_nomsg(sema, SEM_INIT_VAL, SEM_MAX_VAL, 0)

    tsema_thread_isr(sema)

    tsema_thread_isr(ksema)


@ZTEST_USER("semaphore")
def test_k_sem_init():
    # valid count and limit
    expect_k_sem_init_nomsg(sema, SEM_INIT_VAL, SEM_MAX_VAL, 0)

    k_sem_reset(sema)

    # a limit of 0
    expect_k_sem_init_nomsg(sema, SEM_INIT_VAL, 0, -errno.EINVAL)

    # a count above the limit
    expect_k_sem_init_nomsg(sema, SEM_MAX_VAL + 1, SEM_MAX_VAL, -errno.EINVAL)


@ZTEST_USER("semaphore")
def test_sem_reset():
    expect_k_sem_init_nomsg(sema, SEM_INIT_VAL, SEM_MAX_VAL, 0)
    expect_k_sem_count_get_nomsg(sema, 0)

    k_sem_give(sema)
    expect_k_sem_count_get_nomsg(sema, 1)
    k_sem_reset(sema)
    expect_k_sem_count_get_nomsg(sema, 0)

    # nothing to take: -EBUSY at once
    expect_k_sem_take_nomsg(sema, K_NO_WAIT, -errno.EBUSY)
    expect_k_sem_count_get_nomsg(sema, 0)

    # nothing to take: -EAGAIN after the timeout
    expect_k_sem_take_nomsg(sema, SEM_TIMEOUT, -errno.EAGAIN)
    expect_k_sem_count_get_nomsg(sema, 0)

    k_sem_give(sema)
    expect_k_sem_count_get_nomsg(sema, 1)

    expect_k_sem_take_nomsg(sema, K_FOREVER, 0)
    expect_k_sem_count_get_nomsg(sema, 0)


@ZTEST_USER("semaphore")
def test_sem_reset_waiting():
    k_sem_reset(simple_sem)

    # in 1 ms this thread resets the semaphore, then waits on it
    tid = k_thread_create(sem_tid_1, stack_1, STACK_SIZE,
                          sem_reset_take_task, simple_sem, None, None,
                          K_PRIO_PREEMPT(0), K_USER | K_INHERIT_PERMS,
                          K_MSEC(1))

    # the reset ends this wait
    ret_value = k_sem_take(simple_sem, K_FOREVER)
    zassert_true(ret_value == -errno.EAGAIN, "k_sem_take not aborted: %d",
                 ret_value)

    # and the semaphore still works
    k_sem_give(simple_sem)

    k_thread_join(tid, K_FOREVER)


@ZTEST_USER("semaphore")
def test_sem_count_get():
    expect_k_sem_init_nomsg(sema, SEM_INIT_VAL, SEM_MAX_VAL, 0)

    # after init
    expect_k_sem_count_get_nomsg(sema, SEM_INIT_VAL)
    k_sem_give(sema)
    # after a give
    expect_k_sem_count_get_nomsg(sema, SEM_INIT_VAL + 1)
    expect_k_sem_take_nomsg(sema, K_FOREVER, 0)
    # after a take, then up to the limit
    for i in range(SEM_MAX_VAL):
        expect_k_sem_count_get_nomsg(sema, SEM_INIT_VAL + i)
        k_sem_give(sema)
    # a give at the limit changes nothing
    k_sem_give(sema)
    expect_k_sem_count_get_nomsg(sema, SEM_MAX_VAL)


@ZTEST("semaphore")
def test_sem_give_from_isr():
    k_sem_reset(simple_sem)
    expect_k_sem_count_get_nomsg(simple_sem, 0)

    for i in range(5):
        sem_give_from_isr(simple_sem)

        expect_k_sem_count_get_nomsg(simple_sem, i + 1)


@ZTEST_USER("semaphore")
def test_sem_give_from_thread():
    k_sem_reset(simple_sem)
    expect_k_sem_count_get_nomsg(simple_sem, 0)

    for i in range(5):
        k_sem_give(simple_sem)

        expect_k_sem_count_get_nomsg(simple_sem, i + 1)


@ZTEST_USER("semaphore")
def test_sem_take_no_wait():
    k_sem_reset(simple_sem)
    for _ in range(5):
        k_sem_give(simple_sem)

    for i in range(4, -1, -1):
        expect_k_sem_take_nomsg(simple_sem, K_NO_WAIT, 0)
        expect_k_sem_count_get_nomsg(simple_sem, i)


@ZTEST_USER("semaphore")
def test_sem_take_no_wait_fails():
    k_sem_reset(simple_sem)

    for _ in range(4, -1, -1):
        expect_k_sem_take_nomsg(simple_sem, K_NO_WAIT, -errno.EBUSY)
        expect_k_sem_count_get_nomsg(simple_sem, 0)


@ZTEST_USER("semaphore")
def test_sem_take_timeout_fails():
    k_sem_reset(simple_sem)
    expect_k_sem_count_get_nomsg(simple_sem, 0)

    # nobody gives it: each take times out
    for _ in range(4, -1, -1):
        expect_k_sem_take_nomsg(simple_sem, SEM_TIMEOUT, -errno.EAGAIN)


@ZTEST_USER("semaphore")
def test_sem_take_timeout():
    # a lower-priority thread gives the semaphore this one waits for
    k_thread_create(sem_tid_1, stack_1, STACK_SIZE,
                    sem_give_task, simple_sem, None, None,
                    K_PRIO_PREEMPT(0), K_USER | K_INHERIT_PERMS,
                    K_FOREVER)

    k_sem_reset(simple_sem)

    expect_k_sem_count_get_nomsg(simple_sem, 0)

    k_thread_start(sem_tid_1)
    expect_k_sem_take_nomsg(simple_sem, SEM_TIMEOUT, 0)
    k_thread_join(sem_tid_1, K_FOREVER)


@ZTEST_USER("semaphore")
def test_sem_take_timeout_forever():
    # a lower-priority thread gives it after 100 ms; this one waits for ever
    k_thread_create(sem_tid_1, stack_1, STACK_SIZE,
                    sem_take_timeout_forever_helper, None, None, None,
                    K_PRIO_PREEMPT(0), K_USER | K_INHERIT_PERMS,
                    K_NO_WAIT)

    k_sem_reset(simple_sem)

    expect_k_sem_count_get_nomsg(simple_sem, 0)

    expect_k_sem_take_nomsg(simple_sem, K_FOREVER, 0)
    k_thread_join(sem_tid_1, K_FOREVER)


@ZTEST("semaphore")
def test_sem_take_timeout_isr():
    if arch_num_cpus() > 1:
        ztest_test_skip()  # zpy only: the helper may win a race on the other CPU (README.md)

    # a lower-priority thread gives it from an ISR
    k_thread_create(sem_tid_1, stack_1, STACK_SIZE,
                    sem_take_timeout_isr_helper, None, None, None,
                    K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    k_sem_reset(simple_sem)

    expect_k_sem_take_nomsg(simple_sem, SEM_TIMEOUT, 0)

    k_thread_join(sem_tid_1, K_FOREVER)


@ZTEST_USER("semaphore")
def test_sem_take_multiple():
    k_sem_reset(multiple_thread_sem)
    k_sem_reset(high_prio_long_sem)
    k_sem_reset(mid_prio_sem)
    k_sem_reset(low_prio_sem)
    k_sem_reset(high_prio_sem)
    expect_k_sem_count_get_nomsg(multiple_thread_sem, 0)
    expect_k_sem_count_get_nomsg(high_prio_long_sem, 0)
    expect_k_sem_count_get_nomsg(mid_prio_sem, 0)
    expect_k_sem_count_get_nomsg(low_prio_sem, 0)
    expect_k_sem_count_get_nomsg(high_prio_sem, 0)

    k_thread_create(sem_tid_1, stack_1, STACK_SIZE,
                    sem_take_multiple_low_prio_helper,
                    None, None, None,
                    K_PRIO_PREEMPT(3), K_USER | K_INHERIT_PERMS,
                    K_NO_WAIT)

    k_thread_create(sem_tid_2, stack_2, STACK_SIZE,
                    sem_take_multiple_mid_prio_helper,
                    None, None, None,
                    K_PRIO_PREEMPT(2), K_USER | K_INHERIT_PERMS,
                    K_NO_WAIT)

    k_thread_create(sem_tid_3, stack_3, STACK_SIZE,
                    sem_take_multiple_high_prio_long_helper,
                    None, None, None,
                    K_PRIO_PREEMPT(1), K_USER | K_INHERIT_PERMS,
                    K_NO_WAIT)

    # same priority as sem_tid_3 but waiting less long: among equals the longest
    # waiter must get the semaphore first
    k_thread_create(sem_tid_4, stack_4, STACK_SIZE,
                    sem_take_multiple_high_prio_helper, None, None,
                    None, K_PRIO_PREEMPT(1), K_USER | K_INHERIT_PERMS,
                    K_NO_WAIT)

    # let the four block on their first semaphore
    k_sleep(K_MSEC(20))

    # threads 1 to 3 go on to wait on multiple_thread_sem
    k_sem_give(high_prio_long_sem)
    k_sem_give(mid_prio_sem)
    k_sem_give(low_prio_sem)

    # 100 ms later sem_tid_4 joins them: it has waited less than sem_tid_3
    k_sleep(K_MSEC(100))
    k_sem_give(high_prio_sem)

    k_sleep(K_MSEC(20))

    # one give: the high-priority, longer-waiting sem_tid_3
    k_sem_give(multiple_thread_sem)
    k_sleep(K_MSEC(200))

    expect_k_sem_count_get(high_prio_long_sem, 1,
                           "High priority and long waiting thread "
                           "don't get the sem: %u != %u")

    expect_k_sem_count_get(high_prio_sem, 0,
                           "High priority thread shouldn't get the sem: %u != %u")

    expect_k_sem_count_get(mid_prio_sem, 0,
                           "Medium priority threads shouldn't have executed: %u != %u")

    expect_k_sem_count_get(low_prio_sem, 0,
                           "Low priority threads shouldn't have executed: %u != %u")

    # one more: sem_tid_4
    k_sem_give(multiple_thread_sem)
    k_sleep(K_MSEC(200))

    expect_k_sem_count_get(high_prio_long_sem, 1,
                           "High priority and long waiting thread executed again: %u != %u")

    expect_k_sem_count_get(high_prio_sem, 1,
                           "Higher priority thread did not get the sem: %u != %u")

    expect_k_sem_count_get(mid_prio_sem, 0,
                           "Medium priority thread shouldn't get the sem: %u != %u")

    expect_k_sem_count_get(low_prio_sem, 0,
                           "Low priority thread shouldn't get the sem: %u != %u")

    # one more: the middle one, sem_tid_2
    k_sem_give(multiple_thread_sem)
    k_sleep(K_MSEC(200))

    expect_k_sem_count_get(high_prio_long_sem, 1,
                           "High priority and long waiting thread executed again: %u != %u")

    expect_k_sem_count_get(high_prio_sem, 1,
                           "High priority thread executed again: %u != %u")

    expect_k_sem_count_get(mid_prio_sem, 1,
                           "Medium priority thread did not get the sem: %u != %u")

    expect_k_sem_count_get(low_prio_sem, 0,
                           "Low priority thread did not get the sem: %u != %u")

    # the last: the low one, sem_tid_1
    k_sem_give(multiple_thread_sem)
    k_sleep(K_MSEC(200))

    expect_k_sem_count_get(high_prio_long_sem, 1,
                           "High priority and long waiting thread executed again: %u != %u")

    expect_k_sem_count_get(high_prio_sem, 1,
                           "High priority thread executed again: %u != %u")

    expect_k_sem_count_get(mid_prio_sem, 1,
                           "Mid priority thread executed again: %u != %u")

    expect_k_sem_count_get(low_prio_sem, 1,
                           "Low priority thread did not get the sem: %u != %u")

    k_thread_join(sem_tid_1, K_FOREVER)
    k_thread_join(sem_tid_2, K_FOREVER)
    k_thread_join(sem_tid_3, K_FOREVER)
    k_thread_join(sem_tid_4, K_FOREVER)


@ZTEST_USER("semaphore")
def test_k_sem_correct_count_limit():
    k_sem_reset(simple_sem)
    expect_k_sem_count_get(simple_sem, 0, "k_sem_reset failed: %u != %u")

    # each give counts, up to the limit
    for i in range(1, SEM_MAX_VAL + 1):
        k_sem_give(simple_sem)
        expect_k_sem_count_get_nomsg(simple_sem, i)

    # and no further
    for _ in range(5):
        k_sem_give(simple_sem)
        expect_k_sem_count_get_nomsg(simple_sem, SEM_MAX_VAL)

    # each take counts down
    for i in range(SEM_MAX_VAL - 1, -1, -1):
        expect_k_sem_take_nomsg(simple_sem, K_NO_WAIT, 0)
        expect_k_sem_count_get_nomsg(simple_sem, i)

    # to 0, where a take fails
    for _ in range(5):
        expect_k_sem_take_nomsg(simple_sem, K_NO_WAIT, -errno.EBUSY)

        expect_k_sem_count_get_nomsg(simple_sem, 0)


@ZTEST("semaphore")
def test_sem_give_take_from_isr():
    k_sem_reset(simple_sem)
    expect_k_sem_count_get_nomsg(simple_sem, 0)

    # gives from an ISR
    for i in range(SEM_MAX_VAL):
        sem_give_from_isr(simple_sem)
        expect_k_sem_count_get_nomsg(simple_sem, i + 1)

    # takes from an ISR
    for i in range(SEM_MAX_VAL, 0, -1):
        sem_take_from_isr(simple_sem)

        expect_k_sem_count_get_nomsg(simple_sem, i - 1)


def sem_multiple_threads_wait_helper(p1, p2, p3):
    # wait until the test gives it
    expect_k_sem_take_nomsg(multiple_thread_sem, K_FOREVER, 0)

    # then tell the test
    k_sem_give(simple_sem)


@ZTEST("semaphore")
def test_sem_multiple_threads_wait():
    k_sem_reset(simple_sem)
    k_sem_reset(multiple_thread_sem)

    # twice, so that the wait queue is seen to be emptied correctly
    for _repeat_count in range(2):
        for i in range(TOTAL_THREADS_WAITING):
            k_thread_create(multiple_tid[i],
                            multiple_stack[i], STACK_SIZE,
                            sem_multiple_threads_wait_helper,
                            None, None, None,
                            K_PRIO_PREEMPT(1),
                            K_USER | K_INHERIT_PERMS, K_NO_WAIT)

        # they all block
        k_sleep(K_MSEC(500))

        for _ in range(TOTAL_THREADS_WAITING):
            k_sem_give(multiple_thread_sem)

        # they all run
        k_sleep(K_MSEC(500))

        # and each has told us
        for _ in range(TOTAL_THREADS_WAITING):
            expect_k_sem_take(simple_sem, K_FOREVER, 0,
                              "Some of the threads did not get multiple_thread_sem: %d != %d")

        expect_k_sem_count_get_nomsg(simple_sem, 0)
        expect_k_sem_count_get_nomsg(multiple_thread_sem, 0)

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_join(multiple_tid[i], K_FOREVER)


@ZTEST("semaphore")
def test_sem_measure_timeouts():
    k_sem_reset(simple_sem)

    # a 1 s timeout
    start_ticks = k_uptime_get()

    expect_k_sem_take_nomsg(simple_sem, K_SECONDS(1), -errno.EAGAIN)

    end_ticks = k_uptime_get()

    diff_ticks = end_ticks - start_ticks

    zassert_true((diff_ticks >= SEC2MS(1)),
                 "k_sem_take returned too early: %lld < %d",
                 diff_ticks, SEC2MS(1))

    # no wait (C: a tick may fall between the two readings; busy-wait past one first)
    k_busy_wait(1)
    start_ticks = k_uptime_get()

    expect_k_sem_take_nomsg(simple_sem, K_NO_WAIT, -errno.EBUSY)

    end_ticks = k_uptime_get()

    diff_ticks = end_ticks - start_ticks

    zassert_true(end_ticks >= start_ticks,
                 "time went backwards: %lld -> %lld",
                 start_ticks, end_ticks)

    zassert_true(diff_ticks >= 0,
                 "k_sem_take took too long: %lld != 0",
                 diff_ticks)


def sem_measure_timeout_from_thread_helper(p1, p2, p3):
    # first, meet the test
    k_sem_give(simple_sem)

    # then give what it waits for
    k_sem_give(multiple_thread_sem)


@ZTEST("semaphore")
def test_sem_measure_timeout_from_thread():
    k_sem_reset(simple_sem)
    k_sem_reset(multiple_thread_sem)

    # a thread gives it: the take must end well before its timeout
    k_thread_create(sem_tid_1, stack_1, STACK_SIZE,
                    sem_measure_timeout_from_thread_helper,
                    None, None, None,
                    K_PRIO_PREEMPT(3), 0, K_NO_WAIT)

    # meet the thread
    expect_k_sem_take_nomsg(simple_sem, K_FOREVER, 0)

    # a 1 s timeout
    start_ticks = k_uptime_get()

    expect_k_sem_take_nomsg(multiple_thread_sem, K_SECONDS(1), 0)

    end_ticks = k_uptime_get()

    diff_ticks = end_ticks - start_ticks

    zassert_true((diff_ticks < SEC2MS(1)),
                 "k_sem_take took too long: %d >= %d",
                 diff_ticks, SEC2MS(1))
    k_thread_join(sem_tid_1, K_FOREVER)


def sem_multiple_take_and_timeouts_helper(p1, p2, p3):
    timeout = p1

    start_ticks = k_uptime_get()

    expect_k_sem_take_nomsg(simple_sem, K_MSEC(timeout), -errno.EAGAIN)

    end_ticks = k_uptime_get()

    diff_ticks = end_ticks - start_ticks

    zassert_true(diff_ticks >= timeout,
                 "time mismatch - expected at least %d, got %lld",
                 timeout, diff_ticks)

    k_pipe_write(timeout_info_pipe, c_int(timeout), sizeof(c_int), K_FOREVER)


@ZTEST("semaphore_1cpu")
def test_sem_multiple_take_and_timeouts():
    if IS_ENABLED("CONFIG_KERNEL_COHERENCE"):
        ztest_test_skip()

    timeout = c_uint32()

    k_sem_reset(simple_sem)
    k_pipe_reset(timeout_info_pipe)

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_create(multiple_tid[i],
                        multiple_stack[i], STACK_SIZE,
                        sem_multiple_take_and_timeouts_helper,
                        QSEC2MS(i + 1), None, None,
                        K_PRIO_PREEMPT(1), 0, K_NO_WAIT)

    for i in range(TOTAL_THREADS_WAITING):
        k_pipe_read(timeout_info_pipe, timeout, sizeof(c_int), K_FOREVER)
        zassert_equal(timeout.value, QSEC2MS(i + 1),
                      "timeout did not occur properly: %d != %d",
                      timeout.value, QSEC2MS(i + 1))

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_join(multiple_tid[i], K_FOREVER)


def sem_multi_take_timeout_diff_sem_helper(p1, p2, p3):
    timeout = p1
    sema = p2
    info = timeout_info(timeout=timeout, sema=sema)

    start_ticks = k_uptime_get()

    expect_k_sem_take_nomsg(sema, K_MSEC(timeout), -errno.EAGAIN)

    end_ticks = k_uptime_get()

    diff_ticks = end_ticks - start_ticks

    zassert_true(diff_ticks >= timeout,
                 "time mismatch - expected at least %d, got %lld",
                 timeout, diff_ticks)

    k_pipe_write(timeout_info_pipe, info, sizeof(timeout_info), K_FOREVER)


@ZTEST("semaphore")
def test_sem_multi_take_timeout_diff_sem():
    if IS_ENABLED("CONFIG_KERNEL_COHERENCE"):
        ztest_test_skip()

    seq_info = [
        timeout_info(SEC2MS(2), simple_sem),
        timeout_info(SEC2MS(1), multiple_thread_sem),
        timeout_info(SEC2MS(3), simple_sem),
        timeout_info(SEC2MS(5), multiple_thread_sem),
        timeout_info(SEC2MS(4), simple_sem),
    ]

    retrieved_info = timeout_info()

    k_sem_reset(simple_sem)
    k_sem_reset(multiple_thread_sem)
    k_pipe_reset(timeout_info_pipe)

    for i in range(TOTAL_THREADS_WAITING):
        k_thread_create(multiple_tid[i],
                        multiple_stack[i], STACK_SIZE,
                        sem_multi_take_timeout_diff_sem_helper,
                        seq_info[i].timeout,
                        seq_info[i].sema, None,
                        K_PRIO_PREEMPT(1), 0, K_NO_WAIT)

    for i in range(TOTAL_THREADS_WAITING):
        k_pipe_read(timeout_info_pipe,
                    retrieved_info,
                    sizeof(timeout_info),
                    K_FOREVER)

        zassert_true(retrieved_info.timeout == SEC2MS(i + 1),
                     "timeout did not occur properly")
    for i in range(TOTAL_THREADS_WAITING):
        k_thread_join(multiple_tid[i], K_FOREVER)


@ZTEST("semaphore_1cpu")
def test_sem_queue_mutual_exclusion():
    global critical_var
    critical_var = 0

    expect_k_sem_init_nomsg(mut_sem, 0, 1, 0)

    k_thread_create(sem_tid_1, stack_1, STACK_SIZE,
                    sem_queue_mutual_exclusion1, None, None,
                    None, 1, 0,
                    K_NO_WAIT)

    k_thread_create(sem_tid_2, stack_2, STACK_SIZE,
                    sem_queue_mutual_exclusion2, None, None,
                    None, 1, 0,
                    K_NO_WAIT)

    k_sleep(K_MSEC(100))

    k_sem_give(mut_sem)
    k_thread_join(sem_tid_1, K_FOREVER)
    k_thread_join(sem_tid_2, K_FOREVER)


# semaphore_null_case (test_sem_give_null, test_sem_init_null, test_sem_take_null,
# test_sem_reset_null, test_sem_count_get_null): left out, they need memory
# protection (README.md)


def test_init():
    if IS_ENABLED("CONFIG_USERSPACE"):
        k_thread_access_grant(k_current_get(),
                              simple_sem, multiple_thread_sem, low_prio_sem,
                              mid_prio_sem, high_prio_sem, ksema, sema,
                              high_prio_long_sem, stack_1, stack_2,
                              stack_3, stack_4, timeout_info_pipe,
                              sem_tid_1, sem_tid_2, sem_tid_3,
                              sem_tid_4, tstack, tdata, mut_sem,
                              statically_defined_sem)
    return None


ZTEST_SUITE("semaphore", None, test_init, None, None, None)
ZTEST_SUITE("semaphore_1cpu", None, None, ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
