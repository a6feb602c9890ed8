# SPDX-License-Identifier: Apache-2.0
"""test_lifo_loop.c: data passed around a thread, an ISR and another thread, 32 times."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    irq_offload,
    k_lifo,
    k_lifo_get,
    k_lifo_init,
    k_lifo_put,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
)
from zpy.ztest import TC_PRINT, ZTEST, zassert_equal

from .test_lifo import ldata_t

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 4
LOOPS = 32

data = [ldata_t() for _ in range(LIST_LEN)]
lifo = k_lifo()
tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tdata = k_thread()
end_sema = k_sem()


def tlifo_put(plifo):
    for i in range(LIST_LEN):
        # TESTPOINT: lifo put
        k_lifo_put(plifo, data[i])


def tlifo_get(plifo):
    # get lifo data
    for i in range(LIST_LEN - 1, -1, -1):
        # TESTPOINT: lifo get
        rx_data = k_lifo_get(plifo, K_FOREVER)
        zassert_equal(rx_data, data[i], None)


# entry of contexts
def tIsr_entry(p):
    TC_PRINT("isr lifo get\n")
    tlifo_get(p)
    TC_PRINT("isr lifo put ---> ")
    tlifo_put(p)


def tThread_entry(p1, p2, p3):
    TC_PRINT("thread lifo get\n")
    tlifo_get(p1)
    k_sem_give(end_sema)
    TC_PRINT("thread lifo put ---> ")
    tlifo_put(p1)
    k_sem_give(end_sema)


# lifo read write job
def tlifo_read_write(plifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-isr-thread data passing via lifo
    tid = k_thread_create(tdata, tstack, STACK_SIZE,
                          tThread_entry, plifo, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    TC_PRINT("main lifo put ---> ")
    tlifo_put(plifo)
    irq_offload(tIsr_entry, plifo)
    k_sem_take(end_sema, K_FOREVER)
    k_sem_take(end_sema, K_FOREVER)

    TC_PRINT("main lifo get\n")
    tlifo_get(plifo)
    k_thread_abort(tid)
    TC_PRINT("\n")


@ZTEST("lifo_api_1cpu")
def test_lifo_loop():
    """Data passes steadily between a thread, an ISR and a spawned thread, in a loop."""
    k_lifo_init(lifo)
    for i in range(LOOPS):
        TC_PRINT("* Pass data by lifo in loop %d\n", i)
        tlifo_read_write(lifo)
