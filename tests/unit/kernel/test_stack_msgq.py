"""k_stack and k_msgq: return codes, blocking and timeouts, waiters by priority, ISRs,
k_poll, the alloc variants; messages copied as bytes, in and out.

Every image runs in virtual time on one CPU, so timings are exact and no test waits.
"""

from __future__ import annotations

from tests.unit.kernel.objimage import run


def test_stack_push_pop_full_and_empty(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    buf = [0] * 3
    s = k_stack()
    k_stack_init(s, buf, 2)
    assert k_stack_pop(s, K_NO_WAIT) == (-errno.EBUSY, None)
    assert k_stack_push(s, 10) == 0 and k_stack_push(s, 20) == 0
    assert k_stack_push(s, 30) == -errno.ENOMEM
    printk("%s %s %s\\n", buf, k_stack_pop(s, K_NO_WAIT), k_stack_pop(s, K_NO_WAIT))
    k_sleep(K_TICKS(1))
    t0 = k_uptime_ticks()
    rc = k_stack_pop(s, K_MSEC(50))
    printk("%s after %d ticks\\n", rc, k_uptime_ticks() - t0)
""")
    assert status == 0, out
    assert out == "[10, 20, 0] (0, 20) (0, 10)\n(-11, None) after 6 ticks\n"


def test_stack_poppers_by_priority_and_isr_push(make_image, boot):
    status, out = run(make_image, boot, """
def popper(s, name):
    printk("%s popped %s\\n", name, k_stack_pop(s, K_FOREVER))

def isr(s):
    k_stack_push(s, 0xAA)

def main():
    s = K_STACK_DEFINE("s", 4)
    k_thread_priority_set(k_current_get(), 10)
    spawn(popper, 12, s, "low")
    spawn(popper, 11, s, "high")
    k_msleep(10)
    irq_offload(isr, s)
    k_stack_push(s, 0xBB)
    k_msleep(10)
""")
    assert status == 0, out
    assert out == "high popped (0, 170)\nlow popped (0, 187)\n"


def test_stack_alloc_init_and_cleanup(make_image, boot):
    status, out = run(make_image, boot, """
def popper(s):
    k_stack_pop(s, K_FOREVER)

def main():
    heap = current_kernel().heap
    s = k_stack()
    assert k_stack_alloc_init(s, 100) == -errno.ENOMEM
    assert k_stack_alloc_init(s, 2) == 0 and s.flags == K_STACK_FLAG_ALLOC
    used = heap.used
    spawn(popper, -1, s)
    assert k_stack_cleanup(s) == -errno.EAGAIN     # a thread waits on it
    k_stack_push(s, 1)
    printk("%d %d %d\\n", k_stack_cleanup(s), used, heap.used)
""", config={"HEAP_MEM_POOL_SIZE": "64"})
    assert status == 0, out
    assert out == "0 24 0\n"


# -- k_msgq ---------------------------------------------------------------------------------


def test_msgq_copies_bytes_in_and_out(make_image, boot):
    status, out = run(make_image, boot, """
class msg_t(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint16), ("value", ctypes.c_uint16)]

def main():
    ring = bytearray(8)
    q = k_msgq()
    k_msgq_init(q, ring, 4, 2)
    src = bytearray(u32(0x11223344))
    assert k_msgq_put(q, src, K_NO_WAIT) == 0
    src[0] = 0                                 # the queue keeps its own copy
    assert k_msgq_put(q, msg_t(7, 9), K_NO_WAIT) == 0
    assert k_msgq_put(q, u32(3), K_NO_WAIT) == -errno.ENOMSG
    assert ring[:4] == u32(0x11223344)         # the ring is the caller's buffer
    first = ctypes.c_uint32()
    assert k_msgq_peek(q, first) == 0 and k_msgq_num_used_get(q) == 2
    m = msg_t()
    assert k_msgq_peek_at(q, m, 1) == 0 and k_msgq_peek_at(q, m, 2) == -errno.ENOMSG
    out = bytearray(6)                         # a bigger buffer gets msg_size bytes
    assert k_msgq_get(q, out, K_NO_WAIT) == 0
    attrs = k_msgq_attrs()
    k_msgq_get_attrs(q, attrs)
    printk("%x %d %d %s %d/%d/%d free %d\\n", first.value, m.id, m.value, out.hex(),
           attrs.msg_size, attrs.max_msgs, attrs.used_msgs, k_msgq_num_free_get(q))
    try:
        k_msgq_put(q, b"ab", K_NO_WAIT)
    except ValueError as e:
        printk("%s\\n", e)
