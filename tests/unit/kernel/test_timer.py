"""k_timer: expiry in ISR context on exact ticks, periods without drift, status, stop."""

from __future__ import annotations


def test_one_shot_and_periodic_expiries_on_exact_ticks(run_app):
    # 100 ticks/s: K_MSEC(100) is 10 ticks, K_MSEC(50) is 5. The expiry function takes
    # 3 ms of (virtual) time in the ISR; the period still counts from the tick each
    # expiry was due at, so the expiries stay on 10, 15, 20, 25.
    status, out = run_app("""
        from zpy.kernel import *

        def expire(timer):
            printk("expire at %d in isr %d\\n", k_uptime_ticks(), k_is_in_isr())
            k_busy_wait(3000)
            if timer.status == 4:
                k_timer_stop(timer)

        def stop(timer):
            printk("stop at %d in isr %d\\n", k_uptime_ticks(), k_is_in_isr())

        periodic = K_TIMER_DEFINE("periodic", expire, stop)

        def main():
            k_timer_start(periodic, K_MSEC(100), K_MSEC(50))
            k_msleep(1000)
            one = k_timer()
            k_timer_init(one, expire, None)
            k_timer_start(one, K_TICKS(3), K_NO_WAIT)
            k_msleep(1000)
            printk("status %d, remaining %d\\n", k_timer_status_get(one), k_timer_remaining_ticks(one))
            return 0
    """)
    assert status == 0, out
    assert out == ("expire at 10 in isr 1\nexpire at 15 in isr 1\nexpire at 20 in isr 1\n"
                   "expire at 25 in isr 1\nstop at 25 in isr 1\n"
                   "expire at 104 in isr 1\nstatus 1, remaining 0\n")


def test_status_sync_waits_for_expiry_or_stop(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        t = k_timer()
        k_timer_init(t, None, None)

        def stopper():
            k_msleep(30)
            k_timer_stop(t)

        def main():
            k_timer_start(t, K_MSEC(20), K_MSEC(20))
            printk("sync %d at %d\\n", k_timer_status_sync(t), k_uptime_ticks())
            k_busy_wait(65000)              # three more expiries meanwhile
            printk("sync %d at %d\\n", k_timer_status_sync(t), k_uptime_ticks())
            printk("status %d\\n", k_timer_status_get(t))
            k_timer_start(t, K_SECONDS(1), K_SECONDS(1))
            k_thread_create(k_thread(), None, 0, stopper, None, None, None, 5, 0, K_NO_WAIT)
            printk("sync %d at %d (stopped)\\n", k_timer_status_sync(t), k_uptime_ticks())
            printk("sync %d (not running)\\n", k_timer_status_sync(t))
            return 0
    """)
    assert status == 0, out
    assert out == ("sync 1 at 2\nsync 3 at 8\nstatus 0\nsync 0 at 12 (stopped)\n"
                   "sync 0 (not running)\n")


def test_remaining_expires_restart_and_user_data(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        t = K_TIMER_DEFINE("t", None, None)

        def main():
            k_msleep(1)                     # uptime: tick 2
            k_timer_start(t, K_MSEC(100), K_FOREVER)
            k_busy_wait(32000)              # 3.2 ticks later
            printk("now %d remaining %d ticks %d ms expires %d\\n", k_uptime_ticks(),
                   k_timer_remaining_ticks(t), k_timer_remaining_get(t), k_timer_expires_ticks(t))
            k_timer_start(t, K_FOREVER, K_NO_WAIT)    # K_FOREVER: no change
            printk("still expires %d\\n", k_timer_expires_ticks(t))
            k_timer_start(t, K_MSEC(10), K_NO_WAIT)   # restart
            printk("restarted: expires %d status %d\\n", k_timer_expires_ticks(t),
                   k_timer_status_get(t))
            k_timer_stop(t)
            printk("stopped: remaining %d\\n", k_timer_remaining_get(t))
            k_timer_user_data_set(t, "payload")
            printk("user data %s\\n", k_timer_user_data_get(t))
            return 0
    """)
    assert status == 0, out
    assert out == ("now 5 remaining 7 ticks 70 ms expires 12\nstill expires 12\n"
                   "restarted: expires 6 status 0\nstopped: remaining 0\nuser data payload\n")
