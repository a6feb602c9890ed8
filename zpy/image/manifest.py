"""The image manifest: what a build puts in the image, for `zpy run` to link.

A C build links object files chosen by CMakeLists' zephyr_library_sources_ifdef();
a zpy build lists the Python modules chosen the same way (each source folder's
CMakeLists.txt, read by zpy, not by CMake: sources.py). Written to
BUILD/zephyr/image.json.

Two namespaces: ZEPHYR_BASE's modules import under their package names
(zpy.drivers.ivshmem.virt_ivshmem); the app's and the Zephyr modules' sources
live in the image's own namespace, named by their path under their root
(main, drivers.blink.blink_console), where they import each other and the
modules of `include_dirs` (zpy/linker.py).

Each module is compiled for a CMake target (`app`, `zephyr`, a zephyr_library);
`compile_definitions` holds each target's -D macros, in command-line order, with
the CMakeLists file and line that gave each (zpy.toolchain reads them).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from zpy.image import IMAGE_JSON
from zpy.image.outputs import broken, read_json_object, require

#: Where the manifest lives inside a build directory.
RELPATH = IMAGE_JSON


@dataclass(frozen=True)
class ImageModule:
    """One module of the image: a zpy source file, or a file of the app."""

    name: str  # dotted name it imports as: "zpy.drivers.ivshmem.virt_ivshmem", "main"
    path: str  # absolute path of the .py file
    condition: str | None = None  # the CONFIG_ symbol that put it in, None if unconditional
    target: str | None = None  # the CMake target compiling it: "app", "zephyr", a library


@dataclass(frozen=True)
class CompileDefinition:
    """One -D macro: `NAME` (value "1", as the compiler's -DNAME) or `NAME=value`."""

    name: str
    value: str  # the macro's text, as written after '='
    file: str  # the CMakeLists.txt that gave it
    line: int

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


@dataclass
class ImageManifest:
    board: str
    board_dir: str
    app_dir: str
    zephyr_base: str
    #: zpy modules in link order (the order the CMakeLists files name them)
    modules: list[ImageModule] = field(default_factory=list)
    #: the app's sources: its CMakeLists' order, else src/*.py with main.py first
    app_sources: list[ImageModule] = field(default_factory=list)
    #: -D options and other build settings the runtime may want to show
    settings: dict[str, Any] = field(default_factory=dict)
    #: the Zephyr modules' sources, linked after zpy's and before the app's
    module_sources: list[ImageModule] = field(default_factory=list)
    #: folders whose modules the image's sources import (zephyr_include_directories)
    include_dirs: list[str] = field(default_factory=list)
    #: a source or folder a CMakeLists _ifdef left out -> the symbol that was not set
    excluded: dict[str, str] = field(default_factory=dict)
    #: the Zephyr modules of the build: [{"name": ..., "path": ...}]
    zephyr_modules: list[dict[str, str]] = field(default_factory=list)
    #: target -> its compile definitions, in command-line order (a later one wins)
    compile_definitions: dict[str, list[CompileDefinition]] = field(default_factory=dict)

    def definitions_of(self, entry: ImageModule) -> dict[str, CompileDefinition]:
        """The -D macros `entry` is compiled with, by name."""
        return {d.name: d for d in self.compile_definitions.get(entry.target or "", [])}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ImageManifest:
        d = dict(d)
        d["modules"] = [ImageModule(**m) for m in d.get("modules", [])]
        d["app_sources"] = [ImageModule(**m) for m in d.get("app_sources", [])]
        d["module_sources"] = [ImageModule(**m) for m in d.get("module_sources", [])]
        d["compile_definitions"] = {
            target: [CompileDefinition(**x) for x in defs]
            for target, defs in d.get("compile_definitions", {}).items()}
        return cls(**d)

    @classmethod
    def checked(cls, d: dict[str, Any], path: Path) -> ImageManifest:
        """from_json() of what a file held: each key zpy writes, with its type."""
        require(d, path, {"board": str, "board_dir": str, "app_dir": str, "zephyr_base": str,
                          "modules": list, "app_sources": list, "settings": dict})
        optional = {"module_sources": list, "include_dirs": list, "excluded": dict,
                    "zephyr_modules": list, "compile_definitions": dict}
        require(d, path, {k: v for k, v in optional.items() if k in d})
        for key in ("modules", "app_sources", "module_sources"):
            for i, entry in enumerate(d.get(key, [])):
                what = f"{key}[{i}]"
                if not isinstance(entry, dict):
                    raise broken(path, f"{what} is a {type(entry).__name__}, not an object")
                require(entry, path, {"name": str, "path": str,
                                      "condition": (str, type(None))}, what)
                if "target" in entry:  # absent from images built before compile definitions
                    require(entry, path, {"target": (str, type(None))}, what)
                _no_other_keys(entry, path, what, {f.name for f in fields(ImageModule)})
        for target, defs in d.get("compile_definitions", {}).items():
            what = f"compile_definitions[{target!r}]"
            if not isinstance(defs, list):
                raise broken(path, f"{what} is a {type(defs).__name__}, not a list")
            for i, entry in enumerate(defs):
                if not isinstance(entry, dict):
                    raise broken(path, f"{what}[{i}] is a {type(entry).__name__}, not an object")
                require(entry, path, {"name": str, "value": str, "file": str, "line": int},
                        f"{what}[{i}]")
                _no_other_keys(entry, path, f"{what}[{i}]", {"name", "value", "file", "line"})
        if set(d) - {f.name for f in fields(cls)}:
            raise broken(path, f"unknown keys {sorted(set(d) - {f.name for f in fields(cls)})}")
        return cls.from_json(d)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> ImageManifest:
        path = Path(path)
        return cls.checked(read_json_object(path), path)


def _no_other_keys(entry: dict[str, Any], path: Path, what: str, known: set[str]) -> None:
    if set(entry) - known:
        raise broken(path, f"{what} has unknown keys {sorted(set(entry) - known)}")
