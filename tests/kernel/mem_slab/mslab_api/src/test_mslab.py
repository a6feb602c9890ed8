# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/mem_slab/mslab_api (src/test_mslab.h)."""

TIMEOUT = 2000
BLK_NUM = 3
BLK_ALIGN = 8
BLK_SIZE = 16
