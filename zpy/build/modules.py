"""Zephyr modules: folders outside the app that bring sources, Kconfig, bindings and boards.

As Zephyr's scripts/zephyr_module.py does it: a folder is a module when it has
zephyr/module.yml (or module.yaml), or else both zephyr/CMakeLists.txt and
zephyr/Kconfig. module.yml says where the rest is, relative to the module folder:

    name: example            # default: the folder's name
    build:
      cmake: .               # the folder with the module's CMakeLists.txt (default zephyr)
      kconfig: Kconfig       # the module's Kconfig file (default zephyr/Kconfig)
      depends: [other]       # modules whose sources and Kconfig come first
      settings:
        board_root: .        # boards/<board>/ under it
        dts_root: .          # dts/bindings/ and dts/include/ under it

`zpy build ... -- -DZEPHYR_EXTRA_MODULES=DIR[;DIR]` names the modules (relative
folders resolve against the app folder). Keys of Zephyr's schema that zpy has no
use for (samples, tests, blobs, soc_root, ...) are accepted; other keys, and
values of the wrong type, are errors at their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zpy.errors import BuildError

if TYPE_CHECKING:
    from zpy import yamlfile

#: Where a module keeps its metadata, as Zephyr's MODULE_YML_PATH.
MODULE_YML = Path("zephyr/module.yml")

#: Zephyr's module.yml schema: key -> expected type, or the nested mapping.
_SCHEMA: dict[str, Any] = {
    "name": str,
    "build": {
        "cmake": str, "kconfig": str, "cmake-ext": bool, "kconfig-ext": bool,
        "sysbuild-cmake": str, "sysbuild-kconfig": str, "sysbuild-cmake-ext": bool,
        "sysbuild-kconfig-ext": bool, "depends": list,
        "settings": {"board_root": str, "dts_root": str, "soc_root": str, "arch_root": str,
                     "module_ext_root": str, "sca_root": str, "snippet_root": str},
    },
    "tests": list, "samples": list, "boards": list, "blobs": list, "security": dict,
    "package-managers": dict, "runners": list,
}
_TYPE_NAMES = {str: "a string", bool: "a boolean", list: "a list", dict: "a mapping"}


@dataclass(frozen=True)
class ZephyrModule:
    name: str
    path: Path
    #: the folder whose CMakeLists.txt the build reads, if any
    cmake_dir: Path | None = None
    #: the Kconfig file sourced into the configuration, if any
    kconfig: Path | None = None
    board_root: Path | None = None
    dts_root: Path | None = None
    #: zephyr/module.yml, when the module has one
    yml: Path | None = None
    depends: tuple[str, ...] = ()

    @property
    def upper_name(self) -> str:
        """The name in Zephyr's variables: ZEPHYR_<NAME>_MODULE_DIR."""
        return re.sub("[^a-zA-Z0-9]", "_", self.name).upper()


def find_modules(folders: list[str], app_dir: Path) -> list[ZephyrModule]:
    """The modules of ZEPHYR_EXTRA_MODULES, dependencies first."""
    modules: dict[str, ZephyrModule] = {}
    for given in folders:
        path = Path(given).expanduser()
        path = (path if path.is_absolute() else app_dir / path).resolve()
        module = load_module(path, given)
        if module.name in modules and modules[module.name].path != path:
            raise BuildError(f"two modules are named '{module.name}': {modules[module.name].path} "
                             f"and {path}", filename=module.yml)
        modules[module.name] = module
    return _dependencies_first(list(modules.values()))


