# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/workq/work (src/main.c), ported line by line."""

from zpy import errno
from zpy.autoconf import (
    CONFIG_MP_MAX_NUM_CPUS,
    CONFIG_SYSTEM_WORKQUEUE_PRIORITY,
    CONFIG_TEST_EXTRA_STACK_SIZE,
    CONFIG_ZTEST_THREAD_PRIORITY,
)
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_COOP,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    K_TICKS,
    K_TIMER_DEFINE,
    K_WORK_CANCELING,
    K_WORK_DEFINE,
    K_WORK_DELAYABLE,
    K_WORK_DELAYABLE_DEFINE,
    K_WORK_DELAYED,
    K_WORK_QUEUE_NO_YIELD,
    K_WORK_QUEUE_PLUGGED,
    K_WORK_QUEUE_STARTED,
    K_WORK_QUEUED,
    K_WORK_RUNNING,
    atomic_dec,
    atomic_get,
    atomic_inc,
    atomic_set,
    atomic_t,
    k_busy_wait,
    k_current_get,
    k_ms_to_ticks_ceil32,
    k_msleep,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_sleep,
    k_sys_work_q,
    k_thread,
    k_thread_create,
    k_thread_name_get,
    k_thread_priority_get,
    k_thread_start,
    k_ticks_to_ms_ceil32,
    k_ticks_to_ms_floor32,
    k_ticks_to_us_ceil32,
    k_timer,
    k_timer_init,
    k_timer_start,
    k_timer_status_get,
    k_timer_status_sync,
    k_uptime_get_32,
    k_uptime_ticks,
    k_work,
    k_work_busy_get,
    k_work_cancel,
    k_work_cancel_delayable,
    k_work_cancel_delayable_sync,
    k_work_cancel_sync,
    k_work_delayable,
    k_work_delayable_busy_get,
    k_work_delayable_from_work,
    k_work_delayable_is_pending,
    k_work_flush,
    k_work_flush_delayable,
    k_work_init,
    k_work_init_delayable,
    k_work_is_pending,
    k_work_q,
    k_work_queue_config,
    k_work_queue_drain,
    k_work_queue_init,
    k_work_queue_run,
    k_work_queue_start,
    k_work_queue_thread_get,
    k_work_queue_unplug,
    k_work_reschedule,
    k_work_reschedule_for_queue,
    k_work_schedule,
    k_work_schedule_for_queue,
    k_work_submit,
    k_work_submit_to_queue,
    k_work_sync,
)
from zpy.ztest import (
    TC_PRINT,
    ZTEST,
    ZTEST_SUITE,
    zassert_equal,
    zassert_false,
    zassert_str_equal,
    zassert_true,
    ztest_simple_1cpu_after,
    ztest_simple_1cpu_before,
    ztest_test_skip,
)

STACK_SIZE = 1024 + CONFIG_TEST_EXTRA_STACK_SIZE
COOPHI_PRIORITY = K_PRIO_COOP(0)
COOPLO_PRIORITY = K_PRIO_COOP(3)
PREEMPT_PRIORITY = K_PRIO_PREEMPT(1)

DELAY_MS = 100
DELAY_TIMEOUT = K_MSEC(DELAY_MS)

UINT32_MAX = 0xFFFFFFFF
INT_MAX = 0x7FFFFFFF

assert COOPHI_PRIORITY < CONFIG_SYSTEM_WORKQUEUE_PRIORITY, \
    "COOPHI not higher priority than system workqueue"
assert CONFIG_SYSTEM_WORKQUEUE_PRIORITY < CONFIG_ZTEST_THREAD_PRIORITY, \
    "System workqueue not higher priority than ZTEST"
assert CONFIG_ZTEST_THREAD_PRIORITY < COOPLO_PRIORITY, "ZTEST not higher priority than COOPLO"
assert COOPLO_PRIORITY < 0, "COOPLO not cooperative"

sync_sem = k_sem()

run_flag = True

rel_sem = k_sem()

common_work = k_work()
common_work1 = k_work()
dwork = k_work_delayable()

work_sync = k_work_sync()

main_thread = None

resubmits_left = atomic_t()

last_handle_ms = 0

coophi_stack = K_THREAD_STACK_DEFINE("coophi_stack", STACK_SIZE)
coophi_queue = k_work_q()
not_start_queue = k_work_q()
coophi_ctr = atomic_t()


