"""The CMakeLists reader: each command, _ifdef on and off, the app's and the modules' files,
names, variables, and errors and warnings with file:line."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from zpy.build.app import App
from zpy.build.cmakelists import Argument, constant, evaluate, is_true, parse_cmakelists
from zpy.build.modules import ZephyrModule
from zpy.build.sources import ModuleTable, image_modules
from zpy.errors import BuildError
from zpy.image.dotconfig import cmake_variables

TREES = Path(__file__).parent / "fixtures" / "cmake"
GOOD = TREES / "good"
PREAMBLE = """\
cmake_minimum_required(VERSION 3.20.0)
find_package(Zephyr REQUIRED HINTS $ENV{ZEPHYR_BASE})
project(app)
"""


def all_set(root: Path) -> dict[str, int | str]:
    """A configuration where every symbol the tree's CMakeLists files name is set."""
    text = " ".join(p.read_text() for p in root.rglob("CMakeLists.txt"))
    return {name: 1 for name in re.findall(r"CONFIG_\w+", text)}


def files(root: Path, tree: dict[str, str]) -> Path:
    for rel, text in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def read_app(tmp_path: Path, tree: dict[str, str], config: dict[str, int | str] | None = None,
             modules: list[ZephyrModule] | None = None) -> tuple[ModuleTable, list[str]]:
    """The table for an app (under tmp_path/app) on an empty ZEPHYR_BASE (tmp_path/base)."""
    base = files(tmp_path / "base", {"CMakeLists.txt": ""})
    app = files(tmp_path / "app", tree)
    warnings: list[str] = []
    table = image_modules(base, config or {}, app=App(app), zephyr_modules=modules or [],
                          warn=warnings.append)
    return table, warnings


def names(modules: list) -> list[str]:  # type: ignore[type-arg]
    return [m.name for m in modules]


def error_of(tmp_path: Path, tree: dict[str, str], config: dict[str, int | str] | None = None
             ) -> str:
    with pytest.raises(BuildError) as e:
        read_app(tmp_path, tree, config)
    return str(e.value).replace(str(tmp_path / "app/CMakeLists.txt"), "CMakeLists.txt")


# -- zpy's own tree ----------------------------------------------------------------------------


def test_walk_with_conditions() -> None:
    table = image_modules(GOOD, {"CONFIG_PCIE": 1, "CONFIG_PCIE_MSI": 1, "CONFIG_PCIE_SHELL": 0})
    assert [(m.name, m.condition) for m in table.modules] == [
        ("zpy.drivers.core", None),
        ("zpy.drivers.pcie", "CONFIG_PCIE"),
        ("zpy.drivers.pcie.bus", "CONFIG_PCIE"),
        ("zpy.drivers.pcie.msi", "CONFIG_PCIE_MSI"),
    ]
    assert all(Path(m.path).is_file() for m in table.modules)
    assert [p.relative_to(GOOD).as_posix() for p in table.cmakelists] == [
        "CMakeLists.txt", "zpy/drivers/CMakeLists.txt", "zpy/drivers/pcie/CMakeLists.txt"]
    assert table.excluded == {str(GOOD / "zpy/off"): "CONFIG_OFF",
                              str(GOOD / "zpy/drivers/pcie/shell.py"): "CONFIG_PCIE_SHELL"}


def test_unset_folder_is_not_read() -> None:
    table = image_modules(GOOD, {})
    assert [m.name for m in table.modules] == ["zpy.drivers.core"]


def test_commands_span_lines() -> None:
    [sources, msi, shell] = parse_cmakelists(GOOD / "zpy/drivers/pcie/CMakeLists.txt")
    assert (sources.name, [a.text for a in sources.args], sources.lineno) == (
        "zephyr_library_sources", ["__init__.py", "bus.py"], 1)
    assert (msi.lineno, shell.lineno) == (5, 6)


