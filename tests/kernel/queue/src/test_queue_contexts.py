# SPDX-License-Identifier: Apache-2.0
"""test_queue_contexts.c: data passing through queues between threads and ISRs, waiters,
the alloc variants, the CONFIG_POLL race, priority order, unique_append."""

from ctypes import c_uint32

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FOREVER,
    K_HEAP_DEFINE,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_QUEUE_DEFINE,
    K_THREAD_STACK_DEFINE,
    irq_offload,
    k_current_get,
    k_heap_alloc,
    k_queue,
    k_queue_alloc_append,
    k_queue_alloc_prepend,
    k_queue_append,
    k_queue_append_list,
    k_queue_get,
    k_queue_init,
    k_queue_insert,
    k_queue_is_empty,
    k_queue_merge_slist,
    k_queue_peek_tail,
    k_queue_prepend,
    k_queue_remove,
    k_queue_unique_append,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_heap_assign,
    k_thread_join,
    k_thread_priority_get,
    k_thread_priority_set,
    sys_slist_append,
    sys_slist_init,
    sys_slist_t,
)
from zpy.ztest import ZTEST, zassert_equal, zassert_false, zassert_true

from .test_queue import qdata_t

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 2
# TESTPOINT: init via K_QUEUE_DEFINE
kqueue = K_QUEUE_DEFINE("kqueue")

mem_pool_fail = K_HEAP_DEFINE("mem_pool_fail", 8 + 128)
mem_pool_pass = K_HEAP_DEFINE("mem_pool_pass", 64 * 4 + 128)

queue = k_queue()
data = [qdata_t() for _ in range(LIST_LEN)]
data_p = [qdata_t() for _ in range(LIST_LEN)]
data_l = [qdata_t() for _ in range(LIST_LEN)]
data_sl = [qdata_t() for _ in range(LIST_LEN)]

# the addresses of two pointer variables in C: two distinct objects
data_append = object()
data_prepend = object()

tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tdata = k_thread()
tstack1 = K_THREAD_STACK_DEFINE("tstack1", STACK_SIZE)
tdata1 = k_thread()
tstack2 = K_THREAD_STACK_DEFINE("tstack2", STACK_SIZE)
tdata2 = k_thread()
end_sema = k_sem()


def tqueue_append(pqueue):
    k_queue_insert(pqueue, k_queue_peek_tail(pqueue),
                   data[0])

    for i in range(1, LIST_LEN):
        # TESTPOINT: queue append
        k_queue_append(pqueue, data[i])

    for i in range(LIST_LEN - 1, -1, -1):
        # TESTPOINT: queue prepend
        k_queue_prepend(pqueue, data_p[i])

    # TESTPOINT: queue append list
    head, tail = data_l[0], data_l[LIST_LEN - 1]

    head.snode.next = tail
    tail.snode.next = None
    k_queue_append_list(pqueue, head, tail)

    # TESTPOINT: queue merge slist
    slist = sys_slist_t()

    sys_slist_init(slist)
    sys_slist_append(slist, data_sl[0].snode)
    sys_slist_append(slist, data_sl[1].snode)
    k_queue_merge_slist(pqueue, slist)


def tqueue_get(pqueue):
    # get queue data from "queue_prepend"
    for i in range(LIST_LEN):
        # TESTPOINT: queue get
        rx_data = k_queue_get(pqueue, K_NO_WAIT)
        zassert_equal(rx_data, data_p[i])
    # get queue data from "queue_append"
    for i in range(LIST_LEN):
        # TESTPOINT: queue get
        rx_data = k_queue_get(pqueue, K_NO_WAIT)
        zassert_equal(rx_data, data[i])
    # get queue data from "queue_append_list"
    for i in range(LIST_LEN):
        rx_data = k_queue_get(pqueue, K_NO_WAIT)
        zassert_equal(rx_data, data_l[i])
    # get queue data from "queue_merge_slist"
    for i in range(LIST_LEN):
        rx_data = k_queue_get(pqueue, K_NO_WAIT)
        zassert_equal(rx_data, data_sl[i])


# entry of contexts
def tIsr_entry_append(p):
    tqueue_append(p)


def tIsr_entry_get(p):
    tqueue_get(p)


def tThread_entry(p1, p2, p3):
    tqueue_get(p1)
    k_sem_give(end_sema)


def tqueue_thread_thread(pqueue):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-thread data passing via queue
    tid = k_thread_create(tdata, tstack, STACK_SIZE,
                          tThread_entry, pqueue, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
    tqueue_append(pqueue)
    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tid)


def tqueue_thread_isr(pqueue):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: thread-isr data passing via queue
    irq_offload(tIsr_entry_append, pqueue)
    tqueue_get(pqueue)


