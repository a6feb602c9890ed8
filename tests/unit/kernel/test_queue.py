"""k_queue, k_fifo and k_lifo: order, blocking and timeouts, waiters by priority, ISRs,
k_poll, the alloc variants, and the caller-built lists of k_queue_append_list.

Every image runs in virtual time on one CPU, so timings are exact and no test waits.
"""

from __future__ import annotations

from tests.unit.kernel.objimage import run


def test_order_peek_insert_remove_and_unique_append(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    q = K_QUEUE_DEFINE("q")
    a, b, c, d = (item_t(value=v) for v in range(4))
    assert k_queue_is_empty(q) == 1 and k_queue_peek_head(q) is None
    k_queue_append(q, a)
    k_queue_append(q, c)
    k_queue_prepend(q, d)
    k_queue_insert(q, a, b)                # after a
    assert k_queue_is_empty(q) == 0
    assert k_queue_peek_head(q) is d and k_queue_peek_tail(q) is c
    assert k_queue_unique_append(q, b) is False
    assert k_queue_remove(q, d) is True and k_queue_remove(q, d) is False
    out = [k_queue_get(q, K_NO_WAIT).value for _ in range(3)]
    assert k_queue_get(q, K_NO_WAIT) is None
    assert k_queue_unique_append(q, b) is True
    printk("%s %d\\n", out, k_queue_get(q, K_NO_WAIT).value)
""")
    assert status == 0, out
    assert out == "[0, 1, 2] 1\n"


def test_items_are_the_objects_put_compared_by_identity(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    q = k_queue()
    k_queue_init(q)
    twins = [item_t(value=5), item_t(value=5)]
    k_queue_append(q, twins[1])
    k_queue_append(q, 42)                 # any object will do
    assert k_queue_remove(q, twins[0]) is False
    got = k_queue_get(q, K_NO_WAIT)
    printk("%s %d\\n", got is twins[1], k_queue_get(q, K_NO_WAIT))
""")
    assert status == 0, out
    assert out == "True 42\n"


