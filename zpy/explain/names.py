"""Resolving a name (symbol, node path, label or alias) and explaining it: `explain()`."""


from __future__ import annotations

import difflib
from pathlib import Path

from zpy.explain.buildfolder import BuildFolder, ExplainError
from zpy.explain.node import NodeExplanation, explain_node
from zpy.explain.symbol import SymbolExplainer, SymbolExplanation
from zpy.explain.text import short
from zpy.image.dtmodel import DTNode

Explanation = SymbolExplanation | NodeExplanation


def explain(build_dir: Path | str, name: str) -> Explanation:
    """Explain a symbol or a devicetree node of the build in `build_dir`."""
    folder = BuildFolder(build_dir)
    node = _node(folder, name)
    if node is not None:
        e: Explanation = explain_node(folder, node)
    else:
        e = _symbol(folder, name)
    changed = folder.changed_input()
    if changed is not None:
        e.notes.append(f"{short(changed)} changed since the last build: run zpy build to "
                       "explain what it would give")
    return e


def _node(folder: BuildFolder, name: str) -> DTNode | None:
    """The node a name means, None if it means a symbol; ExplainError if it means neither."""
    dt = folder.devicetree
    if name.startswith("CONFIG_"):
        return None
    label = name.removeprefix("&")
    node = dt.label2node.get(label) if not name.startswith("/") else dt.get(name)
    if node is None and not name.startswith(("/", "&")):
        node = dt.get(name)  # an alias
    if node is not None:
        return node
    if name.startswith(("/", "&")):
        known = list(dt.path2node) if name.startswith("/") else list(dt.label2node)
        raise ExplainError(f"no devicetree node {name} in {short(folder.root)}"
                           + _nearest(name if name.startswith("/") else label, known,
                                      "&" if name.startswith("&") else ""))
    if name in folder.kconfig.syms and folder.kconfig.syms[name].nodes:
        return None
    known = [*dt.label2node, *dt.aliases]
    symbols = [f"CONFIG_{s.name}" for s in folder.kconfig.unique_defined_syms]
    raise ExplainError(f"{name} is neither a node label nor a Kconfig symbol of {short(folder.root)}"
                       + _nearest(name, known + symbols))


def _symbol(folder: BuildFolder, name: str) -> SymbolExplanation:
    kconf = folder.kconfig
    bare = name.removeprefix("CONFIG_")
    sym = kconf.syms.get(bare)
    if sym is None or not sym.nodes:
        names = [s.name for s in kconf.unique_defined_syms]
        raise ExplainError(f"CONFIG_{bare} is not a Kconfig symbol of {short(folder.root)}"
                           + _nearest(bare, names, "CONFIG_"))
    e = SymbolExplainer(kconf, folder.fragments).explain(sym)
    built = folder.dotconfig_line(sym.name)
    merged = sym.config_string.strip() or None
    if built != merged:
        e.notes.append(f"zephyr/.config has {built or 'no line for it'}: it was saved by "
                       "menuconfig after the build merged the files above (zpy build -p "
                       "always starts again from them)")
    return e


def _nearest(name: str, known: list[str], prefix: str = "") -> str:
    """' (did you mean A, B?)': the nearest known names, ignoring case and CONFIG_."""
    def key(text: str) -> str:
        return text.removeprefix("CONFIG_").lower()

    by_key = {key(k): k for k in reversed(known)}
    close = difflib.get_close_matches(key(name), list(by_key), n=3, cutoff=0.7)
    if not close:
        return " (nothing with a similar name)"
    return " (did you mean " + ", ".join(prefix + by_key[c] for c in close) + "?)"

