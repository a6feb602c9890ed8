"""`zpy twister` as a user runs it, on small app trees made for each test, and on the
repo's ivshmem test suites with their sidecars."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .runner import ZEPHYR_BASE, zpy

HELLO = """\
from zpy.autoconf import CONFIG_BOARD
from zpy.kernel import printk


def main():
    printk("Hello World! %s\\n", CONFIG_BOARD)
    printk("took 42 ms\\n")
    return 0
"""

ZTEST_FAILS = """\
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal


@ZTEST("arith")
def test_add():
    zassert_equal(1 + 1, 2, "add")


@ZTEST("arith")
def test_wrong():
    zassert_equal(1 + 1, 3, "wrong on purpose")


ZTEST_SUITE("arith", None, None, None, None, None)
"""

HANGS = """\
from zpy.kernel import k_msleep, printk


def main():
    printk("working forever\\n")
    while True:
        k_msleep(50)
"""

# A stand-in for a shell, reading the console input itself: the harness's own logic
# (echo, prompt without a newline, a command whose output does not match or trails the
# prompt) without zpy's shell.
FAKE_SHELL = """\
import sys

from zpy.kernel import k_msleep, printk


def main():
    printk("uart:~$ ")
    for line in sys.stdin:
        cmd = line.strip()
        printk("%s\\n", cmd)
        if cmd == "kernel version":
            printk("Zephyr version 4.1.0\\n")
        elif cmd == "hello":
            printk("hi there\\n")
        elif cmd == "later":  # like an interrupt's callback: prints after the prompt
            printk("uart:~$ ")
            k_msleep(300)
            printk("late news\\n")
            continue
        printk("uart:~$ ")
    return 0
"""

PYTEST_TEST = """\
def test_greeting(dut):
    lines = dut.readlines_until(regex="Hello World! (.*)", timeout=10)
    assert lines[-1] == "Hello World! qemu_x86_64"


def test_more(dut):
    dut.readlines_until(regex="took 42 ms", timeout=10)
"""


def app(root: Path, rel: str, yaml: str, main: str = HELLO, prj: str = "CONFIG_PRINTK=y\n",
        name: str = "testcase.yaml") -> Path:
    folder = root / rel
    (folder / "src").mkdir(parents=True)
    (folder / "prj.conf").write_text(prj)
    (folder / "src" / "main.py").write_text(main)
    (folder / name).write_text(textwrap.dedent(yaml))
    return folder


def twister(*args: str, timeout: float = 120):
    start = time.monotonic()
    done = zpy("twister", *args, timeout=timeout)
    done.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
    return done


def suites(outdir: Path) -> dict[str, dict]:
    data = json.loads((outdir / "twister.json").read_text())
    return {s["name"]: s for s in data["testsuites"]}


def progress(stdout: str, name: str) -> str:
    (line,) = [ln for ln in stdout.splitlines() if re.match(rf"\w+ - \d+/\d+ \S+ {name} ", ln)]
    return line


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One run over a tree with one of everything; the tests below read its outcome."""
    root = tmp_path_factory.mktemp("tree")
    app(root, "samples/hello", """\
        sample:
          name: hello
        common:
          tags: greet
          harness: console
          harness_config:
            type: one_line
            regex: ["Hello World! (.*)"]
            record:
              regex: ["took (?P<ms>\\\\d+) ms"]
        tests:
          sample.hello: {}
          sample.hello.filtered:
            filter: CONFIG_NOT_THERE
          sample.hello.kept:
            filter: CONFIG_PRINTK and ARCH == "x86" and not dt_nodelabel_enabled("nope")
          sample.hello.elsewhere:
            platform_allow: some_other_board
          sample.hello.fixture:
            harness_config:
              type: one_line
              regex: ["Hello"]
              fixture: gpio_loopback
        """, name="sample.yaml")
    app(root, "tests/arith", "tests:\n  arith.fails:\n    tags: math\n", ZTEST_FAILS,
        "CONFIG_ZTEST=y\n")
    app(root, "tests/hang", "tests:\n  hang.forever:\n    timeout: 2\n", HANGS)
    app(root, "tests/broken", "tests:\n  broken.one:\n    tags: [a, b\n")
    app(root, "tests/badfilter", "tests:\n  bad.filter:\n    tags: x\n"
                                 "    filter: CONFIG_PRINTK and (ARCH ==\n")
    app(root, "tests/evalfilter", "tests:\n  eval.filter:\n    filter: CONFIG_BOARD > 3\n")
    app(root, "tests/harness", "tests:\n  odd.harness:\n    harness: robot\n"
                               "  fine.neighbour: {}\n")
    app(root, "tests/nobuild", "tests:\n  no.build: {}\n", prj="CONFIG_NOPE=y\n")
    out = root / "twister-out"
    done = twister("-T", str(root), "-O", str(out), "-j", "4", "--inline-logs")
    return root, out, done


