# SPDX-License-Identifier: Apache-2.0
"""test_queue_loop.c: data passed around a thread, an ISR and another thread, with
k_queue_remove, 32 times."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    irq_offload,
    k_queue,
    k_queue_append,
    k_queue_get,
    k_queue_init,
    k_queue_prepend,
    k_queue_remove,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
)
from zpy.ztest import TC_PRINT, ZTEST, zassert_equal, zassert_true

from .test_queue import qdata_t

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 4
LOOPS = 32

data = [qdata_t() for _ in range(LIST_LEN)]
data_p = [qdata_t() for _ in range(LIST_LEN)]
data_r = [qdata_t() for _ in range(LIST_LEN)]
queue = k_queue()
tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tdata = k_thread()
end_sema = k_sem()


def tqueue_append(pqueue):
    # TESTPOINT: queue append
    for i in range(LIST_LEN):
        k_queue_append(pqueue, data[i])

    # TESTPOINT: queue prepend
    for i in range(LIST_LEN - 1, -1, -1):
        k_queue_prepend(pqueue, data_p[i])

    # TESTPOINT: queue find and remove
    for i in range(LIST_LEN - 1, -1, -1):
        k_queue_prepend(pqueue, data_r[i])


def tqueue_get(pqueue):
    # get queue data from "queue_prepend"
    for i in range(LIST_LEN):
        # TESTPOINT: queue get
        rx_data = k_queue_get(pqueue, K_NO_WAIT)
        zassert_equal(rx_data, data_p[i], None)

    # get queue data from "queue_append"
    for i in range(LIST_LEN):
        # TESTPOINT: queue get
        rx_data = k_queue_get(pqueue, K_NO_WAIT)
        zassert_equal(rx_data, data[i], None)


def tqueue_find_and_remove(pqueue):
    # remove queue data from "queue_find_and_remove"
    for i in range(LIST_LEN):
        # TESTPOINT: queue find and remove
        zassert_true(k_queue_remove(pqueue, data_r[i]), None)


# entry of contexts
def tIsr_entry(p):
    TC_PRINT("isr queue find and remove\n")
    tqueue_find_and_remove(p)
    TC_PRINT("isr queue get\n")
    tqueue_get(p)
    TC_PRINT("isr queue append ---> ")
    tqueue_append(p)


def tThread_entry(p1, p2, p3):
    TC_PRINT("thread queue find and remove\n")
    tqueue_find_and_remove(p1)
    TC_PRINT("thread queue get\n")
    tqueue_get(p1)
    k_sem_give(end_sema)
    TC_PRINT("thread queue append ---> ")
    tqueue_append(p1)
    k_sem_give(end_sema)


# queue read write job
def tqueue_read_write(pqueue):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-isr-thread data passing via queue
    tid = k_thread_create(tdata, tstack, STACK_SIZE,
                          tThread_entry, pqueue, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    TC_PRINT("main queue append ---> ")
    tqueue_append(pqueue)
    irq_offload(tIsr_entry, pqueue)
    k_sem_take(end_sema, K_FOREVER)
    k_sem_take(end_sema, K_FOREVER)

    TC_PRINT("main queue find and remove\n")
    tqueue_find_and_remove(pqueue)
    TC_PRINT("main queue get\n")
    tqueue_get(pqueue)
    k_thread_abort(tid)
    TC_PRINT("\n")


@ZTEST("queue_api_1cpu")
def test_queue_loop():
    """Data passes steadily between a thread, an ISR and a spawned thread, in a loop."""
    k_queue_init(queue)
    for i in range(LOOPS):
        TC_PRINT("* Pass data by queue in loop %d\n", i)
        tqueue_read_write(queue)
