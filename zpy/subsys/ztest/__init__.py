"""<zephyr/ztest.h>: suites, tests, fixtures, predicates, results and Zephyr's report.

The runner is Zephyr's subsys/testsuite/ztest/src/ztest.c, step for step: each
test runs in its own thread at CONFIG_ZTEST_THREAD_PRIORITY; a suite goes
through the phases setup, before, test, after and teardown; ztest_test_fail(),
ztest_test_skip() and ztest_test_pass() record the result and end the test
thread (from any thread or ISR, as Zephyr's test_finalize() does); suites and
tests run in name order (the order of Zephyr's sorted linker sections), or
shuffled with CONFIG_ZTEST_SHUFFLE, and repeated with CONFIG_ZTEST_REPEAT. The
report is Zephyr's, byte for byte, ending with PROJECT EXECUTION SUCCESSFUL or
FAILED (the run's exit status is 0 or 1 accordingly).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from zpy.kernel.context import current_kernel, isr_cpu
from zpy.kernel.printk import printk
from zpy.subsys.ztest.assertion import (
    zassert_between_inclusive,
    zassert_equal,
    zassert_equal_ptr,
    zassert_false,
    zassert_is_null,
    zassert_mem_equal,
    zassert_not_equal,
    zassert_not_null,
    zassert_not_ok,
    zassert_ok,
    zassert_str_equal,
    zassert_true,
    zassert_unreachable,
    zassert_within,
    zassume_equal,
    zassume_false,
    zassume_not_null,
    zassume_ok,
    zassume_true,
    zexpect_equal,
    zexpect_false,
    zexpect_true,
)

TC_PASS = 0
TC_FAIL = 1
TC_SKIP = 2
TC_FLAKY = 3
_RESULT_STR = {TC_PASS: "PASS", TC_FAIL: "FAIL", TC_SKIP: "SKIP", TC_FLAKY: "FLAKY"}


class ztest_phase(IntEnum):
    TEST_PHASE_SETUP = 0
    TEST_PHASE_BEFORE = 1
    TEST_PHASE_TEST = 2
    TEST_PHASE_AFTER = 3
    TEST_PHASE_TEARDOWN = 4
    TEST_PHASE_FRAMEWORK = 5


_PHASE_NAMES = ("setup", "before", "test", "after", "teardown", "framework")


class ztest_result(IntEnum):
    ZTEST_RESULT_PENDING = 0
    ZTEST_RESULT_PASS = 1
    ZTEST_RESULT_FAIL = 2
    ZTEST_RESULT_SKIP = 3
    ZTEST_RESULT_SUITE_SKIP = 4
    ZTEST_RESULT_SUITE_FAIL = 5


class ztest_status(IntEnum):
    ZTEST_STATUS_OK = 0
    ZTEST_STATUS_HAS_FAILURE = 1
    ZTEST_STATUS_CRITICAL_ERROR = 2


ZTEST_EXPECTED_RESULT_FAIL = 0
ZTEST_EXPECTED_RESULT_SKIP = 1

P = ztest_phase
R = ztest_result
S = ztest_status


@dataclass
class ztest_unit_test_stats:
    run_count: int = 0
    skip_count: int = 0
    fail_count: int = 0
    pass_count: int = 0
    duration_worst_ms: int = 0


@dataclass
class ztest_unit_test:
    test_suite_name: str
    name: str
    test: Callable[..., Any]
    takes_fixture: bool
    thread_options: int
    stats: ztest_unit_test_stats = field(default_factory=ztest_unit_test_stats)


@dataclass
class ztest_suite_stats:
    run_count: int = 0
    skip_count: int = 0
    fail_count: int = 0


@dataclass
class ztest_suite_node:
    name: str
    predicate: Callable[[Any], bool] | None = None
    setup: Callable[[], Any] | None = None
    before: Callable[[Any], None] | None = None
    after: Callable[[Any], None] | None = None
    teardown: Callable[[Any], None] | None = None
    stats: ztest_suite_stats = field(default_factory=ztest_suite_stats)


@dataclass
class _Ztest:
    """One image's ztest: what Zephyr keeps in its linker sections and ztest.c's statics."""

    suites: dict[str, ztest_suite_node] = field(default_factory=dict)
    tests: list[ztest_unit_test] = field(default_factory=list)
    expected: dict[tuple[str, str], int] = field(default_factory=dict)
    cur_phase: ztest_phase = P.TEST_PHASE_FRAMEWORK
    test_status: ztest_status = S.ZTEST_STATUS_OK
    test_result: ztest_result = R.ZTEST_RESULT_PENDING
    failed_expectation: bool = False
    current_test_failed_assumption: bool = False
    ztest_thread: Any = None
    rand: random.Random | None = None
    # ztest_error_hook.c
    valid_fault_tid: Any = None
    fault_in_isr: bool = False
    valid_assert_tid: Any = None
    assert_in_isr: bool = False

    def suites_in_order(self) -> list[ztest_suite_node]:
        return [self.suites[n] for n in sorted(self.suites)]

    def tests_in_order(self) -> list[ztest_unit_test]:
        return sorted(self.tests, key=lambda t: (t.test_suite_name, t.name))

    def tests_of(self, suite: str) -> list[ztest_unit_test]:
        return [t for t in self.tests_in_order() if t.test_suite_name == suite]


def _ztest() -> _Ztest:
    return current_kernel().service(_Ztest)


def _config(name: str, default: Any = None) -> Any:
    return current_kernel().config.get(name, default)


# -- registration ---------------------------------------------------------------------------


def ZTEST_SUITE(suite_name: str, predicate: Callable[[Any], bool] | None,
                setup_fn: Callable[[], Any] | None, before_fn: Callable[[Any], None] | None,
                after_fn: Callable[[Any], None] | None,
                teardown_fn: Callable[[Any], None] | None) -> ztest_suite_node:
    suite = ztest_suite_node(suite_name, predicate, setup_fn, before_fn, after_fn, teardown_fn)
    _ztest().suites[suite_name] = suite
    return suite


def _register(suite: str, fixture: bool, options: int) -> Callable[[Callable[..., Any]],
                                                                  Callable[..., Any]]:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        _ztest().tests.append(ztest_unit_test(suite, fn.__name__, fn, fixture, options))
        return fn

    return decorate


def ZTEST(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """@ZTEST("suite") on `def test_name():` is C's ZTEST(suite, test_name) { ... }."""
    return _register(suite, False, 0)


