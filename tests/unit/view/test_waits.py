"""The kernel's snapshot, and what each blocked thread waits on, read from a running image."""

from __future__ import annotations

import time
from pathlib import Path

from zpy.kernel.snapshot import KernelSnapshot, snapshot
from zpy.view.waits import Wait, waits

IMAGE = """
from zpy.kernel import *

sem = k_sem(0, 1)
mtx = k_mutex()
sig = k_poll_signal()
events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]
threads = {}

def taker():
    k_sem_take(sem, K_SECONDS(60))

def locker():
    k_mutex_lock(mtx, K_FOREVER)

def poller():
    k_poll(events, 1, K_FOREVER)

def sleeper():
    k_msleep(60000)

def joiner():
    k_thread_join(threads["sleeper"], K_FOREVER)

def main():
    k_mutex_lock(mtx, K_FOREVER)
    for name, entry in (("taker", taker), ("locker", locker), ("poller", poller),
                        ("sleeper", sleeper), ("joiner", joiner)):
        t = threads[name] = k_thread()
        k_thread_create(t, None, 0, entry, None, None, None, 5, 0, K_NO_WAIT)
        k_thread_name_set(t, name)
    printk("ready\\n")
    k_sleep(K_FOREVER)
"""
#: one CPU, real time: the armed timeouts keep the run up while the test looks
CONFIG = {"BOOT_BANNER": "n", "SYS_CLOCK_TICKS_PER_SEC": "100", "THREAD_NAME": "y"}
BLOCKED = {"taker": "pending", "locker": "pending", "poller": "pending",
           "sleeper": "sleeping", "joiner": "pending", "main": "suspended"}


def _all_blocked(rt) -> KernelSnapshot:  # type: ignore[no-untyped-def]
    """The first snapshot in which every thread of IMAGE is where it blocks."""
    deadline = time.monotonic() + 20
    while True:
        snap = snapshot(rt.kernel)
        assert snap is not None
        states = {t.name: t.state for t in snap.threads}
        if all(states.get(name) == state for name, state in BLOCKED.items()):
            return snap
        assert time.monotonic() < deadline, states
        time.sleep(0.01)


def test_snapshot_and_what_each_thread_waits_on(make_image, boot) -> None:
    build = make_image(IMAGE, config=CONFIG)
    rt, console = boot(build)
    console.wait_for("ready")
    snap = _all_blocked(rt)

    assert [t.name for t in snap.threads] == ["idle", "main", "taker", "locker", "poller",
                                              "sleeper", "joiner"]
    idle = snap.threads[0]
    assert (idle.idle, idle.state, idle.cpu) == (True, "", 0)
    assert [(c.id, c.current) for c in snap.cpus] == [(0, "idle")]
    assert snap.main_started and not snap.halted
    by_name = {t.name: t for t in snap.threads}
    assert by_name["taker"].pending and by_name["taker"].wait_q is not None
    assert 0 < by_name["taker"].timeout_ticks <= 6001  # type: ignore[operator]
    assert by_name["locker"].timeout_ticks is None
    assert by_name["poller"].pending and by_name["poller"].wait_q is None  # k_poll: no queue
    assert by_name["sleeper"].timeout_ticks is not None

    app = Path(rt.manifest.app_dir)
    found = {t.name: w for t, w in ((t, waits(snap.threads, app).get(t.thread))
                                    for t in snap.threads) if w is not None}
    lines = (app / "src" / "main.py").read_text().splitlines()

    def at(text: str) -> str:
        return f"src/main.py:{next(i for i, line in enumerate(lines, 1) if text in line)}"

    assert found == {
        "main": Wait("k_sleep", None, at("k_sleep(K_FOREVER)"), "k_sleep(K_FOREVER)"),
        "taker": Wait("k_sem_take", "k_sem sem (count 0, limit 1)", at("k_sem_take("),
                      "k_sem_take(sem, K_SECONDS(60))"),
        "locker": Wait("k_mutex_lock", "k_mutex mtx (owner 'main', lock count 1)",
                       at("    k_mutex_lock(mtx"), "k_mutex_lock(mtx, K_FOREVER)"),
        "poller": Wait("k_poll", "k_poll_signal sig (signaled 0, result 0)", at("k_poll(events"),
                       "k_poll(events, 1, K_FOREVER)"),
        "sleeper": Wait("k_msleep", None, at("k_msleep(60000)"), "k_msleep(60000)"),
        "joiner": Wait("k_thread_join", "thread 'sleeper'", at("k_thread_join("),
                       'k_thread_join(threads["sleeper"], K_FOREVER)'),
    }


def test_a_running_or_ready_thread_waits_on_nothing(make_image, boot) -> None:
    build = make_image("""
from zpy.kernel import *

def main():
    printk("up\\n")
    while True:
        k_busy_wait(1000)
""", config=CONFIG)
    rt, console = boot(build)
    console.wait_for("up")
    snap = snapshot(rt.kernel)
    assert snap is not None
    main = next(t for t in snap.threads if t.name == "main")
    # CONFIG_SMP=n keeps the running thread in the run queue, as Zephyr does
    assert (main.state, main.cpu) == ("queued", 0)
    assert waits(snap.threads) == {}
    rt.stop()
