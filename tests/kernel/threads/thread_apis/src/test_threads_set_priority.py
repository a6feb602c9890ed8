"""Zephyr's tests/kernel/threads/thread_apis/src/test_threads_set_priority.c."""

from dataclasses import dataclass
from typing import Any

from zpy.kernel import (
    K_FOREVER,
    K_NO_WAIT,
    K_SEM_DEFINE,
    irq_offload,
    k_current_get,
    k_sem_give,
    k_sem_take,
    k_thread_create,
    k_thread_join,
    k_thread_priority_get,
    k_thread_priority_set,
)
from zpy.ztest import ZTEST, zassert_equal

from .tests_thread_apis import STACK_SIZE, tdata, tstack

thread2_data = 0

sem_thread2 = K_SEM_DEFINE("sem_thread2", 0, 1)
sem_thread1 = K_SEM_DEFINE("sem_thread1", 0, 1)


@dataclass
class isr_arg:
    thread: Any = None
    prio: int = 0


prio_args = isr_arg()


def test_isr(arg):
    data = arg

    k_thread_priority_set(data.thread, data.prio)


def thread2_set_prio_test(p1, p2, p3):
    global thread2_data

    k_sem_take(sem_thread2, K_FOREVER)
    thread2_data = k_thread_priority_get(k_current_get())
    k_sem_give(sem_thread1)

    k_sem_take(sem_thread2, K_FOREVER)
    thread2_data = k_thread_priority_get(k_current_get())
    k_sem_give(sem_thread1)

    k_sem_take(sem_thread2, K_FOREVER)
    thread2_data = k_thread_priority_get(k_current_get())
    k_sem_give(sem_thread1)


@ZTEST("threads_lifecycle")
def test_threads_priority_set():
    prio = k_thread_priority_get(k_current_get())

    k_thread_priority_set(k_current_get(), prio + 2)
    rv = k_thread_priority_get(k_current_get())
    zassert_equal(rv, prio + 2, "Expected priority to be changed to %d, not %d\n", prio + 2, rv)

    k_thread_priority_set(k_current_get(), prio - 2)
    rv = k_thread_priority_get(k_current_get())
    zassert_equal(rv, prio - 2, "Expected priority to be changed to %d, not %d\n", prio - 2, rv)

    k_thread_priority_set(k_current_get(), prio)
    rv = k_thread_priority_get(k_current_get())
    zassert_equal(rv, prio, "Expected priority to be changed to %d, not %d\n", prio, rv)

    thread2_prio = prio + 1

    thread2_id = k_thread_create(tdata, tstack, STACK_SIZE, thread2_set_prio_test, None, None,
                                 None, thread2_prio, 0, K_NO_WAIT)

    k_thread_priority_set(thread2_id, thread2_prio + 2)
    k_sem_give(sem_thread2)
    k_sem_take(sem_thread1, K_FOREVER)
    zassert_equal(thread2_data, thread2_prio + 2,
                  "Expected priority to be changed to %d, not %d\n", thread2_prio + 2,
                  thread2_data)

    k_thread_priority_set(thread2_id, thread2_prio - 2)
    k_sem_give(sem_thread2)
    k_sem_take(sem_thread1, K_FOREVER)
    zassert_equal(thread2_data, thread2_prio - 2,
                  "Expected priority to be changed to %d, not %d\n", thread2_prio - 2,
                  thread2_data)

    k_thread_priority_set(thread2_id, thread2_prio)
    k_sem_give(sem_thread2)
    k_sem_take(sem_thread1, K_FOREVER)
    zassert_equal(thread2_data, thread2_prio,
                  "Expected priority to be changed to %d, not %d\n", thread2_prio, thread2_data)

    k_thread_join(thread2_id, K_FOREVER)


@ZTEST("threads_lifecycle")
def test_isr_threads_priority_set_():
    prio = k_thread_priority_get(k_current_get())

    prio_args.thread = k_current_get()
    prio_args.prio = prio + 2
    irq_offload(test_isr, prio_args)
    rv = k_thread_priority_get(k_current_get())
    zassert_equal(rv, prio + 2, "Expected priority to be changed to %d, not %d\n", prio + 2, rv)

    prio_args.prio = prio - 2
    irq_offload(test_isr, prio_args)
    rv = k_thread_priority_get(k_current_get())
    zassert_equal(rv, prio - 2, "Expected priority to be changed to %d, not %d\n", prio - 2, rv)

    prio_args.prio = prio
    irq_offload(test_isr, prio_args)
    rv = k_thread_priority_get(k_current_get())
    zassert_equal(rv, prio, "Expected priority to be changed to %d, not %d\n", prio, rv)

    thread2_prio = prio + 1

    thread2_id = k_thread_create(tdata, tstack, STACK_SIZE, thread2_set_prio_test, None, None,
                                 None, thread2_prio, 0, K_NO_WAIT)

    prio_args.thread = thread2_id
    prio_args.prio = thread2_prio + 2
    irq_offload(test_isr, prio_args)
    k_sem_give(sem_thread2)
    k_sem_take(sem_thread1, K_FOREVER)
    zassert_equal(thread2_data, thread2_prio + 2,
                  "Expected priority to be changed to %d, not %d\n", thread2_prio + 2,
                  thread2_data)

    prio_args.prio = thread2_prio - 2
    irq_offload(test_isr, prio_args)
    k_sem_give(sem_thread2)
    k_sem_take(sem_thread1, K_FOREVER)
    zassert_equal(thread2_data, thread2_prio - 2,
                  "Expected priority to be changed to %d, not %d\n", thread2_prio - 2,
                  thread2_data)

    prio_args.prio = thread2_prio
    irq_offload(test_isr, prio_args)
    k_sem_give(sem_thread2)
    k_sem_take(sem_thread1, K_FOREVER)
    zassert_equal(thread2_data, thread2_prio,
                  "Expected priority to be changed to %d, not %d\n", thread2_prio, thread2_data)
    k_thread_join(thread2_id, K_FOREVER)
