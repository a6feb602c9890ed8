"""Argument splitting, strtol and history, without an image."""

from __future__ import annotations

import pytest

from zpy import errno
from zpy.subsys.shell.history import ShellHistory
from zpy.subsys.shell.utils import make_argv, shell_strtol, shell_strtoul, split_first, strtol


@pytest.mark.parametrize("line, argv, quote", [
    ("a b  c", ["a", "b", "c"], ""),
    ("'a b' \"c d\"", ["a b", "c d"], ""),
    ('x\\ y \\"z', ["x y", '"z'], ""),
    ('"in \\"q\\" x"', ['in "q" x'], ""),
    ('"\\x41\\x4a\\0101"', ["AJA"], ""),
    ('"\\q"', ["\\q"], ""),
    ("ab'cd ef'gh", ["abcd efgh"], ""),
    ('"open end', ["open end"], '"'),
    ("   ", [], ""),
])
def test_make_argv(line, argv, quote):
    assert make_argv(line, 20) == (argv, quote)


def test_split_first_keeps_the_rest_raw():
    assert split_first("  cmd  a 'b c'  ") == (2, "cmd", "a 'b c'  ", "")
    assert split_first("cmd   ") == (1, "cmd", "", "")
    assert split_first("  ") == (0, "", "", "")
    assert split_first("'a b") == (1, "a b", "", "'")


@pytest.mark.parametrize("text, value, used", [
    ("42", 42, 2), ("  -7", -7, 4), ("+3x", 3, 2), ("abc", 0, 0), ("", 0, 0),
    ("0x10", 0, 1), ("99999999999999999999", (1 << 63) - 1, 20),
])
def test_strtol_reads_like_c(text, value, used):
    got, n, _ = strtol(text, 10)
    assert (got, n) == (value, used)


def test_shell_strtol_reports_errors_as_c_out_parameter():
    assert shell_strtol("12") == (12, 0)
    assert shell_strtol("12x") == (0, -errno.EINVAL)
    assert shell_strtol("0x1f", 16) == (31, 0)
    assert shell_strtoul("-1") == (0, -errno.EINVAL)
    assert shell_strtol("99999999999999999999") == (0, -errno.ERANGE)


def test_history_newest_first_no_repeats_and_bounded():
    h = ShellHistory(100)
    for line in ("one", "two", "two", "three"):
        h.put(line)
    assert [h.get(True), h.get(True), h.get(True), h.get(True)] == ["three", "two", "one", None]
    h.put("x" * 60)  # 80 bytes with its header: only it fits
    assert h.get(True) == "x" * 60 and h.get(True) is None
    h.put("")
    assert h.get(False) is None
