# SPDX-License-Identifier: Apache-2.0
"""test_fifo_fail.c: k_fifo_get on an empty fifo."""

from zpy.kernel import K_MSEC, K_NO_WAIT, k_fifo, k_fifo_get, k_fifo_init
from zpy.ztest import ZTEST, zassert_is_null

TIMEOUT = K_MSEC(100)


@ZTEST("fifo_api")
def test_fifo_get_fail():
    """k_fifo_get returns NULL when there is no data to read."""
    fifo = k_fifo()

    k_fifo_init(fifo)
    # TESTPOINT: fifo get returns NULL
    zassert_is_null(k_fifo_get(fifo, K_NO_WAIT), None)
    zassert_is_null(k_fifo_get(fifo, TIMEOUT), None)
