"""Which sources go into an image: the CMakeLists.txt files, read as Zephyr's build reads them.

A C build compiles and links what its CMakeLists files name; a zpy build lists the
Python modules they name, for `zpy run` to link. There is no CMake: the reader
(the language is cmakelists.py) walks, in Zephyr's order,
  1. ZEPHYR_BASE/CMakeLists.txt and the folders it adds (zpy's drivers, subsystems),
  2. each Zephyr module's CMakeLists.txt (ZEPHYR_EXTRA_MODULES, modules.py),
  3. the app's CMakeLists.txt; an app without one links src/*.py, main.py first.

The commands it honours mean what extensions.cmake and CMake make them mean:
add_subdirectory, target_sources(app ...), zephyr_sources, zephyr_library_sources,
their _ifdef/_ifndef forms, zephyr_library(), zephyr_library_named(),
zephyr_include_directories (and the library/target forms), the compile
definitions (zephyr_compile_definitions, target_compile_definitions,
zephyr_library_compile_definitions, add_compile_definitions, add_definitions:
definitions.py), file(GLOB[_RECURSE]), set(), list(APPEND),
if()/elseif()/else()/endif(), cmake_minimum_required, project, find_package(Zephyr).
Anything else is a warning naming file:line, and is skipped. A `_ifdef(CONFIG_X ...)`
counts when CONFIG_X is set in the .config (Zephyr imports the .config as CMake
variables); `_ifndef` when it is not. The -D options of the command line are CMake
variables too (`if(DEFINED SAME_PRIO)`).

A source named `x.c` (or .cpp, .cc, .cxx, .S) is the Python file `x.py` beside it,
so Zephyr's CMakeLists work unchanged; `x.py` may be named directly. Headers and
other files in a source list have nothing to link and are skipped.

Each source is named by its path under the deepest root holding it: the app's
src/ folder, the app folder, a module's folder, ZEPHYR_BASE (src/main.py -> main,
<module>/drivers/blink/led.py -> drivers.blink.led, ZEPHYR_BASE's
zpy/drivers/ivshmem/virt_ivshmem.py -> zpy.drivers.ivshmem.virt_ivshmem).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zpy.build import environ
from zpy.build.app import App
from zpy.build.cmakelists import (
    Command,
    Variables,
    condition,
    evaluate,
    generator_expression,
    is_true,
    parse_cmakelists,
)
from zpy.build.definitions import GLOBAL, DefinitionTable, is_definition_flag, parse_definition
from zpy.build.modules import ZephyrModule, module_variables
from zpy.image.manifest import CompileDefinition, ImageModule

__all__ = ["Condition", "ModuleTable", "all_sources", "image_modules", "parse_cmakelists"]

Warn = Callable[[str], None]

#: Suffixes of C sources: zpy links the .py file of the same name in their place.
C_SUFFIXES = (".c", ".cpp", ".cc", ".cxx", ".S")
_HEADERS = (".h", ".hpp", ".hh", ".inc")
#: Commands with _ifdef/_ifndef forms -> how many arguments their plain form needs at least.
_CONDITIONAL = {
    "add_subdirectory": 1, "target_sources": 3, "zephyr_library_sources": 1,
    "zephyr_sources": 0, "zephyr_include_directories": 0,
    "zephyr_library_include_directories": 0, "target_include_directories": 3,
    "zephyr_compile_definitions": 0, "zephyr_library_compile_definitions": 0,
}
_SCOPES = ("PRIVATE", "PUBLIC", "INTERFACE")
#: Build settings zpy takes from the command line only.
_COMMAND_LINE = ("BOARD", "CONF_FILE", "EXTRA_CONF_FILE", "OVERLAY_CONFIG", "DTC_OVERLAY_FILE",
                 "EXTRA_DTC_OVERLAY_FILE", "ZEPHYR_EXTRA_MODULES", "BOARD_ROOT", "DTS_ROOT")


@dataclass
class ModuleTable:
    """What the CMakeLists files put in the image, for one configuration."""

    #: ZEPHYR_BASE's sources, imported under their package names (zpy.drivers....)
    modules: list[ImageModule] = field(default_factory=list)
    #: the Zephyr modules' sources, named in the image's own namespace
    module_sources: list[ImageModule] = field(default_factory=list)
    #: the app's sources, in the image's own namespace, in the order CMakeLists names them
    app_sources: list[ImageModule] = field(default_factory=list)
    #: zephyr_include_directories & co: where the image's sources import from
    include_dirs: list[Path] = field(default_factory=list)
    #: a source or folder an _ifdef left out -> the symbol that was not set
    excluded: dict[str, str] = field(default_factory=dict)
    #: every CMakeLists.txt read, and every folder a file(GLOB) listed (inputs of the build)
    cmakelists: list[Path] = field(default_factory=list)
    globbed: list[Path] = field(default_factory=list)
    #: target -> its compile definitions, in command-line order
    compile_definitions: dict[str, list[CompileDefinition]] = field(default_factory=dict)
    #: every variable name the files looked up (CMake's "not used" warning is about the others)
    variables_read: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Condition:
    """An `_ifdef` (or if()) a source sits under: the symbol (or condition) and where."""

    symbol: str
    filename: Path
    lineno: int


@dataclass
class _Scope:
    """One CMakeLists.txt being read: its folder, its variables, the _ifdefs around it,
    and the folder's compile definitions (add_compile_definitions)."""

    folder: Path
    vars: Variables
    conditions: tuple[Condition, ...]
    is_app: bool
    definitions: list[CompileDefinition]

    def inner(self, condition: Condition | None) -> _Scope:
        if condition is None:
            return self
        return _Scope(self.folder, self.vars, (*self.conditions, condition), self.is_app,
                      self.definitions)


