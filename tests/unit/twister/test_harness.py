"""Harnesses reading console lines: console (one_line, multi_line, ordered, record), ztest, none.

The ztest logs in data/ were captured from `zpy run` of small ztest apps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zpy.twister.harness import Console, NoHarness, Ztest, make_harness, scan_ztest_cases
from zpy.twister.instance import Status, TestInstance
from zpy.twister.platforms import Platform
from zpy.twister.scenario import Scenario

DATA = Path(__file__).parent / "data"
QEMU = Platform("qemu_x86_64", "x86", "qemu")
BANNER = "*** Booting Zephyr OS build v4.1.0-zpy0.1.0 ***"


def instance(harness: str = "", config: dict | None = None, ident: str = "x.y",
             app: Path = Path("/nowhere"), **kw) -> TestInstance:
    sc = Scenario(ident, app, app / "testcase.yaml", "tests/x", harness=harness,
                  harness_config=config or {}, **kw)
    return TestInstance(sc.name, ident, QEMU, sc)


def feed(h, lines, exit_status=0, timed_out=False):
    for line in lines:
        h.handle(line)
    h.finish(exit_status, timed_out)
    return h.instance


def cases(inst):
    return [(tc.identifier, str(tc.status), tc.reason) for tc in inst.testcases]


# -- console -----------------------------------------------------------------------------------


def test_one_line():
    h = Console(instance("console", {"type": "one_line", "regex": ["Hello World! (.*)"]}))
    h.handle(BANNER)
    assert not h.decided
    h.handle("Hello World! qemu_x86_64")
    assert h.decided
    inst = feed(h, [])
    assert (inst.status, inst.reason) == (Status.PASS, None)
    assert cases(inst) == [("x.y", "passed", None)]


def test_one_line_uses_only_the_first_regex():
    h = Console(instance("console", {"type": "one_line", "regex": ["a", "never"]}))
    assert feed(h, ["a"]).status == Status.PASS


def test_multi_line_ordered():
    cfg = {"type": "multi_line", "ordered": True, "regex": ["one", "two", "three"]}
    inst = feed(Console(instance("console", cfg)), ["two", "one", "three", "two"], 0)
    assert inst.status == Status.FAIL
    assert inst.reason == "Exited with 0: 2 of 3 patterns matched"
    assert cases(inst) == [("x.y", "failed", "Exited with 0: 2 of 3 patterns matched")]
    inst = feed(Console(instance("console", cfg)), ["one", "noise", "two", "three"])
    assert inst.status == Status.PASS


def test_multi_line_is_ordered_by_default_as_in_twister():
    cfg = {"type": "multi_line", "regex": ["one", "two"]}
    assert feed(Console(instance("console", cfg)), ["two", "one"]).status == Status.FAIL


def test_multi_line_unordered():
    cfg = {"type": "multi_line", "ordered": False, "regex": ["one", "two", "three"]}
    inst = feed(Console(instance("console", cfg)), ["three", "one", "two"])
    assert inst.status == Status.PASS


def test_console_timeout_and_fault():
    cfg = {"type": "one_line", "regex": ["never"]}
    inst = feed(Console(instance("console", cfg)), ["x"], 143, timed_out=True)
    assert (inst.status, inst.reason) == (Status.FAIL, "Timeout (0 of 1 patterns matched)")
    fault = ">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 (thread 'main'): boom"
    inst = feed(Console(instance("console", {"type": "one_line", "regex": ["hi"]})),
                ["hi", fault], 1)
    assert (inst.status, inst.reason) == (Status.FAIL, "Fault detected while running test")
    ignored = instance("console", {"type": "one_line", "regex": ["hi"]}, ignore_faults=True)
    assert feed(Console(ignored), ["hi", fault], 1).status == Status.PASS


def test_record():
    cfg = {"type": "one_line", "regex": ["done"],
           "record": {"regex": [r"rtt: (?P<rtt>\d+) us, peer (?P<peer>\w+)"]}}
    inst = feed(Console(instance("console", cfg)),
                ["rtt: 12 us, peer a", "noise", "rtt: 15 us, peer b", "done"])
    assert inst.recording == [{"rtt": "12", "peer": "a"}, {"rtt": "15", "peer": "b"}]


def test_record_merge_and_json():
    cfg = {"type": "one_line", "regex": ["done"],
           "record": {"regex": [r"v=(?P<v>\d+)", r"meta=(?P<meta>.*)"], "merge": True,
                      "as_json": ["meta"]}}
    inst = feed(Console(instance("console", cfg)), ["v=1", "v=2", 'meta={"a": 1}', "done"])
    assert inst.recording == [{"v": ["1", "2"], "meta": {"a": 1}}]


# -- ztest -------------------------------------------------------------------------------------


def log(name: str) -> list[str]:
    return (DATA / name).read_text().splitlines()


def test_ztest_passing_suite_from_a_real_run():
    inst = feed(Ztest(instance(ident="drivers.virtualization.ivshmem")),
                log("ztest_ivshmem_plain.log"), 0)
    assert (inst.status, inst.reason) == (Status.PASS, None)
    assert cases(inst) == [
        ("drivers.virtualization.ivshmem.ivshmem.ivshmem_plain", "passed", None),
        ("drivers.virtualization.ivshmem.ivshmem.quit_kernel", "passed", None)]
    assert all(tc.duration > 0 for tc in inst.testcases)


def test_ztest_failing_suite_from_a_real_run():
    h = Ztest(instance(ident="t.math"))
    inst = feed(h, log("ztest_failed.log"), 1)
    assert (inst.status, inst.reason) == (Status.FAIL, "Testsuite failed")
    assert [(i, s) for i, s, _ in cases(inst)] == [
        ("t.math.math.add", "passed"), ("t.math.math.bad", "failed"),
        ("t.math.math.skipped", "skipped"), ("t.math.other.ok", "passed")]
    bad = inst.testcases[1]
    assert bad.reason.startswith("Assertion failed at ") and "math_test_bad" in bad.reason
    assert "one plus one is not 3" in bad.output and bad.duration > 0
    assert inst.testcases[2].reason == "ztest skip"


def test_ztest_crashed_suite_leaves_the_rest_blocked():
    known = [("crash", "a_first"), ("crash", "b_dies"), ("crash", "c_never")]
    inst = feed(Ztest(instance(ident="t.crash"), known), log("ztest_crashed.log"), 1)
    assert (inst.status, inst.reason) == (Status.FAIL, "Fault detected while running test")
    assert [(i, s) for i, s, _ in cases(inst)] == [
        ("t.crash.crash.a_first", "passed"), ("t.crash.crash.b_dies", "failed"),
        ("t.crash.crash.c_never", "blocked")]
    assert "ZEPHYR FATAL ERROR" in inst.testcases[1].output


def test_ztest_killed_at_its_timeout():
    lines = ["Running TESTSUITE s", "START - test_hangs"]
    inst = feed(Ztest(instance(ident="t.h"), [("s", "hangs"), ("s", "later")]), lines, 143,
                timed_out=True)
    assert (inst.status, inst.reason) == (Status.FAIL, "Timeout")
    assert cases(inst) == [("t.h.s.hangs", "failed", "Timeout"),
                           ("t.h.s.later", "blocked", "Timeout")]


def test_ztest_exit_without_the_project_line():
    inst = feed(Ztest(instance(ident="t.e"), [("s", "one")]), [BANNER, "error: no main"], 1)
    assert inst.reason == "Exited with 1 before the end of the testsuite: error: no main"
    assert cases(inst) == [("t.e.s.one", "blocked", inst.reason)]


def test_ztest_case_skipped_by_a_predicate_appears_in_the_summary_only():
    lines = ["Running TESTSUITE a", "TESTSUITE a succeeded", "SUITE SKIP -   0.00% [b]: pass = 0,"
             " fail = 0, skip = 1, total = 1 duration = 0.000 seconds",
             " - SKIP - [b.test_pred] duration = 0.000 seconds", "PROJECT EXECUTION SUCCESSFUL"]
    inst = feed(Ztest(instance(ident="t.p")), lines, 0)
    assert inst.status == Status.PASS
    assert cases(inst) == [("t.p.b.pred", "skipped", "ztest skip")]


def test_ztest_scan_finds_the_cases(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.py").write_text(
        "from zpy.ztest import ZTEST, ZTEST_F, ZTEST_SUITE\n"
        "@ZTEST('s1')\ndef test_one():\n    pass\n"
        "@ZTEST_F('s2')\ndef test_two(fixture):\n    pass\n"
        "def helper():\n    pass\n"
        "ZTEST_SUITE('s1', None, None, None, None, None)\n")
    (src / "broken.py").write_text("def (:\n")
    assert scan_ztest_cases(tmp_path) == [("s1", "one"), ("s2", "two")]


# -- none / choice -------------------------------------------------------------------------------


def test_no_harness_passes_on_exit_0_only():
    assert feed(NoHarness(instance()), ["anything"], 0).status == Status.PASS
    inst = feed(NoHarness(instance()), ["anything"], 3)
    assert (inst.status, inst.reason) == (Status.FAIL, "Exited with 3")
    inst = feed(NoHarness(instance()), [], 143, timed_out=True)
    assert (inst.status, inst.reason) == (Status.FAIL, "Timeout")


@pytest.mark.parametrize("harness, ztest, kind", [
    ("", False, NoHarness), ("", True, Ztest), ("ztest", False, Ztest),
    ("console", True, Console),
])
def test_make_harness(harness, ztest, kind):
    cfg = {"type": "one_line", "regex": ["x"]} if harness == "console" else {}
    assert type(make_harness(instance(harness, cfg), ztest)) is kind
