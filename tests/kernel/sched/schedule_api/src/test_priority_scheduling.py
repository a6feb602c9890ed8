"""Zephyr's tests/kernel/sched/schedule_api/src/test_priority_scheduling.c."""

from zpy.autoconf import CONFIG_SRAM_SIZE
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    k_current_get,
    k_sem_give,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
    k_thread_priority_set,
    printk,
)
from zpy.ztest import ZTEST, zassert_true

from .main import tstacks
from .test_sched import MAX_NUM_THREAD, STACK_SIZE

if CONFIG_SRAM_SIZE <= 24:
    NUM_THREAD = 2
elif CONFIG_SRAM_SIZE <= 32 or IS_ENABLED("CONFIG_SOC_EMSK_EM7D"):
    NUM_THREAD = 3
else:
    NUM_THREAD = 10
ITRERATION_COUNT = 5
BASE_PRIORITY = 1

assert NUM_THREAD <= MAX_NUM_THREAD

sema2 = K_SEM_DEFINE("sema2", 0, NUM_THREAD)
sema3 = K_SEM_DEFINE("sema3", 0, NUM_THREAD)

thread_idx = 0
t = [k_thread() for _ in range(NUM_THREAD)]


def TC_PRINT(fmt, *args):
    if IS_ENABLED("CONFIG_ZTEST_VERBOSE_OUTPUT"):
        printk(fmt, *args)


def thread_tslice(p1, p2, p3):
    global thread_idx
    idx = p1

    thread_parameter = ord("\n") if idx == NUM_THREAD - 1 else idx + ord("A")

    while True:
        TC_PRINT("%c", thread_parameter)
        zassert_true(idx == thread_idx)
        thread_idx = (thread_idx + 1) % NUM_THREAD

        k_sem_give(sema2)
        k_sem_take(sema3, K_FOREVER)


@ZTEST("threads_scheduling")
def test_priority_scheduling():
    tid = [None] * NUM_THREAD
    old_prio = k_thread_priority_get(k_current_get())
    count = 0

    k_thread_priority_set(k_current_get(), K_PRIO_PREEMPT(BASE_PRIORITY - 1))

    for i in range(NUM_THREAD):
        tid[i] = k_thread_create(t[i], tstacks[i], STACK_SIZE, thread_tslice, i, None, None,
                                 K_PRIO_PREEMPT(BASE_PRIORITY + i), 0, K_NO_WAIT)

    while count < ITRERATION_COUNT:
        for _ in range(NUM_THREAD):
            k_sem_take(sema2, K_FOREVER)
        k_sleep(K_MSEC(1))

        for _ in range(NUM_THREAD):
            k_sem_give(sema3)
        count += 1

    for i in range(NUM_THREAD):
        k_thread_abort(tid[i])
    k_thread_priority_set(k_current_get(), old_prio)
