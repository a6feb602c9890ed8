"""k_lifo: a k_queue used last in, first out (the k_lifo_* macros of <zephyr/kernel.h>).

A k_lifo is a k_queue (C's struct k_lifo wraps one), so the k_queue_* calls
and a K_POLL_TYPE_DATA_AVAILABLE event take a k_lifo as they are.
"""

from __future__ import annotations

from typing import Any

from zpy.kernel.queue import (
    k_queue,
    k_queue_alloc_prepend,
    k_queue_get,
    k_queue_init,
    k_queue_prepend,
)
from zpy.kernel.timeout import k_timeout_t


class k_lifo(k_queue):
    """struct k_lifo."""


def K_LIFO_DEFINE(name: str) -> k_lifo:
    return k_lifo()


def k_lifo_init(lifo: k_lifo) -> None:
    k_queue_init(lifo)


def k_lifo_put(lifo: k_lifo, data: Any) -> None:
    k_queue_prepend(lifo, data)


def k_lifo_alloc_put(lifo: k_lifo, data: Any) -> int:
    return k_queue_alloc_prepend(lifo, data)


def k_lifo_get(lifo: k_lifo, timeout: k_timeout_t) -> Any:
    return k_queue_get(lifo, timeout)