def test_mixed_run_exit_status_and_statuses(mixed):
    root, out, done = mixed
    assert done.returncode == 1, done.stdout + done.stderr
    got = {name: (s["status"], s.get("reason")) for name, s in suites(out).items()}
    assert got == {
        "samples/hello/sample.hello": ("passed", None),
        "samples/hello/sample.hello.filtered": ("filtered", "runtime filter"),
        "samples/hello/sample.hello.kept": ("passed", None),
        "samples/hello/sample.hello.elsewhere": ("filtered",
                                                 "Not in testsuite platform allow list"),
        "samples/hello/sample.hello.fixture": (
            "skipped", "Missing fixture 'gpio_loopback' (give it with --fixture gpio_loopback)"),
        "tests/arith/arith.fails": ("failed", "Testsuite failed"),
        "tests/hang/hang.forever": ("failed", "Timeout"),
        "tests/broken/testcase.yaml": (
            "error", "invalid YAML: expected ',' or ']', but got '<stream end>' "
                     "(while parsing a flow sequence)"),
        "tests/badfilter/bad.filter": (
            "error", "scenario 'bad.filter': bad filter \"CONFIG_PRINTK and (ARCH ==\": "
                     "unexpected end of expression (expected a string or a number)"),
        "tests/evalfilter/eval.filter": (
            "error", "scenario 'eval.filter': filter \"CONFIG_BOARD > 3\": CONFIG_BOARD is "
                     "\"qemu_x86_64\", not a number"),
        "tests/harness/odd.harness": (
            "error", "scenario 'odd.harness': unknown harness 'robot' (zpy twister runs "
                     "console, ztest, test, shell, pytest; it builds led, button only)"),
        "tests/harness/fine.neighbour": ("passed", None),
        "tests/nobuild/no.build": (
            "error", f"Build failure: {root}/tests/nobuild/prj.conf:1: warning: attempt to "
                     "assign the value 'y' to the undefined symbol NOPE"),
    }


def test_mixed_run_one_line_errors_with_file_and_line(mixed):
    root, out, done = mixed
    errors = [ln for ln in done.stdout.splitlines() if ": error: " in ln]
    assert f"ERROR - {root}/tests/broken/testcase.yaml:4: error: invalid YAML: expected ',' " \
           "or ']', but got '<stream end>' (while parsing a flow sequence)" in errors
    assert f"ERROR - {root}/tests/badfilter/testcase.yaml:4: error: scenario 'bad.filter': " \
           "bad filter \"CONFIG_PRINTK and (ARCH ==\": unexpected end of expression " \
           "(expected a string or a number)" in errors
    assert f"ERROR - {root}/tests/harness/testcase.yaml:3: error: scenario 'odd.harness': " \
           "unknown harness 'robot' (zpy twister runs console, ztest, test, shell, " \
           "pytest; it builds led, button only)" in errors
    assert f"ERROR - {root}/tests/evalfilter/testcase.yaml:3: error: scenario 'eval.filter': " \
           "filter \"CONFIG_BOARD > 3\": CONFIG_BOARD is \"qemu_x86_64\", not a number" in errors
    data = suites(out)["tests/evalfilter/eval.filter"]
    assert data["log"] == (f"{root}/tests/evalfilter/testcase.yaml:3: error: scenario "
                           "'eval.filter': filter \"CONFIG_BOARD > 3\": CONFIG_BOARD is "
                           "\"qemu_x86_64\", not a number\n")
    assert done.stderr == ""


