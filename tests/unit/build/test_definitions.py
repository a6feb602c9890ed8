"""Compile definitions in CMakeLists files: each command's reach (every source, a target, a
folder), -D variables and if(DEFINED), generator expressions, redefinitions, and errors with
file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zpy.build.app import App
from zpy.build.cmakelists import generator_expression
from zpy.build.definitions import parse_definition
from zpy.build.sources import ModuleTable, image_modules
from zpy.errors import BuildError, OutputError
from zpy.image.manifest import ImageManifest

from .test_sources import PREAMBLE, files

#: ZEPHYR_BASE with one zephyr_library (drivers/) and one zephyr_sources() file (core.py)
BASE = {
    "CMakeLists.txt": "zephyr_sources(core.py)\nadd_subdirectory(drivers)\n",
    "core.py": "",
    "drivers/CMakeLists.txt": "zephyr_library()\nzephyr_library_sources(drv.py)\n",
    "drivers/drv.py": "",
}


def read(tmp_path: Path, cmake: str, tree: dict[str, str] | None = None,
         variables: dict[str, str] | None = None, base: dict[str, str] | None = None,
         config: dict[str, int | str] | None = None) -> tuple[ModuleTable, list[str]]:
    """The table of an app (tmp_path/app: CMakeLists.txt = PREAMBLE + cmake, src/main.py)."""
    base_dir = files(tmp_path / "base", base or BASE)
    app = files(tmp_path / "app", {"CMakeLists.txt": PREAMBLE + cmake, "src/main.py": "",
                                   **(tree or {})})
    warnings: list[str] = []
    table = image_modules(base_dir, config or {}, app=App(app), variables=variables,
                          warn=warnings.append)
    return table, warnings


def defs(table: ModuleTable) -> dict[str, list[str]]:
    """target -> its definitions as NAME=value, in order."""
    return {t: [str(d) for d in ds] for t, ds in table.compile_definitions.items()}


def test_each_source_knows_its_target(tmp_path: Path) -> None:
    table, _ = read(tmp_path, "target_sources(app PRIVATE src/main.c)\n")
    assert [(m.name, m.target) for m in table.modules + table.app_sources] == [
        ("core", "zephyr"), ("drivers.drv", "drivers"), ("main", "app")]
    assert table.compile_definitions == {}


def test_zephyr_compile_definitions_reach_every_source(tmp_path: Path) -> None:
    table, _ = read(tmp_path, "target_sources(app PRIVATE src/main.c)\n"
                              "zephyr_compile_definitions(DEBUG_PRINTF=1 SAME_PRIO\n"
                              '  "-DNAME=\\"x y\\"")\n')
    everywhere = ["DEBUG_PRINTF=1", "SAME_PRIO=1", 'NAME="x y"']
    assert defs(table) == {"zephyr": everywhere, "drivers": everywhere, "app": everywhere}
    first = table.compile_definitions["app"][0]
    assert (first.file, first.line) == (str(tmp_path / "app/CMakeLists.txt"), 5)


def test_target_and_library_definitions_stay_in_their_target(tmp_path: Path) -> None:
    table, _ = read(tmp_path, "target_sources(app PRIVATE src/main.c)\n"
                              "target_compile_definitions(app PRIVATE A=1 PUBLIC B INTERFACE C)\n",
                    base={**BASE, "drivers/CMakeLists.txt":
                          "zephyr_library()\nzephyr_library_sources(drv.py)\n"
                          "zephyr_library_compile_definitions(DRV=2)\n"})
    assert defs(table) == {"drivers": ["DRV=2"], "app": ["A=1", "B=1"]}


def test_folder_definitions_reach_the_folder_s_targets(tmp_path: Path) -> None:
    """add_compile_definitions() in the app folder, before or after find_package, reaches
    app; in a subfolder, only that folder's targets; add_definitions() takes -D flags only."""
    table, warnings = read(
        tmp_path, "target_sources(app PRIVATE src/main.c)\n"
                  "add_subdirectory(lib)\n"
                  "add_definitions(-DLATE /DSLASH=2 -Wall)\n",
        tree={"lib/CMakeLists.txt": "add_compile_definitions(LIB_ONLY)\n"
                                    "zephyr_library_named(mylib)\n"
                                    "zephyr_library_sources(helper.py)\n",
              "lib/helper.py": ""},
        base={**BASE, "drivers/CMakeLists.txt": "add_compile_definitions(DRIVERS)\n"
              + BASE["drivers/CMakeLists.txt"]})
    assert defs(table) == {"drivers": ["DRIVERS=1"], "mylib": ["LIB_ONLY=1"],
                           "app": ["LATE=1", "SLASH=2"]}
    assert warnings == [f"{tmp_path}/app/CMakeLists.txt:6: warning: -Wall is a compile option, "
                        "not a definition: ignored (zpy compiles nothing)"]
    early, _ = read(tmp_path / "early", "add_compile_definitions(EARLY=1)\n"
                                        "target_sources(app PRIVATE src/main.c)\n")
    assert defs(early) == {"app": ["EARLY=1"]}


