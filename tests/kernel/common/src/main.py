# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/common: the cases ported are in atomic.py, timeout_order.py,
slist.py, dlist.py and boot_delay.py.

src/main.c's own cases (kernel version, bounds-check mitigation) are left out: see
README.md.
"""