def tqueue_isr_thread(pqueue):
    k_sem_init(end_sema, 0, 1)
    # TESTPOINT: isr-thread data passing via queue
    tqueue_append(pqueue)
    irq_offload(tIsr_entry_get, pqueue)


@ZTEST("queue_api_1cpu")
def test_queue_thread2thread():
    """Data passes between threads through a k_queue_init'ed and a defined queue."""
    # TESTPOINT: init via k_queue_init
    k_queue_init(queue)
    tqueue_thread_thread(queue)

    # TESTPOINT: test K_QUEUE_DEFINEed queue
    tqueue_thread_thread(kqueue)


@ZTEST("queue_api")
def test_queue_thread2isr():
    """Data put in an ISR is got by a thread: the very items put, so the queue keeps
    them, not copies."""
    # TESTPOINT: init via k_queue_init
    k_queue_init(queue)
    tqueue_thread_isr(queue)

    # TESTPOINT: test K_QUEUE_DEFINEed queue
    tqueue_thread_isr(kqueue)


@ZTEST("queue_api")
def test_queue_isr2thread():
    """Data put by a thread is got in an ISR."""
    # TESTPOINT: test k_queue_init queue
    k_queue_init(queue)
    tqueue_isr_thread(queue)

    # TESTPOINT: test K_QUEUE_DEFINE queue
    tqueue_isr_thread(kqueue)


def tThread_get(p1, p2, p3):
    zassert_true(k_queue_get(p1, K_FOREVER) is not None,
                 None)
    k_sem_give(end_sema)


