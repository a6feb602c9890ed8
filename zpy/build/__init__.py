"""The build front end: what `west build` + CMake do for a Zephyr app.

Inputs: an app folder, a board, -D options. Outputs, in Zephyr's layout under
BUILD/zephyr/: .config, include/generated/zephyr/autoconf.h, zephyr.dts,
edt.pickle, plus two files the zpy runtime reads instead of compiled code:
include/generated/zephyr/devicetree_generated.json and image.json (their
formats live in zpy.image, which the build writes and the runtime reads).

Entry points: build() and menuconfig() (pipeline.py). Importing this package
imports nothing else: only a build that has work to do imports kconfiglib or
edtlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zpy.build.pipeline import BuildResult, build, menuconfig

__all__ = ["BuildResult", "build", "menuconfig"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from zpy.build import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'zpy.build' has no attribute {name!r}")
