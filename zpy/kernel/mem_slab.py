"""k_mem_slab: fixed-size blocks from one buffer (kernel/mem_slab.c).

A block is a writable memoryview of the slab's buffer, so it aliases that
memory as C's pointer does: what a thread writes through it is in the buffer,
no copy is made, and a slab over shared memory hands out windows onto it.
Blocks come back in Zephyr's order (a LIFO free list, block 0 first). Freeing a
block wakes the highest-priority thread waiting in k_mem_slab_alloc, which gets
that very block.

    rc, block = k_mem_slab_alloc(slab, K_NO_WAIT)   # C: k_mem_slab_alloc(&slab, &block, ...)
    k_mem_slab_free(slab, block)
"""

from __future__ import annotations

import ctypes

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.sched import WaitQ
from zpy.kernel.sys_io import buffer_address
from zpy.kernel.timeout import as_timeout, k_timeout_t

#: blocks must be multiples of a pointer (and start on one), as in Zephyr
_WORD = ctypes.sizeof(ctypes.c_void_p)


def aligned_buffer(size: int, align: int) -> memoryview:
    """A zeroed writable buffer of `size` bytes starting at a multiple of `align`."""
    raw = bytearray(size + align)
    off = -buffer_address(raw) % align
    return memoryview(raw)[off:off + size]


class k_mem_slab_info:
    """struct k_mem_slab_info."""

    __slots__ = ("num_blocks", "block_size", "num_used", "max_used")

    def __init__(self, num_blocks: int = 0, block_size: int = 0) -> None:
        self.num_blocks = num_blocks
        self.block_size = block_size
        self.num_used = 0
        self.max_used = 0


class k_mem_slab:
    """struct k_mem_slab: `buffer`, `info`, the free blocks and the threads waiting."""

    def __init__(self) -> None:
        self.buffer: memoryview | None = None
        self.info = k_mem_slab_info()
        self.wait_q = WaitQ()
        self._blocks: list[memoryview] = []
        self._index: dict[int, int] = {}
        self._free: list[int] = []  # block numbers; the last one is the free list's head

    def __repr__(self) -> str:
        i = self.info
        return f"<k_mem_slab {i.num_used}/{i.num_blocks} blocks of {i.block_size}>"


def _create_free_list(slab: k_mem_slab) -> None:
    buf = slab.buffer
    size = slab.info.block_size
    assert buf is not None
    slab._blocks = [buf[i * size:(i + 1) * size] for i in range(slab.info.num_blocks)]
    slab._index = {id(b): i for i, b in enumerate(slab._blocks)}
    slab._free = list(reversed(range(slab.info.num_blocks)))


def k_mem_slab_init(slab: k_mem_slab, buffer: memoryview | bytearray, block_size: int,
                    num_blocks: int) -> int:
    """0, or -EINVAL if the block size or the buffer is not word aligned."""
    view = memoryview(buffer).cast("B")
    if view.readonly:
        raise TypeError("k_mem_slab_init: the buffer must be writable")
    if block_size % _WORD or buffer_address(view) % _WORD:
        return -errno.EINVAL
    if len(view) < block_size * num_blocks:
        raise ValueError(f"k_mem_slab_init: a buffer of {len(view)} bytes cannot hold "
                         f"{num_blocks} blocks of {block_size}")
    slab.buffer = view
    slab.info = k_mem_slab_info(num_blocks, block_size)
    slab.wait_q = WaitQ()
    _create_free_list(slab)
    return 0


def K_MEM_SLAB_DEFINE(name: str, slab_block_size: int, slab_num_blocks: int,
                      slab_align: int) -> k_mem_slab:
    """A slab over a buffer of its own, aligned to `slab_align`."""
    slab = k_mem_slab()
    buf = aligned_buffer(slab_block_size * slab_num_blocks, max(slab_align, _WORD))
    if k_mem_slab_init(slab, buf, slab_block_size, slab_num_blocks) != 0:
        raise ValueError(f"K_MEM_SLAB_DEFINE({name}): the block size {slab_block_size} is "
                         f"not a multiple of {_WORD}")
    return slab


K_MEM_SLAB_DEFINE_STATIC = K_MEM_SLAB_DEFINE


def k_mem_slab_alloc(slab: k_mem_slab, timeout: k_timeout_t) -> tuple[int, memoryview | None]:
    """C: int k_mem_slab_alloc(slab, void **mem, timeout). Returns (0, block), or
    (-ENOMEM, None) with K_NO_WAIT, (-EAGAIN, None) on timeout."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if slab._free:
        block = slab._blocks[slab._free.pop()]
        info = slab.info
        info.num_used += 1
        info.max_used = max(info.max_used, info.num_used)
        sched.lock.release()
        return 0, block
    if timeout.no_wait:
        sched.lock.release()
        return -errno.ENOMEM, None
    rc = sched.pend_curr_locked(slab.wait_q, timeout)
    if rc == 0:
        return 0, sched.running_thread().swap_data
    return rc, None


def k_mem_slab_free(slab: k_mem_slab, mem: memoryview) -> None:
    """Give a block back: to the best waiting thread, or to the free list."""
    i = slab._index.get(id(mem), -1)
    if i < 0 or slab._blocks[i] is not mem:
        raise ValueError(f"k_mem_slab_free: {mem!r} is not a block of {slab!r}")
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if i in slab._free:
        sched.lock.release()
        raise ValueError(f"k_mem_slab_free: block {i} of {slab!r} is already free")
    if not slab._free and sched.wake_locked(slab.wait_q, 0, mem) is not None:
        sched.reschedule_locked()
        return
    slab._free.append(i)
    slab.info.num_used -= 1
    sched.lock.release()


def k_mem_slab_num_used_get(slab: k_mem_slab) -> int:
    return slab.info.num_used


def k_mem_slab_num_free_get(slab: k_mem_slab) -> int:
    return slab.info.num_blocks - slab.info.num_used


def k_mem_slab_max_used_get(slab: k_mem_slab) -> int:
    """The most blocks ever in use at once (CONFIG_MEM_SLAB_TRACE_MAX_UTILIZATION)."""
    return slab.info.max_used
