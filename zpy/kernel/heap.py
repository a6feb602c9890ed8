"""k_malloc/k_free on the system heap (CONFIG_HEAP_MEM_POOL_SIZE), and dynamic kernel objects.

Blocks are bytearrays (the C pointer becomes the buffer). The heap only counts:
an allocation that would exceed the pool returns None, as k_malloc returns NULL.
"""

from __future__ import annotations

import threading
from typing import Any

from zpy.kernel.context import current_kernel, current_thread, isr_cpu

# Rough per-block overhead of Zephyr's sys_heap, so that a pool fills up about as it would.
_CHUNK_OVERHEAD = 8


class Heap:
    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self._blocks: dict[int, int] = {}
        self._lock = threading.Lock()

    def alloc(self, size: int) -> bytearray | None:
        if size < 0:
            return None
        cost = size + _CHUNK_OVERHEAD
        with self._lock:
            if self.used + cost > self.size:
                return None
            block = bytearray(size)
            self._blocks[id(block)] = cost
            self.used += cost
            return block

    def free(self, block: Any) -> None:
        if block is None:
            return
        with self._lock:
            cost = self._blocks.pop(id(block), None)
            if cost is not None:
                self.used -= cost


def k_malloc(size: int) -> bytearray | None:
    return current_kernel().heap.alloc(size)


def k_calloc(nmemb: int, size: int) -> bytearray | None:
    return current_kernel().heap.alloc(nmemb * size)


def k_free(ptr: Any) -> None:
    current_kernel().heap.free(ptr)


class _SystemHeapRef:
    """A thread's resource pool that is Zephyr's _SYSTEM_HEAP: the image's system heap."""

    def __repr__(self) -> str:
        return "_SYSTEM_HEAP"


#: what a thread draws from unless given another pool (the main thread's, and so
#: every thread's that inherits it, as in Zephyr when CONFIG_HEAP_MEM_POOL_SIZE > 0)
SYSTEM_HEAP = _SystemHeapRef()


def k_thread_heap_assign(thread: Any, heap: Any) -> None:
    """The heap (a k_heap, or None for none) the thread's kernel objects allocate from
    (k_queue_alloc_append, k_stack_alloc_init, k_msgq_alloc_init ...). Threads it
    creates inherit it."""
    thread.resource_pool = heap


def k_thread_system_pool_assign(thread: Any) -> None:
    thread.resource_pool = SYSTEM_HEAP


def z_thread_malloc(size: int) -> tuple[Any, Any] | None:
    """Memory for an object's own use, as kernel/mempool.c's z_thread_malloc: from the
    calling thread's resource pool, the system heap in ISRs. Returns (pool, block), so
    the block goes back to its pool (z_thread_free), or None when there is no pool or no
    room."""
    kernel = current_kernel()
    thread = current_thread()
    if isr_cpu() is not None or thread is None:
        pool: Any = SYSTEM_HEAP
    else:
        pool = thread.resource_pool
    if pool is SYSTEM_HEAP:
        pool = kernel.heap
    if pool is None:
        return None
    block: bytearray | memoryview | None
    if isinstance(pool, Heap):
        block = pool.alloc(size)
    else:  # a k_heap (K_HEAP_DEFINE, k_heap_init)
        from zpy.kernel.kheap import k_heap_alloc
        from zpy.kernel.timeout import K_NO_WAIT

        block = k_heap_alloc(pool, size, K_NO_WAIT)
    return None if block is None else (pool, block)


def z_thread_free(got: tuple[Any, Any]) -> None:
    """Give back what z_thread_malloc returned."""
    pool, block = got
    if isinstance(pool, Heap):
        pool.free(block)
    else:
        from zpy.kernel.kheap import k_heap_free

        k_heap_free(pool, block)


# -- dynamic kernel objects (CONFIG_DYNAMIC_OBJECTS) ---------------------------------------

K_OBJ_ANY = 0
K_OBJ_MEM_SLAB = 1
K_OBJ_MSGQ = 2
K_OBJ_MUTEX = 3
K_OBJ_PIPE = 4
K_OBJ_QUEUE = 5
K_OBJ_POLL_SIGNAL = 6
K_OBJ_SEM = 7
K_OBJ_STACK = 8
K_OBJ_THREAD = 9
K_OBJ_TIMER = 10


def _object_types() -> dict[int, type]:
    from zpy.kernel.msgq import k_msgq
    from zpy.kernel.mutex import k_mutex
    from zpy.kernel.pipe import k_pipe
    from zpy.kernel.poll import k_poll_signal
    from zpy.kernel.queue import k_queue
    from zpy.kernel.sem import k_sem
    from zpy.kernel.stack import k_stack
    from zpy.kernel.thread import k_thread

    return {K_OBJ_POLL_SIGNAL: k_poll_signal, K_OBJ_SEM: k_sem, K_OBJ_MUTEX: k_mutex,
            K_OBJ_THREAD: k_thread, K_OBJ_QUEUE: k_queue, K_OBJ_STACK: k_stack,
            K_OBJ_MSGQ: k_msgq, K_OBJ_PIPE: k_pipe}


def k_object_alloc(otype: int) -> Any:
    """A new kernel object of that type, or None (no CONFIG_DYNAMIC_OBJECTS, unknown type)."""
    kernel = current_kernel()
    if not kernel.config.get("CONFIG_DYNAMIC_OBJECTS"):
        return None
    cls = _object_types().get(otype)
    return None if cls is None else cls()


def k_object_free(obj: Any) -> None:
    """Objects are garbage collected; kept for API parity."""


def k_object_access_grant(obj: Any, thread: Any) -> None:
    """No memory protection in zpy: every thread may use every object."""


def k_thread_access_grant(thread: Any, *objects: Any) -> None:
    """No memory protection in zpy: every thread may use every object."""


def k_object_access_all_grant(obj: Any) -> None:
    """No memory protection in zpy."""

