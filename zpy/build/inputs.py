"""Which configuration fragments and devicetree overlays a build reads, in what order.

Zephyr's rules (cmake/modules/configuration_files.cmake, kconfig.cmake, dts.cmake):

Kconfig, later files win:
  1. the board's <board>_defconfig
  2. CONF_FILE (default prj.conf, which must then exist). With the default, the
     app's boards/<board>.conf is added when present; with CONF_FILE=prj_<x>.conf,
     boards/<board>_<x>.conf is.
  3. EXTRA_CONF_FILE (older name: OVERLAY_CONFIG)
  4. -DCONFIG_* options, via extra_kconfig_options.conf (added by the caller)

Devicetree, later files win:
  1. the board's <board>.dts
  2. DTC_OVERLAY_FILE if given; else the app's boards/<board>.overlay if present;
     else app.overlay if present
  3. EXTRA_DTC_OVERLAY_FILE

Relative names resolve against the app folder; a named file that does not exist
is an error. Each function also returns the optional files it looked for and did
not find, because creating one of them later must trigger a rebuild.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from zpy.build.app import App
from zpy.build.board import Board
from zpy.build.options import BuildOptions
from zpy.errors import BuildError, ConfigError, DTSError


@dataclass
class Selection:
    files: list[Path] = field(default_factory=list)
    #: optional files that were looked for and are absent
    absent: list[Path] = field(default_factory=list)


def _resolve(app: App, name: str, error: type[BuildError] | type[ConfigError] | type[DTSError]
             ) -> Path:
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = app.dir / path
    if not path.is_file():
        raise error(f"File not found: {path}")
    return path.resolve()


def _optional(path: Path, sel: Selection) -> None:
    if path.is_file():
        sel.files.append(path.resolve())
    else:
        sel.absent.append(path)


def conf_files(app: App, board: Board, options: BuildOptions) -> Selection:
    """The Kconfig fragments after the board defconfig, in merge order."""
    sel = Selection()
    _optional(board.defconfig, sel)
    names = options.conf_file
    if names is None:
        prj = app.dir / "prj.conf"
        if not prj.is_file():
            raise ConfigError(
                f"No prj.conf file(s) was found in the {app.dir} folder(s), please read "
                "the Zephyr documentation on application development."
            )
        sel.files.append(prj)
        _optional(app.dir / "boards" / f"{board.name}.conf", sel)
    else:
        sel.files += [_resolve(app, n, ConfigError) for n in names]
        if len(names) == 1:
            m = re.fullmatch(r"prj_(.+)\.conf", Path(names[0]).name)
            if m:
                _optional(app.dir / "boards" / f"{board.name}_{m.group(1)}.conf", sel)
    sel.files += [_resolve(app, n, ConfigError) for n in options.extra_conf_file]
    return sel


def dts_files(app: App, board: Board, options: BuildOptions) -> Selection:
    """The board .dts and the overlays, in the order they are merged."""
    sel = Selection()
    if not board.dts.is_file():
        raise DTSError(f"File not found: {board.dts}")
    sel.files.append(board.dts)
    names = options.dtc_overlay_file
    if names is not None:
        sel.files += [_resolve(app, n, DTSError) for n in names]
    else:
        board_overlay = app.dir / "boards" / f"{board.name}.overlay"
        app_overlay = app.dir / "app.overlay"
        if board_overlay.is_file():
            sel.files.append(board_overlay.resolve())
        else:
            sel.absent.append(board_overlay)
            _optional(app_overlay, sel)
    sel.files += [_resolve(app, n, DTSError) for n in options.extra_dtc_overlay_file]
    return sel
