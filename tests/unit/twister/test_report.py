"""twister.json (twister's keys) and the JUnit files (well-formed, right counts)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from zpy.twister import report
from zpy.twister.instance import Status, TestInstance
from zpy.twister.platforms import Platform
from zpy.twister.scenario import Scenario

QEMU = Platform("qemu_x86_64", "x86", "qemu")
SUITE_KEYS = {"name", "arch", "platform", "path", "runnable", "retries", "status",
              "execution_time", "build_time", "testcases"}
CASE_KEYS = {"identifier", "status", "execution_time"}


def inst(tmp_path: Path, ident: str, status: Status, cases: list[tuple[str, Status]],
         reason: str | None = None, run: bool = True) -> TestInstance:
    sc = Scenario(ident, tmp_path / "app", tmp_path / "app/testcase.yaml", "tests/app")
    i = TestInstance(sc.name, ident, QEMU, sc, tmp_path / "out" / ident, status=status,
                     reason=reason, run=run, build_time=0.5, execution_time=1.25)
    for name, st in cases:
        tc = i.case(f"{ident}.{name}")
        tc.status, tc.duration = st, 0.01
        if st in (Status.FAIL, Status.BLOCK):
            tc.reason = reason
    i.build_dir.mkdir(parents=True)
    (i.build_dir / "handler.log").write_text("console says \x07hi\n")
    return i


def sample(tmp_path: Path) -> list[TestInstance]:
    return [
        inst(tmp_path, "a.pass", Status.PASS, [("s.one", Status.PASS), ("s.two", Status.SKIP)]),
        inst(tmp_path, "a.fail", Status.FAIL,
             [("s.one", Status.PASS), ("s.two", Status.FAIL), ("s.three", Status.BLOCK)],
             "Testsuite failed"),
        inst(tmp_path, "a.err", Status.ERROR, [("a.err", Status.ERROR)], "Build failure"),
        inst(tmp_path, "a.built", Status.NOTRUN, [("x", Status.NOTRUN)],
             "Test was built only", run=False),
        inst(tmp_path, "a.filt", Status.FILTER, [("x", Status.FILTER)], "runtime filter",
             run=False),
    ]


def test_twister_json(tmp_path):
    instances = sample(tmp_path)
    paths = report.write_reports(tmp_path / "out", instances, {"platforms": ["qemu_x86_64"]})
    assert [p.name for p in paths] == ["twister.json", "twister.xml", "twister_report.xml"]
    data = json.loads((tmp_path / "out" / "twister.json").read_text())
    env = data["environment"]
    assert {"os", "zephyr_version", "toolchain", "commit_date", "run_date", "options"} <= set(env)
    assert env["options"] == {"platforms": ["qemu_x86_64"]}
    suites = data["testsuites"]
    assert [s["status"] for s in suites] == ["passed", "failed", "error", "not run", "filtered"]
    for s in suites:
        assert SUITE_KEYS <= set(s), s
        assert s["name"] == f"tests/app/{s['name'].rsplit('/', 1)[1]}"
        assert (s["arch"], s["platform"], s["path"], s["retries"]) == (
            "x86", "qemu_x86_64", "tests/app", 0)
        assert isinstance(s["execution_time"], str) and isinstance(s["build_time"], str)
        for tc in s["testcases"]:
            assert CASE_KEYS <= set(tc), tc
    passed, failed, error, built, filtered = suites
    assert passed["runnable"] is True and "reason" not in passed and "log" not in passed
    assert failed["reason"] == "Testsuite failed"
    assert failed["log"] == "console says hi\n"  # only printable characters, as twister
    assert [tc["status"] for tc in failed["testcases"]] == ["passed", "failed", "blocked"]
    assert failed["testcases"][2]["reason"] == "Testsuite failed"
    assert built["runnable"] is False and built["reason"] == "Test was built only"
    assert filtered["reason"] == "runtime filter" and filtered["runnable"] is False
    assert passed["testcases"][1] == {"identifier": "a.pass.s.two", "execution_time": "0.01",
                                      "status": "skipped", "reason": None}


def junit(tmp_path: Path, name: str) -> ET.Element:
    return ET.parse(tmp_path / "out" / name).getroot()


def test_junit_per_test_case(tmp_path):
    report.write_reports(tmp_path / "out", sample(tmp_path), {})
    root = junit(tmp_path, "twister_report.xml")
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "qemu_x86_64"
    # filtered configurations are left out; blocked counts as a failure, not run as skipped
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "7", "failures": "2", "errors": "1", "skipped": "2"}
    cases = suite.findall("testcase")
    assert len(cases) == 7
    assert cases[0].get("name") == "a.pass.s.one" and cases[0].get("classname") == "a.pass"
    assert cases[3].find("failure").get("message") == "Testsuite failed"
    assert cases[6].find("skipped").get("type") == "build"
    assert suite.find("properties/property").get("name") == "version"


def test_junit_per_configuration(tmp_path):
    report.write_reports(tmp_path / "out", sample(tmp_path), {})
    (suite,) = junit(tmp_path, "twister.xml").findall("testsuite")
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "4", "failures": "1", "errors": "1", "skipped": "1"}
    names = [c.get("name") for c in suite.findall("testcase")]
    assert names == ["tests/app/a.pass", "tests/app/a.fail", "tests/app/a.err",
                     "tests/app/a.built"]
    assert suite.findall("testcase")[1].get("classname") == "qemu_x86_64:tests/app/a.fail"
    assert "console says" in suite.findall("testcase")[1].find("failure").text


def test_summary_and_failure(tmp_path):
    instances = sample(tmp_path)
    lines = report.summary_lines(instances, 3.5)
    assert lines[0].split() == ["total", "passed", "failed", "errors", "blocked", "skipped",
                                "not", "run", "filtered"]
    assert lines[1].split() == ["scenarios", "5", "1", "1", "1", "0", "0", "1", "1"]
    assert lines[2].split() == ["test", "cases", "8", "2", "1", "1", "1", "1", "1", "1"]
    assert lines[3] == ("1 of 3 executed test configurations passed (33.33%), 1 built (not "
                        "run), 1 failed, 1 errored, 0 skipped, 1 filtered, in 3.50 seconds.")
    assert lines[4] == ("2 of 5 executed test cases passed (40.00%), 1 blocked, 1 failed, "
                        "1 errored on 1 out of total 1 platforms.")
    assert report.failed(instances)
    assert not report.failed([instances[0], instances[3], instances[4]])
