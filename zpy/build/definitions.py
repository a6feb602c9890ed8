"""Compile definitions: the -D macros CMakeLists files give a target's sources.

C sees them through its preprocessor (`#ifndef FORKS`); zpy's sources through
zpy.toolchain (`FORKS = compile_definition("FORKS", MUTEXES)`). Which sources
get which macros follows CMake and Zephyr's extensions.cmake:

- zephyr_compile_definitions(), target_compile_definitions(zephyr_interface
  INTERFACE ...): every source of the image (zephyr_interface, which every
  target links);
- target_compile_definitions(<target> PRIVATE|PUBLIC ...): the target's own
  sources (`app`, or a zephyr_library); INTERFACE ones are for the targets that
  link it, which zpy has none of;
- zephyr_library_compile_definitions(): the folder's current zephyr_library;
- add_compile_definitions(), add_definitions(-D...): the targets of the folder
  (those made before the call too) and of the folders it adds after the call.

A target's definitions are, in command-line order: its folder's, its own, then
zephyr_interface's. A later definition of the same name with another value wins,
with gcc's warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from zpy.image.manifest import CompileDefinition

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: The target every other one links: its INTERFACE definitions reach every source.
GLOBAL = "zephyr_interface"


def parse_definition(item: str, filename: str, lineno: int) -> CompileDefinition:
    """`NAME` or `NAME=value` (a leading -D is dropped, as CMake does); ValueError if NAME
    is not an identifier."""
    text = item.removeprefix("-D")
    name, eq, value = text.partition("=")
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid compile definition '{item}': macro names must be "
                         "identifiers")
    return CompileDefinition(name, value if eq else "1", filename, lineno)


def is_definition_flag(flag: str) -> bool:
    """What add_definitions() takes as a definition: -DNAME or /DNAME (else it is a
    compile option)."""
    return re.match(r"[-/]D[A-Za-z_]", flag) is not None


@dataclass
class _Target:
    folder: list[CompileDefinition]  # its folder's add_compile_definitions (shared list)
    own: list[CompileDefinition] = field(default_factory=list)


class DefinitionTable:
    """The definitions of every target, as the CMakeLists files give them."""

    def __init__(self) -> None:
        self.targets: dict[str, _Target] = {}
        self.everywhere: list[CompileDefinition] = []

    def target(self, name: str, folder: list[CompileDefinition]) -> None:
        """A target made in a folder whose definitions are `folder` (the list, not a copy:
        later add_compile_definitions() in that folder reach it too)."""
        if name in self.targets:  # named before it was made (a module's CMakeLists names app)
            self.targets[name].folder = folder
        else:
            self.targets[name] = _Target(folder)

    def add(self, target: str, defs: Iterable[CompileDefinition]) -> None:
        if target == GLOBAL:
            self.everywhere += defs
        else:
            self.targets.setdefault(target, _Target([])).own.extend(defs)

    def resolve(self, used: Iterable[str], warn: Callable[[str], None]
                ) -> dict[str, list[CompileDefinition]]:
        """Each used target's definitions in command-line order (duplicates dropped),
        warning at each redefinition with another value; targets with none left out."""
        out: dict[str, list[CompileDefinition]] = {}
        warned: set[tuple[CompileDefinition, CompileDefinition]] = set()
        for name in dict.fromkeys(used):
            target = self.targets.get(name)
            defs = [*(target.folder if target else ()), *(target.own if target else ()),
                    *self.everywhere]
            seen: dict[str, CompileDefinition] = {}
            kept = []
            for d in defs:
                before = seen.get(d.name)
                if before is not None and before.value == d.value:
                    continue
                if before is not None and (before, d) not in warned:
                    warned.add((before, d))
                    warn(f"{d.file}:{d.line}: warning: \"{d.name}\" redefined: {d} here, "
                         f"{before} at {before.file}:{before.line}; the later one wins")
                seen[d.name] = d
                kept.append(d)
            if kept:
                out[name] = kept
        return out