def test_zephyr_base_tables_are_valid(base: Path) -> None:
    table = image_modules(base, all_set(base))
    assert table.cmakelists[0] == base / "CMakeLists.txt"
    assert table.modules and all(m.name.startswith("zpy.") for m in table.modules)


CASES = sorted(TREES.glob("invalid_*"))


@pytest.mark.parametrize("tree", CASES, ids=lambda p: p.name.removeprefix("invalid_"))
def test_invalid(tree: Path) -> None:
    expected = (tree / "expected").read_text().strip().replace("{tree}", str(tree))
    with pytest.raises(BuildError) as e:
        image_modules(tree, all_set(tree))
    assert f"{e.value.filename}:{e.value.lineno}: error: {e.value.message}" == expected


# -- the app's CMakeLists.txt ------------------------------------------------------------------


def test_no_cmakelists_links_src_main_first(tmp_path: Path) -> None:
    table, warnings = read_app(tmp_path, {"src/main.py": "", "src/a.py": "", "src/b.py": ""})
    assert names(table.app_sources) == ["main", "a", "b"]
    assert table.cmakelists == [tmp_path / "base/CMakeLists.txt"] and warnings == []


def test_target_sources_as_hello_world_writes_it(tmp_path: Path) -> None:
    table, warnings = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + "target_sources(app PRIVATE src/main.c)\n",
        "src/main.py": "", "src/unused.py": ""})
    assert [(m.name, m.path, m.condition) for m in table.app_sources] == [
        ("main", str(tmp_path / "app/src/main.py"), None)]
    assert warnings == []


def test_current_source_dir_and_py_names(tmp_path: Path) -> None:
    table, _ = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + "target_sources(app PRIVATE\n"
                          "  ${CMAKE_CURRENT_SOURCE_DIR}/src/main.c\n"
                          '  "${CMAKE_CURRENT_LIST_DIR}/src/util.py"\n'
                          "  ${APPLICATION_SOURCE_DIR}/lib/extra.cpp\n"
                          "  src/util.h)\n",
        "src/main.py": "", "src/util.py": "", "src/util.h": "", "lib/extra.py": ""})
    assert names(table.app_sources) == ["main", "util", "lib.extra"]


def test_glob_as_zephyr_samples_write_it(tmp_path: Path) -> None:
    table, _ = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + "FILE(GLOB app_sources src/*.c)\n"
                          "target_sources(app PRIVATE ${app_sources})\n",
        "src/main.py": "", "src/b.py": "", "src/a.py": "", "src/notes.txt": "",
        "src/sub/deep.py": ""})
    assert names(table.app_sources) == ["a", "b", "main"]  # CMake's GLOB is sorted
    assert table.globbed == [tmp_path / "app/src"]


def test_glob_recurse_and_relative(tmp_path: Path) -> None:
    table, _ = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + "file(GLOB_RECURSE srcs RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}"
                          " CONFIGURE_DEPENDS src/*.py)\n"
                          "target_sources(app PRIVATE ${srcs})\n",
        "src/main.py": "", "src/sub/deep.py": ""})
    assert names(table.app_sources) == ["main", "sub.deep"]


def test_set_and_lists(tmp_path: Path) -> None:
    table, warnings = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + 'set(SRCS src/main.c "src/a.c;src/b.c")\n'
                          "set(NONE)\n"
                          "list(APPEND SRCS src/c.c)\n"
                          "list(APPEND MORE src/d.c)\n"
                          "target_sources(app PRIVATE ${SRCS} ${NONE} ${MORE})\n",
        "src/main.py": "", "src/a.py": "", "src/b.py": "", "src/c.py": "", "src/d.py": ""})
    assert names(table.app_sources) == ["main", "a", "b", "c", "d"] and warnings == []


