# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/common (src/timeout_order.c), ported line by line."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_MSEC,
    K_NO_WAIT,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_STATE_SEM_AVAILABLE,
    K_POLL_TYPE_SEM_AVAILABLE,
    K_THREAD_STACK_DEFINE,
    k_busy_wait,
    k_current_get,
    k_poll,
    k_poll_event,
    k_poll_event_init,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_thread,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    k_timer,
    k_timer_init,
    k_timer_start,
    k_timer_status_sync,
    k_uptime_get_32,
    printk,
)
from zpy.ztest import (
    ZTEST,
    ZTEST_SUITE,
    zassert_equal,
    ztest_simple_1cpu_after,
    ztest_simple_1cpu_before,
)

NUM_TIMEOUTS = 3

timer = [k_timer() for _ in range(NUM_TIMEOUTS)]
sem = [k_sem() for _ in range(NUM_TIMEOUTS)]

results = [0] * NUM_TIMEOUTS
cur = 0


def thread(p1, p2, p3):
    global cur
    id = p1

    k_timer_status_sync(timer[id])
    printk("%s %x synced on timer %x\n", "thread", id, id)

    results[cur] = id
    cur += 1

    k_sem_give(sem[id])


STACKSIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE

stacks = [K_THREAD_STACK_DEFINE("stacks", STACKSIZE) for _ in range(NUM_TIMEOUTS)]
threads = [k_thread() for _ in range(NUM_TIMEOUTS)]


@ZTEST("common_1cpu")
def test_timeout_order():
    prio = k_thread_priority_get(k_current_get()) + 1

    for ii in range(NUM_TIMEOUTS):
        k_thread_create(threads[ii], stacks[ii], STACKSIZE, thread, ii, 0, 0, prio, 0,
                        K_NO_WAIT)
        k_timer_init(timer[ii], None, None)
        k_sem_init(sem[ii], 0, 1)
        results[ii] = -1

    uptime = k_uptime_get_32()

    while uptime == k_uptime_get_32():
        k_busy_wait(50)  # as on CONFIG_ARCH_POSIX: zpy's CPUs are native_sim's

    for ii in range(NUM_TIMEOUTS):
        k_timer_start(timer[ii], K_MSEC(100), K_NO_WAIT)

    poll_events = [k_poll_event() for _ in range(NUM_TIMEOUTS)]

    for ii in range(NUM_TIMEOUTS):
        k_poll_event_init(poll_events[ii], K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY,
                          sem[ii])

    k_thread_priority_set(k_current_get(), prio + 1)

    zassert_equal(k_poll(poll_events, NUM_TIMEOUTS, K_MSEC(2000)), 0, "")

    k_thread_priority_set(k_current_get(), prio - 1)

    for ii in range(NUM_TIMEOUTS):
        zassert_equal(poll_events[ii].state, K_POLL_STATE_SEM_AVAILABLE, "")
    for ii in range(NUM_TIMEOUTS):
        zassert_equal(results[ii], ii, "")


ZTEST_SUITE("common_1cpu", None, None, ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
