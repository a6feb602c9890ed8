# SPDX-License-Identifier: Apache-2.0
"""Zephyr's k_poll tests (tests/kernel/poll)."""

from zpy.kernel import K_HEAP_DEFINE, k_current_get, k_thread_heap_assign
from zpy.ztest import ZTEST_SUITE, ztest_simple_1cpu_after, ztest_simple_1cpu_before

from .test_poll import poll_test_grant_access
from .test_poll_fail import poll_fail_grant_access

MAX_SZ = 256  # CONFIG_64BIT

test_heap = K_HEAP_DEFINE("test_heap", MAX_SZ * 4)


# test case main entry
def poll_setup():
    poll_test_grant_access()
    poll_fail_grant_access()

    k_thread_heap_assign(k_current_get(), test_heap)

    return None


ZTEST_SUITE("poll_api", None, poll_setup, None, None, None)
ZTEST_SUITE("poll_api_1cpu", None, poll_setup, ztest_simple_1cpu_before,
            ztest_simple_1cpu_after, None)
