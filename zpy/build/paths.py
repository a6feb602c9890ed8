"""Where things are: ZEPHYR_BASE, and the layout of a build folder.

A zpy build folder has Zephyr's layout (BUILD/zephyr/.config, ...), so a Zephyr
developer finds every file where `west build` would have put it. This module is
the only one that spells those paths out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zpy.build import environ
from zpy.errors import BuildError
from zpy.image import DEVICETREE_JSON, IMAGE_JSON

#: The file that marks a folder as a Zephyr (zpy) tree.
BASE_MARKER = "Kconfig.zephyr"


def zephyr_base(env: Mapping[str, str] | None = None) -> Path:
    """ZEPHYR_BASE: $ZEPHYR_BASE if set, else the source tree zpy is installed from."""
    value = environ.getenv("ZEPHYR_BASE") if env is None else env.get("ZEPHYR_BASE")
    if value:
        base = Path(value).expanduser().resolve()
        if not (base / BASE_MARKER).is_file():
            raise BuildError(
                f"ZEPHYR_BASE={value} has no {BASE_MARKER}",
                hint="unset ZEPHYR_BASE to use the tree zpy is installed from",
            )
        return base
    import zpy  # the package's folder sits in the tree (editable install)

    base = Path(zpy.__file__).resolve().parent.parent
    if not (base / BASE_MARKER).is_file():
        raise BuildError(
            f"cannot find ZEPHYR_BASE: {base} has no {BASE_MARKER}",
            hint="set ZEPHYR_BASE to zpy's source tree",
        )
    return base


@dataclass(frozen=True)
class BuildPaths:
    """Every file a build writes, inside one build folder."""

    root: Path

    @property
    def zephyr(self) -> Path:
        return self.root / "zephyr"

    @property
    def dotconfig(self) -> Path:
        return self.zephyr / ".config"

    @property
    def autoconf_h(self) -> Path:
        return self.zephyr / "include/generated/zephyr/autoconf.h"

    @property
    def devicetree_json(self) -> Path:
        return self.root / DEVICETREE_JSON

    @property
    def image_json(self) -> Path:
        return self.root / IMAGE_JSON

    @property
    def zephyr_dts(self) -> Path:
        return self.zephyr / "zephyr.dts"

    @property
    def dts_pre(self) -> Path:
        return self.zephyr / "zephyr.dts.pre"

    @property
    def dts_deps(self) -> Path:
        return self.zephyr / "zephyr.dts.d"

    @property
    def edt_pickle(self) -> Path:
        return self.zephyr / "edt.pickle"

    @property
    def empty_file(self) -> Path:
        """The empty translation unit every DTS file is force-included into."""
        return self.zephyr / "misc/empty_file.c"

    @property
    def kconfig_dir(self) -> Path:
        """KCONFIG_BINARY_DIR."""
        return self.root / "Kconfig"

    @property
    def kconfig_dts(self) -> Path:
        return self.kconfig_dir / "Kconfig.dts"

    @property
    def kconfig_modules(self) -> Path:
        """The Zephyr modules' Kconfig menus (sourced by modules/Kconfig)."""
        return self.kconfig_dir / "Kconfig.modules"

    @property
    def extra_kconfig_options(self) -> Path:
        return self.zephyr / "misc/generated/extra_kconfig_options.conf"

    @property
    def build_info(self) -> Path:
        return self.zephyr / "build_info.json"

    def outputs(self) -> list[Path]:
        """The files a complete build has written; all must exist for a no-op rebuild."""
        return [
            self.dotconfig,
            self.autoconf_h,
            self.zephyr_dts,
            self.edt_pickle,
            self.devicetree_json,
            self.kconfig_dts,
            self.kconfig_modules,
            self.image_json,
        ]
