# SPDX-License-Identifier: Apache-2.0
"""test_msgq_contexts.c: messages between threads and ISRs, overflow, pending writers
and readers, alloc_init, full and empty queues, put_front."""

from ctypes import c_uint32

from zpy.errno import EAGAIN, EBUSY, EINVAL, ENOMEM, ENOMSG
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_INHERIT_PERMS,
    K_MSGQ_DEFINE,
    K_NO_WAIT,
    K_OBJ_MSGQ,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    K_USER,
    irq_offload,
    k_current_get,
    k_msgq,
    k_msgq_alloc_init,
    k_msgq_cleanup,
    k_msgq_get,
    k_msgq_init,
    k_msgq_num_free_get,
    k_msgq_num_used_get,
    k_msgq_peek,
    k_msgq_purge,
    k_msgq_put,
    k_msgq_put_front,
    k_object_alloc,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_priority_get,
)
from zpy.kernel.sched import _THREAD_PENDING
from zpy.ztest import (
    ZTEST,
    ZTEST_USER,
    zassert_equal,
    zassert_false,
    zassert_not_null,
    zassert_true,
)

from .test_msgq import (
    MSG0,
    MSG1,
    MSG_SIZE,
    MSGQ_LEN,
    OVERFLOW_SIZE_MSG,
    STACK_SIZE,
    TIMEOUT,
)

PUT_FRONT = IS_ENABLED("CONFIG_TEST_MSGQ_PUT_FRONT")

# TESTPOINT: init via K_MSGQ_DEFINE
kmsgq = K_MSGQ_DEFINE("kmsgq", MSG_SIZE, MSGQ_LEN, 4)
kmsgq_test_alloc = K_MSGQ_DEFINE("kmsgq_test_alloc", MSG_SIZE, MSGQ_LEN, 4)
msgq = k_msgq()
msgq1 = k_msgq()
tstack = K_THREAD_STACK_DEFINE("tstack", STACK_SIZE)
tstack1 = K_THREAD_STACK_DEFINE("tstack1", STACK_SIZE)
tstack2 = K_THREAD_STACK_DEFINE("tstack2", STACK_SIZE)
tids = [None, None]
tdata = k_thread()
tdata1 = k_thread()
tdata2 = k_thread()
tbuffer = bytearray(MSG_SIZE * MSGQ_LEN)
tbuffer1 = bytearray(MSG_SIZE)
data = [c_uint32(MSG0), c_uint32(MSG1)]
msg3 = c_uint32(0x2345)
end_sema = k_sem()


def put_msgq(pmsgq):
    read_data = c_uint32()

    for i in range(MSGQ_LEN):
        ret = (k_msgq_put_front(pmsgq, data[i]) if PUT_FRONT
               else k_msgq_put(pmsgq, data[i], K_NO_WAIT))
        zassert_equal(ret, 0)

        # TESTPOINT: Check if k_msgq_peek reads msgq.
        zassert_equal(k_msgq_peek(pmsgq, read_data), 0)
        zassert_equal(read_data.value, data[i].value if PUT_FRONT else data[0].value)

        # TESTPOINT: msgq free get
        zassert_equal(k_msgq_num_free_get(pmsgq),
                      MSGQ_LEN - 1 - i, None)
        # TESTPOINT: msgq used get
        zassert_equal(k_msgq_num_used_get(pmsgq), i + 1)


def get_msgq(pmsgq):
    rx_data, read_data = c_uint32(), c_uint32()

    for i in range(MSGQ_LEN):
        zassert_equal(k_msgq_peek(pmsgq, read_data), 0)

        ret = k_msgq_get(pmsgq, rx_data, K_FOREVER)
        zassert_equal(ret, 0)
        zassert_equal(rx_data.value,
                      data[MSGQ_LEN - i - 1].value if PUT_FRONT else data[i].value)

        # TESTPOINT: Check if msg read is the msg deleted
        zassert_equal(read_data.value, rx_data.value)
        # TESTPOINT: msgq free get
        zassert_equal(k_msgq_num_free_get(pmsgq), i + 1)
        # TESTPOINT: msgq used get
        zassert_equal(k_msgq_num_used_get(pmsgq),
                      MSGQ_LEN - 1 - i, None)


