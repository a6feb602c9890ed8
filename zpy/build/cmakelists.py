"""The CMake language, as far as zpy's CMakeLists reader needs it (cmake-language(7)).

zpy reads CMakeLists.txt files itself; there is no CMake. This module is the syntax
and the variables: a file is a list of command invocations `name(arguments)`;
an argument is unquoted (`src/main.c`, `${app_sources}`), quoted (`"a b"`) or a
bracket argument (`[[...]]`); `#` and `#[[...]]` are comments; parentheses
inside the arguments (`if(A AND (B OR C))`) are arguments of their own.
Command names are case-insensitive (`FILE(GLOB ...)` is `file(GLOB ...)`).

At evaluation, `${VAR}`, `$ENV{VAR}` and nested `${${VAR}}` references are
replaced (an undefined variable is empty), then each unquoted argument splits
at `;` into list items, as CMake does. A folder's variables remember which
names were read, for CMake's "Manually-specified variables were not used"
warning. Generator expressions (`$<$<BOOL:${X}>:X>`) are evaluated where zpy
needs their value (compile definitions). What the commands mean is sources.py's
business.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zpy.errors import BuildError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACKET = re.compile(r"\[(=*)\[")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TRUE = {"1", "ON", "YES", "TRUE", "Y"}
_FALSE = {"0", "OFF", "NO", "FALSE", "N", "IGNORE", "NOTFOUND", ""}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", ";": "\0"}  # \; stays one list item


@dataclass(frozen=True)
class Argument:
    text: str  # as written, escapes and variable references not yet evaluated
    quoted: bool = False  # "...": one argument, whatever it expands to
    bracket: bool = False  # [[...]]: taken literally


@dataclass(frozen=True)
class Command:
    name: str  # lower case
    args: tuple[Argument, ...]
    filename: Path
    lineno: int

    def error(self, message: str, hint: str | None = None) -> BuildError:
        return BuildError(message, filename=self.filename, lineno=self.lineno, hint=hint)

    def warning(self, message: str) -> str:
        return f"{self.filename}:{self.lineno}: warning: {message}"


def parse_cmakelists(path: Path) -> list[Command]:
    """The commands of one CMakeLists.txt; a syntax error is a BuildError at its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BuildError(f"cannot read: {getattr(e, 'strerror', None) or e}", filename=path) \
            from None
    return _Parser(text, path).commands()