IF_TREE = {
    "CMakeLists.txt": PREAMBLE + """\
target_sources(app PRIVATE src/main.c)
if(CONFIG_A)
  target_sources(app PRIVATE src/a.c)
  if(NOT CONFIG_B)
    target_sources(app PRIVATE src/not_b.c)
  endif()
elseif(DEFINED CONFIG_B AND (CONFIG_C OR "${CONFIG_MODE}" STREQUAL "fast"))
  target_sources(app PRIVATE src/b.c)
else()
  target_sources(app PRIVATE src/other.c)
endif()
if(CONFIG_LEVEL GREATER 2 AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/src/high.py)
  zephyr_library_sources(src/high.c)
endif()
""",
    "src/main.py": "", "src/a.py": "", "src/not_b.py": "", "src/b.py": "", "src/other.py": "",
    "src/high.py": ""}


@pytest.mark.parametrize("config, expected", [
    ({}, ["main", "other"]),
    ({"CONFIG_A": 1}, ["main", "a", "not_b"]),
    ({"CONFIG_A": 1, "CONFIG_B": 1}, ["main", "a"]),
    ({"CONFIG_B": 1}, ["main", "other"]),
    ({"CONFIG_B": 1, "CONFIG_C": 1}, ["main", "b"]),
    ({"CONFIG_B": 1, "CONFIG_MODE": "fast"}, ["main", "b"]),
    ({"CONFIG_LEVEL": 3}, ["main", "other", "high"]),
    ({"CONFIG_LEVEL": 2}, ["main", "other"]),
])
def test_if_blocks(tmp_path: Path, config: dict[str, int | str], expected: list[str]) -> None:
    table, warnings = read_app(tmp_path, IF_TREE, config)
    assert names(table.app_sources) == expected and warnings == []
    conditions = {m.name: m.condition for m in table.app_sources}
    if "not_b" in conditions:
        assert conditions["not_b"] == "NOT CONFIG_B"


@pytest.mark.parametrize("config, expected", [
    ({}, ["main", "drivers.acme.common"]),
    ({"CONFIG_ACME": 1}, ["main", "drivers.acme.common", "drivers.acme.counter"]),
    ({"CONFIG_ACME": 1, "CONFIG_ACME_SHELL": 1},
     ["main", "drivers.acme.common", "drivers.acme.counter", "drivers.acme.shell"]),
    ({"CONFIG_ACME": 1, "CONFIG_ACME_SHELL": 1, "CONFIG_ACME_LEGACY": 1},
     ["main", "drivers.acme.common", "drivers.acme.counter", "drivers.acme.shell"]),
])
def test_ifdef_and_nested_subdirectories(tmp_path: Path, config: dict[str, int | str],
                                         expected: list[str]) -> None:
    table, warnings = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + "target_sources(app PRIVATE src/main.c)\n"
                          "add_subdirectory(drivers)\n",
        "drivers/CMakeLists.txt": "add_subdirectory(acme)\n",
        "drivers/acme/CMakeLists.txt": """\
            zephyr_library()
            zephyr_library_sources(common.c)
            zephyr_library_sources_ifdef(CONFIG_ACME counter.c)
            add_subdirectory_ifdef(CONFIG_ACME_SHELL shell)
            zephyr_sources_ifndef(CONFIG_ACME_LEGACY legacy_off.py)
            """,
        "drivers/acme/shell/CMakeLists.txt": "zephyr_library_sources(../shell.c)\n",
        "drivers/acme/common.py": "", "drivers/acme/counter.py": "", "drivers/acme/shell.py": "",
        "drivers/acme/legacy_off.py": "", "src/main.py": ""}, config)
    legacy = [] if config.get("CONFIG_ACME_LEGACY") else ["drivers.acme.legacy_off"]
    assert names(table.app_sources) == expected + legacy
    assert warnings == []
    by_name = {m.name: m.condition for m in table.app_sources}
    if "drivers.acme.shell" in by_name:
        assert by_name["drivers.acme.shell"] == "CONFIG_ACME_SHELL"
    else:
        assert table.excluded[str(tmp_path / "app/drivers/acme/shell")] == "CONFIG_ACME_SHELL"
    if "CONFIG_ACME" not in config:
        assert table.excluded[str(tmp_path / "app/drivers/acme/counter.py")] == "CONFIG_ACME"