def coophi_counter():
    return atomic_get(coophi_ctr)


cooplo_stack = K_THREAD_STACK_DEFINE("cooplo_stack", STACK_SIZE)
cooplo_thread = k_thread()
cooplo_queue = k_work_q()
cooplo_ctr = atomic_t()


def cooplo_counter():
    return atomic_get(cooplo_ctr)


def coop_counter(wq):
    return (coophi_counter() if wq is coophi_queue
            else cooplo_counter() if wq is cooplo_queue
            else -1)


preempt_stack = K_THREAD_STACK_DEFINE("preempt_stack", STACK_SIZE)
preempt_queue = k_work_q()
preempt_ctr = atomic_t()


def preempt_counter():
    return atomic_get(preempt_ctr)


invalid_test_stack = K_THREAD_STACK_DEFINE("invalid_test_stack", STACK_SIZE)
invalid_test_queue = k_work_q()

system_ctr = atomic_t()


def system_counter():
    return atomic_get(system_ctr)


def reset_counters():
    global last_handle_ms
    zassert_equal(k_sem_take(sync_sem, K_NO_WAIT), -errno.EBUSY)
    last_handle_ms = UINT32_MAX
    atomic_set(resubmits_left, 0)
    atomic_set(coophi_ctr, 0)
    atomic_set(system_ctr, 0)
    atomic_set(cooplo_ctr, 0)
    atomic_set(preempt_ctr, 0)


def counter_handler(work):
    global last_handle_ms
    last_handle_ms = k_uptime_get_32()
    if k_current_get() is coophi_queue.thread_id:
        atomic_inc(coophi_ctr)
    elif k_current_get() is k_sys_work_q.thread_id:
        atomic_inc(system_ctr)
    elif k_current_get() is cooplo_queue.thread_id:
        atomic_inc(cooplo_ctr)
    elif k_current_get() is preempt_queue.thread_id:
        atomic_inc(preempt_ctr)
    if atomic_dec(resubmits_left) > 0:
        k_work_submit_to_queue(None, work)
    else:
        k_sem_give(sync_sem)


def handler_release():
    k_sem_give(rel_sem)


def async_release_cb(timer):
    handler_release()


async_releaser = K_TIMER_DEFINE("async_releaser", async_release_cb, None)


def async_release():
    k_timer_start(async_releaser, K_TICKS(1), K_NO_WAIT)


def rel_handler(work):
    k_sem_take(rel_sem, K_FOREVER)
    counter_handler(work)


def delay_handler(work):
    k_sleep(K_MSEC(DELAY_MS))
    counter_handler(work)


def test_work_init():
    fnstat = K_WORK_DEFINE("fnstat", counter_handler)

    stack = k_work()

    k_work_init(stack, counter_handler)
    zassert_equal(stack, fnstat, None)


def test_delayable_init():
    fnstat = K_WORK_DELAYABLE_DEFINE("fnstat", counter_handler)

    stack = k_work_delayable()

    k_work_init_delayable(stack, counter_handler)
    zassert_equal(stack, fnstat, None)


@ZTEST("work")
def test_unstarted():
    k_work_init(common_work, counter_handler)
    zassert_equal(k_work_busy_get(common_work), 0)

    rc = k_work_submit_to_queue(not_start_queue, common_work)
    zassert_equal(rc, -errno.ENODEV)


def cooplo_main(workq_ptr, p2, p3):
    queue = workq_ptr

    cfg = k_work_queue_config(name="wq.cooplo", no_yield=True)

    k_work_queue_run(queue, cfg)