def test_mixed_run_hang_is_killed_and_the_others_run(mixed):
    root, out, done = mixed
    hang = progress(done.stdout, "tests/hang/hang.forever")
    assert re.fullmatch(r"ERROR - \d+/\d+ qemu_x86_64 tests/hang/hang.forever FAILED Timeout "
                        r"\(qemu 2\.\d+s\)", hang), hang
    data = suites(out)["tests/hang/hang.forever"]
    assert 2.0 <= float(data["execution_time"]) < 5
    assert "working forever" in data["log"]
    assert done.elapsed < 30  # type: ignore[attr-defined]
    assert progress(done.stdout, "samples/hello/sample.hello").startswith("INFO - ")


def test_mixed_run_cases_logs_and_records(mixed):
    root, out, done = mixed
    data = suites(out)
    arith = data["tests/arith/arith.fails"]
    assert [(tc["identifier"], tc["status"]) for tc in arith["testcases"]] == [
        ("arith.fails.arith.add", "passed"), ("arith.fails.arith.wrong", "failed")]
    assert "wrong on purpose" in arith["testcases"][1]["log"]
    hello = data["samples/hello/sample.hello"]
    assert hello["recording"] == [{"ms": "42"}]
    assert hello["testcases"] == [{"identifier": "sample.hello", "execution_time":
                                   hello["execution_time"], "status": "passed"}]
    build_dir = out / "qemu_x86_64/samples/hello/sample.hello"
    assert (build_dir / "build.log").is_file() and (build_dir / "zephyr/.config").is_file()
    assert "Hello World! qemu_x86_64" in (build_dir / "handler.log").read_text()
    # --inline-logs prints a failed configuration's console
    assert "PROJECT EXECUTION FAILED" in done.stdout
    assert f"ERROR - see: {out}/qemu_x86_64/tests/arith/arith.fails/handler.log" in done.stdout


def test_mixed_run_summary_and_junit(mixed):
    root, out, done = mixed
    assert ("INFO - 3 of 10 executed test configurations passed (30.00%), 0 built (not run), "
            "2 failed, 5 errored, 1 skipped, 2 filtered, in ") in done.stdout
    root_el = ET.parse(out / "twister_report.xml").getroot()
    (suite,) = root_el.findall("testsuite")
    counts = {k: int(suite.get(k)) for k in ("tests", "failures", "errors", "skipped")}
    # per test case: a blocked case is a failure, the cases of errored scenarios errors
    assert counts == {"tests": 12, "failures": 4, "errors": 3, "skipped": 1}
    assert (out / "twister.xml").is_file() and (out / "twister.log").is_file()


def test_build_only_tags_and_scenario_selection(tmp_path):
    app(tmp_path, "a", "tests:\n  a.hello:\n    tags: greet\n")
    app(tmp_path, "b", "tests:\n  b.hello:\n    tags: other\n")
    out = tmp_path / "out"
    done = twister("-T", str(tmp_path), "-O", str(out), "--build-only", "-t", "greet")
    assert done.returncode == 0, done.stdout
    got = {n: (s["status"], s["reason"]) for n, s in suites(out).items()}
    assert got == {"a/a.hello": ("not run", "Test was built only"),
                   "b/b.hello": ("filtered", "Command line testsuite tag filter")}
    assert not (out / "qemu_x86_64/a/a.hello/handler.log").exists()
    assert (out / "qemu_x86_64/a/a.hello/zephyr/image.json").is_file()

    done = twister("-T", str(tmp_path), "-O", str(out), "-e", "greet")
    assert done.returncode == 0, done.stdout
    assert {n: s["status"] for n, s in suites(out).items()} == {
        "a/a.hello": "filtered", "b/b.hello": "passed"}
    assert (tmp_path / "out.1" / "twister.json").is_file()  # the previous run, kept once

    done = twister("-T", str(tmp_path), "-O", str(out), "-s", "a.hello", "-c")
    assert done.returncode == 0, done.stdout
    got = {n: (s["status"], s.get("reason")) for n, s in suites(out).items()}
    assert got == {"a/a.hello": ("passed", None),
                   "b/b.hello": ("filtered", "Testsuite name filter")}
    assert "Deleted the previous output folder" in done.stdout