def test_ifdef_follows_cmake_truth(tmp_path: Path) -> None:
    tree = {"CMakeLists.txt": PREAMBLE + "target_sources(app PRIVATE src/main.c)\n"
            "zephyr_library_sources_ifdef(CONFIG_S src/s.c)\n"
            "target_sources_ifdef(CONFIG_N app PRIVATE src/n.c)\n"
            "zephyr_library_sources_ifdef(CONFIG_ZERO src/zero.c)\n",
            "src/main.py": "", "src/s.py": "", "src/n.py": "", "src/zero.py": ""}
    table, _ = read_app(tmp_path, tree, {"CONFIG_S": "some text", "CONFIG_N": 7, "CONFIG_ZERO": 0})
    assert names(table.app_sources) == ["main", "n"]


def test_the_config_as_cmake_sees_it(tmp_path: Path) -> None:
    dotconfig = tmp_path / ".config"
    dotconfig.write_text('CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_N=0x10\nCONFIG_S="a b"\n')
    config = cmake_variables(dotconfig)
    assert config == {"CONFIG_A": "y", "CONFIG_N": "0x10", "CONFIG_S": "a b"}
    table, _ = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + 'if(CONFIG_A STREQUAL "y" AND CONFIG_S STREQUAL "a b")\n'
                          "  target_sources(app PRIVATE src/main.c)\nendif()\n",
        "src/main.py": ""}, dict(config))
    assert names(table.app_sources) == ["main"]


def test_variables() -> None:
    variables = {"A": "CONFIG_X", "CONFIG_X": "y", "L": "a;b"}
    env = {"HOME_DIR": "/h"}.get
    args = (Argument("${${A}}"), Argument("$ENV{HOME_DIR}/x"), Argument("${L}"),
            Argument('"${L}"', quoted=True), Argument("${UNDEFINED}"), Argument("a\\;b"),
            Argument("${L}", bracket=True))
    assert evaluate(args, variables, env) == ["y", "/h/x", "a", "b", '"a;b"', "a;b", "${L}"]
    with pytest.raises(ValueError, match="unterminated variable reference"):
        evaluate([Argument("${A")], variables, env)


@pytest.mark.parametrize("value, expected", [
    ("y", True), ("ON", True), ("1", True), ("7", True), ("0.5", True), ("TRUE", True),
    ("", False), ("0", False), ("n", False), ("OFF", False), ("x-NOTFOUND", False),
    ("IGNORE", False), ("DEFINED_TRUE", True), ("DEFINED_FALSE", False), ("undefined", False),
])
def test_cmake_truth(value: str, expected: bool) -> None:
    assert is_true(value, {"DEFINED_TRUE": "on", "DEFINED_FALSE": "off"}) is expected
    assert constant("undefined") is None


def test_syntax_the_reader_accepts(tmp_path: Path) -> None:
    path = files(tmp_path, {"CMakeLists.txt": """\
        #[[ a bracket comment
        spanning lines ]] if(A AND (B OR "C D")) # a comment
        SET(X [=[literal ${X}]=])   # upper case
        target_sources(app
          PRIVATE src/a\\ b.c)
        """}) / "CMakeLists.txt"
    commands = parse_cmakelists(path)
    assert [(c.name, c.lineno, [a.text for a in c.args]) for c in commands] == [
        ("if", 2, ["A", "AND", "(", "B", "OR", "C D", ")"]),
        ("set", 3, ["X", "literal ${X}"]),
        ("target_sources", 4, ["app", "PRIVATE", "src/a\\ b.c"]),
    ]