def test_definitions_of_a_module_s_cmakelists_for_app(tmp_path: Path) -> None:
    """A CMakeLists read before the app's (a module's, here ZEPHYR_BASE's) may name app."""
    table, _ = read(tmp_path, "target_sources(app PRIVATE src/main.c)\n",
                    base={**BASE, "CMakeLists.txt": BASE["CMakeLists.txt"]
                          + "target_compile_definitions(app PRIVATE FROM_BASE)\n"})
    assert defs(table) == {"app": ["FROM_BASE=1"]}


def test_command_line_variables_and_if_defined(tmp_path: Path) -> None:
    """The sample's pattern: -D options are variables; if(DEFINED X) sees them."""
    cmake = ("target_sources(app PRIVATE src/main.c)\n"
             "if(DEFINED SAME_PRIO)\n  zephyr_compile_definitions(SAME_PRIO)\nendif()\n"
             "if(DEFINED FORKS)\n  zephyr_compile_definitions(FORKS=${FORKS})\nendif()\n"
             "zephyr_compile_definitions_ifdef(CONFIG_X X_ON)\n"
             "zephyr_compile_definitions_ifndef(CONFIG_X X_OFF)\n")
    table, _ = read(tmp_path, cmake, variables={"FORKS": "SEMAPHORES", "STRAY": "1"},
                    config={"CONFIG_X": 1})
    assert defs(table)["app"] == ["FORKS=SEMAPHORES", "X_ON=1"]
    assert {"SAME_PRIO", "FORKS"} <= table.variables_read
    assert "STRAY" not in table.variables_read
    none, _ = read(tmp_path / "none", cmake)
    assert defs(none)["app"] == ["X_OFF=1"]


def test_generator_expressions_in_definitions(tmp_path: Path) -> None:
    table, _ = read(tmp_path, "target_sources(app PRIVATE src/main.c)\n"
                              "set(ON_ 1)\nset(OFF_ 0)\n"
                              "target_compile_definitions(app PRIVATE $<$<BOOL:${ON_}>:YES>\n"
                              "  $<$<BOOL:${OFF_}>:NO> $<IF:${OFF_},A=1,A=2>\n"
                              "  $<$<COMPILE_LANGUAGE:C>:LANG_C> \"$<$<COMPILE_LANGUAGE:ASM>:ASM>\")\n")
    assert defs(table) == {"app": ["YES=1", "A=2", "LANG_C=1"]}


def test_redefinitions_warn_as_gcc_and_duplicates_go(tmp_path: Path) -> None:
    table, warnings = read(tmp_path, "target_sources(app PRIVATE src/main.c)\n"
                                     "target_compile_definitions(app PRIVATE X=1 Y=1)\n"
                                     "zephyr_compile_definitions(X=2 Y=1)\n")
    assert defs(table)["app"] == ["X=1", "Y=1", "X=2"]
    cmake = tmp_path / "app/CMakeLists.txt"
    assert warnings == [f'{cmake}:6: warning: "X" redefined: X=2 here, X=1 at {cmake}:5; '
                        "the later one wins"]


