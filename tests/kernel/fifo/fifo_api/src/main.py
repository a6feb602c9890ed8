# SPDX-License-Identifier: Apache-2.0
"""Zephyr's FIFO tests (tests/kernel/fifo/fifo_api): the fifo APIs in thread and ISR
contexts (k_fifo_init, K_FIFO_DEFINE, k_fifo_put, k_fifo_put_list, k_fifo_put_slist,
k_fifo_get, k_fifo_is_empty, k_fifo_cancel_wait)."""

from zpy.ztest import ZTEST_SUITE, ztest_simple_1cpu_after, ztest_simple_1cpu_before

ZTEST_SUITE("fifo_api", None, None, None, None, None)

ZTEST_SUITE("fifo_api_1cpu", None, None,
            ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
