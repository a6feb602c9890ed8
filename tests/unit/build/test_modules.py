"""Zephyr modules: zephyr/module.yml read as Zephyr reads it, its errors at their line, the
order of dependent modules, and the Kconfig the build writes for them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from zpy.build.modules import ZephyrModule, find_modules, kconfig_modules, module_variables
from zpy.errors import BuildError


def module(root: Path, yml: str | None, files: tuple[str, ...] = ()) -> Path:
    root.mkdir(parents=True)
    if yml is not None:
        (root / "zephyr").mkdir()
        (root / "zephyr/module.yml").write_text(textwrap.dedent(yml))
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    return root


EXAMPLE = """\
    name: example-app
    build:
      cmake: .
      kconfig: Kconfig
      settings:
        board_root: .
        dts_root: .
    samples:
      - app
    """


def test_example_application_module(tmp_path: Path) -> None:
    root = module(tmp_path / "mod", EXAMPLE, ("CMakeLists.txt", "Kconfig"))
    [m] = find_modules(["../mod"], tmp_path / "app")  # relative to the app folder
    assert m == ZephyrModule("example-app", root, cmake_dir=root, kconfig=root / "Kconfig",
                             board_root=root, dts_root=root, yml=root / "zephyr/module.yml")
    assert m.upper_name == "EXAMPLE_APP"
    assert module_variables([m]) == {"ZEPHYR_EXAMPLE_APP_MODULE_DIR": str(root),
                                     "ZEPHYR_EXAMPLE_APP_KCONFIG": str(root / "Kconfig"),
                                     "ZEPHYR_EXAMPLE_APP_CMAKE_DIR": str(root)}
    assert kconfig_modules([m]) == textwrap.dedent(f"""\
        menu "example-app ({root})"
        osource "{root}/Kconfig"
        config ZEPHYR_EXAMPLE_APP_MODULE
        \tbool
        \tdefault y
        endmenu
        """)


def test_defaults_and_modules_without_module_yml(tmp_path: Path) -> None:
    plain = module(tmp_path / "plain", None, ("zephyr/CMakeLists.txt", "zephyr/Kconfig"))
    empty = module(tmp_path / "empty", "")  # a module.yml with nothing in it
    defaults = module(tmp_path / "defaults", "samples: []\n",
                      ("zephyr/CMakeLists.txt", "zephyr/Kconfig"))
    found = find_modules([str(plain), str(empty), str(defaults)], tmp_path)
    assert [(m.name, m.cmake_dir, m.kconfig) for m in found] == [
        ("plain", plain / "zephyr", plain / "zephyr/Kconfig"),
        ("empty", None, None),
        ("defaults", defaults / "zephyr", defaults / "zephyr/Kconfig")]
    assert kconfig_modules(found[1:2]) == textwrap.dedent(f"""\
        menu "empty ({empty})"
        config ZEPHYR_EMPTY_MODULE
        \tbool
        \tdefault y
        endmenu
        """)


def test_depends_orders_modules(tmp_path: Path) -> None:
    a = module(tmp_path / "a", "build:\n  depends: [b]\n")
    b = module(tmp_path / "b", "build:\n  depends: [c]\n")
    c = module(tmp_path / "c", "")
    assert [m.path for m in find_modules([str(a), str(b), str(c)], tmp_path)] == [c, b, a]
    module(tmp_path / "d", "build:\n  depends: [e]\n")
    module(tmp_path / "e", "build:\n  depends: [d]\n")
    with pytest.raises(BuildError, match=r"^Unmet or cyclic dependencies in modules: "
                       rf"{tmp_path}/d depends on: e; {tmp_path}/e depends on: d$"):
        find_modules([str(tmp_path / "d"), str(tmp_path / "e")], tmp_path)


@pytest.mark.parametrize("yml, line, message", [
    ("build:\n  cmake: .\n  kconfig: Kconfig\n  bogus: 1\n", 4,
     "unknown key 'bogus' in build of zephyr/module.yml (expected one of cmake, kconfig, "
     "cmake-ext, kconfig-ext, sysbuild-cmake, sysbuild-kconfig, sysbuild-cmake-ext, "
     "sysbuild-kconfig-ext, depends, settings)"),
    ("name: x\nbuild:\n  settings:\n    board_root: [a]\n", 4, "'board_root' must be a string"),
    ("build: yes\n", 1, "build of zephyr/module.yml must be a mapping"),
    ("build:\n  cmake: nowhere\n", 2, '"cmake" key in {yml} has folder value "nowhere" which '
     "does not contain a CMakeLists.txt file."),
    ("build:\n\n  kconfig: Kconfig.none\n", 3, '"kconfig" key in {yml} has value '
     '"Kconfig.none" which does not point to a valid Kconfig file.'),
    ("build:\n  settings:\n    dts_root: gone\n", 3,
     '"dts_root" in {yml} names "gone", which is not a folder of the module'),
    ("build:\n  depends:\n    - [x]\n", 3, "a 'depends' item must be a module name"),
    ("build:\n  cmake: [unclosed\n", 3, "invalid YAML: expected ',' or ']', but got "
     "'<stream end>' (while parsing a flow sequence)"),
])
def test_module_yml_errors_name_file_and_line(tmp_path: Path, yml: str, line: int,
                                              message: str) -> None:
    root = module(tmp_path / "mod", yml)
    with pytest.raises(BuildError) as e:
        find_modules([str(root)], tmp_path)
    path = root / "zephyr/module.yml"
    assert (e.value.filename, e.value.lineno, e.value.message) == (
        str(path), line, message.format(yml=path))


def test_not_a_module(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(BuildError) as e:
        find_modules(["plain"], tmp_path)
    assert str(e.value) == "plain, given in ZEPHYR_EXTRA_MODULES, is not a valid zephyr module"
    assert e.value.hint == ("a module has zephyr/module.yml (or zephyr/CMakeLists.txt and "
                            "zephyr/Kconfig)")
    with pytest.raises(BuildError, match="^nowhere, given in ZEPHYR_EXTRA_MODULES, is not a "
                       "folder$"):
        find_modules(["nowhere"], tmp_path)
