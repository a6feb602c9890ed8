"""Random numbers for images: <zephyr/random/random.h> (zpy.random re-exports it).

Numbers from a pseudo-random generator per image, seeded the same way on every boot,
so that runs stay reproducible (zpy's deterministic runs), as Zephyr's
CONFIG_TEST_RANDOM_GENERATOR is for tests. Nothing here is fit for cryptography:
sys_csrand_get draws from the operating system's generator instead.
"""

from __future__ import annotations

import os
import random
from typing import Any

from zpy.kernel.cbuffer import byte_view
from zpy.kernel.context import current_kernel

_SEED = 0x5A5A_2025


class _RandomState(random.Random):
    """An image's generator (Kernel.service)."""

    def __init__(self) -> None:
        super().__init__(_SEED)


def _generator() -> random.Random:
    return current_kernel().service(_RandomState)


def _fill(dst: Any, length: int, data: bytes) -> None:
    byte_view(dst, length, writable=True)[:] = data


def sys_rand_get(dst: Any, length: int) -> None:
    """Fill the first `length` bytes of a writable buffer with random bytes."""
    _fill(dst, length, _generator().randbytes(length))


def sys_csrand_get(dst: Any, length: int) -> int:
    """Cryptographically secure random bytes (from the host). Returns 0."""
    _fill(dst, length, os.urandom(length))
    return 0


def sys_rand8_get() -> int:
    return _generator().getrandbits(8)


def sys_rand16_get() -> int:
    return _generator().getrandbits(16)


def sys_rand32_get() -> int:
    return _generator().getrandbits(32)


def sys_rand64_get() -> int:
    return _generator().getrandbits(64)