def test_get_times_out_on_tick_boundaries(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    q = K_FIFO_DEFINE("q")
    k_sleep(K_TICKS(1))                   # start at a tick boundary
    t0 = k_uptime_ticks()
    assert k_fifo_get(q, K_MSEC(100)) is None
    printk("waited %d ticks\\n", k_uptime_ticks() - t0)
""")
    assert status == 0, out
    assert out == "waited 11 ticks\n"


def test_waiters_served_by_priority_then_arrival(make_image, boot):
    status, out = run(make_image, boot, """
def getter(q, name):
    it = k_queue_get(q, K_FOREVER)
    printk("%s got %d\\n", name, it.value)

def main():
    q = K_QUEUE_DEFINE("q")
    k_thread_priority_set(k_current_get(), 10)
    spawn(getter, 12, q, "low")
    spawn(getter, 11, q, "first")
    spawn(getter, 11, q, "second")
    k_msleep(10)                          # all three wait now
    for v in range(3):
        k_queue_append(q, item_t(value=v))
    k_msleep(10)
""")
    assert status == 0, out
    assert out == "first got 0\nsecond got 1\nlow got 2\n"


def test_a_put_hands_the_item_to_the_waiter_and_preempts_for_it(make_image, boot):
    status, out = run(make_image, boot, """
def getter(q):
    printk("got %d\\n", k_fifo_get(q, K_FOREVER).value)

def main():
    q = K_FIFO_DEFINE("q")
    spawn(getter, -1, q)                  # cooperative, higher than main
    k_fifo_put(q, item_t(value=7))
    printk("after put, queue empty: %d\\n", k_fifo_is_empty(q))
""")
    assert status == 0, out
    assert out == "got 7\nafter put, queue empty: 1\n"


def test_isr_puts_wake_a_thread_and_isr_gets_never_block(make_image, boot):
    status, out = run(make_image, boot, """
seen = []

def isr_put(q):
    k_fifo_put(q, item_t(value=3))

def isr_get(q):
    seen.append(k_fifo_get(q, K_NO_WAIT))
    try:
        k_fifo_get(q, K_MSEC(1))
    except RuntimeError as e:
        seen.append(str(e))

def waker(q):
    k_msleep(20)
    irq_offload(isr_put, q)

def main():
    q = K_FIFO_DEFINE("q")
    spawn(waker, 0, q)
    got = k_fifo_get(q, K_SECONDS(1))
    irq_offload(isr_get, q)
    printk("%d %s %s\\n", got.value, seen[0], seen[1])
""")
    assert status == 0, out
    assert out == "3 (null) a blocking kernel call in an ISR (use K_NO_WAIT there)\n"


def test_cancel_wait_returns_none_to_the_waiter(make_image, boot):
    status, out = run(make_image, boot, """
def getter(q):
    printk("getter: %s\\n", k_fifo_get(q, K_FOREVER))

def main():
    q = K_FIFO_DEFINE("q")
    spawn(getter, -1, q)
    k_fifo_cancel_wait(q)
    k_fifo_cancel_wait(q)                 # nobody waits: nothing happens
    printk("main\\n")
""")
    assert status == 0, out
    assert out == "getter: (null)\nmain\n"


def test_append_list_and_merge_slist(make_image, boot):
    status, out = run(make_image, boot, """
def getter(q):
    printk("waiter got %d\\n", k_queue_get(q, K_FOREVER).value)

def main():
    q = K_QUEUE_DEFINE("q")
    items = [item_t(value=v) for v in range(6)]
    assert k_queue_append_list(q, None, items[1]) == -errno.EINVAL
    assert k_queue_append_list(q, items[0], None) == -errno.EINVAL
    spawn(getter, -1, q)
    items[0].next = items[1]
    items[1].next = items[2]
    items[2].next = None
    assert k_fifo_put_list(q, items[0], items[2]) == 0
    sl = sys_slist_t()
    sys_slist_init(sl)
    assert k_queue_merge_slist(q, sl) == -errno.EINVAL
    for it in items[3:]:
        sys_slist_append(sl, it)
    assert k_fifo_put_slist(q, sl) == 0
    assert sys_slist_is_empty(sl)
    out = []
    while (it := k_queue_get(q, K_NO_WAIT)) is not None:
        out.append(it.value)
    printk("queued %s\\n", out)
""")
    assert status == 0, out
    assert out == "waiter got 0\nqueued [1, 2, 3, 4, 5]\n"


def test_lifo_order(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    q = K_LIFO_DEFINE("q")
    for v in range(3):
        k_lifo_put(q, item_t(value=v))
    printk("%s\\n", [k_lifo_get(q, K_NO_WAIT).value for _ in range(3)])
""")
    assert status == 0, out
    assert out == "[2, 1, 0]\n"


def test_alloc_variants_take_from_the_heap_and_give_it_back(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    heap = current_kernel().heap
    q = K_FIFO_DEFINE("q")
    assert k_fifo_alloc_put(q, "first") == 0
    assert k_lifo_alloc_put(q, "zeroth") == 0
    used = heap.used
    assert k_queue_alloc_append(q, "third") == -errno.ENOMEM     # the pool is full
    assert k_queue_peek_head(q) == "zeroth" and k_queue_peek_tail(q) == "first"
    assert k_queue_remove(q, "first") is False   # C compares the node, not the data
    got = [k_fifo_get(q, K_NO_WAIT), k_fifo_get(q, K_NO_WAIT)]
    printk("%s used %d -> %d\\n", got, used, heap.used)
""", config={"HEAP_MEM_POOL_SIZE": "48"})
    assert status == 0, out
    assert out == "['zeroth', 'first'] used 48 -> 0\n"


def test_alloc_without_a_heap_is_enomem(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    q = K_QUEUE_DEFINE("q")
    printk("%d %d\\n", k_queue_alloc_append(q, 1), k_queue_is_empty(q))
""", config={"HEAP_MEM_POOL_SIZE": "0"})
    assert status == 0, out
    assert out == "-12 1\n"