def load_module(path: Path, given: str) -> ZephyrModule:
    """The module in folder `path` (`given` as the user wrote it, for messages)."""
    if not path.is_dir():
        raise BuildError(f"{given}, given in ZEPHYR_EXTRA_MODULES, is not a folder")
    yml = next((p for p in (path / MODULE_YML, path / MODULE_YML.with_suffix(".yaml"))
                if p.is_file()), None)
    if yml is None:
        zephyr_dir = path / "zephyr"
        if (zephyr_dir / "CMakeLists.txt").is_file() and (zephyr_dir / "Kconfig").is_file():
            return ZephyrModule(path.name, path, zephyr_dir, zephyr_dir / "Kconfig")
        raise BuildError(f"{given}, given in ZEPHYR_EXTRA_MODULES, is not a valid zephyr module",
                         hint=f"a module has {MODULE_YML} (or zephyr/CMakeLists.txt and "
                         "zephyr/Kconfig)")
    from zpy import yamlfile  # PyYAML: only for an app that names modules, not on every build

    doc = yamlfile.load(yml, BuildError)
    data = doc.data if doc.data is not None else {}
    _check(doc, data, _SCHEMA, ())
    build = data.get("build", {})
    settings = build.get("settings", {})

    def folder_setting(key: str, default: str | None, need: str | None) -> Path | None:
        value = build.get(key, default)
        if value is None:
            return None
        where = path / value
        if need is not None and not (where / need).is_file():
            if key not in build:
                return None  # the default place, absent: the module has none
            raise doc.error(f'"{key}" key in {yml} has folder value "{value}" which does not '
                            f"contain a {need} file.", "build", key)
        return where.resolve()

    kconfig_value = build.get("kconfig")
    kconfig: Path | None = path / (kconfig_value or "zephyr/Kconfig")
    if kconfig is not None and not kconfig.is_file():
        if kconfig_value is not None:
            raise doc.error(f'"kconfig" key in {yml} has value "{kconfig_value}" which does not '
                            "point to a valid Kconfig file.", "build", "kconfig")
        kconfig = None

    def root(key: str) -> Path | None:
        value = settings.get(key)
        if value is None:
            return None
        where = (path / value).resolve()
        if not where.is_dir():
            raise doc.error(f'"{key}" in {yml} names "{value}", which is not a folder of the '
                            "module", "build", "settings", key)
        return where

    for i, dep in enumerate(build.get("depends", [])):
        if not isinstance(dep, str):
            raise doc.error("a 'depends' item must be a module name", "build", "depends", i)
    return ZephyrModule(
        name=str(data.get("name", path.name)),
        path=path,
        cmake_dir=folder_setting("cmake", "zephyr", "CMakeLists.txt"),
        kconfig=kconfig.resolve() if kconfig is not None else None,
        board_root=root("board_root"),
        dts_root=root("dts_root"),
        yml=yml,
        depends=tuple(build.get("depends", [])),
    )


def _check(doc: yamlfile.YamlDoc, data: Any, schema: dict[str, Any], at: tuple[str, ...]
           ) -> None:
    where = ".".join(at) or "the top level"
    if not isinstance(data, dict):
        raise doc.error(f"{where} of {MODULE_YML} must be a mapping", *at)
    for key, value in data.items():
        expected = schema.get(key)
        if expected is None:
            raise doc.error(f"unknown key '{key}' in {where} of {MODULE_YML} (expected one of "
                            f"{', '.join(schema)})", *at, key)
        if isinstance(expected, dict):
            _check(doc, value, expected, (*at, key))
        elif not isinstance(value, expected):
            raise doc.error(f"'{key}' must be {_TYPE_NAMES[expected]}", *at, key)


def _dependencies_first(modules: list[ZephyrModule]) -> list[ZephyrModule]:
    """Zephyr's order: a module comes after the modules it depends on, else in given order."""
    done: list[ZephyrModule] = []
    waiting = list(modules)
    while waiting:
        ready = [m for m in waiting if all(d in {x.name for x in done} for d in m.depends)]
        if not ready:
            lines = "; ".join(f"{m.path} depends on: {', '.join(m.depends)}" for m in waiting)
            raise BuildError(f"Unmet or cyclic dependencies in modules: {lines}")
        done.append(ready[0])
        waiting.remove(ready[0])
    return done


def kconfig_modules(modules: list[ZephyrModule]) -> str:
    """Kconfig.modules, as Zephyr generates it: each module's Kconfig in a menu of its own,
    and ZEPHYR_<NAME>_MODULE, always y."""
    parts = []
    for m in modules:
        lines = [f'menu "{m.name} ({m.path.as_posix()})"']
        if m.kconfig is not None:
            lines.append(f'osource "{m.kconfig.as_posix()}"')
        lines += [f"config ZEPHYR_{m.upper_name}_MODULE", "\tbool", "\tdefault y", "endmenu", ""]
        parts.append("\n".join(lines))
    return "\n".join(parts)


def module_variables(modules: list[ZephyrModule]) -> dict[str, str]:
    """ZEPHYR_<NAME>_MODULE_DIR (and _KCONFIG, _CMAKE_DIR where there is one) for each
    module: what Zephyr gives Kconfig and CMake."""
    out = {}
    for m in modules:
        out[f"ZEPHYR_{m.upper_name}_MODULE_DIR"] = str(m.path)
        if m.kconfig is not None:
            out[f"ZEPHYR_{m.upper_name}_KCONFIG"] = str(m.kconfig)
        if m.cmake_dir is not None:
            out[f"ZEPHYR_{m.upper_name}_CMAKE_DIR"] = str(m.cmake_dir)
    return out
