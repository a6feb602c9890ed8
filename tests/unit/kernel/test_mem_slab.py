"""k_mem_slab and k_heap: blocks are views of one buffer; waiting allocations get freed blocks."""

from __future__ import annotations


def test_slab_blocks_alias_the_buffer_and_come_back_in_zephyrs_order(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        def main():
            buf = bytearray(64)
            slab = k_mem_slab()
            printk("unaligned size: %d\\n", k_mem_slab_init(slab, buf, 12, 4))
            printk("init: %d\\n", k_mem_slab_init(slab, buf, 16, 4))
            blocks = []
            for i in range(4):
                rc, b = k_mem_slab_alloc(slab, K_NO_WAIT)
                b[:] = bytes([i + 1]) * 16
                blocks.append(b)
            printk("full: %d %s\\n", *k_mem_slab_alloc(slab, K_NO_WAIT))
            printk("buffer: %s\\n", bytes(buf[::16]).hex())
            k_mem_slab_free(slab, blocks[2])
            k_mem_slab_free(slab, blocks[0])
            rc, again = k_mem_slab_alloc(slab, K_NO_WAIT)
            printk("LIFO: %s, used %d free %d max %d\\n", again is blocks[0],
                   k_mem_slab_num_used_get(slab), k_mem_slab_num_free_get(slab),
                   k_mem_slab_max_used_get(slab))
            try:
                k_mem_slab_free(slab, blocks[2])
            except ValueError as e:
                printk("%s\\n", str(e).split(":")[0])
            d = K_MEM_SLAB_DEFINE("d", 24, 3, 32)
            addr = [POINTER_TO_UINT(k_mem_slab_alloc(d, K_NO_WAIT)[1]) for _ in range(3)]
            printk("aligned %d, strides %d %d\\n", addr[0] % 32, addr[1] - addr[0],
                   addr[2] - addr[1])
            return 0
    """)
    assert status == 0, out
    assert out == ("unaligned size: -22\ninit: 0\nfull: -12 (null)\nbuffer: 01020304\n"
                   "LIFO: True, used 3 free 1 max 4\nk_mem_slab_free\n"
                   "aligned 0, strides 24 24\n")


def test_slab_waiters_get_the_freed_block_or_time_out(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        slab = K_MEM_SLAB_DEFINE("slab", 8, 1, 8)

        def waiter(name, ms):
            t0 = k_uptime_ticks()
            rc, b = k_mem_slab_alloc(slab, K_MSEC(ms))
            printk("%s: %d after %d ticks\\n", name, rc, k_uptime_ticks() - t0)
            if rc == 0:
                k_mem_slab_free(slab, b)

        def main():
            rc, b = k_mem_slab_alloc(slab, K_NO_WAIT)
            k_thread_create(k_thread(), None, 0, waiter, "short", 30, None, 3, 0, K_NO_WAIT)
            k_thread_create(k_thread(), None, 0, waiter, "long", 500, None, 4, 0, K_NO_WAIT)
            k_msleep(100)
            k_mem_slab_free(slab, b)
            k_msleep(10)
            return 0
    """)
    assert status == 0, out
    assert out == "short: -11 after 4 ticks\nlong: 0 after 11 ticks\n"


def test_heap_alloc_align_calloc_realloc_and_blocking(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        h = K_HEAP_DEFINE("h", 256)

        def waiter():
            t0 = k_uptime_ticks()
            b = k_heap_alloc(h, 100, K_FOREVER)
            printk("waiter got %d bytes after %d ticks\\n", len(b), k_uptime_ticks() - t0)

        def main():
            a = k_heap_alloc(h, 100, K_NO_WAIT)
            b = k_heap_aligned_alloc(h, 64, 40, K_NO_WAIT)
            printk("aligned %d, too big %s\\n", POINTER_TO_UINT(b) % 64,
                   k_heap_alloc(h, 200, K_MSEC(20)))
            a[:5] = b"hello"
            a = k_heap_realloc(h, a, 10, K_NO_WAIT)
            printk("shrunk in place: %s\\n", bytes(a[:5]))
            k_heap_free(h, b)
            c = k_heap_calloc(h, 4, 8, K_NO_WAIT)
            printk("calloc zeroed %s\\n", bytes(c) == bytes(32))
            k_heap_free(h, c)
            k_thread_create(k_thread(), None, 0, waiter, None, None, None, 3, 0, K_NO_WAIT)
            filler = k_heap_alloc(h, 150, K_NO_WAIT)
            k_msleep(50)
            k_heap_free(h, filler)
            k_msleep(10)
            return 0
    """)
    assert status == 0, out
    assert out == ("aligned 0, too big (null)\nshrunk in place: hello\ncalloc zeroed True\n"
                   "waiter got 100 bytes after 6 ticks\n")
