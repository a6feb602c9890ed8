# SPDX-License-Identifier: Apache-2.0
"""Zephyr's stack tests (tests/kernel/stack/stack): the stack API in different scenarios.

Scenario 1: the test thread pushes items, starts a child thread and waits on a
semaphore; the child pops them all and pushes others back, then gives the
semaphore; the test thread pops those.
Scenario 2: the test thread pushes to stack2 and pops from stack1, the child
pops from stack2 and pushes to stack1, turn by turn.
Scenario 3: the same through ISRs (irq_offload): every push and pop runs in
interrupt context.
"""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FOREVER,
    K_HEAP_DEFINE,
    K_INHERIT_PERMS,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_STACK_DEFINE,
    K_THREAD_STACK_DEFINE,
    K_USER,
    irq_offload,
    k_current_get,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_stack,
    k_stack_alloc_init,
    k_stack_cleanup,
    k_stack_pop,
    k_stack_push,
    k_thread,
    k_thread_abort,
    k_thread_access_grant,
    k_thread_create,
    k_thread_heap_assign,
)
from zpy.ztest import (
    ZTEST,
    ZTEST_SUITE,
    ZTEST_USER,
    zassert_false,
    zassert_true,
    ztest_simple_1cpu_after,
    ztest_simple_1cpu_before,
)

from .test_stack_contexts import end_sema1, kstack, stack, thread_data1, threadstack1

TSTACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
STACK_LEN = 4

# stack objects used in this test
stack1 = K_STACK_DEFINE("stack1", STACK_LEN)
stack2 = K_STACK_DEFINE("stack2", STACK_LEN)

# thread info
threadstack = K_THREAD_STACK_DEFINE("threadstack", TSTACK_SIZE)
thread_data = k_thread()

# Data pushed to stack
data1 = [0xAAAA, 0xBBBB, 0xCCCC, 0xDDDD]
data2 = [0x1111, 0x2222, 0x3333, 0x4444]
data_isr = [0xABCD, 0xABCD, 0xABCD, 0xABCD]

# semaphore to sync threads
end_sema = k_sem()

test_pool = K_HEAP_DEFINE("test_pool", 128 * 3)


# entry of contexts
def tIsr_entry_push(p):
    # Push items to stack
    for i in range(STACK_LEN):
        k_stack_push(p, data_isr[i])


def tIsr_entry_pop(p):
    # Pop items from stack
    for i in range(STACK_LEN):
        if p is stack1:
            _, data1[i] = k_stack_pop(p, K_NO_WAIT)
        else:
            _, data2[i] = k_stack_pop(p, K_NO_WAIT)


def thread_entry_fn_single(p1, p2, p3):
    tmp = [0] * STACK_LEN

    # Pop items from stack
    for i in range(STACK_LEN, 0, -1):
        _, tmp[i - 1] = k_stack_pop(p1, K_NO_WAIT)
    zassert_false(tmp != data1, "Push & Pop items does not match")

    # Push items from stack
    for i in range(STACK_LEN):
        k_stack_push(p1, data2[i])

    # Give control back to Test thread
    k_sem_give(end_sema)


def thread_entry_fn_dual(p1, p2, p3):
    tmp = [0] * STACK_LEN

    for i in range(STACK_LEN):
        # Pop items from stack2
        _, tmp[i] = k_stack_pop(p2, K_FOREVER)

        # Push items to stack1
        k_stack_push(p1, data1[i])

    zassert_false(tmp != data2, "Push & Pop items does not match")


def thread_entry_fn_isr(p1, p2, p3):
    # Pop items from stack2
    irq_offload(tIsr_entry_pop, p2)
    zassert_false(data_isr != data2, "Push & Pop items does not match")

    # Push items to stack1
    irq_offload(tIsr_entry_push, p1)

    # Give control back to Test thread
    k_sem_give(end_sema)