def test_queue_start():
    cfg = k_work_queue_config(name="wq.preempt")
    k_work_queue_init(preempt_queue)
    zassert_equal(preempt_queue.flags, 0)
    k_work_queue_start(preempt_queue, preempt_stack, STACK_SIZE, PREEMPT_PRIORITY, cfg)
    zassert_equal(preempt_queue.flags, K_WORK_QUEUE_STARTED)

    if IS_ENABLED("CONFIG_THREAD_NAME"):
        tn = k_thread_name_get(preempt_queue.thread)

        zassert_true(tn is not None)
        zassert_str_equal(tn, cfg.name)

    cfg.name = None
    zassert_equal(invalid_test_queue.flags, 0)
    k_work_queue_start(invalid_test_queue, invalid_test_stack, STACK_SIZE, PREEMPT_PRIORITY, cfg)
    zassert_equal(invalid_test_queue.flags, K_WORK_QUEUE_STARTED)

    if IS_ENABLED("CONFIG_THREAD_NAME"):
        tn = k_thread_name_get(invalid_test_queue.thread)

        zassert_true(tn is not None)
        zassert_str_equal(tn, "")

    cfg.name = "wq.coophi"
    cfg.no_yield = True
    k_work_queue_start(coophi_queue, coophi_stack, STACK_SIZE, COOPHI_PRIORITY, cfg)
    zassert_equal(coophi_queue.flags, K_WORK_QUEUE_STARTED | K_WORK_QUEUE_NO_YIELD, None)

    k_thread_create(cooplo_thread, cooplo_stack, STACK_SIZE, cooplo_main, cooplo_queue,
                    None, None, COOPLO_PRIORITY, 0, K_FOREVER)

    k_thread_start(cooplo_thread)

    k_msleep(1)

    zassert_equal(cooplo_queue.flags, K_WORK_QUEUE_STARTED | K_WORK_QUEUE_NO_YIELD, None)


@ZTEST("work")
def test_null_queue():
    k_work_init(common_work, counter_handler)
    zassert_equal(k_work_busy_get(common_work), 0)

    rc = k_work_submit_to_queue(None, common_work)
    zassert_equal(rc, -errno.EINVAL)


@ZTEST("work_1cpu")
def test_1cpu_simple_queue():
    reset_counters()
    k_work_init(common_work, counter_handler)
    zassert_equal(k_work_busy_get(common_work), 0)
    zassert_equal(k_work_is_pending(common_work), False)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)
    zassert_equal(k_work_busy_get(common_work), K_WORK_QUEUED)
    zassert_equal(k_work_is_pending(common_work), True)

    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 1)
    zassert_equal(k_work_busy_get(common_work), 0)

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


@ZTEST("work")
def test_smp_simple_queue():
    if not IS_ENABLED("CONFIG_SMP") or (CONFIG_MP_MAX_NUM_CPUS == 1):
        ztest_test_skip()
        return

    reset_counters()
    k_work_init(common_work, counter_handler)
    zassert_equal(k_work_busy_get(common_work), 0)
    zassert_equal(k_work_is_pending(common_work), False)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)

    ts0 = k_uptime_ticks()

    while True:
        delay = k_ticks_to_ms_floor32(k_uptime_ticks() - ts0)
        if not (k_work_is_pending(common_work) and (delay < DELAY_MS)):
            break

    zassert_equal(k_work_busy_get(common_work), 0)
    zassert_equal(coophi_counter(), 1)

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


@ZTEST("work_1cpu")
def test_1cpu_sync_queue():
    reset_counters()
    k_work_init(common_work, rel_handler)
    zassert_equal(k_work_busy_get(common_work), 0)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)
    zassert_equal(k_work_busy_get(common_work), K_WORK_QUEUED)

    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 0)
    zassert_equal(k_work_busy_get(common_work), K_WORK_RUNNING)

    handler_release()
    zassert_equal(coophi_counter(), 0)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)
    zassert_equal(coophi_counter(), 1)


@ZTEST("work_1cpu")
def test_1cpu_reentrant_queue():
    reset_counters()
    k_work_init(common_work, rel_handler)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 0)

    rc = k_work_submit_to_queue(preempt_queue, common_work)
    zassert_equal(rc, 2)

    handler_release()
    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)
    zassert_equal(coophi_counter(), 1)

    handler_release()
    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)
    zassert_equal(coophi_counter(), 2)


@ZTEST("work_1cpu")
def test_1cpu_queued_flush():
    reset_counters()
    k_work_init(common_work, delay_handler)
    k_work_init(common_work1, delay_handler)

    rc = k_work_submit_to_queue(coophi_queue, common_work1)
    zassert_equal(rc, 1)
    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    zassert_equal(k_work_busy_get(common_work), K_WORK_QUEUED)
    zassert_equal(k_work_busy_get(common_work1), K_WORK_QUEUED)
    zassert_true(k_work_flush(common_work, work_sync))
    zassert_false(k_work_flush(common_work1, work_sync))

    zassert_equal(coophi_counter(), 2)
    zassert_true(not k_work_is_pending(common_work))
    zassert_true(not k_work_is_pending(common_work1))
    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)

    zassert_false(k_work_flush(common_work, work_sync))
    zassert_false(k_work_flush(common_work1, work_sync))


