"""k_event: previous values, any/all waits, waking every satisfied waiter at once, reset."""

from __future__ import annotations


def test_post_set_masked_clear_return_the_previous_events(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        def main():
            e = K_EVENT_DEFINE("e")
            printk("%#x %#x\\n", k_event_post(e, 0x0f), k_event_post(e, 0xff))
            printk("%#x %#x\\n", k_event_set_masked(e, 0x100, 0x1f0), k_event_test(e, ~0))
            printk("%#x %#x\\n", k_event_clear(e, 0x10f), k_event_test(e, 0xffff))
            printk("%#x %#x\\n", k_event_set(e, 0x80000001), e.events)
            printk("%#x\\n", k_event_wait(e, 0, False, K_NO_WAIT))
            return 0
    """)
    assert status == 0, out
    assert out == "0 0xf\n0xf0 0x10f\n0x10f 0\n0 0x80000001\n0\n"


def test_waiters_any_all_reset_and_timeout(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        e = K_EVENT_DEFINE("e")

        def any_of(mask):
            printk("any %#x -> %#x at %d\\n", mask, k_event_wait(e, mask, False, K_FOREVER),
                   k_uptime_ticks())

        def all_of(mask):
            printk("all %#x -> %#x at %d\\n", mask, k_event_wait_all(e, mask, False, K_FOREVER),
                   k_uptime_ticks())

        def spawn(fn, mask, prio):
            k_thread_create(k_thread(), None, 0, fn, mask, None, None, prio, 0, K_NO_WAIT)

        def main():
            spawn(all_of, 0x3, 2)
            spawn(any_of, 0x6, 3)
            spawn(any_of, 0x8, 1)
            k_msleep(10)
            k_event_post(e, 0x1)         # wakes nobody
            printk("posted 0x1\\n")
            k_event_post(e, 0x2)         # all of the first, any of the second: both wake
                                         # (lower priorities than main: they run at its sleep)
            printk("posted 0x2\\n")
            k_msleep(10)
            printk("timeout -> %#x at %d\\n", k_event_wait_all(e, 0x7, False, K_MSEC(50)),
                   k_uptime_ticks())
            printk("reset -> %#x\\n", k_event_wait(e, 0x3, True, K_NO_WAIT))
            k_event_post(e, 0x8)
            return 0
    """)
    assert status == 0, out
    assert out == ("posted 0x1\nposted 0x2\nall 0x3 -> 0x3 at 2\nany 0x6 -> 0x2 at 2\n"
                   "timeout -> 0 at 10\nreset -> 0\nany 0x8 -> 0x8 at 10\n")


def test_masks_are_32_bits_as_a_uint32_t(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        def main():
            e = K_EVENT_DEFINE("e")
            k_event_post(e, ~0)
            printk("%#x %#x\\n", e.events, k_event_wait_all(e, ~0, False, K_NO_WAIT))
            return 0
    """)
    assert status == 0, out
    assert out == "0xffffffff 0xffffffff\n"
