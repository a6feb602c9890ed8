"""twister's reports: twister.json, the JUnit files, and the summary of a run.

twister.json has twister's schema (environment; testsuites[] with name, arch,
platform, path, runnable, retries, status, reason, log, execution_time,
build_time, testcases[] with identifier, status, execution_time, reason), and
the JUnit XML files are derived from it as twister derives them:
twister.xml (one <testcase> per configuration) and twister_report.xml (one
per test case). Filtered configurations are in twister.json with their reason
(twister's --report-filtered) and left out of the JUnit files.
"""

from __future__ import annotations

import json
import os
import string
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from zpy.twister.instance import Status, TestInstance

JSON_NAME = "twister.json"
XML_NAME = "twister.xml"
REPORT_XML_NAME = "twister_report.xml"


def zephyr_version() -> str:
    from zpy.kernel.kernel import BUILD_VERSION

    return BUILD_VERSION


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch in string.printable)


def instance_log(inst: TestInstance) -> str:
    """The log twister puts in the report for a failed instance: the harness's, the
    console's, else the build's."""
    if inst.error_line is not None:
        return inst.error_line + "\n"
    if inst.build_dir is None:
        return ""
    for name in ("twister_harness.log", "handler.log", "build.log"):
        path = inst.build_dir / name
        if path.is_file():
            return _printable(path.read_text(encoding="utf-8", errors="replace"))
    return ""


def suite_json(inst: TestInstance) -> dict[str, Any]:
    suite: dict[str, Any] = {
        "name": inst.name,
        "arch": inst.platform.arch,
        "platform": inst.platform.name,
        "path": inst.scenario.rel_dir if inst.scenario else inst.name.rsplit("/", 1)[0],
        "runnable": inst.run if inst.status != Status.FILTER else False,
        "retries": 0,
        "toolchain": "zephyr",
        "status": str(inst.status),
    }
    if inst.status in (Status.FAIL, Status.ERROR):
        suite["reason"] = inst.reason
        suite["log"] = instance_log(inst)
    elif inst.status in (Status.FILTER, Status.SKIP, Status.NOTRUN):
        suite["reason"] = inst.reason
    if inst.status != Status.NONE:
        suite["execution_time"] = f"{inst.execution_time:.2f}"
    suite["build_time"] = f"{inst.build_time:.2f}"
    single = len(inst.testcases) == 1
    cases = []
    for tc in inst.testcases:
        case: dict[str, Any] = {"identifier": tc.identifier}
        duration = inst.execution_time if single and not tc.duration else tc.duration
        case["execution_time"] = f"{duration:.2f}"
        if tc.output:
            case["log"] = tc.output
        case["status"] = str(tc.status)
        if tc.reason or tc.status in (Status.SKIP, Status.FILTER, Status.NOTRUN):
            case["reason"] = tc.reason or inst.reason
        cases.append(case)
    suite["testcases"] = cases
    if inst.recording is not None:
        suite["recording"] = inst.recording
    if inst.notes:
        suite["notes"] = inst.notes
    return suite


def json_report(instances: Iterable[TestInstance], options: dict[str, Any]) -> dict[str, Any]:
    return {
        "environment": {
            "os": os.name,
            "zephyr_version": zephyr_version(),
            "toolchain": "zephyr",
            "commit_date": None,
            "run_date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "options": options,
        },
        "testsuites": [suite_json(inst) for inst in instances],
    }


# -- JUnit -----------------------------------------------------------------------------------


def _junit_case(parent: ET.Element, name: str, classname: str, status: Status,
                reason: str | None, duration: float, log: str, runnable: bool,
                counts: list[int]) -> None:
    """One <testcase>; counts is [failures, passes, errors, skips], updated."""
    if status in (Status.SKIP, Status.FILTER, Status.NOTRUN):
        duration = 0.0
    el = ET.SubElement(parent, "testcase", classname=classname, name=name,
                       time=f"{duration:.3f}")
    if status in (Status.FAIL, Status.BLOCK):
        counts[0] += 1
        sub = ET.SubElement(el, "failure", type="failure", message=reason or "failed")
        if log:
            sub.text = log
    elif status == Status.ERROR:
        counts[2] += 1
        sub = ET.SubElement(el, "error", type="failure", message=reason or "error")
        if log:
            sub.text = log
    elif status == Status.PASS:
        counts[1] += 1
    elif status == Status.NOTRUN:
        counts[3] += 1
        ET.SubElement(el, "skipped", type="build", message="built only")
    else:
        counts[3] += 1
        ET.SubElement(el, "skipped", type=str(status if runnable else "build"),
                      message=reason or str(status))


