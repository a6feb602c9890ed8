# SPDX-License-Identifier: Apache-2.0
"""test_stack_contexts.c: data passing through stacks between threads and ISRs, the
alloc variant, and waiters served by priority."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.errno import ENOMEM
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_INHERIT_PERMS,
    K_MSEC,
    K_NO_WAIT,
    K_OBJ_STACK,
    K_PRIO_PREEMPT,
    K_STACK_DEFINE,
    K_THREAD_STACK_DEFINE,
    K_USER,
    irq_offload,
    k_current_get,
    k_object_alloc,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_sleep,
    k_stack,
    k_stack_alloc_init,
    k_stack_cleanup,
    k_stack_init,
    k_stack_pop,
    k_stack_push,
    k_thread,
    k_thread_abort,
    k_thread_create,
    k_thread_join,
    k_thread_priority_get,
    k_thread_priority_set,
)
from zpy.ztest import (
    ZTEST,
    ZTEST_USER,
    zassert_equal,
    zassert_false,
    zassert_not_null,
    zassert_true,
)

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
STACK_LEN = 4
HIGH_T1 = 0xaaa
HIGH_T2 = 0xbbb
LOW_PRIO = 0xccc

# TESTPOINT: init via K_STACK_DEFINE
kstack = K_STACK_DEFINE("kstack", STACK_LEN)
kstack_test_alloc = K_STACK_DEFINE("kstack_test_alloc", STACK_LEN)
stack = k_stack()

threadstack1 = K_THREAD_STACK_DEFINE("threadstack1", STACK_SIZE)
thread_data1 = k_thread()
threadstack_t1 = K_THREAD_STACK_DEFINE("threadstack_t1", STACK_SIZE)
high_pro_thread_t1 = k_thread()
threadstack_t2 = K_THREAD_STACK_DEFINE("threadstack_t2", STACK_SIZE)
high_pro_thread_t2 = k_thread()
data = [0xABCD, 0x1234, 0, 0]
end_sema1 = k_sem()


def tstack_push(pstack):
    for i in range(STACK_LEN):
        # TESTPOINT: stack push
        k_stack_push(pstack, data[i])


def tstack_pop(pstack):
    for i in range(STACK_LEN - 1, -1, -1):
        # TESTPOINT: stack pop
        ret, rx_data = k_stack_pop(pstack, K_NO_WAIT)
        zassert_false(ret, None)
        zassert_equal(rx_data, data[i], None)


# entry of contexts
def tIsr_entry_push(p):
    tstack_push(p)


def tIsr_entry_pop(p):
    tstack_pop(p)


def tThread_entry(p1, p2, p3):
    tstack_pop(p1)
    k_sem_give(end_sema1)
    tstack_push(p1)
    k_sem_give(end_sema1)


def tstack_thread_thread(pstack):
    k_sem_init(end_sema1, 0, 1)
    # TESTPOINT: thread-thread data passing via stack
    tid = k_thread_create(thread_data1, threadstack1, STACK_SIZE,
                          tThread_entry, pstack, None, None,
                          K_PRIO_PREEMPT(0), K_USER |
                          K_INHERIT_PERMS, K_NO_WAIT)
    tstack_push(pstack)
    k_sem_take(end_sema1, K_FOREVER)

    k_sem_take(end_sema1, K_FOREVER)
    tstack_pop(pstack)

    # clear the spawn thread to avoid side effect
    k_thread_abort(tid)


def tstack_thread_isr(pstack):
    k_sem_init(end_sema1, 0, 1)
    # TESTPOINT: thread-isr data passing via stack
    irq_offload(tIsr_entry_push, pstack)
    tstack_pop(pstack)

    tstack_push(pstack)
    irq_offload(tIsr_entry_pop, pstack)


@ZTEST("stack_contexts")
def test_stack_thread2thread():
    """Data passes between threads through a k_stack_init'ed and a defined stack."""
    # TESTPOINT: test k_stack_init stack
    k_stack_init(stack, data, STACK_LEN)
    tstack_thread_thread(stack)

    # TESTPOINT: test K_STACK_DEFINE stack
    tstack_thread_thread(kstack)


if IS_ENABLED("CONFIG_USERSPACE"):
    @ZTEST_USER("stack_contexts")
    def test_stack_user_thread2thread():
        """Data passes between user threads through a stack k_object_alloc made."""
        stack = k_object_alloc(K_OBJ_STACK)

        zassert_not_null(stack, "couldn't allocate stack object")
        zassert_false(k_stack_alloc_init(stack, STACK_LEN),
                      "stack init failed")

        tstack_thread_thread(stack)