def tqueue_get_2threads(pqueue):
    k_sem_init(end_sema, 0, 1)
    tid = k_thread_create(tdata, tstack, STACK_SIZE,
                          tThread_get, pqueue, None, None,
                          K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    tid1 = k_thread_create(tdata1, tstack1, STACK_SIZE,
                           tThread_get, pqueue, None, None,
                           K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    # Wait threads to initialize
    k_sleep(K_MSEC(10))

    k_queue_append(pqueue, data[0])
    k_queue_append(pqueue, data[1])
    # Wait threads to finalize
    k_sem_take(end_sema, K_FOREVER)
    k_sem_take(end_sema, K_FOREVER)

    k_thread_abort(tid)
    k_thread_abort(tid1)


@ZTEST("queue_api_1cpu")
def test_queue_get_2threads():
    """Two threads waiting on a queue each get one of two items appended."""
    # TESTPOINT: test k_queue_init queue
    k_queue_init(queue)

    tqueue_get_2threads(queue)


def tqueue_alloc(pqueue):
    k_thread_heap_assign(k_current_get(), None)

    # Alloc append without resource pool
    k_queue_alloc_append(pqueue, data_append)

    # Insertion fails and alloc returns NOMEM
    zassert_false(k_queue_remove(pqueue, data_append))

    # Assign resource pool of lower size
    k_thread_heap_assign(k_current_get(), mem_pool_fail)

    # Prepend to the queue, but fails because of
    # insufficient memory
    k_queue_alloc_prepend(pqueue, data_prepend)

    zassert_false(k_queue_remove(pqueue, data_prepend))

    # No element must be present in the queue, as all
    # operations failed
    zassert_true(k_queue_is_empty(pqueue))

    # Assign resource pool of sufficient size
    k_thread_heap_assign(k_current_get(), mem_pool_pass)

    zassert_false(k_queue_alloc_prepend(pqueue, data_prepend),
                  None)

    # Now queue shouldn't be empty
    zassert_false(k_queue_is_empty(pqueue))

    zassert_true(k_queue_get(pqueue, K_FOREVER) is not None,
                 None)


@ZTEST("queue_api")
def test_queue_alloc():
    """The alloc variants fail without a pool or with too small a one, work with room."""
    # The mem_pool_fail pool is supposed to be too small to
    # succeed any allocations, but in fact with the heap backend
    # there's some base minimal memory in there that can be used.
    # Make sure it's really truly full.
    while k_heap_alloc(mem_pool_fail, 1, K_NO_WAIT) is not None:
        pass

    k_queue_init(queue)

    tqueue_alloc(queue)


# Does nothing but read items out of the queue and verify that they
# are non-null.  Two such threads will be created.
def queue_poll_race_consume(p1, p2, p3):
    q = p1
    count = p2

    while True:
        zassert_true(k_queue_get(q, K_FOREVER) is not None)
        count[0] += 1


# There was a historical race in the queue internals when CONFIG_POLL
# was enabled -- it was possible to wake up a lower priority thread
# with an insert but then steal it with a higher priority thread
# before it got a chance to run, and the lower priority thread would
# then return NULL before its timeout expired.
@ZTEST("queue_api_1cpu")
def test_queue_poll_race():
    """Two appends wake two waiters of different priorities, one item each."""
    prio = k_thread_priority_get(k_current_get())
    mid_count, low_count = [0], [0]

    k_queue_init(queue)

    k_thread_create(tdata, tstack, STACK_SIZE,
                    queue_poll_race_consume,
                    queue, mid_count, None,
                    prio + 1, 0, K_NO_WAIT)

    k_thread_create(tdata1, tstack1, STACK_SIZE,
                    queue_poll_race_consume,
                    queue, low_count, None,
                    prio + 2, 0, K_NO_WAIT)

    # Let them initialize and block
    k_sleep(K_MSEC(10))

    # Insert two items.  This will wake up both threads, but the
    # higher priority thread (tdata1) might (if CONFIG_POLL)
    # consume both.  The lower priority thread should stay
    # asleep.
    k_queue_append(queue, data[0])
    k_queue_append(queue, data[1])

    zassert_true(low_count[0] == 0)
    zassert_true(mid_count[0] == 0)

    k_sleep(K_MSEC(10))

    zassert_true(low_count[0] + mid_count[0] == 2)

    k_thread_abort(tdata)
    k_thread_abort(tdata1)


QUEUE_NUM = 10


@ZTEST("queue_api")
def test_multiple_queues():
    """Several queues work side by side."""
    # define multiple queues
    queues = [k_queue() for _ in range(QUEUE_NUM)]

    for i in range(QUEUE_NUM):
        k_queue_init(queues[i])

        # Indicating that they are working
        tqueue_append(queues[i])
        tqueue_get(queues[i])


def low_prio_wait_for_queue(p1, p2, p3):
    q = p1

    ret = k_queue_get(q, K_FOREVER)
    zassert_true(ret.value == 0xccc,
                 "The low priority thread get the queue data failed lastly")


def high_prio_t1_wait_for_queue(p1, p2, p3):
    q = p1

    ret = k_queue_get(q, K_FOREVER)
    zassert_true(ret.value == 0xaaa,
                 "The highest priority and waited longest get the queue data failed firstly")


def high_prio_t2_wait_for_queue(p1, p2, p3):
    q = p1

    ret = k_queue_get(q, K_FOREVER)
    zassert_true(ret.value == 0xbbb,
                 "The higher priority and waited longer get the queue data failed secondly")


@ZTEST("queue_api_1cpu")
def test_queue_multithread_competition():
    """An item goes to the highest-priority waiter that has waited longest."""
    old_prio = k_thread_priority_get(k_current_get())
    prio = 10
    test_data = [c_uint32(0) for _ in range(3)]

    k_thread_priority_set(k_current_get(), prio)
    k_queue_init(queue)
    zassert_true(k_queue_is_empty(queue) != 0, " Initializing queue failed")

    # Set up some values
    test_data[0].value = 0xAAA
    test_data[1].value = 0xBBB
    test_data[2].value = 0xCCC

    k_thread_create(tdata, tstack, STACK_SIZE,
                    low_prio_wait_for_queue,
                    queue, None, None,
                    prio + 4, 0, K_NO_WAIT)

    k_thread_create(tdata1, tstack1, STACK_SIZE,
                    high_prio_t1_wait_for_queue,
                    queue, None, None,
                    prio + 2, 0, K_NO_WAIT)

    # Make thread tdata and tdata1 wait more time
    k_sleep(K_MSEC(10))

    k_thread_create(tdata2, tstack2, STACK_SIZE,
                    high_prio_t2_wait_for_queue,
                    queue, None, None,
                    prio + 2, 0, K_NO_WAIT)

    # Initialize them and block
    k_sleep(K_MSEC(50))

    # Insert some data to wake up thread
    k_queue_append(queue, test_data[0])
    k_queue_append(queue, test_data[1])
    k_queue_append(queue, test_data[2])

    # Wait for thread exiting
    k_thread_join(tdata, K_FOREVER)
    k_thread_join(tdata1, K_FOREVER)
    k_thread_join(tdata2, K_FOREVER)

    # Revert priority of the main thread
    k_thread_priority_set(k_current_get(), old_prio)


@ZTEST("queue_api")
def test_queue_unique_append():
    """Appending an item already queued fails; a new one works."""
    k_queue_init(queue)
    ret = k_queue_unique_append(queue, data[0])
    zassert_true(ret, "queue unique append failed")

    ret = k_queue_unique_append(queue, data[0])
    zassert_false(ret, "queue unique append should fail")

    ret = k_queue_unique_append(queue, data[1])
    zassert_true(ret, "queue unique append failed")