def ZTEST_F(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The test gets the suite's fixture (what setup returned) as its argument."""
    return _register(suite, True, 0)


def ZTEST_USER(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the test in a user-mode thread (k_is_user_context() is true in it)."""
    from zpy.kernel.thread import K_USER

    return _register(suite, False, K_USER)


def ZTEST_USER_F(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    from zpy.kernel.thread import K_USER

    return _register(suite, True, K_USER)


def ZTEST_EXPECT_FAIL(suite: str, test: str) -> None:
    """The test is expected to fail: a failure passes it, a pass fails it."""
    _ztest().expected[(suite, test)] = ZTEST_EXPECTED_RESULT_FAIL


def ZTEST_EXPECT_SKIP(suite: str, test: str) -> None:
    _ztest().expected[(suite, test)] = ZTEST_EXPECTED_RESULT_SKIP


# -- results --------------------------------------------------------------------------------


def _bail(what: str, zt: _Ztest) -> None:
    printk(" ERROR: cannot %s in test phase '%s()', bailing\n", what,
           _PHASE_NAMES[zt.cur_phase])
    zt.test_status = S.ZTEST_STATUS_CRITICAL_ERROR


def _test_finalize(zt: _Ztest) -> None:
    """End the test thread, and the calling thread (unless in an ISR)."""
    from zpy.kernel.thread import k_current_get, k_thread_abort

    if zt.ztest_thread is not None:
        k_thread_abort(zt.ztest_thread)
    if isr_cpu() is not None:
        return
    me = k_current_get()
    if me is not None:
        k_thread_abort(me)


def ztest_test_fail() -> None:
    zt = _ztest()
    if zt.cur_phase == P.TEST_PHASE_SETUP:
        zt.test_result = R.ZTEST_RESULT_SUITE_FAIL
    elif zt.cur_phase in (P.TEST_PHASE_BEFORE, P.TEST_PHASE_TEST):
        zt.test_result = R.ZTEST_RESULT_FAIL
        _test_finalize(zt)
    else:
        _bail("fail", zt)


def ztest_test_pass() -> None:
    zt = _ztest()
    if zt.cur_phase == P.TEST_PHASE_TEST:
        zt.test_result = R.ZTEST_RESULT_PASS
        _test_finalize(zt)
    else:
        _bail("pass", zt)
        if zt.cur_phase == P.TEST_PHASE_BEFORE:
            _test_finalize(zt)


def ztest_test_skip() -> None:
    zt = _ztest()
    if zt.cur_phase == P.TEST_PHASE_SETUP:
        zt.test_result = R.ZTEST_RESULT_SUITE_SKIP
    elif zt.cur_phase in (P.TEST_PHASE_BEFORE, P.TEST_PHASE_TEST):
        zt.test_result = R.ZTEST_RESULT_SKIP
        _test_finalize(zt)
    else:
        _bail("skip", zt)


def ztest_test_expect_fail() -> None:
    _ztest().failed_expectation = True


def ztest_skip_failed_assumption() -> None:
    if _config("CONFIG_ZTEST_FAIL_ON_ASSUME"):
        _ztest().current_test_failed_assumption = True
    ztest_test_skip()


# -- tc_util.h --------------------------------------------------------------------------------


def TC_PRINT(fmt: str, *args: Any) -> None:
    printk(fmt, *args)


def TC_ERROR(fmt: str, *args: Any) -> None:
    """A failure note: 'FAIL - <function>@<line>. ', then the message."""
    caller = sys._getframe(1)
    printk("%s - %s@%d. ", "FAIL", caller.f_code.co_name, caller.f_lineno)
    printk(fmt, *args)


# -- 1cpu tests (z_test_1cpu_start / z_test_1cpu_stop) --------------------------------------


def z_test_1cpu_start() -> None:
    """From now on the test has one CPU: the others start no thread until
    z_test_1cpu_stop(). Zephyr parks a spinning thread with interrupts locked on each
    other CPU; zpy takes them offline instead, so that virtual time still moves only
    when every CPU waits (a spinning holder would make it run on by itself)."""
    current_kernel().sched.hold_other_cpus(True)


def z_test_1cpu_stop() -> None:
    current_kernel().sched.hold_other_cpus(False)


def ztest_simple_1cpu_before(data: Any) -> None:
    z_test_1cpu_start()


def ztest_simple_1cpu_after(data: Any) -> None:
    z_test_1cpu_stop()


# -- running ----------------------------------------------------------------------------------


def _print_line() -> None:
    printk("=" * 67 + "\n")


def _run_test_functions(zt: _Ztest, test: ztest_unit_test, data: Any) -> None:
    zt.cur_phase = P.TEST_PHASE_TEST
    if test.takes_fixture:
        test.test(data)
    else:
        test.test()


def _test_cb(suite: ztest_suite_node, test: ztest_unit_test, data: Any) -> None:
    from zpy.kernel.thread import K_USER, k_is_user_context, k_thread_user_mode_enter

    zt = _ztest()
    if not _config("CONFIG_USERSPACE") or not k_is_user_context():
        zt.test_result = R.ZTEST_RESULT_PENDING
        if suite.before is not None:
            suite.before(data)
        if _config("CONFIG_USERSPACE") and test.thread_options & K_USER:
            k_thread_user_mode_enter(_test_cb, suite, test, data)
    _run_test_functions(zt, test, data)
    zt.test_result = R.ZTEST_RESULT_PASS


def _final_result(zt: _Ztest, test: ztest_unit_test, ret: int) -> int:
    expected = zt.expected.get((test.test_suite_name, test.name))
    if expected == ZTEST_EXPECTED_RESULT_FAIL:
        return TC_PASS if ret == TC_FAIL else TC_FAIL
    if expected == ZTEST_EXPECTED_RESULT_SKIP:
        return TC_PASS if ret == TC_SKIP else TC_FAIL
    return ret


def _run_test(suite: ztest_suite_node, test: ztest_unit_test, data: Any) -> int:
    from zpy.kernel import (
        K_FOREVER,
        K_INHERIT_PERMS,
        k_busy_wait,
        k_cyc_to_ms_ceil32,
        k_cycle_get_32,
        k_thread,
        k_thread_abort,
        k_thread_create,
        k_thread_join,
        k_thread_name_set,
        k_thread_start,
    )

    zt = _ztest()
    verbose = bool(_config("CONFIG_ZTEST_VERBOSE_OUTPUT"))
    delay_ms = int(_config("CONFIG_ZTEST_TEST_DELAY_MS", 0))
    if delay_ms > 0:
        k_busy_wait(delay_ms * 1000)
    if verbose:
        printk("START - %s\n", test.name)
    zt.cur_phase = P.TEST_PHASE_BEFORE
    start = k_cycle_get_32()
    thread = k_thread()
    zt.ztest_thread = thread
    k_thread_create(thread, None, 0, _test_cb, suite, test, data,
                    int(_config("CONFIG_ZTEST_THREAD_PRIORITY", -1)),
                    K_INHERIT_PERMS, K_FOREVER)
    limit = int(_config("CONFIG_THREAD_MAX_NAME_LEN", 32))
    k_thread_name_set(thread, test.name[: limit - 1])
    if zt.test_result not in (R.ZTEST_RESULT_SUITE_SKIP, R.ZTEST_RESULT_SUITE_FAIL):
        k_thread_start(thread)
        k_thread_join(thread, K_FOREVER)
    zt.cur_phase = P.TEST_PHASE_AFTER
    if suite.after is not None:
        suite.after(data)
    spent = k_cyc_to_ms_ceil32((k_cycle_get_32() - start) & 0xFFFFFFFF)
    test.stats.duration_worst_ms = max(test.stats.duration_worst_ms, spent)
    zt.cur_phase = P.TEST_PHASE_FRAMEWORK
    ret = TC_PASS
    if zt.test_result in (R.ZTEST_RESULT_FAIL, R.ZTEST_RESULT_SUITE_FAIL) \
            or zt.failed_expectation:
        ret = TC_FAIL
        zt.failed_expectation = False
    elif zt.test_result in (R.ZTEST_RESULT_SKIP, R.ZTEST_RESULT_SUITE_SKIP):
        ret = TC_SKIP
    k_thread_abort(thread)  # cleanup_test: nothing of the test thread may linger
    zt.ztest_thread = None
    ret = _final_result(zt, test, ret)
    if verbose:
        printk(" %s - %s in %u.%03u seconds\n", _RESULT_STR[ret], test.name, spent // 1000,
               spent % 1000)
        _print_line()
    if ret == TC_SKIP and zt.current_test_failed_assumption:
        zt.test_status = S.ZTEST_STATUS_HAS_FAILURE
    return ret


def _shuffled(zt: _Ztest, items: list[Any], shuffle: bool) -> list[Any]:
    """z_ztest_shuffle: Fisher-Yates with sys_rand32_get()'s numbers. As Zephyr's test random
    generator, the seed is the cycle counter when the first shuffle happens: virtual time
    makes it the same on every run of an image, so a shuffled order can be repeated."""
    from zpy.kernel import k_cycle_get_32

    items = list(items)
    if shuffle:
        if zt.rand is None:
            zt.rand = random.Random(k_cycle_get_32())
        for i in range(len(items) - 1, 0, -1):
            j = zt.rand.getrandbits(32) % (i + 1)
            items[i], items[j] = items[j], items[i]
    return items


def _run_suite(suite: ztest_suite_node | None, shuffle: bool, suite_iter: int, case_iter: int,
               param: Any = None) -> int:
    """z_ztest_run_test_suite_ptr: one suite, every test `case_iter` times; the failures."""
    zt = _ztest()
    fail_fast = bool(_config("CONFIG_ZTEST_FAIL_FAST"))
    if fail_fast and zt.test_status != S.ZTEST_STATUS_OK:
        return int(zt.test_status)
    if suite is None:
        zt.test_status = S.ZTEST_STATUS_CRITICAL_ERROR
        return -1
    printk("Running TESTSUITE %s\n", suite.name)
    _print_line()
    zt.current_test_failed_assumption = False
    zt.test_result = R.ZTEST_RESULT_PENDING
    zt.cur_phase = P.TEST_PHASE_SETUP
    data = None
    if zt.test_result != R.ZTEST_RESULT_SUITE_FAIL and suite.setup is not None:
        data = suite.setup()
    if param is not None:
        data = param
    fail = 0
    for _ in range(case_iter):
        for test in _shuffled(zt, zt.tests_in_order(), shuffle):
            if test.test_suite_name != suite.name:
                continue
            test.stats.run_count += 1
            result = _run_test(suite, test, data)
            if result == TC_PASS:
                test.stats.pass_count += 1
            elif result == TC_SKIP:
                test.stats.skip_count += 1
            else:
                test.stats.fail_count += 1
                fail += 1
            if (fail and fail_fast) or zt.test_status == S.ZTEST_STATUS_CRITICAL_ERROR:
                break
        if zt.test_status == S.ZTEST_STATUS_OK and fail:
            zt.test_status = S.ZTEST_STATUS_HAS_FAILURE
    if fail:
        printk("TESTSUITE %s failed.\n", suite.name)
    else:
        printk("TESTSUITE %s succeeded\n", suite.name)
    zt.cur_phase = P.TEST_PHASE_TEARDOWN
    if suite.teardown is not None:
        suite.teardown(data)
    return fail


def z_ztest_run_test_suite(name: str, shuffle: bool = False, suite_iter: int = 1,
                           case_iter: int = 1, param: Any = None) -> int:
    """Run one suite by name; the number of failed tests."""
    return _run_suite(_ztest().suites.get(name), shuffle, suite_iter, case_iter, param)


def ztest_run_test_suite(suite: str, shuffle: bool = False, suite_iter: int = 1,
                         case_iter: int = 1, param: Any = None) -> int:
    """ztest_run_test_suite(suite, shuffle, suite_iter, case_iter, param)."""
    return z_ztest_run_test_suite(suite, shuffle, suite_iter, case_iter, param)


def _run_suite_counted(suite: ztest_suite_node, state: Any, shuffle: bool, suite_iter: int,
                       case_iter: int) -> int:
    """__ztest_run_test_suite: the suite `suite_iter` times, when its predicate lets it."""
    count = 0
    for _ in range(suite_iter):
        if suite.predicate is None or suite.predicate(state):
            fail = _run_suite(suite, shuffle, suite_iter, case_iter)
            count += 1
            suite.stats.run_count += 1
            suite.stats.fail_count += 1 if fail else 0
        else:
            suite.stats.skip_count += 1
    return count


def ztest_run_test_suites(state: Any = None, shuffle: bool = False, suite_iter: int = 1,
                          case_iter: int = 1) -> int:
    """Every suite whose predicate accepts `state`; the number of suites run."""
    zt = _ztest()
    count = 0
    if zt.test_status == S.ZTEST_STATUS_CRITICAL_ERROR:
        return count
    fail_fast = bool(_config("CONFIG_ZTEST_FAIL_FAST"))
    suites = _shuffled(zt, zt.suites_in_order(), shuffle)
    for suite in suites:
        for test in zt.tests_of(suite.name):
            test.stats = ztest_unit_test_stats()
    for suite in suites:
        count += _run_suite_counted(suite, state, shuffle, suite_iter, case_iter)
        if zt.test_status == S.ZTEST_STATUS_CRITICAL_ERROR or (
                zt.test_status == S.ZTEST_STATUS_HAS_FAILURE and fail_fast):
            break
    return count


def ztest_run_all(state: Any = None, shuffle: bool = False, suite_iter: int = 1,
                  case_iter: int = 1) -> None:
    ztest_run_test_suites(state, shuffle, suite_iter, case_iter)


def ztest_verify_all_test_suites_ran() -> None:
    zt = _ztest()
    if _config("CONFIG_ZTEST_VERIFY_RUN_ALL"):
        all_ran = True
        for suite in zt.suites_in_order():
            if suite.stats.run_count < 1:
                printk("ERROR: Test suite '%s' did not run.\n", suite.name)
                all_ran = False
        for test in zt.tests_in_order():
            if test.test_suite_name not in zt.suites:
                printk("ERROR: Test '%s' assigned to test suite '%s' which doesn't exist\n",
                       test.name, test.test_suite_name)
                all_ran = False
        if not all_ran:
            zt.test_status = S.ZTEST_STATUS_HAS_FAILURE
    for test in zt.tests_in_order():
        s = test.stats
        if s.fail_count + s.pass_count + s.skip_count != s.run_count:
            printk("Bad stats for %s.%s\n", test.test_suite_name, test.name)
            zt.test_status = S.ZTEST_STATUS_HAS_FAILURE


def _iterations() -> tuple[int, int]:
    """NUM_ITER_PER_SUITE and NUM_ITER_PER_TEST."""
    if _config("CONFIG_ZTEST_REPEAT"):
        return (int(_config("CONFIG_ZTEST_SUITE_REPEAT_COUNT", 3)),
                int(_config("CONFIG_ZTEST_TEST_REPEAT_COUNT", 3)))
    if _config("CONFIG_ZTEST_SHUFFLE"):
        return (int(_config("CONFIG_ZTEST_SHUFFLE_SUITE_REPEAT_COUNT", 3)),
                int(_config("CONFIG_ZTEST_SHUFFLE_TEST_REPEAT_COUNT", 3)))
    return 1, 1


def test_main() -> None:
    """ztest's weak test_main(): every suite, then the check that each one ran."""
    suite_iter, case_iter = _iterations()
    ztest_run_all(None, bool(_config("CONFIG_ZTEST_SHUFFLE")), suite_iter, case_iter)
    ztest_verify_all_test_suites_ran()


# -- the report ---------------------------------------------------------------------------------


def _suite_summary(zt: _Ztest, suite: ztest_suite_node) -> None:
    npass = nfail = nskip = total = 0
    duration = 0
    for t in zt.tests_of(suite.name):
        total += 1
        duration += t.stats.duration_worst_ms
        if t.stats.skip_count == t.stats.run_count:
            nskip += 1
        elif t.stats.pass_count == t.stats.run_count:
            npass += 1
        else:
            nfail += 1
    if nskip == total:
        result, major, minor = TC_SKIP, 0, 0
    else:
        result = TC_FAIL if nfail else TC_PASS
        expanded = npass * 100000 // (total - nskip)
        major = expanded // 1000
        minor = (expanded - major * 1000) // 10
        if expanded - major * 1000 - minor * 10 >= 5:
            minor += 1
    printk("SUITE %s - %3d.%02d%% [%s]: pass = %d, fail = %d, skip = %d, total = %d "
           "duration = %u.%03u seconds\n", _RESULT_STR[result], major, minor, suite.name,
           npass, nfail, nskip, total, duration // 1000, duration % 1000)
    if not _config("CONFIG_ZTEST_VERBOSE_SUMMARY"):
        return
    for t in zt.tests_of(suite.name):
        s = t.stats
        if s.skip_count == s.run_count:
            r = TC_SKIP
        elif s.pass_count == s.run_count:
            r = TC_PASS
        elif s.pass_count == 0:
            r = TC_FAIL
        else:
            r = TC_FLAKY
        if r == TC_FLAKY:
            printk(" - %s - [%s.%s] - (Failed %d of %d attempts) - duration = %u.%03u seconds\n",
                   _RESULT_STR[r], t.test_suite_name, t.name, s.run_count - s.pass_count,
                   s.run_count, s.duration_worst_ms // 1000, s.duration_worst_ms % 1000)
        else:
            printk(" - %s - [%s.%s] duration = %u.%03u seconds\n", _RESULT_STR[r],
                   t.test_suite_name, t.name, s.duration_worst_ms // 1000,
                   s.duration_worst_ms % 1000)
    printk("\n")


def end_report() -> int:
    """The summary and the PROJECT EXECUTION line; returns the exit status (0 or 1)."""
    zt = _ztest()
    if _config("CONFIG_ZTEST_SUMMARY"):
        printk("\n------ TESTSUITE SUMMARY START ------\n\n")
        for suite in zt.suites_in_order():
            _suite_summary(zt, suite)
        printk("------ TESTSUITE SUMMARY END ------\n\n")
    _print_line()
    ok = zt.test_status == S.ZTEST_STATUS_OK
    printk("PROJECT EXECUTION %s\n", "SUCCESSFUL" if ok else "FAILED")
    return 0 if ok else 1


def ztest_main(app_test_main: Callable[[], Any] | None = None) -> int:
    """ztest's main(): the app's test_main() if it has one, else ztest's, then the report.
    The report ends the run (threads a test left behind do not keep it going)."""
    (app_test_main or test_main)()
    status = end_report()
    current_kernel().halt(status)
    return status


# -- expected faults and asserts (ztest_error_hook.h) -----------------------------------------

from zpy.subsys.ztest.error_hook import (  # noqa: E402  (they use the state above)
    ztest_set_assert_valid,
    ztest_set_fault_valid,
)

__all__ = [
    "TC_FAIL", "TC_PASS", "TC_SKIP", "ZTEST", "ZTEST_EXPECT_FAIL", "ZTEST_EXPECT_SKIP",
    "ZTEST_F", "ZTEST_SUITE", "ZTEST_USER", "ZTEST_USER_F", "end_report",
    "z_test_1cpu_start", "z_test_1cpu_stop", "z_ztest_run_test_suite",
    "zassert_between_inclusive", "zassert_equal", "zassert_equal_ptr", "zassert_false",
    "zassert_is_null", "zassert_mem_equal", "zassert_not_equal", "zassert_not_null",
    "zassert_not_ok", "zassert_ok", "zassert_str_equal", "zassert_true", "zassert_unreachable",
    "zassert_within", "zassume_equal", "zassume_false", "zassume_not_null", "zassume_ok",
    "zassume_true", "zexpect_equal", "zexpect_false", "zexpect_true", "ztest_main",
    "ztest_run_all", "ztest_run_test_suite", "ztest_run_test_suites",
    "ztest_set_assert_valid", "ztest_set_fault_valid", "ztest_simple_1cpu_after",
    "ztest_simple_1cpu_before", "ztest_skip_failed_assumption", "ztest_test_expect_fail",
    "ztest_test_fail", "ztest_test_pass", "ztest_test_skip", "ztest_verify_all_test_suites_ran",
]
