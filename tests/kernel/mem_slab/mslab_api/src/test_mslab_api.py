# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/mem_slab/mslab_api (src/test_mslab_api.c), ported line by line."""

from zpy import errno
from zpy.autoconf import CONFIG_MP_NUM_CPUS
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_MEM_SLAB_DEFINE,
    K_MSEC,
    K_NO_WAIT,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    POINTER_TO_UINT,
    k_mem_slab,
    k_mem_slab_alloc,
    k_mem_slab_free,
    k_mem_slab_init,
    k_mem_slab_num_free_get,
    k_mem_slab_num_used_get,
    k_sem_give,
    k_sem_take,
    k_thread,
    k_thread_create,
    k_uptime_delta,
    k_uptime_get,
)
from zpy.ztest import ZTEST, zassert_equal, zassert_not_null, zassert_true, ztest_test_skip

from .test_mslab import BLK_ALIGN, BLK_NUM, BLK_SIZE, TIMEOUT

STACKSIZE = 512

kmslab = K_MEM_SLAB_DEFINE("kmslab", BLK_SIZE, BLK_NUM, BLK_ALIGN)
tslab = bytearray(BLK_SIZE * BLK_NUM)
mslab = k_mem_slab()
SEM_HELPERDONE = K_SEM_DEFINE("SEM_HELPERDONE", 0, 1)
SEM_REGRESSDONE = K_SEM_DEFINE("SEM_REGRESSDONE", 0, 1)
stack = K_THREAD_STACK_DEFINE("stack", STACKSIZE)
HELPER = k_thread()


def mslab_setup():
    k_mem_slab_init(mslab, tslab, BLK_SIZE, BLK_NUM)

    return None


def tmslab_alloc_free(data):
    pslab = data
    block = [None] * BLK_NUM

    for i in range(BLK_NUM):
        rc, block[i] = k_mem_slab_alloc(pslab, K_NO_WAIT)
        zassert_true(rc == 0, None)
        zassert_not_null(block[i], None)
    for i in range(BLK_NUM):
        k_mem_slab_free(pslab, block[i])


def tmslab_alloc_align(data):
    pslab = data
    block = [None] * BLK_NUM

    for i in range(BLK_NUM):
        rc, block[i] = k_mem_slab_alloc(pslab, K_NO_WAIT)
        zassert_true(rc == 0, None)
        zassert_true(POINTER_TO_UINT(block[i]) % BLK_ALIGN == 0)
    for i in range(BLK_NUM):
        k_mem_slab_free(pslab, block[i])


def tmslab_alloc_timeout(data):
    pslab = data
    block = [None] * BLK_NUM

    for i in range(BLK_NUM):
        rc, block[i] = k_mem_slab_alloc(pslab, K_NO_WAIT)
        zassert_true(rc == 0, None)

    zassert_equal(k_mem_slab_alloc(pslab, K_NO_WAIT)[0], -errno.ENOMEM, None)
    tms = k_uptime_get()
    err, block_fail = k_mem_slab_alloc(pslab, K_MSEC(TIMEOUT))
    if IS_ENABLED("CONFIG_MULTITHREADING"):
        zassert_equal(err, -errno.EAGAIN)
        zassert_true(k_uptime_delta(tms)[0] >= TIMEOUT)
    else:
        zassert_equal(err, -errno.ENOMEM)
        zassert_true(k_uptime_delta(tms)[0] < TIMEOUT)

    for i in range(BLK_NUM):
        k_mem_slab_free(pslab, block[i])


