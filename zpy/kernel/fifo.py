"""k_fifo: a k_queue used first in, first out (the k_fifo_* macros of <zephyr/kernel.h>).

A k_fifo is a k_queue (C's struct k_fifo wraps one), so the k_queue_* calls
and a K_POLL_TYPE_FIFO_DATA_AVAILABLE event take a k_fifo as they are.
"""

from __future__ import annotations

from typing import Any

from zpy.kernel.queue import (
    k_queue,
    k_queue_alloc_append,
    k_queue_append,
    k_queue_append_list,
    k_queue_cancel_wait,
    k_queue_get,
    k_queue_init,
    k_queue_is_empty,
    k_queue_merge_slist,
    k_queue_peek_head,
    k_queue_peek_tail,
)
from zpy.kernel.slist import sys_slist_t, sys_snode_t
from zpy.kernel.timeout import k_timeout_t


class k_fifo(k_queue):
    """struct k_fifo."""


def K_FIFO_DEFINE(name: str) -> k_fifo:
    return k_fifo()


def k_fifo_init(fifo: k_fifo) -> None:
    k_queue_init(fifo)


def k_fifo_cancel_wait(fifo: k_fifo) -> None:
    k_queue_cancel_wait(fifo)


def k_fifo_put(fifo: k_fifo, data: Any) -> None:
    k_queue_append(fifo, data)


def k_fifo_alloc_put(fifo: k_fifo, data: Any) -> int:
    return k_queue_alloc_append(fifo, data)


def k_fifo_put_list(fifo: k_fifo, head: sys_snode_t | None, tail: sys_snode_t | None) -> int:
    return k_queue_append_list(fifo, head, tail)


def k_fifo_put_slist(fifo: k_fifo, list: sys_slist_t) -> int:
    return k_queue_merge_slist(fifo, list)


def k_fifo_get(fifo: k_fifo, timeout: k_timeout_t) -> Any:
    return k_queue_get(fifo, timeout)


def k_fifo_is_empty(fifo: k_fifo) -> int:
    return k_queue_is_empty(fifo)


def k_fifo_peek_head(fifo: k_fifo) -> Any:
    return k_queue_peek_head(fifo)


def k_fifo_peek_tail(fifo: k_fifo) -> Any:
    return k_queue_peek_tail(fifo)
