# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/sleep (src/usleep.c), ported line by line."""

from zpy.autoconf import CONFIG_SYS_CLOCK_TICKS_PER_SEC
from zpy.kernel import k_uptime_get, k_usleep, printk
from zpy.ztest import ZTEST_USER, zassert_true

RETRIES = 10

MAXIMUM_SHORTEST_TICKS = 1

LOOPS = CONFIG_SYS_CLOCK_TICKS_PER_SEC // 2

LOWER_BOUND_MS = (1000 * LOOPS) // CONFIG_SYS_CLOCK_TICKS_PER_SEC
UPPER_BOUND_MS = ((3 + MAXIMUM_SHORTEST_TICKS) * 1000 * LOOPS) // CONFIG_SYS_CLOCK_TICKS_PER_SEC


@ZTEST_USER("sleep")
def test_usleep():
    retries = 0
    elapsed_ms = 0

    while retries < RETRIES:
        retries += 1
        start_ms = k_uptime_get()

        for _i in range(LOOPS):
            k_usleep(1)

        end_ms = k_uptime_get()
        elapsed_ms = end_ms - start_ms

        if (elapsed_ms >= LOWER_BOUND_MS) and (elapsed_ms <= UPPER_BOUND_MS):
            break

    printk("elapsed_ms = %lld\n", elapsed_ms)
    zassert_true(elapsed_ms >= LOWER_BOUND_MS, "short sleep")
    zassert_true(elapsed_ms <= UPPER_BOUND_MS, "overslept")
