"""<zephyr/ztest_assert.h>: zassert_*, zassume_* and zexpect_*.

A failed check prints Zephyr's line ("Assertion failed at file:line: suite_test:
default message", the default message in parentheses when the test gave its
own), then the test's message, then ends the test as ztest_test_fail() does: the
test thread and the calling one end; in setup or an ISR the call returns, as C's
macro does. A failed zassume skips the test; a failed zexpect marks it failed
and lets it go on.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType
from typing import Any

from zpy.kernel.cformat import c_format
from zpy.kernel.printk import printk
from zpy.kernel.sys_assert import call_arg_sources, caller_frame, relative_filename

_KIND_ACTION = {"Assertion": "ztest_test_fail", "Assumption": "ztest_skip_failed_assumption",
                "Expectation": "ztest_test_expect_fail"}


def _func_name(code: CodeType) -> str:
    """C's __func__ of a ZTEST(suite, name) body is suite_name."""
    from zpy.subsys import ztest

    name = str(code.co_name)
    for t in ztest._ztest().tests:
        if getattr(t.test, "__code__", None) is code:
            return f"{t.test_suite_name}_{name}"
    return name


def _failed(kind: str, default_msg: Callable[[list[str]], str], msg: str | None,
            args: tuple[Any, ...]) -> bool:
    from zpy.subsys import ztest

    frame = caller_frame(globals())
    sources = call_arg_sources(frame, "z") + ["?"] * 4
    text = default_msg(sources)
    if msg is not None:
        text = f"({text})"
    printk("\n    %s failed at %s:%d: %s: %s\n", kind, relative_filename(frame.f_code.co_filename),
           frame.f_lineno, _func_name(frame.f_code), text)
    printk("%s\n", c_format(msg, *args) if msg else "")
    getattr(ztest, _KIND_ACTION[kind])()
    return False


def _check(cond: Any, default_msg: Callable[[list[str]], str], msg: str | None,
           args: tuple[Any, ...], kind: str = "Assertion") -> bool:
    return True if cond else _failed(kind, default_msg, msg, args)


def zassert_true(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(cond, lambda a: f"{a[0]} is false", msg, args)


def zassert_false(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(not cond, lambda a: f"{a[0]} is true", msg, args)


def zassert_ok(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(not cond, lambda a: f"{a[0]} is non-zero", msg, args)


def zassert_not_ok(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(cond, lambda a: f"{a[0]} is zero", msg, args)


def zassert_is_null(ptr: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(ptr is None or ptr == 0, lambda a: f"{a[0]} is not NULL", msg, args)


def zassert_not_null(ptr: Any, msg: str | None = None, *args: Any) -> bool:
    ok = ptr is not None and ptr is not False and not (isinstance(ptr, int) and ptr == 0)
    return _check(ok, lambda a: f"{a[0]} is NULL", msg, args)


def zassert_equal(a: Any, b: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(a == b, lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_not_equal(a: Any, b: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(a != b, lambda s: f"{s[0]} equal to {s[1]}", msg, args)


def zassert_equal_ptr(a: Any, b: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(a is b or a == b, lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_within(a: Any, b: Any, d: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(b - d <= a <= b + d, lambda s: f"{s[0]} not within {s[1]} +/- {s[2]}", msg,
                  args)


def zassert_between_inclusive(a: Any, lower: Any, upper: Any, msg: str | None = None,
                              *args: Any) -> bool:
    return _check(lower <= a <= upper,
                  lambda s: f"{s[0]} not between {s[1]} and {s[2]} inclusive", msg, args)


def zassert_mem_equal(buf: Any, exp: Any, size: int, msg: str | None = None,
                      *args: Any) -> bool:
    return _check(bytes(memoryview(buf)[:size]) == bytes(memoryview(exp)[:size]),
                  lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_str_equal(s1: str, s2: str, msg: str | None = None, *args: Any) -> bool:
    return _check(s1 == s2, lambda s: f"{s[0]} not equal to {s[1]}", msg, args)


def zassert_unreachable(msg: str | None = None, *args: Any) -> bool:
    return _failed("Assertion", lambda a: "Reached unreachable code", msg, args)


def zassume_true(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(cond, lambda a: f"{a[0]} is false", msg, args, "Assumption")


def zassume_false(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(not cond, lambda a: f"{a[0]} is true", msg, args, "Assumption")


def zassume_ok(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(not cond, lambda a: f"{a[0]} is non-zero", msg, args, "Assumption")


def zassume_equal(a: Any, b: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(a == b, lambda s: f"{s[0]} not equal to {s[1]}", msg, args, "Assumption")


def zassume_not_null(ptr: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(ptr is not None, lambda a: f"{a[0]} is NULL", msg, args, "Assumption")


def zexpect_true(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(cond, lambda a: f"{a[0]} is false", msg, args, "Expectation")


def zexpect_false(cond: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(not cond, lambda a: f"{a[0]} is true", msg, args, "Expectation")


def zexpect_equal(a: Any, b: Any, msg: str | None = None, *args: Any) -> bool:
    return _check(a == b, lambda s: f"{s[0]} not equal to {s[1]}", msg, args, "Expectation")
