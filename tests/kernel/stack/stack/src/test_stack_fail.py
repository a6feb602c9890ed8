# SPDX-License-Identifier: Apache-2.0
"""test_stack_fail.c: pop from an empty stack, cleanup while waited on, push when full."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.errno import EAGAIN, EBUSY, ENOMEM
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_OBJ_STACK,
    K_PRIO_PREEMPT,
    K_THREAD_STACK_DEFINE,
    k_object_alloc,
    k_sleep,
    k_stack_alloc_init,
    k_stack_cleanup,
    k_stack_init,
    k_stack_pop,
    k_stack_push,
    k_thread,
    k_thread_abort,
    k_thread_create,
)
from zpy.ztest import (
    ZTEST,
    ZTEST_USER,
    zassert_equal,
    zassert_false,
    zassert_not_null,
    zassert_true,
)

from .test_stack_contexts import stack

TIMEOUT = K_MSEC(100)
STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
STACK_LEN = 2

data = [0] * STACK_LEN
threadstack2 = K_THREAD_STACK_DEFINE("threadstack2", STACK_SIZE)
thread_data2 = k_thread()


def stack_pop_fail(stack):
    # TESTPOINT: stack pop returns -EBUSY
    zassert_equal(k_stack_pop(stack, K_NO_WAIT)[0], -EBUSY)
    # TESTPOINT: stack pop returns -EAGAIN
    zassert_equal(k_stack_pop(stack, TIMEOUT)[0], -EAGAIN)


# Sub-thread entry
def tStack_pop_entry(p1, p2, p3):
    zassert_true(k_stack_pop(p1, K_FOREVER)[0], "stack pop failed\n")


@ZTEST("stack_fail")
def test_stack_pop_fail():
    """Popping an empty stack: -EBUSY without waiting, -EAGAIN when the wait times out."""
    k_stack_init(stack, data, STACK_LEN)

    stack_pop_fail(stack)


@ZTEST("stack_fail")
def test_stack_cleanup_error():
    """A stack a thread still waits on cannot be cleaned up."""
    rx_data = [0] * (STACK_LEN - 1)

    k_stack_init(stack, data, STACK_LEN)
    # Creat a new thread
    tid = k_thread_create(thread_data2, threadstack2, STACK_SIZE,
                          tStack_pop_entry, stack,
                          rx_data, None, K_PRIO_PREEMPT(0), 0,
                          K_NO_WAIT)
    # Delay for finishing some actions of the new thread
    k_sleep(K_MSEC(500))
    # Try to clean up the stack, that still be waited by the thread
    zassert_true(k_stack_cleanup(stack) == -EAGAIN, "The stack is cleanuped successful")
    # clear the spawn thread to avoid side effect
    k_thread_abort(tid)


@ZTEST("stack_fail")
def test_stack_push_full():
    """Pushing onto a full stack returns -ENOMEM."""
    tx_data = [0] * STACK_LEN
    data_tmp = 0

    k_stack_init(stack, data, STACK_LEN)
    for i in range(STACK_LEN):
        zassert_true(k_stack_push(stack, tx_data[i]) == 0, "push data into stack failed")
    # Verify that push a data in the full stack, a negative value will be met
    zassert_true(k_stack_push(stack, data_tmp) == -ENOMEM, "push data successful")


if IS_ENABLED("CONFIG_USERSPACE"):
    @ZTEST_USER("stack_fail")
    def test_stack_user_pop_fail():
        """Popping an empty stack from a user thread."""
        alloc_stack = k_object_alloc(K_OBJ_STACK)

        zassert_not_null(alloc_stack, "couldn't allocate stack object")
        zassert_false(k_stack_alloc_init(alloc_stack, STACK_LEN),
                      "stack init failed")

        stack_pop_fail(alloc_stack)
