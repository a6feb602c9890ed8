"""`zpy menuconfig` and `zpy guiconfig`: edit a build's configuration (west build -t menuconfig).

Both run kconfiglib's interface on BUILD/zephyr/.config and rebuild from the
saved file, as `zpy build -t menuconfig` does, without naming the app again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zpy.cli.command import CommandError, ZpyCommand
from zpy.errors import BuildError


class Menuconfig(ZpyCommand):
    name = "menuconfig"
    help = "edit a build's Kconfig in the terminal, then rebuild"
    description = ("Run menuconfig on BUILD/zephyr/.config (a terminal UI), then rebuild the\n"
                   "image from the saved configuration. Same as zpy build -t menuconfig.")
    gui = False

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-d", "--build-dir", default="build",
                            help="build folder (default: build)")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        from zpy.build import menuconfig

        try:
            menuconfig(Path(args.build_dir), gui=self.gui, out=self.inf, warn=self._warning)
        except BuildError as e:
            if self.gui and "display" in e.message:
                raise CommandError("guiconfig needs a graphical display and DISPLAY is not set: "
                                   "use zpy menuconfig in a terminal") from None
            raise
        except ModuleNotFoundError as e:
            if self.gui and e.name in ("tkinter", "_tkinter"):
                raise CommandError("guiconfig needs Python's tkinter (Debian: python3-tk): "
                                   "use zpy menuconfig in a terminal") from None
            raise
        return 0

    def _warning(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)


class Guiconfig(Menuconfig):
    name = "guiconfig"
    help = "edit a build's Kconfig in a window (Tk), then rebuild"
    description = ("Run guiconfig on BUILD/zephyr/.config (needs a display), then rebuild the\n"
                   "image from the saved configuration. Same as zpy build -t guiconfig.")
    gui = True
