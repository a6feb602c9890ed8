"""`zpy explain`: why a Kconfig symbol has its value, why a device is (not) ready.

    from zpy.explain import explain
    e = explain("build", "CONFIG_IVSHMEM")     # or "/soc/pcie/ivshmem@..." or "ivshmem0"
    print("\\n".join(e.render()))              # the text zpy explain prints
    e.to_json()                                # what zpy explain --json prints

A name that starts with CONFIG_ is a symbol; one that starts with '/' (or '&')
is a node path (or label); any other name is a node label or alias if the
devicetree has it, else a symbol. An unknown name is an ExplainError that
lists the nearest names of the build. See docs/explain.md.

Importing this package imports nothing else: `zpy run` records the device
states through `zpy.explain.devices` without loading kconfiglib and the
explainers; the names below are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zpy.explain.buildfolder import ExplainError
    from zpy.explain.names import Explanation, explain
    from zpy.explain.node import NodeExplanation
    from zpy.explain.symbol import SymbolExplanation

__all__ = ["explain", "Explanation", "ExplainError", "NodeExplanation", "SymbolExplanation"]

#: where each public name lives
_HOMES = {
    "explain": "zpy.explain.names",
    "Explanation": "zpy.explain.names",
    "ExplainError": "zpy.explain.buildfolder",
    "NodeExplanation": "zpy.explain.node",
    "SymbolExplanation": "zpy.explain.symbol",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'zpy.explain' has no attribute {name!r}")