class _Parser:
    def __init__(self, text: str, path: Path) -> None:
        self.text, self.path = text, path
        self.i, self.line = 0, 1

    def _error(self, message: str, line: int | None = None) -> BuildError:
        return BuildError(message, filename=self.path, lineno=line or self.line)

    def commands(self) -> list[Command]:
        out = []
        text = self.text
        while self.i < len(text):
            if self._skip_blank(newlines=True):
                continue
            m = _IDENT.match(text, self.i)
            if m is None or not _ends_word(text, m.end()):
                raise self._error("Parse error.  Expected a command name, got unquoted "
                                  f'argument with text "{self._word()}".')
            line = self.line
            self.i = m.end()
            while self.i < len(text) and text[self.i] in " \t":
                self.i += 1
            if not text.startswith("(", self.i):
                found = ("newline" if text.startswith(("\n", "\r"), self.i) or self.i == len(text)
                         else f'unquoted argument with text "{self._word()}"')
                raise self._error(f'Parse error.  Expected "(", got {found}.')
            self.i += 1
            out.append(Command(m.group(0).lower(), tuple(self._arguments(line)), self.path, line))
            self._end_of_command()
        return out

    def _word(self) -> str:
        return re.split(r'[\s()#"]', self.text[self.i:], maxsplit=1)[0]

    def _skip_blank(self, newlines: bool) -> bool:
        """Skip one blank character or comment; False if there is none here."""
        text, i = self.text, self.i
        c = text[i]
        if c == "\n" and newlines:
            self.line += 1
            self.i += 1
        elif c in " \t\r":
            self.i += 1
        elif c == "#":
            m = _BRACKET.match(text, i + 1)
            if m is not None:
                self._bracket(m)
            else:
                end = text.find("\n", i)
                self.i = len(text) if end < 0 else end
        else:
            return False
        return True

    def _end_of_command(self) -> None:
        while self.i < len(self.text) and self.text[self.i] != "\n":
            if not self._skip_blank(newlines=False):
                raise self._error("Parse error.  Expected a newline, got identifier with text "
                                  f'"{self._word()}".')

    def _arguments(self, start_line: int) -> list[Argument]:
        text = self.text
        args: list[Argument] = []
        depth = 0
        while True:
            if self.i >= len(text):
                raise self._error('Parse error.  Function missing ending ")".  '
                                  "End of file reached.", start_line)
            if self._skip_blank(newlines=True):
                continue
            c = text[self.i]
            if c == "(" or c == ")":
                self.i += 1
                if c == ")" and depth == 0:
                    return args
                depth += 1 if c == "(" else -1
                args.append(Argument(c))
            elif c == '"':
                args.append(self._quoted())
            elif (m := _BRACKET.match(text, self.i)) is not None:
                args.append(Argument(self._bracket(m), bracket=True))
            else:
                args.append(self._unquoted())

    def _quoted(self) -> Argument:
        text, start, line = self.text, self.i + 1, self.line
        i = start
        while i < len(text) and text[i] != '"':
            if text[i] == "\\":
                i += 1
            if i < len(text) and text[i] == "\n":
                self.line += 1
            i += 1
        if i >= len(text):
            first = text[start:].split("\n", 1)[0]
            raise self._error('Parse error.  Function missing ending ")".  Instead found '
                              f'unterminated string with text "{first}".', line)
        self.i = i + 1
        return Argument(text[start:i].replace("\\\n", ""), quoted=True)

    def _unquoted(self) -> Argument:
        text, i = self.text, self.i
        while i < len(text) and text[i] not in ' \t\r\n()#"':
            i += 2 if text[i] == "\\" else 1
        word, self.i = text[self.i:i], i
        return Argument(word)

    def _bracket(self, m: re.Match[str]) -> str:
        close = "]" + m.group(1) + "]"
        start = m.end() + (1 if self.text.startswith("\n", m.end()) else 0)
        end = self.text.find(close, start)
        if end < 0:
            raise self._error(f'Parse error.  Missing closing "{close}" of a bracket.')
        self.line += self.text.count("\n", self.i, end)
        self.i = end + len(close)
        return self.text[start:end]


def _ends_word(text: str, i: int) -> bool:
    """True if an identifier ending at i is a whole word (not the start of `zpy/a.py`)."""
    return i >= len(text) or text[i] in ' \t\r\n()#"'


# -- evaluation -------------------------------------------------------------------------------


class Variables(dict[str, str]):
    """The variables of one folder. Every name looked up (`${X}`, `if(DEFINED X)`, `if(X)`)
    goes into `reads`, which the folders of one build share."""

    def __init__(self, values: Mapping[str, str] | None = None, reads: set[str] | None = None
                 ) -> None:
        super().__init__(dict.copy(values) if isinstance(values, dict) else values or {})
        self.reads: set[str] = set() if reads is None else reads

    def get(self, key: str, default: Any = None) -> Any:
        self.reads.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.reads.add(key)
        return super().__contains__(key)

    def __getitem__(self, key: str) -> str:
        self.reads.add(key)
        return super().__getitem__(key)

    def child(self, **updates: str) -> Variables:
        """A copy for a subfolder (add_subdirectory), sharing `reads`."""
        out = Variables(self, self.reads)
        out.update(updates)
        return out


def expand(text: str, variables: Mapping[str, str], env: Callable[[str], str | None]) -> str:
    """`text` with its variable references replaced and escapes decoded (\\; becomes NUL,
    so that it does not split a list); ValueError if a reference is not closed."""
    out, i = _expand(text, 0, variables, env, inside=False)
    return out


def _expand(s: str, i: int, variables: Mapping[str, str], env: Callable[[str], str | None],
            inside: bool) -> tuple[str, int]:
    out = []
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(_ESCAPES.get(s[i + 1], s[i + 1]))
            i += 2
        elif c == "$" and (m := re.match(r"\$(ENV|CACHE)?\{", s[i:])) is not None:
            name, i = _expand(s, i + m.end(), variables, env, inside=True)
            if m.group(1) == "ENV":
                out.append(env(name) or "")
            else:
                out.append(variables.get(name, ""))
        elif c == "}" and inside:
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    if inside:
        raise ValueError("There is an unterminated variable reference.")
    return "".join(out), i


