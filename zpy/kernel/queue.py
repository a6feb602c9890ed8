"""k_queue: items any number of threads may wait for (Zephyr's kernel/queue.c).

An item is any Python object, and the queue hands back the very object that
was put in (C hands back the same pointer). C links items through their first
word, which the caller reserves for the kernel; zpy keeps its own references
instead, so that word needs no counterpart, except in a list built by the
caller for k_queue_append_list(), which is chained through `next` as a
sys_slist is (docs/porting.md, "Queues, FIFOs and message queues").

A put wakes the highest-priority waiter (the one that waited longest among
equals) and hands the item straight to it; only when nobody waits is the item
queued, and then the first k_poll() registered on the queue is signalled.
"""

from __future__ import annotations

from typing import Any

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.heap import z_thread_free, z_thread_malloc
from zpy.kernel.poll import (
    K_POLL_STATE_CANCELLED,
    K_POLL_STATE_DATA_AVAILABLE,
    k_poll_event,
    signal_poll_event,
)
from zpy.kernel.sched import WaitQ
from zpy.kernel.slist import sys_slist_init, sys_slist_is_empty, sys_slist_t, sys_snode_t
from zpy.kernel.timeout import as_timeout, k_timeout_t

# struct alloc_node: a sys_sfnode_t and the data pointer (64-bit)
_ALLOC_NODE_SIZE = 16


class _alloc_node:
    """What k_queue_alloc_append() queues: the caller's item in memory the queue took from
    the thread's resource pool (returned when the item leaves the queue)."""

    __slots__ = ("data", "mem")

    def __init__(self, data: Any, mem: tuple[Any, Any]) -> None:
        self.data = data
        self.mem = mem


class k_queue:
    """struct k_queue."""

    def __init__(self) -> None:
        #: the queued items, head first (alloc'd ones wrapped in an _alloc_node)
        self.data_q: list[Any] = []
        self.wait_q = WaitQ()
        self.poll_events: list[k_poll_event] = []


def K_QUEUE_DEFINE(name: str) -> k_queue:
    return k_queue()


def k_queue_init(queue: k_queue) -> None:
    queue.data_q = []
    queue.wait_q = WaitQ()
    queue.poll_events = []


def _node_peek(node: Any) -> Any:
    """z_queue_node_peek: the item a queue node carries."""
    return node.data if isinstance(node, _alloc_node) else node


def _node_free(node: Any) -> None:
    """Give back an alloc'd node that left the queue (outside the kernel lock: the pool
    locks on its own)."""
    if isinstance(node, _alloc_node):
        z_thread_free(node.mem)


