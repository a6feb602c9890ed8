"""Zephyr's tests/kernel/sched/schedule_api/src/user_api.c (the cases without memory
protection: the NULL-argument cases need syscall verification, see README.md)."""

from zpy.kernel import (
    K_FOREVER,
    K_INHERIT_PERMS,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    K_USER,
    k_current_get,
    k_is_preempt_thread,
    k_sem_give,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_wakeup,
    k_yield,
)
from zpy.ztest import ZTEST_USER, zassert_false, zassert_true

from .test_sched import STACK_SIZE

user_thread = k_thread()
user_sem = K_SEM_DEFINE("user_sem", 0, 1)

thread_was_preempt = 0

THREAD_TEST_PRIORITY = 0

ustack = K_THREAD_STACK_DEFINE("ustack", STACK_SIZE)


def sleepy_thread(p1, p2, p3):
    k_sleep(K_FOREVER)
    k_sem_give(user_sem)


@ZTEST_USER("threads_scheduling")
def test_user_k_wakeup():
    tid = k_thread_create(user_thread, ustack, STACK_SIZE, sleepy_thread, None, None, None,
                          k_thread_priority_get(k_current_get()), K_USER | K_INHERIT_PERMS,
                          K_NO_WAIT)

    k_yield()
    k_wakeup(user_thread)
    k_sem_take(user_sem, K_FOREVER)
    k_thread_abort(tid)


def preempt_test_thread(p1, p2, p3):
    global thread_was_preempt
    thread_was_preempt = k_is_preempt_thread()
    k_sem_give(user_sem)


@ZTEST_USER("threads_scheduling")
def test_user_k_is_preempt():
    tid = k_thread_create(user_thread, ustack, STACK_SIZE, preempt_test_thread, None, None,
                          None, k_thread_priority_get(k_current_get()),
                          K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_sem_take(user_sem, K_FOREVER)

    twp = thread_was_preempt
    zassert_false(twp, "unexpected return value")
    k_thread_abort(tid)

    tid = k_thread_create(user_thread, ustack, STACK_SIZE, preempt_test_thread, None, None,
                          None, K_PRIO_PREEMPT(1), K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    k_sem_take(user_sem, K_FOREVER)

    twp = thread_was_preempt
    zassert_true(twp, "unexpected return value")
    k_thread_abort(tid)