@ZTEST("stack_contexts")
def test_stack_thread2isr():
    """Data passes between a thread and ISRs through stacks."""
    # TESTPOINT: test k_stack_init stack
    k_stack_init(stack, data, STACK_LEN)
    tstack_thread_isr(stack)

    # TESTPOINT: test K_STACK_DEFINE stack
    tstack_thread_isr(kstack)


@ZTEST("stack_contexts")
def test_stack_alloc_thread2thread():
    """A stack k_stack_alloc_init made passes data; a buffer too big for the pool fails."""
    k_stack_alloc_init(kstack_test_alloc, STACK_LEN)

    k_sem_init(end_sema1, 0, 1)
    # TESTPOINT: thread-thread data passing via stack
    tid = k_thread_create(thread_data1, threadstack1, STACK_SIZE,
                          tThread_entry, kstack_test_alloc,
                          None, None, K_PRIO_PREEMPT(0), 0,
                          K_NO_WAIT)
    tstack_push(kstack_test_alloc)
    k_sem_take(end_sema1, K_FOREVER)

    k_sem_take(end_sema1, K_FOREVER)
    tstack_pop(kstack_test_alloc)

    # clear the spawn thread to avoid side effect
    k_thread_abort(tid)
    k_stack_cleanup(kstack_test_alloc)

    # Requested buffer allocation from the test pool.
    ret = k_stack_alloc_init(kstack_test_alloc, (STACK_SIZE // 2) + 1)
    zassert_true(ret == -ENOMEM,
                 "requested buffer is smaller than resource pool")


def low_prio_wait_for_stack(p1, p2, p3):
    pstack = p1

    _, output = k_stack_pop(pstack, K_FOREVER)
    zassert_true(output == LOW_PRIO,
                 "The low priority thread get the stack data failed lastly")


def high_prio_t1_wait_for_stack(p1, p2, p3):
    pstack = p1

    _, output = k_stack_pop(pstack, K_FOREVER)
    zassert_true(output == HIGH_T1,
                 "The highest priority and waited longest get the stack data failed firstly")


def high_prio_t2_wait_for_stack(p1, p2, p3):
    pstack = p1

    _, output = k_stack_pop(pstack, K_FOREVER)
    zassert_true(output == HIGH_T2,
                 "The higher priority and waited longer get the stack data failed secondly")


@ZTEST("stack_contexts")
def test_stack_multithread_competition():
    """Pushed data goes to the highest-priority waiter that has waited longest."""
    old_prio = k_thread_priority_get(k_current_get())
    prio = 10
    test_data = [0] * 3

    k_thread_priority_set(k_current_get(), prio)
    # zpy: the C file relied on test_stack_thread2thread having run k_stack_init on
    # `stack` first (its old ztest_unit_test order); ztest runs tests by name now
    k_stack_init(stack, data, STACK_LEN)

    # Set up some values
    test_data[0] = HIGH_T1
    test_data[1] = HIGH_T2
    test_data[2] = LOW_PRIO

    k_thread_create(thread_data1, threadstack1, STACK_SIZE,
                    low_prio_wait_for_stack,
                    stack, None, None,
                    prio + 4, 0, K_NO_WAIT)

    k_thread_create(high_pro_thread_t1, threadstack_t1, STACK_SIZE,
                    high_prio_t1_wait_for_stack,
                    stack, None, None,
                    prio + 2, 0, K_NO_WAIT)

    # Make thread thread_data1 and high_pro_thread_t1 wait more time
    k_sleep(K_MSEC(10))

    k_thread_create(high_pro_thread_t2, threadstack_t2, STACK_SIZE,
                    high_prio_t2_wait_for_stack,
                    stack, None, None,
                    prio + 2, 0, K_NO_WAIT)

    # Initialize them and block
    k_sleep(K_MSEC(50))

    # Insert some data to wake up thread
    k_stack_push(stack, test_data[0])
    k_stack_push(stack, test_data[1])
    k_stack_push(stack, test_data[2])

    # Wait for thread exiting
    k_thread_join(thread_data1, K_FOREVER)
    k_thread_join(high_pro_thread_t1, K_FOREVER)
    k_thread_join(high_pro_thread_t2, K_FOREVER)

    # Revert priority of the main thread
    k_thread_priority_set(k_current_get(), old_prio)


@ZTEST("stack_contexts")
def test_stack_alloc_null():
    """A buffer larger than the resource pool cannot be had."""
    # Requested buffer allocation from the test pool.
    ret = k_stack_alloc_init(kstack_test_alloc, (STACK_SIZE // 2) + 1)
    zassert_true(ret == -ENOMEM,
                 "requested buffer is smaller than resource pool")
