"""Zephyr's tests/kernel/threads/thread_apis/src/test_threads_cancel_abort.c."""

from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    K_USER,
    irq_offload,
    k_current_get,
    k_msleep,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_sleep,
    k_thread_abort,
    k_thread_create,
    k_thread_join,
    k_thread_priority_get,
    k_thread_priority_set,
    printk,
)
from zpy.kernel.irq import offload_sem
from zpy.ztest import (
    ZTEST,
    ZTEST_USER,
    zassert_false,
    zassert_true,
    zassert_unreachable,
    ztest_test_fail,
    ztest_test_pass,
)

from .tests_thread_apis import STACK_SIZE, tdata, tstack

execute_flag = 0

sync_sema = K_SEM_DEFINE("sync_sema", 0, 1)
BLOCK_SIZE = 64


def thread_entry(p1, p2, p3):
    global execute_flag
    execute_flag = 1
    k_msleep(100)
    execute_flag = 2


def thread_entry_abort(p1, p2, p3):
    global execute_flag
    execute_flag = 1
    k_thread_abort(k_current_get())
    execute_flag = 2
    zassert_true(1 == 0)


@ZTEST_USER("threads_lifecycle")
def test_threads_abort_self():
    global execute_flag
    execute_flag = 0
    k_thread_create(tdata, tstack, STACK_SIZE, thread_entry_abort, None, None, None, 0, K_USER,
                    K_NO_WAIT)
    k_msleep(100)
    zassert_true(execute_flag == 1)


@ZTEST_USER("threads_lifecycle")
def test_threads_abort_others():
    global execute_flag
    execute_flag = 0
    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None, 0, K_USER,
                          K_NO_WAIT)

    k_thread_abort(tid)
    k_msleep(100)
    zassert_true(execute_flag == 0)

    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None, 0, K_USER,
                          K_NO_WAIT)
    k_msleep(50)
    k_thread_abort(tid)
    zassert_true(execute_flag == 1)
    k_msleep(1000)
    zassert_true(execute_flag == 1)


@ZTEST("threads_lifecycle_1cpu")
def test_threads_abort_repeat():
    global execute_flag
    execute_flag = 0
    tid = k_thread_create(tdata, tstack, STACK_SIZE, thread_entry, None, None, None, 0, K_USER,
                          K_NO_WAIT)

    k_thread_abort(tid)
    k_msleep(100)
    k_thread_abort(tid)
    k_msleep(100)
    k_thread_abort(tid)
    ztest_test_pass()


abort_called = False
block = None


def delayed_thread_entry(p1, p2, p3):
    global execute_flag
    execute_flag = 1

    zassert_unreachable("Delayed thread shouldn't be executed")


@ZTEST("threads_lifecycle_1cpu")
def test_delayed_thread_abort():
    global execute_flag
    current_prio = k_thread_priority_get(k_current_get())

    execute_flag = 0
    k_thread_priority_set(k_current_get(), K_PRIO_PREEMPT(2))

    tid = k_thread_create(tdata, tstack, STACK_SIZE, delayed_thread_entry, None, None, None,
                          K_PRIO_PREEMPT(1), 0, K_MSEC(100))

    k_msleep(50)

    zassert_true(execute_flag == 0, "Delayed thread created is not put to wait queue")

    k_thread_abort(tid)

    zassert_false(execute_flag == 1, "Delayed thread is has executed before cancellation")

    k_thread_priority_set(k_current_get(), current_prio)


isr_finished = False


def offload_func(param):
    global isr_finished
    t = param

    k_thread_abort(t)

    # C clears the aborted thread's struct here (but on CONFIG_ARCH_POSIX) to show that the
    # kernel no longer uses its memory; a k_thread object is no raw memory (README.md)
    if not IS_ENABLED("CONFIG_ARCH_POSIX"):
        pass

    isr_finished = True


def entry_abort_isr(p1, p2, p3):
    irq_offload(offload_func, k_current_get())

    printk("shouldn't see this, thread should have been killed")
    ztest_test_fail()


@ZTEST("threads_lifecycle")
def test_abort_from_isr():
    global isr_finished
    isr_finished = False
    k_thread_create(tdata, tstack, STACK_SIZE, entry_abort_isr, None, None, None, 0, 0,
                    K_NO_WAIT)

    k_thread_join(tdata, K_FOREVER)
    zassert_true(isr_finished, "ISR did not complete")

    # C then checks that the cleared struct stayed cleared through the interrupt's exit
    # (again but on CONFIG_ARCH_POSIX): memory, see offload_func

    k_sem_give(offload_sem)


sem_abort = k_sem()


def entry_aborted_thread(p1, p2, p3):
    k_sem_give(sem_abort)

    while True:
        k_sleep(K_MSEC(1))
    zassert_unreachable("should not reach here")


@ZTEST("threads_lifecycle")
def test_abort_from_isr_not_self():
    global isr_finished
    isr_finished = False
    k_sem_init(sem_abort, 0, 1)

    tid = k_thread_create(tdata, tstack, STACK_SIZE, entry_aborted_thread, None, None, None, 0,
                          0, K_NO_WAIT)

    k_sem_take(sem_abort, K_FOREVER)

    irq_offload(offload_func, tid)

    zassert_true(isr_finished, "ISR did not complete")
