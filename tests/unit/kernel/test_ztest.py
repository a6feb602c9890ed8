"""ztest: phases, results, fixtures, predicates, hooks, shuffle and repeat, and Zephyr's report.

Each image runs in virtual time, so a run is deterministic and its console is
compared byte for byte with what Zephyr's ztest.c prints.
"""

from __future__ import annotations

ZTEST_CONFIG = {"BOOT_BANNER": "n", "TEST": "y", "ZTEST": "y", "ZTEST_VERBOSE_OUTPUT": "y",
                "ZTEST_VERBOSE_SUMMARY": "y", "ZTEST_SUMMARY": "y", "ZTEST_VERIFY_RUN_ALL": "y",
                "ZTEST_THREAD_PRIORITY": "-1", "ZTEST_ASSERT_VERBOSE": "1", "ASSERT": "y",
                "IRQ_OFFLOAD": "y"}
LINE = "=" * 67 + "\n"


def run(make_image, boot, src, config=None, sources=None):
    cfg = dict(ZTEST_CONFIG)
    cfg.update(config or {})
    build = make_image("from zpy.ztest import *\nfrom zpy.kernel import *\n" + src, config=cfg,
                       sources=sources)
    rt, console = boot(build)
    status = rt.wait(20)
    return status, console.text().replace(f"{build.parent}/", "")  # the app's folder: app/


def summary(*suites):
    return ("\n------ TESTSUITE SUMMARY START ------\n\n" + "".join(suites)
            + "------ TESTSUITE SUMMARY END ------\n\n")


def test_fixtures_run_in_zephyrs_order_and_the_report_is_byte_for_byte(make_image, boot):
    status, out = run(make_image, boot, """
def setup():
    printk("setup\\n")
    return {"n": 41}

def before(f):
    f["n"] += 1
    printk("before %d\\n", f["n"])

def after(f):
    printk("after\\n")

def teardown(f):
    printk("teardown %d\\n", f["n"])

ZTEST_SUITE("framework", None, setup, before, after, teardown)
ZTEST_SUITE("aaa_empty", lambda state: True, None, None, None, None)

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
    printk("not reached\\n")

@ZTEST("framework")
def test_e_pass_early():
    ztest_test_pass()
    zassert_unreachable("not reached")
""", config={"USERSPACE": "y"})
    assert status == 0, out
    case = " {0} - {1} in 0.000 seconds\n" + LINE
    expected = (
        "Running TESTSUITE aaa_empty\n" + LINE + "TESTSUITE aaa_empty succeeded\n"
        "Running TESTSUITE framework\n" + LINE + "setup\n"
        "START - test_a_fixture\nbefore 42\nafter\n" + case.format("PASS", "test_a_fixture")
        + "START - test_b_equal\nbefore 43\nafter\n" + case.format("PASS", "test_b_equal")
        + "START - test_c_user\nbefore 44\nafter\n" + case.format("PASS", "test_c_user")
        + "START - test_d_skip\nbefore 45\nafter\n" + case.format("SKIP", "test_d_skip")
        + "START - test_e_pass_early\nbefore 46\nafter\n" + case.format("PASS", "test_e_pass_early")
        + "TESTSUITE framework succeeded\nteardown 46\n"
        + summary(
            "SUITE SKIP -   0.00% [aaa_empty]: pass = 0, fail = 0, skip = 0, total = 0 "
            "duration = 0.000 seconds\n\n",
            "SUITE PASS - 100.00% [framework]: pass = 4, fail = 0, skip = 1, total = 5 "
            "duration = 0.000 seconds\n"
            " - PASS - [framework.test_a_fixture] duration = 0.000 seconds\n"
            " - PASS - [framework.test_b_equal] duration = 0.000 seconds\n"
            " - PASS - [framework.test_c_user] duration = 0.000 seconds\n"
            " - SKIP - [framework.test_d_skip] duration = 0.000 seconds\n"
            " - PASS - [framework.test_e_pass_early] duration = 0.000 seconds\n\n")
        + LINE + "PROJECT EXECUTION SUCCESSFUL\n")
    assert out == expected


