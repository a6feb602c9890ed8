"""The image manifest: what a build puts in the image, for `zpy run` to link.

A C build links object files chosen by CMakeLists' zephyr_library_sources_ifdef();
a zpy build lists the Python modules chosen the same way (each source folder's
CMakeLists.txt, read by zpy, not by CMake), plus the app's sources. Written to
BUILD/zephyr/image.json.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Where the manifest lives inside a build directory.
RELPATH = Path("zephyr/image.json")


@dataclass(frozen=True)
class ImageModule:
    """One module of the image: a zpy source file, or a file of the app."""

    name: str  # dotted name it imports as: "zpy.drivers.ivshmem.virt_ivshmem", "app.main"
    path: str  # absolute path of the .py file
    condition: str | None = None  # the CONFIG_ symbol that put it in, None if unconditional


@dataclass
class ImageManifest:
    board: str
    board_dir: str
    app_dir: str
    zephyr_base: str
    #: zpy modules in link order (the order the CMakeLists files name them)
    modules: list[ImageModule] = field(default_factory=list)
    #: the app's sources (src/*.py), main.py first
    app_sources: list[ImageModule] = field(default_factory=list)
    #: -D options and other build settings the runtime may want to show
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ImageManifest:
        d = dict(d)
        d["modules"] = [ImageModule(**m) for m in d.get("modules", [])]
        d["app_sources"] = [ImageModule(**m) for m in d.get("app_sources", [])]
        return cls(**d)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> ImageManifest:
        return cls.from_json(json.loads(Path(path).read_text()))
