"""<zephyr/sys/__assert.h>: __ASSERT, __ASSERT_NO_MSG and assert_post_action.

With CONFIG_ASSERT a false condition prints Zephyr's "ASSERTION FAIL [cond] @
file:line" and the message, then calls assert_post_action(): the app's own if
it defines one, ztest's with CONFIG_ZTEST_ASSERT_HOOK, else Zephyr's default,
a kernel panic (an oops in a user thread). Without CONFIG_ASSERT it checks
nothing, as the C macro compiles to nothing.

The condition's text (C's #test) is read back from the caller's source line,
which the assertion helpers of ztest use as well.
"""

from __future__ import annotations

import ast
import linecache
import os
import sys
from types import FrameType
from typing import Any

from zpy.kernel.cformat import c_format
from zpy.kernel.context import current_kernel
from zpy.kernel.printk import printk


def relative_filename(path: str) -> str:
    """A source path as the user gave it (relative to the current folder when inside it)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def call_arg_sources(frame: FrameType, prefix: str) -> list[str]:
    """The source text of the arguments of the call at `frame`'s line to a function whose
    name starts with `prefix` (C's #a stringification of macro arguments)."""
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    text = ""
    for extra in range(12):
        text += linecache.getline(filename, lineno + extra)
        try:
            tree = ast.parse(text.strip())
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith(prefix):
                return [ast.get_source_segment(text.strip(), a) or "?" for a in node.args]
        break
    return []


def caller_frame(module_globals: dict[str, Any]) -> FrameType:
    """The first frame outside the module whose globals are given (the code that asserted)."""
    frame = sys._getframe(1)
    while frame.f_globals is module_globals and frame.f_back is not None:
        frame = frame.f_back
    return frame


def assert_post_action(file: str, line: int) -> None:
    """Zephyr's default: a failed assertion is a kernel panic (an oops in user mode)."""
    from zpy.kernel import k_oops, k_panic
    from zpy.kernel.thread import k_is_user_context

    if current_kernel().config.get("CONFIG_USERSPACE") and k_is_user_context():
        k_oops()
    k_panic()


def _post_action(file: str, line: int) -> None:
    kernel = current_kernel()
    action = kernel.strong_symbols.get("assert_post_action")
    if action is None and kernel.config.get("CONFIG_ZTEST_ASSERT_HOOK"):
        from zpy.subsys.ztest.error_hook import assert_post_action as action
    (action or assert_post_action)(file, line)


def _assert_failed(msg: str | None, args: tuple[Any, ...]) -> None:
    frame = caller_frame(globals())
    sources = call_arg_sources(frame, "__ASSERT")
    file = relative_filename(frame.f_code.co_filename)
    printk("ASSERTION FAIL [%s] @ %s:%d\n", sources[0] if sources else "?", file,
           frame.f_lineno)
    if msg is not None:
        printk("\t%s\n", c_format(msg, *args))
    _post_action(file, frame.f_lineno)


def __ASSERT(test: Any, fmt: str, *args: Any) -> None:
    if current_kernel().config.get("CONFIG_ASSERT") and not test:
        _assert_failed(fmt, args)


def __ASSERT_NO_MSG(test: Any) -> None:
    if current_kernel().config.get("CONFIG_ASSERT") and not test:
        _assert_failed(None, ())


__all__ = ["__ASSERT", "__ASSERT_NO_MSG", "assert_post_action"]