@ZTEST("work_1cpu")
def test_1cpu_running_flush():
    reset_counters()
    k_work_init(common_work, delay_handler)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)
    zassert_equal(k_work_busy_get(common_work), K_WORK_QUEUED)

    k_sleep(K_TICKS(1))
    zassert_equal(k_work_busy_get(common_work), K_WORK_RUNNING)
    zassert_equal(coophi_counter(), 0)

    zassert_true(k_work_flush(common_work, work_sync))

    zassert_equal(coophi_counter(), 1)
    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


@ZTEST("work_1cpu")
def test_1cpu_delayed_flush():
    reset_counters()
    k_work_init_delayable(dwork, counter_handler)

    zassert_false(k_work_flush_delayable(dwork, work_sync))

    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    flush_ms = k_uptime_get_32()
    zassert_true(k_work_flush_delayable(dwork, work_sync))
    wait_ms = (last_handle_ms - flush_ms) & UINT32_MAX
    zassert_true(wait_ms <= 1, "waited %u", wait_ms)

    zassert_equal(coophi_counter(), 1)
    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


@ZTEST("work_1cpu")
def test_1cpu_queued_cancel():
    reset_counters()
    k_work_init(common_work, rel_handler)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    zassert_equal(k_work_cancel(common_work), 0)

    zassert_equal(coophi_counter(), 0)


@ZTEST("work_1cpu")
def test_1cpu_queued_cancel_sync():
    reset_counters()
    k_work_init(common_work, rel_handler)

    zassert_false(k_work_cancel_sync(common_work, work_sync))

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    zassert_true(k_work_cancel_sync(common_work, work_sync))

    zassert_equal(coophi_counter(), 0)


@ZTEST("work_1cpu")
def test_1cpu_delayed_cancel():
    reset_counters()
    k_work_init_delayable(dwork, rel_handler)

    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    zassert_equal(k_work_cancel_delayable(dwork), 0)

    zassert_equal(coophi_counter(), 0)


@ZTEST("work_1cpu")
def test_1cpu_delayed_cancel_sync():
    reset_counters()
    k_work_init_delayable(dwork, rel_handler)

    zassert_false(k_work_cancel_delayable_sync(dwork, work_sync))

    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    zassert_true(k_work_cancel_delayable_sync(dwork, work_sync))

    zassert_equal(coophi_counter(), 0)


@ZTEST("work_1cpu")
def test_1cpu_delayed_cancel_sync_wait():
    reset_counters()
    k_work_init_delayable(dwork, rel_handler)

    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_NO_WAIT)
    zassert_equal(k_work_delayable_busy_get(dwork), K_WORK_QUEUED)
    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 0)
    zassert_equal(k_work_delayable_busy_get(dwork), K_WORK_RUNNING)

    async_release()
    zassert_true(k_work_cancel_delayable_sync(dwork, work_sync))

    zassert_equal(coophi_counter(), 1)
    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


class test_running_cancel_timer:
    def __init__(self):
        self.timer = k_timer()
        self.work = k_work()
        self.submit_rc = 0
        self.busy_rc = 0


test_running_cancel_ctx = test_running_cancel_timer()


def test_running_cancel_cb(timer):
    ctx = test_running_cancel_ctx  # CONTAINER_OF(timer, struct test_running_cancel_timer, timer)
    assert ctx.timer is timer

    ctx.busy_rc = k_work_busy_get(ctx.work)
    ctx.submit_rc = k_work_submit_to_queue(coophi_queue, ctx.work)
    handler_release()


