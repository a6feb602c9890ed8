"""Twister's `filter:` language: parse once, evaluate per build.

The grammar is the one of twister's expr_parser (scripts/pylib/twister/expr_parser.py):

    expr  := expr 'or' expr | expr 'and' expr | 'not' expr | '(' expr ')'
           | SYMBOL                       set and not empty ("CONFIG_FOO" alone)
           | SYMBOL ('==' | '!=') const
           | SYMBOL ('<' | '>' | '<=' | '>=') number
           | SYMBOL 'in' '[' const {',' const} ']'
           | SYMBOL ':' STRING            regular expression match from the start
           | FUNCTION '(' const {',' const} ')'
    const := STRING | number              number: decimal or 0x hex

'or' binds looser than 'and', which binds looser than 'not'; comparisons do not
chain. Symbols are looked up in an environment of strings (CONFIG_* values from
the build's .config, ARCH, PLATFORM, BOARD and the process environment); a
missing symbol is "" (or 0 where a number is needed). Functions ask the build's
devicetree (zpy.image.dtmodel) through zpy.build.dtfunctions.

Written here by hand (twister uses PLY) so that an error can say which token,
at which column, was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from zpy.build import dtfunctions
from zpy.image.dtmodel import DeviceTree, DTNode


class ExprError(Exception):
    """A filter that does not parse (or cannot be evaluated); the message is one line."""


# -- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<hex>0[xX][0-9a-fA-F]+)
  | (?P<int>\d+)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|:)
  | (?P<sym>[A-Za-z_][A-Za-z0-9_]*)
""", re.X)

_KEYWORDS = ("and", "or", "not", "in")


@dataclass(frozen=True)
class Token:
    kind: str  # "str", "num", "sym", "op", "kw", "end"
    value: str
    col: int  # 1-based column in the expression

    def show(self) -> str:
        return "end of expression" if self.kind == "end" else f"'{self.value}'"


def tokenize(text: str) -> list[Token]:
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExprError(f"unexpected character '{text[pos]}' at column {pos + 1}")
        kind = m.lastgroup
        value = m.group()
        col = pos + 1
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "hex":
            tokens.append(Token("num", str(int(value, 16)), col))
        elif kind == "int":
            tokens.append(Token("num", str(int(value)), col))
        elif kind == "str":
            tokens.append(Token("str", re.sub(r"\\(.)", r"\1", value[1:-1]), col))
        elif kind == "sym" and value in _KEYWORDS:
            tokens.append(Token("kw", value, col))
        else:
            tokens.append(Token(kind or "op", value, col))
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# -- syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: str
    is_number: bool


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    left: Node
    right: Node


@dataclass(frozen=True)
class Exists:
    symbol: str


@dataclass(frozen=True)
class Compare:
    op: str  # == != < > <= >= in :
    symbol: str
    operand: Const | tuple[Const, ...]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Const, ...]


Node = Not | BoolOp | Exists | Compare | Call


# -- devicetree functions ----------------------------------------------------------------


def _aliased(dt: DeviceTree, alias: str) -> DTNode | None:
    path = dt.aliases.get(alias)
    return None if path is None else dt.path2node.get(path)


def _parent_has_compat(dt: DeviceTree, node: DTNode | None, compat: str) -> bool:
    parent = None if node is None else dt.parent(node)
    return parent is not None and parent.okay and parent.matching_compat == compat


def _dt_compat_enabled(dt: DeviceTree, compat: str) -> bool:
    return dtfunctions.compat_enabled(dt, compat)


def _dt_alias_exists(dt: DeviceTree, alias: str) -> bool:
    return dtfunctions.enabled(_aliased(dt, alias))


def _dt_enabled_alias_with_parent_compat(dt: DeviceTree, alias: str, compat: str) -> bool:
    node = _aliased(dt, alias)
    return dtfunctions.enabled(node) and _parent_has_compat(dt, node, compat)


