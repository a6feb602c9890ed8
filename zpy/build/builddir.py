"""The build folder's memory: build_info.json, what a build read, and pristine rules.

Every input is recorded with a content hash: Kconfig files kconfiglib parsed,
conf fragments, devicetree sources and the headers cpp read, binding files,
CMakeLists files, the app's sources, the -D options, the board, the app and
zpy's version. Optional files that were looked for and not found are
recorded as absent, so creating one later triggers a rebuild too. A rebuild
with nothing changed is a no-op decided here: no kconfiglib or edtlib import
on that path. Each file's stat() stamp is recorded beside its hash, and a
file whose stamp is unchanged is taken as unchanged without being read (its
ctime moves on any write, and cannot be set back), so a no-op reads no input
and hashes nothing; a touched file is hashed, and only a new hash rebuilds.

Two hashes serve Zephyr's .config rule: `fragments` (the conf files and -D
CONFIG_ options, as merged) and `dotconfig` (the .config the build wrote).
If the fragments did not change but the .config did (menuconfig), the old
.config is the only Kconfig input of the next build.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from zpy.build.paths import BuildPaths
from zpy.errors import BuildError
from zpy.image.outputs import broken, read_json_object, require

FORMAT = 2  # 2: app sources named by path (main), Zephyr modules


def file_hash(path: Path) -> str | None:
    """sha256 of a file's content; None if it does not exist."""
    import hashlib  # not on a no-op rebuild's path (see stamp())

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "dir:" + listing_hash(path)


def stamp(path: Path | str) -> list[int] | None:
    """What stat() says of a regular file: size, mtime, ctime, inode; None for anything else.

    Any write moves ctime (which no one can set back), so an equal stamp means
    equal content without reading it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def folder_stamp(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_ctime_ns] if stat.S_ISDIR(st.st_mode) else None


def tree_stamps(folder: Path) -> dict[str, list[int] | None]:
    """folder_stamp() of `folder` and of every folder below it (a missing one: None)."""
    stamps: dict[str, list[int] | None] = {str(folder): folder_stamp(str(folder))}
    for top, _, _ in os.walk(folder):
        stamps[top] = folder_stamp(top)
    return stamps


def listing_hash(folder: Path) -> str:
    """A hash of a folder's file names (recursive), for globs such as src/*.py."""
    import hashlib

    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.is_dir() else []
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def fragments_hash(files: Iterable[Path]) -> str:
    import hashlib

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
    #: input file -> its stamp() when it was hashed (absent: hash it to compare)
    stamps: dict[str, list[int]] = field(default_factory=dict)
    #: folder -> {each folder in it (itself included): its mtime and ctime}: an entry added,
    #: removed or renamed anywhere in the tree moves one of them
    folder_stamps: dict[str, dict[str, list[int] | None]] = field(default_factory=dict)
    #: a stamp was renewed since load() (not saved with the rest)
    _restamped: bool = field(default=False, init=False, repr=False, compare=False)

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
        # a shallow view (asdict would deep-copy every table first): three saves per build
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        tmp.replace(paths.build_info)

    def record_files(self, files: Iterable[Path]) -> None:
        for f in files:
            before = stamp(f)  # taken first: a write while hashing leaves a stale stamp
            self.files[str(f)] = file_hash(f)
            if before is not None:
                self.stamps[str(f)] = before
            else:
                self.stamps.pop(str(f), None)

    def record_folders(self, folders: Iterable[Path]) -> None:
        for d in folders:
            self.folder_stamps[str(d)] = tree_stamps(d)
            self.folders[str(d)] = listing_hash(d)

    def record_dotconfig(self, path: Path) -> None:
        """The .config this build wrote (Zephyr's .config rule, see the module docstring)."""
        before = stamp(path)
        self.dotconfig = file_hash(path)
        if before is not None:
            self.stamps[str(path)] = before

    def same_file(self, name: str, digest: str | None) -> bool:
        """Is file `name` as recorded (hash `digest`, None: absent)? By its stamp if it can;
        a file whose stamp changed but not its content gets its new stamp (see check_inputs)."""
        now = stamp(name)
        if now is not None and now == self.stamps.get(name):
            return True
        if digest is None and now is None and not os.path.lexists(name):
            return True  # looked for, and still absent
        if file_hash(Path(name)) != digest:
            return False
        if now is not None:
            self.stamps[name] = now
            self._restamped = True
        return True

    def check_inputs(self) -> tuple[list[str], bool]:
        """(every recorded input that changed, in record order; whether a stamp was renewed,
        which save() would keep so that the next check need not hash that file again)."""
        self._restamped = False
        changed = [name for name, digest in self.files.items() if not self.same_file(name, digest)]
        changed += [name for name, digest in self.folders.items()
                    if not self._same_folder(name, digest)]
        return changed, self._restamped

    def _same_folder(self, name: str, digest: str) -> bool:
        recorded = self.folder_stamps.get(name)
        if recorded is not None and all(folder_stamp(d) == st for d, st in recorded.items()):
            return True
        now = tree_stamps(Path(name))
        if listing_hash(Path(name)) != digest:
            return False
        self.folder_stamps[name] = now
        self._restamped = True
        return True

    def changed_input(self) -> str | None:
        """The first recorded input that changed, or None if all are as recorded."""
        changed, _ = self.check_inputs()
        return changed[0] if changed else None


def changed_inputs(info: BuildInfo | None, paths: BuildPaths, app: Path, board: str,
                   settings: list[list[str]], version: str) -> list[str] | None:
    """What changed since the last build: [] if nothing, the changed inputs if only inputs
    did, None if the last build cannot be built upon (none, incomplete, another request,
    an output missing, .config edited)."""
    if info is None or not info.complete:
        return None
    if (info.app, info.board, info.settings, info.zpy_version) != (
            str(app), board, settings, version):
        return None
    if not all(p.is_file() for p in paths.outputs()):
        return None
    if not info.same_file(str(paths.dotconfig), info.dotconfig):
        return None
    changed, restamped = info.check_inputs()
    if restamped and not changed:
        info.save(paths)
    return changed


def up_to_date(info: BuildInfo | None, paths: BuildPaths, app: Path, board: str,
               settings: list[list[str]], version: str) -> bool:
    """True if the last build is complete, for the same request, and no input changed."""
    return changed_inputs(info, paths, app, board, settings, version) == []


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