@ZTEST("work_1cpu")
def test_1cpu_running_cancel():
    ctx = test_running_cancel_ctx
    wp = ctx.work
    ms_timeout = 10

    reset_counters()
    k_work_init(wp, rel_handler)

    rc = k_work_submit_to_queue(coophi_queue, wp)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 0)

    ctx.submit_rc = INT_MAX
    ctx.busy_rc = INT_MAX
    k_timer_init(ctx.timer, test_running_cancel_cb, None)
    k_timer_start(ctx.timer, K_MSEC(ms_timeout), K_NO_WAIT)

    zassert_equal(k_work_cancel(wp), K_WORK_RUNNING | K_WORK_CANCELING, None)

    zassert_equal(coophi_counter(), 0)

    k_busy_wait(1000 * ms_timeout + k_ticks_to_us_ceil32(1) + 1000)

    zassert_equal(k_timer_status_get(ctx.timer), 1)

    zassert_true(k_work_cancel_sync(wp, work_sync))

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)

    zassert_equal(ctx.busy_rc, K_WORK_RUNNING | K_WORK_CANCELING)

    zassert_equal(ctx.submit_rc, -errno.EBUSY)

    rc = k_work_busy_get(wp)
    zassert_equal(rc, 0, "bad: %d", rc)


@ZTEST("work_1cpu")
def test_1cpu_running_cancel_sync():
    ctx = test_running_cancel_ctx
    wp = ctx.work
    ms_timeout = 10

    reset_counters()
    k_work_init(wp, rel_handler)

    rc = k_work_submit_to_queue(coophi_queue, wp)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 0)

    ctx.submit_rc = INT_MAX
    ctx.busy_rc = INT_MAX
    k_timer_init(ctx.timer, test_running_cancel_cb, None)
    k_timer_start(ctx.timer, K_MSEC(ms_timeout), K_NO_WAIT)

    zassert_true(k_work_cancel_sync(wp, work_sync))

    zassert_equal(coophi_counter(), 1)

    k_busy_wait(1000 * ms_timeout + k_ticks_to_us_ceil32(1) + 1000)

    zassert_equal(k_timer_status_get(ctx.timer), 1)

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)

    zassert_equal(ctx.busy_rc, K_WORK_RUNNING | K_WORK_CANCELING, None)

    zassert_equal(ctx.submit_rc, -errno.EBUSY)

    rc = k_work_busy_get(wp)
    zassert_equal(rc, 0, "bad: %d", rc)


@ZTEST("work")
def test_smp_running_cancel():
    if not IS_ENABLED("CONFIG_SMP") or (CONFIG_MP_MAX_NUM_CPUS == 1):
        ztest_test_skip()
        return

    reset_counters()
    k_work_init(common_work, delay_handler)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)

    ts0 = k_uptime_ticks()

    while True:
        delay = k_ticks_to_ms_floor32(k_uptime_ticks() - ts0)
        if not ((k_work_busy_get(common_work) != K_WORK_RUNNING) and (delay < DELAY_MS)):
            break

    rc = k_work_cancel(common_work)
    zassert_equal(rc, K_WORK_RUNNING | K_WORK_CANCELING, "rc %x", rc)

    zassert_equal(k_work_cancel_sync(common_work, work_sync), True)

    zassert_equal(coophi_counter(), 1)
    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


@ZTEST("work")
def test_drain_empty():
    rc = k_work_queue_drain(coophi_queue, False)
    zassert_equal(rc, 0)


class test_drain_wait_timer:
    def __init__(self):
        self.timer = k_timer()
        self.work = k_work()
        self.submit_rc = 0


test_drain_wait_ctx = test_drain_wait_timer()


def test_drain_wait_cb(timer):
    ctx = test_drain_wait_ctx  # CONTAINER_OF(timer, struct test_drain_wait_timer, timer)
    assert ctx.timer is timer

    ctx.submit_rc = k_work_submit_to_queue(coophi_queue, ctx.work)


@ZTEST("work_1cpu")
def test_1cpu_drain_wait():
    ctx = test_drain_wait_ctx
    wp = ctx.work

    reset_counters()
    atomic_set(resubmits_left, 1)
    k_work_init(wp, delay_handler)

    rc = k_work_submit_to_queue(coophi_queue, wp)
    zassert_equal(rc, 1)
    zassert_equal(coophi_counter(), 0)

    ctx.submit_rc = INT_MAX
    k_timer_init(ctx.timer, test_drain_wait_cb, None)
    k_timer_start(ctx.timer, K_MSEC(10), K_NO_WAIT)

    rc = k_work_queue_drain(coophi_queue, False)
    zassert_equal(rc, 1)

    k_timer_status_sync(ctx.timer)

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)

    zassert_equal(coophi_counter(), 2)
    zassert_equal(ctx.submit_rc, -errno.EBUSY)


