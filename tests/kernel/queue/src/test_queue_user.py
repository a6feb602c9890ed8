# SPDX-License-Identifier: Apache-2.0
"""test_queue_user.c: queues k_object_alloc made, used from user threads."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_HIGHEST_THREAD_PRIO,
    K_INHERIT_PERMS,
    K_NO_WAIT,
    K_OBJ_QUEUE,
    K_OBJ_SEM,
    K_THREAD_STACK_DEFINE,
    K_USER,
    k_heap_alloc,
    k_heap_free,
    k_object_alloc,
    k_queue_alloc_append,
    k_queue_alloc_prepend,
    k_queue_append,
    k_queue_cancel_wait,
    k_queue_get,
    k_queue_init,
    k_queue_is_empty,
    k_queue_peek_head,
    k_queue_peek_tail,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_create,
    k_yield,
)
from zpy.ztest import (
    ZTEST,
    ZTEST_USER,
    zassert_equal,
    zassert_false,
    zassert_is_null,
    zassert_not_null,
    zassert_true,
)

from .main import test_pool
from .test_queue import qdata_t

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
LIST_LEN = 5

child_stack = K_THREAD_STACK_DEFINE("child_stack", STACK_SIZE)
child_thread = k_thread()
qdata = [qdata_t() for _ in range(LIST_LEN * 2)]


# Higher priority than the thread putting stuff in the queue
def child_thread_get(p1, p2, p3):
    q = p1
    sem = p2

    zassert_false(k_queue_is_empty(q), None)
    qd = k_queue_peek_head(q)
    zassert_equal(qd.data, 0, None)
    qd = k_queue_peek_tail(q)
    zassert_equal(qd.data, (LIST_LEN * 2) - 1,
                  "got %d expected %d", qd.data, (LIST_LEN * 2) - 1)

    for i in range(LIST_LEN * 2):
        qd = k_queue_get(q, K_FOREVER)

        zassert_equal(qd.data, i, None)
        if qd.allocated:
            # snode should never have been touched
            zassert_is_null(qd.snode.next, None)

    zassert_true(k_queue_is_empty(q), None)

    # This one gets canceled
    qd = k_queue_get(q, K_FOREVER)
    zassert_is_null(qd, None)

    k_sem_give(sem)


if IS_ENABLED("CONFIG_USERSPACE"):
    @ZTEST("queue_api_1cpu")
    def test_queue_supv_to_user():
        """Items a supervisor thread queued (some with alloc) reach a user thread."""
        # Supervisor mode will add a bunch of data, some with alloc
        # and some not
        q = k_object_alloc(K_OBJ_QUEUE)
        zassert_not_null(q, "no memory for allocated queue object")
        k_queue_init(q)

        sem = k_object_alloc(K_OBJ_SEM)
        zassert_not_null(sem, "no memory for semaphore object")
        k_sem_init(sem, 0, 1)

        for i in range(0, LIST_LEN * 2, 2):
            # Just for test purposes -- not safe to do this in the
            # real world as user mode shouldn't have any access to the
            # snode struct
            qdata[i].data = i
            qdata[i].allocated = False
            qdata[i].snode.next = None
            k_queue_append(q, qdata[i])

            qdata[i + 1].data = i + 1
            qdata[i + 1].allocated = True
            qdata[i + 1].snode.next = None
            zassert_false(k_queue_alloc_append(q, qdata[i + 1]), None)

        k_thread_create(child_thread, child_stack, STACK_SIZE,
                        child_thread_get, q, sem, None, K_HIGHEST_THREAD_PRIO,
                        K_USER | K_INHERIT_PERMS, K_NO_WAIT)

        k_yield()

        # child thread runs until blocking on the last k_queue_get() call
        k_queue_cancel_wait(q)
        k_sem_take(sem, K_FOREVER)

    @ZTEST_USER("queue_api")
    def test_queue_alloc_prepend_user():
        """k_queue_alloc_prepend from a user thread."""
        q = k_object_alloc(K_OBJ_QUEUE)
        zassert_not_null(q, "no memory for allocated queue object")
        k_queue_init(q)

        for i in range(LIST_LEN * 2):
            qdata[i].data = i
            zassert_false(k_queue_alloc_prepend(q, qdata[i]), None)

        for i in range((LIST_LEN * 2) - 1, -1, -1):
            qd = k_queue_get(q, K_NO_WAIT)
            zassert_true(qd is not None, None)
            zassert_equal(qd.data, i, None)

    @ZTEST("queue_api")
    def test_auto_free():
        """The queue nodes the alloc variants took went back to the pool when dequeued."""
        # Ensure any resources requested by the previous test were released
        # by allocating the entire pool. It would have allocated two kernel
        # objects and five queue elements. The queue elements should be
        # auto-freed when they are de-queued, and the objects when all
        # threads with permissions exit.
        b = [None] * 4

        for i in range(4):
            b[i] = k_heap_alloc(test_pool, 64, K_FOREVER)
            zassert_true(b[i] is not None, "memory not auto released!")

        # Free everything so that the pool is back to a pristine state in
        # case we want to use it again.
        for i in range(4):
            k_heap_free(test_pool, b[i])

    @ZTEST_USER("queue_api")
    def test_queue_alloc_append_user():
        """k_queue_alloc_append from a user thread."""
        q = k_object_alloc(K_OBJ_QUEUE)
        zassert_not_null(q, "no memory for allocated queue object")
        k_queue_init(q)

        for i in range(LIST_LEN * 2):
            qdata[i].data = i
            zassert_false(k_queue_alloc_append(q, qdata[i]), None)

        for i in range(LIST_LEN * 2):
            qd = k_queue_get(q, K_NO_WAIT)
            zassert_true(qd is not None, None)
            zassert_equal(qd.data, i, None)