def evaluate(args: Sequence[Argument], variables: Mapping[str, str],
             env: Callable[[str], str | None]) -> list[str]:
    """The arguments a command receives: expanded, unquoted ones split into list items."""
    out = []
    for arg in args:
        if arg.bracket:
            out.append(arg.text)
        elif arg.quoted:
            out.append(expand(arg.text, variables, env).replace("\0", ";"))
        else:
            out += [item.replace("\0", ";")
                    for item in expand(arg.text, variables, env).split(";") if item]
    return out


def constant(value: str) -> bool | None:
    """CMake's if(<constant>): True or False, or None when `value` is not a constant."""
    upper = value.upper()
    if upper in _TRUE:
        return True
    if upper in _FALSE or upper.endswith("-NOTFOUND"):
        return False
    if _NUMBER.fullmatch(value):
        return float(value) != 0
    return None


def is_true(value: str, variables: Mapping[str, str]) -> bool:
    """CMake's if(<value>): a constant, else the name of a variable defined to a value
    that is not a false constant."""
    known = constant(value)
    if known is not None:
        return known
    defined = variables.get(value)
    return defined is not None and constant(defined) is not False


# -- if() ------------------------------------------------------------------------------------

_UNARY = ("DEFINED", "EXISTS", "IS_DIRECTORY")
_BINARY = ("STREQUAL", "EQUAL", "LESS", "GREATER", "LESS_EQUAL", "GREATER_EQUAL", "MATCHES")


def condition(args: Sequence[Argument], variables: Mapping[str, str],
              env: Callable[[str], str | None]) -> bool:
    """CMake's if(<condition>): ( ), EXISTS/DEFINED/IS_DIRECTORY, STREQUAL, EQUAL, LESS,
    GREATER (and _EQUAL), MATCHES, NOT, AND, OR, in CMake's precedence; an unquoted word
    names a variable when one is defined. ValueError for what zpy cannot evaluate."""
    tokens: list[tuple[str, bool]] = []  # (value, quoted)
    for arg in args:
        if arg.bracket or arg.quoted:
            tokens.append((evaluate([arg], variables, env)[0], True))
        else:
            tokens += [(item, False) for item in evaluate([arg], variables, env)]
    return _Condition(tokens, variables).evaluate()


class _Condition:
    def __init__(self, tokens: list[tuple[str, bool]], variables: Mapping[str, str]) -> None:
        self.tokens, self.vars, self.i = tokens, variables, 0

    def evaluate(self) -> bool:
        if not self.tokens:
            return False
        value = self._or()
        if self.i != len(self.tokens):
            raise ValueError(f"unexpected '{self.tokens[self.i][0]}'")
        return value

    def _peek(self) -> str | None:
        if self.i < len(self.tokens) and not self.tokens[self.i][1]:
            return self.tokens[self.i][0]
        return None

    def _take(self) -> tuple[str, bool]:
        if self.i >= len(self.tokens):
            raise ValueError("incomplete condition")
        self.i += 1
        return self.tokens[self.i - 1]

    def _or(self) -> bool:
        value = self._and()
        while self._peek() == "OR":
            self.i += 1
            value = self._and() or value
        return value

    def _and(self) -> bool:
        value = self._not()
        while self._peek() == "AND":
            self.i += 1
            value = self._not() and value
        return value

    def _not(self) -> bool:
        if self._peek() == "NOT":
            self.i += 1
            return not self._not()
        return self._binary()

    def _binary(self) -> bool:
        if self._peek() in _UNARY or self._peek() == "(":
            return self._unary()
        left = self._take()
        op = self._peek()
        if op not in _BINARY:
            text, quoted = left
            return constant(text) is True if quoted else is_true(text, self.vars)
        self.i += 1
        a, b = self._value(left), self._value(self._take())
        if op == "STREQUAL":
            return a == b
        if op == "MATCHES":
            try:
                return re.search(b, a) is not None
            except re.error as e:
                raise ValueError(f"MATCHES: {e}") from None
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        return {"EQUAL": x == y, "LESS": x < y, "GREATER": x > y, "LESS_EQUAL": x <= y,
                "GREATER_EQUAL": x >= y}[op]

    def _unary(self) -> bool:
        word = self._take()[0]
        if word == "(":
            value = self._or()
            if self._peek() != ")":
                raise ValueError("missing ')'")
            self.i += 1
            return value
        operand = self._take()[0]
        if word == "DEFINED":
            return operand in self.vars
        path = Path(operand)
        return path.is_dir() if word == "IS_DIRECTORY" else path.exists()

    def _value(self, token: tuple[str, bool]) -> str:
        """An operand of a comparison: a variable's value if it names one, else itself."""
        text, quoted = token
        return text if quoted else self.vars.get(text, text)