@pytest.mark.parametrize("text, line, message", [
    ("project(a)\nfoo bar\n", 2,
     'Parse error.  Expected "(", got unquoted argument with text "bar".'),
    ("project(a)\nsrc/main.c\n", 2,
     'Parse error.  Expected a command name, got unquoted argument with text "src/main.c".'),
    ("project(a\n\n", 1, 'Parse error.  Function missing ending ")".  End of file reached.'),
    ('project(a)\nset(X "abc\n', 2, 'Parse error.  Function missing ending ")".  Instead found '
     'unterminated string with text "abc".'),
    ("project(a) project(b)\n", 1,
     'Parse error.  Expected a newline, got identifier with text "project".'),
    ("project\n(a)\n", 1, 'Parse error.  Expected "(", got newline.'),
    ("set(X [[never closed\n", 1, 'Parse error.  Missing closing "]]" of a bracket.'),
])
def test_syntax_errors(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "CMakeLists.txt"
    path.write_text(text)
    with pytest.raises(BuildError) as e:
        parse_cmakelists(path)
    assert (e.value.filename, e.value.lineno, e.value.message) == (str(path), line, message)


def test_unknown_commands_warn_with_file_and_line(tmp_path: Path) -> None:
    table, warnings = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + "zephyr_compile_options(-Werror)\n"
                          "target_sources(app PRIVATE src/main.c)\n"
                          "string(TOUPPER a B)\n"
                          "file(WRITE out.txt hello)\n"
                          "find_package(Python3)\n"
                          "target_sources(app PRIVATE src/notes.txt)\n",
        "src/main.py": "", "src/notes.txt": ""})
    cmake = tmp_path / "app/CMakeLists.txt"
    assert warnings == [
        f"{cmake}:4: warning: zephyr_compile_options() is not a command zpy reads: ignored "
        "(docs/build.md lists the ones it does)",
        f"{cmake}:6: warning: string() is not a command zpy reads: ignored (docs/build.md "
        "lists the ones it does)",
        f"{cmake}:7: warning: file(WRITE) is not a command zpy reads: ignored (it reads "
        "file(GLOB) and file(GLOB_RECURSE))",
        f"{cmake}:8: warning: find_package(Python3): zpy finds only the Zephyr package: ignored",
        f"{cmake}:9: warning: src/notes.txt is not a source zpy can link (.py, or a C name "
        "standing for one): ignored",
    ]
    assert names(table.app_sources) == ["main"]


def test_build_settings_in_cmakelists_warn(tmp_path: Path) -> None:
    _, warnings = read_app(tmp_path, {
        "CMakeLists.txt": "set(BOARD qemu_x86_64)\n" + PREAMBLE
                          + "target_sources(app PRIVATE src/main.c)\n",
        "src/main.py": ""})
    assert warnings == [f"{tmp_path}/app/CMakeLists.txt:1: warning: zpy takes BOARD from the "
                        "command line only: use `zpy build ... -- -DBOARD=...`; this set() has "
                        "no effect on the build"]


