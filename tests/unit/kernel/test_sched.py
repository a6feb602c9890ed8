"""The scheduler's rules, each shown by the order in which threads print.

Every image here runs in virtual time (CONFIG_TEST) on one CPU unless a test
says otherwise, so each run is deterministic and no test waits real time.
"""

from __future__ import annotations

import time

ONE_CPU = {"BOOT_BANNER": "n", "TEST": "y", "SYS_CLOCK_TICKS_PER_SEC": "100",
           "TIMESLICING": "y", "NUM_COOP_PRIORITIES": "16", "NUM_PREEMPT_PRIORITIES": "15"}
TWO_CPUS = dict(ONE_CPU, SMP="y", MP_MAX_NUM_CPUS="2")

HEADER = """
from zpy.kernel import *

def spawn(entry, prio, *args, delay=K_NO_WAIT):
    t = k_thread()
    k_thread_create(t, None, 0, entry, *(list(args) + [None] * (3 - len(args))), prio, 0, delay)
    return t
"""


def run(make_image, boot, src, config=None, timeout=20):
    cfg = dict(ONE_CPU)
    cfg.update(config or {})
    rt, console = boot(make_image(HEADER + src, config=cfg))
    status = rt.wait(timeout)
    return status, console.text()


def test_highest_priority_first_and_fifo_among_equals(make_image, boot):
    status, out = run(make_image, boot, """
def worker(name):
    printk("%s\\n", name)

def main():
    k_thread_priority_set(k_current_get(), -1)   # cooperative: nothing runs until we sleep
    spawn(worker, 5, "low")
    spawn(worker, 3, "mid-1")
    spawn(worker, 3, "mid-2")
    spawn(worker, -3, "coop")
    printk("main sleeps\\n")
    k_msleep(10)
    return 0
""")
    assert status == 0, out
    assert out == "main sleeps\ncoop\nmid-1\nmid-2\nlow\n"


def test_a_higher_priority_thread_preempts_at_once_but_not_a_cooperative_one(make_image, boot):
    status, out = run(make_image, boot, """
def worker(name):
    printk("%s runs\\n", name)

def main():
    k_thread_priority_set(k_current_get(), 5)
    spawn(worker, 2, "high")
    printk("preemptible main goes on\\n")
    k_thread_priority_set(k_current_get(), -2)
    spawn(worker, -5, "higher coop")
    printk("cooperative main goes on\\n")
    k_yield()
    printk("main after yield\\n")
    return 0
""")
    assert status == 0, out
    assert out == ("high runs\npreemptible main goes on\ncooperative main goes on\n"
                   "higher coop runs\nmain after yield\n")


def test_yield_rotates_equal_priorities(make_image, boot):
    status, out = run(make_image, boot, """
def worker(name):
    for i in range(3):
        printk("%s%d ", name, i)
        k_yield()

def main():
    spawn(worker, 4, "a")
    spawn(worker, 4, "b")
    k_msleep(100)
    printk("\\n")
    return 0
""")
    assert status == 0, out
    assert out == "a0 b0 a1 b1 a2 b2 \n"


def test_sched_lock_defers_preemption_until_unlock(make_image, boot):
    status, out = run(make_image, boot, """
def worker():
    printk("high\\n")

def main():
    k_thread_priority_set(k_current_get(), 5)
    k_sched_lock()
    spawn(worker, 1)
    printk("locked\\n")
    k_sched_unlock()
    printk("unlocked\\n")
    return 0
""")
    assert status == 0, out
    assert out == "locked\nhigh\nunlocked\n"


def test_lowering_own_priority_switches_at_once(make_image, boot):
    status, out = run(make_image, boot, """
def worker():
    printk("worker at %d\\n", k_thread_priority_get(k_current_get()))

def main():
    k_thread_priority_set(k_current_get(), -1)
    spawn(worker, 3)
    printk("before\\n")
    k_thread_priority_set(k_current_get(), 7)
    printk("after, main at %d\\n", k_thread_priority_get(k_current_get()))
    return 0
""")
    assert status == 0, out
    assert out == "before\nworker at 3\nafter, main at 7\n"