def test_poll_for_data_and_for_a_cancelled_wait(make_image, boot):
    status, out = run(make_image, boot, """
def putter(q):
    k_msleep(10)
    k_fifo_put(q, item_t(value=1))
    k_msleep(10)
    k_fifo_cancel_wait(q)

def main():
    q = K_FIFO_DEFINE("q")
    ev = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_FIFO_DATA_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, q)]
    assert k_poll(ev, 1, K_NO_WAIT) == -errno.EAGAIN
    spawn(putter, 0, q)
    rc = k_poll(ev, 1, K_FOREVER)
    printk("%d %d %d\\n", rc, ev[0].state == K_POLL_STATE_FIFO_DATA_AVAILABLE,
           k_fifo_get(q, K_NO_WAIT).value)
    ev[0].state = K_POLL_STATE_NOT_READY
    rc = k_poll(ev, 1, K_FOREVER)
    printk("%d %d\\n", rc, ev[0].state == K_POLL_STATE_CANCELLED)
""")
    assert status == 0, out
    assert out == "0 1 1\n-4 1\n"


def test_slist_and_dlist(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    sl = sys_slist_t()
    a, b, c = item_t(value=1), item_t(value=2), item_t(value=3)
    sys_slist_append(sl, b)
    sys_slist_prepend(sl, a)
    sys_slist_insert(sl, b, c)
    found, prev = sys_slist_find(sl, c)
    assert found and prev is b
    assert sys_slist_find_and_remove(sl, b) and sys_slist_len(sl) == 2
    vals = [n.value for n in SYS_SLIST_FOR_EACH_NODE(sl)]
    for n in SYS_SLIST_FOR_EACH_NODE_SAFE(sl):
        sys_slist_find_and_remove(sl, n)
    dl = sys_dlist_t()
    sys_dlist_init(dl)
    nodes = [sys_dnode_t() for _ in range(3)]
    for n in nodes:
        sys_dlist_append(dl, n)
    sys_dlist_remove(nodes[1])
    order = [nodes.index(n) for n in SYS_DLIST_FOR_EACH_NODE(dl)]
    assert sys_dlist_get(dl) is nodes[0] and not sys_dnode_is_linked(nodes[0])
    printk("%s %d %s %d\\n", vals, sys_slist_is_empty(sl), order, sys_dlist_len(dl))
""")
    assert status == 0, out
    assert out == "[1, 3] 1 [0, 2] 1\n"


def test_resource_pools_are_assigned_and_inherited(make_image, boot):
    status, out = run(make_image, boot, """
def child(q):
    printk("child: %d\\n", k_queue_alloc_append(q, "c"))

def main():
    q = K_QUEUE_DEFINE("q")
    me = k_current_get()
    k_thread_heap_assign(me, None)                    # no pool: -ENOMEM
    printk("none: %d\\n", k_queue_alloc_append(q, "a"))
    spawn(child, -1, q)                               # inherits "no pool"
    k_thread_system_pool_assign(me)
    printk("system: %d, heap used %d\\n", k_queue_alloc_append(q, "b"),
           current_kernel().heap.used)
""", config={"HEAP_MEM_POOL_SIZE": "64"})
    assert status == 0, out
    assert out == "none: -12\nchild: -12\nsystem: 0, heap used 24\n"


def test_alloc_variants_draw_from_a_k_heap_pool(make_image, boot):
    status, out = run(make_image, boot, """
pool = K_HEAP_DEFINE("pool", 64)

def main():
    q = K_QUEUE_DEFINE("q")
    s = k_stack()
    k_thread_heap_assign(k_current_get(), pool)
    n = 0
    while k_queue_alloc_append(q, n) == 0:
        n += 1
    got = [k_queue_get(q, K_NO_WAIT) for _ in range(n)]
    # every node went back: the pool holds as many again, and a stack's entries
    again = sum(1 for i in range(n) if k_queue_alloc_append(q, i) == 0)
    while k_queue_get(q, K_NO_WAIT) is not None:
        pass
    printk("%d %s %d %d %d\\n", n, got == list(range(n)), again,
           k_stack_alloc_init(s, 2), k_stack_cleanup(s))
""")
    assert status == 0, out
    n, in_order, again, rest = out.split(" ", 3)
    assert int(n) >= 1 and in_order == "True" and again == n, out
    assert rest == "0 0\n"
