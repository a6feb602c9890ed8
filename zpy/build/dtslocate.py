"""Find where a devicetree node or property was written, for error messages.

dtlib reports parse errors with file:line, but the errors found later (a
property of the wrong type, a missing required property, a reference to an
unknown label inside a value) name only the node path. This module reads the
preprocessed source, follows its line markers, and remembers where each node
block opens and where each property was last assigned, so that those errors
can name the user's file and line too. It is a locator, not a parser: on
anything it does not understand it simply knows less.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINEMARKER = re.compile(r'^#(?:line)?[ \t]+(\d+)[ \t]+"((?:[^"\\]|\\.)*)"')
_LABELS = re.compile(r"^(?:[A-Za-z_]\w*\s*:\s*)+")


@dataclass(frozen=True)
class Location:
    filename: str
    lineno: int


class DTSSourceMap:
    """Where nodes and properties come from in one preprocessed devicetree source."""

    def __init__(self, text: str, filename: str = "<dts>") -> None:
        #: node path -> every place a block for it opens, in order
        self.node2locs: dict[str, list[Location]] = {}
        #: (node path, property) -> where it was last assigned
        self.prop2loc: dict[tuple[str, str], Location] = {}
        #: node path -> (statement text, location) of each property statement
        self.node2statements: dict[str, list[tuple[str, Location]]] = {}
        #: every file the line markers name, plus the preprocessed file itself
        self.filenames: set[str] = {filename}
        self._label2path: dict[str, str] = {}
        self._scan(text, filename)

    # -- queries ----------------------------------------------------------------------

    def node(self, path: str) -> Location | None:
        """Where the node is first defined."""
        locs = self.node2locs.get(path)
        return locs[0] if locs else None

    def prop(self, path: str, name: str) -> Location | None:
        return self.prop2loc.get((path, name))

    def statement_with(self, path: str, needle: str) -> Location | None:
        """The last property statement of the node whose text contains `needle`."""
        for text, loc in reversed(self.node2statements.get(path, [])):
            if needle in text:
                return loc
        return None

    # -- scanning ---------------------------------------------------------------------

    def _scan(self, text: str, filename: str) -> None:
        stack: list[str | None] = []
        buf: list[str] = []
        start: Location | None = None
        in_comment = False
        lineno = 0
        for raw in text.splitlines():
            lineno += 1
            m = _LINEMARKER.match(raw)
            if m and not in_comment:
                filename, lineno = m.group(2), int(m.group(1)) - 1
                self.filenames.add(filename)
                continue
            i, n = 0, len(raw)
            while i < n:
                c = raw[i]
                if in_comment:
                    end = raw.find("*/", i)
                    if end < 0:
                        break
                    in_comment, i = False, end + 2
                    continue
                if raw.startswith("/*", i):
                    in_comment, i = True, i + 2
                    continue
                if raw.startswith("//", i):
                    break
                if start is None and not c.isspace():
                    start = Location(filename, lineno)
                if c == '"':
                    end = _string_end(raw, i)
                    buf.append(raw[i:end])
                    i = end
                    continue
                if raw.startswith("&{", i):
                    end = raw.find("}", i)
                    end = n if end < 0 else end + 1
                    buf.append(raw[i:end])
                    i = end
                    continue
                if c == "{":
                    path = self._open(stack, "".join(buf).strip())
                    if path is not None and start is not None:
                        self.node2locs.setdefault(path, []).append(start)
                    stack.append(path)
                    buf, start = [], None
                elif c == "}":
                    if stack:
                        stack.pop()
                    buf, start = [], None
                elif c == ";":
                    self._statement(stack, "".join(buf).strip(), start)
                    buf, start = [], None
                else:
                    buf.append(c)
                i += 1
            if buf:
                buf.append(" ")

    def _open(self, stack: list[str | None], header: str) -> str | None:
        header = header.replace("/omit-if-no-ref/", "").strip()
        labels = _LABELS.match(header)
        names = []
        if labels:
            names = [s.strip() for s in labels.group(0).split(":") if s.strip()]
            header = header[labels.end():].strip()
        path: str | None
        if header == "/":
            path = "/"
        elif header.startswith("&{"):
            path = header[2:].rstrip("}").strip() or None
        elif header.startswith("&"):
            path = self._label2path.get(header[1:].strip())
        elif stack and stack[-1] is not None and header:
            parent = stack[-1]
            path = ("" if parent == "/" else parent) + "/" + header
        else:
            path = None
        if path is not None:
            for label in names:
                self._label2path[label] = path
        return path

    def _statement(self, stack: list[str | None], text: str, start: Location | None) -> None:
        if not stack or stack[-1] is None or not text or start is None:
            return
        path = stack[-1]
        if text.startswith(("/delete-node/", "/delete-property/")):
            return
        name = _LABELS.sub("", text).split("=", 1)[0].strip()
        self.prop2loc[(path, name)] = start
        self.node2statements.setdefault(path, []).append((text, start))


def _string_end(line: str, i: int) -> int:
    j = i + 1
    while j < len(line):
        if line[j] == "\\":
            j += 2
            continue
        if line[j] == '"':
            return j + 1
        j += 1
    return len(line)