#: two busy threads of priority 5, each printing when its three 15 ms busy waits end
BUSY_PAIR = """
def busy(name):
    for i in range(3):
        k_busy_wait(15000)
        printk("%s%d@%d ", name, i, k_uptime_get())

def main():
    k_thread_priority_set(k_current_get(), 9)
    k_sched_lock()
    spawn(busy, 5, "a")
    spawn(busy, 5, "b")
    k_sched_unlock()
    printk("\\n")
    return 0
"""


def test_time_slices_rotate_busy_threads_of_equal_priority(make_image, boot):
    status, out = run(make_image, boot, BUSY_PAIR.replace(
        "def main():\n", "def main():\n    k_sched_time_slice_set(10, 0)\n"))
    assert status == 0, out
    # a slice is one tick (10 ms): a and b take turns at each tick
    assert out.split() == ["a0@20", "b0@30", "a1@40", "b1@50", "a2@60", "b2@60"], out


def test_kconfig_timeslice_size_and_priority_take_effect_without_an_api_call(make_image, boot):
    """CONFIG_TIMESLICE_SIZE and CONFIG_TIMESLICE_PRIORITY alone (no k_sched_time_slice_set)
    decide whether two busy threads of priority 5 take turns, and how often."""
    runs = {}
    for size, ceiling in (("20", "5"), ("0", "0"), ("20", "6")):
        status, out = run(make_image, boot, BUSY_PAIR,
                          {"TIMESLICE_SIZE": size, "TIMESLICE_PRIORITY": ceiling})
        assert status == 0, out
        runs[size, ceiling] = out.split()
    # 20 ms slices, priority 5 at the ceiling: the CPU changes hands at 20 and 40 ms (a
    # busy wait counts the clock, so one that a slice cut short ends when its thread is back)
    assert runs["20", "5"] == ["a0@10", "b0@30", "a1@40", "a2@50", "b1@50", "b2@70"]
    # no slices (size 0), or threads more urgent than the ceiling: a runs to its end first
    assert runs["0", "0"] == ["a0@10", "a1@30", "a2@40", "b0@60", "b1@70", "b2@90"]
    assert runs["20", "6"] == runs["0", "0"]


def test_suspend_resume_and_sleep_forever(make_image, boot):
    status, out = run(make_image, boot, """
def worker():
    printk("worker runs\\n")

def forever():
    printk("k_sleep returned %d\\n", k_sleep(K_FOREVER))

def main():
    t = spawn(worker, 7)          # lower priority: ready, waiting for the CPU
    k_thread_suspend(t)
    printk("state %s\\n", k_thread_state_str(t))
    k_msleep(10)                   # the worker would run now, were it not suspended
    printk("main woke\\n")
    k_thread_resume(t)
    printk("resumed, state %s\\n", k_thread_state_str(t))
    k_msleep(10)
    f = spawn(forever, -1)
    printk("state %s\\n", k_thread_state_str(f))
    k_wakeup(f)
    return 0
""")
    assert status == 0, out
    assert out == ("state suspended\nmain woke\nresumed, state queued\nworker runs\n"
                   "state suspended\nk_sleep returned -1\n"), out


def test_mutex_priority_inheritance_and_ceiling(make_image, boot):
    status, out = run(make_image, boot, """
m = k_mutex()
k_mutex_init(m)

def owner():
    k_mutex_lock(m, K_FOREVER)
    k_msleep(10)
    printk("owner boosted to %d\\n", k_thread_priority_get(k_current_get()))
    k_mutex_unlock(m)
    printk("owner back to %d\\n", k_thread_priority_get(k_current_get()))

def waiter():
    printk("waiter takes: %d\\n", k_mutex_lock(m, K_FOREVER))
    k_mutex_unlock(m)

def main():
    spawn(owner, 10)
    k_msleep(1)
    spawn(waiter, 2)
    k_msleep(100)
    return 0
""")
    assert status == 0, out
    assert out == "owner boosted to 2\nwaiter takes: 0\nowner back to 10\n"