def test_dry_run_builds_nothing(tmp_path):
    app(tmp_path, "a", "tests:\n  a.one: {build_only: true}\n  a.two: {}\n")
    out = tmp_path / "out"
    done = twister("-T", str(tmp_path), "-O", str(out), "-y")
    assert done.returncode == 0
    assert "INFO - qemu_x86_64 a/a.one: build only" in done.stdout
    assert "INFO - qemu_x86_64 a/a.two: build and run" in done.stdout
    assert not out.exists()


def planned(stdout: str) -> list[str]:
    """The configurations a dry run would build, in its order."""
    return re.findall(r"^INFO - qemu_x86_64 (\S+): build", stdout, re.M)


def test_subsets_share_the_suite_and_shuffles_follow_their_seed(tmp_path):
    for n in range(5):
        app(tmp_path, f"app{n}", f"tests:\n  s.{n}: {{build_only: true}}\n")
    app(tmp_path, "tagged", "tests:\n  s.tagged: {tags: slow}\n")
    out = tmp_path / "out"
    every = [f"app{n}/s.{n}" for n in range(5)]

    parts = []
    for n in (1, 2):
        done = twister("-T", str(tmp_path), "-O", str(out), "-y", "-e", "slow", "-B", f"{n}/2")
        assert done.returncode == 0, done.stderr
        assert f"INFO - Running only a subset: {n}/2" in done.stdout
        parts.append(planned(done.stdout))
    assert parts == [every[:3], every[3:]]  # sorted, the first part one longer

    shuffled = []
    for n in (1, 2, 1):
        done = twister("-T", str(tmp_path), "-O", str(out), "-y", "-e", "slow", "-B", f"{n}/2",
                       "--shuffle-tests", "--shuffle-tests-seed", "42")
        assert "INFO - Shuffle tests with seed: 42" in done.stdout
        shuffled.append(planned(done.stdout))
    assert shuffled[0] == shuffled[2] and sorted(shuffled[0] + shuffled[1]) == every
    done = twister("-T", str(tmp_path), "-O", str(out), "-y", "-B", "1/1", "--shuffle-tests")
    seed = re.search(r"INFO - Shuffle tests with seed: (\d+)", done.stdout)
    assert seed, done.stdout  # a random seed, said so that the run can be repeated

    # a real run of one part builds and reports that part only
    done = twister("-T", str(tmp_path), "-O", str(out), "-e", "slow", "-B", "2/2")
    assert done.returncode == 0, done.stdout
    assert sorted(suites(out)) == every[3:]
    assert not (out / "qemu_x86_64/app0").exists()


@pytest.mark.parametrize("args, line", [
    (["--shuffle-tests"], "error: --shuffle-tests requires --subset"),
    (["--shuffle-tests-seed", "1"], "error: --shuffle-tests-seed requires --shuffle-tests"),
    (["-B", "5/4"], "error: --subset 5/4: subset should not exceed the total number of sets"),
    (["--subset", "half"], "error: --subset half: Bad subset value."),
])
def test_bad_subsets(tmp_path, args, line):
    done = twister("-T", str(tmp_path), "-O", str(tmp_path / "o"), *args)
    assert (done.returncode, done.stderr) == (1, line + "\n")
    assert not (tmp_path / "o").exists()


