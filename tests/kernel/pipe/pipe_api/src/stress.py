# SPDX-License-Identifier: Apache-2.0
"""stress.c: many writes and reads through a pipe."""

from zpy.kernel import K_FOREVER, k_pipe, k_pipe_init, k_pipe_read, k_pipe_write, k_uptime_get_32
from zpy.logging import LOG_INF, LOG_LEVEL_INF, LOG_MODULE_REGISTER
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_true

WRITE_LEN = 512
READ_LEN = 512

LOG_MODULE_REGISTER("k_k_pipe_stress", LOG_LEVEL_INF)

ZTEST_SUITE("k_pipe_stress", None, None, None, None, None)

pipe = k_pipe()


@ZTEST("k_pipe_stress")
def test_write():
    """Writes fill the pipe."""
    length = WRITE_LEN
    buffer = bytearray(WRITE_LEN)
    buf = memoryview(bytearray(WRITE_LEN))

    k_pipe_init(pipe, buffer, len(buffer))
    start_cycles = k_uptime_get_32()
    sent = 0
    while sent < length:
        rc = k_pipe_write(pipe, buf[sent:], length - sent, K_FOREVER)
        zassert_true(rc > 0, "Failed to write to pipe")
        sent += rc
    end_cycles = k_uptime_get_32()
    LOG_INF("Elapsed cycles: %u\n", end_cycles - start_cycles)


@ZTEST("k_pipe_stress")
def test_read():
    """A hundred rounds of filling the pipe and draining it."""
    length = READ_LEN
    buffer = bytearray(READ_LEN)
    buf = memoryview(bytearray(READ_LEN))

    k_pipe_init(pipe, buffer, len(buffer))
    start_cycles = k_uptime_get_32()
    for _ in range(100):
        sent = 0
        while sent < length:
            rc = k_pipe_write(pipe, buf[sent:], length - sent, K_FOREVER)
            zassert_true(rc > 0, "Failed to write to pipe")
            sent += rc
        read = 0
        while read < length:
            rc = k_pipe_read(pipe, buf[read:], length - read, K_FOREVER)
            zassert_true(rc > 0, "Failed to read from pipe")
            read += rc
    end_cycles = k_uptime_get_32()
    LOG_INF("Elapsed cycles: %u\n", end_cycles - start_cycles)