@ZTEST("work_1cpu")
def test_1cpu_plugged_drain():
    reset_counters()
    k_work_init(common_work, delay_handler)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)

    rc = k_work_queue_drain(coophi_queue, True)
    zassert_equal(rc, 1)

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)
    zassert_equal(coophi_counter(), 1)

    zassert_equal(coophi_queue.flags,
                  K_WORK_QUEUE_STARTED | K_WORK_QUEUE_PLUGGED | K_WORK_QUEUE_NO_YIELD, None)

    k_work_init(common_work, counter_handler)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, -errno.EBUSY)

    rc = k_work_queue_unplug(coophi_queue)
    zassert_equal(rc, 0)

    rc = k_work_queue_unplug(coophi_queue)
    zassert_equal(rc, -errno.EALREADY)
    zassert_equal(coophi_queue.flags, K_WORK_QUEUE_STARTED | K_WORK_QUEUE_NO_YIELD, None)

    rc = k_work_submit_to_queue(coophi_queue, common_work)
    zassert_equal(rc, 1)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)
    zassert_equal(coophi_counter(), 2)


@ZTEST("work_1cpu")
def test_1cpu_basic_schedule():
    max_ms = k_ticks_to_ms_ceil32(1 + k_ms_to_ticks_ceil32(DELAY_MS))
    wp = dwork.work

    reset_counters()
    k_work_init_delayable(dwork, counter_handler)
    wp = dwork.work

    zassert_equal(k_work_busy_get(wp), 0)
    zassert_equal(wp.flags & K_WORK_DELAYABLE, K_WORK_DELAYABLE, None)

    k_sleep(K_TICKS(1))
    sched_ms = k_uptime_get_32()
    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)
    rc = k_work_busy_get(wp)
    zassert_equal(rc, K_WORK_DELAYED)
    zassert_equal(k_work_delayable_busy_get(dwork), rc)
    zassert_equal(k_work_delayable_is_pending(dwork), True)

    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_NO_WAIT)
    zassert_equal(rc, 0)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(coophi_counter(), 1)
    zassert_equal(k_work_busy_get(wp), 0)

    elapsed_ms = (last_handle_ms - sched_ms) & UINT32_MAX
    zassert_true(elapsed_ms >= DELAY_MS, "short %u < %u\n", elapsed_ms, DELAY_MS)
    zassert_true(elapsed_ms <= max_ms, "long %u > %u\n", elapsed_ms, max_ms)


class state_1cpu_basic_schedule_running:
    def __init__(self):
        self.dwork = k_work_delayable()
        self.schedule_res = 0


def handle_1cpu_basic_schedule_running(work):
    one_dwork = k_work_delayable_from_work(work)
    state = basic_schedule_running_state  # CONTAINER_OF(one_dwork, struct state_..., dwork)
    assert state.dwork is one_dwork

    if atomic_dec(resubmits_left) > 0:
        state.schedule_res = k_work_schedule_for_queue(one_dwork.work.queue, one_dwork,
                                                       K_MSEC(DELAY_MS))
    else:
        state.schedule_res = -errno.EALREADY

    counter_handler(work)


basic_schedule_running_state = state_1cpu_basic_schedule_running()
basic_schedule_running_state.schedule_res = -1


@ZTEST("work_1cpu")
def test_1cpu_basic_schedule_running():
    state = basic_schedule_running_state

    reset_counters()
    atomic_set(resubmits_left, 1)
    k_work_init_delayable(state.dwork, handle_1cpu_basic_schedule_running)

    zassert_equal(state.schedule_res, -1)

    rc = k_work_schedule_for_queue(coophi_queue, state.dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)

    zassert_equal(coop_counter(coophi_queue), 0)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)
    zassert_equal(state.schedule_res, 1)
    zassert_equal(coop_counter(coophi_queue), 1)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)
    zassert_equal(state.schedule_res, -errno.EALREADY)
    zassert_equal(coop_counter(coophi_queue), 2)


@ZTEST("work_1cpu")
def test_1cpu_immed_schedule():
    reset_counters()
    k_work_init_delayable(dwork, counter_handler)
    wp = dwork.work
    zassert_equal(k_work_busy_get(wp), 0)

    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_NO_WAIT)
    zassert_equal(rc, 1)
    rc = k_work_busy_get(wp)
    zassert_equal(rc, K_WORK_QUEUED)
    zassert_equal(k_work_delayable_busy_get(dwork), rc)
    zassert_equal(k_work_delayable_is_pending(dwork), True)

    rc = k_work_schedule_for_queue(coophi_queue, dwork, K_NO_WAIT)
    zassert_equal(rc, 0)

    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 1)
    zassert_equal(k_work_busy_get(wp), 0)

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


