# SPDX-License-Identifier: Apache-2.0
"""ivshmem-doorbell tests: a ready device with memory and vectors, and a doorbell rung
on ourselves through the server coming back as our vector.

Run with a server: zpy ivshmem-server -F -S /tmp/ivshmem_socket -M ivshmem -l 4096 -n 2
"""

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
from zpy.kernel import (
    K_MSEC,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_init,
)
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal, zassert_not_equal, zassert_true


def _device():
    ivshmem = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    zassert_true(device_is_ready(ivshmem), "ivshmem device is not ready")
    return ivshmem


@ZTEST("ivshmem_doorbell")
def test_doorbell_device_ready():
    ivshmem = _device()
    size, mem = ivshmem_get_mem(ivshmem)
    zassert_not_equal(size, 0, "Size cannot be 0")
    zassert_true(mem is not None, "Shared memory cannot be null")
    zassert_not_equal(ivshmem_get_vectors(ivshmem), 0, "ivshmem-doorbell must have vectors")


@ZTEST("ivshmem_doorbell")
def test_doorbell_self_notify():
    ivshmem = _device()
    signal = k_poll_signal()
    k_poll_signal_init(signal)
    zassert_equal(ivshmem_register_handler(ivshmem, signal, 0), 0, "cannot register handler")
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, signal)]

    zassert_equal(ivshmem_int_peer(ivshmem, ivshmem_get_id(ivshmem), 0), 0, "cannot ring ourselves")
    zassert_equal(k_poll(events, 1, K_MSEC(1000)), 0, "no notification within 1 s")
    signaled, result = k_poll_signal_check(signal)
    zassert_true(signaled, "signal not raised")
    zassert_equal(result, 0, "notified on vector %d instead of 0", result)


@ZTEST("ivshmem_doorbell")
def test_doorbell_bad_vector():
    ivshmem = _device()
    vectors = ivshmem_get_vectors(ivshmem)
    zassert_equal(ivshmem_int_peer(ivshmem, 0, vectors), -errno.EINVAL, "vector out of range")
    zassert_equal(ivshmem_register_handler(ivshmem, None, vectors), -errno.EINVAL,
                  "vector out of range")


ZTEST_SUITE("ivshmem_doorbell", None, None, None, None, None)