def purge_msgq(pmsgq):
    read_data = c_uint32()

    k_msgq_purge(pmsgq)
    zassert_equal(k_msgq_num_free_get(pmsgq), MSGQ_LEN)
    zassert_equal(k_msgq_num_used_get(pmsgq), 0)
    zassert_equal(k_msgq_peek(pmsgq, read_data), -ENOMSG)


def tisr_entry(p):
    put_msgq(p)


def thread_entry(p1, p2, p3):
    get_msgq(p1)
    k_sem_give(end_sema)


def msgq_thread(pmsgq):
    # TESTPOINT: thread-thread data passing via message queue
    put_msgq(pmsgq)
    tids[0] = k_thread_create(tdata, tstack, STACK_SIZE,
                              thread_entry, pmsgq, None, None,
                              K_PRIO_PREEMPT(0),
                              K_USER | K_INHERIT_PERMS, K_NO_WAIT)
    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tids[0])

    # TESTPOINT: msgq purge
    purge_msgq(pmsgq)


def thread_entry_overflow(p1, p2, p3):
    rx_buf = [c_uint32() for _ in range(MSGQ_LEN)]

    ret = k_msgq_get(p1, rx_buf[0], K_FOREVER)

    zassert_equal(ret, 0)

    ret = k_msgq_get(p1, rx_buf[1], K_FOREVER)

    zassert_equal(ret, 0)

    k_sem_give(end_sema)


def msgq_thread_overflow(pmsgq):
    ret = k_msgq_put(pmsgq, data[0], K_FOREVER)

    zassert_equal(ret, 0)

    # TESTPOINT: thread-thread data passing via message queue
    tids[0] = k_thread_create(tdata, tstack, STACK_SIZE,
                              thread_entry_overflow, pmsgq, None, None,
                              K_PRIO_PREEMPT(0),
                              K_USER | K_INHERIT_PERMS, K_NO_WAIT)

    ret = k_msgq_put(pmsgq, data[1], K_FOREVER)
    zassert_equal(ret, 0)

    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tids[0])

    # TESTPOINT: msgq purge
    k_msgq_purge(pmsgq)


def msgq_isr(pmsgq):
    # TESTPOINT: thread-isr data passing via message queue
    irq_offload(tisr_entry, pmsgq)
    get_msgq(pmsgq)

    # TESTPOINT: msgq purge
    purge_msgq(pmsgq)


rx_buf_get_data = [c_uint32() for _ in range(MSGQ_LEN)]


def thread_entry_get_data(p1, p2, p3):
    rx_buf = rx_buf_get_data
    i = 0

    while k_msgq_get(p1, rx_buf[i], K_NO_WAIT) != 0:
        i += 1

    k_sem_give(end_sema)


def pend_thread_entry(p1, p2, p3):
    ret = (k_msgq_put_front(p1, data[1]) if PUT_FRONT
           else k_msgq_put(p1, data[1], TIMEOUT))
    zassert_equal(ret, -ENOMSG if PUT_FRONT else 0)


