# SPDX-License-Identifier: Apache-2.0
"""basic.c: one thread writing and reading a pipe."""

from zpy.errno import EAGAIN, EPIPE
from zpy.kernel import (
    K_MSEC,
    K_NO_WAIT,
    K_PIPE_DEFINE,
    PIPE_FLAG_OPEN,
    k_pipe,
    k_pipe_close,
    k_pipe_init,
    k_pipe_read,
    k_pipe_reset,
    k_pipe_write,
)
from zpy.random import sys_rand_get
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_true

ZTEST_SUITE("k_pipe_basic", None, None, None, None, None)


def mkrandom(buffer, size):
    sys_rand_get(buffer, size)


test_define = K_PIPE_DEFINE("test_define", 256, 4)

pipe = k_pipe()


@ZTEST("k_pipe_basic")
def test_init():
    """k_pipe_init opens the pipe."""
    buffer = bytearray(10)

    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(pipe.flags == PIPE_FLAG_OPEN, "Unexpected pipe flags")


@ZTEST("k_pipe_basic")
def test_write_read_one():
    """A byte written is the byte read."""
    buffer = bytearray(10)
    data = bytearray([0x55])
    read_data = bytearray(1)

    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(k_pipe_write(pipe, data, 1, K_NO_WAIT) == 1,
                 "Failed to write to pipe")
    zassert_true(k_pipe_read(pipe, read_data, 1, K_NO_WAIT) == 1,
                 "Failed to read from pipe")
    zassert_true(read_data == data, "Unexpected data received from pipe")


@ZTEST("k_pipe_basic")
def test_write_read_multiple():
    """Two bytes written, two read."""
    buffer = bytearray(10)
    data = bytearray([0x55])
    read_data = bytearray(1)

    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(k_pipe_write(pipe, data, 1, K_NO_WAIT) == 1, "Failed to write to pipe")
    zassert_true(k_pipe_write(pipe, data, 1, K_NO_WAIT) == 1, "Failed to write to pipe")
    zassert_true(k_pipe_read(pipe, read_data, 1, K_NO_WAIT) == 1, "Failed to read from pipe")
    zassert_true(read_data == data, "Unexpected data received from pipe")
    zassert_true(k_pipe_read(pipe, read_data, 1, K_NO_WAIT) == 1, "Failed to read from pipe")
    zassert_true(read_data == data, "Unexpected data received from pipe")


@ZTEST("k_pipe_basic")
def test_write_full():
    """A write to a full pipe transfers nothing."""
    buffer = bytearray(10)
    data = bytearray(10)

    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(k_pipe_write(pipe, data, len(data), K_NO_WAIT) == 10,
                 "Failed to write multiple bytes to pipe")
    zassert_true(k_pipe_write(pipe, data, len(data), K_MSEC(1000)) == -EAGAIN,
                 "Should not be able to write to full pipe")


@ZTEST("k_pipe_basic")
def test_read_empty():
    """A read from an empty pipe gets nothing."""
    buffer = bytearray(10)
    read_data = bytearray(1)

    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(k_pipe_read(pipe, read_data, 1, K_MSEC(1000)) == -EAGAIN,
                 "Should not be able to read from empty pipe")


@ZTEST("k_pipe_basic")
def test_read_write_full():
    """A full pipe's worth of bytes goes through intact."""
    buffer = bytearray(10)
    input = bytearray(10)
    res = bytearray(10)

    mkrandom(input, len(input))
    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(k_pipe_write(pipe, input, len(input), K_NO_WAIT) == len(input),
                 "Failed to write multiple bytes to pipe")
    zassert_true(k_pipe_read(pipe, res, len(res), K_NO_WAIT) == len(res),
                 "Failed to read multiple bytes from pipe")
    zassert_true(input == res,
                 "Unexpected data received from pipe")


@ZTEST("k_pipe_basic")
def test_read_write_wrapp_around():
    """Bytes go through intact when the ring wraps around."""
    buffer = bytearray(12)
    input = bytearray(8)
    res = bytearray(16)

    mkrandom(input, len(input))
    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(k_pipe_write(pipe, input, len(input), K_NO_WAIT) == len(input),
                 "Failed to write bytes to pipe")
    zassert_true(k_pipe_read(pipe, res, 5, K_NO_WAIT) == 5,
                 "Failed to read bytes from pipe")
    zassert_true(input[:5] == res[:5], "Unexpected data received from pipe")

    zassert_true(k_pipe_write(pipe, input, len(input), K_NO_WAIT) == len(input),
                 "Failed to write bytes to pipe")
    zassert_true(k_pipe_read(pipe, res, len(input) * 2 - 5, K_NO_WAIT) ==
                 len(input) * 2 - 5, "Failed to read remaining bytes from pipe")

    zassert_true(input[5:] == res[:len(input) - 5],
                 "Unexpected data received from pipe")
    zassert_true(input == res[len(input) - 5:len(input) - 5 + len(input)],
                 "Unexpected data received from pipe")


@ZTEST("k_pipe_basic")
def test_reset():
    """Resetting an empty pipe nobody waits on changes nothing."""
    buffer = bytearray(10)
    data = bytearray([0x55])
    read_data = bytearray(1)

    k_pipe_init(pipe, buffer, len(buffer))

    # reset an empty pipe, & no waiting should not produce any side-effects
    k_pipe_reset(pipe)
    zassert_true(k_pipe_write(pipe, data, 1, K_NO_WAIT) == 1,
                 "Failed to write to reset pipe")
    zassert_true(k_pipe_read(pipe, read_data, 1, K_NO_WAIT) == 1,
                 "Failed to read from reset pipe")
    zassert_true(read_data == data, "Unexpected data received from pipe")


@ZTEST("k_pipe_basic")
def test_close():
    """A closed pipe takes no writes and gives what it holds, then -EPIPE."""
    buffer = bytearray(12)
    input = bytearray(8)
    res = bytearray(16)

    mkrandom(input, len(input))
    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(k_pipe_write(pipe, input, len(input), K_NO_WAIT) == len(input),
                 "Failed to write bytes to pipe")
    k_pipe_close(pipe)

    zassert_true(k_pipe_write(pipe, input, len(input), K_NO_WAIT) == -EPIPE,
                 "should not be able to write to closed pipe")
    zassert_true(k_pipe_read(pipe, res, 5, K_NO_WAIT) == 5,
                 "You should be able to read from closed pipe")
    zassert_true(input[:5] == res[:5], "Sequence should be equal")

    zassert_true(k_pipe_read(pipe, res, 5, K_NO_WAIT) == 3,
                 "you should be able to read remaining bytes from closed pipe")
    zassert_true(input[5:8] == res[:3], "Written and read bytes should be equal")
    zassert_true(k_pipe_read(pipe, res, 5, K_NO_WAIT) == -EPIPE,
                 "Closed and empty pipe should return -EPIPE")
