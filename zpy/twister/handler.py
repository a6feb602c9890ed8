"""Running a built instance: `zpy run` under its harness, with its sidecars, within its timeout.

Three ways to run, by harness:
  console / ztest / none   read the console line by line (harness.py), stop the
                           VM once the harness has its answer
  shell                    type each command of shell_commands at the prompt and
                           match its output (twister does this through pytest;
                           zpy drives the console directly)
  pytest                   run pytest on the scenario's pytest_root with the
                           `dut` and `shell` fixtures of zpy.twister.pytest_plugin
A run that outlives its timeout is stopped (SIGTERM, then SIGKILL) and fails
with "Timeout"; the sidecars are stopped whatever happens.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from zpy.twister.builder import BuildOutcome, has_ztest
from zpy.twister.dut import DeviceAdapter, DUTError, DUTTimeout, Shell, strip_ansi
from zpy.twister.errors import TwisterError
from zpy.twister.harness import FAULT, Recorder, is_error_line, make_harness
from zpy.twister.instance import Status, TestInstance
from zpy.twister.scenario import ShellCommand
from zpy.twister.sidecar import Sidecars, zpy_command

#: how long a VM may take to end by itself once the harness has its answer
GRACE = 1.0
#: how often a waiting run looks at the stop request
POLL = 0.25
#: how long a shell command's expected output may trail its prompt (an interrupt's
#: callback prints after the command has returned, as on hardware)
LATE_OUTPUT = 2.0


@dataclass
class HandlerOptions:
    timeout_multiplier: float = 1.0
    fixtures: list[str] = field(default_factory=list)
    pytest_args: list[str] = field(default_factory=list)


def run_command(inst: TestInstance, machine_args: list[str]) -> list[str]:
    assert inst.build_dir is not None
    return zpy_command("run", "-d", str(inst.build_dir), *machine_args)


def run(inst: TestInstance, outcome: BuildOutcome, opts: HandlerOptions,
        stop: threading.Event | None = None) -> None:
    """Run the instance and set its status, reason, cases and execution time."""
    sc = inst.scenario
    assert sc is not None and inst.build_dir is not None
    timeout = sc.timeout * opts.timeout_multiplier
    inst.handler = "qemu"
    start = time.monotonic()
    try:
        with Sidecars(sc, outcome.config, inst.build_dir) as side:
            inst.notes += side.notes
            if sc.harness == "pytest":
                _run_pytest(inst, side.machine_args, timeout, opts, stop)
            elif sc.harness == "shell":
                _run_shell(inst, run_command(inst, side.machine_args), timeout, stop)
            else:
                _run_lines(inst, run_command(inst, side.machine_args), has_ztest(outcome.config),
                           timeout, stop)
    except TwisterError as e:
        inst.status, inst.reason = Status.ERROR, e.message
        inst.set_missing_cases(Status.BLOCK, e.message)
        if not inst.testcases:
            inst.set_all_cases(Status.ERROR, e.message)
    finally:
        if not inst.execution_time:
            inst.execution_time = time.monotonic() - start


def _interrupted(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _run_lines(inst: TestInstance, cmd: list[str], ztest: bool, timeout: float,
               stop: threading.Event | None) -> None:
    assert inst.build_dir is not None
    harness = make_harness(inst, ztest)
    dut = DeviceAdapter(cmd, inst.build_dir / "handler.log")
    dut.launch()
    deadline = dut.started_at + timeout
    timed_out = eof = False
    status: int | None = None
    try:
        while not harness.decided:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            if _interrupted(stop):
                break
            try:
                line = dut.readline(min(left, POLL))
            except DUTTimeout:
                continue
            if line is None:
                eof = True
                break
            harness.handle(line)
    finally:
        if eof:
            status = dut.wait(min(5.0, max(0.5, deadline - time.monotonic())))
        status = dut.close(GRACE if harness.decided else 0.0)
        for line in dut.readlines():  # what came after the answer (or before the end)
            harness.handle(line)
    inst.execution_time = (dut.ended_at or time.monotonic()) - dut.started_at
    interrupted = _interrupted(stop) and not harness.decided
    harness.finish(status, timed_out)
    if interrupted:
        inst.status, inst.reason = Status.FAIL, "Interrupted"


def _slug(command: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", command).strip("_") or "empty"


def shell_case_ids(scenario_id: str, commands: tuple[ShellCommand, ...]) -> list[str]:
    """One test case per command: <scenario>.<command as a word>, numbered if repeated."""
    ids: list[str] = []
    for cmd in commands:
        base = f"{scenario_id}.{_slug(cmd.command)}"
        ident, n = base, 2
        while ident in ids:
            ident, n = f"{base}_{n}", n + 1
        ids.append(ident)
    return ids


def _run_shell(inst: TestInstance, cmd: list[str], timeout: float,
               stop: threading.Event | None) -> None:
    sc = inst.scenario
    assert sc is not None and inst.build_dir is not None
    commands = sc.shell_commands or ()
    ids = shell_case_ids(sc.id, commands)
    for ident in ids:
        inst.case(ident)
    recorder = Recorder.from_config(sc.harness_config)
    errors: list[str] = []

    def on_line(line: str) -> None:
        recorder.handle(line)
        if is_error_line(line) or FAULT in line:
            errors.append(line.strip())

    dut = DeviceAdapter(cmd, inst.build_dir / "handler.log", on_line=on_line)
    dut.launch()
    deadline = dut.started_at + timeout
    shell = Shell(dut)
    failed: str | None = None
    try:
        if not shell.wait_for_prompt(max(0.1, deadline - time.monotonic())):
            failed = f"Prompt '{shell.prompt.strip()}' not found"
            if not dut.is_running:
                failed += f" (exited with {dut.wait(2)})"
            if errors:
                failed += f": {errors[-1]}"
        for ident, command in zip(ids, commands, strict=True):
            if failed or _interrupted(stop):
                break
            tc = inst.case(ident)
            t0 = time.monotonic()
            try:
                lines = shell.exec_command(command.command,
                                           timeout=max(0.1, deadline - time.monotonic()))
            except DUTTimeout:
                failed = f"Timeout: no prompt after '{command.command}'"
                tc.status, tc.reason = Status.FAIL, failed
                break
            except DUTError:
                failed = f"Exited with {dut.wait(2)} during '{command.command}'"
                if errors:
                    failed += f": {errors[-1]}"
                tc.status, tc.reason = Status.FAIL, failed
                break
            finally:
                tc.duration = time.monotonic() - t0
            if command.expected and not _shows(dut, lines, command.expected,
                                               min(LATE_OUTPUT, deadline - time.monotonic())):
                tc.status = Status.FAIL
                tc.reason = f"'{command.command}': expected '{command.expected}', got: " + (
                    " | ".join(lines) if lines else "(no output)")
                tc.output = "\n".join(lines) + "\n"
            else:
                tc.status = Status.PASS
    finally:
        dut.close()
    inst.execution_time = (dut.ended_at or time.monotonic()) - dut.started_at
    if recorder.records:
        inst.recording = recorder.records
    if _interrupted(stop) and not failed:
        failed = "Interrupted"
    bad = [tc for tc in inst.testcases if tc.status == Status.FAIL]
    if failed or bad:
        inst.status = Status.FAIL
        inst.reason = failed or f"{len(bad)}/{len(ids)} shell commands failed"
        inst.set_missing_cases(Status.BLOCK, inst.reason)
    else:
        inst.status = Status.PASS
    if not ids:
        inst.set_all_cases(inst.status, inst.reason)


def _shows(dut: DeviceAdapter, lines: list[str], expected: str, late: float) -> bool:
    """Does a line of a command's output hold `expected`? If none does, lines printed
    after the prompt for up to `late` seconds count too (they are added to `lines`)."""
    pattern = re.compile(expected)
    if any(pattern.search(line) for line in lines):
        return True
    deadline = time.monotonic() + late
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = dut.readline(left)
        except DUTTimeout:
            break
        if line is None:
            break
        lines.append(strip_ansi(line))
        if pattern.search(lines[-1]):
            return True
    return False


# -- pytest --------------------------------------------------------------------------------


def pytest_command(inst: TestInstance, machine_args: list[str], timeout: float,
                   opts: HandlerOptions) -> list[str]:
    sc = inst.scenario
    assert sc is not None and inst.build_dir is not None
    cfg = sc.harness_config
    roots = cfg.get("pytest_root") or ["pytest"]
    paths = [os.path.normpath(sc.app_dir / os.path.expanduser(os.path.expandvars(r)))
             for r in roots]
    cmd = [sys.executable, "-m", "pytest", *paths,
           "-p", "zpy.twister.pytest_plugin", "-p", "no:cacheprovider", "-v",
           f"--build-dir={inst.build_dir}",
           f"--junit-xml={inst.build_dir / 'report.xml'}",
           f"--platform={inst.platform.name}",
           f"--base-timeout={timeout}"]
    cmd += [f"--zpy-run-arg={arg}" for arg in machine_args]
    cmd += [f"--twister-fixture={f}" for f in opts.fixtures]
    if cfg.get("pytest_dut_scope"):
        cmd.append(f"--dut-scope={cfg['pytest_dut_scope']}")
    cmd += list(cfg.get("pytest_args", []))
    cmd += opts.pytest_args
    return cmd


def _run_pytest(inst: TestInstance, machine_args: list[str], timeout: float,
                opts: HandlerOptions, stop: threading.Event | None) -> None:
    sc = inst.scenario
    assert sc is not None and inst.build_dir is not None
    cmd = pytest_command(inst, machine_args, timeout, opts)
    report = inst.build_dir / "report.xml"
    log_path = inst.build_dir / "twister_harness.log"
    start = time.monotonic()
    timed_out = False
    with open(log_path, "wb") as log:
        log.write((" ".join(cmd) + "\n\n").encode())
        log.flush()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        while True:
            try:
                proc.wait(POLL)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() - start > timeout or _interrupted(stop):
                timed_out = True
                for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, None)):
                    try:
                        os.killpg(proc.pid, sig)
                    except ProcessLookupError:
                        pass
                    try:
                        proc.wait(wait)
                        break
                    except subprocess.TimeoutExpired:
                        continue
                break
    inst.execution_time = time.monotonic() - start
    recorder = Recorder.from_config(sc.harness_config)
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        recorder.handle(line)
    if recorder.records:
        inst.recording = recorder.records
    if timed_out:
        inst.status = Status.FAIL
        inst.reason = "Interrupted" if _interrupted(stop) else "Pytest timeout"
    elif proc.returncode in (2, 3, 4):  # interrupted, internal error, usage error
        inst.status, inst.reason = Status.ERROR, f"Pytest error - return code {proc.returncode}"
    if report.is_file():
        inst.testcases = []  # the report names the cases
        _parse_junit(inst, report)
    elif inst.status == Status.NONE:
        inst.status, inst.reason = Status.ERROR, f"Pytest wrote no report (see {log_path})"
    if inst.status == Status.NONE:
        inst.status = Status.PASS if proc.returncode == 0 else Status.FAIL
        if inst.status == Status.FAIL:
            inst.reason = inst.reason or "Pytest failed"
    if not inst.testcases:
        inst.set_all_cases(inst.status, inst.reason)
    elif inst.status in (Status.FAIL, Status.ERROR):
        inst.set_missing_cases(Status.BLOCK, inst.reason)


def _parse_junit(inst: TestInstance, report: Path) -> None:
    """pytest's JUnit report -> cases <scenario id>.<test name>, and the instance status."""
    try:
        root = ET.parse(report).getroot()
    except ET.ParseError as e:
        inst.status, inst.reason = Status.ERROR, f"unreadable pytest report {report}: {e}"
        return
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        inst.status, inst.reason = Status.SKIP, "No tests collected"
        return
    tests = int(suite.get("tests", "0"))
    failures, errors = int(suite.get("failures", "0")), int(suite.get("errors", "0"))
    skipped = int(suite.get("skipped", "0"))
    if inst.status == Status.NONE:
        if failures:
            inst.status, inst.reason = Status.FAIL, \
                f"{failures}/{tests} pytest scenario(s) failed"
        elif errors:
            inst.status, inst.reason = Status.ERROR, "Error during pytest execution"
        elif tests == 0 or skipped == tests:
            inst.status, inst.reason = Status.SKIP, "No tests collected" if tests == 0 \
                else "all pytest tests skipped"
        else:
            inst.status = Status.PASS
    for case in suite.findall("testcase"):
        tc = inst.case(f"{inst.scenario_id}.{case.get('name')}")
        tc.duration = float(case.get("time", "0") or 0)
        result = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        if result is None:
            tc.status = Status.PASS
            continue
        tc.status = {"failure": Status.FAIL, "error": Status.ERROR,
                     "skipped": Status.SKIP}[result.tag]
        tc.reason = result.get("message")
        tc.output = result.text or ""
