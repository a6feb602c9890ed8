# SPDX-License-Identifier: Apache-2.0
"""test_lifo_contexts.c: data passing between threads and ISRs."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FOREVER,
    K_LIFO_DEFINE,
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
from zpy.ztest import ZTEST, zassert_equal

from .test_lifo import ldata_t

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 2
# TESTPOINT: init via K_LIFO_DEFINE
klifo = K_LIFO_DEFINE("klifo")

lifo = k_lifo()
data = [ldata_t() for _ in range(LIST_LEN)]

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
def tIsr_entry_put(p):
    tlifo_put(p)


def tIsr_entry_get(p):
    tlifo_get(p)


def tThread_entry(p1, p2, p3):
    tlifo_get(p1)
    k_sem_give(end_sema)


def tlifo_thread_thread(plifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-thread data passing via lifo
    tid = k_thread_create(tdata, tstack, STACK_SIZE,
                          tThread_entry, plifo, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
    tlifo_put(plifo)
    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tid)


def tlifo_thread_isr(plifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-isr data passing via lifo
    irq_offload(tIsr_entry_put, plifo)
    tlifo_get(plifo)


def tlifo_isr_thread(plifo):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: isr-thread data passing via lifo
    tlifo_put(plifo)
    irq_offload(tIsr_entry_get, plifo)


@ZTEST("lifo_api_1cpu")
def test_lifo_thread2thread():
    """Data passes between two threads through a k_lifo_init'ed and a defined lifo."""
    # TESTPOINT: init via k_lifo_init
    k_lifo_init(lifo)
    tlifo_thread_thread(lifo)

    # TESTPOINT: test K_LIFO_DEFINEed lifo
    tlifo_thread_thread(klifo)


@ZTEST("lifo_api")
def test_lifo_thread2isr():
    """Data put in an ISR is got by a thread."""
    # TESTPOINT: init via k_lifo_init
    k_lifo_init(lifo)
    tlifo_thread_isr(lifo)

    # TESTPOINT: test K_LIFO_DEFINEed lifo
    tlifo_thread_isr(klifo)


@ZTEST("lifo_api")
def test_lifo_isr2thread():
    """Data put by a thread is got in an ISR."""
    # TESTPOINT: test k_lifo_init lifo
    k_lifo_init(lifo)
    tlifo_isr_thread(lifo)

    # TESTPOINT: test K_LIFO_DEFINE lifo
    tlifo_isr_thread(klifo)
