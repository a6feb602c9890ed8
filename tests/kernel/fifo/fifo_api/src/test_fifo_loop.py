# SPDX-License-Identifier: Apache-2.0
"""test_fifo_loop.c: data passed around a thread, an ISR and another thread, 32 times."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    irq_offload,
    k_fifo,
    k_fifo_get,
    k_fifo_init,
    k_fifo_put,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
)
from zpy.ztest import TC_PRINT, ZTEST, zassert_equal

from .test_fifo import fdata_t

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 4
LOOPS = 32

data = [fdata_t() for _ in range(LIST_LEN)]
fifo = k_fifo()
tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tdata = k_thread()
end_sema = k_sem()


def tfifo_put(pfifo):
    # TESTPOINT: fifo put
    for i in range(LIST_LEN):
        k_fifo_put(pfifo, data[i])


def tfifo_get(pfifo):
    # get fifo data from "fifo_put"
    for i in range(LIST_LEN):
        # TESTPOINT: fifo get
        rx_data = k_fifo_get(pfifo, K_NO_WAIT)
        zassert_equal(rx_data, data[i], None)


# entry of contexts
def tIsr_entry(p):
    TC_PRINT("isr fifo get\n")
    tfifo_get(p)
    TC_PRINT("isr fifo put ---> ")
    tfifo_put(p)


def tThread_entry(p1, p2, p3):
    TC_PRINT("thread fifo get\n")
    tfifo_get(p1)
    k_sem_give(end_sema)
    TC_PRINT("thread fifo put ---> ")
    tfifo_put(p1)
    k_sem_give(end_sema)


# fifo read write job
def tfifo_read_write(pfifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-isr-thread data passing via fifo
    tid = k_thread_create(tdata, tstack, STACK_SIZE,
                          tThread_entry, pfifo, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    TC_PRINT("main fifo put ---> ")
    tfifo_put(pfifo)
    irq_offload(tIsr_entry, pfifo)
    k_sem_take(end_sema, K_FOREVER)
    k_sem_take(end_sema, K_FOREVER)

    TC_PRINT("main fifo get\n")
    tfifo_get(pfifo)
    k_thread_abort(tid)
    TC_PRINT("\n")


@ZTEST("fifo_api_1cpu")
def test_fifo_loop():
    """Data passes steadily between a thread, an ISR and a spawned thread, in a loop."""
    k_fifo_init(fifo)
    for i in range(LOOPS):
        TC_PRINT("* Pass data by fifo in loop %d\n", i)
        tfifo_read_write(fifo)