""")
    assert status == 0, out
    assert out == ("11223344 7 9 443322110000 4/2/1 free 1\n"
                   "4 bytes to copy; the buffer has only 2\n")


def test_msgq_wraps_and_puts_at_the_front(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    q = K_MSGQ_DEFINE("q", 1, 3, 1)
    buf = bytearray(1)
    got = []
    for v in b"abcde":
        assert k_msgq_put(q, bytes([v]), K_NO_WAIT) == 0
        if k_msgq_num_used_get(q) == 2:
            k_msgq_get(q, buf, K_NO_WAIT)
            got.append(chr(buf[0]))
    assert k_msgq_put_front(q, b"z") == 0
    assert k_msgq_put_front(q, b"y") == 0
    assert k_msgq_put_front(q, b"x") == -errno.ENOMSG
    while k_msgq_get(q, buf, K_NO_WAIT) == 0:
        got.append(chr(buf[0]))
    printk("%s\\n", "".join(got))
""")
    assert status == 0, out
    assert out == "abcdyze\n"


def test_msgq_blocking_both_ways_by_priority(make_image, boot):
    status, out = run(make_image, boot, """
def reader(q, name):
    buf = bytearray(4)
    rc = k_msgq_get(q, buf, K_FOREVER)
    printk("%s read %d %d\\n", name, rc, int.from_bytes(buf, "little"))

def writer(q, v):
    printk("writer %d: %d\\n", v, k_msgq_put(q, u32(v), K_FOREVER))

def main():
    q = K_MSGQ_DEFINE("q", 4, 1, 4)
    k_thread_priority_set(k_current_get(), 10)
    spawn(reader, 12, q, "low")
    spawn(reader, 11, q, "high")
    k_msleep(10)
    k_msgq_put(q, u32(1), K_NO_WAIT)
    k_msgq_put(q, u32(2), K_NO_WAIT)
    k_msleep(10)
    k_msgq_put(q, u32(3), K_NO_WAIT)            # full now
    spawn(writer, 9, q, 4)                      # waits for room
    buf = bytearray(4)
    k_msgq_get(q, buf, K_NO_WAIT)               # its message goes in at once
    printk("main got %d, used %d\\n", int.from_bytes(buf, "little"), k_msgq_num_used_get(q))
    k_msgq_get(q, buf, K_NO_WAIT)
    printk("then %d\\n", int.from_bytes(buf, "little"))
""")
    assert status == 0, out
    assert out == ("high read 0 1\nlow read 0 2\nwriter 4: 0\n"
                   "main got 3, used 1\nthen 4\n")


def test_msgq_timeouts_purge_and_isr_use(make_image, boot):
    status, out = run(make_image, boot, """
res = []

def isr(q):
    res.append(k_msgq_put(q, u32(5), K_NO_WAIT))
    res.append(k_msgq_put(q, u32(6), K_NO_WAIT))

def writer(q):
    printk("writer woken: %d\\n", k_msgq_put(q, u32(7), K_FOREVER))

def main():
    q = K_MSGQ_DEFINE("q", 4, 1, 4)
    buf = bytearray(4)
    assert k_msgq_get(q, buf, K_NO_WAIT) == -errno.ENOMSG
    k_sleep(K_TICKS(1))
    t0 = k_uptime_ticks()
    printk("get: %d after %d ticks\\n", k_msgq_get(q, buf, K_MSEC(30)), k_uptime_ticks() - t0)
    irq_offload(isr, q)
    printk("isr puts %s\\n", res)
    spawn(writer, -1, q)
    k_msgq_purge(q)
    printk("used %d\\n", k_msgq_num_used_get(q))
""")
    assert status == 0, out
    assert out == "get: -11 after 4 ticks\nisr puts [0, -35]\nwriter woken: -35\nused 0\n"


def test_msgq_poll_alloc_init_and_cleanup(make_image, boot):
    status, out = run(make_image, boot, """
def putter(q):
    k_msleep(10)
    k_msgq_put(q, u32(9), K_NO_WAIT)

def main():
    heap = current_kernel().heap
    q = k_msgq()
    assert k_msgq_alloc_init(q, 4, 100) == -errno.ENOMEM
    assert k_msgq_alloc_init(q, 4, 4) == 0 and q.flags == K_MSGQ_FLAG_ALLOC
    ev = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_MSGQ_DATA_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, q)]
    spawn(putter, 0, q)
    rc = k_poll(ev, 1, K_FOREVER)
    used = heap.used
    printk("%d %d %d %d -> %d\\n", rc, ev[0].state == K_POLL_STATE_MSGQ_DATA_AVAILABLE,
           k_msgq_cleanup(q), used, heap.used)
""", config={"HEAP_MEM_POOL_SIZE": "64"})
    assert status == 0, out
    assert out == "0 1 0 24 -> 0\n"
