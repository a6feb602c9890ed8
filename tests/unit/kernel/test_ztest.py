"""ztest: registration, order, fixtures, skips, failures, and Zephyr's report format."""

from __future__ import annotations

import re

ZTEST_CONFIG = {"BOOT_BANNER": "n", "ZTEST": "y", "ZTEST_VERBOSE_OUTPUT": "y",
                "ZTEST_VERBOSE_SUMMARY": "y"}

DURATION = r"\d+\.\d{3}"


def test_passing_suite_report(make_image, boot):
    rt, console = boot(make_image("""
        from zpy.ztest import *
        from zpy.kernel import k_is_user_context, k_current_get

        def setup():
            return {"n": 41}

        def before(f):
            f["n"] += 1

        ZTEST_SUITE("framework", None, setup, before, None, None)

        @ZTEST("framework")
        def test_b_equal():
            zassert_equal(1 + 1, 2, "math works")
            zassert_true(k_current_get().name == "test_b_equal")

        @ZTEST_F("framework")
        def test_a_fixture(fixture):
            zassert_equal(fixture["n"], 42)

        @ZTEST_USER("framework")
        def test_c_user():
            zassert_true(k_is_user_context(), "thread left in kernel mode")

        @ZTEST("framework")
        def test_d_skip():
            ztest_test_skip()
    """, config=ZTEST_CONFIG))
    assert rt.wait(10) == 0
    out = console.text()
    expected = [
        "Running TESTSUITE framework",
        "=" * 67,
        "START - test_a_fixture",
        f" PASS - test_a_fixture in {DURATION} seconds",
        "=" * 67,
        "START - test_b_equal",
        f" PASS - test_b_equal in {DURATION} seconds",
        "=" * 67,
        "START - test_c_user",
        f" PASS - test_c_user in {DURATION} seconds",
        "=" * 67,
        "START - test_d_skip",
        f" SKIP - test_d_skip in {DURATION} seconds",
        "=" * 67,
        "TESTSUITE framework succeeded",
        "",
        "------ TESTSUITE SUMMARY START ------",
        "",
        f"SUITE PASS - 100.00% \\[framework\\]: pass = 3, fail = 0, skip = 1, total = 4 "
        f"duration = {DURATION} seconds",
        f" - PASS - \\[framework.test_a_fixture\\] duration = {DURATION} seconds",
        f" - PASS - \\[framework.test_b_equal\\] duration = {DURATION} seconds",
        f" - PASS - \\[framework.test_c_user\\] duration = {DURATION} seconds",
        f" - SKIP - \\[framework.test_d_skip\\] duration = {DURATION} seconds",
        "",
        "------ TESTSUITE SUMMARY END ------",
        "",
        "=" * 67,
        "PROJECT EXECUTION SUCCESSFUL",
    ]
    lines = out.splitlines()
    assert len(lines) == len(expected), out
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


def test_failing_assert_reports_expression_file_and_line(make_image, boot):
    rt, console = boot(make_image("""
        from zpy.ztest import *

        ZTEST_SUITE("bad", None, None, None, None, None)

        @ZTEST("bad")
        def test_fails():
            value = 3
            zassert_equal(value, 4, "value is %d", value)
            zassert_true(False, "not reached")

        @ZTEST("bad")
        def test_passes_after():
            pass
    """, config=ZTEST_CONFIG))
    assert rt.wait(10) == 1
    out = console.text()
    assert re.search(r"\n    Assertion failed at .*main\.py:9: bad_test_fails: value not equal to 4\n"
                     r"value is 3\n FAIL - test_fails in", out), out
    assert "not reached" not in out
    assert "PASS - test_passes_after" in out
    assert "TESTSUITE bad failed." in out
    assert "SUITE FAIL -  50.00% [bad]: pass = 1, fail = 1, skip = 0, total = 2" in out
    assert out.rstrip().endswith("PROJECT EXECUTION FAILED")


def test_assumption_skips_and_exception_fails_the_run(make_image, boot):
    rt, console = boot(make_image("""
        from zpy.ztest import *
        ZTEST_SUITE("s", None, None, None, None, None)

        @ZTEST("s")
        def test_assume():
            zassume_true(1 == 2, "needs hardware")
    """, config=ZTEST_CONFIG))
    assert rt.wait(10) == 0
    out = console.text()
    assert "Assumption failed at" in out and " SKIP - test_assume" in out
    assert "SUITE SKIP -   0.00% [s]" in out