def test_ivshmem_sidecars(tmp_path):
    """The doorbell suites get their own (v1 or v2) ivshmem server, the plain suite a private
    memory file."""
    out = tmp_path / "out"
    done = twister("-T", str(ZEPHYR_BASE / "tests/drivers/virtualization/ivshmem"), "-O",
                   str(out), "-s", "drivers.virtualization.ivshmem.doorbell",
                   "-s", "drivers.virtualization.ivshmem", "-s", "drivers.virtualization.ivshmem.v2")
    assert done.returncode == 0, done.stdout
    data = suites(out)
    doorbell = data["tests/drivers/virtualization/ivshmem/doorbell/"
                    "drivers.virtualization.ivshmem.doorbell"]
    assert doorbell["status"] == "passed"
    prefix = "drivers.virtualization.ivshmem.doorbell.ivshmem_doorbell."
    assert [(tc["identifier"], tc["status"]) for tc in doorbell["testcases"]] == [
        (prefix + "doorbell_device_ready", "passed"), (prefix + "doorbell_self_notify", "passed"),
        (prefix + "doorbell_bad_vector", "passed")]  # in source order, as twister's scan
    (note,) = doorbell["notes"]
    assert re.fullmatch(r"ivshmem server: /\S+/ivshmem.sock, shm zpy-twister-\d+-\w+, "
                        r"4096 bytes, 2 vectors", note), note
    sock = Path(note.split()[2].rstrip(","))
    assert not sock.exists() and not sock.parent.exists()  # stopped and cleaned up
    server_log = out / ("qemu_x86_64/tests/drivers/virtualization/ivshmem/doorbell/"
                        "drivers.virtualization.ivshmem.doorbell/ivshmem-server.log")
    assert "ivshmem-server -F -S" in server_log.read_text()
    plain = data["tests/drivers/virtualization/ivshmem/plain/drivers.virtualization.ivshmem"]
    assert plain["status"] == "passed"
    assert re.fullmatch(r"ivshmem-plain memory: /\S+/ivshmem-plain \(4 MiB\)",
                        plain["notes"][0])
    v2 = data["tests/drivers/virtualization/ivshmem/v2/drivers.virtualization.ivshmem.v2"]
    assert v2["status"] == "passed"
    assert re.fullmatch(r"ivshmem-v2 server: /\S+/ivshmem.sock, shm zpy-twister-\d+-\w+ "
                        r"\(-l 65536 -o 8192 -n 3 -V 2\)", v2["notes"][0]), v2["notes"]
    for note in (doorbell["notes"][0], v2["notes"][0]):  # the servers unlinked their memory
        shm = re.search(r"shm (\S+?),? ", note).group(1)
        assert not os.path.exists(f"/dev/shm/{shm}")


def test_shell_harness(tmp_path):
    app(tmp_path, "sh", """\
        tests:
          shell.basic:
            harness: shell
            harness_config:
              shell_commands:
                - command: kernel version
                  expected: "Zephyr version .*"
                - command: hello
                  expected: "hi there"
                - command: later
                  expected: "late news"
                - command: hello
                  expected: "goodbye"
        """, FAKE_SHELL)
    out = tmp_path / "out"
    done = twister("-T", str(tmp_path), "-O", str(out))
    assert done.returncode == 1, done.stdout
    (s,) = suites(out).values()
    assert (s["status"], s["reason"]) == ("failed", "1/4 shell commands failed")
    assert [(tc["identifier"], tc["status"]) for tc in s["testcases"]] == [
        ("shell.basic.kernel_version", "passed"), ("shell.basic.hello", "passed"),
        ("shell.basic.later", "passed"), ("shell.basic.hello_2", "failed")]
    assert s["testcases"][3]["reason"] == "'hello': expected 'goodbye', got: hi there"


SHELL_MODULE = ZEPHYR_BASE / "samples/subsys/shell/shell_module"

REAL_SHELL_PYTEST = """\
def test_ping(shell):
    assert "pong" in shell.exec_command("demo ping")


def test_version(shell):
    lines = shell.exec_command("kernel version")
    assert any(line.startswith("Zephyr version") for line in lines), lines
"""