def tmslab_used_get(data):
    pslab = data
    block = [None] * BLK_NUM

    for i in range(BLK_NUM):
        rc, block[i] = k_mem_slab_alloc(pslab, K_NO_WAIT)
        zassert_true(rc == 0, None)
        zassert_equal(k_mem_slab_num_used_get(pslab), i + 1)
        zassert_equal(k_mem_slab_num_free_get(pslab), BLK_NUM - 1 - i)

    zassert_equal(k_mem_slab_alloc(pslab, K_NO_WAIT)[0], -errno.ENOMEM, None)
    zassert_equal(k_mem_slab_num_free_get(pslab), 0)
    zassert_equal(k_mem_slab_num_used_get(pslab), BLK_NUM)

    zassert_equal(k_mem_slab_alloc(pslab, K_MSEC(TIMEOUT))[0],
                  -errno.EAGAIN if IS_ENABLED("CONFIG_MULTITHREADING") else -errno.ENOMEM,
                  None)
    zassert_equal(k_mem_slab_num_free_get(pslab), 0)
    zassert_equal(k_mem_slab_num_used_get(pslab), BLK_NUM)

    for i in range(BLK_NUM):
        k_mem_slab_free(pslab, block[i])
        zassert_equal(k_mem_slab_num_free_get(pslab), i + 1)
        zassert_equal(k_mem_slab_num_used_get(pslab), BLK_NUM - 1 - i)


def helper_thread(p0, p1, p2):
    ptr = [None] * BLK_NUM

    k_sem_take(SEM_REGRESSDONE, K_FOREVER)

    for i in range(BLK_NUM):
        zassert_equal(k_mem_slab_num_used_get(kmslab), i, "Failed k_mem_slab_num_used_get")

        rc, ptr[i] = k_mem_slab_alloc(kmslab, K_NO_WAIT)
        zassert_equal(rc, 0, "Failed k_mem_slab_alloc")

    k_sem_give(SEM_HELPERDONE)

    k_sem_take(SEM_REGRESSDONE, K_FOREVER)
    k_mem_slab_free(kmslab, ptr[0])

    k_sem_take(SEM_REGRESSDONE, K_FOREVER)

    for i in range(1, BLK_NUM):
        k_mem_slab_free(kmslab, ptr[i])

    k_sem_give(SEM_HELPERDONE)


@ZTEST("mslab_api")
def test_mslab_kinit():
    zassert_equal(k_mem_slab_init(mslab, tslab, BLK_SIZE + 1, BLK_NUM), -errno.EINVAL, None)
    k_mem_slab_init(mslab, tslab, BLK_SIZE, BLK_NUM)
    zassert_equal(k_mem_slab_num_used_get(mslab), 0)
    zassert_equal(k_mem_slab_num_free_get(mslab), BLK_NUM)


@ZTEST("mslab_api")
def test_mslab_kdefine():
    zassert_equal(k_mem_slab_num_used_get(kmslab), 0)
    zassert_equal(k_mem_slab_num_free_get(kmslab), BLK_NUM)


@ZTEST("mslab_api")
def test_mslab_alloc_free_thread():
    tmslab_alloc_free(mslab)


@ZTEST("mslab_api")
def test_mslab_alloc_align():
    tmslab_alloc_align(mslab)
    tmslab_alloc_align(kmslab)


@ZTEST("mslab_api")
def test_mslab_alloc_timeout():
    if CONFIG_MP_NUM_CPUS != 1:
        ztest_test_skip()

    tmslab_alloc_timeout(mslab)


@ZTEST("mslab_api")
def test_mslab_used_get():
    tmslab_used_get(mslab)
    tmslab_used_get(kmslab)


@ZTEST("mslab_api")
def test_mslab_pending():
    if not IS_ENABLED("CONFIG_MULTITHREADING"):
        ztest_test_skip()
        return

    k_thread_create(HELPER, stack, STACKSIZE, helper_thread, None, None, None, 7, 0, K_NO_WAIT)

    k_sem_give(SEM_REGRESSDONE)

    k_sem_take(SEM_HELPERDONE, K_FOREVER)

    ret_value, b = k_mem_slab_alloc(kmslab, K_MSEC(20))
    zassert_equal(-errno.EAGAIN, ret_value, "Failed k_mem_slab_alloc, retValue %d\n", ret_value)

    k_sem_give(SEM_REGRESSDONE)

    ret_value, b = k_mem_slab_alloc(kmslab, K_FOREVER)
    zassert_equal(0, ret_value, "Failed k_mem_slab_alloc, ret_value %d\n", ret_value)

    k_sem_give(SEM_REGRESSDONE)

    k_sem_take(SEM_HELPERDONE, K_FOREVER)

    k_mem_slab_free(kmslab, b)
