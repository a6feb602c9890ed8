"""The image's own namespace: how the app's and the Zephyr modules' sources import each other.

Python's import system has one global path; an image must not touch it (two
images live in one process). So the app's and the modules' sources run with an
`__import__` of their image's own (in their `__builtins__`), which resolves,
before anything else:

- the image's sources by name: an app source by its path under src/
  (`import helper` and `from helper import x` for src/helper.py, as in a script's
  folder), a module's source by its path under the module (`from . import x` beside
  it, as in a package);
- the other .py files beside a source, by the same rule: C includes a header from
  the including file's folder (`#include "regs.h"`) without a CMakeLists line;
- the modules under the image's include directories (`zephyr_include_directories`
  in a CMakeLists.txt): include/app/drivers/blink.py imports as `app.drivers.blink`,
  as C includes <app/drivers/blink.h>.

Each runs once per image, as a C object file is linked once, with its target's
compile definitions in its globals (zpy.toolchain); a file that is no source of the
image (a sibling or an included module, C's header) gets those of the source that
imports it first, as a header is compiled with its includer's. A name of none of
these kinds is an ordinary import (zpy, the standard library). A source that an
_ifdef left out (its Kconfig symbol is not set) is not in the image: importing it
fails with that reason, as do other files of the app or a module that no
CMakeLists.txt brings in, not with a bare "No module named".
"""

from __future__ import annotations

import builtins
import importlib.util
import sys
import threading
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zpy.image.manifest import CompileDefinition
from zpy.toolchain import DEFINITIONS

Definitions = Mapping[str, CompileDefinition]