@pytest.mark.parametrize("cmake, message", [
    ("target_sources(app PRIVATE src/main.c)\n" + PREAMBLE,
     'CMakeLists.txt:1: Cannot specify sources for target "app" which is not built by this '
     "project."),
    ("zephyr_library_sources(src/main.c)\n", 'CMakeLists.txt:1: Unknown CMake command '
     '"zephyr_library_sources".'),
    (PREAMBLE + "target_sources(other PRIVATE src/main.c)\n", 'CMakeLists.txt:4: Cannot '
     'specify sources for target "other" which is not built by this project.'),
    (PREAMBLE + "target_sources(app src/main.c)\n",
     "CMakeLists.txt:4: target_sources called with invalid arguments"),
    (PREAMBLE + "target_sources(app PRIVATE src/gone.c)\n",
     "CMakeLists.txt:4: Cannot find source file: src/gone.c (zpy links gone.py in its place)"),
    (PREAMBLE + "target_sources_ifdef(CONFIG_X app)\n", "CMakeLists.txt:4: Function invoked "
     "with incorrect arguments for function named: target_sources_ifdef"),
    (PREAMBLE + "add_subdirectory(../elsewhere)\n", "CMakeLists.txt:4: add_subdirectory not "
     'given a binary directory but the given source directory "{tmp}/elsewhere" is not a '
     'subdirectory of "{app}".  When specifying an out-of-tree source a binary directory must '
     "be explicitly specified."),
    (PREAMBLE + "target_sources(app PRIVATE src/drivers/x.py drivers/x.py)\n",
     "CMakeLists.txt:4: two sources of the image are named 'drivers.x': {app}/src/drivers/x.py "
     "and {app}/drivers/x.py"),
    (PREAMBLE + 'set(X "${Y")\n', "CMakeLists.txt:4: Syntax error in cmake code when parsing "
     "set(): There is an unterminated variable reference."),
    (PREAMBLE + "if(CONFIG_X)\n", "CMakeLists.txt:4: if() without endif(): Flow control "
     "statements are not properly nested."),
    (PREAMBLE + "endif()\n", "CMakeLists.txt:4: endif() without if(): Flow control "
     "statements are not properly nested."),
    (PREAMBLE + "if(CONFIG_X VERSION_LESS 2)\nendif()\n", "CMakeLists.txt:4: if() given a "
     "condition zpy cannot evaluate: unexpected 'VERSION_LESS'"),
])
def test_app_errors(tmp_path: Path, cmake: str, message: str) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/CMakeLists.txt").write_text("")
    text = error_of(tmp_path, {"CMakeLists.txt": cmake, "src/main.py": "",
                               "src/drivers/x.py": "", "drivers/x.py": ""}, {"CONFIG_X": 1})
    assert text == message.format(app=tmp_path / "app", tmp=tmp_path)


def test_two_names_rule_sources_out_of_src(tmp_path: Path) -> None:
    """A source outside src/ and every module is named by its path under the app."""
    table, _ = read_app(tmp_path, {
        "CMakeLists.txt": PREAMBLE + "target_sources(app PRIVATE src/main.c\n"
                          "  boards/support.c)\n",
        "src/main.py": "", "boards/support.py": ""})
    assert names(table.app_sources) == ["main", "boards.support"]


def test_a_module_s_sources_and_include_dirs(tmp_path: Path) -> None:
    module_dir = files(tmp_path / "mod", {
        "CMakeLists.txt": "zephyr_include_directories(include)\nadd_subdirectory(drivers)\n",
        "drivers/CMakeLists.txt": "add_subdirectory_ifdef(CONFIG_BLINK blink)\n",
        "drivers/blink/CMakeLists.txt": "zephyr_library()\n"
                                        "zephyr_library_sources(led.c)\n"
                                        "zephyr_library_include_directories(.)\n",
        "drivers/blink/led.py": "", "include/app/drivers/blink.py": ""})
    module = ZephyrModule("mod", module_dir, cmake_dir=module_dir)
    tree = {"CMakeLists.txt": PREAMBLE + "target_sources(app PRIVATE src/main.c)\n"
            "message(STATUS ${ZEPHYR_MOD_MODULE_DIR})\n", "src/main.py": ""}
    table, warnings = read_app(tmp_path, tree, {"CONFIG_BLINK": 1}, [module])
    assert [(m.name, m.condition) for m in table.module_sources] == [
        ("drivers.blink.led", "CONFIG_BLINK")]
    assert names(table.app_sources) == ["main"] and table.modules == []
    assert table.include_dirs == [module_dir / "include", module_dir / "drivers/blink"]
    assert table.cmakelists[1:] == [module_dir / "CMakeLists.txt",
                                    module_dir / "drivers/CMakeLists.txt",
                                    module_dir / "drivers/blink/CMakeLists.txt",
                                    tmp_path / "app/CMakeLists.txt"]
    assert len(warnings) == 1 and "message() is not a command zpy reads" in warnings[0]


def test_app_needs_sources(tmp_path: Path) -> None:
    """An app whose CMakeLists names no sources has none (the build then says so)."""
    table, _ = read_app(tmp_path, {"CMakeLists.txt": PREAMBLE, "src/main.py": ""})
    assert table.app_sources == []