def test_a_failed_assertion_ends_the_test_from_any_thread_or_isr(make_image, boot):
    status, out = run(make_image, boot, """
ZTEST_SUITE("bad", None, None, None, None, None)

@ZTEST("bad")
def test_a_fails():
    value = 3
    k_msleep(12)
    zassert_equal(value, 4, "value is %d", value)
    printk("not reached\\n")

def worker():
    zassert_true(1 > 2)
    printk("worker not reached\\n")

@ZTEST("bad")
def test_b_worker_fails():
    t = k_thread()
    k_thread_create(t, None, 0, worker, None, None, None, -5, 0, K_NO_WAIT)
    k_msleep(10)  # the worker runs (a cooperative test thread is not preempted)
    printk("test not reached\\n")

def isr(arg):
    zassert_false(arg, NULL)
    printk("the ISR goes on\\n")

@ZTEST("bad")
def test_c_isr_fails():
    irq_offload(isr, True)
    printk("test not reached after the ISR\\n")

@ZTEST("bad")
def test_d_passes_after():
    pass

NULL = None
""")
    assert status == 1, out
    assert out == (
        "Running TESTSUITE bad\n" + LINE + "START - test_a_fails\n"
        "\n    Assertion failed at app/src/main.py:10: bad_test_a_fails: (value not equal to 4)\n"
        "value is 3\n FAIL - test_a_fails in 0.013 seconds\n" + LINE +
        "START - test_b_worker_fails\n"
        "\n    Assertion failed at app/src/main.py:14: worker: 1 > 2 is false\n\n"
        " FAIL - test_b_worker_fails in 0.000 seconds\n" + LINE +
        "START - test_c_isr_fails\n"
        "\n    Assertion failed at app/src/main.py:25: isr: arg is true\n\nthe ISR goes on\n"
        " FAIL - test_c_isr_fails in 0.000 seconds\n" + LINE +
        "START - test_d_passes_after\n PASS - test_d_passes_after in 0.000 seconds\n" + LINE +
        "TESTSUITE bad failed.\n" + summary(
            "SUITE FAIL -  25.00% [bad]: pass = 1, fail = 3, skip = 0, total = 4 "
            "duration = 0.013 seconds\n"
            " - FAIL - [bad.test_a_fails] duration = 0.013 seconds\n"
            " - FAIL - [bad.test_b_worker_fails] duration = 0.000 seconds\n"
            " - FAIL - [bad.test_c_isr_fails] duration = 0.000 seconds\n"
            " - PASS - [bad.test_d_passes_after] duration = 0.000 seconds\n\n")
        + LINE + "PROJECT EXECUTION FAILED\n")


def test_setup_skip_and_fail_mark_every_test_and_after_cannot_fail(make_image, boot):
    status, out = run(make_image, boot, """
def skip_setup():
    ztest_test_skip()

def fail_setup():
    zassert_true(False, "setup broke")
    printk("setup goes on\\n")

def failing_after(f):
    ztest_test_fail()

ZTEST_SUITE("a_skipped", None, skip_setup, None, None, None)
ZTEST_SUITE("b_failed", None, fail_setup, None, None, None)
ZTEST_SUITE("c_bailing", None, None, None, failing_after, None)
ZTEST_SUITE("d_never", None, None, None, None, None)

@ZTEST("a_skipped")
def test_one():
    printk("not run\\n")

@ZTEST("b_failed")
def test_two():
    printk("not run\\n")

@ZTEST("c_bailing")
def test_three():
    pass

@ZTEST("d_never")
def test_four():
    pass
""")
    assert status == 1, out
    lines = out.splitlines()
    assert "not run" not in lines
    assert "setup goes on" in lines
    assert " SKIP - test_one in 0.000 seconds" in lines
    assert " FAIL - test_two in 0.000 seconds" in lines
    assert " ERROR: cannot fail in test phase 'after()', bailing" in lines
    assert "Running TESTSUITE d_never" not in lines  # a critical error stops the run
    assert "SUITE SKIP -   0.00% [d_never]: pass = 0, fail = 0, skip = 1, total = 1 " \
           "duration = 0.000 seconds" in lines
    assert "ERROR: Test suite 'd_never' did not run." in lines


def test_a_predicate_skips_a_suite_and_verify_run_all_says_so(make_image, boot):
    src = """
ZTEST_SUITE("never", lambda state: state is not None, None, None, None, None)

@ZTEST("never")
def test_x():
    pass
"""
    status, out = run(make_image, boot, src)
    assert status == 1, out
    assert out.startswith("ERROR: Test suite 'never' did not run.\n\n------ TESTSUITE SUMMARY")
    status, out = run(make_image, boot, src, config={"ZTEST_VERIFY_RUN_ALL": "n"})
    assert status == 0, out
    assert " - SKIP - [never.test_x] duration = 0.000 seconds" in out.splitlines()


