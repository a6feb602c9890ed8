# SPDX-License-Identifier: Apache-2.0
"""concurrency.c: close, reset and partial transfers with another thread."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.errno import ECANCELED, EPIPE
from zpy.kernel import (
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_COOP,
    K_THREAD_STACK_DEFINE,
    K_THREAD_STACK_SIZEOF,
    PIPE_FLAG_OPEN,
    PIPE_FLAG_RESET,
    k_msleep,
    k_pipe,
    k_pipe_close,
    k_pipe_init,
    k_pipe_read,
    k_pipe_reset,
    k_pipe_write,
    k_thread,
    k_thread_create,
    k_thread_join,
)
from zpy.logging import LOG_LEVEL_DBG, LOG_MODULE_REGISTER
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_true

LOG_MODULE_REGISTER("k_pipe_concurrency", LOG_LEVEL_DBG)
ZTEST_SUITE("k_pipe_concurrency", None, None, None, None, None)

partial_wait_time = 2000
DUMMY_DATA_SIZE = 16
thread = k_thread()
stack = K_THREAD_STACK_DEFINE("stack", 1024 + CONFIG_TEST_EXTRA_STACK_SIZE)
pipe = k_pipe()


def thread_close(arg1, arg2, arg3):
    k_pipe_close(arg1)


def thread_reset(arg1, arg2, arg3):
    k_pipe_reset(arg1)


def thread_write(arg1, arg2, arg3):
    garbage = bytearray(DUMMY_DATA_SIZE)

    zassert_true(k_pipe_write(arg1, garbage, len(garbage),
                              K_MSEC(partial_wait_time)) == len(garbage), "Failed to write to pipe")


def thread_read(arg1, arg2, arg3):
    garbage = bytearray(DUMMY_DATA_SIZE)

    zassert_true(k_pipe_read(arg1, garbage, len(garbage),
                             K_MSEC(partial_wait_time)) == len(garbage), "Failed to read from pipe")


@ZTEST("k_pipe_concurrency")
def test_close_on_read():
    """Closing a pipe ends a waiting read with -EPIPE."""
    buffer = bytearray(DUMMY_DATA_SIZE)
    res = bytearray(1)

    k_pipe_init(pipe, buffer, len(buffer))
    tid = k_thread_create(thread, stack, K_THREAD_STACK_SIZEOF(stack),
                          thread_close, pipe, None, None, K_PRIO_COOP(0), 0, K_MSEC(100))
    zassert_true(tid, "k_thread_create failed")
    zassert_true(k_pipe_read(pipe, res, len(res), K_MSEC(1000)) == -EPIPE,
                 "Read on closed pipe should return -EPIPE")
    k_thread_join(tid, K_FOREVER)
    zassert_true((pipe.flags & PIPE_FLAG_OPEN) == 0,
                 "Pipe should continue to be closed after all waiters have been released")


@ZTEST("k_pipe_concurrency")
def test_close_on_write():
    """Closing a pipe ends a waiting write with -EPIPE."""
    buffer = bytearray(DUMMY_DATA_SIZE)
    garbage = bytearray(DUMMY_DATA_SIZE)

    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(len(garbage) == k_pipe_write(pipe, garbage, len(garbage), K_MSEC(1000)),
                 "Failed to write to pipe")

    tid = k_thread_create(thread, stack, K_THREAD_STACK_SIZEOF(stack),
                          thread_close, pipe, None, None, K_PRIO_COOP(0), 0, K_MSEC(100))
    zassert_true(tid, "k_thread_create failed")
    zassert_true(k_pipe_write(pipe, garbage, len(garbage), K_MSEC(1000)) == -EPIPE,
                 "write should return -EPIPE, when pipe is closed")
    k_thread_join(tid, K_FOREVER)
    zassert_true((pipe.flags & PIPE_FLAG_OPEN) == 0,
                 "pipe should continue to be closed after all waiters have been released")


@ZTEST("k_pipe_concurrency")
def test_reset_on_read():
    """Resetting a pipe ends a waiting read with -ECANCELED; the pipe stays open."""
    buffer = bytearray(DUMMY_DATA_SIZE)
    res = bytearray(1)

    k_pipe_init(pipe, buffer, len(buffer))

    tid = k_thread_create(thread, stack, K_THREAD_STACK_SIZEOF(stack),
                          thread_reset, pipe, None, None, K_PRIO_COOP(0), 0, K_MSEC(100))
    zassert_true(tid, "k_thread_create failed")
    zassert_true(k_pipe_read(pipe, res, len(res), K_MSEC(1000)) == -ECANCELED,
                 "reset on read should return -ECANCELED")
    k_thread_join(tid, K_FOREVER)
    zassert_true((pipe.flags & PIPE_FLAG_RESET) == 0,
                 "pipe should not have reset flag after all waiters are done")
    zassert_true((pipe.flags & PIPE_FLAG_OPEN) != 0,
                 "pipe should continue to be open after pipe is reseted")


@ZTEST("k_pipe_concurrency")
def test_reset_on_write():
    """Resetting a pipe ends a waiting write with -ECANCELED; the pipe stays open."""
    buffer = bytearray(DUMMY_DATA_SIZE)
    garbage = bytearray(DUMMY_DATA_SIZE)

    k_pipe_init(pipe, buffer, len(buffer))
    zassert_true(len(garbage) == k_pipe_write(pipe, garbage, len(garbage), K_MSEC(1000)),
                 "Failed to write to pipe")

    tid = k_thread_create(thread, stack, K_THREAD_STACK_SIZEOF(stack),
                          thread_reset, pipe, None, None, K_PRIO_COOP(0), 0, K_MSEC(100))
    zassert_true(tid, "k_thread_create failed")
    zassert_true(k_pipe_write(pipe, garbage, len(garbage), K_MSEC(1000)) == -ECANCELED,
                 "reset on write should return -ECANCELED")
    k_thread_join(tid, K_FOREVER)
    zassert_true((pipe.flags & PIPE_FLAG_RESET) == 0,
                 "pipe should not have reset flag after all waiters are done")
    zassert_true((pipe.flags & PIPE_FLAG_OPEN) != 0,
                 "pipe should continue to be open after pipe is reseted")


@ZTEST("k_pipe_concurrency")
def test_partial_read():
    """A waiting read gets its bytes over two writes."""
    buffer = bytearray(DUMMY_DATA_SIZE)
    garbage = bytearray(DUMMY_DATA_SIZE)
    write_size = len(garbage) // 2

    k_pipe_init(pipe, buffer, len(buffer))
    tid = k_thread_create(thread, stack, K_THREAD_STACK_SIZEOF(stack),
                          thread_read, pipe, None, None, K_PRIO_COOP(0), 0, K_NO_WAIT)

    zassert_true(k_pipe_write(pipe, garbage, write_size, K_NO_WAIT) == write_size,
                 "write to pipe failed")
    k_msleep(partial_wait_time // 4)
    zassert_true(k_pipe_write(pipe, garbage, write_size, K_NO_WAIT) == write_size,
                 "k_k_pipe_write should return number of bytes written")
    k_thread_join(tid, K_FOREVER)


@ZTEST("k_pipe_concurrency")
def test_partial_write():
    """A waiting write puts its bytes in over two reads."""
    buffer = bytearray(DUMMY_DATA_SIZE)
    garbage = bytearray(DUMMY_DATA_SIZE)
    read_size = len(garbage) // 2

    k_pipe_init(pipe, buffer, len(buffer))

    zassert_true(k_pipe_write(pipe, garbage, len(garbage), K_NO_WAIT) == len(garbage),
                 "Failed to write to pipe")
    tid = k_thread_create(thread, stack, K_THREAD_STACK_SIZEOF(stack),
                          thread_write, pipe, None, None, K_PRIO_COOP(0), 0, K_NO_WAIT)

    zassert_true(k_pipe_read(pipe, garbage, read_size, K_NO_WAIT) == read_size,
                 "Failed to read from pipe")
    k_msleep(partial_wait_time // 2)
    zassert_true(k_pipe_read(pipe, garbage, read_size, K_NO_WAIT) == read_size,
                 "failed t read from pipe")
    k_thread_join(tid, K_FOREVER)
