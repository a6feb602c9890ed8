"""Zephyr's Kconfig extension `configdefault`, on PyPI's kconfiglib 14.1.0.

Zephyr's fork of kconfiglib accepts

    configdefault FOO
        default y if BAR

anywhere a `config` entry may stand (an app's or a module's Kconfig, inside
`if` blocks): it adds defaults to a symbol defined elsewhere without touching
its type, prompt or dependencies. A second `config FOO` entry would instead OR
its own (empty) dependencies into FOO's, making FOO visible where it was not.
The added defaults take their place in parse order, as every default does:
one that comes before `source "Kconfig.zephyr"` wins over the symbol's own.
An enclosing `if` guards the defaults, as `default ... if` would.

`ZephyrKconfig` implements this as a subclass, not a text pre-pass, because
only kconfiglib knows which files a `source`, `rsource` or `osource` line with
$(VARIABLES) and globs reads; a pre-pass would have to rewrite copies of them
and then every message and the build's list of Kconfig inputs would name the
copies. The subclass reads a `configdefault` line as a `config` line, records
the menu node it makes, and then (1) refuses any property but `default` on
it, (2) copies only its defaults to the symbol, leaving the symbol's
dependencies as its definitions set them, and limits those defaults to where
the dependencies hold, as if they were written in a definition, and (3)
refuses a symbol that only configdefault entries mention, which Zephyr's fork
reports as a symbol without a type. It relies on four internal methods of the
pinned kconfiglib release (_tokenize, _parse_props, _add_props_to_sym,
_build_dep); tests/unit/build/test_kconfigext.py pins the behaviour.
"""

from __future__ import annotations

import re
from typing import Any

import kconfiglib

_CONFIGDEFAULT = re.compile(r"\s*(configdefault)(?=\s|$)")


class ZephyrKconfig(kconfiglib.Kconfig):
    """kconfiglib.Kconfig that also parses Zephyr's `configdefault` entries."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._configdefault_nodes: set[kconfiglib.MenuNode] = set()
        self._configdefault_at: tuple[str | None, int] | None = None
        super().__init__(*args, **kwargs)
        self._check_defined()

    def is_configdefault(self, node: kconfiglib.MenuNode) -> bool:
        """True for the menu node of a `configdefault` entry."""
        return node in self._configdefault_nodes

    # -- kconfiglib hooks --------------------------------------------------------------

    def _tokenize(self, s: str) -> Any:
        if "configdefault" not in s:  # most lines: no regex (one call per line of Kconfig)
            return super()._tokenize(s)
        m = _CONFIGDEFAULT.match(s)
        if m is None:
            return super()._tokenize(s)
        self._configdefault_at = (self.filename, self.linenr)
        tokens = super()._tokenize(s[:m.start(1)] + "config" + s[m.end(1):])
        self._line = s  # error messages quote the line as written
        return tokens

    def _parse_props(self, node: kconfiglib.MenuNode) -> None:
        here = (node.filename, node.linenr)
        is_default = (isinstance(node.item, kconfiglib.Symbol)
                      and self._configdefault_at == here)
        if is_default:
            self._configdefault_at = None
        super()._parse_props(node)
        if is_default:
            self._check_only_defaults(node)
            self._configdefault_nodes.add(node)

    def _add_props_to_sym(self, node: kconfiglib.MenuNode) -> None:
        if node in self._configdefault_nodes:
            node.item.defaults += node.defaults
        else:
            super()._add_props_to_sym(node)

    def _build_dep(self) -> None:
        # Every definition is known now: a configdefault default applies only
        # where the symbol's own dependencies hold, as if it were written in
        # the definition. (The symbol already depends on those symbols, so
        # kconfiglib's invalidation needs nothing new.)
        for node in self._configdefault_nodes:
            sym = node.item
            for default in node.defaults:
                i = next(i for i, d in enumerate(sym.defaults) if d is default)
                sym.defaults[i] = (default[0], self._make_and(default[1], sym.direct_dep))
        super()._build_dep()

    # -- checks ------------------------------------------------------------------------

    def _check_only_defaults(self, node: kconfiglib.MenuNode) -> None:
        found = [what for what, present in (
            ("a prompt", node.prompt),
            ("'depends on'", node.dep is not self.y),
            ("'range'", node.ranges),
            ("'select'", node.selects),
            ("'imply'", node.implies),
        ) if present]
        if found:
            raise _error(node, f"configdefault {node.item.name} may only contain 'default' "
                               f"properties, not {' or '.join(found)}")

    def _check_defined(self) -> None:
        for sym in self.unique_defined_syms:
            if all(n in self._configdefault_nodes for n in sym.nodes):
                raise _error(sym.nodes[0], f"configdefault {sym.name}: {sym.name} is not "
                                           "defined by any 'config' entry")


def _error(node: kconfiglib.MenuNode, msg: str) -> kconfiglib.KconfigError:
    return kconfiglib.KconfigError(f"{node.filename}:{node.linenr}: error: {msg}")
