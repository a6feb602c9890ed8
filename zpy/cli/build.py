"""`zpy build`: west build for zpy apps."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zpy.cli.command import ZpyCommand
from zpy.errors import BuildError

_DESCRIPTION = """\
Build an app for a board, as `west build` does: devicetree, Kconfig, and the
image manifest (the sources the CMakeLists files choose), into BUILD/zephyr/
with Zephyr's file names.

Options after `--` are CMake-style -D options:
  -DCONFIG_X=value           a Kconfig assignment, merged last
  -DCONF_FILE=a.conf;b.conf  replaces prj.conf (and boards/<board>.conf)
  -DEXTRA_CONF_FILE=...      merged after CONF_FILE (old name: OVERLAY_CONFIG)
  -DDTC_OVERLAY_FILE=...     replaces boards/<board>.overlay / app.overlay
  -DEXTRA_DTC_OVERLAY_FILE=  overlays applied last
  -DZEPHYR_EXTRA_MODULES=DIR Zephyr modules (zephyr/module.yml), relative to APP
Without any, a build folder reuses the options of its previous build.

A rebuild with no changed input does nothing. See docs/build.md.
"""


class Build(ZpyCommand):
    name = "build"
    help = "build an app for a board (like west build)"
    description = _DESCRIPTION
    accepts_extra_args = True

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-b", "--board", help="board to build for (default: $BOARD, "
                            "or the build folder's board)")
        parser.add_argument("-d", "--build-dir", default="build",
                            help="build folder (default: build)")
        parser.add_argument("-p", "--pristine", nargs="?", const="always", default="auto",
                            choices=["auto", "always", "never"],
                            help="wipe the build folder first: always, never, or auto "
                            "(default: when it was built for another app or board); "
                            "-p alone means always")
        parser.add_argument("-t", "--target", choices=["run", "menuconfig", "guiconfig"],
                            help="after building: run the image, or edit its configuration")
        parser.add_argument("-s", "--source-dir", dest="source_dir_opt", metavar="APP",
                            help="same as the APP argument")
        parser.add_argument("source_dir", nargs="?", metavar="APP",
                            help="app folder (default: the build folder's app, or the "
                            "current folder)")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        from zpy.build import build, menuconfig

        if args.source_dir and args.source_dir_opt and args.source_dir != args.source_dir_opt:
            raise BuildError("give the app folder once (APP or -s APP)")
        app = args.source_dir or args.source_dir_opt
        result = build(app, args.board, args.build_dir, args.pristine, extra,
                       out=self.inf, warn=self._warning)
        if args.target in ("menuconfig", "guiconfig"):
            menuconfig(result.build_dir, gui=args.target == "guiconfig",
                       out=self.inf, warn=self._warning)
        elif args.target == "run":
            return run_build_dir(result.build_dir)
        return 0

    def _warning(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)


def run_build_dir(build_dir: Path) -> int:
    """`-t run`: hand the build to `zpy run` (imported only when asked for)."""
    from zpy.cli.run import run_build_dir as run

    status = run(build_dir)
    return 0 if status is None else int(status)