@ZTEST_USER("stack_usage")
def test_single_stack_play():
    """Data passes between threads through one stack."""
    tmp = [0] * STACK_LEN

    # Init kernel objects
    k_sem_init(end_sema, 0, 1)

    # Push items to stack
    for i in range(STACK_LEN):
        k_stack_push(stack1, data1[i])

    tid = k_thread_create(thread_data, threadstack, TSTACK_SIZE,
                          thread_entry_fn_single, stack1, None,
                          None, K_PRIO_PREEMPT(0), K_USER |
                          K_INHERIT_PERMS, K_NO_WAIT)

    # Let the child thread run
    k_sem_take(end_sema, K_FOREVER)

    # Pop items from stack
    for i in range(STACK_LEN, 0, -1):
        _, tmp[i - 1] = k_stack_pop(stack1, K_NO_WAIT)

    zassert_false(tmp != data2, "Push & Pop items does not match")

    # Clear the spawn thread to avoid side effect
    k_thread_abort(tid)


@ZTEST_USER("stack_usage_1cpu")
def test_dual_stack_play():
    """Data passes between threads through two stacks, turn by turn."""
    tmp = [0] * STACK_LEN

    tid = k_thread_create(thread_data, threadstack, TSTACK_SIZE,
                          thread_entry_fn_dual, stack1, stack2,
                          None, K_PRIO_PREEMPT(0), K_USER |
                          K_INHERIT_PERMS, K_NO_WAIT)

    for i in range(STACK_LEN):
        # Push items to stack2
        k_stack_push(stack2, data2[i])

        # Pop items from stack1
        _, tmp[i] = k_stack_pop(stack1, K_FOREVER)

    zassert_false(tmp != data1, "Push & Pop items does not match")

    # Clear the spawn thread to avoid side effect
    k_thread_abort(tid)


@ZTEST("stack_usage_1cpu")
def test_isr_stack_play():
    """Data passes between a thread and ISRs through stacks."""
    # Init kernel objects
    k_sem_init(end_sema, 0, 1)

    tid = k_thread_create(thread_data, threadstack, TSTACK_SIZE,
                          thread_entry_fn_isr, stack1, stack2,
                          None, K_PRIO_PREEMPT(0),
                          K_INHERIT_PERMS, K_NO_WAIT)

    # Push items to stack2
    irq_offload(tIsr_entry_push, stack2)

    # Let the child thread run
    k_sem_take(end_sema, K_FOREVER)

    # Pop items from stack1
    irq_offload(tIsr_entry_pop, stack1)

    zassert_false(data_isr != data1, "Push & Pop items does not match")

    # Clear the spawn thread to avoid side effect
    k_thread_abort(tid)


# the thread entry
def thread_entry_wait(p1, p2, p3):
    txdata = p3

    k_stack_push(p1, txdata[2])
    k_stack_push(p1, txdata[3])


@ZTEST("stack_usage")
def test_stack_pop_can_wait():
    """A pop waits (for ever, or up to a timeout) for an item to come."""
    stack3 = k_stack()
    tx_data = [0xaa, 0xbb, 0xcc, 0xdd]
    rx_data = [0] * STACK_LEN

    k_stack_alloc_init(stack3, 2)
    tid = k_thread_create(thread_data, threadstack,
                          TSTACK_SIZE, thread_entry_wait, stack3,
                          None, tx_data, K_PRIO_PREEMPT(0), 0,
                          K_NO_WAIT)

    for i in range(2):
        k_stack_push(stack3, tx_data[i])

    for i in range(3):
        _, rx_data[i] = k_stack_pop(stack3, K_FOREVER)

    zassert_true(rx_data[2] == tx_data[2], "wait foreve and pop failed\n")
    _, rx_data[3] = k_stack_pop(stack3, K_MSEC(50))
    zassert_true(rx_data[3] == tx_data[3], "Wait maxmum time pop failed\n")
    # Clear the spawn thread to avoid side effect
    k_thread_abort(tid)
    # free the buffer allocated
    k_stack_cleanup(stack3)


def stack_setup():
    k_thread_access_grant(k_current_get(), stack1, stack2, thread_data,
                          end_sema, threadstack, kstack, stack, thread_data1,
                          end_sema1, threadstack1)

    k_thread_heap_assign(k_current_get(), test_pool)

    return None


ZTEST_SUITE("stack_contexts", None, stack_setup, None, None, None)
ZTEST_SUITE("stack_fail", None, stack_setup, None, None, None)
ZTEST_SUITE("stack_usage", None, stack_setup, None, None, None)
ZTEST_SUITE("stack_usage_1cpu", None, stack_setup,
            ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
