"""Kconfig.dts: DT_HAS_<COMPAT>_ENABLED for every compatible in the binding folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.build.conftest import Built
from zpy.build import kconfigdts
from zpy.errors import DTSError

BINDINGS = Path(__file__).parent / "fixtures" / "bindings"


def test_golden(tmp_path: Path) -> None:
    out = tmp_path / "Kconfig" / "Kconfig.dts"
    files = kconfigdts.write_kconfig_dts([BINDINGS], out)
    assert out.read_text() == """\
# Generated devicetree Kconfig
#
# SPDX-License-Identifier: Apache-2.0

DT_COMPAT_VND_MY_DEV := vnd,my-dev

config DT_HAS_VND_MY_DEV_ENABLED
	def_bool $(dt_compat_enabled,$(DT_COMPAT_VND_MY_DEV))

DT_COMPAT_ZPY_SECOND_DEV_1_X_Y := zpy,second.dev@1+x/y

config DT_HAS_ZPY_SECOND_DEV_1_X_Y_ENABLED
	def_bool $(dt_compat_enabled,$(DT_COMPAT_ZPY_SECOND_DEV_1_X_Y))
"""
    assert [str(f.relative_to(BINDINGS)) for f in files] == [
        "include-only.yaml", "sub/dup.yaml", "sub/second.yml", "vnd,my-dev.yaml"]


def test_every_binding_dir_contributes(ivshmem_build: Built) -> None:
    text = (ivshmem_build.build_dir / "Kconfig/Kconfig.dts").read_text()
    assert "\nDT_COMPAT_QEMU_IVSHMEM := qemu,ivshmem\n" in text
    assert ("\nconfig DT_HAS_QEMU_IVSHMEM_ENABLED\n"
            "\tdef_bool $(dt_compat_enabled,$(DT_COMPAT_QEMU_IVSHMEM))\n") in text
    assert "CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED=y\n" in ivshmem_build.config()
    assert "CONFIG_DT_HAS_NS16550_ENABLED=y\n" in ivshmem_build.config()


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('description: x\ncompatible: "a,b"\n  oops: [\n')
    with pytest.raises(DTSError) as e:
        kconfigdts.write_kconfig_dts([tmp_path], tmp_path / "out")
    assert (e.value.filename, e.value.lineno) == (str(bad), 3)
    assert e.value.message.startswith("invalid YAML: ")


def test_a_control_character_is_one_line_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"  # PyYAML's reader error has no mark and spans lines
    bad.write_text('description: x\ncompatible: "a,b"\nx: \x00\n')
    with pytest.raises(DTSError) as e:
        kconfigdts.write_kconfig_dts([tmp_path], tmp_path / "out")
    assert str(e.value) == f"{bad}:3: invalid YAML: character #x0000 is not allowed"


def test_compat_ident() -> None:
    assert kconfigdts.compat_ident("qemu,ivshmem") == "QEMU_IVSHMEM"
    assert kconfigdts.compat_ident("pcie-controller") == "PCIE_CONTROLLER"