class ImageNamespace:
    """The sources (name -> file) and include directories of one image, under `package`;
    `definitions`: each source's compile definitions, by name."""

    def __init__(self, package: str, sources: Mapping[str, Path], include_dirs: Sequence[Path],
                 source_roots: Sequence[Path], excluded: Mapping[str, str],
                 definitions: Mapping[str, Definitions] | None = None) -> None:
        self.package = package
        self.sources = dict(sources)
        self.definitions = dict(definitions or {})
        self.include_dirs = list(include_dirs)
        #: folders whose .py files are sources when they are in the image (for the messages)
        self.source_roots = list(source_roots)
        self.excluded = dict(excluded)
        #: every name this namespace put in sys.modules, for Runtime.close()
        self.registered: list[str] = []
        self._known: dict[str, bool] = {}
        #: one import at a time: a module imported from two threads runs once
        self._lock = threading.RLock()
        #: dotted prefix -> the folders holding sources with that prefix
        self._folders: dict[str, list[Path]] = {}
        for name, path in self.sources.items():
            folders = self._folders.setdefault(name.rpartition(".")[0], [])
            if path.parent not in folders:
                folders.append(path.parent)
        self.builtins = dict(builtins.__dict__, __import__=self.import_)
        root = types.ModuleType(package)
        root.__path__ = []  # nothing is found by path: only through this namespace
        self._register(package, root)

    # -- the import statement ----------------------------------------------------------------

    def import_(self, name: str, globals: Mapping[str, Any] | None = None,
                locals: Mapping[str, Any] | None = None, fromlist: Sequence[str] | None = (),
                level: int = 0) -> types.ModuleType:
        """builtins.__import__ for the image's sources."""
        fromlist = fromlist or ()
        includer = (globals or {}).get(DEFINITIONS)
        if level > 0:
            importer = (globals or {}).get("__package__") or ""
            absolute = importlib.util.resolve_name("." * level + name, importer)
            if absolute != self.package and not absolute.startswith(self.package + "."):
                return builtins.__import__(name, globals, locals, fromlist, level)
            rel = absolute[len(self.package) + 1:]
        elif self.has(name.partition(".")[0]):
            rel = name
        else:
            try:
                return builtins.__import__(name, globals, locals, fromlist, level)
            except ModuleNotFoundError as e:
                raise self._not_found(name, globals, fromlist) or e from None
        module = self.load(rel, includer) if rel else sys.modules[self.package]
        if fromlist:
            for item in fromlist:
                if item != "*" and not hasattr(module, item) and self.has(f"{rel}.{item}"):
                    self.load(f"{rel}.{item}" if rel else item, includer)
            return module
        return self.load(rel.partition(".")[0], includer) if level == 0 else module

    def has(self, name: str) -> bool:
        """True if `name` (dotted, relative to the image) is a source, a package of sources,
        or a module or folder under an include directory."""
        name = name.removeprefix(".")
        known = self._known.get(name)
        if known is None:
            known = self._known[name] = (
                name in self.sources or any(s.startswith(name + ".") for s in self.sources)
                or self._sibling_path(name) is not None or self._include_path(name) is not None)
        return known

    # -- loading -------------------------------------------------------------------------------

    def load(self, name: str, includer: Definitions | None = None) -> types.ModuleType:
        """The module `name` of this image, run the first time it is asked for (if it is no
        source, with the `includer`'s compile definitions)."""
        module = sys.modules.get(f"{self.package}.{name}")
        if module is not None:  # linked already: no lock (the common case, in any thread)
            return module
        with self._lock:
            return self._load(name, includer)

    def _load(self, name: str, includer: Definitions | None) -> types.ModuleType:
        full = f"{self.package}.{name}"
        module = sys.modules.get(full)
        if module is not None:
            return module
        parent, _, last = name.rpartition(".")
        parent_module = self._load(parent, includer) if parent else None
        path = self.sources.get(name)
        if path is None:
            path = self._sibling_path(name)
            if path is not None and self._left_out(path):
                raise ModuleNotFoundError(f"No module named '{name}': {path} is not in this "
                                          f"image ({self._why_left_out(path)})", name=name)
            path = path or self._include_path(name)
            if path is None and not any(s.startswith(name + ".") for s in self.sources):
                raise ModuleNotFoundError(f"No module named '{name}' in this image", name=name)
        if path is None or path.is_dir():
            module = self._package_module(full, path)
        else:
            definitions = self.definitions.get(name, includer or {})
            module = self._run(full, path, path.name == "__init__.py", definitions)
        if parent_module is not None:
            setattr(parent_module, last, module)
        return module

    def _package_module(self, full: str, folder: Path | None) -> types.ModuleType:
        """A folder on the way to a source or an included module (a namespace package)."""
        module = types.ModuleType(full)
        module.__path__ = [str(folder)] if folder is not None else []
        module.__package__ = full
        self._register(full, module)
        return module

    def _run(self, full: str, path: Path, package: bool, definitions: Definitions
             ) -> types.ModuleType:
        spec = importlib.util.spec_from_file_location(
            full, path, submodule_search_locations=[str(path.parent)] if package else None)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}", path=str(path))
        module = importlib.util.module_from_spec(spec)
        module.__dict__["__builtins__"] = self.builtins
        module.__dict__[DEFINITIONS] = definitions
        self._register(full, module)
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(full, None)
            self.registered.remove(full)
            raise
        return module

    def _register(self, full: str, module: types.ModuleType) -> None:
        sys.modules[full] = module
        self.registered.append(full)

    def _sibling_path(self, name: str) -> Path | None:
        """A .py file, package or folder beside the image's sources of the same prefix."""
        prefix, _, stem = name.rpartition(".")
        for folder in self._source_folders(prefix):
            for candidate in (folder / f"{stem}.py", folder / stem / "__init__.py"):
                if candidate.is_file():
                    return candidate
            if (folder / stem).is_dir():
                return folder / stem
        return None

    def _source_folders(self, prefix: str) -> list[Path]:
        """The folders a dotted prefix names: those of its sources, or below them."""
        if prefix in self._folders or not prefix:
            return self._folders.get(prefix, [])
        parent, _, last = prefix.rpartition(".")
        return [f / last for f in self._source_folders(parent) if (f / last).is_dir()]

    def _include_path(self, name: str) -> Path | None:
        rel = Path(*name.split("."))
        for folder in self.include_dirs:
            for candidate in (folder / rel.with_suffix(".py"), folder / rel / "__init__.py"):
                if candidate.is_file():
                    return candidate
            if (folder / rel).is_dir():
                return folder / rel
        return None

    # -- messages ----------------------------------------------------------------------------------

    def _not_found(self, name: str, globals: Mapping[str, Any] | None,
                   fromlist: Sequence[str] = ()) -> ImportError | None:
        """Why an import of a file of the app or a module failed, and the form that works."""
        top, _, rest = name.partition(".")
        wanted = [rest] if rest else [item for item in fromlist if item != "*"]
        meant = next((w for w in wanted if self.has(w)), None)
        if top in ("app", "src") and meant is not None:
            return ModuleNotFoundError(
                f"No module named '{name}': the image's sources import each other by their "
                f"name under src/: write `import {meant}` or `from {meant} import ...`",
                name=name)
        rel = Path(*name.split(".")).with_suffix(".py")
        importer_file = (globals or {}).get("__file__")
        if importer_file:
            importer = Path(importer_file)
            beside = importer.parent / rel
            if beside.is_file() and not self._left_out(beside):
                return ModuleNotFoundError(
                    f"No module named '{name}': {beside.name} beside {importer.name} is a "
                    f"module of its package here: write `from . import {name}` or "
                    f"`from .{name} import ...`", name=name)
            if beside.is_file():
                return ModuleNotFoundError(f"No module named '{name}': {beside} is not in this "
                                           f"image ({self._why_left_out(beside)})", name=name)
        for folder in self.source_roots:
            if (folder / rel).is_file():
                return ModuleNotFoundError(f"No module named '{name}': {folder / rel} is not in "
                                           f"this image ({self._why_left_out(folder / rel)})",
                                           name=name)
        return None

    def _left_out(self, path: Path) -> bool:
        return any(path == Path(where) or path.is_relative_to(where) for where in self.excluded)

    def _why_left_out(self, path: Path) -> str:
        for where, symbol in self.excluded.items():
            if path == Path(where) or path.is_relative_to(where):
                return f"its CMakeLists.txt adds it only when {symbol} is set, and it is not"
        return "no CMakeLists.txt adds it to the image"