def k_queue_cancel_wait(queue: k_queue) -> None:
    """The first waiter's k_queue_get() returns None at once; a k_poll() on it, -EINTR."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    sched.wake_locked(queue.wait_q, 0, None)
    signal_poll_event(sched, queue.poll_events, K_POLL_STATE_CANCELLED)
    sched.reschedule_locked()


def _index(queue: k_queue, item: Any) -> int:
    for i, node in enumerate(queue.data_q):
        if node is item:
            return i
    raise ValueError(f"k_queue_insert: prev {item!r} is not in the queue")


def _queue_insert(queue: k_queue, prev: Any, data: Any, alloc: bool, is_append: bool) -> int:
    sched = current_kernel().sched
    sched.entry()
    # C takes the node only when nobody waits; the pool has its own locking here, so the
    # node is taken first (outside the kernel lock) and given back if a waiter took the item
    got = z_thread_malloc(_ALLOC_NODE_SIZE) if alloc else None
    sched.lock.acquire()
    if sched.wake_locked(queue.wait_q, 0, data) is not None:
        sched.reschedule_locked()
        if got is not None:
            z_thread_free(got)
        return 0
    node = data
    if alloc:
        if got is None:
            sched.lock.release()
            return -errno.ENOMEM
        node = _alloc_node(data, got)
    if is_append:
        queue.data_q.append(node)
    elif prev is None:
        queue.data_q.insert(0, node)
    else:
        try:
            at = _index(queue, prev) + 1
        except ValueError:
            sched.lock.release()
            raise
        queue.data_q.insert(at, node)
    if signal_poll_event(sched, queue.poll_events, K_POLL_STATE_DATA_AVAILABLE):
        sched.reschedule_locked()
    else:
        sched.lock.release()
    return 0


def k_queue_insert(queue: k_queue, prev: Any, data: Any) -> None:
    """Insert `data` after the queued item `prev` (at the head when `prev` is None)."""
    _queue_insert(queue, prev, data, False, False)


def k_queue_append(queue: k_queue, data: Any) -> None:
    _queue_insert(queue, None, data, False, True)


def k_queue_prepend(queue: k_queue, data: Any) -> None:
    _queue_insert(queue, None, data, False, False)


def k_queue_alloc_append(queue: k_queue, data: Any) -> int:
    """0, or -ENOMEM when the calling thread's resource pool cannot hold the queue's node."""
    return _queue_insert(queue, None, data, True, True)


def k_queue_alloc_prepend(queue: k_queue, data: Any) -> int:
    return _queue_insert(queue, None, data, True, False)


def k_queue_append_list(queue: k_queue, head: sys_snode_t | None,
                        tail: sys_snode_t | None) -> int:
    """Append the items head..tail, chained through `next`; waiters take the first ones.
    -EINVAL if head or tail is None."""
    if head is None or tail is None:
        return -errno.EINVAL
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    node: sys_snode_t | None = head
    while node is not None and queue.wait_q:
        sched.wake_locked(queue.wait_q, 0, node)
        node = None if node is tail else node.next
    while node is not None:
        queue.data_q.append(node)
        node = None if node is tail else node.next
    signal_poll_event(sched, queue.poll_events, K_POLL_STATE_DATA_AVAILABLE)
    sched.reschedule_locked()
    return 0


def k_queue_merge_slist(queue: k_queue, list: sys_slist_t) -> int:
    """Move every node of a sys_slist to the queue's end; the list is left empty.
    -EINVAL if the list is empty (or its tail is None)."""
    if sys_slist_is_empty(list):
        return -errno.EINVAL
    ret = k_queue_append_list(queue, list.head, list.tail)
    if ret != 0:
        return ret
    sys_slist_init(list)
    return 0


def k_queue_get(queue: k_queue, timeout: k_timeout_t) -> Any:
    """The head item, or None: K_NO_WAIT on an empty queue, timeout, k_queue_cancel_wait()."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if queue.data_q:
        node = queue.data_q.pop(0)
        sched.lock.release()
        _node_free(node)
        return _node_peek(node)
    if timeout.no_wait:
        sched.lock.release()
        return None
    ret = sched.pend_curr_locked(queue.wait_q, timeout)
    return None if ret != 0 else sched.running_thread().swap_data


def k_queue_remove(queue: k_queue, data: Any) -> bool:
    """Take `data` out of the queue wherever it is; False if it is not queued."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        for i, node in enumerate(queue.data_q):
            if node is data:
                del queue.data_q[i]
                return True
    return False


def k_queue_unique_append(queue: k_queue, data: Any) -> bool:
    """Append `data` unless it is queued already (then False)."""
    sched = current_kernel().sched
    sched.entry()
    with sched.lock:
        if any(node is data for node in queue.data_q):
            return False
    k_queue_append(queue, data)
    return True


def k_queue_is_empty(queue: k_queue) -> int:
    current_kernel().sched.entry()
    return 0 if queue.data_q else 1


def k_queue_peek_head(queue: k_queue) -> Any:
    current_kernel().sched.entry()
    data_q = queue.data_q
    return _node_peek(data_q[0]) if data_q else None


def k_queue_peek_tail(queue: k_queue) -> Any:
    current_kernel().sched.entry()
    data_q = queue.data_q
    return _node_peek(data_q[-1]) if data_q else None
