"""Platforms: the board files twister reads (boards/**/<board>.yaml with an `identifier`).

A board folder also holds the HWMv2 `board.yml`; twister's own file is the one
named after the board with `identifier:`, `arch:`, `type:`, `ram:`,
`supported:` and `testing:`, as in Zephyr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zpy.twister import yamlfile
from zpy.twister.errors import TwisterError


@dataclass(frozen=True)
class Platform:
    name: str
    arch: str
    type: str = "na"  # qemu, mcu, native, sim, ...
    vendor: str = ""
    ram: int = 128  # KiB, twister's default
    flash: int = 512
    supported: frozenset[str] = frozenset()
    simulation: tuple[str, ...] = ()
    toolchain: tuple[str, ...] = ()
    testing_default: bool = False
    ignore_tags: frozenset[str] = frozenset()
    only_tags: frozenset[str] = frozenset()
    path: Path | None = field(default=None, compare=False)

    @property
    def runnable(self) -> bool:
        """zpy runs what twister runs under QEMU; a hardware board is built only."""
        return self.type == "qemu" or "qemu" in self.simulation


def _strings(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict) and "name" in item:  # simulation: [{name: qemu}]
                out.append(str(item["name"]))
            else:
                out.append(str(item))
        return out
    return [str(value)]


def load_platform(path: Path) -> Platform | None:
    """The platform a board yaml describes; None if the file is not a twister board file."""
    doc = yamlfile.load(path)
    data = doc.data
    if not isinstance(data, dict) or "identifier" not in data:
        return None
    testing = data.get("testing") or {}
    if not isinstance(testing, dict):
        raise doc.error("'testing' must be a mapping", "testing")
    try:
        ram = int(data.get("ram", 128))
        flash = int(data.get("flash", 512))
    except (TypeError, ValueError):
        raise doc.error("'ram' and 'flash' must be integers (KiB)", "ram") from None
    if not data.get("arch"):
        raise doc.error(f"board '{data['identifier']}' has no 'arch'", "identifier")
    return Platform(
        name=str(data["identifier"]),
        arch=str(data["arch"]),
        type=str(data.get("type", "na")),
        vendor=str(data.get("vendor", "")),
        ram=ram,
        flash=flash,
        supported=frozenset(_strings(data.get("supported"))),
        simulation=tuple(_strings(data.get("simulation"))),
        toolchain=tuple(_strings(data.get("toolchain"))),
        testing_default=bool(testing.get("default", False)),
        ignore_tags=frozenset(_strings(testing.get("ignore_tags"))),
        only_tags=frozenset(_strings(testing.get("only_tags"))),
        path=path,
    )


def find_platforms(roots: list[Path]) -> dict[str, Platform]:
    """Every platform under <root>/boards (two levels, as boards/<vendor>/<board>/)."""
    found: dict[str, Platform] = {}
    for root in roots:
        boards = root / "boards"
        for path in sorted([*boards.glob("*/*.yaml"), *boards.glob("*/*/*.yaml")]):
            if path.stem != path.parent.name and not path.stem.startswith(path.parent.name):
                continue  # board.yml, twister's file is named after the board
            platform = load_platform(path)
            if platform is not None and platform.name not in found:
                found[platform.name] = platform
    return found


def select(known: dict[str, Platform], names: list[str]) -> list[Platform]:
    """The platforms named on the command line (-p), in order; an unknown one is an error."""
    out = []
    for name in names:
        if name not in known:
            raise TwisterError(f"unknown platform '{name}' (known: {', '.join(sorted(known))})")
        if known[name] not in out:
            out.append(known[name])
    return out


def defaults(known: dict[str, Platform]) -> list[Platform]:
    """The platforms with `testing: default: true`: twister's choice without -p."""
    return [p for p in known.values() if p.testing_default]
