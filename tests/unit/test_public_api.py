"""The public modules (Zephyr's headers) list their API in a literal __all__.

Type checkers and IDEs read __all__ without running the module, so it is written
out; this test keeps each list equal to what the module actually defines.
"""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

import pytest

import zpy

PUBLIC = ["zpy.kernel", "zpy.device", "zpy.logging", "zpy.shell", "zpy.ztest", "zpy.init",
          "zpy.random",
          "zpy.drivers.gpio", "zpy.drivers.gpio.gpio_emul", "zpy.drivers.i2c", "zpy.drivers.i2c_emul",
          "zpy.drivers.emul"]


def defined(module: types.ModuleType) -> set[str]:
    """Public names bound in the module (C's __ASSERT macros too), less its own submodules
    (zpy.kernel.thread, ...), plus the ones it looks up when read (_LAZY_NAMES: zpy.kernel's
    priority limits)."""
    prefix = module.__name__ + "."
    names = {name for name, value in vars(module).items()
             if (not name.startswith("_") or name.startswith("__ASSERT"))
             and name != "annotations"
             and not (isinstance(value, types.ModuleType) and value.__name__.startswith(prefix))}
    return names | set(getattr(module, "_LAZY_NAMES", ()))


@pytest.mark.parametrize("name", PUBLIC)
def test_all_lists_exactly_what_the_module_defines(name):
    module = importlib.import_module(name)
    listed = module.__all__
    assert len(listed) == len(set(listed)), "a name listed twice"
    assert set(listed) == defined(module)


@pytest.mark.parametrize("name", PUBLIC)
def test_all_is_a_literal_list(name):
    path = Path(importlib.import_module(name).__file__ or "")
    tree = ast.parse(path.read_text())
    values = [node.value for node in tree.body if isinstance(node, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)]
    assert len(values) == 1
    assert isinstance(values[0], ast.List)
    assert all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in values[0].elts)


def test_package_is_typed():
    assert (Path(zpy.__file__).parent / "py.typed").is_file()
