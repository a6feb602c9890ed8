"""Threads, timeouts, semaphores, mutexes, k_poll and signals, with Zephyr's return codes."""

from __future__ import annotations

NO_BANNER = {"BOOT_BANNER": "n"}


def run(make_image, boot, src, config=None, timeout=10):
    cfg = dict(NO_BANNER)
    cfg.update(config or {})
    rt, console = boot(make_image(src, config=cfg))
    status = rt.wait(timeout)
    return status, console.text()


def test_threads_create_join_name_and_static_threads(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        def worker(a, b, c):
            printk("worker %s %d %s %s\\n", k_current_get().name, a, b, c)

        def early(a, b, c):
            printk("static thread %s\\n", k_current_get().name)

        STATIC = K_THREAD_DEFINE("static_t", 1024, early, None, None, None, 7, 0, 0)

        def main():
            k_msleep(50)   # let the static thread run first
            t = k_thread()
            stack = K_THREAD_STACK_DEFINE("stack", 1024)
            tid = k_thread_create(t, stack, K_THREAD_STACK_SIZEOF(stack), worker, 1, "two", None,
                                  5, 0, K_FOREVER)
            assert tid is t
            assert k_thread_name_set(t, "w1") == 0
            assert k_thread_join(t, K_NO_WAIT) == -errno.EBUSY
            k_thread_start(t)
            assert k_thread_join(t, K_SECONDS(5)) == 0
            assert k_thread_join(k_current_get(), K_FOREVER) == -errno.EDEADLK
            assert k_thread_name_set(None, "x" * 40) == -errno.EINVAL
            printk("main %s done\\n", k_current_get().name)
    """)
    assert status == 0, out
    assert out == "static thread static_t\nworker w1 1 two (null)\nmain main done\n"


def test_sleep_uptime_and_cycles(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        def main():
            t0 = k_uptime_get()
            c0 = k_cycle_get_32()
            assert k_msleep(30) == 0
            assert k_usleep(1000) == 0
            k_busy_wait(2000)
            dt = k_uptime_get() - t0
            dc = (k_cycle_get_32() - c0) & 0xffffffff
            printk("slept %s\\n", "ok" if 33 <= dt < 1000 else dt)
            printk("cycles %s\\n", "ok" if dc >= 33 * 25000 else dc)
            delta, ref = k_uptime_delta(t0)
            printk("delta %s\\n", "ok" if delta >= dt and ref >= t0 else delta)
    """)
    assert status == 0, out
    assert out == "slept ok\ncycles ok\ndelta ok\n"


def test_semaphores(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        sem = k_sem()
        def giver(a, b, c):
            k_msleep(20)
            k_sem_give(sem)

        def main():
            assert k_sem_init(sem, 2, 1) == -errno.EINVAL
            assert k_sem_init(sem, 0, 2) == 0
            assert k_sem_take(sem, K_NO_WAIT) == -errno.EBUSY
            assert k_sem_take(sem, K_MSEC(10)) == -errno.EAGAIN
            k_thread_create(k_thread(), None, 0, giver, None, None, None, 0, 0, K_NO_WAIT)
            assert k_sem_take(sem, K_SECONDS(5)) == 0
            k_sem_give(sem); k_sem_give(sem); k_sem_give(sem)
            assert k_sem_count_get(sem) == 2      # capped at the limit
            k_sem_reset(sem)
            assert k_sem_count_get(sem) == 0
            printk("sem ok\\n")
    """)
    assert status == 0, out
    assert out == "sem ok\n"


def test_mutex_recursion_ownership_and_timeouts(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        m = k_mutex()
        results = []
        def other(a, b, c):
            results.append(k_mutex_lock(m, K_NO_WAIT))
            results.append(k_mutex_lock(m, K_MSEC(10)))
            results.append(k_mutex_unlock(m))
            results.append(k_mutex_lock(m, K_SECONDS(5)))
            results.append(k_mutex_unlock(m))

        def main():
            k_mutex_init(m)
            assert k_mutex_unlock(m) == -errno.EINVAL
            assert k_mutex_lock(m, K_FOREVER) == 0
            assert k_mutex_lock(m, K_FOREVER) == 0     # recursive
            t = k_thread()
            k_thread_create(t, None, 0, other, None, None, None, 0, 0, K_NO_WAIT)
            k_msleep(50)
            assert k_mutex_unlock(m) == 0
            assert k_mutex_unlock(m) == 0               # now free: other gets it
            assert k_thread_join(t, K_SECONDS(5)) == 0
            printk("%s\\n", results)
    """)
    assert status == 0, out
    assert out == "[-16, -11, -1, 0, 0]\n"


