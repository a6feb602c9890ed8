"""Why a Kconfig symbol has its value: `zpy explain -d BUILD CONFIG_X`.

The answer is read off kconfiglib's own object model, the way kconfiglib
computes the value (Symbol.tri_value/str_value): a visible symbol takes the
value a configuration file assigned; otherwise its first active default, raised
by `imply` when its dependencies are met; `select` raises it in any case; a
choice symbol is y when its choice selected it. When the value differs from
what a configuration file (or the caller) asked for, the explanation lists the
unmet dependencies with where they are written, what selects or implies the
symbol, its choice, and the smallest change that gives the asked value, found
by evaluating candidate changes with kconfiglib (fix.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import kconfiglib
from kconfiglib import AND, BOOL, TRI_TO_STR, TRISTATE, Choice, Symbol

from zpy.explain.fix import Change, smallest_change
from zpy.explain.fragments import (
    BOARD_CONF,
    BOARD_DEFCONFIG,
    COMMAND_LINE,
    CONF_FILE,
    EXTRA_CONF_FILE,
    Assignment,
    Fragment,
    assignments,
    last_assignment,
)
from zpy.explain.kconfig_lines import DEFAULT_KEYWORDS, Locator
from zpy.explain.text import Where, labelled, where

_BOOLS = (BOOL, TRISTATE)


@dataclass
class Asked:
    """What a configuration file asked for: the last line that assigns the symbol."""

    value: str
    where: Where
    source: str  # the fragment's kind: CONF_FILE, board defconfig, -D, ...
    line: str  # CONFIG_X=... as written
    #: why the assignment did not take (None when it did)
    ignored: str | None = None


@dataclass
class SymbolRef:
    name: str
    value: str
    defined_at: Where | None
    prompt: bool = True  # False: no configuration file can set it


@dataclass
class Dependency:
    """One `depends on` term (or `if` block, or prompt condition) and its value."""

    expr: str
    value: str
    where: Where | None
    symbols: list[SymbolRef]


@dataclass
class Reverse:
    """A `select` or `imply` of this symbol by another one."""

    kind: str  # "select" or "imply"
    by: str
    by_value: str
    condition: str | None
    active: bool
    where: Where | None


@dataclass
class ChoiceInfo:
    prompt: str | None
    where: Where | None
    selection: str | None
    selected_by: str  # how the choice's selection came about
    symbols: list[SymbolRef]


@dataclass
class Origin:
    """Where the value came from, in one sentence, with the place it points at."""

    kind: str  # assigned, default, selected, implied, choice, none
    text: str
    where: Where | None = None


@dataclass
class SymbolExplanation:
    name: str
    type: str
    value: str
    prompt: str | None
    defined_at: list[Where]
    #: where the prompt is (a symbol may be defined in several places, one with a prompt)
    prompt_at: Where | None
    origin: Origin
    asked: Asked | None = None
    #: the value the explanation aims at (what was asked, or what the caller wants)
    wanted: str | None = None
    #: why the caller wants it (when no file asked)
    wanted_for: str | None = None
    range: str | None = None
    range_at: Where | None = None
    selected_by: list[Reverse] = field(default_factory=list)
    implied_by: list[Reverse] = field(default_factory=list)
    choice: ChoiceInfo | None = None
    unmet: list[Dependency] = field(default_factory=list)
    change: Change | None = None
    #: how many candidate changes were evaluated with kconfiglib
    changes_checked: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return self.wanted is not None and self.wanted != self.value

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = "symbol"
        d["name"] = f"CONFIG_{self.name}"
        d["differs"] = self.differs
        return d

    def render(self) -> list[str]:
        return render_symbol(self)


class SymbolExplainer:
    """Explains the symbols of one merged configuration."""

    def __init__(self, kconf: kconfiglib.Kconfig, fragments: list[Fragment]) -> None:
        self.kconf = kconf
        self.fragments = fragments
        self.locator = Locator(Path(kconf.srctree or "."))

    # -- locations --------------------------------------------------------------------

    def node_where(self, node: kconfiglib.MenuNode) -> Where:
        return where(node.filename, node.linenr, self.locator.srctree)

    def defined_at(self, sym: Symbol) -> Where | None:
        return self.node_where(sym.nodes[0]) if sym.nodes else None

    def ref(self, sym: Symbol) -> SymbolRef:
        return SymbolRef(sym.name, sym.str_value, self.defined_at(sym),
                         any(n.prompt for n in sym.nodes))

    def property_where(self, node: kconfiglib.MenuNode, keywords: frozenset[str],
                       index: int = 0, first_word: str | None = None) -> Where:
        line = self.locator.property_line(node.filename, node.linenr, keywords, index,
                                          first_word)
        return self.node_where(node) if line is None else where(node.filename, line,
                                                                  self.locator.srctree)

    # -- the explanation --------------------------------------------------------------

    def explain(self, sym: Symbol, want: str | None = None,
                wanted_for: str | None = None) -> SymbolExplanation:
        """Explain `sym`; `want` is the value to aim at when no file asked for one (and
        `wanted_for` what it is needed for)."""
        last = last_assignment(self.fragments, sym.name)
        asked = None
        if last is not None and sym.user_value is not None:
            asked = Asked(_asked_value(sym, last), Where(str(last.fragment.path), last.lineno),
                          last.fragment.kind, last.line)
        wanted = asked.value if asked is not None else want
        if asked is not None and asked.value != sym.str_value:
            asked.ignored = self._ignored(sym, asked.value)
        prompted = [n for n in sym.nodes if n.prompt]
        e = SymbolExplanation(
            name=sym.name, type=kconfiglib.TYPE_TO_STR[sym.orig_type], value=sym.str_value,
            prompt=prompted[0].prompt[0] if prompted else None,
            defined_at=[self.node_where(n) for n in sym.nodes],
            prompt_at=self.node_where(prompted[0]) if prompted else None,
            origin=self.origin(sym, asked), asked=asked, wanted=wanted,
            wanted_for=wanted_for if asked is None else None)
        self._range(sym, e)
        e.selected_by = self.reverse(sym, "select")
        e.implied_by = self.reverse(sym, "imply")
        if sym.choice is not None:
            e.choice = self.choice_info(sym.choice)
        if e.differs and wanted is not None:
            e.unmet = self.unmet(sym, wanted)
            if not prompted:
                e.notes.append(f"{sym.name} has no prompt: no configuration file can set it; "
                               "it takes its value from its defaults and from select")
            e.change, e.changes_checked = smallest_change(
                self.kconf, self.fragments, sym, wanted, _target_fragment(self.fragments, last))
        return e

    def origin(self, sym: Symbol, asked: Asked | None) -> Origin:
        if sym.choice is not None:
            return self._choice_origin(sym)
        user_took = asked is not None and sym.visibility and _took(sym)
        if sym.orig_type in _BOOLS:
            value = sym.tri_value
            selected = kconfiglib.expr_value(sym.rev_dep)
            if selected and selected >= value and not user_took:
                by = [r.by for r in self.reverse(sym, "select") if r.active]
                return Origin("selected", "selected by " + ", ".join(by))
            if not user_took and value and self._implied(sym) >= value \
                    and self._default_value(sym) < value:
                by = [r.by for r in self.reverse(sym, "imply") if r.active]
                return Origin("implied", "implied by " + ", ".join(by))
        if user_took and asked is not None:
            if asked.source == COMMAND_LINE:
                return Origin("assigned", f"set by -D{asked.line} on the command line",
                              asked.where)
            kind = "" if asked.source == CONF_FILE else f" ({_KIND_TEXT[asked.source]})"
            return Origin("assigned", f"set in {asked.where}{kind}", asked.where)
        hit = self._active_default(sym)
        if hit is not None:
            text, at = hit
            return Origin("default", f"{text}, at {at}", at)
        empty = "n" if sym.orig_type in _BOOLS else "empty"
        if not kconfiglib.expr_value(sym.direct_dep):
            return Origin("none", f"its dependencies are not met, so it is {empty}")
        return Origin("none", f"no default applies, so it is {empty}")

    def _ignored(self, sym: Symbol, asked: str) -> str:
        """Why an assignment did not take, in a few words."""
        if sym.choice is not None and sym.visibility:
            other = sym.choice.selection
            return f"its choice selected {other.name if other else 'nothing'}"
        if sym.orig_type in _BOOLS and kconfiglib.STR_TO_TRI.get(asked, 2) < sym.tri_value:
            by = [r.by for r in self.reverse(sym, "select") if r.active]
            return "it is selected by " + ", ".join(by)
        if not sym.visibility:
            if kconfiglib.expr_value(sym.direct_dep) == 0:
                return "its dependencies are not met"
            return "its prompt is hidden"
        return "the value is not valid for it"

    # -- parts ------------------------------------------------------------------------

    def _implied(self, sym: Symbol) -> int:
        if not kconfiglib.expr_value(sym.direct_dep):
            return 0
        return kconfiglib.expr_value(sym.weak_rev_dep)

    def _default_value(self, sym: Symbol) -> int:
        for value, cond in sym.defaults:
            dep = kconfiglib.expr_value(cond)
            if dep:
                return min(kconfiglib.expr_value(value), dep)
        return 0

    def _active_default(self, sym: Symbol | Choice) -> tuple[str, Where] | None:
        """The first default whose condition holds: its text and where it is written."""
        for node in sym.nodes:
            for i, ((value, cond), (_, orig_cond)) in enumerate(
                    zip(node.defaults, node.orig_defaults, strict=True)):
                if kconfiglib.expr_value(cond):
                    text = f"default {kconfiglib.expr_str(value)}"
                    if orig_cond is not self.kconf.y:
                        text += f" if {kconfiglib.expr_str(orig_cond)}"
                    return text, self.property_where(node, DEFAULT_KEYWORDS, i)
        return None

    def _range(self, sym: Symbol, e: SymbolExplanation) -> None:
        for node in sym.nodes:
            for i, (low, high, cond) in enumerate(node.ranges):
                if kconfiglib.expr_value(cond):
                    e.range = f"{low.str_value}..{high.str_value}"
                    e.range_at = self.property_where(node, frozenset({"range"}), i)
                    return

    def reverse(self, sym: Symbol, kind: str) -> list[Reverse]:
        """Every symbol that selects (or implies) `sym`, active or not."""
        found = []
        for other in self.kconf.unique_defined_syms:
            for node in other.nodes:
                pairs = zip(node.selects, node.orig_selects, strict=True) if kind == "select" \
                    else zip(node.implies, node.orig_implies, strict=True)
                for (target, cond), (_, orig_cond) in pairs:
                    if target is not sym:
                        continue
                    active = min(other.tri_value, kconfiglib.expr_value(cond)) > 0
                    condition = None if orig_cond is self.kconf.y \
                        else kconfiglib.expr_str(orig_cond)
                    at = self.property_where(node, frozenset({kind}), 0, first_word=sym.name)
                    found.append(Reverse(kind, other.name, other.str_value, condition, active,
                                         at))
        return found

    def choice_info(self, choice: Choice) -> ChoiceInfo:
        node = choice.nodes[0]
        prompt = next((n.prompt[0] for n in choice.nodes if n.prompt), None)
        sel = choice.selection
        return ChoiceInfo(prompt, self.node_where(node), sel.name if sel else None,
                          self._selection_origin(choice),
                          [self.ref(s) for s in choice.syms])

    def _selection_origin(self, choice: Choice) -> str:
        sel = choice.selection
        if sel is None:
            return "nothing: the choice is not visible"
        if choice.user_selection is sel:
            last = assignments(self.fragments, sel.name)
            if last:
                at = Where(str(last[-1].fragment.path), last[-1].lineno)
                return f"{sel.name}=y in {at}" if last[-1].fragment.kind != COMMAND_LINE \
                    else f"-D{last[-1].line} on the command line"
        hit = self._active_default(choice)
        if hit is not None:
            return f"{hit[0]}, at {hit[1]}"
        return "the first visible symbol of the choice"

    def _choice_origin(self, sym: Symbol) -> Origin:
        choice = sym.choice
        if choice.selection is sym:
            return Origin("choice", "its choice, which selected it")
        other = choice.selection.name if choice.selection else "no symbol"
        return Origin("choice", f"its choice, which selected {other}")

    def unmet(self, sym: Symbol, wanted: str) -> list[Dependency]:
        """The dependency terms that keep `sym` below `wanted`, each with its place."""
        if sym.orig_type in _BOOLS:
            need = kconfiglib.STR_TO_TRI.get(wanted, 2)
            if need == 0:
                return []
        else:
            need = 1
        terms = [t for t in kconfiglib.split_expr(sym.direct_dep, AND)
                 if kconfiglib.expr_value(t) < need]
        if not terms:
            for node in sym.nodes:
                if node.prompt:
                    terms += [t for t in kconfiglib.split_expr(node.prompt[1], AND)
                              if kconfiglib.expr_value(t) < need and t not in terms]
        return [self.dependency(sym, term) for term in terms]

    def dependency(self, sym: Symbol, term: Any) -> Dependency:
        items = [s for s in kconfiglib.expr_items(term)
                 if isinstance(s, Symbol) and not s.is_constant]
        value = TRI_TO_STR[kconfiglib.expr_value(term)]
        text = kconfiglib.expr_str(term)
        if isinstance(term, Choice):
            node = term.nodes[0]
            return Dependency(f"the choice {text}", value, self.node_where(node), [])
        at = None
        names = {s.name for s in items}
        for node in sym.nodes:
            found = self.locator.dependency_line(node.filename, node.linenr, names,
                                                 tuple(node.include_path))
            if found is not None:
                at = where(found[0], found[1], self.locator.srctree)
                break
        return Dependency(text, value, at, [self.ref(s) for s in items])


_KIND_TEXT = {
    BOARD_DEFCONFIG: "the board's defconfig",
    BOARD_CONF: "the app's board configuration",
    EXTRA_CONF_FILE: EXTRA_CONF_FILE,
    CONF_FILE: CONF_FILE,
    COMMAND_LINE: "-D on the command line",
}


def _asked_value(sym: Symbol, a: Assignment) -> str:
    if sym.orig_type in _BOOLS:
        return a.value[:1] if a.value[:1] in ("y", "m", "n") else a.value
    return a.value


def _took(sym: Symbol) -> bool:
    if sym.orig_type in _BOOLS:
        return min(sym.user_value, sym.visibility) >= sym.tri_value
    return sym.str_value == sym.user_value


def _target_fragment(fragments: list[Fragment], last: Assignment | None) -> Fragment | None:
    """The file a new assignment goes into: the one that asked, unless that is the board's
    defconfig (the user's own file is the first CONF_FILE)."""
    if last is not None and last.fragment.kind != BOARD_DEFCONFIG:
        return last.fragment
    for fragment in fragments:
        if fragment.kind == CONF_FILE:
            return fragment
    return fragments[-1] if fragments else None


# -- text ------------------------------------------------------------------------------------


def render_symbol(e: SymbolExplanation) -> list[str]:
    lines = [f"CONFIG_{e.name}={_shown(e)}"]
    kind = e.type + (f", range {e.range} at {e.range_at}" if e.range else "")
    lines += labelled("type", kind)
    defined = [f"{w}" + (f' "{e.prompt}"' if w == e.prompt_at else "") for w in e.defined_at]
    lines += labelled("defined at", defined or ["(nowhere)"])
    if e.asked is not None and e.differs:
        a = e.asked
        asked = f"{a.value}, in {a.where}" if a.source != COMMAND_LINE \
            else f"{a.value}, by -D{a.line} on the command line"
        lines += labelled("asked for", asked + (f", which has no effect: {a.ignored}"
                                                if a.ignored else ""))
    elif e.differs:
        lines += labelled("wanted", (e.wanted or "")
                          + (f", {e.wanted_for}" if e.wanted_for else ""))
    lines += labelled("value from", e.origin.text)
    if e.choice is not None:
        c = e.choice
        title = f'"{c.prompt}"' if c.prompt else "(no prompt)"
        members = ", ".join(f"{s.name}={s.value}" for s in c.symbols)
        lines += labelled("choice", [f"{title} at {c.where}: {members}",
                                  f"selection: {c.selection or 'none'}, from {c.selected_by}"])
    for label, revs in (("selected by", e.selected_by), ("implied by", e.implied_by)):
        if revs:
            lines += labelled(label, [_reverse_text(r) for r in revs])
    if e.differs:
        if e.unmet:
            lines += labelled("unmet", [line for d in e.unmet for line in _dependency_text(d)])
        for note in e.notes:
            lines += labelled("note", note)
        lines += _change_text(e)
    return lines


def _shown(e: SymbolExplanation) -> str:
    return f'"{e.value}"' if e.type == "string" else e.value


def _reverse_text(r: Reverse) -> str:
    cond = f" if {r.condition}" if r.condition else ""
    state = "" if r.active else " (inactive)"
    return f"{r.by} (={r.by_value}){cond}, at {r.where}{state}"


def _dependency_text(d: Dependency) -> list[str]:
    at = f", at {d.where}" if d.where else ""
    lines = [f"depends on {d.expr} (={d.value}){at}"]
    for s in d.symbols:
        if s.defined_at is not None and s.value not in ("y", "m"):
            lines.append(f"  {s.name}={s.value}, defined at {s.defined_at}"
                         + ("" if s.prompt else ", has no prompt"))
    return lines


def _change_text(e: SymbolExplanation) -> list[str]:
    want = f"CONFIG_{e.name}={e.wanted}"
    if e.change is None:
        if e.changes_checked:
            return labelled("no fix", f"none of the {e.changes_checked} smallest candidate "
                            f"changes gives {want} (checked with kconfiglib)")
        return labelled("no fix", f"no configuration file can give {want}: what it needs "
                        "cannot be assigned")
    head = f"smallest change, checked with kconfiglib (gives {want}):"
    return ["  " + head] + ["    " + edit.text() for edit in e.change.edits]
