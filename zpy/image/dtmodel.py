"""The build's devicetree as plain data: what devicetree_generated.h is to a C image.

The build front end writes it (zephyr/include/generated/zephyr/devicetree_generated.json)
from edtlib's EDT; the runtime's DT_* API, the Kconfig dt_* functions and twister
filters read it. Nothing here imports edtlib, so only the front end's devicetree
module depends on edtlib's API.

Property values are JSON-friendly: ints, strings, booleans, lists of ints or
strings; a phandle is the target's path; a phandle-array is a list of
{"controller": path, "data": {cell: value}, "name": str | None}.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zpy.image import DEVICETREE_JSON
from zpy.image.outputs import broken, read_json_object, require

#: Where the model lives inside a build directory.
RELPATH = DEVICETREE_JSON


@dataclass(frozen=True)
class DTReg:
    addr: int | None
    size: int | None
    name: str | None = None


@dataclass(frozen=True)
class DTInterrupt:
    controller: str  # path of the interrupt controller node
    data: dict[str, int]  # named cells: irq, sense, priority on x86
    name: str | None = None


@dataclass(frozen=True)
class DTNode:
    path: str
    name: str  # full name: "uart@3f8", or "ivshmem0" without a unit address
    unit_addr: str | None
    ord: int  # dependency ordinal (DT_DEP_ORD)
    labels: list[str]
    status: str  # "okay" for a missing status or "ok"
    compats: list[str]
    matching_compat: str | None
    props: dict[str, Any]
    regs: list[DTReg] = field(default_factory=list)
    interrupts: list[DTInterrupt] = field(default_factory=list)
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    depends_on: list[int] = field(default_factory=list)  # ordinals
    required_by: list[int] = field(default_factory=list)  # ordinals
    bus: str | None = None  # the bus this node provides ("pcie")
    on_bus: str | None = None  # the bus this node sits on
    binding_path: str | None = None

    @property
    def okay(self) -> bool:
        return self.status == "okay"

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DTNode:
        d = dict(d)
        d["regs"] = [DTReg(**r) for r in d.get("regs", [])]
        d["interrupts"] = [DTInterrupt(**i) for i in d.get("interrupts", [])]
        return cls(**d)


class DeviceTree:
    """All nodes of one build, with the lookup tables the DT_* macros need."""

    def __init__(
        self,
        nodes: list[DTNode],
        chosen: dict[str, str],
        aliases: dict[str, str],
        compat2okay: dict[str, list[str]],
    ) -> None:
        self.nodes = sorted(nodes, key=lambda n: n.ord)
        self.path2node = {n.path: n for n in self.nodes}
        self.ord2node = {n.ord: n for n in self.nodes}
        self.label2node = {label: n for n in self.nodes for label in n.labels}
        self.chosen = dict(chosen)
        self.aliases = dict(aliases)
        #: compatible -> okay nodes, in instance-number order (DT_INST)
        self.compat2okay = {c: [self.path2node[p] for p in paths] for c, paths in compat2okay.items()}
        self.compat2nodes: dict[str, list[DTNode]] = {}
        for n in self.nodes:
            for c in n.compats:
                self.compat2nodes.setdefault(c, []).append(n)

    # -- lookups ----------------------------------------------------------------------

    def get(self, path_or_alias: str) -> DTNode | None:
        """A node by path (/a/b) or by alias, like edtlib's get_node(); None if absent."""
        if not path_or_alias.startswith("/"):
            first, _, rest = path_or_alias.partition("/")
            target = self.aliases.get(first)
            if target is None:
                return None
            path_or_alias = target + ("/" + rest if rest else "")
        return self.path2node.get(path_or_alias)

    def chosen_node(self, name: str) -> DTNode | None:
        path = self.chosen.get(name)
        return None if path is None else self.path2node.get(path)

    def parent(self, node: DTNode) -> DTNode | None:
        return None if node.parent is None else self.path2node[node.parent]

    # -- (de)serialization ------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [asdict(n) for n in self.nodes],
            "chosen": self.chosen,
            "aliases": self.aliases,
            "compat2okay": {c: [n.path for n in ns] for c, ns in self.compat2okay.items()},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DeviceTree:
        return cls(
            [DTNode.from_json(n) for n in d["nodes"]],
            d.get("chosen", {}),
            d.get("aliases", {}),
            d.get("compat2okay", {}),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> DeviceTree:
        path = Path(path)
        data = read_json_object(path)
        require(data, path, {"nodes": list, "chosen": dict, "aliases": dict, "compat2okay": dict})
        try:
            return cls.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise broken(path, f"not the devicetree zpy writes ({type(e).__name__}: {e})") \
                from None
