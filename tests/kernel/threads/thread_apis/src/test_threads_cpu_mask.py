"""Zephyr's tests/kernel/threads/thread_apis/src/test_threads_cpu_mask.c: the CPU mask API
on one CPU (a child made at once, masked, started: did it run?)."""

from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_HIGHEST_APPLICATION_THREAD_PRIO,
    errno,
    k_current_get,
    k_thread,
    k_thread_abort,
    k_thread_cpu_mask_clear,
    k_thread_cpu_mask_disable,
    k_thread_cpu_mask_enable,
    k_thread_cpu_mask_enable_all,
    k_thread_cpu_pin,
    k_thread_create,
    k_thread_priority_get,
    k_thread_start,
    k_yield,
)
from zpy.ztest import ZTEST, zassert_false, zassert_true, ztest_test_skip

from .tests_thread_apis import tstack, tstack_size

child_thread = k_thread()

child_has_run = False


def child_fn(a, b, c):
    global child_has_run
    child_has_run = True


@ZTEST("threads_lifecycle_1cpu")
def test_threads_cpu_mask():
    global child_has_run
    if IS_ENABLED("CONFIG_SCHED_CPU_MASK") or IS_ENABLED("CONFIG_SCHED_CPU_MASK_PIN_ONLY"):
        ret = k_thread_cpu_pin(k_current_get(), 0)
        zassert_true(ret == -errno.EINVAL, "")

        if IS_ENABLED("CONFIG_SCHED_CPU_MASK"):
            ret = k_thread_cpu_mask_clear(k_current_get())
            zassert_true(ret == -errno.EINVAL, "")

            ret = k_thread_cpu_mask_enable_all(k_current_get())
            zassert_true(ret == -errno.EINVAL, "")

            ret = k_thread_cpu_mask_enable(k_current_get(), 0)
            zassert_true(ret == -errno.EINVAL, "")

            ret = k_thread_cpu_mask_disable(k_current_get(), 0)
            zassert_true(ret == -errno.EINVAL, "")

            for pass_ in range(4):
                if IS_ENABLED("CONFIG_SCHED_CPU_MASK_PIN_ONLY") and pass_ == 1:
                    continue

                child_has_run = False

                prio = k_thread_priority_get(k_current_get())
                zassert_true(prio > K_HIGHEST_APPLICATION_THREAD_PRIO, "")
                thread = k_thread_create(child_thread, tstack, tstack_size, child_fn, None, None,
                                         None, K_HIGHEST_APPLICATION_THREAD_PRIO, 0, K_FOREVER)

                if pass_ == 0:
                    ret = k_thread_cpu_mask_clear(thread)
                    zassert_true(ret == 0, "")
                elif pass_ == 1:
                    ret = k_thread_cpu_mask_enable_all(thread)
                    zassert_true(ret == 0, "")
                elif pass_ == 2:
                    ret = k_thread_cpu_mask_disable(thread, 0)
                    zassert_true(ret == 0, "")
                else:
                    ret = k_thread_cpu_mask_enable(thread, 0)
                    zassert_true(ret == 0, "")

                    ret = k_thread_cpu_pin(thread, 0)
                    zassert_true(ret == 0, "")

                zassert_false(child_has_run, "")
                k_thread_start(thread)
                k_yield()

                if pass_ == 1 or pass_ == 3:
                    zassert_true(child_has_run, "")
                else:
                    zassert_false(child_has_run, "")

                k_thread_abort(thread)
        else:
            child_has_run = False

            prio = k_thread_priority_get(k_current_get())
            zassert_true(prio > K_HIGHEST_APPLICATION_THREAD_PRIO, "")
            thread = k_thread_create(child_thread, tstack, tstack_size, child_fn, None, None,
                                     None, K_HIGHEST_APPLICATION_THREAD_PRIO, 0, K_FOREVER)

            ret = k_thread_cpu_pin(thread, 0)
            zassert_true(ret == 0, "")

            zassert_false(child_has_run, "")
            k_thread_start(thread)
            k_yield()
            zassert_true(child_has_run, "")

            k_thread_abort(thread)
    else:
        ztest_test_skip()