@pytest.mark.skipif(not SHELL_MODULE.is_dir(), reason="no samples/subsys/shell/shell_module")
def test_real_shell(tmp_path):
    """zpy's own shell (the shell_module sample's code) under the shell and pytest harnesses."""
    folder = tmp_path / "shell_module"
    shutil.copytree(SHELL_MODULE, folder, ignore=shutil.ignore_patterns(
        "sample.yaml", "testcase.yaml", "__pycache__"))
    (folder / "testcase.yaml").write_text(textwrap.dedent("""\
        tests:
          real.shell:
            harness: shell
            harness_config:
              shell_commands:
                - command: demo ping
                  expected: "^pong$"
                - command: demo params a b
                  expected: "argc = 3"
                - command: kernel version
                  expected: "Zephyr version"
          real.pytest:
            harness: pytest
        """))
    (folder / "pytest").mkdir()
    (folder / "pytest" / "test_shell.py").write_text(REAL_SHELL_PYTEST)
    out = tmp_path / "out"
    done = twister("-T", str(tmp_path), "-O", str(out))
    assert done.returncode == 0, done.stdout
    data = suites(out)
    sh = data["shell_module/real.shell"]
    # (a command that fails waits for late output: test_shell_harness covers it)
    assert sh["status"] == "passed", sh
    assert [(tc["identifier"], tc["status"]) for tc in sh["testcases"]] == [
        ("real.shell.demo_ping", "passed"), ("real.shell.demo_params_a_b", "passed"),
        ("real.shell.kernel_version", "passed")]
    py = data["shell_module/real.pytest"]
    assert py["status"] == "passed", py.get("log")
    assert [tc["identifier"] for tc in py["testcases"]] == ["real.pytest.test_ping",
                                                            "real.pytest.test_version"]


PYTEST_SHELL_TEST = """\
def test_version(shell):
    assert shell.exec_command("kernel version") == ["Zephyr version 4.1.0"]


def test_wrong(shell):
    assert shell.exec_command("hello") == ["bye"]
"""


def test_pytest_harness(tmp_path):
    folder = app(tmp_path, "py", "tests:\n  sample.pytest:\n    harness: pytest\n")
    (folder / "pytest").mkdir()
    (folder / "pytest" / "test_hello.py").write_text(PYTEST_TEST)
    folder = app(tmp_path, "pysh", "tests:\n  sample.pytest.shell:\n    harness: pytest\n"
                                   "    harness_config:\n      pytest_root: [checks]\n"
                                   "      pytest_dut_scope: module\n", FAKE_SHELL)
    (folder / "checks").mkdir()
    (folder / "checks" / "test_shell.py").write_text(PYTEST_SHELL_TEST)
    out = tmp_path / "out"
    done = twister("-T", str(tmp_path), "-O", str(out))
    assert done.returncode == 1, done.stdout
    data = suites(out)
    s = data["py/sample.pytest"]
    assert s["status"] == "passed", (out / "qemu_x86_64/py/sample.pytest/"
                                     "twister_harness.log").read_text()
    assert [(tc["identifier"], tc["status"]) for tc in s["testcases"]] == [
        ("sample.pytest.test_greeting", "passed"), ("sample.pytest.test_more", "passed")]
    s = data["pysh/sample.pytest.shell"]
    assert (s["status"], s["reason"]) == ("failed", "1/2 pytest scenario(s) failed")
    assert [(tc["identifier"], tc["status"]) for tc in s["testcases"]] == [
        ("sample.pytest.shell.test_version", "passed"),
        ("sample.pytest.shell.test_wrong", "failed")]
    assert "--dut-scope=module" in s["log"]


def test_bad_command_lines(tmp_path):
    done = twister("-p", "nope", "-T", str(tmp_path), "-O", str(tmp_path / "o"))
    assert done.returncode == 1
    assert done.stderr == "error: unknown platform 'nope' (known: qemu_x86_64)\n"
    done = twister("-T", str(tmp_path / "missing"), "-O", str(tmp_path / "o"))
    assert done.stderr == f"error: -T {tmp_path / 'missing'}: no such folder\n"
    (tmp_path / "notmine").mkdir()
    (tmp_path / "notmine" / "precious.txt").write_text("keep me")
    done = twister("-T", str(tmp_path), "-O", str(tmp_path / "notmine"))
    assert done.returncode == 1
    assert "the folder exists and is not a twister output folder" in done.stderr
    assert (tmp_path / "notmine" / "precious.txt").read_text() == "keep me"
