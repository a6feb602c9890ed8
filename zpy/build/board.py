"""Boards: boards/<board>/ (or boards/<vendor>/<board>/) under each board root.

The board roots are the app folder (BOARD_ROOT = app) and ZEPHYR_BASE, in that
order, as in Zephyr, so an app can bring its own board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from zpy.errors import BuildError

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Board:
    name: str
    dir: Path

    @property
    def dts(self) -> Path:
        return self.dir / f"{self.name}.dts"

    @property
    def defconfig(self) -> Path:
        return self.dir / f"{self.name}_defconfig"


def _is_board_dir(folder: Path) -> bool:
    name = folder.name
    return any((folder / f).is_file() for f in (f"{name}.dts", f"{name}_defconfig", "board.yml"))


def _candidates(root: Path, name: str) -> list[Path]:
    boards = root / "boards"
    return [boards / name, *sorted(boards.glob(f"*/{name}"))]


def find_board(name: str, roots: list[Path]) -> Board:
    """The board called `name` in the first root that has it."""
    if _NAME.fullmatch(name):
        for root in roots:
            for folder in _candidates(root, name):
                if folder.is_dir() and _is_board_dir(folder):
                    return Board(name, folder.resolve())
    known = known_boards(roots)
    raise BuildError(
        f"No board named '{name}' found; known boards: {', '.join(known) or '(none)'}"
    )


def known_boards(roots: list[Path]) -> list[str]:
    names: set[str] = set()
    for root in roots:
        boards = root / "boards"
        for folder in [*boards.glob("*"), *boards.glob("*/*")]:
            if folder.is_dir() and _is_board_dir(folder):
                names.add(folder.name)
    return sorted(names)
