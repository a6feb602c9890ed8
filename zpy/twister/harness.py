"""Harnesses that read a run's console line by line: console, ztest, and none.

Each one gets every console line (handle), may decide early (decided: the run
can be stopped, as twister stops QEMU once the harness has its answer), and at
the end turns what it saw into the instance's status and test cases (finish).

What the lines look like is Zephyr's: ztest's "Running TESTSUITE", "START -",
" PASS - test_x in 0.001 seconds", the suite summary and "PROJECT EXECUTION
SUCCESSFUL|FAILED"; a fatal error is ">>> ZEPHYR FATAL ERROR ...". Test case
identifiers are twister's: <scenario id>.<suite>.<test name without test_>.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zpy.twister.instance import Status, TestInstance

FAULT = "ZEPHYR FATAL ERROR"
RUN_PASSED = "PROJECT EXECUTION SUCCESSFUL"
RUN_FAILED = "PROJECT EXECUTION FAILED"

_SUITE_START = re.compile(r"Running TESTSUITE (?P<suite>\S+)")
_CASE_START = re.compile(r"START - (?:test_)?(?P<name>[A-Za-z0-9_-]+)")
_CASE_END = re.compile(
    r"(?P<result>PASS|FAIL|SKIP) - (?:test_)?(?P<name>\S+) in (?P<secs>\d*[.,]?\d*) seconds")
_SUMMARY_CASE = re.compile(
    r"- (?P<result>PASS|FAIL|SKIP) - \[(?P<suite>[^.\]]+)\.(?:test_)?(?P<name>\S+)\] "
    r"duration = (?P<secs>\d*[.,]?\d*) seconds")
_RESULT = {"PASS": Status.PASS, "FAIL": Status.FAIL, "SKIP": Status.SKIP}
ZTEST_DECORATORS = ("ZTEST", "ZTEST_F", "ZTEST_USER", "ZTEST_USER_F")


def _seconds(text: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return 0.0


@dataclass
class Recorder:
    """harness_config record: named groups of matching lines, kept for the report."""

    patterns: list[re.Pattern[str]] = field(default_factory=list)
    merge: bool = False
    as_json: tuple[str, ...] = ()
    records: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Recorder:
        record = config.get("record") or {}
        regex = record.get("regex", [])
        regex = regex.split() if isinstance(regex, str) else list(regex)
        as_json = record.get("as_json", [])
        as_json = as_json.split() if isinstance(as_json, str) else list(as_json)
        return cls([re.compile(r) for r in regex], bool(record.get("merge", False)),
                   tuple(as_json))

    def handle(self, line: str) -> None:
        for pattern in self.patterns:
            m = pattern.search(line)
            if m is None:
                continue
            rec: dict[str, Any] = {k: (v or "").strip() for k, v in m.groupdict().items()}
            for key in self.as_json:
                if key in rec:
                    try:
                        rec[key] = json.loads(rec[key]) if rec[key] else {}
                    except json.JSONDecodeError as e:
                        rec[key] = {"ERROR": {"msg": str(e), "doc": rec[key]}}
            if self.merge and self.records:
                merged = self.records[0]
                for key, value in rec.items():
                    if key not in merged:
                        merged[key] = value
                    elif isinstance(merged[key], list):
                        merged[key].append(value)
                    else:
                        merged[key] = [merged[key], value]
            else:
                self.records.append(rec)


class Harness:
    """Base: fault detection, recording, and the common end of a run."""

    name = "none"

    def __init__(self, instance: TestInstance) -> None:
        self.instance = instance
        sc = instance.scenario
        self.config: dict[str, Any] = dict(sc.harness_config) if sc else {}
        self.fail_on_fault = not (sc.ignore_faults if sc else False)
        self.recorder = Recorder.from_config(self.config)
        self.status = Status.NONE
        self.reason: str | None = None
        self.fault = False
        #: the last line that said what went wrong (a fatal error, zpy run's "error:")
        self.last_error: str | None = None

    @property
    def decided(self) -> bool:
        """True once the answer is known and the VM may be stopped."""
        return self.status != Status.NONE

    def handle(self, line: str) -> None:
        self.recorder.handle(line)
        if FAULT in line:
            self.fault = True
            self.last_error = line.strip()
        elif is_error_line(line):
            self.last_error = line.strip()
        self.process(line)

    def process(self, line: str) -> None:
        """Subclasses read the line here."""

    def finish(self, exit_status: int | None, timed_out: bool) -> None:
        """Set the instance's status, reason and cases from what was seen."""
        inst = self.instance
        if self.recorder.records:
            inst.recording = self.recorder.records
        status, reason = self.status, self.reason
        if status == Status.PASS and self.fault and self.fail_on_fault:
            status, reason = Status.FAIL, "Fault detected while running test"
        elif status == Status.NONE:
            status = Status.FAIL
            reason = self.no_result_reason(exit_status, timed_out)
        inst.status, inst.reason = status, reason
        self.finish_cases(status, reason)

    def no_result_reason(self, exit_status: int | None, timed_out: bool) -> str:
        if timed_out:
            return "Timeout"
        if self.fault and self.fail_on_fault:
            return "Fault detected while running test"
        return self.with_error(f"Exited with {exit_status} without a result")

    def with_error(self, reason: str) -> str:
        """`reason`, followed by the error line the image printed, if any."""
        return f"{reason}: {self.last_error}" if self.last_error else reason

    def finish_cases(self, status: Status, reason: str | None) -> None:
        tc = self.instance.case(self.instance.scenario_id)
        tc.status = Status.PASS if status == Status.PASS else Status.FAIL
        tc.reason = None if status == Status.PASS else reason


