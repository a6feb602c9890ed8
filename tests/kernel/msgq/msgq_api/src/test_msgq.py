# SPDX-License-Identifier: Apache-2.0
"""test_msgq.h: the suite's constants. A message is a uint32_t: ctypes.c_uint32 buffers."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import K_MSEC

TIMEOUT_MS = 100
TIMEOUT = K_MSEC(TIMEOUT_MS)
STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE
MSG_SIZE = 4
MSGQ_LEN = 2
MSG0 = 0xABCD
MSG1 = 0x1234
OVERFLOW_SIZE_MSG = 2**64 - 1  # SIZE_MAX
