"""Command-line parsing and number helpers of the shell (subsys/shell/shell_utils.c).

Splitting follows Zephyr's rules: arguments are separated by whitespace;
single or double quotes group words and are removed; a backslash outside
quotes keeps the next character as is; inside quotes `\\"` (or `\\'`) is the
quote itself and `\\0oo` / `\\xhh` are octal / hex bytes. An unterminated quote
is reported by the caller ("not terminated: <quote>").
"""

from __future__ import annotations

from zpy import errno

_SPACE = " \t\n\r\x0b\x0c"


def _token(s: str, i: int) -> tuple[str, int, str]:
    """Parse one argument starting at s[i] (not whitespace): (text, end index, open quote)."""
    out: list[str] = []
    quote = ""
    n = len(s)
    while i < n:
        c = s[i]
        if not quote:
            if c == "\\":
                if i + 1 < n:
                    out.append(s[i + 1])
                i += 2
                continue
            if c in "'\"":
                quote = c
                i += 1
                continue
            if c in _SPACE:
                break
            out.append(c)
            i += 1
            continue
        if c == quote:
            quote = ""
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            t = s[i + 1]
            if t == quote:
                out.append(t)
                i += 2
                continue
            if t in "0x":
                digits = "01234567" if t == "0" else "0123456789abcdefABCDEF"
                width = 3 if t == "0" else 2
                j = i + 2
                while j < n and j < i + 2 + width and s[j] in digits:
                    j += 1
                if j > i + 2:
                    out.append(chr(int(s[i + 2 : j], 8 if t == "0" else 16) & 0xFF))
                    i = j
                    continue
        out.append(c)
        i += 1
    return "".join(out), i, quote


def split_first(s: str) -> tuple[int, str, str, str]:
    """(argc, first argument, rest, open quote): argc 0 for a blank line, 1 when nothing follows,
    2 when more follows. `rest` starts at the next argument, unparsed (for raw arguments)."""
    i, n = 0, len(s)
    while i < n and s[i] in _SPACE:
        i += 1
    if i == n:
        return 0, "", "", ""
    text, end, quote = _token(s, i)
    while end < n and s[end] in _SPACE:
        end += 1
    if end == n:
        return 1, text, "", quote
    return 2, text, s[end:], quote


def make_argv(s: str, max_argc: int) -> tuple[list[str], str]:
    """Every argument of s (at most max_argc + 1, so callers can tell "too many"), and the
    quote left open at the end."""
    argv: list[str] = []
    quote = ""
    i, n = 0, len(s)
    while i < n:
        if s[i] in _SPACE:
            i += 1
            continue
        if len(argv) > max_argc:
            break
        text, i, quote = _token(s, i)
        argv.append(text)
    return argv, quote


def spaces_trim(s: str) -> str:
    """Leading and trailing whitespace off (z_shell_cmd_trim)."""
    return s.strip(_SPACE)


def is_space(c: str) -> bool:
    return c in _SPACE and c != ""


# -- numbers ----------------------------------------------------------------------------

LONG_MAX = (1 << 63) - 1
LONG_MIN = -(1 << 63)
ULONG_MAX = (1 << 64) - 1


def strtol(s: str, base: int = 10) -> tuple[int, int, bool]:
    """C's strtol: (value, characters consumed, overflowed). Non-numeric text reads as 0."""
    i, n = 0, len(s)
    while i < n and s[i] in _SPACE:
        i += 1
    neg = False
    if i < n and s[i] in "+-":
        neg = s[i] == "-"
        i += 1
    if base in (0, 16) and s[i : i + 2].lower() == "0x" and i + 2 < n and \
            s[i + 2] in "0123456789abcdefABCDEF":
        i += 2
        base = 16
    elif base == 0:
        base = 8 if s[i : i + 1] == "0" else 10
    start = i
    value = 0
    while i < n:
        d = s[i]
        if d.isdigit() and d.isascii():
            v = ord(d) - 48
        elif d.isascii() and d.isalpha():
            v = ord(d.lower()) - 87
        else:
            break
        if v >= base:
            break
        value = value * base + v
        i += 1
    if i == start:
        return 0, 0, False
    value = -value if neg else value
    if value > LONG_MAX:
        return LONG_MAX, i, True
    if value < LONG_MIN:
        return LONG_MIN, i, True
    return value, i, False


def shell_strtol(s: str, base: int = 10, err: int = 0) -> tuple[int, int]:
    """(value, err): err becomes -EINVAL for text that is not all a number, -ERANGE on overflow
    (and keeps the err passed in otherwise, as the C out-parameter does)."""
    value, used, over = strtol(s, base)
    if over:
        return 0, -errno.ERANGE
    if used == 0 or used != len(s):
        return 0, -errno.EINVAL
    return value, err


def shell_strtoul(s: str, base: int = 10, err: int = 0) -> tuple[int, int]:
    if s.startswith("-"):
        return 0, -errno.EINVAL
    value, used, over = strtol(s, base)
    if over or value > ULONG_MAX:
        return 0, -errno.ERANGE
    if used == 0 or used != len(s):
        return 0, -errno.EINVAL
    return value, err


def shell_strtobool(s: str, base: int = 10, err: int = 0) -> tuple[bool, int]:
    if s in ("on", "enable", "true"):
        return True, err
    if s in ("off", "disable", "false"):
        return False, err
    value, err = shell_strtoul(s, base, err)
    return bool(value), err
