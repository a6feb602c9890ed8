"""The build front end: what `west build` + CMake do for a Zephyr app.

Inputs: an app folder, a board, -D options. Outputs, in Zephyr's layout under
BUILD/zephyr/: .config, include/generated/zephyr/autoconf.h, zephyr.dts,
edt.pickle, plus two files the zpy runtime reads instead of compiled code:
include/generated/zephyr/devicetree_generated.json (see dtmodel.py) and
image.json (see manifest.py).

Entry points: build() and menuconfig() (pipeline.py). Importing this package
does not import kconfiglib or edtlib; only a build that has work to do does.
"""

from zpy.build.pipeline import BuildResult, build, menuconfig

__all__ = ["BuildResult", "build", "menuconfig"]
