"""The Kconfig step on a small fixture tree: merge order, Zephyr's checks, output formats."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zpy.build import kconfig
from zpy.errors import BuildError, ConfigError

TREE = Path(__file__).parent / "fixtures" / "kconfig_tree"


def configure(tmp_path: Path, *fragments: Path, handwritten: bool = True
              ) -> tuple[list[str], list[str]]:
    setup = kconfig.KconfigSetup(Path("Kconfig"), TREE, {})
    out: list[str] = []
    warnings: list[str] = []
    kconfig.configure(setup, None, list(fragments), handwritten, tmp_path / ".config",
                      tmp_path / "autoconf.h", out.append, warnings.append)
    return out, warnings


def test_outputs_and_messages(tmp_path: Path) -> None:
    out, _ = configure(tmp_path, TREE / "base.conf", TREE / "app.conf")
    assert out == [
        "Parsing Kconfig",
        f"Loaded configuration '{TREE / 'base.conf'}'",
        f"Merged configuration '{TREE / 'app.conf'}'",
        f"Configuration saved to '{tmp_path / '.config'}'",
        f"Kconfig header saved to '{tmp_path / 'autoconf.h'}'",
    ]
    assert (tmp_path / ".config").read_text() == """\
# CONFIG_FOO is not set
CONFIG_BAR=20
CONFIG_BASE_ADDR=0x2000
CONFIG_NAME="hello \\"world\\""
# CONFIG_BAR_ENABLED is not set
CONFIG_FLAVOUR_PLAIN=y
# CONFIG_OFF is not set
"""
    assert (tmp_path / "autoconf.h").read_text() == """\
#define CONFIG_BAR 20
#define CONFIG_BASE_ADDR 0x2000
#define CONFIG_NAME "hello \\"world\\""
#define CONFIG_FLAVOUR_PLAIN 1
"""


def test_unsatisfied_dependencies_warn_with_zephyrs_text(tmp_path: Path) -> None:
    _, warnings = configure(tmp_path, TREE / "base.conf", TREE / "app.conf")
    assert warnings == [
        """
warning: NEEDS_BOTH (defined at Kconfig:27) was assigned the value 'y' but got the value 'n'. Check
these unsatisfied dependencies: FOO (=n), (BAR_ENABLED || BAZ_ENABLED) (=n). See
http://docs.zephyrproject.org/latest/kconfig.html#CONFIG_NEEDS_BOTH and/or look up NEEDS_BOTH in the
menuconfig/guiconfig interface. The Application Development Primer, Setting Configuration Values,
and Kconfig - Tips and Best Practices sections of the manual might be helpful too.
""",
        """
warning: NEEDS_FOO_INT (defined at Kconfig:31) was assigned the value '7' but got the value ''.
Check these unsatisfied dependencies: FOO (=n). See
http://docs.zephyrproject.org/latest/kconfig.html#CONFIG_NEEDS_FOO_INT and/or look up NEEDS_FOO_INT
in the menuconfig/guiconfig interface. The Application Development Primer, Setting Configuration
Values, and Kconfig - Tips and Best Practices sections of the manual might be helpful too.
""",
        """
warning: The choice symbol FLAVOUR_FANCY (defined at Kconfig:43) was selected (set =y), but
FLAVOUR_PLAIN (defined at Kconfig:40) ended up as the choice selection. See
http://docs.zephyrproject.org/latest/kconfig.html#CONFIG_FLAVOUR_FANCY and/or look up FLAVOUR_FANCY
in the menuconfig/guiconfig interface. The Application Development Primer, Setting Configuration
Values, and Kconfig - Tips and Best Practices sections of the manual might be helpful too.
""",
    ]


def test_later_fragments_win(tmp_path: Path) -> None:
    late = tmp_path / "late.conf"
    late.write_text("CONFIG_BAR=30\nCONFIG_OFF=y\n")
    configure(tmp_path, TREE / "base.conf", late)
    config = (tmp_path / ".config").read_text()
    assert "CONFIG_BAR=30\n" in config and "CONFIG_OFF=y\n" in config


def test_dotconfig_alone_is_not_checked_as_handwritten(tmp_path: Path) -> None:
    # A .config names promptless and undefined symbols: that is fine when it is the only input.
    old = tmp_path / "old.config"
    old.write_text("CONFIG_BAZ_ENABLED=y\nCONFIG_GONE=y\nCONFIG_BAR=5\n")
    _, warnings = configure(tmp_path, old, handwritten=False)
    assert warnings == []
    assert "CONFIG_BAR=5\n" in (tmp_path / ".config").read_text()


def test_promptless_assignment_is_an_error_at_the_assignment(tmp_path: Path) -> None:
    frag = tmp_path / "p.conf"
    frag.write_text("CONFIG_BAR=1\nCONFIG_BAZ_ENABLED=y\n")
    with pytest.raises(ConfigError) as e:
        configure(tmp_path, frag)
    assert (e.value.filename, e.value.lineno) == (str(frag), 2)
    assert e.value.message.startswith(
        "BAZ_ENABLED (defined at Kconfig:24) is assigned in a configuration file, but is not "
        "directly user-configurable (has no prompt).")
    assert not (tmp_path / ".config").exists()


def test_kconfiglib_warnings_abort_and_name_the_line(tmp_path: Path) -> None:
    frag = tmp_path / "w.conf"
    frag.write_text("CONFIG_BAR=1\n\nCONFIG_BAR=x1\n")
    with pytest.raises(ConfigError, match="^Aborting due to Kconfig warnings$"):
        setup = kconfig.KconfigSetup(Path("Kconfig"), TREE, {})
        warnings: list[str] = []
        kconfig.configure(setup, None, [frag], True, tmp_path / ".config",
                          tmp_path / "autoconf.h", lambda s: None, warnings.append)
    assert warnings == [
        f"\n{frag}:3: warning: the value 'x1' is invalid for BAR (defined at Kconfig:9), "
        "which has type int -- assignment ignored"
    ]


def test_environment_is_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("srctree", "/somewhere/else")
    monkeypatch.delenv("KCONFIG_FUNCTIONS", raising=False)
    before = dict(os.environ)
    configure(tmp_path, TREE / "base.conf")
    with pytest.raises(ConfigError):
        setup = kconfig.KconfigSetup(Path("nothere"), TREE, {"BOARD": "x"})
        kconfig.configure(setup, None, [], True, tmp_path / "c", tmp_path / "h",
                          lambda s: None, lambda s: None)
    assert dict(os.environ) == before


def test_menuconfig_needs_a_terminal(tmp_path: Path) -> None:
    setup = kconfig.KconfigSetup(Path("Kconfig"), TREE, {})
    with pytest.raises(BuildError, match="menuconfig needs an interactive terminal"):
        kconfig.run_menuconfig(setup, None, tmp_path / ".config")


def test_guiconfig_needs_a_display(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    setup = kconfig.KconfigSetup(Path("Kconfig"), TREE, {})
    with pytest.raises(BuildError, match="guiconfig needs a graphical display"):
        kconfig.run_menuconfig(setup, None, tmp_path / ".config", gui=True)
