# SPDX-License-Identifier: Apache-2.0
"""Zephyr's LIFO tests (tests/kernel/lifo/lifo_api): the lifo APIs in thread and ISR
contexts (k_lifo_init, K_LIFO_DEFINE, k_lifo_put, k_lifo_get)."""

from zpy.ztest import ZTEST_SUITE, ztest_simple_1cpu_after, ztest_simple_1cpu_before

ZTEST_SUITE("lifo_api", None, None, None, None, None)

ZTEST_SUITE("lifo_api_1cpu", None, None,
            ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
