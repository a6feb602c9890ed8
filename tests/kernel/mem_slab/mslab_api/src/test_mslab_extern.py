# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/mem_slab/mslab_api (src/test_mslab_extern.c), ported line by line."""

from zpy.ztest import ZTEST

from .test_mslab_api import kmslab, tmslab_alloc_free


@ZTEST("mslab_api")
def test_mslab_kdefine_extern():
    tmslab_alloc_free(kmslab)
