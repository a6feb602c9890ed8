"""Zephyr's tests/kernel/sched/preempt/src/main.c, line by line.

Threads of each priority class (meta-IRQ, cooperative, preemptible) wait on a
semaphore each; a low-priority manager wakes one, which wakes another, with and
without the scheduler lock, directly or from an ISR, then yields, sleeps or
does neither; whoever ran next must be who Zephyr's rules say.
"""

from zpy.autoconf import (
    CONFIG_MP_MAX_NUM_CPUS,
    CONFIG_NUM_COOP_PRIORITIES,
    CONFIG_NUM_METAIRQ_PRIORITIES,
    CONFIG_NUM_PREEMPT_PRIORITIES,
)
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_HIGHEST_THREAD_PRIO,
    K_LOWEST_APPLICATION_THREAD_PRIO,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    irq_offload,
    k_busy_wait,
    k_current_get,
    k_sched_lock,
    k_sched_unlock,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_join,
    k_thread_state_str,
    k_uptime_get,
    k_yield,
)
from zpy.kernel.sched import _THREAD_PENDING  # <zephyr/kernel_structs.h>
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_false, zassert_not_null, zassert_true

if CONFIG_MP_MAX_NUM_CPUS > 1:
    raise SystemExit("Preemption test requires single-CPU operation")
if CONFIG_NUM_METAIRQ_PRIORITIES < 1:
    raise SystemExit("Need one metairq priority")
if CONFIG_NUM_COOP_PRIORITIES < 2:
    raise SystemExit("Need two cooperative priorities")
if CONFIG_NUM_PREEMPT_PRIORITIES < 2:
    raise SystemExit("Need two preemptible priorities")

METAIRQ, COOP, PREEMPTIBLE = range(3)
worker_priorities = [METAIRQ, COOP, COOP, PREEMPTIBLE, PREEMPTIBLE]

NUM_THREADS = len(worker_priorities)
STACK_SIZE = 640

last_wakeup_thread = None
manager_thread = k_thread()
manager_stack = K_THREAD_STACK_DEFINE("manager_stack", STACK_SIZE)
worker_threads = [k_thread() for _ in range(NUM_THREADS)]
worker_stacks = [K_THREAD_STACK_DEFINE("worker_stacks", STACK_SIZE) for _ in range(NUM_THREADS)]
worker_sems = [k_sem() for _ in range(NUM_THREADS)]

wakeup_target = 0
do_lock = 0
do_irq = 0
do_sleep = 0
do_yield = 0

main_sem = K_SEM_DEFINE("main_sem", 0, 1)


def strstr(haystack, needle):
    i = haystack.find(needle)
    return None if i < 0 else haystack[i:]


def Z_SPIN_DELAY(us):
    k_busy_wait(us)


def wakeup_src_thread(id):
    global last_wakeup_thread
    src_thread = worker_threads[id]

    zassert_true(k_current_get() is manager_thread, "")

    if do_irq and IS_ENABLED("CONFIG_ARM"):
        return

    last_wakeup_thread = None

    for i in range(NUM_THREADS):
        th = worker_threads[i]
        str = k_thread_state_str(th)
        zassert_not_null(strstr(str, "pending"), "worker thread %d not pending?", i)

    last_wakeup_thread = None
    k_sem_give(worker_sems[id])

    while do_sleep and not (src_thread.thread_state & _THREAD_PENDING):
        Z_SPIN_DELAY(50)

    zassert_true(not not last_wakeup_thread, "")


def manager(p1, p2, p3):
    global wakeup_target, do_lock, do_irq, do_yield, do_sleep
    for src in range(NUM_THREADS):
        wakeup_target = 0
        while wakeup_target < NUM_THREADS:
            if src == wakeup_target:
                wakeup_target += 1
                continue
            do_lock = 0
            while do_lock < 2:
                do_irq = 0
                while do_irq < 2:
                    do_yield = 0
                    do_sleep = 0
                    wakeup_src_thread(src)

                    do_yield = 1
                    do_sleep = 0
                    wakeup_src_thread(src)

                    do_yield = 0
                    do_sleep = 1
                    wakeup_src_thread(src)
                    do_irq += 1
                do_lock += 1
            wakeup_target += 1

    k_sem_give(main_sem)