def _dt_compat_enabled_with_alias(dt: DeviceTree, compat: str, alias: str) -> bool:
    """The deprecated spelling of dt_enabled_alias_with_parent_compat (arguments swapped)."""
    return _dt_enabled_alias_with_parent_compat(dt, alias, compat)


def _dt_label_with_parent_compat_enabled(dt: DeviceTree, label: str, compat: str) -> bool:
    return _parent_has_compat(dt, dtfunctions.node_by_label(dt, label), compat)


def _dt_chosen_enabled(dt: DeviceTree, chosen: str) -> bool:
    return dtfunctions.enabled(dtfunctions.node_by_chosen(dt, chosen))


def _dt_nodelabel_enabled(dt: DeviceTree, label: str) -> bool:
    return dtfunctions.enabled(dtfunctions.node_by_label(dt, label))


def _dt_nodelabel_has_compat(dt: DeviceTree, label: str, compat: str) -> bool:
    return dtfunctions.has_compat(dtfunctions.node_by_label(dt, label), compat)


def _dt_nodelabel_has_prop(dt: DeviceTree, label: str, prop: str) -> bool:
    return dtfunctions.has_prop(dtfunctions.node_by_label(dt, label), prop)


def _dt_node_has_prop(dt: DeviceTree, path: str, prop: str) -> bool:
    return dtfunctions.has_prop(dtfunctions.node_by_path(dt, path), prop)


#: name -> (number of arguments, implementation)
FUNCTIONS: dict[str, tuple[int, Callable[..., bool]]] = {
    "dt_compat_enabled": (1, _dt_compat_enabled),
    "dt_alias_exists": (1, _dt_alias_exists),
    "dt_enabled_alias_with_parent_compat": (2, _dt_enabled_alias_with_parent_compat),
    "dt_compat_enabled_with_alias": (2, _dt_compat_enabled_with_alias),
    "dt_label_with_parent_compat_enabled": (2, _dt_label_with_parent_compat_enabled),
    "dt_chosen_enabled": (1, _dt_chosen_enabled),
    "dt_nodelabel_enabled": (1, _dt_nodelabel_enabled),
    "dt_nodelabel_has_compat": (2, _dt_nodelabel_has_compat),
    "dt_nodelabel_has_prop": (2, _dt_nodelabel_has_prop),
    "dt_node_has_prop": (2, _dt_node_has_prop),
}


# -- parser ------------------------------------------------------------------------------

