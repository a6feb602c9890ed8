"""The Kconfig line locator: properties, enclosing blocks, help text, continuations."""

from __future__ import annotations

from pathlib import Path

from zpy.explain.kconfig_lines import DEFAULT_KEYWORDS, KconfigFile, Locator

KCONFIG = """\
menu "Outer"
    depends on MENU_DEP

config A
    bool "A"
    default y if B # a comment: default n
    def_bool C
    help
      default in help text is not a property;
      depends on NOTHING
        select NOR_THIS

      still help
    select D
    depends on E && \\
      F

if G

config H
    int "H"
    range 1 \\
      10
    default 3

endif # G
endmenu

choice
    prompt "Pick"
    depends on P

config Q
    bool "Q"

endchoice
"""


def locator(tmp_path: Path) -> Locator:
    (tmp_path / "Kconfig").write_text(KCONFIG)
    (tmp_path / "Kconfig.top").write_text('if TOP\nsource "Kconfig"\nendif\n')
    return Locator(tmp_path)


def test_properties_skip_help_text_and_join_continuations(tmp_path: Path) -> None:
    loc = locator(tmp_path)
    assert loc.property_line("Kconfig", 4, DEFAULT_KEYWORDS, 0) == 6
    assert loc.property_line("Kconfig", 4, DEFAULT_KEYWORDS, 1) == 7
    assert loc.property_line("Kconfig", 4, DEFAULT_KEYWORDS, 2) is None
    assert loc.property_line("Kconfig", 4, frozenset({"select"}), first_word="D") == 14
    assert loc.property_line("Kconfig", 4, frozenset({"select"}), first_word="NOR_THIS") is None
    assert loc.property_line("Kconfig", 20, frozenset({"range"})) == 22
    assert loc.property_line("Kconfig", 20, DEFAULT_KEYWORDS) == 24
    lines = KconfigFile(tmp_path / "Kconfig").entry_props(4)
    assert [(line.lineno, line.keyword, line.text) for line in lines] == [
        (5, "bool", '"A"'), (6, "default", "y if B"), (7, "def_bool", "C"), (8, "help", ""),
        (14, "select", "D"), (15, "depends", "E && F")]


def test_dependencies_from_the_entry_its_blocks_and_the_source_lines(tmp_path: Path) -> None:
    loc = locator(tmp_path)
    assert loc.dependency_line("Kconfig", 4, {"F"}) == ("Kconfig", 15)
    assert loc.dependency_line("Kconfig", 20, {"G"}) == ("Kconfig", 18)
    assert loc.dependency_line("Kconfig", 20, {"MENU_DEP"}) == ("Kconfig", 2)
    assert loc.dependency_line("Kconfig", 33, {"P"}) == ("Kconfig", 31)
    assert loc.dependency_line("Kconfig", 4, {"TOP"}, (("Kconfig.top", 2),)) == ("Kconfig.top", 1)
    assert loc.dependency_line("Kconfig", 4, {"NOWHERE"}) is None


def test_a_missing_file_knows_nothing(tmp_path: Path) -> None:
    assert Locator(tmp_path).property_line("absent", 1, DEFAULT_KEYWORDS) is None