def irq_waker(p):
    k_sem_give(worker_sems[wakeup_target])


def PRI(n):
    return worker_priorities[n]


def validate_wakeup(src, target, last_thread):
    preempted = worker_threads[target] is last_thread
    src_wins = PRI(src) < PRI(target)
    target_wins = PRI(target) < PRI(src)
    tie = PRI(src) == PRI(target)

    if do_sleep:
        zassert_true(preempted, "sleeping must let any worker run")
        return

    if do_yield:
        if preempted:
            zassert_false(src_wins, "src (pri %d) should not have yielded to tgt (%d)",
                          PRI(src), PRI(target))
        else:
            zassert_true(src_wins, "src (pri %d) should have yielded to tgt (%d)",
                         PRI(src), PRI(target))
        return

    if preempted:
        zassert_true(target_wins, "preemption must raise priority")

    if PRI(target) == METAIRQ:
        zassert_true(preempted, "metairq threads must always preempt")
    else:
        zassert_false(do_lock and preempted,
                      "threads holding scheduler lock must not be preempted")

        zassert_false(preempted and src_wins, "lower priority threads must never preempt")

        if not do_lock:
            zassert_false(not preempted and target_wins,
                          "higher priority thread should have preempted")

            zassert_false(preempted and tie, "tied priority should not preempt")


def worker(p1, p2, p3):
    global last_wakeup_thread
    id = p1
    curr = worker_threads[id]

    zassert_true(0 <= id < NUM_THREADS, "")
    zassert_true(curr is k_current_get(), "")

    while True:
        k_sem_take(worker_sems[id], K_FOREVER)

        last_wakeup_thread = curr

        if id == wakeup_target:
            continue

        if do_lock:
            k_sched_lock()

        if do_irq:
            irq_offload(irq_waker, None)
            prev = last_wakeup_thread
        else:
            k_sem_give(worker_sems[wakeup_target])
            prev = last_wakeup_thread

        if do_lock:
            k_sched_unlock()

        if do_yield:
            k_yield()
            prev = last_wakeup_thread

        if do_sleep:
            start = k_uptime_get()

            k_sleep(K_MSEC(1))

            zassert_true(k_uptime_get() - start > 0, "didn't sleep")
            prev = last_wakeup_thread

        validate_wakeup(id, wakeup_target, prev)


@ZTEST("suite_preempt")
def test_preempt():
    for i in range(NUM_THREADS):
        k_sem_init(worker_sems[i], 0, 1)

        if worker_priorities[i] == METAIRQ:
            priority = K_HIGHEST_THREAD_PRIO
        elif worker_priorities[i] == COOP:
            priority = K_HIGHEST_THREAD_PRIO + CONFIG_NUM_METAIRQ_PRIORITIES

            zassert_true(priority < K_PRIO_PREEMPT(0), "")
        else:
            priority = K_LOWEST_APPLICATION_THREAD_PRIO - 1

            zassert_true(priority >= K_PRIO_PREEMPT(0), "")

        k_thread_create(worker_threads[i], worker_stacks[i], STACK_SIZE, worker, i, None, None,
                        priority, 0, K_NO_WAIT)

    k_thread_create(manager_thread, manager_stack, STACK_SIZE, manager, None, None, None,
                    K_LOWEST_APPLICATION_THREAD_PRIO, 0, K_NO_WAIT)

    k_sem_take(main_sem, K_FOREVER)

    k_thread_join(manager_thread, K_FOREVER)

    for i in range(NUM_THREADS):
        k_thread_abort(worker_threads[i])


ZTEST_SUITE("suite_preempt", None, None, None, None, None)
