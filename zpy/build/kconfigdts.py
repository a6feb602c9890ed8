"""Kconfig.dts: one DT_HAS_<COMPAT>_ENABLED symbol per compatible any binding declares.

Zephyr generates it (scripts/dts/gen_driver_kconfig_dts.py) so that driver
Kconfig can say `depends on DT_HAS_QEMU_IVSHMEM_ENABLED`. The symbols are
promptless: their value comes from the devicetree through $(dt_compat_enabled,...).
Only the top-level `compatible:` of each binding file is read, so this works
without edtlib.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from zpy.errors import DTSError
from zpy.yamlfile import yaml_error

HEADER = """\
# Generated devicetree Kconfig
#
# SPDX-License-Identifier: Apache-2.0
"""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compat_ident(compat: str) -> str:
    """'qemu,ivshmem' -> 'QEMU_IVSHMEM', the part of the symbol names it gives."""
    return compat.upper().translate(str.maketrans("-,.@/+", "______"))


def binding_files(dirs: list[Path]) -> list[Path]:
    """Every *.yaml / *.yml under the binding folders, in a stable order."""
    files: list[Path] = []
    for d in dirs:
        files += sorted(p for p in d.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return files


def binding_compatible(path: Path) -> str | None:
    """The top-level `compatible:` string of a binding file, or None."""
    text = path.read_text(encoding="utf-8")
    if "compatible" not in text:
        return None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise yaml_error(path, e, DTSError, text) from None
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if key.value == "compatible" and isinstance(value, yaml.ScalarNode):
            return str(value.value)
    return None


def kconfig_dts(compats: list[str]) -> str:
    """The text of Kconfig.dts for these compatibles."""
    parts = [HEADER]
    for compat in sorted(set(compats)):
        ident = compat_ident(compat)
        parts.append(
            f"\nDT_COMPAT_{ident} := {compat}\n"
            f"\nconfig DT_HAS_{ident}_ENABLED\n"
            f"\tdef_bool $(dt_compat_enabled,$(DT_COMPAT_{ident}))\n"
        )
    return "".join(parts)


def write_kconfig_dts(binding_dirs: list[Path], out: Path) -> list[Path]:
    """Write Kconfig.dts; return the binding files read (inputs of the build)."""
    files = binding_files(binding_dirs)
    compats = [c for c in map(binding_compatible, files) if c is not None]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(kconfig_dts(compats), encoding="utf-8")
    return files
