"""<zephyr/ztest.h>: ZTEST_SUITE, ZTEST, ZTEST_F, ZTEST_USER, zassert_*, zassume_*.

Suites and tests register while the image is linked; ztest's main() (used when
the app defines none) runs every suite in name order, every test of a suite in
name order, each test in its own thread, and prints what Zephyr's ztest prints,
ending with PROJECT EXECUTION SUCCESSFUL or FAILED (the run's exit status is 0
or 1 accordingly).
"""

from __future__ import annotations

import ast
import linecache
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zpy.kernel.cformat import c_format
from zpy.kernel.context import current_kernel
from zpy.kernel.printk import printk

TC_PASS = 0
TC_FAIL = 1
TC_SKIP = 2
_RESULT_STR = {TC_PASS: "PASS", TC_FAIL: "FAIL", TC_SKIP: "SKIP"}
_LINE = "=" * 67 + "\n"


class _TestFail(BaseException):
    pass


class _TestSkip(BaseException):
    pass


class _TestPass(BaseException):
    pass


@dataclass
class ztest_unit_test:
    test_suite_name: str
    name: str
    test: Callable[..., Any]
    takes_fixture: bool
    user: bool
    # stats
    run_count: int = 0
    pass_count: int = 0
    fail_count: int = 0
    skip_count: int = 0
    duration_worst_ms: int = 0


@dataclass
class ztest_suite_node:
    name: str
    predicate: Callable[[Any], bool] | None = None
    setup: Callable[[], Any] | None = None
    before: Callable[[Any], None] | None = None
    after: Callable[[Any], None] | None = None
    teardown: Callable[[Any], None] | None = None
    run_count: int = 0
    skip_count: int = 0
    fail_count: int = 0


@dataclass
class _Registry:
    suites: dict[str, ztest_suite_node] = field(default_factory=dict)
    tests: list[ztest_unit_test] = field(default_factory=list)
    failed: bool = False


def _registry() -> _Registry:
    return current_kernel().service(_Registry)


# -- registration ---------------------------------------------------------------------------


def ZTEST_SUITE(suite_name: str, predicate: Callable[[Any], bool] | None,
                setup_fn: Callable[[], Any] | None, before_fn: Callable[[Any], None] | None,
                after_fn: Callable[[Any], None] | None,
                teardown_fn: Callable[[Any], None] | None) -> ztest_suite_node:
    suite = ztest_suite_node(suite_name, predicate, setup_fn, before_fn, after_fn, teardown_fn)
    _registry().suites[suite_name] = suite
    return suite


