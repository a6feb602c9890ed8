"""zpy explain for Kconfig symbols: where each value came from and, when a configuration
file asked for another, what stops it and the smallest change (golden text).

The app (fixtures/symbols) has a Kconfig with one symbol per case, its own board with a
defconfig, a prj.conf, an extra conf file and a -D option.
"""

from __future__ import annotations

import json

import pytest

from zpy.explain import explain

from .conftest import Built, explained


def test_set_in_prj_conf(symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_SELECTOR", monkeypatch) == """\
CONFIG_APP_SELECTOR=y
  type:        bool
  defined at:  app/Kconfig:17 "Something that selects the helper and tracing"
  value from:  set in app/prj.conf:3
"""


def test_set_by_a_command_line_option(symbols_build: Built,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_MODE", monkeypatch) == """\
CONFIG_APP_MODE="fast"
  type:        string
  defined at:  app/Kconfig:58 "Mode"
  value from:  set by -DCONFIG_APP_MODE="fast" on the command line
"""


def test_set_in_the_board_defconfig(symbols_build: Built,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_BOARD_OPTION", monkeypatch) == """\
CONFIG_APP_BOARD_OPTION=y
  type:        bool
  defined at:  app/Kconfig:62 "An option the board turns on"
  value from:  set in app/boards/explain_board/explain_board_defconfig:2 (the board's defconfig)
"""


def test_set_in_an_extra_conf_file(symbols_build: Built,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_EXTRA_OPTION", monkeypatch) == """\
CONFIG_APP_EXTRA_OPTION=y
  type:        bool
  defined at:  app/Kconfig:65 "An option an extra configuration file turns on"
  value from:  set in app/extra.conf:1 (EXTRA_CONF_FILE)
"""


def test_defaulted_to_the_first_default_that_applies(symbols_build: Built,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_LEVEL", monkeypatch) == """\
CONFIG_APP_LEVEL=5
  type:        int
  defined at:  app/Kconfig:33 "Level"
  value from:  default 5, at app/Kconfig:36
"""


def test_no_default(symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "APP_BASE", monkeypatch) == """\
CONFIG_APP_BASE=n
  type:        bool
  defined at:  app/Kconfig:7 "Base support"
  value from:  no default applies, so it is n
"""


def test_blocked_by_an_unmet_depends_on(symbols_build: Built,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_FEATURE", monkeypatch) == """\
CONFIG_APP_FEATURE=n
  type:        bool
  defined at:  app/Kconfig:13 "A feature that needs the base"
  asked for:   y, in app/prj.conf:2, which has no effect: its dependencies are not met
  value from:  its dependencies are not met, so it is n
  unmet:       depends on APP_BASE (=n), at app/Kconfig:15
                 APP_BASE=n, defined at app/Kconfig:7
  smallest change, checked with kconfiglib (gives CONFIG_APP_FEATURE=y):
    add CONFIG_APP_BASE=y to app/prj.conf
"""


def test_blocked_by_an_if_block(symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_BASE_EXTRA", monkeypatch) == """\
CONFIG_APP_BASE_EXTRA=
  type:        int
  defined at:  app/Kconfig:40 "Extra"
  asked for:   4, in app/prj.conf:6, which has no effect: its dependencies are not met
  value from:  its dependencies are not met, so it is empty
  unmet:       depends on APP_BASE (=n), at app/Kconfig:38
                 APP_BASE=n, defined at app/Kconfig:7
  smallest change, checked with kconfiglib (gives CONFIG_APP_BASE_EXTRA=4):
    add CONFIG_APP_BASE=y to app/prj.conf
"""


def test_selected(symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_HELPER", monkeypatch) == """\
CONFIG_APP_HELPER=y
  type:        bool
  defined at:  app/Kconfig:22
  value from:  selected by APP_SELECTOR
  selected by: APP_SELECTOR (=y), at app/Kconfig:19
"""


def test_asked_off_but_selected(symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_TRACE", monkeypatch) == """\
CONFIG_APP_TRACE=y
  type:        bool
  defined at:  app/Kconfig:25 "Tracing"
  asked for:   n, in app/prj.conf:4, which has no effect: it is selected by APP_SELECTOR
  value from:  selected by APP_SELECTOR
  selected by: APP_SELECTOR (=y), at app/Kconfig:20
  smallest change, checked with kconfiglib (gives CONFIG_APP_TRACE=n):
    app/prj.conf:3: CONFIG_APP_SELECTOR=y -> CONFIG_APP_SELECTOR=n
"""


def test_int_with_a_range(symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_COUNT", monkeypatch) == """\
CONFIG_APP_COUNT=42
  type:        int, range 1..100 at app/Kconfig:30
  defined at:  app/Kconfig:28 "How many"
  value from:  set in app/prj.conf:5
"""


def test_in_a_choice_that_a_later_file_decided(symbols_build: Built,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_FLAVOUR_SPICY", monkeypatch) == """\
CONFIG_APP_FLAVOUR_SPICY=n
  type:        bool
  defined at:  app/Kconfig:53 "Spicy"
  asked for:   y, in app/prj.conf:7, which has no effect: its choice selected APP_FLAVOUR_PLAIN
  value from:  its choice, which selected APP_FLAVOUR_PLAIN
  choice:      "Flavour" at app/Kconfig:46: APP_FLAVOUR_PLAIN=y, APP_FLAVOUR_SPICY=n
               selection: APP_FLAVOUR_PLAIN, from APP_FLAVOUR_PLAIN=y in app/extra.conf:2
  smallest change, checked with kconfiglib (gives CONFIG_APP_FLAVOUR_SPICY=y):
    remove app/extra.conf:2: CONFIG_APP_FLAVOUR_PLAIN=y
"""
    assert explained(symbols_build, "CONFIG_APP_FLAVOUR_PLAIN", monkeypatch) == """\
CONFIG_APP_FLAVOUR_PLAIN=y
  type:        bool
  defined at:  app/Kconfig:50 "Plain"
  value from:  its choice, which selected it
  choice:      "Flavour" at app/Kconfig:46: APP_FLAVOUR_PLAIN=y, APP_FLAVOUR_SPICY=n
               selection: APP_FLAVOUR_PLAIN, from APP_FLAVOUR_PLAIN=y in app/extra.conf:2
"""


def test_the_build_warned_about_what_explain_explains(symbols_build: Built) -> None:
    """The values that did not take are the ones the build warned about."""
    warned = [w.split()[1] for w in symbols_build.warnings]
    assert warned == ["APP_FEATURE", "APP_TRACE", "APP_BASE_EXTRA", "APP_NEEDS_HW",
                      "APP_NEEDS_BOARD_FEATURE"]


def test_json_carries_the_same_facts(symbols_build: Built,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(symbols_build.root)
    d = json.loads(json.dumps(explain(symbols_build.build_dir, "CONFIG_APP_FEATURE").to_json()))
    app = symbols_build.root / "app"
    assert (d["kind"], d["name"], d["type"], d["value"], d["differs"]) == (
        "symbol", "CONFIG_APP_FEATURE", "bool", "n", True)
    assert d["asked"] == {"value": "y", "where": {"file": str(app / "prj.conf"), "line": 2},
                          "source": "CONF_FILE", "line": "CONFIG_APP_FEATURE=y",
                          "ignored": "its dependencies are not met"}
    assert d["unmet"] == [{
        "expr": "APP_BASE", "value": "n", "where": {"file": str(app / "Kconfig"), "line": 15},
        "symbols": [{"name": "APP_BASE", "value": "n",
                     "defined_at": {"file": str(app / "Kconfig"), "line": 7}, "prompt": True}]}]
    assert d["change"] == {"edits": [{
        "action": "add", "file": str(app / "prj.conf"), "line": None, "old": None,
        "new": "CONFIG_APP_BASE=y", "command_line": False}]}


def test_the_search_leaves_the_build_folder_alone(symbols_build: Built,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates are evaluated on copies: no file of the app or build changes."""
    files = sorted(p for p in symbols_build.root.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    explained(symbols_build, "CONFIG_APP_TRACE", monkeypatch)
    explained(symbols_build, "CONFIG_APP_FLAVOUR_SPICY", monkeypatch)
    after = sorted(p for p in symbols_build.root.rglob("*") if p.is_file())
    assert after == files and {p: p.read_bytes() for p in after} == before


def test_no_fix_when_a_dependency_cannot_be_assigned(symbols_build: Built,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_NEEDS_HW", monkeypatch) == """\
CONFIG_APP_NEEDS_HW=n
  type:        bool
  defined at:  app/Kconfig:68 "Needs hardware the board lacks"
  asked for:   y, in app/prj.conf:8, which has no effect: its dependencies are not met
  value from:  its dependencies are not met, so it is n
  unmet:       depends on APP_HW_PRESENT (=n), at app/Kconfig:70
                 APP_HW_PRESENT=n, defined at app/Kconfig:72, has no prompt
  no fix:      no configuration file can give CONFIG_APP_NEEDS_HW=y: what it needs cannot be assigned
"""


def test_implied(symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(symbols_build, "CONFIG_APP_OPTIONAL", monkeypatch) == """\
CONFIG_APP_OPTIONAL=y
  type:        bool
  defined at:  app/Kconfig:79 "An optional part"
  value from:  implied by APP_IMPLIER
  implied by:  APP_IMPLIER (=y), at app/Kconfig:77
"""


def test_what_the_board_turned_off_is_turned_on_in_prj_conf(
        symbols_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fix never edits the board's defconfig: prj.conf comes later and wins."""
    assert explained(symbols_build, "CONFIG_APP_NEEDS_BOARD_FEATURE", monkeypatch) == """\
CONFIG_APP_NEEDS_BOARD_FEATURE=n
  type:        bool
  defined at:  app/Kconfig:86 "Needs the feature the board turns off"
  asked for:   y, in app/prj.conf:10, which has no effect: its dependencies are not met
  value from:  its dependencies are not met, so it is n
  unmet:       depends on APP_BOARD_FEATURE (=n), at app/Kconfig:88
                 APP_BOARD_FEATURE=n, defined at app/Kconfig:82
  smallest change, checked with kconfiglib (gives CONFIG_APP_NEEDS_BOARD_FEATURE=y):
    add CONFIG_APP_BOARD_FEATURE=y to app/prj.conf
"""
