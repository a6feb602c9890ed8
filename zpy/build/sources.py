"""The module tables: CMakeLists.txt files that say which zpy modules go into an image.

zpy reads them itself (there is no CMake). The commands are the ones Zephyr's
driver folders use, with the same meaning:

    add_subdirectory(dir)                       # always
    add_subdirectory_ifdef(CONFIG_X dir)        # when CONFIG_X is set
    zephyr_library_sources(a.py b.py)           # always
    zephyr_library_sources_ifdef(CONFIG_X a.py) # when CONFIG_X is set
    zephyr_library()                            # accepted, no effect
    # comments

Paths are relative to the CMakeLists.txt folder. The walk starts at
ZEPHYR_BASE/CMakeLists.txt; module names are dotted paths relative to
ZEPHYR_BASE (zpy/drivers/ivshmem/virt_ivshmem.py -> zpy.drivers.ivshmem.virt_ivshmem).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zpy.build.manifest import ImageModule
from zpy.errors import BuildError

_SOURCES = ("zephyr_library_sources", "zephyr_sources")
_NO_EFFECT = ("zephyr_library", "zephyr_library_named", "zephyr_library_include_directories",
              "zephyr_include_directories")
_COMMAND = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"|([^\s()"#]+)')


@dataclass(frozen=True)
class Command:
    name: str
    args: list[str]
    filename: Path
    lineno: int

    def error(self, msg: str) -> BuildError:
        return BuildError(msg, filename=self.filename, lineno=self.lineno)


def parse_cmakelists(path: Path) -> list[Command]:
    """The commands of one CMakeLists.txt (a command may span lines)."""
    text = path.read_text(encoding="utf-8")
    commands = []
    i, lineno, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            lineno += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        else:
            m = _COMMAND.match(text, i)
            if not m:
                word = text[i:].split(None, 1)[0]
                raise BuildError(f"Parse error: expected a command, got '{word}'",
                                 filename=path, lineno=lineno)
            start_line = lineno
            args, i, lineno = _arguments(text, m.end(), lineno, path)
            commands.append(Command(m.group(1), args, path, start_line))
    return commands


def _arguments(text: str, i: int, lineno: int, path: Path) -> tuple[list[str], int, int]:
    args: list[str] = []
    start_line = lineno
    while i < len(text):
        c = text[i]
        if c == ")":
            return args, i + 1, lineno
        if c == "\n":
            lineno += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif c == "(":
            raise BuildError("Parse error: nested '(' is not supported here",
                             filename=path, lineno=lineno)
        else:
            m = _ARG.match(text, i)
            if m is None:
                raise BuildError(f"Parse error: unexpected '{c}'", filename=path, lineno=lineno)
            args.append(m.group(1) if m.group(1) is not None else m.group(2))
            lineno += m.group(0).count("\n")
            i = m.end()
    raise BuildError("Parse error: missing ')'", filename=path, lineno=start_line)


@dataclass
class ModuleTable:
    """The result of walking the CMakeLists files for one configuration."""

    modules: list[ImageModule] = field(default_factory=list)
    #: every CMakeLists.txt read (inputs of the build)
    cmakelists: list[Path] = field(default_factory=list)


def _is_set(config: Mapping[str, int | str], name: str) -> bool:
    value = config.get(name)
    return value not in (None, 0, "", "n")


def image_modules(zephyr_base: Path, config: Mapping[str, int | str]) -> ModuleTable:
    """Walk ZEPHYR_BASE/CMakeLists.txt and the folders it adds, for this .config."""
    table = ModuleTable()
    seen: set[Path] = set()
    for src, conditions in _walk(zephyr_base, config, (), table.cmakelists):
        if src in seen:
            continue
        seen.add(src)
        condition = conditions[-1].symbol if conditions else None
        table.modules.append(ImageModule(module_name(src, zephyr_base), str(src), condition))
    return table


@dataclass(frozen=True)
class Condition:
    """An `_ifdef` a source file sits under: the symbol and the CMakeLists line naming it."""

    symbol: str
    filename: Path
    lineno: int


def all_sources(zephyr_base: Path) -> list[tuple[Path, tuple[Condition, ...]]]:
    """Every source file the CMakeLists files name, whatever the configuration, with the
    `_ifdef` conditions (outermost first) it needs to be in an image."""
    return list(_walk(zephyr_base, None, (), []))


def _walk(folder: Path, config: Mapping[str, int | str] | None,
          conditions: tuple[Condition, ...], cmakelists: list[Path]
          ) -> Iterator[tuple[Path, tuple[Condition, ...]]]:
    """(source, conditions) in the order the files name them; with config None, every
    `_ifdef` branch is taken."""
    path = folder / "CMakeLists.txt"
    cmakelists.append(path)
    for cmd in parse_cmakelists(path):
        name, args = cmd.name, cmd.args
        if name in _NO_EFFECT:
            continue
        ifdef = name.endswith("_ifdef")
        base_name = name.removesuffix("_ifdef")
        if base_name not in ("add_subdirectory", *_SOURCES):
            raise cmd.error(f"Unknown CMake command \"{name}\" (zpy reads add_subdirectory, "
                            "zephyr_library_sources and their _ifdef forms)")
        inner = conditions
        if ifdef:
            if not args:
                raise cmd.error(f"{name} called with incorrect number of arguments")
            symbol, args = args[0], args[1:]
            if config is not None and not _is_set(config, symbol):
                continue
            inner = (*conditions, Condition(symbol, path, cmd.lineno))
        if base_name == "add_subdirectory":
            if len(args) != 1:
                raise cmd.error(f"{name} called with incorrect number of arguments")
            sub = (folder / args[0]).resolve()
            if not sub.is_dir():
                raise cmd.error(f'add_subdirectory given source "{args[0]}" which is not an '
                                "existing directory.")
            if not (sub / "CMakeLists.txt").is_file():
                raise cmd.error(f"The source directory {sub} does not contain a "
                                "CMakeLists.txt file.")
            yield from _walk(sub, config, inner, cmakelists)
            continue
        for arg in args:
            src = (folder / arg).resolve()
            if not src.is_file():
                raise cmd.error(f"Cannot find source file: {arg}")
            if src.suffix != ".py":
                raise cmd.error(f"{arg} is not a Python module (zpy images are made of .py files)")
            yield src, inner


def module_name(path: Path, base: Path) -> str:
    """zpy/drivers/ivshmem/virt_ivshmem.py -> zpy.drivers.ivshmem.virt_ivshmem."""
    try:
        rel = path.relative_to(base)
    except ValueError:
        raise BuildError(f"{path} is outside ZEPHYR_BASE ({base})") from None
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)