def test_expected_fatal_errors_pass_and_unexpected_ones_halt(make_image, boot):
    status, out = run(make_image, boot, """
ZTEST_SUITE("faults", None, None, None, None, None)

def ztest_post_fatal_error_hook(reason, esf):
    printk("post hook %d\\n", reason)

@ZTEST("faults")
def test_a_expected_oops():
    ztest_set_fault_valid(True)
    k_oops()
    zassert_unreachable("k_oops() returned")

def crasher():
    ztest_set_fault_valid(True)
    k_panic()

@ZTEST("faults")
def test_b_expected_in_other_thread():
    t = k_thread()
    k_thread_create(t, None, 0, crasher, None, None, None, -5, 0, K_NO_WAIT)
    k_thread_join(t, K_FOREVER)
    printk("test goes on\\n")

@ZTEST("faults")
def test_c_unexpected():
    k_panic()
""", config={"ZTEST_FATAL_HOOK": "y"})
    assert status == 1, out
    assert out == (
        "Running TESTSUITE faults\n" + LINE + "START - test_a_expected_oops\n"
        ">>> ZEPHYR FATAL ERROR 3: Kernel oops on CPU 0\n"
        "Current thread: test_a_expected_oops: k_oops()\n"
        "Caught system error -- reason 3 1\nFatal error expected as part of test case.\n"
        "post hook 3\n PASS - test_a_expected_oops in 0.000 seconds\n" + LINE +
        "START - test_b_expected_in_other_thread\n"
        ">>> ZEPHYR FATAL ERROR 4: Kernel panic on CPU 0\nCurrent thread: unknown: k_panic()\n"
        "Caught system error -- reason 4 1\nFatal error expected as part of test case.\n"
        "post hook 4\ntest goes on\n"
        " PASS - test_b_expected_in_other_thread in 0.000 seconds\n" + LINE +
        "START - test_c_unexpected\n>>> ZEPHYR FATAL ERROR 4: Kernel panic on CPU 0\n"
        "Current thread: test_c_unexpected: k_panic()\n"
        "Caught system error -- reason 4 0\nFatal error was unexpected, aborting...\n")


def test_expected_asserts_end_the_thread_and_unexpected_ones_panic(make_image, boot):
    status, out = run(make_image, boot, """
ZTEST_SUITE("asserts", None, None, None, None, None)

def checker(value):
    ztest_set_assert_valid(True)
    __ASSERT(value > 10, "value %d too small", value)
    printk("not reached\\n")

@ZTEST("asserts")
def test_a_expected():
    t = k_thread()
    k_thread_create(t, None, 0, checker, 3, None, None, -5, 0, K_NO_WAIT)
    k_thread_join(t, K_FOREVER)
    __ASSERT(True, "fine")

@ZTEST("asserts")
def test_b_unexpected():
    __ASSERT_NO_MSG(1 == 2)
""", config={"ZTEST_ASSERT_HOOK": "y"})
    assert status == 1, out
    assert out == (
        "Running TESTSUITE asserts\n" + LINE + "START - test_a_expected\n"
        "ASSERTION FAIL [value > 10] @ app/src/main.py:8\n\tvalue 3 too small\n"
        "Caught assert failed\nAssert error expected as part of test case.\n"
        " PASS - test_a_expected in 0.000 seconds\n" + LINE +
        "START - test_b_unexpected\nASSERTION FAIL [1 == 2] @ app/src/main.py:20\n"
        "Caught assert failed\nAssert failed was unexpected, aborting...\n"
        ">>> ZEPHYR FATAL ERROR 4: Kernel panic on CPU 0\n"
        "Current thread: test_b_unexpected: k_panic()\nHalting system\n")


SHUFFLED = """
for suite in ("s1", "s2", "s3"):
    ZTEST_SUITE(suite, None, None, None, None, None)

def make(suite, name):
    def t():
        pass
    t.__name__ = name
    ZTEST(suite)(t)

for suite in ("s1", "s2", "s3"):
    for i in range(6):
        make(suite, f"test_{i}")
"""


def _order(out):
    return [line for line in out.splitlines() if line.startswith(("Running", "START"))]


def test_shuffle_changes_the_order_the_same_way_on_every_run(make_image, boot):
    config = {"ZTEST_SHUFFLE": "y", "ZTEST_SHUFFLE_SUITE_REPEAT_COUNT": "1",
              "ZTEST_SHUFFLE_TEST_REPEAT_COUNT": "1"}
    status, first = run(make_image, boot, SHUFFLED, config=config)
    assert status == 0, first
    _, second = run(make_image, boot, SHUFFLED, config=config)
    _, plain = run(make_image, boot, SHUFFLED)
    assert _order(first) == _order(second)
    assert _order(first) != _order(plain)
    assert sorted(_order(first)) == sorted(_order(plain))


def test_repeat_runs_suites_and_tests_and_reports_flaky_ones(make_image, boot):
    status, out = run(make_image, boot, """
ZTEST_SUITE("rep", None, lambda: [0], None, None, None)

@ZTEST_F("rep")
def test_flaky(runs):
    runs[0] += 1
    zassert_true(runs[0] % 3 != 0, "third time unlucky")
""", config={"ZTEST_REPEAT": "y", "ZTEST_SUITE_REPEAT_COUNT": "2",
             "ZTEST_TEST_REPEAT_COUNT": "3"})
    assert status == 1, out
    assert out.count("Running TESTSUITE rep") == 2
    assert out.count("START - test_flaky") == 6
    assert " - FLAKY - [rep.test_flaky] - (Failed 2 of 6 attempts) - duration = 0.000 " \
           "seconds" in out.splitlines()


