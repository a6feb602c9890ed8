# SPDX-License-Identifier: Apache-2.0
"""test_queue_fail.c: k_queue_get on an empty queue, bad lists for append_list and
merge_slist."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.errno import EINVAL
from zpy.kernel import (
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    k_queue,
    k_queue_append_list,
    k_queue_get,
    k_queue_init,
    k_queue_merge_slist,
    k_sem_give,
    k_sem_take,
    k_thread,
    k_thread_create,
    k_thread_join,
    sys_slist_append,
    sys_slist_init,
    sys_slist_t,
)
from zpy.ztest import ZTEST, zassert_equal, zassert_is_null, zassert_true

from .test_queue import qdata_t

TIMEOUT = K_MSEC(100)
STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 2

tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tdata = k_thread()
sem = K_SEM_DEFINE("sem", 0, 1)


@ZTEST("queue_api_1cpu")
def test_queue_get_fail():
    """k_queue_get returns NULL from an empty queue, waiting or not."""
    queue = k_queue()

    k_queue_init(queue)
    # TESTPOINT: queue get returns NULL
    zassert_is_null(k_queue_get(queue, K_NO_WAIT), None)
    zassert_is_null(k_queue_get(queue, TIMEOUT), None)


# The sub-thread entry
def tThread_entry(p1, p2, p3):
    k_sem_give(sem)

    # wait the queue for data
    p = k_queue_get(p1, K_FOREVER)

    zassert_equal(p, p2, "Failed to append a unnormal list")


_data_l = [qdata_t() for _ in range(2)]
_queue_l = k_queue()


@ZTEST("queue_api")
def test_queue_append_list_error():
    """A missing head or tail is -EINVAL; a one-node list reaches a waiting thread."""
    data_l = _data_l
    queue = _queue_l
    head, tail = None, data_l[1]

    k_queue_init(queue)
    for d in data_l:
        d.next, d.data, d.allocated = None, 0, False

    # Check if the list of head is equal to null
    zassert_true(k_queue_append_list(queue, head,
                                     tail) == -EINVAL,
                 "failed to CHECKIF head == NULL")
    # Check if the list of tail is equal to null
    head = data_l[0]
    tail = None
    zassert_true(k_queue_append_list(queue, head,
                                     tail) == -EINVAL,
                 "failed to CHECKIF tail == NULL")
    # Initializing the queue for re-using below
    k_queue_init(queue)

    # Append unnormal list(just one node)into the queue for sub-thread
    head = data_l[0]
    head.snode.next = None

    k_thread_create(tdata, tstack, STACK_SIZE, tThread_entry, queue,
                    head, None, K_PRIO_PREEMPT(0), 0, K_NO_WAIT)
    # Delay for thread initializing
    k_sem_take(sem, K_FOREVER)

    k_queue_append_list(queue, head, head)

    k_thread_join(tdata, K_FOREVER)


_queue_m = k_queue()


@ZTEST("queue_api")
def test_queue_merge_list_error():
    """Merging an empty slist, or one whose tail is NULL, fails."""
    data_sl = [qdata_t() for _ in range(2)]
    queue = _queue_m
    slist = sys_slist_t()

    k_queue_init(queue)
    sys_slist_init(slist)

    # Check if the slist is empty
    zassert_true(k_queue_merge_slist(queue, slist) == -EINVAL,
                 "Failed to CHECKIF slist is empty")
    # Check if the tail of the slist is null
    sys_slist_append(slist, data_sl[0].snode)
    sys_slist_append(slist, data_sl[1].snode)
    slist.tail = None
    zassert_true(k_queue_merge_slist(queue, slist) != 0,
                 "Failed to CHECKIF the tail of slist == null")
