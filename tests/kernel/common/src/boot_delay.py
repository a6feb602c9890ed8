# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/common (src/boot_delay.c), ported line by line."""

from zpy.autoconf import CONFIG_BOOT_DELAY, CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC
from zpy.kernel import k_cycle_get_32
from zpy.kernel.uptime import k_cyc_to_ns_floor64
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_true, ztest_test_skip

NSEC_PER_MSEC = 1000000


@ZTEST("boot_delay")
def test_bootdelay():
    if CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC > 1000000000:
        # A GHz-scale counter can wrap a 32-bit count during a long firmware
        # start; Zephyr skips there, and so does the port.
        ztest_test_skip()

    current_cycles = k_cycle_get_32()

    # compare this with the boot delay specified
    zassert_true(k_cyc_to_ns_floor64(current_cycles) >= (NSEC_PER_MSEC * CONFIG_BOOT_DELAY),
                 "boot delay not executed: %d < %d",
                 k_cyc_to_ns_floor64(current_cycles) & 0xFFFFFFFF,
                 (NSEC_PER_MSEC * CONFIG_BOOT_DELAY))


ZTEST_SUITE("boot_delay", None, None, None, None, None)
