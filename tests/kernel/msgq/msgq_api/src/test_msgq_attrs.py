# SPDX-License-Identifier: Apache-2.0
"""test_msgq_attrs.c: k_msgq_get_attrs."""

from ctypes import c_uint32

from zpy.kernel import (
    IS_ENABLED,
    K_NO_WAIT,
    K_OBJ_MSGQ,
    k_msgq_alloc_init,
    k_msgq_attrs,
    k_msgq_get,
    k_msgq_get_attrs,
    k_msgq_init,
    k_msgq_put,
    k_object_alloc,
)
from zpy.ztest import ZTEST, ZTEST_USER, zassert_equal, zassert_false, zassert_not_null

from .test_msgq import MSG0, MSG1, MSG_SIZE, MSGQ_LEN
from .test_msgq_contexts import msgq

tbuffer = bytearray(MSG_SIZE * MSGQ_LEN)
send_buf = [c_uint32(MSG0), c_uint32(MSG1)]
rec_buf = [c_uint32(MSG0), c_uint32(MSG1)]


def attrs_get(q):
    attrs = k_msgq_attrs()

    k_msgq_get_attrs(q, attrs)
    zassert_equal(attrs.used_msgs, 0, None)

    # fill the queue to full
    for i in range(MSGQ_LEN):
        ret = k_msgq_put(q, send_buf[i], K_NO_WAIT)
        zassert_equal(ret, 0, None)

    k_msgq_get_attrs(q, attrs)
    zassert_equal(attrs.used_msgs, MSGQ_LEN, None)

    for i in range(MSGQ_LEN):
        ret = k_msgq_get(q, rec_buf[i], K_NO_WAIT)
        zassert_equal(ret, 0, None)

    k_msgq_get_attrs(q, attrs)
    zassert_equal(attrs.used_msgs, 0, None)


@ZTEST("msgq_api")
def test_msgq_attrs_get():
    """k_msgq_get_attrs follows the number of messages queued."""
    k_msgq_init(msgq, tbuffer, MSG_SIZE, MSGQ_LEN)
    attrs_get(msgq)


if IS_ENABLED("CONFIG_USERSPACE"):
    @ZTEST_USER("msgq_api")
    def test_msgq_user_attrs_get():
        """The same from a user thread, on a queue k_object_alloc made."""
        q = k_object_alloc(K_OBJ_MSGQ)
        zassert_not_null(q, "couldn't alloc message queue")
        zassert_false(k_msgq_alloc_init(q, MSG_SIZE, MSGQ_LEN), None)
        attrs_get(q)
