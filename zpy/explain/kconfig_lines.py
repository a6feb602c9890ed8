"""Where a Kconfig property is written: the file:line of a `default`, `depends on`,
`select`, `imply`, `range` or enclosing `if`.

kconfiglib keeps the location of each menu node (the `config` line) but not of
the properties inside it, and it removes `if` blocks once their condition has
been pushed down onto the entries. This module reads the Kconfig files again,
line by line, to find those lines. It is a locator, not a parser: kconfiglib
has already checked the syntax, and when this module cannot tell, callers fall
back on the node's own location.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Keywords that start a new entry (and so end the properties of the one before).
_ENTRY = frozenset({"config", "menuconfig", "choice", "endchoice", "comment", "menu", "endmenu",
                    "if", "endif", "source", "rsource", "osource", "orsource", "mainmenu"})
#: Keywords whose property adds to MenuNode.defaults, in kconfiglib's order.
DEFAULT_KEYWORDS = frozenset({"default", "def_bool", "def_tristate", "def_int", "def_hex",
                              "def_string"})
_OPEN = {"if": "endif", "menu": "endmenu", "choice": "endchoice"}
_WORD = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class Line:
    """One logical line: its first keyword and the text after it."""

    lineno: int
    keyword: str
    text: str

    def words(self) -> set[str]:
        return set(_WORD.findall(self.text))


def _strip_comment(line: str) -> str:
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == "\\":
                continue
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#":
            return line[:i]
    return line


def _indent(line: str) -> int:
    expanded = line.expandtabs()
    return len(expanded) - len(expanded.lstrip())


class KconfigFile:
    """The logical lines of one Kconfig file (continuations joined, help text skipped)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[Line] = []
        try:
            raw = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        i = 0
        while i < len(raw):
            start = i
            text = raw[i]
            while text.endswith("\\") and i + 1 < len(raw):
                i += 1
                text = text[:-1] + " " + raw[i]
            i += 1
            words = _strip_comment(text).split(None, 1)
            if not words:
                continue
            keyword, rest = words[0], " ".join(words[1].split()) if len(words) > 1 else ""
            if keyword == "depends" and rest.startswith("on"):
                rest = rest[2:].strip()
            self.lines.append(Line(start + 1, keyword, rest))
            if keyword in ("help", "---help---"):
                i = _skip_help(raw, i)

    def entry_props(self, lineno: int) -> list[Line]:
        """The property lines of the entry that starts at `lineno`."""
        props = []
        for line in self.lines:
            if line.lineno <= lineno:
                continue
            if line.keyword in _ENTRY:
                break
            props.append(line)
        return props

    def enclosing(self, lineno: int) -> list[Line]:
        """The if/menu/choice lines whose block holds `lineno`, innermost first."""
        stack: list[Line] = []
        for line in self.lines:
            if line.lineno >= lineno:
                break
            if line.keyword in _OPEN:
                stack.append(line)
            elif stack and line.keyword == _OPEN[stack[-1].keyword]:
                stack.pop()
        return stack[::-1]


def _skip_help(raw: list[str], i: int) -> int:
    """The index of the first line after the help text that starts at raw[i]."""
    while i < len(raw) and not raw[i].strip():
        i += 1
    if i == len(raw) or _indent(raw[i]) == 0:
        return i
    indent = _indent(raw[i])
    while i < len(raw) and (not raw[i].strip() or _indent(raw[i]) >= indent):
        i += 1
    return i


class Locator:
    """Finds property lines in the Kconfig tree of one build (each file read once)."""

    def __init__(self, srctree: Path) -> None:
        self.srctree = srctree
        self._files: dict[Path, KconfigFile] = {}

    def path(self, filename: str) -> Path:
        """kconfiglib's file names are relative to $srctree unless absolute."""
        path = Path(filename)
        return path if path.is_absolute() else self.srctree / path

    def file(self, filename: str | Path) -> KconfigFile:
        path = self.path(str(filename))
        if path not in self._files:
            self._files[path] = KconfigFile(path)
        return self._files[path]

    def property_line(self, filename: str, entry_line: int, keywords: frozenset[str],
                      index: int = 0, first_word: str | None = None) -> int | None:
        """The line of the index-th property with one of `keywords` in the entry at
        entry_line (with `first_word`: only those whose text starts with that word)."""
        found = [line for line in self.file(filename).entry_props(entry_line)
                 if line.keyword in keywords
                 and (first_word is None or line.text.split(None, 1)[:1] == [first_word])]
        return found[index].lineno if index < len(found) else None

    def dependency_line(self, filename: str, entry_line: int, names: set[str],
                        include_path: tuple[tuple[str, int], ...] = ()
                        ) -> tuple[str, int] | None:
        """Where a dependency on `names` is written for the entry at entry_line: its own
        `depends on`, else the innermost enclosing `if`, or `depends on` of a menu or
        choice, in this file or around the `source` lines that led to it."""
        own = [line for line in self.file(filename).entry_props(entry_line)
               if line.keyword == "depends" and names <= line.words()]
        if own:
            return filename, own[0].lineno
        for file, lineno in ((filename, entry_line), *reversed(include_path)):
            for block in self.file(file).enclosing(lineno):
                if block.keyword == "if" and names <= block.words():
                    return file, block.lineno
                if block.keyword in ("menu", "choice"):
                    deps = [p for p in self.file(file).entry_props(block.lineno)
                            if p.keyword == "depends" and names <= p.words()]
                    if deps:
                        return file, deps[0].lineno
        return None
