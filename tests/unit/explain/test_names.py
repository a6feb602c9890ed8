"""Names zpy explain does not know: one line with the nearest names, exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from zpy.cli.main import main
from zpy.explain import ExplainError, explain

from .conftest import Built


@pytest.mark.parametrize(("name", "message"), [
    ("CONFIG_EXPLAIN_SENSR", "CONFIG_EXPLAIN_SENSR is not a Kconfig symbol of build (did you "
     "mean CONFIG_EXPLAIN_SENSOR, CONFIG_EXPLAIN_SENSORS, CONFIG_EXPLAIN_BUS_POWER?)"),
    ("sensr0", "sensr0 is neither a node label nor a Kconfig symbol of build (did you mean "
     "sensor0, sensor3, sensor2?)"),
    ("/explain-bus-a/sensor-x", "no devicetree node /explain-bus-a/sensor-x in build (did you "
     "mean /explain-bus-a/sensor-c, /explain-bus-a/sensor-b, /explain-bus-a/sensor-a?)"),
    ("&bus3", "no devicetree node &bus3 in build (did you mean &bus1, &bus0?)"),
    ("zzz", "zzz is neither a node label nor a Kconfig symbol of build (nothing with a "
     "similar name)"),
])
def test_unknown_names(nodes_build: Built, monkeypatch: pytest.MonkeyPatch, name: str,
                       message: str) -> None:
    monkeypatch.chdir(nodes_build.root)
    with pytest.raises(ExplainError) as e:
        explain("build", name)
    assert str(e.value) == message


def test_a_bare_symbol_name_is_a_symbol(nodes_build: Built,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(nodes_build.root)
    assert explain("build", "EXPLAIN_SENSOR").render()[0] == "CONFIG_EXPLAIN_SENSOR=y"


def test_the_command_prints_one_line_and_fails(nodes_build: Built,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(nodes_build.root)
    assert main(["explain", "-d", "build", "&bus3"]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", "error: no devicetree node &bus3 in build (did you mean &bus1, "
                              "&bus0?)\n")


def test_not_a_build_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["explain", "-d", "nope", "CONFIG_X"]) == 1
    assert capsys.readouterr().err == (
        "error: nope is not a complete zpy build folder (no zephyr/build_info.json of a "
        "finished build)\nhint: build one first: zpy build -b BOARD -d nope APP\n")
