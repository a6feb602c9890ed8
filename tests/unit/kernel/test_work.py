"""Work queues: return codes and flags as Zephyr's, delayed work on exact ticks, flush,
cancel, drain and plug, the system work queue, and k_work_poll with k_poll beside it."""

from __future__ import annotations

HEADER = """
from zpy.kernel import *

def log(work):
    printk("%s ran on %s at %d\\n", work.handler.__name__, k_current_get().name, k_uptime_ticks())

def start_queue(name, prio, no_yield=False):
    q = k_work_q()
    k_work_queue_init(q)
    k_work_queue_start(q, None, 0, prio, k_work_queue_config(name, no_yield))
    return q
"""


def test_submit_codes_flags_and_the_system_queue(run_app):
    status, out = run_app(HEADER + """
runs = atomic_t()

def a(work):
    log(work)
    if atomic_inc(runs) == 0:
        printk("busy while running: %#x\\n", k_work_busy_get(work))
        printk("resubmit to other queue: %d\\n", k_work_submit_to_queue(other, work))
        printk("busy: %#x\\n", k_work_busy_get(work))

other = k_work_q()

def main():
    q = k_sys_work_q
    t = k_work_queue_thread_get(q)
    printk("%s prio %d essential %d flags %#x\\n", t.name, k_thread_priority_get(t),
           t.options & K_ESSENTIAL, q.flags)
    w = K_WORK_DEFINE("w", a)
    stray = k_work()
    k_work_init(stray, a)
    printk("stray: %d, unstarted: %d\\n", k_work_submit_to_queue(None, stray),
           k_work_submit_to_queue(other, stray))
    k_thread_priority_set(k_current_get(), -5)      # cooperative: nothing runs meanwhile
    printk("submit %d again %d busy %#x pending %d\\n", k_work_submit(w), k_work_submit(w),
           k_work_busy_get(w), k_work_is_pending(w))
    k_msleep(10)
    printk("idle: %#x, ran %d times\\n", k_work_busy_get(w), atomic_get(runs))
    return 0
""", {"SYSTEM_WORKQUEUE_PRIORITY": "-2"})
    assert status == 0, out
    assert out == ("sysworkq prio -2 essential 1 flags 0x1\n"
                   "stray: -22, unstarted: -19\n"
                   "submit 1 again 0 busy 0x4 pending 1\n"
                   "a ran on sysworkq at 0\n"
                   "busy while running: 0x1\n"
                   "resubmit to other queue: 2\n"
                   "busy: 0x5\n"
                   "a ran on sysworkq at 0\n"
                   "idle: 0, ran 2 times\n")


def test_delayable_work_schedule_reschedule_cancel(run_app):
    status, out = run_app(HEADER + """
def d(work):
    log(work)

def main():
    dw = K_WORK_DELAYABLE_DEFINE("dw", d)
    printk("schedule %d busy %#x remaining %d\\n", k_work_schedule(dw, K_MSEC(100)),
           k_work_delayable_busy_get(dw), k_work_delayable_remaining_get(dw))
    printk("schedule again %d\\n", k_work_schedule(dw, K_MSEC(10)))
    printk("reschedule %d expires %d\\n", k_work_reschedule(dw, K_MSEC(30)),
           k_work_delayable_expires_get(dw))
    k_msleep(100)
    printk("cancel idle: %d\\n", k_work_cancel_delayable(dw))
    k_work_schedule(dw, K_MSEC(10))
    printk("cancel delayed: %d busy %#x\\n", k_work_cancel_delayable(dw),
           k_work_delayable_busy_get(dw))
    k_msleep(100)
    printk("from work: %s\\n", k_work_delayable_from_work(dw.work) is dw)
    printk("container: %s\\n", CONTAINER_OF(dw.work, k_work_delayable, "work") is dw)
    return 0
""")
    assert status == 0, out
    assert out == ("schedule 1 busy 0x8 remaining 11\nschedule again 0\n"
                   "reschedule 1 expires 4\nd ran on sysworkq at 4\ncancel idle: 0\n"
                   "cancel delayed: 0 busy 0\nfrom work: True\ncontainer: True\n")


