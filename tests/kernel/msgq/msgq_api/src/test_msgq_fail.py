# SPDX-License-Identifier: Apache-2.0
"""test_msgq_fail.c: the error codes of put and get."""

from ctypes import c_uint32

from zpy.errno import EAGAIN, ENOMSG
from zpy.kernel import (
    IS_ENABLED,
    K_NO_WAIT,
    K_OBJ_MSGQ,
    k_msgq_alloc_init,
    k_msgq_get,
    k_msgq_init,
    k_msgq_purge,
    k_msgq_put,
    k_object_alloc,
)
from zpy.ztest import ZTEST, ZTEST_USER, zassert_equal, zassert_false, zassert_not_null

from .test_msgq import MSG0, MSG1, MSG_SIZE, MSGQ_LEN, TIMEOUT
from .test_msgq_contexts import msgq

tbuffer = bytearray(MSG_SIZE * MSGQ_LEN)
data = [c_uint32(MSG0), c_uint32(MSG1)]


def put_fail(q):
    ret = k_msgq_put(q, data[0], K_NO_WAIT)

    zassert_false(ret, None)
    ret = k_msgq_put(q, data[0], K_NO_WAIT)
    zassert_false(ret, None)
    # TESTPOINT: msgq put returns -ENOMSG
    ret = k_msgq_put(q, data[1], K_NO_WAIT)
    zassert_equal(ret, -ENOMSG, None)
    # TESTPOINT: msgq put returns -EAGAIN
    ret = k_msgq_put(q, data[0], TIMEOUT)
    zassert_equal(ret, -EAGAIN, None)

    k_msgq_purge(q)


def get_fail(q):
    rx_data = c_uint32()

    # TESTPOINT: msgq get returns -ENOMSG
    ret = k_msgq_get(q, rx_data, K_NO_WAIT)

    zassert_equal(ret, -ENOMSG, None)
    # TESTPOINT: msgq get returns -EAGAIN
    ret = k_msgq_get(q, rx_data, TIMEOUT)
    zassert_equal(ret, -EAGAIN, None)


@ZTEST("msgq_api_1cpu")
def test_msgq_put_fail():
    """Putting to a full queue: -ENOMSG, then -EAGAIN when the wait times out."""
    k_msgq_init(msgq, tbuffer, MSG_SIZE, MSGQ_LEN)
    put_fail(msgq)


@ZTEST("msgq_api_1cpu")
def test_msgq_get_fail():
    """Getting from an empty queue: -ENOMSG, then -EAGAIN when the wait times out."""
    k_msgq_init(msgq, tbuffer, MSG_SIZE, MSGQ_LEN)
    get_fail(msgq)


if IS_ENABLED("CONFIG_USERSPACE"):
    @ZTEST_USER("msgq_api")
    def test_msgq_user_put_fail():
        """The put failures from a user thread."""
        q = k_object_alloc(K_OBJ_MSGQ)
        zassert_not_null(q, "couldn't alloc message queue")
        zassert_false(k_msgq_alloc_init(q, MSG_SIZE, MSGQ_LEN), None)
        put_fail(q)

    @ZTEST_USER("msgq_api")
    def test_msgq_user_get_fail():
        """The get failures from a user thread."""
        q = k_object_alloc(K_OBJ_MSGQ)
        zassert_not_null(q, "couldn't alloc message queue")
        zassert_false(k_msgq_alloc_init(q, MSG_SIZE, MSGQ_LEN), None)
        get_fail(q)
