"""Zephyr's tests/kernel/threads/thread_apis/src/test_essential_thread.c."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    IS_ENABLED,
    K_ESSENTIAL,
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    k_busy_wait,
    k_current_get,
    k_msleep,
    k_sem_give,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
)
from zpy.kernel.thread import (
    z_is_thread_essential,
    z_thread_essential_clear,
    z_thread_essential_set,
)
from zpy.ztest import ZTEST, zassert_false, zassert_true, zassert_unreachable, ztest_test_skip

kthread_thread = k_thread()
kthread_thread1 = k_thread()

STACKSIZE = 1024 + CONFIG_TEST_EXTRA_STACK_SIZE
kthread_stack = K_THREAD_STACK_DEFINE("kthread_stack", STACKSIZE)
sync_sem = K_SEM_DEFINE("sync_sem", 0, 1)

fatal_error_signaled = False


def thread_entry(p1, p2, p3):
    z_thread_essential_set(k_current_get())

    if z_is_thread_essential(k_current_get()):
        k_busy_wait(100)
    else:
        zassert_unreachable("The thread is not set as essential")

    z_thread_essential_clear(k_current_get())
    zassert_false(z_is_thread_essential(k_current_get()),
                  "Essential flag of the thread is not cleared")

    k_sem_give(sync_sem)


@ZTEST("threads_lifecycle")
def test_essential_thread_operation():
    tid = k_thread_create(kthread_thread, kthread_stack, STACKSIZE, thread_entry, None, None,
                          None, K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    k_sem_take(sync_sem, K_FOREVER)
    k_thread_abort(tid)


def k_sys_fatal_error_handler(reason, esf):
    global fatal_error_signaled
    fatal_error_signaled = True


def abort_thread_entry(p1, p2, p3):
    if z_is_thread_essential(k_current_get()):
        k_msleep(200)
    else:
        zassert_unreachable("The thread is not set as essential")

    zassert_true(False, "Should not reach this line")


def abort_thread_self(p1, p2, p3):
    k_thread_abort(k_current_get())
    zassert_true(False, "Should not reach this line")


@ZTEST("threads_lifecycle")
def test_essential_thread_abort():
    global fatal_error_signaled
    fatal_error_signaled = False
    k_thread_create(kthread_thread1, kthread_stack, STACKSIZE, abort_thread_entry, None, None,
                    None, K_PRIO_PREEMPT(0), K_ESSENTIAL, K_NO_WAIT)

    k_msleep(100)
    k_thread_abort(kthread_thread1)
    zassert_true(fatal_error_signaled, "fatal error was not signaled")


@ZTEST("threads_lifecycle")
def test_essential_thread_abort_self():
    global fatal_error_signaled
    # As on Zephyr, skipped where its arch layer cannot abort the current thread from
    # inside the panic handler: RISC-V, x86 (so qemu_x86_64) and SPARC
    if IS_ENABLED("CONFIG_RISCV") or IS_ENABLED("CONFIG_X86") or IS_ENABLED("CONFIG_SPARC"):
        ztest_test_skip()

    fatal_error_signaled = False
    k_thread_create(kthread_thread1, kthread_stack, STACKSIZE, abort_thread_self, None, None,
                    None, K_PRIO_PREEMPT(0), K_ESSENTIAL, K_NO_WAIT)

    k_msleep(100)
    zassert_true(fatal_error_signaled, "fatal error was not signaled")