def test_flush_cancel_sync_drain_plug_and_stop(run_app):
    status, out = run_app(HEADER + """
def slow(work):
    log(work)
    k_msleep(50)
    printk("slow done at %d\\n", k_uptime_ticks())

def main():
    q = start_queue("q", 2)
    sync = k_work_sync()
    w = k_work()
    k_work_init(w, slow)
    printk("flush idle: %d\\n", k_work_flush(w, sync))
    k_work_submit_to_queue(q, w)
    printk("flushed %d at %d\\n", k_work_flush(w, sync), k_uptime_ticks())
    k_work_submit_to_queue(q, w)
    k_msleep(10)
    printk("cancel running: %#x\\n", k_work_cancel(w))
    printk("submit while canceling: %d\\n", k_work_submit_to_queue(q, w))
    printk("cancel_sync %d at %d busy %#x\\n", k_work_cancel_sync(w, sync), k_uptime_ticks(),
           k_work_busy_get(w))
    k_work_submit_to_queue(q, w)
    printk("drain %d at %d flags %#x\\n", k_work_queue_drain(q, True), k_uptime_ticks(), q.flags)
    printk("plugged submit %d\\n", k_work_submit_to_queue(q, w))
    printk("unplug %d %d\\n", k_work_queue_unplug(q), k_work_queue_unplug(q))
    printk("stop unplugged %d\\n", k_work_queue_stop(q, K_FOREVER))
    k_work_queue_drain(q, True)
    printk("stop %d flags %#x\\n", k_work_queue_stop(q, K_FOREVER), q.flags)
    printk("stop again %d\\n", k_work_queue_stop(q, K_FOREVER))
    return 0
""")
    assert status == 0, out
    assert out == ("flush idle: 0\n"
                   "slow ran on q at 0\nslow done at 6\nflushed 1 at 6\n"
                   "slow ran on q at 6\ncancel running: 0x3\nsubmit while canceling: -16\n"
                   "slow done at 12\ncancel_sync 1 at 12 busy 0\n"
                   "slow ran on q at 12\nslow done at 18\ndrain 1 at 18 flags 0x9\n"
                   "plugged submit -16\nunplug 0 -120\nstop unplugged -16\n"
                   "stop 0 flags 0\nstop again -120\n")


def test_work_poll_signal_timeout_ready_and_cancel(run_app):
    status, out = run_app(HEADER + """
def polled(work):
    tw = CONTAINER_OF(work, k_work_poll, "work")
    printk("polled at %d result %d state %d\\n", k_uptime_ticks(), tw.poll_result,
           tw.events[0].state)

def main():
    sig = k_poll_signal()
    k_poll_signal_init(sig)
    ev = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
    tw = k_work_poll()
    k_work_poll_init(tw, polled)
    printk("submit %d\\n", k_work_poll_submit(tw, ev, 1, K_MSEC(100)))
    k_msleep(30)
    k_poll_signal_raise(sig, 7)                     # submits the work
    k_msleep(10)
    ev[0].state = K_POLL_STATE_NOT_READY
    k_poll_signal_reset(sig)
    k_work_poll_submit(tw, ev, 1, K_MSEC(50))       # nothing raises it: times out
    k_msleep(100)
    k_poll_signal_raise(sig, 8)
    ev[0].state = K_POLL_STATE_NOT_READY
    k_work_poll_submit(tw, ev, 1, K_FOREVER)        # already signaled: submitted at once
    k_msleep(10)
    k_poll_signal_reset(sig)
    ev[0].state = K_POLL_STATE_NOT_READY
    k_work_poll_submit(tw, ev, 1, K_FOREVER)
    printk("cancel %d, again %d\\n", k_work_poll_cancel(tw), k_work_poll_cancel(tw))
    k_poll_signal_raise(sig, 9)                     # nobody polls: nothing runs
    k_msleep(10)
    return 0
""")
    assert status == 0, out
    assert out == ("submit 0\npolled at 4 result 0 state 1\npolled at 12 result -11 state 0\n"
                   "polled at 17 result 0 state 1\ncancel 0, again -22\n")


def test_an_object_signals_its_first_poller_be_it_a_thread_or_work(run_app):
    status, out = run_app(HEADER + """
sem = K_SEM_DEFINE("sem", 0, 10)

def polled(work):
    printk("work poll ran at %d\\n", k_uptime_ticks())

def poller():
    ev = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, sem)]
    rc = k_poll(ev, 1, K_FOREVER)
    printk("k_poll %d at %d\\n", rc, k_uptime_ticks())

def main():
    tw = k_work_poll()
    k_work_poll_init(tw, polled)
    wev = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, sem)]
    k_work_poll_submit(tw, wev, 1, K_FOREVER)       # registers first
    k_thread_create(k_thread(), None, 0, poller, None, None, None, 5, 0, K_NO_WAIT)
    k_msleep(10)
    k_sem_give(sem)                                 # the work's turn
    k_msleep(10)
    k_sem_give(sem)                                 # then the thread's
    k_msleep(10)
    return 0
""")
    assert status == 0, out
    assert out == "work poll ran at 2\nk_poll 0 at 4\n"


def test_delayed_work_keeps_a_run_going_an_idle_system_queue_does_not(run_app):
    status, out = run_app(HEADER + """
def late(work):
    log(work)

dw = K_WORK_DELAYABLE_DEFINE("dw", late)

def main():
    k_work_schedule(dw, K_SECONDS(5))
    return 3
""")
    assert (status, out) == (3, "late ran on sysworkq at 501\n")
