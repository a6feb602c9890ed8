# SPDX-License-Identifier: Apache-2.0
"""test_fifo_contexts.c: data passing between threads and ISRs, and k_fifo_is_empty."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FIFO_DEFINE,
    K_FOREVER,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    irq_offload,
    k_fifo,
    k_fifo_get,
    k_fifo_init,
    k_fifo_is_empty,
    k_fifo_put,
    k_fifo_put_list,
    k_fifo_put_slist,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
    sys_slist_append,
    sys_slist_init,
    sys_slist_t,
)
from zpy.ztest import ZTEST, zassert_equal, zassert_false, zassert_true

from .test_fifo import fdata_t

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 2
# TESTPOINT: init via K_FIFO_DEFINE
kfifo = K_FIFO_DEFINE("kfifo")

fifo = k_fifo()
data = [fdata_t() for _ in range(LIST_LEN)]
data_l = [fdata_t() for _ in range(LIST_LEN)]
data_sl = [fdata_t() for _ in range(LIST_LEN)]

tstack_contexts = K_THREAD_STACK_DEFINE("tstack_contexts", STACK_SIZE)
tdata = k_thread()
end_sema = k_sem()


def tfifo_put(pfifo):
    for i in range(LIST_LEN):
        # TESTPOINT: fifo put
        k_fifo_put(pfifo, data[i])

    # TESTPOINT: fifo put list
    head, tail = data_l[0], data_l[LIST_LEN - 1]

    head.snode.next = tail
    tail.snode.next = None
    k_fifo_put_list(pfifo, head, tail)

    # TESTPOINT: fifo put slist
    slist = sys_slist_t()

    sys_slist_init(slist)
    sys_slist_append(slist, data_sl[0].snode)
    sys_slist_append(slist, data_sl[1].snode)
    k_fifo_put_slist(pfifo, slist)


def tfifo_get(pfifo):
    # get fifo data from "fifo_put"
    for i in range(LIST_LEN):
        # TESTPOINT: fifo get
        rx_data = k_fifo_get(pfifo, K_NO_WAIT)
        zassert_equal(rx_data, data[i])
    # get fifo data from "fifo_put_list"
    for i in range(LIST_LEN):
        rx_data = k_fifo_get(pfifo, K_NO_WAIT)
        zassert_equal(rx_data, data_l[i])
    # get fifo data from "fifo_put_slist"
    for i in range(LIST_LEN):
        rx_data = k_fifo_get(pfifo, K_NO_WAIT)
        zassert_equal(rx_data, data_sl[i])


# entry of contexts
def tIsr_entry_put(p):
    tfifo_put(p)
    zassert_false(k_fifo_is_empty(p))


def tIsr_entry_get(p):
    tfifo_get(p)
    zassert_true(k_fifo_is_empty(p))


def tThread_entry(p1, p2, p3):
    tfifo_get(p1)
    k_sem_give(end_sema)


def tfifo_thread_thread(pfifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-thread data passing via fifo
    tid = k_thread_create(tdata, tstack_contexts, STACK_SIZE,
                          tThread_entry, pfifo, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
    tfifo_put(pfifo)
    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tid)


def tfifo_thread_isr(pfifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: isr-thread data passing via fifo
    irq_offload(tIsr_entry_put, pfifo)
    tfifo_get(pfifo)


def tfifo_isr_thread(pfifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-isr data passing via fifo
    tfifo_put(pfifo)
    irq_offload(tIsr_entry_get, pfifo)


def tfifo_is_empty(p):
    pfifo = p

    tfifo_put(fifo)
    # TESTPOINT: return false when data available
    zassert_false(k_fifo_is_empty(pfifo))

    tfifo_get(fifo)
    # TESTPOINT: return true with data unavailable
    zassert_true(k_fifo_is_empty(pfifo))


@ZTEST("fifo_api_1cpu")
def test_fifo_thread2thread():
    """Data passes between two threads through a k_fifo_init'ed and a defined fifo."""
    # TESTPOINT: init via k_fifo_init
    k_fifo_init(fifo)
    tfifo_thread_thread(fifo)

    # TESTPOINT: test K_FIFO_DEFINEed fifo
    tfifo_thread_thread(kfifo)


@ZTEST("fifo_api")
def test_fifo_thread2isr():
    """Data put in an ISR is got by a thread."""
    # TESTPOINT: init via k_fifo_init
    k_fifo_init(fifo)
    tfifo_thread_isr(fifo)

    # TESTPOINT: test K_FIFO_DEFINEed fifo
    tfifo_thread_isr(kfifo)


@ZTEST("fifo_api")
def test_fifo_isr2thread():
    """Data put by a thread is got in an ISR."""
    # TESTPOINT: test k_fifo_init fifo
    k_fifo_init(fifo)
    tfifo_isr_thread(fifo)

    # TESTPOINT: test K_FIFO_DEFINE fifo
    tfifo_isr_thread(kfifo)


@ZTEST("fifo_api")
def test_fifo_is_empty_thread():
    """k_fifo_is_empty follows the fifo's contents in a thread."""
    k_fifo_init(fifo)
    # TESTPOINT: k_fifo_is_empty after init
    zassert_true(k_fifo_is_empty(fifo))

    # TESTPONT: check fifo is empty from thread
    tfifo_is_empty(fifo)


@ZTEST("fifo_api")
def test_fifo_is_empty_isr():
    """k_fifo_is_empty follows the fifo's contents in an ISR."""
    k_fifo_init(fifo)
    # TESTPOINT: check fifo is empty from isr
    irq_offload(tfifo_is_empty, fifo)
