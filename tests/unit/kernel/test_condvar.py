"""k_condvar: signal, broadcast and timeouts; the mutex is released and re-taken."""

from __future__ import annotations


def test_signal_wakes_the_best_waiter_broadcast_all_timeout_relocks(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        mutex = K_MUTEX_DEFINE("mutex")
        cv = K_CONDVAR_DEFINE("cv")

        def waiter(name):
            k_mutex_lock(mutex, K_FOREVER)
            rc = k_condvar_wait(cv, mutex, K_FOREVER)
            printk("%s woke %d, owns mutex %s\\n", name, rc, mutex.owner is k_current_get())
            k_mutex_unlock(mutex)

        def main():
            for name, prio in (("low", 5), ("high", 2), ("mid", 3)):
                k_thread_create(k_thread(), None, 0, waiter, name, None, None, prio, 0,
                                K_NO_WAIT)
            k_msleep(10)
            printk("signal %d\\n", k_condvar_signal(cv))
            k_msleep(10)
            printk("broadcast %d\\n", k_condvar_broadcast(cv))
            k_msleep(10)
            printk("broadcast %d\\n", k_condvar_broadcast(cv))
            k_mutex_lock(mutex, K_FOREVER)
            t0 = k_uptime_ticks()
            rc = k_condvar_wait(cv, mutex, K_MSEC(50))
            printk("timeout %d after %d ticks, owns mutex %s\\n", rc, k_uptime_ticks() - t0,
                   mutex.owner is k_current_get())
            return 0
    """)
    assert status == 0, out
    assert out == ("signal 0\nhigh woke 0, owns mutex True\nbroadcast 2\n"
                   "mid woke 0, owns mutex True\nlow woke 0, owns mutex True\nbroadcast 0\n"
                   "timeout -11 after 6 ticks, owns mutex True\n")


def test_no_signal_is_lost_between_unlock_and_wait(run_app):
    # The signaller has a higher priority: it runs as soon as the mutex is released. If
    # k_condvar_wait released the mutex before it waited, that signal would be lost.
    status, out = run_app("""
        from zpy.kernel import *

        mutex = K_MUTEX_DEFINE("mutex")
        cv = K_CONDVAR_DEFINE("cv")

        def signaller():
            k_mutex_lock(mutex, K_FOREVER)
            printk("signal\\n")
            k_condvar_signal(cv)
            k_mutex_unlock(mutex)

        def main():
            k_mutex_lock(mutex, K_FOREVER)
            k_thread_create(k_thread(), None, 0, signaller, None, None, None, -2, 0, K_NO_WAIT)
            printk("wait %d\\n", k_condvar_wait(cv, mutex, K_MSEC(1000)))
            return 0
    """)
    assert status == 0, out
    assert out == "signal\nwait 0\n"
