"""printf-style formatting with C's conversion rules, for printk, LOG_* and the shell.

Zephyr code is full of "%zu", "%lx", "%08X", "%p", "%c"; Python's % operator
rejects length modifiers and treats %u of a negative number differently. This
module turns a C format into Python pieces once (cached per format string) and
applies C's integer width rules: %u/%x of -1 print 4294967295/ffffffff, or the
64-bit values with l/ll/z/j/t.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SPEC = re.compile(
    r"%(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
    r"(?P<length>hh|h|ll|l|j|z|t|L|q)?(?P<conv>[diouxXeEfFgGcspaA%])"
)

_UNSIGNED = {"u", "o", "x", "X"}


def _bits(length: str | None) -> int:
    if length in ("l", "ll", "j", "z", "t", "q"):
        return 64
    if length == "h":
        return 16
    if length == "hh":
        return 8
    return 32


@lru_cache(maxsize=1024)
def _compile(fmt: str) -> list[tuple[str, str | None, str | None, bool, bool]]:
    """Split a C format into (literal, python_spec, conv, star_width, star_prec) parts."""
    parts: list[tuple[str, str | None, str | None, bool, bool]] = []
    pos = 0
    for m in _SPEC.finditer(fmt):
        literal = fmt[pos : m.start()].replace("%", "%%")
        pos = m.end()
        conv = m.group("conv")
        if conv == "%":
            parts.append((literal + "%%", None, None, False, False))
            continue
        flags = m.group("flags") or ""
        width = m.group("width")
        prec = m.group("prec")
        star_w = width == "*"
        star_p = prec == "*"
        length = m.group("length")
        pyconv = {"i": "d", "u": "d", "p": "s", "c": "s", "a": "e", "A": "E"}.get(conv, conv)
        spec = "%" + flags + ("*" if star_w else (width or ""))
        if prec is not None:
            spec += "." + ("*" if star_p else prec)
        spec += pyconv
        bits = _bits(length)
        parts.append((literal, spec, f"{conv}{bits}", star_w, star_p))
    parts.append((fmt[pos:].replace("%", "%%"), None, None, False, False))
    return parts


def _convert(arg: object, conv: str) -> object:
    kind, bits = conv[0], int(conv[1:])
    if kind in "diuoxX":
        if isinstance(arg, bool):
            arg = int(arg)
        if not isinstance(arg, int):
            raise TypeError(f"%{kind} expects an integer, got {type(arg).__name__}")
        mask = (1 << bits) - 1
        if kind in _UNSIGNED:
            return arg & mask
        value = arg & mask
        return value - (1 << bits) if value >> (bits - 1) else value
    if kind == "c":
        return chr(arg & 0xFF) if isinstance(arg, int) else str(arg)[:1]
    if kind == "s":
        if isinstance(arg, (bytes, bytearray, memoryview)):
            raw = bytes(arg)
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        return "(null)" if arg is None else str(arg)
    if kind == "p":
        if arg is None:
            return "(nil)"
        return f"0x{int(arg):x}" if isinstance(arg, int) else f"0x{id(arg):x}"
    return arg


def _c_alternate(spec: str, kind: str, value: object) -> tuple[str, object]:
    """C's '#' flag where Python's differs: no 0x for a zero, and octal's prefix is 0."""
    spec = spec.replace("#", "")
    if value == 0 or kind != "o":
        return (spec if value == 0 else spec.replace("%", "%#", 1)), value
    digits = "0" + format(value, "o")
    m = re.match(r"%([-+ 0]*)(\d*)", spec)
    assert m is not None
    if "0" in m.group(1) and "-" not in m.group(1) and m.group(2):
        digits = digits.zfill(int(m.group(2)))
    return spec.replace("0", "", m.group(1).count("0"))[:-1] + "s", digits


def c_format(fmt: str, *args: object) -> str:
    """Format like C's printf (Zephyr's cbprintf). Raises TypeError on a wrong argument count."""
    if not args and "%" not in fmt:
        return fmt
    out = []
    it = iter(args)
    try:
        for literal, spec, conv, star_w, star_p in _compile(fmt):
            if spec is None:
                out.append(literal % ())
                continue
            values: list[object] = []
            if star_w:
                values.append(int(next(it)))  # type: ignore[call-overload]
            if star_p:
                values.append(int(next(it)))  # type: ignore[call-overload]
            assert conv is not None
            value = _convert(next(it), conv)
            if "#" in spec and conv[0] in "oxX":
                spec, value = _c_alternate(spec, conv[0], value)
            values.append(value)
            out.append(literal % () + spec % tuple(values))
    except StopIteration:
        raise TypeError(f"not enough arguments for format string {fmt!r}") from None
    return "".join(out)
