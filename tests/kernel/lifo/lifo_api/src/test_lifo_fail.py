# SPDX-License-Identifier: Apache-2.0
"""test_lifo_fail.c: k_lifo_get on an empty lifo."""

from zpy.kernel import K_MSEC, K_NO_WAIT, k_lifo, k_lifo_get, k_lifo_init
from zpy.ztest import ZTEST, zassert_is_null

TIMEOUT = K_MSEC(100)


@ZTEST("lifo_api")
def test_lifo_get_fail():
    """k_lifo_get returns NULL when there is no data to read."""
    lifo = k_lifo()

    k_lifo_init(lifo)
    # TESTPOINT: lifo get returns NULL
    zassert_is_null(k_lifo_get(lifo, K_NO_WAIT), None)
    zassert_is_null(k_lifo_get(lifo, TIMEOUT), None)
