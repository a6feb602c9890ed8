"""Read a .config file into {symbol: value}, the way autoconf.h exposes it to C.

y -> 1 (as `#define CONFIG_FOO 1`), m -> "m", n and "is not set" -> absent,
int -> int, hex -> int, string -> str. Used by the runtime and twister, which must
not re-run Kconfig to know the configuration of a build; and as CMake variables,
for the CMakeLists reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from zpy.errors import ConfigError
from zpy.image.outputs import REBUILD_HINT, read_text

_LINE = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")


def parse_value(raw: str, filename: str = "<string>", lineno: int = 0) -> int | str:
    if raw == "y":
        return 1
    if raw.startswith('"'):
        if len(raw) < 2 or not raw.endswith('"'):
            raise ConfigError(f"unterminated string value {raw}", filename, lineno)
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    if re.fullmatch(r"-?0[xX][0-9a-fA-F]+", raw):
        return int(raw, 16)
    if re.fullmatch(r"-?[0-9]+", raw):
        return int(raw)
    return raw  # "m", or a value kconfiglib would have rejected


def load_dotconfig(path: Path) -> dict[str, int | str]:
    return {name: parse_value(raw, str(path), lineno) for name, raw, lineno in _assignments(path)}


def cmake_variables(path: Path) -> dict[str, str]:
    """The .config as Zephyr's import_kconfig() gives it to CMake: CONFIG_X -> the text
    after '=' (a bool is "y"), a string without its quotes; unset symbols are absent."""
    return {name: raw[1:-1] if len(raw) > 1 and raw[0] == raw[-1] == '"' else raw
            for name, raw, _ in _assignments(path)}


def _assignments(path: Path) -> Iterator[tuple[str, str, int]]:
    """(name, value as written, line) of each set symbol."""
    for lineno, line in enumerate(read_text(Path(path)).splitlines(), 1):
        m = _LINE.match(line)
        if m:
            name, raw = m.groups()
            if raw != "n":
                yield name, raw, lineno
            continue
        if not line or line.startswith("#"):
            continue
        raise ConfigError(f"malformed line: {line!r}", str(path), lineno, hint=REBUILD_HINT)