def test_main_returning_ends_only_main(make_image, boot):
    status, out = run(make_image, boot, """
def worker():
    k_msleep(50)
    printk("worker still runs at %d ms\\n", k_uptime_get())

def main():
    spawn(worker, 5)
    printk("main returns\\n")
    return 3
""")
    assert status == 3, out
    assert out == "main returns\nworker still runs at 60 ms\n"


def test_virtual_time_does_not_wait_and_is_deterministic(make_image, boot):
    src = """
def main():
    for i in range(5):
        k_sleep(K_SECONDS(2))
        printk("%d at %d ms, %d ticks\\n", i, k_uptime_get(), k_uptime_ticks())
    return 0
"""
    start = time.monotonic()
    first = run(make_image, boot, src)
    second = run(make_image, boot, src)
    assert time.monotonic() - start < 5  # ten simulated seconds, twice
    assert first == second
    assert first[1].splitlines()[-1] == "4 at 10050 ms, 1005 ticks"


def test_timeouts_count_in_ticks_rounding_up(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    k_msleep(10)            # tick boundary: 1 tick + the partial one
    printk("%d ", k_uptime_get())
    k_msleep(1)             # rounds up to a tick
    printk("%d ", k_uptime_get())
    k_sleep(K_TICKS(3))
    printk("%d ", k_uptime_get())
    k_usleep(1)
    printk("%d\\n", k_uptime_get())
    return 0
""")
    assert status == 0, out
    assert out == "20 40 80 100\n"


def test_sleep_returns_time_left_when_woken(make_image, boot):
    status, out = run(make_image, boot, """
def sleeper(main_thread):
    printk("left %d\\n", k_msleep(1000))

def main():
    t = spawn(sleeper, -1, k_current_get())
    k_msleep(300)
    k_wakeup(t)
    k_msleep(10)
    return 0
""")
    assert status == 0, out
    assert out == "left 690\n"  # 100 ticks from tick 0, woken at tick 31


def test_an_isr_readied_thread_preempts_at_the_next_kernel_entry(make_image, boot):
    status, out = run(make_image, boot, """
sem = k_sem()
k_sem_init(sem, 0, 1)

def isr(arg):
    k_sem_give(sem)
    printk("isr gave\\n")

def high():
    k_sem_take(sem, K_FOREVER)
    printk("high woke\\n")

def main():
    k_thread_priority_set(k_current_get(), 5)
    spawn(high, 1)
    irq_offload(isr, None)
    printk("main after the interrupt\\n")
    return 0
""", config={"IRQ_OFFLOAD": "y"})
    assert status == 0, out
    assert out == "isr gave\nhigh woke\nmain after the interrupt\n"


def test_an_essential_thread_that_returns_is_a_fatal_error(make_image, boot):
    status, out = run(make_image, boot, """
def worker():
    printk("bye\\n")

def main():
    t = k_thread()
    k_thread_create(t, None, 0, worker, None, None, None, 3, K_ESSENTIAL, K_NO_WAIT)
    k_msleep(10)
    return 0
""")
    assert status == 1, out
    assert out.startswith("bye\n>>> ZEPHYR FATAL ERROR 4: Kernel panic on CPU 0\n"), out


def test_a_run_ends_when_every_thread_waits_for_ever(make_image, boot):
    status, out = run(make_image, boot, """
sem = k_sem()
k_sem_init(sem, 0, 1)

def main():
    printk("waiting\\n")
    k_sem_take(sem, K_FOREVER)
    return 0
""")
    assert status == 0
    assert out == "waiting\n"


def test_two_cpus_run_two_threads_at_once(make_image, boot):
    status, out = run(make_image, boot, """
flags = [0, 0]

def spinner(me, other):
    flags[me] = 1
    while not flags[other]:
        k_busy_wait(100)   # no slicing, no sleeping: only a second CPU lets the other run
    printk("spinner %d saw the other\\n", me)

def main():
    k_thread_priority_set(k_current_get(), 9)
    spawn(spinner, 5, 0, 1)
    spawn(spinner, 5, 1, 0)
    k_msleep(100)
    return 0
""", config=TWO_CPUS, timeout=20)
    assert status == 0, out
    assert sorted(out.splitlines()) == ["spinner 0 saw the other", "spinner 1 saw the other"]


def test_two_cpus_lose_no_wakeup_across_many_joins_and_handoffs(make_image, boot):
    """Threads that end on one CPU while their joiner idles on the other, 1500 times over:
    a wake-up lost between two host threads would hang the run."""
    status, out = run(make_image, boot, """
sem = k_sem()
k_sem_init(sem, 0, 1)

def worker(i):
    if i % 2:
        k_sem_give(sem)

def main():
    for i in range(1500):
        t = spawn(worker, -1 if i % 3 else 3, i)
        if i % 2:
            k_sem_take(sem, K_FOREVER)
        k_thread_join(t, K_FOREVER)
    printk("done\\n")
    return 0
""", config=TWO_CPUS, timeout=60)
    assert status == 0, out
    assert out == "done\n"


def test_priority_inheritance_stops_at_the_ceiling(make_image, boot):
    status, out = run(make_image, boot, """
m = k_mutex()
k_mutex_init(m)

def owner():
    k_mutex_lock(m, K_FOREVER)
    k_msleep(10)
    printk("owner at %d\\n", k_thread_priority_get(k_current_get()))
    k_mutex_unlock(m)

def waiter():
    k_mutex_lock(m, K_FOREVER)
    k_mutex_unlock(m)

def main():
    spawn(owner, 10)
    k_msleep(1)
    spawn(waiter, 2)
    k_msleep(100)
    return 0
""", config={"PRIORITY_CEILING": "6"})
    assert status == 0, out
    assert out == "owner at 6\n"


def test_a_meta_irq_thread_preempts_a_cooperative_one(make_image, boot):
    status, out = run(make_image, boot, """
def metairq():
    printk("meta-IRQ runs\\n")

def coop():
    printk("coop before\\n")
    spawn(metairq, K_HIGHEST_THREAD_PRIO)
    printk("coop after\\n")

def main():
    spawn(coop, -2)
    k_msleep(10)
    return 0
""", config={"NUM_METAIRQ_PRIORITIES": "1"})
    assert status == 0, out
    assert out == "coop before\nmeta-IRQ runs\ncoop after\n"


def test_a_pinned_thread_runs_only_on_its_cpu(make_image, boot):
    status, out = run(make_image, boot, """
def spinner(name):
    k_busy_wait(50000)
    printk("%s done at %d ms\\n", name, k_uptime_get())

def main():
    k_thread_priority_set(k_current_get(), 9)
    threads = []
    for name in ("a", "b"):
        t = k_thread()
        k_thread_create(t, None, 0, spinner, name, None, None, 5, 0, K_FOREVER)
        printk("pin %s: %d\\n", name, k_thread_cpu_pin(t, 1))
        threads.append(t)
    for t in threads:
        k_thread_start(t)
    k_msleep(500)
    return 0
""", config=dict(TWO_CPUS, SCHED_CPU_MASK="y"))
    assert status == 0, out
    # both on CPU 1: one after the other, though CPU 0 idles
    assert out == "pin a: 0\npin b: 0\na done at 50 ms\nb done at 100 ms\n", out


def test_aborting_an_essential_thread_ends_it_then_panics_in_the_caller(make_image, boot):
    status, out = run(make_image, boot, """
def k_sys_fatal_error_handler(reason, esf):
    printk("handler %d in %s\\n", reason, k_current_get().name)

def essential():
    k_msleep(200)
    printk("essential thread woke: not aborted\\n")

def aborter(victim):
    k_thread_name_set(None, "aborter")
    k_thread_abort(victim)
    printk("not reached: the caller faulted\\n")

def main():
    victim = spawn(essential, 0)
    victim.options |= K_ESSENTIAL
    k_msleep(100)
    k_thread_join(spawn(aborter, -1, victim), K_FOREVER)
    k_msleep(300)
    printk("main goes on\\n")
    return 0
""")
    assert status == 0, out
    assert "Current thread: aborter: aborting essential thread" in out, out
    assert out.endswith("handler 4 in aborter\nmain goes on\n"), out
    assert "Kernel panic" in out and "not reached" not in out and "woke" not in out


def test_an_isr_that_aborts_the_thread_it_interrupted_runs_to_its_end(make_image, boot):
    status, out = run(make_image, boot, """
def isr(victim):
    k_thread_abort(victim)
    printk("the ISR goes on\\n")   # a kernel entry inside the ISR: the ISR must not unwind

def victim_entry():
    irq_offload(isr, k_current_get())
    printk("not reached: aborted when the ISR returned\\n")

def main():
    t = spawn(victim_entry, -1)
    k_thread_join(t, K_FOREVER)
    printk("joined\\n")
    return 0
""", config={"IRQ_OFFLOAD": "y"})
    assert status == 0, out
    assert out == "the ISR goes on\njoined\n"


def test_a_slice_expired_callback_may_call_the_kernel(make_image, boot):
    status, out = run(make_image, boot, """
done = k_sem()
k_sem_init(done, 0, 1)
count = [0]

def expired(thread, data):
    count[0] += 1
    printk("slice %d of %s at tick %d\\n", count[0], data, sys_clock_tick_get())
    if count[0] == 2:
        k_thread_abort(thread)
        k_sem_give(done)

def spinner():
    while True:
        k_busy_wait(1000)

def main():
    t = k_thread()
    k_thread_create(t, None, 0, spinner, None, None, None, 1, 0, K_FOREVER)
    k_thread_time_slice_set(t, 5, expired, "spinner")
    k_thread_start(t)
    k_sem_take(done, K_FOREVER)
    printk("main woke\\n")
    return 0
""", config={"TIMESLICE_PER_THREAD": "y"})
    assert status == 0, out
    assert out == "slice 1 of spinner at tick 5\nslice 2 of spinner at tick 10\nmain woke\n"


def test_a_recreated_thread_has_no_slice_of_its_own(make_image, boot):
    status, out = run(make_image, boot, """
def expired(thread, data):
    printk("old callback\\n")

def quick():
    k_busy_wait(100000)
    printk("done\\n")

def main():
    t = k_thread()
    k_thread_create(t, None, 0, quick, None, None, None, 1, 0, K_FOREVER)
    k_thread_time_slice_set(t, 5, expired, None)
    k_thread_abort(t)
    k_thread_create(t, None, 0, quick, None, None, None, 1, 0, K_NO_WAIT)
    k_thread_join(t, K_FOREVER)
    return 0
""", config={"TIMESLICE_PER_THREAD": "y"})
    assert status == 0, out
    assert out == "done\n"


def test_a_thread_object_created_again_runs_while_its_old_host_takes_interrupts(make_image, boot):
    """C tests re-create one static k_thread: the host of its previous life, still taking
    interrupts for an idle CPU, must not be mistaken for the new one's."""
    status, out = run(make_image, boot, """
worker_thread = k_thread()
sem = k_sem()
k_sem_init(sem, 0, 1)

def worker(i):
    k_sem_give(sem)

def main():
    for i in range(200):
        k_thread_create(worker_thread, None, 0, worker, i, None, None, 2, 0, K_NO_WAIT)
        k_sem_take(sem, K_FOREVER)
        k_thread_join(worker_thread, K_FOREVER)
        k_msleep(1)
    printk("done\\n")
    return 0
""", config=TWO_CPUS, timeout=60)
    assert status == 0, out
    assert out == "done\n"


def test_arch_curr_cpu_names_the_cpu_a_pinned_thread_runs_on(make_image, boot):
    status, out = run(make_image, boot, """
def where(name):
    printk("%s on cpu %d of %d\\n", name, arch_curr_cpu().id, arch_num_cpus())

def main():
    k_thread_priority_set(k_current_get(), -1)
    for cpu in (1, 0):
        t = k_thread()
        k_thread_create(t, None, 0, where, "pinned %d" % cpu, None, None, 5, 0, K_FOREVER)
        k_thread_cpu_pin(t, cpu)
        k_thread_start(t)
    k_msleep(10)
    return 0
""", config=dict(TWO_CPUS, SCHED_CPU_MASK="y"))
    assert status == 0, out
    assert sorted(out.splitlines()) == ["pinned 0 on cpu 0 of 2", "pinned 1 on cpu 1 of 2"]


def test_arch_num_cpus_is_one_without_smp(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    printk("cpu %d of %d\\n", arch_curr_cpu().id, arch_num_cpus())
    return 0
""", config={"MP_MAX_NUM_CPUS": "2"})
    assert status == 0, out
    assert out == "cpu 0 of 1\n"


def test_a_waiter_whose_priority_changes_moves_in_the_wait_queue(make_image, boot):
    # z_thread_prio_set re-sorts a pending thread in its wait queue: raised above the
    # other waiter, it gets the mutex first (Zephyr's mutex_api complex_inversion case)
    status, out = run(make_image, boot, """
m = k_mutex()

def waiter(name):
    k_mutex_lock(m, K_FOREVER)
    printk("%s got it at prio %d\\n", name, k_thread_priority_get(k_current_get()))
    k_mutex_unlock(m)

def main():
    k_mutex_lock(m, K_FOREVER)
    k_thread_priority_set(k_current_get(), -1)
    late = spawn(waiter, 7, "raised")
    spawn(waiter, 6, "other")
    k_msleep(10)                      # both wait: other (6) ahead of raised (7)
    k_thread_priority_set(late, 5)
    k_mutex_unlock(m)
    k_msleep(10)
    return 0
""")
    assert status == 0, out
    assert out == "raised got it at prio 5\nother got it at prio 6\n"


def test_a_thread_object_is_reused_at_once_after_aborting_its_waiting_thread(make_image, boot):
    # as Zephyr's tests do (k_thread_abort, then k_thread_create on the same struct): the
    # old host must not wake up as the new thread
    for config in (ONE_CPU, TWO_CPUS):
        status, out = run(make_image, boot, """
m = k_mutex()
t = k_thread()

def blocked(i):
    k_mutex_lock(m, K_FOREVER)
    printk("never\\n")

def fresh(i):
    printk("fresh %d\\n", i)

def main():
    k_mutex_lock(m, K_FOREVER)
    for i in range(20):
        k_thread_create(t, None, 0, blocked, i, None, None, 5, 0, K_NO_WAIT)
        k_msleep(1)                   # it waits for the mutex
        k_thread_abort(t)
        k_thread_create(t, None, 0, fresh, i, None, None, 5, 0, K_NO_WAIT)
        k_thread_join(t, K_FOREVER)
    return 0
""", config=config)
        assert status == 0, out
        assert out == "".join(f"fresh {i}\n" for i in range(20)), config


def test_the_seat_holder_runs_when_readied_while_it_polls(make_image, boot):
    # main waits in the seat (join) while the other CPU runs the worker; the worker's
    # exit readies main and kicks the seat: that kick must not be lost
    status, out = run(make_image, boot, """
s = k_sem(0, 10)

def body():
    for r in range(3):
        k_sem_take(s, K_MSEC(10))

def main():
    for r in range(40):
        t = k_thread()
        k_thread_create(t, None, 0, body, None, None, None, 5, 0, K_FOREVER)
        k_thread_start(t)
        k_thread_join(t, K_FOREVER)
    printk("done at %d ms\\n", k_uptime_get())
    return 0
""", config=TWO_CPUS, timeout=20)
    assert status == 0, out
    assert out == "done at 2400 ms\n"  # 40 x 3 timeouts of 1 tick, each ending 2 ticks on


def test_a_recreated_thread_starts_without_custom_data(make_image, boot):
    status, out = run(make_image, boot, """
t = k_thread()

def worker():
    printk("custom data %s\\n", k_thread_custom_data_get())
    k_thread_custom_data_set(7)

def main():
    for _ in range(2):             # the same k_thread, created twice (as C tests do)
        k_thread_create(t, None, 0, worker, None, None, None, -1, 0, K_NO_WAIT)
        k_thread_join(t, K_FOREVER)
    return 0
""")
    assert status == 0, out
    assert out == "custom data (null)\ncustom data (null)\n"   # printk's %s of NULL


def test_entering_user_mode_clears_the_essential_flag(make_image, boot):
    status, out = run(make_image, boot, """
def user_entry():
    printk("user thread essential: %d\\n", k_current_get().options & K_ESSENTIAL)

def worker():
    k_current_get().options |= K_ESSENTIAL   # z_thread_essential_set, as Zephyr's test does
    k_thread_user_mode_enter(user_entry, None, None, None)

def main():
    t = spawn(worker, -1)
    k_thread_join(t, K_FOREVER)
    printk("joined\\n")
    return 0
""")
    assert status == 0, out
    assert out == "user thread essential: 0\njoined\n"   # no panic when it ends


def test_irq_offload_holds_offload_sem_which_a_thread_aborted_in_its_isr_keeps(make_image,
                                                                              boot):
    status, out = run(make_image, boot, """
from zpy.kernel.irq import offload_sem

done = []

def isr(t):
    k_thread_abort(t)              # the thread that offloaded: it ends when the ISR returns
    done.append("isr ran to its end")

def victim():
    irq_offload(isr, k_current_get())
    printk("not reached\\n")

def main():
    t = spawn(victim, -1)
    k_thread_join(t, K_FOREVER)
    printk("%s, offload_sem %d\\n", done[0], k_sem_count_get(offload_sem))
    k_sem_give(offload_sem)        # as Zephyr's test_abort_from_isr gives it back
    irq_offload(lambda p: printk("offload works again\\n"), None)
    printk("offload_sem %d\\n", k_sem_count_get(offload_sem))
    return 0
""", config={"IRQ_OFFLOAD": "y"})
    assert status == 0, out
    assert out == "isr ran to its end, offload_sem 0\noffload works again\noffload_sem 1\n"


def test_runtime_stats_charge_each_thread_the_cycles_it_ran(make_image, boot):
    status, out = run(make_image, boot, """
def spin():
    k_busy_wait(3000)            # 3 ms: 75000 cycles at 25 MHz
    k_msleep(50)                 # sleeping runs up nothing (the idle thread gets the time)

def main():
    t = spawn(spin, -1)
    k_thread_join(t, K_FOREVER)
    s = k_thread_runtime_stats_t()
    k_thread_runtime_stats_get(t, s)
    printk("spin %d\\n", s.execution_cycles)
    k_busy_wait(1000)
    k_thread_runtime_stats_get(k_current_get(), s)
    printk("main %d\\n", s.execution_cycles)
    a = k_thread_runtime_stats_t()
    k_thread_runtime_stats_all_get(a)
    printk("total %d idle %d execution %d at %d\\n", a.total_cycles, a.idle_cycles,
           a.execution_cycles, k_cycle_get_32())
    printk("%d %d\\n", k_thread_runtime_stats_get(None, s), k_thread_runtime_stats_all_get(None))
    return 0
""", config={"THREAD_RUNTIME_STATS": "y", "SCHED_THREAD_USAGE": "y",
             "SCHED_THREAD_USAGE_ALL": "y"})
    assert status == 0, out
    # the sleep ends at tick 6 (60 ms): idle ran 57 ms, then main's 1 ms busy wait
    assert out == ("spin 75000\nmain 25000\ntotal 100000 idle 1425000 execution 1525000 at "
                   "1525000\n-22 -22\n"), out


def test_thread_names_states_and_timeouts_as_c_reads_them(make_image, boot):
    status, out = run(make_image, boot, """
def worker():
    pass

def main():
    t = k_thread()
    k_thread_create(t, None, 0, worker, None, None, None, 5, 0, K_MSEC(100))
    k_thread_name_set(t, "worker")
    buf = bytearray(b"xxxxxxxxxx")
    printk("%d %s\\n", k_thread_name_copy(t, buf, 4), buf)   # strncpy: no NUL
    k_thread_name_copy(t, buf, len(buf))
    printk("%s\\n", bytes(buf).replace(b"\\0", b"0"))
    state = bytearray(8)
    printk("[%s] [%s] [%s] [%s]\\n", k_thread_state_str(t, state, len(state)),
           k_thread_state_str(t, None, 8), k_thread_state_str(t, state, 0),
           k_thread_state_str(t))
    printk("now %d: expires at %d, %d ticks left\\n", k_uptime_ticks(),
           k_thread_timeout_expires_ticks(t), k_thread_timeout_remaining_ticks(t))
    k_msleep(30)
    printk("now %d: %d ticks left\\n", k_uptime_ticks(), k_thread_timeout_remaining_ticks(t))
    k_thread_join(t, K_FOREVER)
    printk("started at %d: %d left, expiry %d\\n", k_uptime_ticks(),
           k_thread_timeout_remaining_ticks(t), k_thread_timeout_expires_ticks(t))
    return 0
""")
    assert status == 0, out
    # 100 ms is 10 ticks, so the delayed start is due at tick 11; a 30 ms sleep ends at 4
    assert out == ("0 workxxxxxx\nworker0000\n[sleepin] [] [] [sleeping]\n"
                   "now 0: expires at 11, 11 ticks left\nnow 4: 7 ticks left\n"
                   "started at 11: 0 left, expiry 11\n"), out


def test_k_thread_foreach_asserts_a_callback(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    k_thread_foreach(None, None)
    return 0
""", config={"ASSERT": "y"})
    assert status == 1
    assert "ASSERTION FAIL [user_cb is not None]" in out and "user_cb can not be NULL" in out


def test_cpu_masks_hold_without_smp_too(make_image, boot):
    status, out = run(make_image, boot, """
def worker(name):
    printk("%s runs\\n", name)

def main():
    masked = k_thread()
    k_thread_create(masked, None, 0, worker, "masked", None, None, 1, 0, K_FOREVER)
    printk("clear: %d\\n", k_thread_cpu_mask_clear(masked))
    k_thread_start(masked)
    k_msleep(10)
    printk("main woke\\n")
    k_thread_abort(masked)
    return 0
""", config={"SCHED_CPU_MASK": "y"})
    assert status == 0, out
    assert out == "clear: 0\nmain woke\n"   # a thread no CPU may run never runs


def test_a_thread_suspended_while_running_elsewhere_halts_at_its_next_switch(make_image, boot):
    status, out = run(make_image, boot, """
from zpy.kernel.sched import _THREAD_SUSPENDING

started = []

def victim():
    key = irq_lock()               # its kernel entries do not halt it...
    started.append(1)
    while not k_current_get().thread_state & _THREAD_SUSPENDING:
        k_busy_wait(100)           # (until main has asked)
    k_msleep(10)                   # ...but leaving its CPU does (Zephyr's next_up)
    printk("victim after its sleep\\n")
    irq_unlock(key)

def main():
    t = spawn(victim, 5)           # runs on the other CPU
    while not started:
        k_busy_wait(100)
    k_thread_suspend(t)            # returns once the victim has halted
    printk("suspended: %s\\n", k_thread_state_str(t))
    k_msleep(50)
    printk("resuming\\n")
    k_thread_resume(t)
    k_thread_join(t, K_FOREVER)
    return 0
""", config=TWO_CPUS)
    assert status == 0, out
    assert out == ("suspended: sleeping+suspended\nresuming\nvictim after its sleep\n"), out


def test_threads_aborted_while_running_elsewhere_end(make_image, boot):
    status, out = run(make_image, boot, """
def sleeper():
    while True:
        k_msleep(1)                # the abort lands anywhere in here, as in thread_apis

def suspender():
    k_sleep(K_FOREVER)             # suspends itself: an abort may come in before it halts

def main():
    for i in range(400):
        t = k_thread()
        k_thread_create(t, None, 0, (sleeper, suspender)[i % 2], None, None, None, 5, 0,
                        K_NO_WAIT)
        k_busy_wait(1500 + 37 * (i % 7) if i % 2 == 0 else i % 5)
        k_thread_abort(t)
    printk("400 aborted\\n")
    return 0
""", config=TWO_CPUS, timeout=60)
    assert status == 0, out
    assert out == "400 aborted\n"
