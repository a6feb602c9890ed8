"""The configuration files a build merged, what kind each is, and which line set a symbol.

The files and their order are the build's own (zpy.build.inputs, from the app,
board and -D options build_info.json recorded); each is labelled with the name
a Zephyr user knows it by, so an explanation can say "the board's defconfig" or
"-DCONFIG_X=y on the command line" rather than a path inside the build folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import kconfiglib

from zpy.build import inputs
from zpy.build.app import App
from zpy.build.board import Board
from zpy.build.options import BuildOptions
from zpy.errors import ConfigError

BOARD_DEFCONFIG = "board defconfig"
CONF_FILE = "CONF_FILE"
BOARD_CONF = "board conf"
EXTRA_CONF_FILE = "EXTRA_CONF_FILE"
COMMAND_LINE = "-D"

_SET = re.compile(r"^CONFIG_([^=]+)=(.*)$")
_UNSET = re.compile(r"^# CONFIG_([^ ]+) is not set$")


@dataclass(frozen=True)
class Fragment:
    path: Path
    kind: str  # one of the constants above


@dataclass(frozen=True)
class Assignment:
    """One line of a configuration file that assigns a symbol."""

    fragment: Fragment
    lineno: int
    name: str  # without CONFIG_
    raw: str  # as written after '=' ("y", "42", "\"fast\""); "n" for `is not set`

    @property
    def value(self) -> str:
        """The value as kconfiglib stores it (strings unquoted, bools by first letter)."""
        raw = self.raw
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            return re.sub(r"\\(.)", r"\1", raw[1:-1])
        return raw

    @property
    def line(self) -> str:
        """The assignment as written (or as -D on the command line)."""
        return f"CONFIG_{self.name}={self.raw}"


def build_fragments(app: App, board: Board, options: BuildOptions,
                    extra_kconfig_options: Path) -> list[Fragment]:
    """The fragments of a build, in merge order, each with its kind."""
    files = inputs.conf_files(app, board, options).files
    extra = {_resolve(app, name) for name in options.extra_conf_file}
    fragments = []
    for path in files:
        if path.resolve() == board.defconfig.resolve():
            kind = BOARD_DEFCONFIG
        elif path.resolve() in extra:
            kind = EXTRA_CONF_FILE
        elif path.parent.resolve() == (app.dir / "boards").resolve():
            kind = BOARD_CONF
        else:
            kind = CONF_FILE
        fragments.append(Fragment(path, kind))
    if options.configs:
        fragments.append(Fragment(extra_kconfig_options, COMMAND_LINE))
    return fragments


def _resolve(app: App, name: str) -> Path:
    path = Path(name).expanduser()
    return (path if path.is_absolute() else app.dir / path).resolve()


def parse_line(text: str) -> tuple[str, str] | None:
    """(name, raw value) of a `CONFIG_X=...` or `# CONFIG_X is not set` line."""
    text = text.rstrip()
    m = _SET.match(text)
    if m:
        return m.group(1), m.group(2)
    m = _UNSET.match(text)
    if m:
        return m.group(1), "n"
    return None


def assignments(fragments: list[Fragment], name: str) -> list[Assignment]:
    """Every line that assigns CONFIG_<name>, in merge order (the last one wins)."""
    found = []
    for fragment in fragments:
        try:
            lines = fragment.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for lineno, text in enumerate(lines, 1):
            parsed = parse_line(text)
            if parsed is not None and parsed[0] == name:
                found.append(Assignment(fragment, lineno, name, parsed[1]))
    return found


def last_assignment(fragments: list[Fragment], name: str) -> Assignment | None:
    """The line whose value the merge kept."""
    found = assignments(fragments, name)
    return found[-1] if found else None


def load_fragments(kconf: kconfiglib.Kconfig, files: list[Path]) -> None:
    """Load the first file, merge the others (as the build does); forget earlier values."""
    kconf.warnings.clear()
    for i, path in enumerate(files):
        try:
            kconf.load_config(str(path), replace=(i == 0))
        except (kconfiglib.KconfigError, OSError) as e:
            raise ConfigError(" ".join(str(e).split()), filename=path) from None