def msgq_thread_data_passing(pmsgq):
    while (k_msgq_put_front(pmsgq, data[0]) != 0 if PUT_FRONT
           else k_msgq_put(pmsgq, data[0], K_NO_WAIT) != 0):
        pass

    tids[0] = k_thread_create(tdata2, tstack2, STACK_SIZE,
                              pend_thread_entry, pmsgq, None,
                              None, K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    tids[1] = k_thread_create(tdata1, tstack1, STACK_SIZE,
                              thread_entry_get_data, pmsgq, None,
                              None, K_PRIO_PREEMPT(1), 0, K_NO_WAIT)

    k_sem_take(end_sema, K_FOREVER)
    k_thread_abort(tids[0])
    k_thread_abort(tids[1])

    # TESTPOINT: msgq purge
    k_msgq_purge(pmsgq)


rx_buf_empty = [c_uint32() for _ in range(MSGQ_LEN)]


def get_empty_entry(p1, p2, p3):
    rx_buf = rx_buf_empty

    # make sure there is no message in the queue
    ret = k_msgq_peek(p1, rx_buf[0])
    zassert_equal(ret, -ENOMSG, "Peek message from empty queue")

    ret = k_msgq_get(p1, rx_buf[0], K_NO_WAIT)
    zassert_equal(ret, -ENOMSG, "Got message from empty queue")

    # blocked to TIMEOUT
    ret = k_msgq_get(p1, rx_buf[0], TIMEOUT)
    zassert_equal(ret, -EAGAIN, "Got message from empty queue")

    k_sem_give(end_sema)
    # blocked forever
    ret = k_msgq_get(p1, rx_buf[0], K_FOREVER)
    zassert_equal(ret, 0)


def put_full_entry(p1, p2, p3):
    # make sure the queue is full
    zassert_equal(k_msgq_num_free_get(p1), 0)
    zassert_equal(k_msgq_num_used_get(p1), 1)

    ret = k_msgq_put(p1, data[1], K_NO_WAIT)
    zassert_equal(ret, -ENOMSG, "Put message to full queue")

    # blocked to TIMEOUT
    ret = k_msgq_put(p1, data[1], TIMEOUT)
    zassert_equal(ret, -EAGAIN, "Put message to full queue")

    k_sem_give(end_sema)
    # blocked forever
    ret = k_msgq_put(p1, data[1], K_FOREVER)
    zassert_equal(ret, 0)


def prepend_full_entry(p1, p2, p3):
    # make sure the queue is full
    zassert_equal(k_msgq_num_free_get(p1), 0)
    zassert_equal(k_msgq_num_used_get(p1), 2)
    k_sem_give(end_sema)

    # prepend a new message
    ret = k_msgq_put_front(p1, msg3) if PUT_FRONT else k_msgq_put(p1, msg3, K_FOREVER)
    zassert_equal(ret, -ENOMSG if PUT_FRONT else 0)


@ZTEST("msgq_api_1cpu")
def test_msgq_thread():
    """Messages pass between threads (k_msgq_init, k_msgq_get, k_msgq_put, k_msgq_purge)."""
    # TESTPOINT: init via k_msgq_init
    k_msgq_init(msgq, tbuffer, MSG_SIZE, MSGQ_LEN)
    ret = k_sem_init(end_sema, 0, 1)
    zassert_equal(ret, 0)

    msgq_thread(msgq)
    msgq_thread(kmsgq)


@ZTEST("msgq_api")
def test_msgq_thread_overflow():
    """A writer blocked on a full queue goes on as a reader makes room."""
    # TESTPOINT: init via k_msgq_init
    k_msgq_init(msgq, tbuffer, MSG_SIZE, 2)
    ret = k_sem_init(end_sema, 0, 1)
    zassert_equal(ret, 0)

    ret = k_msgq_put(msgq, data[0], K_FOREVER)
    zassert_equal(ret, 0)

    msgq_thread_overflow(msgq)
    msgq_thread_overflow(kmsgq)

    # verify the write pointer not reset to the buffer start
    zassert_false(msgq.write_ptr == msgq.buffer_start,
                  "Invalid add operation of message queue")


if IS_ENABLED("CONFIG_USERSPACE"):
    @ZTEST_USER("msgq_api")
    def test_msgq_user_thread():
        """Messages pass between a user thread and a kernel thread."""
        q = k_object_alloc(K_OBJ_MSGQ)
        zassert_not_null(q, "couldn't alloc message queue")
        zassert_false(k_msgq_alloc_init(q, MSG_SIZE, MSGQ_LEN))
        ret = k_sem_init(end_sema, 0, 1)
        zassert_equal(ret, 0)

        msgq_thread(q)

    @ZTEST_USER("msgq_api")
    def test_msgq_user_thread_overflow():
        """The overflow case from a user thread."""
        q = k_object_alloc(K_OBJ_MSGQ)
        zassert_not_null(q, "couldn't alloc message queue")
        zassert_false(k_msgq_alloc_init(q, MSG_SIZE, 1))
        ret = k_sem_init(end_sema, 0, 1)
        zassert_equal(ret, 0)

        msgq_thread_overflow(q)


@ZTEST("msgq_api")
def test_msgq_isr():
    """Messages put in an ISR are got by a thread."""
    stack_msgq = k_msgq()

    # TESTPOINT: init via k_msgq_init
    k_msgq_init(stack_msgq, tbuffer, MSG_SIZE, MSGQ_LEN)

    msgq_isr(stack_msgq)
    msgq_isr(kmsgq)


@ZTEST("msgq_api_1cpu")
def test_msgq_pend_thread():
    """A pending writer's message goes in when a reader makes room."""
    k_msgq_init(msgq1, tbuffer1, MSG_SIZE, 1)
    ret = k_sem_init(end_sema, 0, 1)
    zassert_equal(ret, 0)

    msgq_thread_data_passing(msgq1)


@ZTEST("msgq_api")
def test_msgq_alloc():
    """k_msgq_alloc_init from the resource pool, with sizes it can and cannot meet."""
    k_msgq_alloc_init(kmsgq_test_alloc, MSG_SIZE, MSGQ_LEN)
    msgq_isr(kmsgq_test_alloc)
    k_msgq_cleanup(kmsgq_test_alloc)

    # Requesting buffer allocation from the test pool.
    ret = k_msgq_alloc_init(kmsgq_test_alloc, MSG_SIZE * 128, MSGQ_LEN)
    zassert_true(ret == -ENOMEM,
                 "resource pool is smaller then requested buffer")

    # Requesting a huge size of MSG to validate overflow
    ret = k_msgq_alloc_init(kmsgq_test_alloc, OVERFLOW_SIZE_MSG, MSGQ_LEN)
    zassert_true(ret == -EINVAL, "Invalid request")


@ZTEST("msgq_api_1cpu")
def test_msgq_empty():
    """Getting from an empty queue: -ENOMSG without waiting, blocks otherwise."""
    pri = k_thread_priority_get(k_current_get()) - 1

    k_msgq_init(msgq1, tbuffer1, MSG_SIZE, 1)
    ret = k_sem_init(end_sema, 0, 1)
    zassert_equal(ret, 0)

    tids[0] = k_thread_create(tdata2, tstack2, STACK_SIZE,
                              get_empty_entry, msgq1, None,
                              None, pri, 0, K_NO_WAIT)

    k_sem_take(end_sema, K_FOREVER)
    # that getting thread is being blocked now
    zassert_equal(tids[0].thread_state, _THREAD_PENDING)
    # since there is a thread is waiting for message, this queue
    # can't be cleanup
    ret = k_msgq_cleanup(msgq1)
    zassert_equal(ret, -EBUSY)

    # put a message to wake that getting thread
    ret = k_msgq_put(msgq1, data[0], K_NO_WAIT)
    zassert_equal(ret, 0)

    k_thread_abort(tids[0])


@ZTEST("msgq_api_1cpu")
def test_msgq_full():
    """Putting to a full queue: -ENOMSG without waiting, blocks otherwise."""
    pri = k_thread_priority_get(k_current_get()) - 1

    k_msgq_init(msgq1, tbuffer1, MSG_SIZE, 1)
    ret = k_sem_init(end_sema, 0, 1)
    zassert_equal(ret, 0)

    ret = k_msgq_put(msgq1, data[0], K_NO_WAIT)
    zassert_equal(ret, 0)

    tids[0] = k_thread_create(tdata2, tstack2, STACK_SIZE,
                              put_full_entry, msgq1, None,
                              None, pri, 0, K_NO_WAIT)
    k_sem_take(end_sema, K_FOREVER)
    # that putting thread is being blocked now
    zassert_equal(tids[0].thread_state, _THREAD_PENDING)
    k_thread_abort(tids[0])


@ZTEST("msgq_api_1cpu")
def test_msgq_thread_pending():
    """A writer pending on a full queue, then the messages read in order."""
    rx_data = c_uint32()
    pri = k_thread_priority_get(k_current_get()) - 1

    k_msgq_init(msgq1, tbuffer, MSG_SIZE, 2)
    ret = k_sem_init(end_sema, 0, 1)
    zassert_equal(ret, 0)

    ret = (k_msgq_put_front(msgq1, data[1]) if PUT_FRONT
           else k_msgq_put(msgq1, data[0], K_NO_WAIT))
    zassert_equal(ret, 0)
    ret = (k_msgq_put(msgq1, data[0], K_NO_WAIT) if PUT_FRONT
           else k_msgq_put_front(msgq1, data[1]))
    zassert_equal(ret, 0)

    tid = k_thread_create(tdata2, tstack2, STACK_SIZE,
                          prepend_full_entry, msgq1, None,
                          None, pri, 0, K_NO_WAIT)

    # that putting thread is being blocked now
    k_sem_take(end_sema, K_FOREVER)

    ret = k_msgq_get(msgq1, rx_data, K_FOREVER)
    zassert_equal(ret, 0)
    zassert_equal(rx_data.value, data[1].value)

    ret = k_msgq_get(msgq1, rx_data, K_FOREVER)
    zassert_equal(ret, 0)
    zassert_equal(rx_data.value, data[0].value)
    k_thread_abort(tid)