def junit_report(instances: list[TestInstance], full: bool) -> ET.Element:
    """twister.xml (full=False: a <testcase> per configuration) or twister_report.xml
    (full=True: a <testcase> per test case); one <testsuite> per platform."""
    root = ET.Element("testsuites")
    version = zephyr_version()
    stamp = datetime.now().isoformat(timespec="seconds")
    platforms = list(dict.fromkeys(i.platform.name for i in instances))
    for platform in platforms:
        chosen = [i for i in instances if i.platform.name == platform
                  and i.status != Status.FILTER]
        if not chosen:
            continue
        suite = ET.SubElement(root, "testsuite", name=platform, timestamp=stamp, time="0",
                              tests="0", failures="0", errors="0", skipped="0")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="version", value=version)
        counts = [0, 0, 0, 0]
        duration = 0.0
        for inst in chosen:
            duration += inst.execution_time
            log = instance_log(inst) if inst.status in (Status.FAIL, Status.ERROR) else ""
            if full:
                single = len(inst.testcases) == 1
                for tc in inst.testcases:
                    classname = ".".join(tc.identifier.split(".")[:2])
                    tc_time = inst.execution_time if single and not tc.duration else tc.duration
                    _junit_case(suite, tc.identifier, classname, tc.status,
                                tc.reason or inst.reason, tc_time, tc.output or log, inst.run,
                                counts)
            else:
                _junit_case(suite, inst.name, f"{platform}:{inst.name}", inst.status,
                            inst.reason, inst.execution_time, log, inst.run, counts)
        failures, passes, errors, skips = counts
        suite.set("time", f"{duration:.3f}")
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", str(skips))
        suite.set("tests", str(failures + passes + errors + skips))
    return root


def write_reports(outdir: Path, instances: list[TestInstance], options: dict[str, Any]
                  ) -> list[Path]:
    """twister.json, twister.xml and twister_report.xml in outdir; their paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    json_path = outdir / JSON_NAME
    json_path.write_text(json.dumps(json_report(instances, options), indent=4) + "\n",
                         encoding="utf-8")
    written = [json_path]
    for name, full in ((XML_NAME, False), (REPORT_XML_NAME, True)):
        tree = ET.ElementTree(junit_report(instances, full))
        ET.indent(tree)
        path = outdir / name
        tree.write(path, encoding="utf-8", xml_declaration=True)
        written.append(path)
    return written


# -- summary ---------------------------------------------------------------------------------


@dataclass
class Counts:
    total: int = 0
    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    notrun: int = 0
    filtered: int = 0
    blocked: int = 0

    def add(self, status: Status) -> None:
        self.total += 1
        field = {Status.PASS: "passed", Status.FAIL: "failed", Status.ERROR: "error",
                 Status.SKIP: "skipped", Status.NOTRUN: "notrun", Status.FILTER: "filtered",
                 Status.BLOCK: "blocked"}.get(status, "failed")
        setattr(self, field, getattr(self, field) + 1)

    @property
    def executed(self) -> int:
        return self.passed + self.failed + self.error + self.blocked


def count(instances: list[TestInstance]) -> tuple[Counts, Counts]:
    """(configurations, test cases); the cases of a filtered configuration count as filtered."""
    configs, cases = Counts(), Counts()
    for inst in instances:
        configs.add(inst.status)
        for tc in inst.testcases:
            cases.add(Status.FILTER if inst.status == Status.FILTER else tc.status)
    return configs, cases


def summary_lines(instances: list[TestInstance], duration: float) -> list[str]:
    configs, cases = count(instances)
    head = ("", "total", "passed", "failed", "errors", "blocked", "skipped", "not run",
            "filtered")
    rows: list[tuple[str, ...]] = [head]
    for label, c in (("scenarios", configs), ("test cases", cases)):
        rows.append((label, *(str(v) for v in (c.total, c.passed, c.failed, c.error,
                                                c.blocked, c.skipped, c.notrun, c.filtered))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    table = ["  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                       for i, cell in enumerate(row)).rstrip() for row in rows]
    ran = configs.passed + configs.failed + configs.error
    rate = 100.0 * configs.passed / ran if ran else 0.0
    platforms = {i.platform.name for i in instances}
    used = {i.platform.name for i in instances if i.status != Status.FILTER}
    case_rate = 100.0 * cases.passed / cases.executed if cases.executed else 0.0
    return [
        *table,
        f"{configs.passed} of {ran} executed test configurations passed ({rate:.2f}%), "
        f"{configs.notrun} built (not run), {configs.failed} failed, {configs.error} errored, "
        f"{configs.skipped} skipped, {configs.filtered} filtered, in {duration:.2f} seconds.",
        f"{cases.passed} of {cases.executed} executed test cases passed ({case_rate:.2f}%)"
        + (f", {cases.blocked} blocked" if cases.blocked else "")
        + (f", {cases.failed} failed" if cases.failed else "")
        + (f", {cases.error} errored" if cases.error else "")
        + f" on {len(used)} out of total {len(platforms)} platforms.",
    ]


def failed(instances: list[TestInstance]) -> bool:
    """Anything that makes the run fail: a failed, errored or blocked configuration."""
    return any(i.status in (Status.FAIL, Status.ERROR, Status.BLOCK, Status.NONE,
                            Status.STARTED) for i in instances)
