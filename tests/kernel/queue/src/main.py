# SPDX-License-Identifier: Apache-2.0
"""Zephyr's queue tests (tests/kernel/queue)."""

from zpy.kernel import K_HEAP_DEFINE, k_current_get, k_thread_heap_assign
from zpy.ztest import ZTEST_SUITE, ztest_simple_1cpu_after, ztest_simple_1cpu_before

MAX_SZ = 128  # CONFIG_64BIT
test_pool = K_HEAP_DEFINE("test_pool", MAX_SZ * 4 + 128)


# test case main entry
def queue_test_setup():
    k_thread_heap_assign(k_current_get(), test_pool)

    return None


ZTEST_SUITE("queue_api", None, queue_test_setup, None, None, None)
ZTEST_SUITE("queue_api_1cpu", None, queue_test_setup,
            ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