def image_modules(zephyr_base: Path, config: Mapping[str, int | str], *,
                  app: App | None = None, zephyr_modules: Sequence[ZephyrModule] = (),
                  variables: Mapping[str, str] | None = None, warn: Warn | None = None
                  ) -> ModuleTable:
    """Walk ZEPHYR_BASE's, the modules' and the app's CMakeLists files for this .config."""
    reader = _Reader(zephyr_base, config, app, list(zephyr_modules), dict(variables or {}),
                     warn or (lambda line: None))
    reader.read_all()
    return reader.table


def all_sources(zephyr_base: Path, *, app: App | None = None,
                zephyr_modules: Sequence[ZephyrModule] = ()
                ) -> list[tuple[Path, tuple[Condition, ...]]]:
    """Every source the CMakeLists files name, whatever the configuration (every _ifdef and
    if() branch taken), with the conditions (outermost first) it needs to be in an image."""
    reader = _Reader(zephyr_base, None, app, list(zephyr_modules), {}, lambda line: None)
    reader.read_all()
    return reader.every


def _config_variables(config: Mapping[str, int | str] | None) -> dict[str, str]:
    return {name: str(value) for name, value in (config or {}).items()}


class _Reader:
    """Reads the CMakeLists files for one configuration; with config None, takes every
    branch (all_sources)."""

    def __init__(self, base: Path, config: Mapping[str, int | str] | None, app: App | None,
                 zephyr_modules: list[ZephyrModule], variables: dict[str, str], warn: Warn
                 ) -> None:
        self.base, self.app, self.zephyr_modules, self.warn = base, app, zephyr_modules, warn
        self.all_branches = config is None
        self.table = ModuleTable()
        #: (source, its conditions) as named, for all_sources()
        self.every: list[tuple[Path, tuple[Condition, ...]]] = []
        self.globals = _config_variables(config)
        self.globals.update(ZEPHYR_BASE=str(base), **module_variables(zephyr_modules))
        if app is not None:
            self.globals.update(APPLICATION_SOURCE_DIR=str(app.dir), CMAKE_SOURCE_DIR=str(app.dir))
        self.globals.update(variables)
        self.targets = {"app", "zephyr", GLOBAL}
        self.definitions = DefinitionTable()
        self.zephyr_loaded = True
        self.seen: set[Path] = set()
        self.names: dict[str, Path] = {}
        self.reads: set[str] = set()

    def read_all(self) -> None:
        """ZEPHYR_BASE's tree, each module's, then the app's, in Zephyr's order."""
        self._read_trees()
        table = self.table
        table.variables_read = self.reads
        if not self.all_branches:
            used = [m.target or "" for m in table.modules + table.module_sources
                    + table.app_sources]
            table.compile_definitions = self.definitions.resolve(used, self.warn)

    def _read_trees(self) -> None:
        self.walk(self.base, self.globals, (), False, [])
        for module in self.zephyr_modules:
            if module.cmake_dir is not None:
                self.walk(module.cmake_dir, {**self.globals,
                                             "ZEPHYR_CURRENT_MODULE_DIR": str(module.path),
                                             "ZEPHYR_CURRENT_CMAKE_DIR": str(module.cmake_dir)},
                          (), False, [])
        if self.app is None:
            return
        if self.app.cmakelists.is_file():
            self.walk(self.app.dir, self.globals, (), True, [])
        else:
            self.definitions.target("app", [])
            self.table.app_sources = [ImageModule(p.stem, str(p), target="app")
                                      for p in self.app.sources()]
            self.every += [(p, ()) for p in self.app.sources()]

    def walk(self, folder: Path, parent: Mapping[str, str], conditions: tuple[Condition, ...],
             is_app: bool, definitions: list[CompileDefinition]) -> None:
        """Read folder/CMakeLists.txt with a copy of the parent's variables and compile
        definitions, as add_subdirectory() does."""
        path = folder / "CMakeLists.txt"
        self.table.cmakelists.append(path)
        vars = Variables(parent, self.reads)
        vars.update(CMAKE_CURRENT_SOURCE_DIR=str(folder), CMAKE_CURRENT_LIST_DIR=str(folder),
                    CMAKE_CURRENT_LIST_FILE=str(path))
        scope = _Scope(folder, vars, conditions, is_app, definitions)
        if folder == self.base:
            self.definitions.target("zephyr", scope.definitions)
        if is_app and folder == getattr(self.app, "dir", None):
            self.zephyr_loaded = False  # until find_package(Zephyr)
        self.run_all(parse_cmakelists(path), scope)
        if is_app and folder == getattr(self.app, "dir", None):
            self.zephyr_loaded = True

    # -- dispatch ------------------------------------------------------------------------------

    def run_all(self, commands: list[Command], scope: _Scope) -> None:
        i = 0
        while i < len(commands):
            cmd = commands[i]
            if cmd.name == "if":
                i = self._if_block(commands, i, scope)
            elif cmd.name in ("elseif", "else", "endif"):
                raise cmd.error(f"{cmd.name}() without if(): Flow control statements are not "
                                "properly nested.")
            else:
                self.run(cmd, scope)
                i += 1

    def _if_block(self, commands: list[Command], start: int, scope: _Scope) -> int:
        """Run the branch of if()/elseif()/else()/endif() whose condition holds; the index
        after endif()."""
        branches, depth, j = [start], 0, start + 1
        while j < len(commands):
            name = commands[j].name
            if name == "if":
                depth += 1
            elif name == "endif":
                if depth == 0:
                    break
                depth -= 1
            elif name in ("elseif", "else") and depth == 0:
                branches.append(j)
            j += 1
        else:
            raise commands[start].error("if() without endif(): Flow control statements are "
                                        "not properly nested.")
        for k, at in enumerate(branches):
            cmd = commands[at]
            end = branches[k + 1] if k + 1 < len(branches) else j
            text = " ".join(a.text for a in cmd.args)
            condition = Condition(text or "else", cmd.filename, cmd.lineno)
            if self.all_branches:
                self.run_all(commands[at + 1:end], scope.inner(condition))
            elif cmd.name == "else" or self._holds(cmd, scope):
                self.run_all(commands[at + 1:end],
                             scope if cmd.name == "else" else scope.inner(condition))
                break
        return j + 1

    def _holds(self, cmd: Command, scope: _Scope) -> bool:
        try:
            return condition(cmd.args, scope.vars, environ.getenv)
        except ValueError as e:
            raise cmd.error(f"{cmd.name}() given a condition zpy cannot evaluate: {e}",
                            hint="zpy evaluates ( ), NOT, AND, OR, DEFINED, EXISTS, "
                            "IS_DIRECTORY, STREQUAL, EQUAL, LESS, GREATER and MATCHES") from None

    def run(self, cmd: Command, scope: _Scope) -> None:
        try:
            args = evaluate(cmd.args, scope.vars, environ.getenv)
        except ValueError as e:
            raise cmd.error(f"Syntax error in cmake code when parsing {cmd.name}(): {e}") \
                from None
        name, condition = cmd.name, None
        for suffix in ("_ifdef", "_ifndef"):
            plain = name.removesuffix(suffix)
            if plain != name and plain in _CONDITIONAL:
                if len(args) < 1 + _CONDITIONAL[plain]:
                    raise cmd.error("Function invoked with incorrect arguments for function "
                                    f"named: {name}")
                toggle, args = args[0], args[1:]
                if suffix == "_ifdef":
                    on = is_true(scope.vars.get(toggle, ""), scope.vars)
                else:
                    on = not is_true(toggle, scope.vars)
                if not on and not self.all_branches:
                    self._left_out(plain, args, scope, toggle if suffix == "_ifdef" else None)
                    return
                name = plain
                condition = Condition(toggle if suffix == "_ifdef" else f"NOT {toggle}",
                                      cmd.filename, cmd.lineno)
        handler = _HANDLERS.get(name)
        if handler is None:
            self.warn(cmd.warning(f"{cmd.name}() is not a command zpy reads: ignored "
                                  "(docs/build.md lists the ones it does)"))
            return
        if name.startswith("zephyr_") and not self.zephyr_loaded:
            raise cmd.error(f'Unknown CMake command "{cmd.name}".',
                            hint="Zephyr's commands exist after find_package(Zephyr REQUIRED "
                            "HINTS $ENV{ZEPHYR_BASE}), which comes first")
        handler(self, cmd, args, scope.inner(condition))

    def _left_out(self, plain: str, args: list[str], scope: _Scope, toggle: str | None) -> None:
        """Remember what an unset _ifdef left out, for the runtime's 'not in this image'."""
        if toggle is None:
            return
        if plain == "add_subdirectory":
            items = args[:1]
        elif plain == "target_sources":
            items = [a for a in args[1:] if a not in _SCOPES]
        elif plain in ("zephyr_sources", "zephyr_library_sources"):
            items = args
        else:
            return
        for item in items:
            path = _absolute(scope.folder, item)
            if path.suffix in C_SUFFIXES:
                path = path.with_suffix(".py")
            self.table.excluded.setdefault(str(path), toggle)

    # -- commands ---------------------------------------------------------------------------------

    def add_subdirectory(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if not args:
            raise cmd.error("add_subdirectory called with incorrect number of arguments")
        sub = _absolute(scope.folder, args[0])
        if not sub.is_dir():
            raise cmd.error(f'add_subdirectory given source "{args[0]}" which is not an '
                            "existing directory.")
        if not (sub / "CMakeLists.txt").is_file():
            raise cmd.error(f"The source directory {sub} does not contain a CMakeLists.txt file.")
        if len(args) == 1 and not sub.resolve().is_relative_to(scope.folder.resolve()):
            raise cmd.error(f'add_subdirectory not given a binary directory but the given source '
                            f'directory "{sub.resolve()}" is not a subdirectory of '
                            f'"{scope.folder}".  When '
                            "specifying an out-of-tree source a binary directory must be "
                            "explicitly specified.")
        self.walk(sub, scope.vars, scope.conditions, scope.is_app, list(scope.definitions))

    def target_sources(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        items = self._target_items(cmd, args)
        self._add_sources(cmd, items, scope, args[0])

    def zephyr_library_sources(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if not args:
            raise cmd.error("Function invoked with incorrect arguments for function named: "
                            "zephyr_library_sources")
        self._add_sources(cmd, args, scope, self._current_library(scope))

    def zephyr_sources(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        for arg in args:
            if _absolute(scope.folder, arg).is_dir():
                raise cmd.error("zephyr_sources() was called on a directory")
        self._add_sources(cmd, args, scope, "zephyr")

    def zephyr_library(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        self._new_library(os.path.relpath(scope.folder, self.base).replace("/", "__"), scope)

    def zephyr_library_named(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if not args:
            raise cmd.error("Function invoked with incorrect arguments for function named: "
                            "zephyr_library_named")
        self._new_library(args[0], scope)

    def _new_library(self, name: str, scope: _Scope) -> None:
        self.targets.add(name)
        self.definitions.target(name, scope.definitions)
        scope.vars["ZEPHYR_CURRENT_LIBRARY"] = name

    def _current_library(self, scope: _Scope) -> str:
        return scope.vars.get("ZEPHYR_CURRENT_LIBRARY") or "zephyr"

    # compile definitions (definitions.py)

    def zephyr_compile_definitions(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        self.definitions.add(GLOBAL, self._definitions(cmd, args))

    def zephyr_library_compile_definitions(self, cmd: Command, args: list[str], scope: _Scope
                                           ) -> None:
        self.definitions.add(self._current_library(scope), self._definitions(cmd, args))

    def target_compile_definitions(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        # INTERFACE ones are for the targets linking this one (every target links GLOBAL)
        items = self._target_items(cmd, args, "compile definitions",
                                   interface=args[:1] == [GLOBAL])
        self.definitions.add(args[0], self._definitions(cmd, items))

    def add_compile_definitions(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        scope.definitions += self._definitions(cmd, args)

    def add_definitions(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        flags = [a for a in args if is_definition_flag(a)]
        for other in (a for a in args if not is_definition_flag(a)):
            self.warn(cmd.warning(f"{other} is a compile option, not a definition: ignored "
                                  "(zpy compiles nothing)"))
        scope.definitions += self._definitions(cmd, [f.removeprefix("/D") for f in flags])

    def _definitions(self, cmd: Command, items: list[str]) -> list[CompileDefinition]:
        """The definitions `items` give, generator expressions evaluated (empty ones, as a
        false `$<cond:...>` leaves, dropped)."""
        out = []
        for item in items:
            try:
                text = generator_expression(item)
                if text:
                    out.append(parse_definition(text, str(cmd.filename), cmd.lineno))
            except ValueError as e:
                raise cmd.error(f"{cmd.name}(): {e}") from None
        return out

    def include_directories(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if cmd.name.startswith("target_include_directories"):
            args = self._target_items(cmd, [a for a in args if a not in ("SYSTEM", "BEFORE",
                                                                          "AFTER")])
        for arg in args:
            folder = _absolute(scope.folder, arg).resolve()
            if not folder.is_dir():
                self.warn(cmd.warning(f"include directory {arg} does not exist"))
            elif folder not in self.table.include_dirs:
                self.table.include_dirs.append(folder)

    def file(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if not args or args[0] not in ("GLOB", "GLOB_RECURSE"):
            self.warn(cmd.warning(f"file({args[0] if args else ''}) is not a command zpy "
                                  "reads: ignored (it reads file(GLOB) and file(GLOB_RECURSE))"))
            return
        if len(args) < 2:
            raise cmd.error(f"file {args[0]} must be called with at least one additional "
                            "argument.")
        recurse, var, rest = args[0] == "GLOB_RECURSE", args[1], args[2:]
        relative: Path | None = None
        list_dirs = not recurse
        patterns = []
        while rest:
            word = rest.pop(0)
            if word == "RELATIVE" and rest:
                relative = _absolute(scope.folder, rest.pop(0))
            elif word == "LIST_DIRECTORIES" and rest:
                list_dirs = is_true(rest.pop(0), scope.vars)
            elif word not in ("CONFIGURE_DEPENDS", "FOLLOW_SYMLINKS"):
                patterns.append(word)
        found: set[Path] = set()
        for pattern in patterns:
            found |= self._glob(scope.folder, pattern, recurse, list_dirs)
        names = [str(p.relative_to(relative)) if relative else str(p) for p in sorted(found)]
        scope.vars[var] = ";".join(names)

    def _glob(self, folder: Path, pattern: str, recurse: bool, list_dirs: bool) -> set[Path]:
        path = _absolute(folder, pattern)
        if path.suffix in C_SUFFIXES:
            path = path.with_suffix(".py")
        # the folder part has no wildcards in the patterns Zephyr apps write: src/*.c
        parent, name = path.parent, path.name
        self.table.globbed.append(parent)
        matches = parent.rglob(name) if recurse else parent.glob(name)
        return {p for p in matches if list_dirs or not p.is_dir()}

    def set_(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if not args:
            raise cmd.error("set called with incorrect number of arguments")
        var, values = args[0], args[1:]
        if scope.is_app and var in _COMMAND_LINE:
            self._command_line_only(cmd, var)
        if "PARENT_SCOPE" in values:
            self.warn(cmd.warning("set(... PARENT_SCOPE) is not supported by zpy: ignored"))
            return
        if "CACHE" in values:
            values = values[:values.index("CACHE")]
            if var in scope.vars:
                return
        if values:
            scope.vars[var] = ";".join(values)
        else:
            scope.vars.pop(var, None)

    def list_(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if len(args) < 2 or args[0] != "APPEND":
            self.warn(cmd.warning(f"list({args[0] if args else ''}) is not a command zpy "
                                  "reads: ignored (it reads list(APPEND))"))
            return
        if scope.is_app and args[1] in _COMMAND_LINE:
            self._command_line_only(cmd, args[1])
        items = [v for v in (scope.vars.get(args[1], ""), *args[2:]) if v]
        scope.vars[args[1]] = ";".join(items)

    def project(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if not args:
            raise cmd.error("project PROJECT called with incorrect number of arguments")
        scope.vars.update(PROJECT_NAME=args[0], CMAKE_PROJECT_NAME=args[0],
                          PROJECT_SOURCE_DIR=str(scope.folder))

    def find_package(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        if args[:1] != ["Zephyr"]:
            self.warn(cmd.warning(f"find_package({' '.join(args[:1])}): zpy finds only the "
                                  "Zephyr package: ignored"))
            return
        self.zephyr_loaded = True
        if scope.is_app:  # Zephyr's boilerplate makes the app target here
            self.definitions.target("app", scope.definitions)

    def _command_line_only(self, cmd: Command, var: str) -> None:
        self.warn(cmd.warning(f"zpy takes {var} from the command line only: use "
                              f"`zpy build ... -- -D{var}=...`; this {cmd.name}() has no "
                              "effect on the build"))

    def no_effect(self, cmd: Command, args: list[str], scope: _Scope) -> None:
        """cmake_minimum_required(): nothing to do."""

    # -- helpers -------------------------------------------------------------------------------

    def _target_items(self, cmd: Command, args: list[str], what: str = "sources",
                      interface: bool = True) -> list[str]:
        """The items of target_<what>(<target> <scope> items... [<scope> items...]); those
        after INTERFACE only if `interface`."""
        if len(args) < 2:
            raise cmd.error(f"{cmd.name} called with incorrect number of arguments")
        target = args[0]
        if target not in self.targets or not self.zephyr_loaded:
            raise cmd.error(f'Cannot specify {what} for target "{target}" which is not built '
                            "by this project.")
        if args[1] not in _SCOPES:
            raise cmd.error(f"{cmd.name} called with invalid arguments",
                            hint=f"write {cmd.name}({target} PRIVATE ...)")
        keyword, items = "", []
        for arg in args[1:]:
            if arg in _SCOPES:
                keyword = arg
            elif keyword != "INTERFACE" or interface:
                items.append(arg)
        return items

    def _add_sources(self, cmd: Command, items: list[str], scope: _Scope, target: str
                     ) -> None:
        for item in items:
            path = self._source_file(cmd, item, scope.folder)
            if path is None or path in self.seen:
                continue
            self.seen.add(path)
            self.every.append((path, scope.conditions))
            kind, name = self._name(path, scope)
            if kind != "zephyr" and not self.all_branches:
                other = self.names.setdefault(name, path)
                if other != path:
                    raise cmd.error(f"two sources of the image are named '{name}': {other} "
                                    f"and {path}", hint="rename one of them")
            lists = {"zephyr": self.table.modules, "module": self.table.module_sources,
                     "app": self.table.app_sources}
            innermost = scope.conditions[-1].symbol if scope.conditions else None
            lists[kind].append(ImageModule(name, str(path), innermost, target))

    def _source_file(self, cmd: Command, item: str, folder: Path) -> Path | None:
        """The .py file a source item stands for; None for a header or another file."""
        path = _absolute(folder, item)
        if path.suffix in C_SUFFIXES:
            py = path.with_suffix(".py")
            if not py.is_file():
                raise cmd.error(f"Cannot find source file: {item} (zpy links {py.name} in its "
                                "place)")
            return py.resolve()
        if not path.exists():
            raise cmd.error(f"Cannot find source file: {item}")
        if path.is_dir():
            raise cmd.error(f"{item} is a folder, not a source file")
        if path.suffix == ".py":
            return path.resolve()
        if path.suffix not in _HEADERS:
            self.warn(cmd.warning(f"{item} is not a source zpy can link (.py, or a C name "
                                  "standing for one): ignored"))
        return None

    def _name(self, path: Path, scope: _Scope) -> tuple[str, str]:
        """(kind, dotted name): the deepest root holding `path` names it."""
        roots: list[tuple[Path, str]] = [(self.base, "zephyr")]
        roots += [(m.path, "module") for m in self.zephyr_modules]
        if self.app is not None:
            roots += [(self.app.dir, "app"), (self.app.src, "app")]
        holding = [(root, kind) for root, kind in roots if path.is_relative_to(root)]
        if not holding:  # outside every tree: named by its file name, as the app's
            return ("app" if scope.is_app else "module"), path.stem
        root, kind = max(holding, key=lambda rk: len(rk[0].parts))
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        return kind, ".".join(parts)


def _absolute(folder: Path, item: str) -> Path:
    path = Path(item).expanduser()
    return path if path.is_absolute() else folder / path


_Handler = Callable[[_Reader, Command, list[str], _Scope], None]
_HANDLERS: dict[str, _Handler] = {
    "add_subdirectory": _Reader.add_subdirectory,
    "target_sources": _Reader.target_sources,
    "zephyr_sources": _Reader.zephyr_sources,
    "zephyr_library_sources": _Reader.zephyr_library_sources,
    "zephyr_library": _Reader.zephyr_library,
    "zephyr_library_named": _Reader.zephyr_library_named,
    "zephyr_include_directories": _Reader.include_directories,
    "zephyr_library_include_directories": _Reader.include_directories,
    "target_include_directories": _Reader.include_directories,
    "zephyr_compile_definitions": _Reader.zephyr_compile_definitions,
    "zephyr_library_compile_definitions": _Reader.zephyr_library_compile_definitions,
    "target_compile_definitions": _Reader.target_compile_definitions,
    "add_compile_definitions": _Reader.add_compile_definitions,
    "add_definitions": _Reader.add_definitions,
    "file": _Reader.file,
    "set": _Reader.set_,
    "list": _Reader.list_,
    "project": _Reader.project,
    "find_package": _Reader.find_package,
    "cmake_minimum_required": _Reader.no_effect,
}

