"""k_heap: a heap over a buffer of its own, with blocking allocation (kernel/kheap.c).

Blocks are writable memoryviews of the heap's buffer, as k_mem_slab's are: they
alias its memory, a fresh block holds whatever was there before (k_heap_calloc
zeroes it), and k_heap_free takes the very view back. The allocator is a
first-fit one in Zephyr's 8-byte chunk units with an 8-byte header per block,
so a heap fills up about as sys_heap does (not to the byte). An allocation that
cannot be met waits, up to its timeout, for a k_heap_free.
"""

from __future__ import annotations

from zpy.kernel.context import current_kernel
from zpy.kernel.mem_slab import aligned_buffer
from zpy.kernel.sched import WaitQ
from zpy.kernel.sys_io import buffer_address
from zpy.kernel.timeout import K_TICKS, as_timeout, k_timeout_t

CHUNK_UNIT = 8
_HEADER = 8


class k_heap:
    """struct k_heap: the buffer, its free chunks, the blocks in use, the waiters."""

    def __init__(self) -> None:
        self.buffer: memoryview | None = None
        self.wait_q = WaitQ()
        self._free: list[list[int]] = []  # [first chunk, chunks], by address
        self._used: dict[int, tuple[int, int, memoryview]] = {}

    def __repr__(self) -> str:
        size = 0 if self.buffer is None else len(self.buffer)
        return f"<k_heap {size} bytes, {len(self._used)} blocks>"


def k_heap_init(h: k_heap, mem: memoryview | bytearray, bytes: int) -> None:  # noqa: A002
    view = memoryview(mem).cast("B")[:bytes]
    if view.readonly:
        raise TypeError("k_heap_init: the buffer must be writable")
    off = -buffer_address(view) % CHUNK_UNIT
    h.buffer = view[off:]
    h.wait_q = WaitQ()
    h._free = [[0, len(h.buffer) // CHUNK_UNIT]]
    h._used = {}


def K_HEAP_DEFINE(name: str, bytes: int) -> k_heap:  # noqa: A002
    h = k_heap()
    k_heap_init(h, aligned_buffer(bytes, CHUNK_UNIT), bytes)
    return h


K_HEAP_DEFINE_NOCACHE = K_HEAP_DEFINE


def _alloc_locked(h: k_heap, align: int, nbytes: int) -> memoryview | None:
    """First fit: the lowest free chunk run that holds the block at that alignment."""
    buf = h.buffer
    if buf is None or nbytes < 0:
        return None
    align = max(align, CHUNK_UNIT)
    base = buffer_address(buf)
    units = -(-(nbytes + _HEADER) // CHUNK_UNIT)
    for n, (start, size) in enumerate(h._free):
        pad = 0
        while (base + (start + pad) * CHUNK_UNIT + _HEADER) % align:
            pad += 1
        if pad + units > size:
            continue
        rest = [[start + pad + units, size - pad - units]] if size > pad + units else []
        h._free[n:n + 1] = ([[start, pad]] if pad else []) + rest
        data = (start + pad) * CHUNK_UNIT + _HEADER
        block = buf[data:data + nbytes]
        h._used[id(block)] = (start + pad, units, block)
        return block
    return None


def _free_locked(h: k_heap, mem: memoryview) -> None:
    entry = h._used.get(id(mem))
    if entry is None or entry[2] is not mem:
        raise ValueError(f"k_heap_free: {mem!r} is not a block of {h!r}")
    del h._used[id(mem)]
    start, units, _ = entry
    runs = h._free
    n = 0
    while n < len(runs) and runs[n][0] < start:
        n += 1
    runs.insert(n, [start, units])
    # merge with the next run, then with the previous one
    if n + 1 < len(runs) and start + units == runs[n + 1][0]:
        runs[n][1] += runs.pop(n + 1)[1]
    if n > 0 and runs[n - 1][0] + runs[n - 1][1] == start:
        runs[n - 1][1] += runs.pop(n)[1]


def k_heap_aligned_alloc(h: k_heap, align: int, bytes: int,  # noqa: A002
                         timeout: k_timeout_t) -> memoryview | None:
    """A block of `bytes` starting at a multiple of `align`, or None once `timeout` passed."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    clock = sched.clock
    ticks = timeout.to_ticks(clock.ticks_per_sec)
    end = None if timeout.forever else (ticks if timeout.absolute else clock.tick_get() + ticks)
    sched.lock.acquire()
    while True:
        block = _alloc_locked(h, align, bytes)
        now = clock.tick_get()
        if block is not None or timeout.no_wait or (end is not None and now >= end):
            sched.lock.release()
            return block
        wait = timeout if end is None else K_TICKS(end - now)
        sched.pend_curr_locked(h.wait_q, wait)
        sched.lock.acquire()


def k_heap_alloc(h: k_heap, bytes: int, timeout: k_timeout_t) -> memoryview | None:  # noqa: A002
    return k_heap_aligned_alloc(h, 8, bytes, timeout)


def k_heap_calloc(h: k_heap, num: int, size: int, timeout: k_timeout_t) -> memoryview | None:
    """num * size zeroed bytes (None if that overflows a size_t or cannot be had)."""
    total = num * size
    if total >= 1 << 64:
        return None
    block = k_heap_alloc(h, total, timeout)
    if block is not None:
        block[:] = bytes(total)
    return block


def k_heap_free(h: k_heap, mem: memoryview | None) -> None:
    """Give a block back (None does nothing); threads waiting to allocate try again."""
    if mem is None:
        return
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    try:
        _free_locked(h, mem)
    except ValueError:
        sched.lock.release()
        raise
    if sched.unpend_all_locked(h.wait_q, 0):
        sched.reschedule_locked()
    else:
        sched.lock.release()


def k_heap_realloc(h: k_heap, ptr: memoryview | None, bytes: int,  # noqa: A002
                   timeout: k_timeout_t) -> memoryview | None:
    """Resize a block: a smaller size is cut in place, a larger one is a new block with the
    old contents (the old block freed). None: `ptr` stays as it was. ptr None is
    k_heap_alloc; bytes 0 is k_heap_free (returns None)."""
    if ptr is None:
        return k_heap_alloc(h, bytes, timeout)
    if bytes == 0:
        k_heap_free(h, ptr)
        return None
    if bytes <= len(ptr):
        sched = current_kernel().sched
        sched.entry()
        with sched.lock:
            return _shrink_locked(h, ptr, bytes)
    new = k_heap_alloc(h, bytes, timeout)
    if new is not None:
        new[:len(ptr)] = ptr
        k_heap_free(h, ptr)
    return new


def _shrink_locked(h: k_heap, ptr: memoryview, nbytes: int) -> memoryview:
    entry = h._used.get(id(ptr))
    if entry is None or entry[2] is not ptr:
        raise ValueError(f"k_heap_realloc: {ptr!r} is not a block of {h!r}")
    start, units, _ = entry
    keep = -(-(nbytes + _HEADER) // CHUNK_UNIT)
    assert h.buffer is not None
    data = start * CHUNK_UNIT + _HEADER
    block = h.buffer[data:data + nbytes]
    del h._used[id(ptr)]
    h._used[id(block)] = (start, keep, block)
    if keep < units:  # the tail goes back as a block of its own, then is freed
        tail = h.buffer[(start + keep) * CHUNK_UNIT:(start + keep) * CHUNK_UNIT]
        h._used[id(tail)] = (start + keep, units - keep, tail)
        _free_locked(h, tail)
    return block