_COMPARE_OPS = ("==", "!=", "<", ">", "<=", ">=")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def unexpected(self, tok: Token | None = None, expected: str = "") -> ExprError:
        tok = tok or self.tok
        where = "" if tok.kind == "end" else f" at column {tok.col}"
        text = f"unexpected {tok.show()}{where}"
        return ExprError(text + (f" (expected {expected})" if expected else ""))

    def expect(self, value: str) -> Token:
        if self.tok.value != value or self.tok.kind not in ("op", "kw"):
            raise self.unexpected(expected=f"'{value}'")
        return self.take()

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExprError("empty expression")
        node = self.parse_or()
        if self.tok.kind != "end":
            raise self.unexpected()
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.tok.kind == "kw" and self.tok.value == "or":
            self.take()
            node = BoolOp("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.tok.kind == "kw" and self.tok.value == "and":
            self.take()
            node = BoolOp("and", node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self.tok.kind == "kw" and self.tok.value == "not":
            self.take()
            return Not(self.parse_not())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.value == "(":
            self.take()
            node = self.parse_or()
            self.expect(")")
            return node
        if tok.kind != "sym":
            raise self.unexpected(expected="a symbol, a function call, 'not' or '('")
        self.take()
        nxt = self.tok
        if nxt.kind == "op" and nxt.value == "(":
            return self.parse_call(tok)
        if nxt.kind == "op" and nxt.value in _COMPARE_OPS:
            self.take()
            operand = self.parse_const()
            if nxt.value not in ("==", "!=") and not operand.is_number:
                raise ExprError(f"'{nxt.value}' needs a number, not \"{operand.value}\" "
                                f"(column {nxt.col})")
            return Compare(nxt.value, tok.value, operand)
        if nxt.kind == "kw" and nxt.value == "in":
            self.take()
            return Compare("in", tok.value, self.parse_list())
        if nxt.kind == "op" and nxt.value == ":":
            self.take()
            pattern = self.tok
            if pattern.kind != "str":
                raise self.unexpected(expected="a string after ':'")
            self.take()
            try:
                re.compile(pattern.value)
            except re.error as e:
                raise ExprError(f"bad regular expression \"{pattern.value}\": {e}") from None
            return Compare(":", tok.value, Const(pattern.value, False))
        return Exists(tok.value)

    def parse_const(self) -> Const:
        tok = self.tok
        if tok.kind not in ("str", "num"):
            raise self.unexpected(expected="a string or a number")
        self.take()
        return Const(tok.value, tok.kind == "num")

    def parse_list(self) -> tuple[Const, ...]:
        self.expect("[")
        items = [self.parse_const()]
        while self.tok.kind == "op" and self.tok.value == ",":
            self.take()
            items.append(self.parse_const())
        self.expect("]")
        return tuple(items)

    def parse_call(self, name: Token) -> Call:
        self.expect("(")
        args = [self.parse_const()]
        while self.tok.kind == "op" and self.tok.value == ",":
            self.take()
            args.append(self.parse_const())
        self.expect(")")
        spec = FUNCTIONS.get(name.value)
        if spec is None:
            raise ExprError(f"unknown function '{name.value}' at column {name.col}")
        if len(args) != spec[0]:
            raise ExprError(f"{name.value}() takes {spec[0]} argument"
                            f"{'s' if spec[0] != 1 else ''}, not {len(args)}")
        return Call(name.value, tuple(args))


def parse(text: str) -> Node:
    """The syntax tree of a filter; raises ExprError with a one-line reason."""
    return _Parser(text).parse()


# -- evaluation --------------------------------------------------------------------------


def _as_int(symbol: str, value: str) -> int:
    if value == "":
        return 0
    try:
        return int(value, 0) if value.lower().startswith(("0x", "-0x")) else int(value, 10)
    except ValueError:
        raise ExprError(f"{symbol} is \"{value}\", not a number") from None


def _equal(symbol: str, value: str, const: Const) -> bool:
    if const.is_number and value:
        try:
            return _as_int(symbol, value) == int(const.value)
        except ExprError:
            return False
    return value == const.value


def evaluate(node: Node, env: Mapping[str, str], dt: DeviceTree | None) -> bool:
    """Evaluate a parsed filter against an environment of strings and a devicetree."""
    if isinstance(node, BoolOp):
        if node.op == "and":
            return evaluate(node.left, env, dt) and evaluate(node.right, env, dt)
        return evaluate(node.left, env, dt) or evaluate(node.right, env, dt)
    if isinstance(node, Not):
        return not evaluate(node.operand, env, dt)
    if isinstance(node, Exists):
        return bool(env.get(node.symbol, ""))
    if isinstance(node, Call):
        if dt is None:
            return False
        return FUNCTIONS[node.name][1](dt, *(a.value for a in node.args))
    value = str(env.get(node.symbol, ""))
    operand = node.operand
    if node.op == "in":
        assert isinstance(operand, tuple)
        return any(_equal(node.symbol, value, c) for c in operand)
    assert isinstance(operand, Const)
    if node.op == "==":
        return _equal(node.symbol, value, operand)
    if node.op == "!=":
        return not _equal(node.symbol, value, operand)
    if node.op == ":":
        return re.match(operand.value, value) is not None
    left, right = _as_int(node.symbol, value), int(operand.value)
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[node.op]


def check(text: str, env: Mapping[str, str], dt: DeviceTree | None) -> bool:
    """Parse and evaluate in one go."""
    return evaluate(parse(text), env, dt)
