"""`zpy run` and time: real by default, virtual for tests and with --no-rt, deterministic
on one CPU; main()'s contract (int main(void), the exit status)."""

from __future__ import annotations

import time
from pathlib import Path

from .runner import build, ivshmem_server, zpy

SLEEPER = """\
from zpy.kernel import *
from zpy.logging import LOG_INF, LOG_MODULE_REGISTER

LOG_MODULE_REGISTER("app", 3)

def worker(name, period):
    for i in range(4):
        k_msleep(period)
        LOG_INF("%s %d", name, i)

def main():
    for name, period, prio in (("fast", 1500, 4), ("slow", 2500, 5)):
        k_thread_create(k_thread(), None, 0, worker, name, period, None, prio, 0, K_NO_WAIT)
    return 0
"""
ONE_CPU_LOG = "CONFIG_LOG=y\nCONFIG_SMP=n\nCONFIG_LOG_BACKEND_FORMAT_TIMESTAMP=y\n"
#: sleeps 300 ms (an hour with MODE "no-rt") and prints how long that took on the host's clock
SLEEPY = ("import time\nfrom zpy.kernel import *\n\ndef main():\n"
          "    start = time.monotonic()\n    k_sleep(K_MSEC(300) if MODE != 'no-rt' else K_HOURS(1))\n"
          "    printk('slept %d ms of host time\\n', int((time.monotonic() - start) * 1000))\n"
          "    return 0\n")


def app(tmp_path: Path, main: str, prj: str) -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "prj.conf").write_text(prj)
    (root / "src" / "main.py").write_text(main)
    return root


def test_virtual_time_is_fast_and_two_runs_print_the_same_bytes(tmp_path):
    build(app(tmp_path, SLEEPER, ONE_CPU_LOG), tmp_path / "b")
    start = time.monotonic()
    runs = [zpy("run", "--no-rt", "-d", str(tmp_path / "b")) for _ in range(2)]
    assert time.monotonic() - start < 8  # 10 simulated seconds, twice, in real seconds
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    lines = runs[0].stdout.splitlines()[1:]
    assert lines[0] == "[00:00:01.510,000] <inf> app: fast 0"
    assert lines[-1] == "[00:00:10.040,000] <inf> app: slow 3"


def test_rt_forces_real_time_and_no_rt_virtual_time(tmp_path):
    """The app measures the host's clock across its own sleep: a real 300 ms sleep lasts
    at least 300 ms; an hour of virtual sleep ends (the test would time out otherwise)."""
    for mode in ("rt", "no-rt"):
        src = tmp_path / mode
        build(app(src, f"MODE = {mode!r}\n" + SLEEPY, "CONFIG_TEST=y\n"), src / "b")
        done = zpy("run", f"--{mode}", "-d", str(src / "b"))
        assert done.returncode == 0, done.stderr
        host_ms = int(done.stdout.split()[-5])  # "slept N ms of host time"
        if mode == "rt":
            assert host_ms >= 300, done.stdout


def test_a_test_on_an_ivshmem_server_keeps_real_time_and_says_so(tmp_path):
    build("tests/drivers/virtualization/ivshmem/doorbell", tmp_path / "b")
    with ivshmem_server(tmp_path, size="4K", vectors=2) as (sock, _):
        done = zpy("run", "-d", str(tmp_path / "b"), "-chardev", f"socket,path={sock},id=ivshmem")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count("zpy: real time: this run talks to the outside") == 1


def test_a_test_with_its_console_on_a_file_keeps_real_time_and_says_so(tmp_path):
    """A console back end other than stdio is an outside party: a CONFIG_TEST image, virtual
    by default, keeps real time, and stderr says so once."""
    build(app(tmp_path, "MODE = 'test'\n" + SLEEPY, "CONFIG_TEST=y\n"), tmp_path / "b")
    log = tmp_path / "console.txt"
    done = zpy("run", "-d", str(tmp_path / "b"), "--serial", f"file:{log}")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("zpy: real time: this run talks to the outside "
                             f"(the console on file:{log})") == 1, done.stderr
    assert "slept" not in done.stdout
    host_ms = int(log.read_text().split()[-5])  # "slept N ms of host time"
    assert host_ms >= 300, log.read_text()


def test_main_with_parameters_is_a_boot_error_naming_main_py(tmp_path):
    build(app(tmp_path, "def main(argc):\n    return 0\n", "# nothing\n"), tmp_path / "b")
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"{tmp_path / 'app/src/main.py'}:1: error: main() must take "
                                  "no arguments, as C's int main(void); it requires argc")
    assert "Traceback" not in done.stderr


def test_main_returning_what_an_exit_status_cannot_hold_is_reported(tmp_path):
    for value, status, words in (("300", 44, "main() returned 300, which an exit status "
                                              "cannot hold: exit status 44 (300 & 0xff)"),
                                 ("'ok'", 0, "main() returned 'ok', not an int (C's int main()): "
                                             "exit status 0")):
        build(app(tmp_path, f"def main():\n    return {value}\n", "# nothing\n"), tmp_path / "b")
        done = zpy("run", "-d", str(tmp_path / "b"))
        assert done.returncode == status
        assert done.stderr == f"zpy: {words}\n"


def test_a_run_whose_threads_all_wait_for_ever_ends_and_says_why(tmp_path):
    waits = ("from zpy.kernel import *\n\nsem = k_sem()\nk_sem_init(sem, 0, 1)\n\n"
             "def main():\n    k_sem_take(sem, K_FOREVER)\n    return 0\n")
    build(app(tmp_path, waits, "# nothing\n"), tmp_path / "b")
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 0
    assert done.stderr == ("zpy: no thread can run any more: every one waits for ever and "
                           "nothing can wake it (main); the run ends\n")