def test_poll_signal_from_isr_with_result(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        sig = k_poll_signal()
        seen = []
        def isr(arg):
            seen.append(k_is_in_isr())
            k_poll_signal_raise(sig, arg)

        def raiser(a, b, c):
            k_msleep(20)
            irq_offload(isr, 7)

        def main():
            k_poll_signal_init(sig)
            events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
            assert k_poll(events, 1, K_NO_WAIT) == -errno.EAGAIN
            assert k_poll(events, 1, K_MSEC(10)) == -errno.EAGAIN
            k_thread_create(k_thread(), None, 0, raiser, None, None, None, 0, 0, K_NO_WAIT)
            assert k_poll(events, 1, K_SECONDS(5)) == 0
            assert events[0].state == K_POLL_STATE_SIGNALED
            assert k_poll_signal_check(sig) == (1, 7)
            k_poll_signal_reset(sig)
            assert k_poll_signal_check(sig) == (0, 7)
            assert not k_is_in_isr()
            printk("isr context %s\\n", seen)
    """, config={"IRQ_OFFLOAD": "y"})
    assert status == 0, out
    assert out == "isr context [True]\n"


def test_poll_on_semaphore_and_already_signaled(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        sem = k_sem(0, 1)
        sig = k_poll_signal()
        def giver(a, b, c):
            k_msleep(20)
            k_sem_give(sem)

        def main():
            events = [k_poll_event(), k_poll_event()]
            k_poll_event_init(events[0], K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, sem)
            k_poll_event_init(events[1], K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)
            k_thread_create(k_thread(), None, 0, giver, None, None, None, 0, 0, K_NO_WAIT)
            assert k_poll(events, 2, K_SECONDS(5)) == 0
            assert events[0].state == K_POLL_STATE_SEM_AVAILABLE and events[1].state == 0
            assert k_sem_take(sem, K_NO_WAIT) == 0
            k_poll_signal_raise(sig, -3)
            events[0].state = events[1].state = K_POLL_STATE_NOT_READY
            assert k_poll(events, 2, K_FOREVER) == 0      # condition already met
            assert events[1].state == K_POLL_STATE_SIGNALED
            printk("poll ok %d\\n", k_poll_signal_check(sig)[1])
    """)
    assert status == 0, out
    assert out == "poll ok -3\n"


def test_poll_reports_every_event_signaled_before_the_poller_runs(make_image, boot):
    # The poller has the lowest priority: the three gives happen before it runs again, and
    # it sees all three (Zephyr sets the state of an event whose poller was woken already).
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        sems = [K_SEM_DEFINE("s", 0, 1) for _ in range(3)]

        def giver():
            for s in sems:
                k_sem_give(s)

        def main():
            k_thread_priority_set(k_current_get(), 5)
            ev = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, s)
                  for s in sems]
            k_thread_create(k_thread(), None, 0, giver, None, None, None, 3, 0, K_MSEC(10))
            printk("%d %s\\n", k_poll(ev, 3, K_FOREVER), [e.state for e in ev])
    """)
    assert status == 0, out
    assert out == "0 [2, 2, 2]\n"


def test_timeouts_reject_bare_numbers(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *
        def main():
            try:
                k_sleep(10)
            except TypeError as e:
                printk("%s\\n", e)
    """)
    assert status == 0
    assert "expected a k_timeout_t" in out


def test_heap_honours_pool_size(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *
        def main():
            a = k_malloc(1000)
            b = k_malloc(3100)
            printk("%d %s\\n", len(a), b is None)
            k_free(a)
            c = k_malloc(3100)
            printk("%s\\n", c is not None)
            assert k_object_alloc(K_OBJ_POLL_SIGNAL) is None   # no CONFIG_DYNAMIC_OBJECTS
    """, config={"HEAP_MEM_POOL_SIZE": "4096"})
    assert status == 0, out
    assert out == "1000 True\nTrue\n"


def test_printk_c_formats(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import printk, snprintk
        def main():
            printk("%u %x %08X %zu %lx %c %s %p %5.1f %%\\n", -1, 255, 0xabc, 42, 2**40, 65, "s",
                   0x1000, 2.25)
            printk("%s\\n", snprintk(5, "%d", 123456))
            printk("%#x %#x %#o %#o %#06o\\n", 0, 255, 0, 8, 8)
    """)
    assert status == 0, out
    assert out == ("4294967295 ff 00000ABC 42 10000000000 A s 0x1000   2.2 %\n(6, '1234')\n"
                   "0 0xff 0 010 000010\n")


def test_thread_stack_array_gives_one_stack_per_thread(make_image, boot):
    status, out = run(make_image, boot, """
        from zpy.kernel import *

        stacks = K_THREAD_STACK_ARRAY_DEFINE("stacks", 3, 512)
        threads = [k_thread() for _ in range(3)]

        def worker(i, b, c):
            printk("%d ", i)

        def main():
            assert len(stacks) == 3 and stacks[0] is not stacks[1]
            for i in range(3):
                k_thread_create(threads[i], stacks[i], K_THREAD_STACK_SIZEOF(stacks[i]), worker,
                                i, None, None, 5, 0, K_NO_WAIT)
            for t in threads:
                k_thread_join(t, K_FOREVER)
            printk("sizes %d\\n", K_THREAD_STACK_SIZEOF(stacks[2]))
    """)
    assert status == 0, out
    assert out == "0 1 2 sizes 512\n"