def _register(suite: str, fixture: bool, user: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        _registry().tests.append(ztest_unit_test(suite, fn.__name__, fn, fixture, user))
        return fn

    return decorate


def ZTEST(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """@ZTEST("suite") on `def test_name():` is C's ZTEST(suite, test_name) { ... }."""
    return _register(suite, False, False)


def ZTEST_F(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The test gets the suite's fixture (what setup returned) as its argument."""
    return _register(suite, True, False)


def ZTEST_USER(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the test in a user-mode thread (k_is_user_context() is true in it)."""
    return _register(suite, False, True)


def ZTEST_USER_F(suite: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return _register(suite, True, True)


# -- outcomes -------------------------------------------------------------------------------


def ztest_test_fail() -> None:
    raise _TestFail


def ztest_test_pass() -> None:
    raise _TestPass


def ztest_test_skip() -> None:
    raise _TestSkip


def _relative(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _arg_sources(frame: Any) -> list[str]:
    """The source text of the assertion's arguments (C's #a stringification)."""
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    text = ""
    for extra in range(0, 12):
        text += linecache.getline(filename, lineno + extra)
        try:
            tree = ast.parse(text.strip())
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("z"):
                return [ast.get_source_segment(text.strip(), a) or "?" for a in node.args]
        break
    return []


def _fail(kind: str, default_msg: Callable[[list[str]], str], msg: str, args: tuple[Any, ...]) -> None:
    frame = sys._getframe(1)
    while frame.f_globals is globals():  # up to the test code that asserted
        frame = frame.f_back  # type: ignore[assignment]
    sources = _arg_sources(frame)
    kernel = current_kernel()
    reg = _registry()
    func = frame.f_code.co_name
    # C's __func__ of a ZTEST(suite, name) body is suite_name
    for t in reg.tests:
        if t.test.__code__ is frame.f_code:
            func = f"{t.test_suite_name}_{func}"
            break
    text = default_msg(sources + ["?"] * 4)
    printk("\n    %s failed at %s:%d: %s: %s\n", kind, _relative(frame.f_code.co_filename),
           frame.f_lineno, func, text)
    if msg:
        kernel.console_write(c_format(msg, *args) + "\n")
    else:
        kernel.console_write("\n")
    raise (_TestSkip if kind == "Assumption" else _TestFail)


def _check(cond: Any, default_msg: Callable[[list[str]], str], msg: str, args: tuple[Any, ...],
           kind: str = "Assertion") -> None:
    if not cond:
        _fail(kind, default_msg, msg, args)


def zassert_true(cond: Any, msg: str = "", *args: Any) -> None:
    _check(cond, lambda a: f"{a[0]} is false", msg, args)


def zassert_false(cond: Any, msg: str = "", *args: Any) -> None:
    _check(not cond, lambda a: f"{a[0]} is true", msg, args)


def zassert_ok(cond: Any, msg: str = "", *args: Any) -> None:
    _check(cond == 0, lambda a: f"{a[0]} is non-zero", msg, args)


def zassert_not_ok(cond: Any, msg: str = "", *args: Any) -> None:
    _check(cond != 0, lambda a: f"{a[0]} is zero", msg, args)


def zassert_is_null(ptr: Any, msg: str = "", *args: Any) -> None:
    _check(ptr is None or ptr == 0, lambda a: f"{a[0]} is not NULL", msg, args)


def zassert_not_null(ptr: Any, msg: str = "", *args: Any) -> None:
    _check(ptr is not None and ptr is not False and not (isinstance(ptr, int) and ptr == 0),
           lambda a: f"{a[0]} is NULL", msg, args)


def zassert_equal(a: Any, b: Any, msg: str = "", *args: Any) -> None:
    _check(a == b, lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_not_equal(a: Any, b: Any, msg: str = "", *args: Any) -> None:
    _check(a != b, lambda s: f"{s[0]} equal to {s[1]}", msg, args)


def zassert_equal_ptr(a: Any, b: Any, msg: str = "", *args: Any) -> None:
    _check(a is b or a == b, lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_within(a: Any, b: Any, d: Any, msg: str = "", *args: Any) -> None:
    _check(b - d <= a <= b + d, lambda s: f"{s[0]} not within {s[1]} +/- {s[2]}", msg, args)


def zassert_between_inclusive(a: Any, lower: Any, upper: Any, msg: str = "", *args: Any) -> None:
    _check(lower <= a <= upper,
           lambda s: f"{s[0]} not between {s[1]} and {s[2]} inclusive", msg, args)


def zassert_mem_equal(buf: Any, exp: Any, size: int, msg: str = "", *args: Any) -> None:
    _check(bytes(memoryview(buf)[:size]) == bytes(memoryview(exp)[:size]),
           lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_str_equal(s1: str, s2: str, msg: str = "", *args: Any) -> None:
    _check(s1 == s2, lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_unreachable(msg: str = "", *args: Any) -> None:
    _fail("Assertion", lambda a: "Reached unreachable code", msg, args)


def zassume_true(cond: Any, msg: str = "", *args: Any) -> None:
    _check(cond, lambda a: f"{a[0]} is false", msg, args, "Assumption")


def zassume_false(cond: Any, msg: str = "", *args: Any) -> None:
    _check(not cond, lambda a: f"{a[0]} is true", msg, args, "Assumption")


def zassume_ok(cond: Any, msg: str = "", *args: Any) -> None:
    _check(cond == 0, lambda a: f"{a[0]} is non-zero", msg, args, "Assumption")


def zassume_equal(a: Any, b: Any, msg: str = "", *args: Any) -> None:
    _check(a == b, lambda s: f"{s[0]} not equal to {s[1]}", msg, args, "Assumption")


def zassume_not_null(ptr: Any, msg: str = "", *args: Any) -> None:
    _check(ptr is not None, lambda a: f"{a[0]} is NULL", msg, args, "Assumption")


# -- running ----------------------------------------------------------------------------------


def _ms_since(start_ns: int) -> int:
    kernel = current_kernel()
    return -(-(kernel.uptime_ns() - start_ns) // 1_000_000)


def _run_test(suite: ztest_suite_node, test: ztest_unit_test, data: Any) -> int:
    from zpy.kernel.thread import (
        K_FOREVER,
        K_INHERIT_PERMS,
        K_USER,
        k_thread,
        k_thread_create,
        k_thread_join,
        k_thread_name_set,
        k_thread_start,
    )

    kernel = current_kernel()
    printk("START - %s\n", test.name)
    start = kernel.uptime_ns()
    outcome = [TC_PASS]

    def test_cb() -> None:
        try:
            if suite.before is not None:
                suite.before(data)
            if test.takes_fixture:
                test.test(data)
            else:
                test.test()
        except _TestFail:
            outcome[0] = TC_FAIL
        except _TestSkip:
            outcome[0] = TC_SKIP
        except _TestPass:
            outcome[0] = TC_PASS

    thread = k_thread()
    options = K_INHERIT_PERMS | (K_USER if test.user else 0)
    k_thread_create(thread, None, 0, test_cb, None, None, None, -1, options, K_FOREVER)
    k_thread_name_set(thread, test.name[:31])
    k_thread_start(thread)
    k_thread_join(thread, K_FOREVER)
    if kernel.fatal_exception is not None:
        outcome[0] = TC_FAIL
    if suite.after is not None:
        suite.after(data)
    duration = _ms_since(start)
    ret = outcome[0]
    test.run_count += 1
    if ret == TC_PASS:
        test.pass_count += 1
    elif ret == TC_SKIP:
        test.skip_count += 1
    else:
        test.fail_count += 1
    test.duration_worst_ms = max(test.duration_worst_ms, duration)
    printk(" %s - %s in %u.%03u seconds\n", _RESULT_STR[ret], test.name, duration // 1000,
           duration % 1000)
    if kernel.config.get("CONFIG_ZTEST_VERBOSE_OUTPUT", 1):
        printk(_LINE)
    return ret


def _tests_of(suite: str) -> list[ztest_unit_test]:
    return sorted((t for t in _registry().tests if t.test_suite_name == suite), key=lambda t: t.name)


def z_ztest_run_test_suite(name: str) -> int:
    """Run one suite; returns the number of failed tests."""
    reg = _registry()
    suite = reg.suites[name]
    fail_fast = bool(current_kernel().config.get("CONFIG_ZTEST_FAIL_FAST"))
    printk("Running TESTSUITE %s\n", suite.name)
    printk(_LINE)
    data = suite.setup() if suite.setup is not None else None
    fail = 0
    for test in _tests_of(name):
        if _run_test(suite, test, data) == TC_FAIL:
            fail += 1
            if fail_fast:
                break
    if fail:
        printk("TESTSUITE %s failed.\n", suite.name)
    else:
        printk("TESTSUITE %s succeeded\n", suite.name)
    if suite.teardown is not None:
        suite.teardown(data)
    return fail


def ztest_run_all(state: Any = None, shuffle: bool = False, suite_iter: int = 1,
                  case_iter: int = 1) -> int:
    reg = _registry()
    count = 0
    for name in sorted(reg.suites):
        suite = reg.suites[name]
        if suite.predicate is not None and not suite.predicate(state):
            suite.skip_count += 1
            continue
        fail = z_ztest_run_test_suite(name)
        count += 1
        suite.run_count += 1
        if fail:
            suite.fail_count += 1
            reg.failed = True
    return count


def ztest_verify_all_test_suites_ran() -> None:
    reg = _registry()
    for test in reg.tests:
        if test.test_suite_name not in reg.suites:
            printk("ERROR: Test '%s' assigned to test suite '%s' which doesn't exist\n",
                   test.name, test.test_suite_name)
            reg.failed = True


def _suite_summary(suite: ztest_suite_node) -> None:
    tests = _tests_of(suite.name)
    npass = sum(1 for t in tests if t.run_count and t.pass_count + t.skip_count == t.run_count
                and t.skip_count != t.run_count)
    nskip = sum(1 for t in tests if t.skip_count == t.run_count)
    nfail = len(tests) - npass - nskip
    total_ms = sum(t.duration_worst_ms for t in tests)
    if nskip == len(tests):
        result, major, minor = TC_SKIP, 0, 0
    else:
        result = TC_FAIL if nfail else TC_PASS
        expanded = npass * 100000 // (len(tests) - nskip)
        major = expanded // 1000
        minor = (expanded - major * 1000) // 10
        if expanded - major * 1000 - minor * 10 >= 5:
            minor += 1
    printk("SUITE %s - %3d.%02d%% [%s]: pass = %d, fail = %d, skip = %d, total = %d "
           "duration = %u.%03u seconds\n", _RESULT_STR[result], major, minor, suite.name,
           npass, nfail, nskip, len(tests), total_ms // 1000, total_ms % 1000)
    if current_kernel().config.get("CONFIG_ZTEST_VERBOSE_SUMMARY", 1):
        for t in tests:
            if t.skip_count == t.run_count:
                r = TC_SKIP
            elif t.pass_count + t.skip_count == t.run_count:
                r = TC_PASS
            else:
                r = TC_FAIL
            printk(" - %s - [%s.%s] duration = %u.%03u seconds\n", _RESULT_STR[r],
                   t.test_suite_name, t.name, t.duration_worst_ms // 1000,
                   t.duration_worst_ms % 1000)
        printk("\n")


def end_report() -> int:
    """The summary and the PROJECT EXECUTION line; returns the exit status (0 or 1)."""
    reg = _registry()
    printk("\n------ TESTSUITE SUMMARY START ------\n\n")
    for name in sorted(reg.suites):
        _suite_summary(reg.suites[name])
    printk("------ TESTSUITE SUMMARY END ------\n\n")
    printk(_LINE)
    ok = not reg.failed
    printk("PROJECT EXECUTION %s\n", "SUCCESSFUL" if ok else "FAILED")
    return 0 if ok else 1


def ztest_main(test_main: Callable[[], Any] | None = None) -> int:
    """ztest's main(): the app's test_main() if it has one, else run every suite. The report
    ends the run (threads a test left behind do not keep it going)."""
    if test_main is not None:
        test_main()
    else:
        ztest_run_all()
        ztest_verify_all_test_suites_ran()
    status = end_report()
    current_kernel().halt(status)
    return status
