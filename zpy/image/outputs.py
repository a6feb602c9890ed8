"""Reading a build's outputs back: image.json, .config, the devicetree model, build_info.json.

zpy run, rebuilds, menuconfig, zpy draw and twister read what a build wrote. An
output that is missing, is not text, does not parse, or lacks what zpy writes
there is one error naming the file (and line, where JSON says one), with the way
out: a pristine rebuild. Nothing here trusts that a file still holds what zpy
wrote: people edit build folders, and builds get interrupted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zpy.errors import OutputError

if TYPE_CHECKING:
    from zpy.image.manifest import ImageManifest

REBUILD_HINT = "rebuild it: zpy build -p always -b BOARD -d BUILD_DIR APP"


def broken(path: Path | str, why: str, lineno: int | None = None) -> OutputError:
    """The error for build output `path`: `why`, and how to get a sound one."""
    return OutputError(f"broken build output: {why}", path, lineno, hint=REBUILD_HINT)


def read_text(path: Path) -> str:
    """A text output; missing, unreadable or binary is an OutputError."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise broken(path, "the file is missing") from None
    except IsADirectoryError:
        raise broken(path, "a folder where a file should be") from None
    except UnicodeDecodeError:
        raise broken(path, "not a text file") from None
    except OSError as e:
        raise broken(path, f"cannot read it: {e.strerror}") from None


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object; anything else (truncated, a list, binary) is an OutputError."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise broken(path, f"not valid JSON ({e.msg})", e.lineno) from None
    if not isinstance(data, dict):
        raise broken(path, f"a JSON {type(data).__name__} where zpy writes an object")
    return data


def require(data: dict[str, Any], path: Path, fields: dict[str, type | tuple[type, ...]],
            what: str = "") -> None:
    """Each of `fields` present in `data` with its type, or an OutputError naming the key."""
    where = f" in {what}" if what else ""
    for key, kind in fields.items():
        if key not in data:
            raise broken(path, f"'{key}' is missing{where}")
        if not isinstance(data[key], kind):
            raise broken(path, f"'{key}'{where} is a {type(data[key]).__name__}, not "
                               f"{_names(kind)}")


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


def rebuild_hint(build_dir: Path) -> str:
    """The pristine rebuild of `build_dir`, naming its app when build_info.json still can."""
    from zpy.build.builddir import BuildInfo
    from zpy.build.paths import BuildPaths

    try:
        info = BuildInfo.load(BuildPaths(build_dir))
    except OutputError:
        info = None
    board, app = (info.board, info.app) if info else ("BOARD", "APP")
    return f"rebuild it: zpy build -p always -b {board} -d {build_dir} {app}"


def check_image(build_dir: Path, manifest: ImageManifest) -> None:
    """image.json still describes the build that build_info.json records (board, app), and
    every module it links exists: an edit by hand is an error, not a different machine."""
    from zpy.build.builddir import BuildInfo
    from zpy.build.paths import BuildPaths

    paths = BuildPaths(build_dir)
    info = BuildInfo.load(paths)
    image = paths.image_json
    if info is not None:
        for key, built in (("board", info.board), ("app_dir", info.app)):
            if getattr(manifest, key) != built:
                raise broken(image, f"'{key}' is {getattr(manifest, key)!r}, but the build was "
                                    f"for {built!r} ({paths.build_info.name})")
    for entry in [*manifest.modules, *manifest.module_sources, *manifest.app_sources]:
        if not Path(entry.path).is_file():
            raise broken(image, f"module {entry.name} is {entry.path}, which does not exist")