class NoHarness(Harness):
    """No harness and no ztest: the image must run to its end with exit status 0.

    (Zephyr's twister would wait for ztest's PROJECT EXECUTION line instead; a
    zpy image ends when main() returns, so its exit status is the answer.)
    """

    name = "none"

    def finish(self, exit_status: int | None, timed_out: bool) -> None:
        if not timed_out and exit_status == 0 and self.status == Status.NONE:
            self.status = Status.PASS
        elif not timed_out and exit_status not in (0, None) and self.status == Status.NONE:
            self.reason = (self.with_error(f"Exited with {exit_status}") if not self.fault
                           else "Fault detected while running test")
            self.status = Status.FAIL
        super().finish(exit_status, timed_out)

    def process(self, line: str) -> None:
        if RUN_FAILED in line:
            self.status, self.reason = Status.FAIL, "Testsuite failed"


class Console(Harness):
    """harness: console, with type one_line or multi_line, ordered or not."""

    name = "console"

    def __init__(self, instance: TestInstance) -> None:
        super().__init__(instance)
        regex = self.config.get("regex", [])
        self.regex: list[str] = regex.split() if isinstance(regex, str) else list(regex)
        self.type = self.config.get("type")
        self.ordered = bool(self.config.get("ordered", True))
        self.patterns = [re.compile(r) for r in self.regex]
        if self.type == "one_line":
            self.patterns = self.patterns[:1]
        self.next_pattern = 0
        self.matched: set[int] = set()

    def process(self, line: str) -> None:
        if self.status != Status.NONE:
            return
        if self.type == "one_line" or self.ordered:
            if self.next_pattern < len(self.patterns) and \
                    self.patterns[self.next_pattern].search(line):
                self.next_pattern += 1
        else:
            for i, pattern in enumerate(self.patterns):
                if i not in self.matched and pattern.search(line):
                    self.matched.add(i)
        if RUN_FAILED in line:
            self.status, self.reason = Status.FAIL, "Testsuite failed"
        elif self.complete:
            self.status = Status.PASS

    @property
    def complete(self) -> bool:
        if self.type == "one_line" or self.ordered:
            return self.next_pattern >= len(self.patterns)
        return len(self.matched) == len(self.patterns)

    def no_result_reason(self, exit_status: int | None, timed_out: bool) -> str:
        found = self.next_pattern if (self.type == "one_line" or self.ordered) \
            else len(self.matched)
        seen = f"{found} of {len(self.patterns)} patterns matched"
        if timed_out:
            return f"Timeout ({seen})"
        if self.fault and self.fail_on_fault:
            return f"Fault detected while running test ({seen})"
        return self.with_error(f"Exited with {exit_status}: {seen}")


