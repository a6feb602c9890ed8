"""The build folder's memory: build_info.json, what a build read, and pristine rules.

Every input is recorded with a content hash: Kconfig files kconfiglib parsed,
conf fragments, devicetree sources and the headers cpp read, binding files,
CMakeLists files, the app's sources, the -D options, the board, the app and
zpy's version. Optional files that were looked for and not found are
recorded as absent, so creating one later triggers a rebuild too. A rebuild
with nothing changed is a no-op decided here with hashlib alone: no kconfiglib
or edtlib import on that path.

Two hashes serve Zephyr's .config rule: `fragments` (the conf files and -D
CONFIG_ options, as merged) and `dotconfig` (the .config the build wrote).
If the fragments did not change but the .config did (menuconfig), the old
.config is the only Kconfig input of the next build.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zpy.build.paths import BuildPaths
from zpy.errors import BuildError
from zpy.image.outputs import broken, read_json_object, require

FORMAT = 2  # 2: app sources named by path (main), Zephyr modules


def file_hash(path: Path) -> str | None:
    """sha256 of a file's content; None if it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "dir:" + listing_hash(path)


def listing_hash(folder: Path) -> str:
    """A hash of a folder's file names (recursive), for globs such as src/*.py."""
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.is_dir() else []
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def fragments_hash(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(str(f).encode() + b"\0" + (f.read_bytes() if f.is_file() else b"") + b"\0")
    return h.hexdigest()


@dataclass
class BuildInfo:
    app: str
    board: str
    zpy_version: str
    #: the -D options, as [name, value] pairs in command-line order
    settings: list[list[str]] = field(default_factory=list)
    #: input file -> sha256 (None: looked for, absent)
    files: dict[str, str | None] = field(default_factory=dict)
    #: folder -> hash of its file names (new or removed files)
    folders: dict[str, str] = field(default_factory=dict)
    fragments: str | None = None
    dotconfig: str | None = None
    #: the Kconfig set-up, so menuconfig can run from the build folder alone
    kconfig: dict[str, Any] | None = None
    complete: bool = False
    format: int = FORMAT

    @classmethod
    def load(cls, paths: BuildPaths) -> BuildInfo | None:
        """The last build's memory; None if there is none (or an older zpy wrote it). One
        that cannot be read or lacks what zpy writes is an OutputError: guessing would build
        another app (the current folder) into the folder."""
        path = paths.build_info
        if not path.exists():
            return None
        data = read_json_object(path)
        if data.get("format") != FORMAT:
            return None
        require(data, path, {"app": str, "board": str, "zpy_version": str, "settings": list,
                             "files": dict, "folders": dict, "complete": bool})
        try:
            return cls(**data)
        except TypeError as e:
            raise broken(path, f"not what zpy writes ({e})") from None

    def save(self, paths: BuildPaths) -> None:
        paths.build_info.parent.mkdir(parents=True, exist_ok=True)
        tmp = paths.build_info.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1) + "\n")
        tmp.replace(paths.build_info)

    def record_files(self, files: Iterable[Path]) -> None:
        for f in files:
            self.files[str(f)] = file_hash(f)

    def record_folders(self, folders: Iterable[Path]) -> None:
        for d in folders:
            self.folders[str(d)] = listing_hash(d)

    def changed_input(self) -> str | None:
        """The first recorded input that changed, or None if all are as recorded."""
        for name, digest in self.files.items():
            if file_hash(Path(name)) != digest:
                return name
        for name, digest in self.folders.items():
            if listing_hash(Path(name)) != digest:
                return name
        return None


def up_to_date(info: BuildInfo | None, paths: BuildPaths, app: Path, board: str,
               settings: list[list[str]], version: str) -> bool:
    """True if the last build is complete, for the same request, and no input changed."""
    if info is None or not info.complete:
        return False
    if (info.app, info.board, info.settings, info.zpy_version) != (
            str(app), board, settings, version):
        return False
    if not all(p.is_file() for p in paths.outputs()):
        return False
    if file_hash(paths.dotconfig) != info.dotconfig:
        return False
    return info.changed_input() is None


def is_build_dir(root: Path) -> bool:
    return BuildPaths(root).build_info.is_file()


def make_pristine(root: Path) -> None:
    """Empty a build folder; refuse a folder that zpy did not make."""
    if not root.exists():
        return
    if not root.is_dir():
        raise BuildError(f"build folder {root} is not a folder")
    if any(root.iterdir()) and not is_build_dir(root):
        raise BuildError(f"refusing to make {root} pristine: it is not a zpy build folder "
                         "(it has no zephyr/build_info.json)",
                         hint="use -d to choose another build folder")
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
