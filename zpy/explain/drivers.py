"""Which source file drives a compatible, and which Kconfig symbols put it in an image.

A Zephyr driver names the compatible it serves with DT_DRV_COMPAT (the
compatible, lower case, with every other character as '_') and is compiled in
by a CMakeLists `zephyr_library_sources_ifdef(CONFIG_X ...)`, possibly inside
an `add_subdirectory_ifdef(CONFIG_Y ...)`. zpy's drivers do the same, so the
CMakeLists tables (all branches, whatever the configuration) and a look at each
file's top-level `DT_DRV_COMPAT = "..."` (read with ast, never imported) tell
which driver a node would get and which symbols keep it out.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zpy.build.app import App
from zpy.build.modules import ZephyrModule
from zpy.build.sources import Condition, all_sources


@dataclass(frozen=True)
class DriverSource:
    path: Path
    compat: str  # DT_DRV_COMPAT, e.g. "qemu_ivshmem"
    lineno: int  # of the DT_DRV_COMPAT assignment
    #: the `_ifdef` symbols that must be set for the file to be in an image (outermost first)
    conditions: tuple[Condition, ...] = ()


def drv_compat(compatible: str) -> str:
    """'qemu,ivshmem' -> 'qemu_ivshmem' (Zephyr's DT_DRV_COMPAT spelling)."""
    return re.sub(r"[^a-z0-9]", "_", compatible.lower())


def dt_drv_compat(path: Path) -> tuple[str, int] | None:
    """(value, line) of a module's top-level DT_DRV_COMPAT = "..." assignment."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "DT_DRV_COMPAT"
                and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)):
            return stmt.value.value, stmt.lineno
    return None


def driver_sources(zephyr_base: Path, app_sources: list[Path], app: App | None = None,
                   zephyr_modules: Sequence[ZephyrModule] = ()) -> list[DriverSource]:
    """Every file (zpy's, the Zephyr modules' and the app's, by their CMakeLists files, and
    `app_sources`) that declares a DT_DRV_COMPAT."""
    found = []
    seen: set[Path] = set()
    files = [*all_sources(zephyr_base, app=app, zephyr_modules=zephyr_modules),
             *((p, ()) for p in app_sources)]
    for path, conditions in files:
        if path in seen:
            continue
        seen.add(path)
        compat = dt_drv_compat(path)
        if compat is not None:
            found.append(DriverSource(path, compat[0], compat[1], conditions))
    return found


def drivers_for(compatibles: list[str], sources: list[DriverSource]) -> list[DriverSource]:
    """The driver sources for a node's compatibles, in the order of the compatibles."""
    out = []
    for compatible in compatibles:
        out += [s for s in sources if s.compat == drv_compat(compatible)]
    return out
