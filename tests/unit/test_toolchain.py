"""zpy.toolchain: compile definitions as a source sees them (given, absent, naming a macro,
literals, errors with file:line), and two images with different definitions in one process."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from zpy.build import build
from zpy.errors import LinkError
from zpy.image.manifest import CompileDefinition
from zpy.runtime import Runtime
from zpy.toolchain import DEFINITIONS

SOURCE = "/app/src/main.py"
CMAKE = "/app/CMakeLists.txt"


def run(code: str, **definitions: str) -> dict[str, Any]:
    """The globals of `code` run as a source compiled with `definitions` (line 9 each)."""
    scope: dict[str, Any] = {
        "__name__": "main", DEFINITIONS: {
            name: CompileDefinition(name, value, CMAKE, 9) for name, value in definitions.items()}}
    exec(compile(textwrap.dedent(code), SOURCE, "exec"), scope)
    return scope


PORT = """\
    from zpy.toolchain import compile_definition, defined
    SEMAPHORES = 1
    MUTEXES = 2
    FORKS = compile_definition("FORKS", MUTEXES)
    DEBUG = defined("DEBUG_PRINTF")
    """


def test_given_absent_and_naming_a_macro() -> None:
    assert (run(PORT)["FORKS"], run(PORT)["DEBUG"]) == (2, False)
    given = run(PORT, FORKS="SEMAPHORES", DEBUG_PRINTF="1")
    assert (given["FORKS"], given["DEBUG"]) == (1, True)
    assert run(PORT, FORKS="3")["FORKS"] == 3


def test_a_name_not_in_the_source_is_another_definition() -> None:
    assert run(PORT, FORKS="KIND", KIND="(7)")["FORKS"] == 7
    assert run(PORT, FORKS="KIND", KIND="MUTEXES")["FORKS"] == 2  # and so on, as cpp


@pytest.mark.parametrize("text, value", [
    ("1", 1), ("0x2A", 42), ("052", 42), ("0b101", 5), ("42U", 42), ("7ul", 7), ("-1", -1),
    ("( 5 )", 5), ("0", 0), ("1.5", 1.5), ("1e3", 1000.0), ("2.5f", 2.5), ('"abc"', "abc"),
    ('"a\\tb"', "a\tb"), ("'a'", 97), ("'\\n'", 10), ("", ""),
])
def test_values_read_as_c_reads_them(text: str, value: object) -> None:
    got = run(PORT.replace('"FORKS", MUTEXES', '"X"'), X=text)["FORKS"]
    assert (got, type(got)) == (value, type(value))


def error(code: str, **definitions: str) -> LinkError:
    with pytest.raises(LinkError) as e:
        run(code, **definitions)
    return e.value


def test_errors_name_the_definition_or_the_source_line() -> None:
    e = error(PORT, FORKS="SEMAPHORE")
    assert str(e) == (f"{CMAKE}:9: compile definition FORKS=SEMAPHORE: main.py:4 reads it, but "
                      "SEMAPHORE is defined neither in main.py above that line nor by a compile "
                      "definition")
    assert str(error(PORT, FORKS="FORKS")).endswith(
        "FORKS is defined neither in main.py above that line nor by a compile definition")
    assert str(error(PORT, FORKS="1 + 1")) == (
        f"{CMAKE}:9: compile definition FORKS=1 + 1: zpy reads a number, a string or "
        "character literal or a name there; write the value in Python instead")
    assert str(error(PORT, FORKS='"open')).startswith(f"{CMAKE}:9: compile definition ")
    code = "from zpy.toolchain import compile_definition\n\nX = compile_definition('X')\n"
    assert str(error(code)) == (f"{SOURCE}:3: 'X' undeclared: no compile definition of this "
                                "image's CMakeLists files defines it")


def test_only_in_an_image() -> None:
    with pytest.raises(LinkError, match=r"compile_definition\(\) is for the sources of an "
                                        r"image: main.py was not linked by zpy run"):
        exec(compile(textwrap.dedent(PORT), SOURCE, "exec"), {"__name__": "main"})


DEFINITIONS_APP = Path(__file__).parents[1] / "e2e/apps/definitions"


def test_two_images_with_different_definitions_in_one_process(tmp_path: Path) -> None:
    builds = []
    for kind in ("ONE", "TWO", None):
        out = tmp_path / f"build-{kind}"
        build(DEFINITIONS_APP, "qemu_x86_64", out, cmake_args=[f"-DKIND={kind}"] if kind else [],
              out=lambda line: None, warn=lambda line: None)
        builds.append(out)
    runtimes = [Runtime(b, console_out=None) for b in builds]
    try:
        seen = []
        for rt in runtimes:
            assert rt.namespace is not None
            main = rt.namespace.load("main")
            seen.append((main.KIND, main.HEADER_KIND))
        assert seen == [(1, 10), (2, 20), (1, 0)]
    finally:
        for rt in runtimes:
            rt.close()