class Ztest(Harness):
    """harness: ztest (the default with CONFIG_ZTEST): one test case per ztest test."""

    name = "ztest"

    def __init__(self, instance: TestInstance, known: list[tuple[str, str]] | None = None
                 ) -> None:
        super().__init__(instance)
        self.suite: str | None = None
        self.current: str | None = None  # identifier of the case between START and its end
        self.output: list[str] = []
        for suite, name in known or []:
            instance.case(self.identifier(suite, name))

    def identifier(self, suite: str | None, name: str) -> str:
        sid = self.instance.scenario_id
        return f"{sid}.{suite}.{name}" if suite else f"{sid}.{name}"

    def process(self, line: str) -> None:
        inst = self.instance
        if self.current is not None:
            self.output.append(line)
        if m := _SUITE_START.search(line):
            self.suite = m.group("suite")
        elif m := _CASE_START.search(line):
            tc = inst.case(self.identifier(self.suite, m.group("name")))
            tc.status = Status.STARTED
            self.current = tc.identifier
            self.output = [line]
        elif m := _CASE_END.search(line):
            tc = inst.case(self.identifier(self.suite, m.group("name")))
            tc.status = _RESULT[m.group("result")]
            tc.duration = _seconds(m.group("secs"))
            tc.reason = "ztest skip" if tc.status == Status.SKIP else None
            if tc.status == Status.FAIL:
                tc.output = "\n".join(self.output) + "\n"
                tc.reason = _assert_reason(self.output) or "ztest failure"
            self.current = None
            self.output = []
        elif m := _SUMMARY_CASE.search(line):
            # cases skipped by a suite predicate show up only here
            tc = inst.case(self.identifier(m.group("suite"), m.group("name")))
            status = _RESULT[m.group("result")]
            if tc.status != status:
                tc.status = status
                tc.duration = _seconds(m.group("secs"))
                tc.reason = "ztest skip" if status == Status.SKIP else tc.reason
        if RUN_PASSED in line:
            self.status = Status.PASS
        elif RUN_FAILED in line:
            self.status, self.reason = Status.FAIL, "Testsuite failed"

    def no_result_reason(self, exit_status: int | None, timed_out: bool) -> str:
        base = super().no_result_reason(exit_status, timed_out)
        if timed_out or (self.fault and self.fail_on_fault):
            return base
        return self.with_error(f"Exited with {exit_status} before the end of the testsuite")

    def finish_cases(self, status: Status, reason: str | None) -> None:
        inst = self.instance
        if not inst.testcases:  # no test lines and nothing scanned: one case, the scenario
            super().finish_cases(status, reason)
            return
        if status == Status.PASS:
            inst.set_missing_cases(Status.SKIP, "not reported by the run")
            return
        # the case running when the suite died failed; the ones after it never ran
        for tc in inst.testcases:
            if tc.status == Status.STARTED:
                tc.status = Status.FAIL
                tc.reason = reason
                if self.output:
                    tc.output = "\n".join(self.output) + "\n"
        inst.set_missing_cases(Status.BLOCK, reason)


def is_error_line(line: str) -> bool:
    """A line of `zpy run` itself saying why it could not go on ("error: ...")."""
    text = line.lstrip()
    return text.startswith("error:") or text.startswith("zpy: internal error") or \
        ": error: " in text


def _assert_reason(lines: list[str]) -> str | None:
    for line in lines:
        if "Assertion failed" in line:
            return line.strip()
    return None


def scan_ztest_cases(app_dir: Path) -> list[tuple[str, str]]:
    """(suite, test name without test_) of every @ZTEST*("suite") function in src/*.py.

    This is what twister learns by scanning the C sources for ZTEST() macros, so
    that a suite that dies early reports its remaining tests as blocked.
    """
    found = []
    for path in sorted((app_dir / "src").glob("**/*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for deco in node.decorator_list:
                if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Name)
                        and deco.func.id in ZTEST_DECORATORS and deco.args):
                    continue
                suite = deco.args[0]
                if isinstance(suite, ast.Constant) and isinstance(suite.value, str):
                    name = node.name.removeprefix("test_")
                    if (suite.value, name) not in found:
                        found.append((suite.value, name))
    return found


def make_harness(instance: TestInstance, has_ztest: bool) -> Harness:
    """The line harness for an instance: its `harness:`, else ztest with CONFIG_ZTEST, else none."""
    sc = instance.scenario
    name = sc.harness if sc else ""
    if name == "console":
        return Console(instance)
    if name == "ztest" or (name == "" and has_ztest):
        known = scan_ztest_cases(sc.app_dir) if sc else []
        if not known and sc and sc.testcases:
            known = [(None, t) for t in sc.testcases]  # type: ignore[misc]
        return Ztest(instance, known)
    return NoHarness(instance)
