"""The CMakeLists module tables: walk order, conditions, names, and errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zpy.build.sources import image_modules, module_name, parse_cmakelists
from zpy.errors import BuildError, ZpyError

TREES = Path(__file__).parent / "fixtures" / "cmake"
GOOD = TREES / "good"


class AllSet(dict[str, int | str]):
    """A configuration where every symbol is set."""

    def get(self, key: str, default: object = None) -> int:  # type: ignore[override]
        return 1


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


def test_unset_folder_is_not_read() -> None:
    table = image_modules(GOOD, {})
    assert [m.name for m in table.modules] == ["zpy.drivers.core"]


def test_commands_span_lines() -> None:
    [sources, msi, shell] = parse_cmakelists(GOOD / "zpy/drivers/pcie/CMakeLists.txt")
    assert (sources.name, sources.args, sources.lineno) == (
        "zephyr_library_sources", ["__init__.py", "bus.py"], 1)
    assert (msi.lineno, shell.lineno) == (5, 6)


def test_module_name() -> None:
    base = Path("/z")
    assert module_name(Path("/z/zpy/drivers/ivshmem/virt_ivshmem.py"), base) == \
        "zpy.drivers.ivshmem.virt_ivshmem"
    with pytest.raises(ZpyError, match="outside ZEPHYR_BASE"):
        module_name(Path("/elsewhere/x.py"), base)


def test_zephyr_base_tables_are_valid(base: Path) -> None:
    table = image_modules(base, AllSet())
    assert table.cmakelists[0] == base / "CMakeLists.txt"
    assert all(m.name.startswith("zpy.") for m in table.modules)


CASES = sorted(TREES.glob("invalid_*"))


@pytest.mark.parametrize("tree", CASES, ids=lambda p: p.name.removeprefix("invalid_"))
def test_invalid(tree: Path) -> None:
    expected = (tree / "expected").read_text().strip().replace("{tree}", str(tree))
    with pytest.raises(BuildError) as e:
        image_modules(tree, AllSet())
    assert f"{e.value.filename}:{e.value.lineno}: error: {e.value.message}" == expected
