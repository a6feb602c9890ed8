"""How explanations are printed: paths as the user typed them, labelled fields.

Every explanation keeps absolute paths (what --json gives tools); the text
shows a path relative to the current folder when it lies below it, as a
compiler names the files of the project it is run in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Width of the label column: "  label:" padded to it.
LABEL_WIDTH = 15


@dataclass(frozen=True)
class Where:
    """A line of a file (absolute path)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return short(self.file) + ("" if self.line is None else f":{self.line}")


def short(path: str | Path) -> str:
    """`path` relative to the current folder if it is below it, else unchanged."""
    try:
        rel = Path(path).relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(rel) if str(rel) != "." else str(path)


def where(filename: str | Path, line: int | None, base: Path | None = None) -> Where:
    """A Where from a file name relative to `base` (kconfiglib's $srctree) or absolute."""
    path = Path(filename)
    if base is not None and not path.is_absolute():
        path = base / path
    return Where(os.path.normpath(path), line)


def labelled(label: str, lines: str | list[str]) -> list[str]:
    """'  label:      first line' with the other lines under the first."""
    items = [lines] if isinstance(lines, str) else lines
    head = f"  {label}:".ljust(LABEL_WIDTH)
    return [(head if i == 0 else " " * LABEL_WIDTH) + text for i, text in enumerate(items)]


def indent(lines: list[str], by: str = "    ") -> list[str]:
    return [by + line if line else line for line in lines]
