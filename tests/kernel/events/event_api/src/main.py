# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/events/event_api (src/main.c), ported line by line."""

from zpy.ztest import ZTEST_SUITE, ztest_simple_1cpu_after, ztest_simple_1cpu_before

ZTEST_SUITE("events_api", None, None, ztest_simple_1cpu_before, ztest_simple_1cpu_after, None)
