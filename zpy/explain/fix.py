"""The smallest change to the configuration files that gives a symbol a wanted value.

Candidates come from the symbol's own Kconfig: to raise a symbol, assign it and
make each unmet dependency term true (recursively, through the symbols the term
names); to lower a selected one, switch off what selects it; in a choice, drop
the assignment that picked another member. Each candidate, smallest first, is
then applied to copies of the build's configuration files, which kconfiglib
merges and evaluates: a candidate counts only if the symbol gets the wanted
value, every assignment it adds takes, and kconfiglib has no new warning (a
warning would abort the build). Nothing is guessed, and nothing in the build
folder is touched.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kconfiglib
from kconfiglib import (
    AND,
    BOOL,
    EQUAL,
    NOT,
    OR,
    STRING,
    TRISTATE,
    UNEQUAL,
    Choice,
    Symbol,
)

from zpy.explain.fragments import (
    BOARD_DEFCONFIG,
    COMMAND_LINE,
    Assignment,
    Fragment,
    assignments,
    last_assignment,
    load_fragments,
)
from zpy.explain.text import short

#: Candidates with more assignments than this are not tried.
MAX_EDITS = 4
#: How deep dependencies of dependencies are followed.
MAX_DEPTH = 4
#: At most this many candidates are evaluated.
MAX_TRIED = 64
_ALTERNATIVES = 24  # kept per sub-goal while combining

_BOOLS = (BOOL, TRISTATE)

#: One candidate: (symbol name, new value) pairs; a value of None removes the assignment.
Candidate = frozenset[tuple[str, str | None]]
_NOTHING: Candidate = frozenset()


@dataclass
class Edit:
    """One line to change in one configuration file."""

    action: str  # "set" (replace a line), "add" (append one), "remove"
    file: str
    line: int | None
    old: str | None
    new: str | None
    command_line: bool = False  # the file is the -D options' file

    def text(self) -> str:
        if self.command_line:
            if self.action == "set":
                return f"-D{self.old} -> -D{self.new} (on the zpy build command line)"
            if self.action == "add":
                return f"add -D{self.new} to the zpy build command line"
            return f"drop -D{self.old} from the zpy build command line"
        if self.action == "set":
            return f"{short(self.file)}:{self.line}: {self.old} -> {self.new}"
        if self.action == "add":
            return f"add {self.new} to {short(self.file)}"
        return f"remove {short(self.file)}:{self.line}: {self.old}"


@dataclass
class Change:
    edits: list[Edit] = field(default_factory=list)


def smallest_change(kconf: kconfiglib.Kconfig, fragments: list[Fragment], sym: Symbol,
                    wanted: str, target: Fragment | None) -> tuple[Change | None, int]:
    """(the smallest working change, how many candidates were evaluated)."""
    if target is None:
        return None, 0
    candidates = _useful(Goals(kconf).symbol(sym, wanted, 0), kconf, fragments)
    files = [f.path for f in fragments]
    tried = 0
    try:
        baseline = _warnings(kconf)
        for candidate in candidates[:MAX_TRIED]:
            tried += 1
            edits = _edits(kconf, fragments, candidate, target)
            with tempfile.TemporaryDirectory(prefix="zpy-explain-") as tmp:
                copies = _copies(fragments, edits, Path(tmp))
                load_fragments(kconf, copies)
                if _works(kconf, sym, wanted, candidate, baseline):
                    return Change(edits), tried
    finally:
        load_fragments(kconf, files)
    return None, tried


# -- candidates --------------------------------------------------------------------------------


class Goals:
    """What would make a symbol or an expression take a value: alternative candidates."""

    def __init__(self, kconf: kconfiglib.Kconfig) -> None:
        self.kconf = kconf

    def symbol(self, sym: Symbol, want: str, depth: int) -> list[Candidate]:
        if sym.str_value == want:
            return [_NOTHING]
        if depth > MAX_DEPTH or not sym.nodes or sym.is_constant:
            return []
        is_bool = sym.orig_type in _BOOLS
        prompted = [n for n in sym.nodes if n.prompt]
        out: list[Candidate] = []
        if prompted:
            own: Candidate = frozenset({(sym.name, want)})
            parts = [[own]]
            if is_bool and want == "n":
                parts += [self.expr(t, False, depth + 1) for t in _active(sym.rev_dep, OR)]
            else:
                need = kconfiglib.STR_TO_TRI.get(want, 2) if is_bool else 1
                parts += [self.expr(t, True, depth + 1, need)
                          for t in kconfiglib.split_expr(prompted[0].prompt[1], AND)
                          if kconfiglib.expr_value(t) < need]
            out += _product(parts[1:]) + _product(parts)  # its default may do, once visible
            if sym.choice is not None and want == "y":
                drops = frozenset((s.name, None) for s in sym.choice.syms
                                  if s is not sym and s.user_value == 2)
                if drops:
                    out += _product([[drops], *parts[1:]])
        elif is_bool and want != "n":
            for value, cond in sym.defaults:
                if kconfiglib.expr_value(value) or not getattr(value, "is_constant", True):
                    out += _product([self.expr(cond, True, depth + 1),
                                     self.expr(value, True, depth + 1)])
            for term in kconfiglib.split_expr(sym.rev_dep, OR):
                out += self.expr(term, True, depth + 1)
        elif is_bool:
            out += _product([self.expr(t, False, depth + 1) for t in _active(sym.rev_dep, OR)])
        else:
            for value, cond in sym.defaults:
                if value.str_value == want:
                    out += self.expr(cond, True, depth + 1)
        return out

    def expr(self, expr: Any, truth: bool, depth: int, need: int = 2) -> list[Candidate]:
        value = kconfiglib.expr_value(expr)
        if (value >= need) if truth else (value == 0):
            return [_NOTHING]
        if isinstance(expr, Choice):
            return []
        if isinstance(expr, Symbol):
            if expr.orig_type not in _BOOLS:
                return []
            return self.symbol(expr, "y" if truth else "n", depth)
        op = expr[0]
        if op is NOT:
            return self.expr(expr[1], not truth, depth)
        if op in (AND, OR):
            parts = [self.expr(expr[1], truth, depth, need), self.expr(expr[2], truth, depth, need)]
            return _product(parts) if (op is AND) == truth else parts[0] + parts[1]
        if op in (EQUAL, UNEQUAL):
            return self._comparison(expr, (op is EQUAL) == truth, depth)
        return []  # <, <=, >, >=: not searched

    def _comparison(self, expr: Any, equal: bool, depth: int) -> list[Candidate]:
        a, b = expr[1], expr[2]
        if a.is_constant:
            a, b = b, a
        if a.is_constant or not b.is_constant:
            return []
        if equal:
            return self.symbol(a, b.str_value, depth)
        if a.orig_type in _BOOLS:
            return self.symbol(a, "n" if b.str_value != "n" else "y", depth)
        return []


def _active(expr: Any, op: Any) -> list[Any]:
    return [t for t in kconfiglib.split_expr(expr, op) if kconfiglib.expr_value(t)]


def _product(parts: list[list[Candidate]]) -> list[Candidate]:
    """Every way to pick one alternative per part, merged; conflicts and big ones dropped."""
    out: list[Candidate] = []
    for combo in itertools.product(*parts):
        merged = frozenset().union(*combo)
        names = [name for name, _ in merged]
        if len(names) == len(set(names)) and len(merged) <= MAX_EDITS and merged not in out:
            out.append(merged)
    out.sort(key=len)
    return out[:_ALTERNATIVES]


def _useful(candidates: Iterable[Candidate], kconf: kconfiglib.Kconfig,
            fragments: list[Fragment]) -> list[Candidate]:
    """Candidates without the assignments the files already make; smallest first."""
    out: list[Candidate] = []
    for candidate in candidates:
        kept = set()
        for name, value in candidate:
            last = last_assignment(fragments, name)
            sym = kconf.syms[name]
            if value is None and last is None:
                continue
            if value is not None and last is not None and _same(sym, last.value, value):
                continue
            kept.add((name, value))
        useful = frozenset(kept)
        if useful and useful not in out:
            out.append(useful)
    out.sort(key=lambda c: (len(c), sorted((n, v or "") for n, v in c)))
    return out


def _same(sym: Symbol, written: str, value: str) -> bool:
    if sym.orig_type in _BOOLS:
        return written[:1] == value[:1]
    return written == value


# -- evaluation ----------------------------------------------------------------------------------


def _line(sym: Symbol, value: str) -> str:
    if sym.orig_type is STRING:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'CONFIG_{sym.name}="{escaped}"'
    return f"CONFIG_{sym.name}={value}"


def _edits(kconf: kconfiglib.Kconfig, fragments: list[Fragment], candidate: Candidate,
           target: Fragment) -> list[Edit]:
    edits = []
    for name, value in sorted(candidate, key=lambda c: c[0]):
        found: list[Assignment] = assignments(fragments, name)
        if value is None:
            edits += [Edit("remove", str(a.fragment.path), a.lineno, a.line, None,
                           a.fragment.kind == COMMAND_LINE) for a in found]
            continue
        new = _line(kconf.syms[name], value)
        if found and found[-1].fragment.kind != BOARD_DEFCONFIG:  # the board is not yours
            a = found[-1]
            edits.append(Edit("set", str(a.fragment.path), a.lineno, a.line, new,
                              a.fragment.kind == COMMAND_LINE))
        else:
            edits.append(Edit("add", str(target.path), None, None, new,
                              target.kind == COMMAND_LINE))
    return edits


def _copies(fragments: list[Fragment], edits: list[Edit], tmp: Path) -> list[Path]:
    """The configuration files with `edits` applied, written under tmp."""
    copies = []
    for i, fragment in enumerate(fragments):
        lines = fragment.path.read_text(encoding="utf-8").splitlines()
        mine = [e for e in edits if e.file == str(fragment.path)]
        for e in mine:
            if e.line is not None:
                lines[e.line - 1] = e.new if e.new is not None else ""
        lines += [e.new for e in mine if e.action == "add" and e.new is not None]
        copy = tmp / f"{i}_{fragment.path.name}"
        copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
        copies.append(copy)
    return copies


def _warnings(kconf: kconfiglib.Kconfig) -> int:
    """Evaluate every symbol, as the build does; the number of warnings kconfiglib gave."""
    kconf.warnings.clear()
    for sym in kconf.unique_defined_syms:
        sym.str_value  # noqa: B018
    for choice in kconf.unique_choices:
        choice.selection  # noqa: B018
    return len(kconf.warnings)


def _works(kconf: kconfiglib.Kconfig, sym: Symbol, wanted: str, candidate: Candidate,
           baseline: int) -> bool:
    if _warnings(kconf) > baseline or sym.str_value != wanted:
        return False
    return all(value is None or kconf.syms[name].str_value == value
               for name, value in candidate)
