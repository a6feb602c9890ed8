# SPDX-License-Identifier: Apache-2.0
"""Zephyr's message queue tests (tests/kernel/msgq/msgq_api)."""

from zpy.kernel import K_HEAP_DEFINE, k_current_get, k_thread_access_grant, k_thread_heap_assign
from zpy.ztest import ZTEST_SUITE, ztest_simple_1cpu_after, ztest_simple_1cpu_before

from .test_msgq_contexts import end_sema, kmsgq, msgq, tdata, tstack

test_pool = K_HEAP_DEFINE("test_pool", 128 * 3)


def msgq_api_setup():
    k_thread_access_grant(k_current_get(), kmsgq, msgq, end_sema,
                          tdata, tstack)
    k_thread_heap_assign(k_current_get(), test_pool)
    return None


ZTEST_SUITE("msgq_api", None, msgq_api_setup, None, None, None)
ZTEST_SUITE("msgq_api_1cpu", None, msgq_api_setup,
            ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
