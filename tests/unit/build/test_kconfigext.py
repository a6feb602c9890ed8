"""configdefault (kconfigext.ZephyrKconfig): Zephyr's semantics, and misuse named by file:line."""

from __future__ import annotations

from pathlib import Path

import kconfiglib
import pytest

from zpy.build import kconfig
from zpy.build.kconfigext import ZephyrKconfig
from zpy.errors import ConfigError


def parse(tmp_path: Path, text: str, **files: str) -> ZephyrKconfig:
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    top = tmp_path / "Kconfig"
    top.write_text(text)
    return ZephyrKconfig(str(top), warn_to_stderr=False)


FOO_NEEDS_BAR = """
config BAR
	bool "bar"

config FOO
	bool "foo"
	depends on BAR
"""


def test_default_before_the_definition_wins(tmp_path: Path) -> None:
    kconf = parse(tmp_path, """
configdefault N
	default 7

config N
	int "n"
	default 1
""")
    assert kconf.syms["N"].str_value == "7"
    assert not kconf.warnings


def test_definition_default_wins_over_a_later_configdefault(tmp_path: Path) -> None:
    kconf = parse(tmp_path, """
config N
	int "n"
	default 1

configdefault N
	default 7
""")
    assert kconf.syms["N"].str_value == "1"


def test_dependencies_are_not_weakened(tmp_path: Path) -> None:
    kconf = parse(tmp_path, "configdefault FOO\n\tdefault y\n" + FOO_NEEDS_BAR)
    foo, bar = kconf.syms["FOO"], kconf.syms["BAR"]
    assert foo.direct_dep is bar  # a second `config FOO` would make it y
    assert foo.str_value == "n"
    bar.set_value("y")
    assert foo.str_value == "y"


def test_default_of_a_non_bool_is_not_written_while_its_dependencies_fail(
        tmp_path: Path) -> None:
    kconf = parse(tmp_path, """
configdefault S
	default "from configdefault"

menuconfig M
	bool "m"

if M
config S
	string "s"
	default "own"
endif
""")
    assert "CONFIG_S" not in kconf._config_contents(None)
    kconf.syms["M"].set_value("y")
    assert kconf.syms["S"].str_value == "from configdefault"


def test_enclosing_if_is_the_same_as_default_if(tmp_path: Path) -> None:
    kconf = parse(tmp_path, """
config FIZZ
	bool "fizz"

if FIZZ
configdefault N
	default 5
endif

configdefault N
	default 6 if !FIZZ

config N
	int "n"
	default 1
""")
    assert kconf.syms["N"].str_value == "6"
    kconf.syms["FIZZ"].set_value("y")
    assert kconf.syms["N"].str_value == "5"


def test_user_value_wins_over_configdefault(tmp_path: Path) -> None:
    kconf = parse(tmp_path, "configdefault N\n\tdefault 7\nconfig N\n\tint \"n\"\n")
    kconf.syms["N"].set_value("3")
    assert kconf.syms["N"].str_value == "3"


def test_configdefault_in_a_sourced_file_and_is_configdefault(tmp_path: Path) -> None:
    kconf = parse(tmp_path, 'rsource "Kconfig.defaults"\nconfig N\n\tint "n"\n\tdefault 1\n',
                  **{"Kconfig.defaults": "configdefault N\n\tdefault 9\n"})
    n = kconf.syms["N"]
    assert n.str_value == "9"
    assert [kconf.is_configdefault(node) for node in n.nodes] == [True, False]
    assert n.nodes[0].filename.endswith("Kconfig.defaults")


@pytest.mark.parametrize(("prop", "named"), [
    ('bool "prompt"', "a prompt"),
    ("prompt \"prompt\"", "a prompt"),
    ("depends on BAR", "'depends on'"),
    ("range 0 3", "'range'"),
    ("select BAR", "'select'"),
    ("imply BAR", "'imply'"),
])
def test_properties_other_than_default_are_refused_at_their_entry(
        tmp_path: Path, prop: str, named: str) -> None:
    with pytest.raises(kconfiglib.KconfigError) as e:
        parse(tmp_path, FOO_NEEDS_BAR + "\n# defaults\nconfigdefault FOO\n"
                        f"\tdefault y\n\t{prop}\n")
    assert str(e.value) == (f"{tmp_path / 'Kconfig'}:10: error: configdefault FOO may only "
                            f"contain 'default' properties, not {named}")


def test_configdefault_of_an_undefined_symbol_is_refused(tmp_path: Path) -> None:
    with pytest.raises(kconfiglib.KconfigError) as e:
        parse(tmp_path, "config A\n\tbool\n\nconfigdefault NOPE\n\tdefault y\n")
    assert str(e.value) == (f"{tmp_path / 'Kconfig'}:4: error: configdefault NOPE: NOPE is "
                            "not defined by any 'config' entry")


def test_plain_kconfig_is_unaffected(tmp_path: Path) -> None:
    kconf = parse(tmp_path, """
configdefault-suffix := 3
config CONFIGDEFAULT
	int "a symbol with the keyword's name"
	default $(configdefault-suffix)
""")
    assert kconf.syms["CONFIGDEFAULT"].str_value == "3"
    assert not any(kconf.is_configdefault(n) for n in kconf.syms["CONFIGDEFAULT"].nodes)


def test_misuse_is_a_config_error_naming_file_and_line_through_the_build(
        tmp_path: Path) -> None:
    (tmp_path / "Kconfig").write_text(FOO_NEEDS_BAR + "configdefault FOO\n\tselect BAR\n")
    setup = kconfig.KconfigSetup(Path("Kconfig"), tmp_path, {})
    with pytest.raises(ConfigError) as e:
        kconfig.configure(setup, None, [], True, tmp_path / ".config",
                          tmp_path / "autoconf.h", lambda _: None, lambda _: None)
    assert (e.value.filename, e.value.lineno) == ("Kconfig", 8)  # relative to $srctree
    assert "configdefault FOO may only contain 'default' properties" in str(e.value)
