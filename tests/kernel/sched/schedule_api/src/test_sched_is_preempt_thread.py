"""Zephyr's tests/kernel/sched/schedule_api/src/test_sched_is_preempt_thread.c."""

from zpy.kernel import (
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_COOP,
    K_PRIO_PREEMPT,
    irq_offload,
    k_current_get,
    k_is_preempt_thread,
    k_sched_lock,
    k_sched_unlock,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_set,
)
from zpy.ztest import ZTEST, zassert_false, zassert_true

from .main import tstack
from .test_sched import STACK_SIZE

tdata = k_thread()
end_sema = k_sem()


def tIsr(data):
    zassert_false(k_is_preempt_thread())


def tpreempt_ctx(p1, p2, p3):
    zassert_true(k_is_preempt_thread())
    k_sched_lock()
    zassert_false(k_is_preempt_thread())
    k_sched_unlock()
    zassert_true(k_is_preempt_thread())
    k_thread_priority_set(k_current_get(), K_PRIO_COOP(1))
    zassert_false(k_is_preempt_thread())
    k_sem_give(end_sema)


def tcoop_ctx(p1, p2, p3):
    zassert_false(k_is_preempt_thread())
    k_thread_priority_set(k_current_get(), K_PRIO_PREEMPT(1))
    zassert_true(k_is_preempt_thread())
    k_sched_lock()
    zassert_false(k_is_preempt_thread())
    k_sched_unlock()
    zassert_true(k_is_preempt_thread())
    k_sem_give(end_sema)


@ZTEST("threads_scheduling")
def test_sched_is_preempt_thread():
    k_sem_init(end_sema, 0, 1)

    tid = k_thread_create(tdata, tstack, STACK_SIZE, tpreempt_ctx, None, None, None,
                          K_PRIO_PREEMPT(1), 0, K_NO_WAIT)
    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tid)

    tid = k_thread_create(tdata, tstack, STACK_SIZE, tcoop_ctx, None, None, None,
                          K_PRIO_COOP(1), 0, K_NO_WAIT)
    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tid)

    irq_offload(tIsr, None)