@ZTEST("work_1cpu")
def test_1cpu_basic_reschedule():
    max_ms = k_ticks_to_ms_ceil32(1 + k_ms_to_ticks_ceil32(DELAY_MS))

    reset_counters()
    k_work_init_delayable(dwork, counter_handler)
    wp = dwork.work

    zassert_equal(k_work_busy_get(wp), 0)
    zassert_equal(wp.flags & K_WORK_DELAYABLE, K_WORK_DELAYABLE, None)

    rc = k_work_reschedule_for_queue(preempt_queue, dwork, K_MSEC(2 * DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(k_work_busy_get(wp), K_WORK_DELAYED)

    k_sleep(K_TICKS(1))
    sched_ms = k_uptime_get_32()
    rc = k_work_reschedule_for_queue(coophi_queue, dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(k_work_busy_get(wp), K_WORK_DELAYED)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(coophi_counter(), 1)
    zassert_equal(k_work_busy_get(wp), 0)

    elapsed_ms = (last_handle_ms - sched_ms) & UINT32_MAX
    zassert_true(elapsed_ms >= DELAY_MS, "short %u < %u\n", elapsed_ms, DELAY_MS)
    zassert_true(elapsed_ms <= max_ms, "long %u > %u\n", elapsed_ms, max_ms)


@ZTEST("work_1cpu")
def test_1cpu_immed_reschedule():
    reset_counters()
    k_work_init_delayable(dwork, delay_handler)
    wp = dwork.work
    zassert_equal(k_work_busy_get(wp), 0)

    rc = k_work_reschedule_for_queue(coophi_queue, dwork, K_NO_WAIT)
    zassert_equal(rc, 1)
    zassert_equal(k_work_busy_get(wp), K_WORK_QUEUED)

    zassert_equal(coophi_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(coophi_counter(), 0)
    zassert_equal(k_work_busy_get(wp), K_WORK_RUNNING)

    rc = k_work_reschedule_for_queue(preempt_queue, dwork, K_NO_WAIT)
    zassert_equal(rc, 2)
    zassert_equal(k_work_busy_get(wp), K_WORK_QUEUED | K_WORK_RUNNING, None)

    rc = k_work_reschedule_for_queue(preempt_queue, dwork, K_MSEC(3 * DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(k_work_busy_get(wp), K_WORK_DELAYED | K_WORK_QUEUED | K_WORK_RUNNING, None)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(coophi_counter(), 1)
    zassert_equal(k_work_busy_get(wp), K_WORK_DELAYED | K_WORK_RUNNING, None)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(coophi_counter(), 2)
    zassert_equal(preempt_counter(), 0)
    zassert_equal(k_work_busy_get(wp), K_WORK_DELAYED, None)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(coophi_counter(), 2)
    zassert_equal(preempt_counter(), 1)
    zassert_equal(k_work_busy_get(wp), K_WORK_RUNNING, None)

    rc = k_work_queue_drain(preempt_queue, False)
    zassert_equal(rc, 1)


def try_queue_no_yield(wq):
    is_high = (k_thread_priority_get(k_work_queue_thread_get(wq))
               < k_thread_priority_get(k_current_get()))

    TC_PRINT("Testing no-yield on %s-priority queue\n", "high" if is_high else "low")
    reset_counters()

    k_work_init(common_work, counter_handler)
    k_work_init_delayable(dwork, counter_handler)

    rc = k_work_submit_to_queue(wq, common_work)
    zassert_equal(rc, 1)
    rc = k_work_schedule_for_queue(wq, dwork, K_NO_WAIT)
    zassert_equal(rc, 1)

    zassert_equal(k_work_is_pending(common_work), True)
    zassert_equal(k_work_delayable_is_pending(dwork), True)
    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(coop_counter(wq), 2)
    zassert_equal(k_work_is_pending(common_work), False)
    zassert_equal(k_work_delayable_is_pending(dwork), False)

    zassert_equal(k_sem_take(sync_sem, K_NO_WAIT), 0)

    zassert_equal(k_sem_take(sync_sem, K_NO_WAIT), -errno.EBUSY)

    return is_high


@ZTEST("work_1cpu")
def test_1cpu_queue_no_yield():
    k_sem_init(sync_sem, 0, 2)
    zassert_equal(try_queue_no_yield(coophi_queue), True)
    zassert_equal(try_queue_no_yield(cooplo_queue), False)
    k_sem_init(sync_sem, 0, 1)


@ZTEST("work_1cpu")
def test_1cpu_system_queue():
    reset_counters()
    k_work_init(common_work, counter_handler)
    zassert_equal(k_work_busy_get(common_work), 0)

    rc = k_work_submit(common_work)
    zassert_equal(rc, 1)
    zassert_equal(k_work_busy_get(common_work), K_WORK_QUEUED)

    zassert_equal(system_counter(), 0)

    k_sleep(K_TICKS(1))
    zassert_equal(system_counter(), 1)
    zassert_equal(k_work_busy_get(common_work), 0)

    rc = k_sem_take(sync_sem, K_NO_WAIT)
    zassert_equal(rc, 0)


@ZTEST("work_1cpu")
def test_1cpu_system_schedule():
    max_ms = k_ticks_to_ms_ceil32(1 + k_ms_to_ticks_ceil32(DELAY_MS))

    reset_counters()
    k_work_init_delayable(dwork, counter_handler)

    zassert_equal(k_work_delayable_busy_get(dwork), 0)
    zassert_equal(dwork.work.flags & K_WORK_DELAYABLE, K_WORK_DELAYABLE, None)

    k_sleep(K_TICKS(1))
    sched_ms = k_uptime_get_32()
    rc = k_work_schedule(dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(k_work_delayable_busy_get(dwork), K_WORK_DELAYED)

    rc = k_work_schedule(dwork, K_NO_WAIT)
    zassert_equal(rc, 0)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(system_counter(), 1)
    zassert_equal(k_work_delayable_busy_get(dwork), 0)

    elapsed_ms = (last_handle_ms - sched_ms) & UINT32_MAX
    zassert_true(elapsed_ms >= DELAY_MS, "short %u < %u\n", elapsed_ms, DELAY_MS)
    zassert_true(elapsed_ms <= max_ms, "long %u > %u\n", elapsed_ms, max_ms)


@ZTEST("work_1cpu")
def test_1cpu_system_reschedule():
    max_ms = k_ticks_to_ms_ceil32(1 + k_ms_to_ticks_ceil32(DELAY_MS))

    reset_counters()
    k_work_init_delayable(dwork, counter_handler)

    zassert_equal(k_work_delayable_busy_get(dwork), 0)
    zassert_equal(dwork.work.flags & K_WORK_DELAYABLE, K_WORK_DELAYABLE, None)

    rc = k_work_reschedule(dwork, K_MSEC(2 * DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(k_work_delayable_busy_get(dwork), K_WORK_DELAYED)

    k_sleep(K_TICKS(1))
    sched_ms = k_uptime_get_32()
    rc = k_work_reschedule(dwork, K_MSEC(DELAY_MS))
    zassert_equal(rc, 1)
    zassert_equal(k_work_delayable_busy_get(dwork), K_WORK_DELAYED)

    rc = k_sem_take(sync_sem, K_FOREVER)
    zassert_equal(rc, 0)

    zassert_equal(system_counter(), 1)
    zassert_equal(k_work_delayable_busy_get(dwork), 0)

    elapsed_ms = (last_handle_ms - sched_ms) & UINT32_MAX
    zassert_true(elapsed_ms >= DELAY_MS, "short %u < %u\n", elapsed_ms, DELAY_MS)
    zassert_true(elapsed_ms <= max_ms, "long %u > %u\n", elapsed_ms, max_ms)


@ZTEST("work")
def test_nop():
    ztest_test_skip()


def workq_setup():
    global main_thread, run_flag
    main_thread = k_current_get()
    k_sem_init(sync_sem, 0, 1)
    k_sem_init(rel_sem, 0, 1)

    test_work_init()
    test_delayable_init()

    if run_flag:
        test_queue_start()
        run_flag = False

    return None


ZTEST_SUITE("work_1cpu", None, workq_setup, ztest_simple_1cpu_before, ztest_simple_1cpu_after,
            None)
ZTEST_SUITE("work", None, workq_setup, None, None, None)
