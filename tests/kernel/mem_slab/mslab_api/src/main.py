# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/mem_slab/mslab_api (src/main.c), ported line by line."""

from zpy.ztest import ZTEST_SUITE

from .test_mslab_api import mslab_setup

ZTEST_SUITE("mslab_api", None, mslab_setup, None, None, None)