def test_an_apps_test_main_runs_suites_its_own_way(make_image, boot):
    status, out = run(make_image, boot, """
ZTEST_SUITE("one", lambda state: state is None, None, None, None, None)
ZTEST_SUITE("two", lambda state: state == "go", None, None, None, None)

@ZTEST("one")
def test_a():
    pass

@ZTEST("two")
def test_b():
    pass

def test_main():
    ztest_run_test_suite("one", False, 1, 1, None)
    ztest_run_test_suites("stop", False, 1, 1)
    ztest_run_test_suites("go", False, 1, 1)
""")
    assert status == 0, out
    assert _order(out) == ["Running TESTSUITE one", "START - test_a",
                           "Running TESTSUITE two", "START - test_b"]


def test_expected_failures_and_expectations(make_image, boot):
    status, out = run(make_image, boot, """
ZTEST_SUITE("exp", None, None, None, None, None)
ZTEST_EXPECT_FAIL("exp", "test_a_known_bug")
ZTEST_EXPECT_SKIP("exp", "test_b_skipper")

@ZTEST("exp")
def test_a_known_bug():
    zassert_equal(1, 2)

@ZTEST("exp")
def test_b_skipper():
    ztest_test_skip()

@ZTEST("exp")
def test_c_expectations():
    zexpect_true(False, "first")
    zexpect_equal(1, 2, "second")
    printk("still running\\n")
""")
    assert status == 1, out
    lines = out.splitlines()
    assert " PASS - test_a_known_bug in 0.000 seconds" in lines
    assert " PASS - test_b_skipper in 0.000 seconds" in lines
    assert "    Expectation failed at app/src/main.py:18: exp_test_c_expectations: " \
           "(False is false)" in lines
    assert "still running" in lines
    assert " FAIL - test_c_expectations in 0.000 seconds" in lines


def test_tc_print_and_tc_error_print_as_tc_util_does(make_image, boot):
    status, out = run(make_image, boot, """
ZTEST_SUITE("tc", None, None, None, None, None)

def check(value):
    if value != 1:
        TC_ERROR("value was %d\\n", value)

@ZTEST("tc")
def test_prints():
    TC_PRINT("plain %s\\n", "text")
    check(2)
""", config={"ZTEST_VERBOSE_SUMMARY": "n", "ZTEST_SUMMARY": "n"})
    assert status == 0, out
    assert "START - test_prints\nplain text\nFAIL - check@8. value was 2\n PASS - test_prints" \
        in out, out


def test_1cpu_tests_run_on_one_cpu_at_the_ztest_thread_priority(run_app):
    # Two CPUs: a preemptible thread made by a test runs at once on the other CPU, unless
    # the suite holds it with ztest_simple_1cpu_before (then only when the test blocks).
    status, out = run_app("""
        from zpy.kernel import *
        from zpy.ztest import *

        ran = atomic_t(0)

        def other():
            printk("  other thread runs\\n")
            atomic_set(ran, 1)

        def spawn(wait_for_other):
            printk("  test at priority %d\\n", k_thread_priority_get(k_current_get()))
            atomic_set(ran, 0)
            k_thread_create(k_thread(), None, 0, other, None, None, None, 5, 0, K_NO_WAIT)
            k_busy_wait(1000)
            while wait_for_other and not atomic_get(ran):
                k_busy_wait(100)
            zassert_equal(atomic_get(ran), 1 if wait_for_other else 0)
            printk("  test blocks\\n")
            k_msleep(1)

        @ZTEST("a_two_cpus")
        def test_two():
            spawn(True)

        @ZTEST("b_one_cpu")
        def test_one():
            spawn(False)

        ZTEST_SUITE("a_two_cpus", None, None, None, None, None)
        ZTEST_SUITE("b_one_cpu", None, None, ztest_simple_1cpu_before, ztest_simple_1cpu_after,
                    None)
    """, {"ZTEST": "y", "SMP": "y", "MP_MAX_NUM_CPUS": "2", "ZTEST_THREAD_PRIORITY": "-3",
          "ZTEST_VERBOSE_SUMMARY": "n"})
    assert status == 0, out
    runs = [line for line in out.splitlines() if line.startswith("  ")]
    assert runs == ["  test at priority -3", "  other thread runs", "  test blocks",
                    "  test at priority -3", "  test blocks", "  other thread runs"], out
