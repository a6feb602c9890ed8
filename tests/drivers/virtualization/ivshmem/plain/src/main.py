# SPDX-License-Identifier: Apache-2.0
"""The ivshmem-plain test suite of Zephyr (tests/drivers/virtualization/ivshmem/plain)."""

from zpy import errno
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_get_id,
    ivshmem_get_mem,
    ivshmem_get_vectors,
    ivshmem_int_peer,
    ivshmem_register_handler,
)
from zpy.kernel import IS_ENABLED, k_is_user_context, k_thread_user_mode_enter
from zpy.ztest import (
    ZTEST,
    ZTEST_SUITE,
    zassert_equal,
    zassert_not_equal,
    zassert_not_null,
    zassert_true,
    ztest_test_skip,
)


@ZTEST("ivshmem")
def test_ivshmem_plain():
    ivshmem = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    zassert_true(device_is_ready(ivshmem), "ivshmem device is not ready")

    size, mem = ivshmem_get_mem(ivshmem)
    zassert_not_equal(size, 0, "Size cannot not be 0")
    zassert_not_null(mem, "Shared memory cannot be null")

    zassert_equal(ivshmem_get_id(ivshmem), 0, "ID should be 0 on ivshmem-plain")

    mem[0:4] = (8108).to_bytes(4, "little")
    zassert_equal(int.from_bytes(mem[0:4], "little"), 8108, "Could not r/w to the shared memory")

    zassert_equal(ivshmem_get_vectors(ivshmem), 0, "ivshmem-plain cannot have vectors")
    zassert_equal(ivshmem_int_peer(ivshmem, 0, 0), -errno.ENOSYS,
                  "interrupting peers should not be supported")
    zassert_equal(ivshmem_register_handler(ivshmem, None, 0), -errno.ENOSYS,
                  "registering handlers should not be supported")


def _quit_kernel(p1, p2, p3):
    zassert_true(k_is_user_context(), "thread left in kernel mode")


@ZTEST("ivshmem")
def test_quit_kernel():
    if IS_ENABLED("CONFIG_USERSPACE"):
        k_thread_user_mode_enter(_quit_kernel, None, None, None)
    else:
        ztest_test_skip()


ZTEST_SUITE("ivshmem", None, None, None, None, None)