# -- generator expressions -------------------------------------------------------------------

#: Languages zpy's sources stand for: a .py file is the .c (or .cpp) file of its name.
_LANGUAGES = ("C", "CXX")


def generator_expression(text: str) -> str:
    """`text` with its generator expressions evaluated, as CMake does at generation time,
    for what a compile definition can ask: `$<0:..>`, `$<1:..>`, `$<BOOL:..>`, `$<NOT:..>`,
    `$<AND:..>`, `$<OR:..>`, `$<IF:c,a,b>`, `$<STREQUAL:a,b>`, `$<EQUAL:a,b>`,
    `$<COMPILE_LANGUAGE:C>` (true for C and CXX: zpy's sources stand for .c and .cpp files),
    `$<COMMA>`, `$<SEMICOLON>`, `$<ANGLE-R>`, and `$<cond:text>` nested in any of them.
    ValueError for anything else."""
    out, i = _genex_text(text, 0, stop="")
    return out


def _genex_text(s: str, i: int, stop: str) -> tuple[str, int]:
    """Text up to one of the `stop` characters (not consumed), expressions evaluated."""
    out = []
    while i < len(s) and s[i] not in stop:
        if s.startswith("$<", i):
            value, i = _genex(s, i + 2)
            out.append(value)
        else:
            out.append(s[i])
            i += 1
    return "".join(out), i


def _genex(s: str, i: int) -> tuple[str, int]:
    """One `$<...>` whose name starts at i: its value, and the index after its `>`."""
    name, i = _genex_text(s, i, stop=":>")
    args: list[str] = []
    if i < len(s) and s[i] == ":":
        while True:
            arg, i = _genex_text(s, i + 1, stop=",>")
            args.append(arg)
            if i >= len(s) or s[i] == ">":
                break
    if i >= len(s):
        raise ValueError(f"generator expression $<{name}... is not closed by '>'")
    return _genex_value(name, args), i + 1


def _genex_value(name: str, args: list[str]) -> str:
    whole = ",".join(args)  # one-argument expressions take commas literally

    def boolean(value: str) -> bool:
        if value not in ("0", "1"):
            raise ValueError(f"$<{name}:...> takes 0 or 1, not '{value}'")
        return value == "1"

    if name == "0":
        return ""
    if name == "1":
        return whole
    if name in ("COMMA", "SEMICOLON", "ANGLE-R") and not args:
        return {"COMMA": ",", "SEMICOLON": ";", "ANGLE-R": ">"}[name]
    if name == "BOOL":
        return "0" if constant(whole) is False else "1"
    if name == "NOT":
        return "0" if boolean(whole) else "1"
    if name in ("AND", "OR"):
        values = [boolean(a) for a in args]
        return "1" if (all(values) if name == "AND" else any(values)) else "0"
    if name == "IF" and len(args) == 3:
        return args[1] if boolean(args[0]) else args[2]
    if name == "STREQUAL" and len(args) == 2:
        return "1" if args[0] == args[1] else "0"
    if name == "EQUAL" and len(args) == 2:
        try:
            return "1" if int(args[0], 0) == int(args[1], 0) else "0"
        except ValueError:
            raise ValueError(f"$<EQUAL:...> compares integers, not '{whole}'") from None
    if name == "COMPILE_LANGUAGE":
        if not args:
            return "C"
        return "1" if any(lang in _LANGUAGES for lang in args) else "0"
    raise ValueError(f"zpy cannot evaluate the generator expression $<{name}{':' if args else ''}"
                     f"{whole}>")