@pytest.mark.parametrize("cmake, message", [
    ("zephyr_compile_definitions(1X=2)\n",
     "CMakeLists.txt:5: zephyr_compile_definitions(): invalid compile definition '1X=2': "
     "macro names must be identifiers"),
    ("target_compile_definitions(other PRIVATE X)\n", 'CMakeLists.txt:5: Cannot specify '
     'compile definitions for target "other" which is not built by this project.'),
    ("target_compile_definitions(app X)\n",
     "CMakeLists.txt:5: target_compile_definitions called with invalid arguments"),
    ("target_compile_definitions(app)\n",
     "CMakeLists.txt:5: target_compile_definitions called with incorrect number of arguments"),
    ("add_compile_definitions($<TARGET_PROPERTY:app,NAME>)\n",
     "CMakeLists.txt:5: add_compile_definitions(): zpy cannot evaluate the generator "
     "expression $<TARGET_PROPERTY:app,NAME>"),
    ("add_compile_definitions($<BOOL:1)\n", "CMakeLists.txt:5: add_compile_definitions(): "
     "generator expression $<BOOL... is not closed by '>'"),
])
def test_errors_name_file_and_line(tmp_path: Path, cmake: str, message: str) -> None:
    with pytest.raises(BuildError) as e:
        read(tmp_path, "target_sources(app PRIVATE src/main.c)\n" + cmake)
    assert str(e.value).replace(f"{tmp_path}/app/", "") == message


@pytest.mark.parametrize("text, value", [
    ("plain", "plain"),
    ("$<1:a,b>", "a,b"),
    ("$<0:gone>", ""),
    ("$<BOOL:ON>$<BOOL:off>$<BOOL:>$<BOOL:word>$<BOOL:X-NOTFOUND>", "10010"),
    ("$<NOT:1>$<AND:1,1,0>$<OR:0,1>", "001"),
    ("$<IF:1,yes,no>", "yes"),
    ("$<STREQUAL:a,a>$<STREQUAL:a,b>$<EQUAL:0x10,16>", "101"),
    ("$<COMPILE_LANGUAGE:C,CXX>$<COMPILE_LANGUAGE:ASM>$<COMPILE_LANGUAGE>", "10C"),
    ("a$<COMMA>b$<SEMICOLON>c$<ANGLE-R>", "a,b;c>"),
    ("$<$<STREQUAL:$<1:x>,x>:nested>", "nested"),
])
def test_generator_expression(text: str, value: str) -> None:
    assert generator_expression(text) == value


@pytest.mark.parametrize("text, message", [
    ("$<NOT:2>", "$<NOT:...> takes 0 or 1, not '2'"),
    ("$<EQUAL:a,1>", "$<EQUAL:...> compares integers, not 'a,1'"),
    ("$<IF:1,a>", "zpy cannot evaluate the generator expression $<IF:1,a>"),
    ("$<CONFIG>", "zpy cannot evaluate the generator expression $<CONFIG>"),
])
def test_generator_expression_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as e:
        generator_expression(text)
    assert str(e.value) == message


def test_parse_definition() -> None:
    assert str(parse_definition("-DX", "f", 1)) == "X=1"
    assert str(parse_definition("X=", "f", 1)) == "X="
    assert str(parse_definition("X=a=b", "f", 1)) == "X=a=b"
    with pytest.raises(ValueError, match="macro names must be identifiers"):
        parse_definition("F(x)=x", "f", 1)


def test_image_json_keeps_targets_and_definitions(tmp_path: Path) -> None:
    table, _ = read(tmp_path, "target_sources(app PRIVATE src/main.c)\n"
                              "target_compile_definitions(app PRIVATE FORKS=SEMAPHORES)\n")
    manifest = ImageManifest("b", "", "", "", table.modules, table.app_sources,
                             compile_definitions=table.compile_definitions)
    path = tmp_path / "image.json"
    manifest.save(path)
    loaded = ImageManifest.load(path)
    assert loaded == manifest
    assert {n: str(d) for n, d in loaded.definitions_of(loaded.app_sources[0]).items()} == {
        "FORKS": "FORKS=SEMAPHORES"}
    assert loaded.definitions_of(loaded.modules[0]) == {}
    path.write_text(path.read_text().replace('"line": 5', '"line": "5"'))
    with pytest.raises(OutputError, match=r"compile_definitions\['app'\]\[0\]"):
        ImageManifest.load(path)
