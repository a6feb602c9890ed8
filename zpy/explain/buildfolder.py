"""A build folder as `zpy explain` reads it: its configuration, devicetree and image.

Nothing here rebuilds anything or writes into the folder. The Kconfig tree is
parsed again with the build's own settings (build_info.json), and the build's
configuration files are merged again in the build's order, so that kconfiglib
knows what each file asked for (its user values), not only the result.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import kconfiglib

from zpy.build import kconfig as build_kconfig
from zpy.build.app import App
from zpy.build.board import find_board
from zpy.build.builddir import BuildInfo
from zpy.build.dtslocate import DTSSourceMap
from zpy.build.options import BuildOptions
from zpy.build.paths import BuildPaths
from zpy.errors import ZpyError
from zpy.explain.fragments import Fragment, build_fragments, load_fragments
from zpy.image.dtmodel import DeviceTree
from zpy.image.manifest import ImageManifest


class ExplainError(ZpyError):
    """A build folder or a name that `zpy explain` cannot explain."""


class BuildFolder:
    """One configured build folder; every part is loaded when first used."""

    def __init__(self, root: Path | str) -> None:
        self.paths = BuildPaths(Path(root).expanduser().resolve())
        info = BuildInfo.load(self.paths)
        if info is None or not info.complete or info.kconfig is None:
            raise ExplainError(f"{root} is not a complete zpy build folder (no "
                               "zephyr/build_info.json of a finished build)",
                               hint=f"build one first: zpy build -b BOARD -d {root} APP")
        self.info = info
        self.setup = build_kconfig.KconfigSetup.from_json(info.kconfig)
        self.app = App(Path(info.app))

    @property
    def root(self) -> Path:
        return self.paths.root

    @cached_property
    def devicetree(self) -> DeviceTree:
        return DeviceTree.load(self.paths.devicetree_json)

    @cached_property
    def dts_map(self) -> DTSSourceMap | None:
        """Where each node and property was written (from the preprocessed devicetree)."""
        try:
            text = self.paths.dts_pre.read_text(encoding="utf-8")
        except OSError:
            return None
        return DTSSourceMap(text, str(self.paths.dts_pre))

    @cached_property
    def manifest(self) -> ImageManifest:
        return ImageManifest.load(self.paths.image_json)

    @cached_property
    def fragments(self) -> list[Fragment]:
        board = find_board(self.info.board, [self.app.dir, self.setup.srctree])
        options = BuildOptions(tuple((k, v) for k, v in self.info.settings))
        return build_fragments(self.app, board, options, self.paths.extra_kconfig_options)

    @cached_property
    def kconfig(self) -> kconfiglib.Kconfig:
        """The build's Kconfig tree with its configuration files merged in order."""
        with build_kconfig.kconfig_session(self.setup, self.devicetree):
            kconf = build_kconfig.parse(self.setup)
        kconf.warn_assign_override = False
        kconf.warn_assign_redun = False
        kconf.warn_assign_undef = False
        load_fragments(kconf, [f.path for f in self.fragments])
        return kconf

    def changed_input(self) -> str | None:
        """An input that changed since the build (the explanation may then be stale)."""
        return self.info.changed_input()

    def dotconfig_line(self, name: str) -> str | None:
        """The line of zephyr/.config for CONFIG_<name> (None if it has none)."""
        try:
            lines = self.paths.dotconfig.read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        for line in lines:
            if line.startswith((f"CONFIG_{name}=", f"# CONFIG_{name} is not set")):
                return line
        return None

