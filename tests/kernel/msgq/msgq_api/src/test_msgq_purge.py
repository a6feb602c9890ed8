# SPDX-License-Identifier: Apache-2.0
"""test_msgq_purge.c: k_msgq_purge while a writer waits."""

from ctypes import c_uint32

from zpy.errno import ENOMSG
from zpy.kernel import (
    IS_ENABLED,
    K_INHERIT_PERMS,
    K_MSEC,
    K_NO_WAIT,
    K_OBJ_MSGQ,
    K_PRIO_PREEMPT,
    K_USER,
    k_msgq_alloc_init,
    k_msgq_init,
    k_msgq_purge,
    k_msgq_put,
    k_object_alloc,
    k_sleep,
    k_thread_abort,
    k_thread_create,
)
from zpy.ztest import ZTEST, ZTEST_USER, zassert_equal, zassert_false, zassert_not_null

from .test_msgq import MSG0, MSG1, MSG_SIZE, MSGQ_LEN, STACK_SIZE, TIMEOUT, TIMEOUT_MS
from .test_msgq_contexts import msgq, tdata, tstack

tbuffer = bytearray(MSG_SIZE * MSGQ_LEN)
data = [c_uint32(MSG0), c_uint32(MSG1)]


def tThread_entry(p1, p2, p3):
    ret = k_msgq_put(p1, data[0], TIMEOUT)

    zassert_equal(ret, -ENOMSG, None)


def purge_when_put(q):
    # fill the queue to full
    for i in range(MSGQ_LEN):
        ret = k_msgq_put(q, data[i], K_NO_WAIT)
        zassert_equal(ret, 0, None)
    # create another thread waiting to put msg
    k_thread_create(tdata, tstack, STACK_SIZE,
                    tThread_entry, q, None, None,
                    K_PRIO_PREEMPT(0), K_USER | K_INHERIT_PERMS,
                    K_NO_WAIT)
    k_sleep(K_MSEC(TIMEOUT_MS >> 1))
    # TESTPOINT: msgq purge while another thread waiting to put msg
    k_msgq_purge(q)

    # verify msg put after purge
    for i in range(MSGQ_LEN):
        ret = k_msgq_put(q, data[i], K_NO_WAIT)
        zassert_equal(ret, 0, None)

    k_thread_abort(tdata)


@ZTEST("msgq_api_1cpu")
def test_msgq_purge_when_put():
    """A purge wakes the waiting writer with -ENOMSG and empties the queue."""
    k_msgq_init(msgq, tbuffer, MSG_SIZE, MSGQ_LEN)

    purge_when_put(msgq)


if IS_ENABLED("CONFIG_USERSPACE"):
    @ZTEST_USER("msgq_api")
    def test_msgq_user_purge_when_put():
        """The same from a user thread, on a queue k_object_alloc made."""
        q = k_object_alloc(K_OBJ_MSGQ)
        zassert_not_null(q, "couldn't alloc message queue")
        zassert_false(k_msgq_alloc_init(q, MSG_SIZE, MSGQ_LEN), None)

        purge_when_put(q)
