"""Kconfig preprocessor functions: $(dt_compat_enabled,qemu,ivshmem) and friends.

kconfiglib imports the module named by $KCONFIG_FUNCTIONS and reads its
`functions` dict: name -> (function, min_args, max_args); each function gets
(kconf, name, *args) and returns a string. The names and results are
Zephyr's (scripts/kconfig/kconfigfunctions.py).

The devicetree comes from the `current_devicetree` context variable, which the
build sets around Kconfig parsing; there is no module-level EDT, so two builds
in one process see their own trees. With no tree set (a plain `menuconfig`
outside `zpy build`), every dt_* function answers "n", "0" or "", as Zephyr's
do without an EDT. The meaning lives in dtfunctions.py; this is the adapter.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from zpy.build import dtfunctions as dtf
from zpy.image.dtmodel import DeviceTree, DTNode

#: The devicetree of the build being configured.
current_devicetree: ContextVar[DeviceTree | None] = ContextVar(
    "zpy_current_devicetree", default=None
)


def _yn(value: bool) -> str:
    return "y" if value else "n"


def _fail(kconf: Any, msg: str) -> Exception:
    """A KconfigError at the line being parsed, as kconfiglib's own errors read."""
    from kconfiglib import KconfigError

    where = f"{kconf.filename}:{kconf.linenr}: " if getattr(kconf, "filename", None) else ""
    return KconfigError(f"{where}error: {msg}")


def _int(kconf: Any, name: str, text: str) -> int:
    try:
        return int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text, 10)
    except ValueError:
        raise _fail(kconf, f"$({name}): '{text}' is not an integer") from None


def _shift(kconf: Any, name: str, unit: str | None) -> str | None:
    try:
        dtf.unit_shift(unit)
    except ValueError as e:
        raise _fail(kconf, f"$({name}): {e}") from None
    return unit


# -- lookup helpers ----------------------------------------------------------------------

Finder = Callable[[DeviceTree, str], DTNode | None]


def _node_fn(find: Finder, result: Callable[[DTNode | None], bool]) -> Callable[..., str]:
    def fn(kconf: Any, name: str, key: str) -> str:
        dt = current_devicetree.get()
        return _yn(dt is not None and result(find(dt, key)))

    return fn


def _node_arg_fn(find: Finder, result: Callable[[DTNode | None, str], bool]
                 ) -> Callable[..., str]:
    def fn(kconf: Any, name: str, key: str, arg: str) -> str:
        dt = current_devicetree.get()
        return _yn(dt is not None and result(find(dt, key), arg))

    return fn


def _node_str_fn(find: Finder, result: Callable[[DTNode], str]) -> Callable[..., str]:
    def fn(kconf: Any, name: str, key: str) -> str:
        dt = current_devicetree.get()
        node = None if dt is None else find(dt, key)
        return "" if node is None else result(node)

    return fn


def _fmt(name: str, value: int) -> str:
    return hex(value) if name.endswith("_hex") else str(value)


def _reg_fn(find: Finder) -> Callable[..., str]:
    def fn(kconf: Any, name: str, key: str, index: str = "0", unit: str | None = None) -> str:
        dt = current_devicetree.get()
        node = None if dt is None else find(dt, key)
        i = _int(kconf, name, index)
        unit = _shift(kconf, name, unit)
        value = dtf.reg_size(node, i, unit) if "_reg_size" in name else dtf.reg_addr(node, i, unit)
        return _fmt(name, value)

    return fn


def _by_path(dt: DeviceTree, key: str) -> DTNode | None:
    return dtf.node_by_path(dt, key)


# -- functions with their own signatures -------------------------------------------------


def dt_compat_enabled(kconf: Any, name: str, compat: str) -> str:
    dt = current_devicetree.get()
    return _yn(dt is not None and dtf.compat_enabled(dt, compat))


def dt_num_compat_enabled(kconf: Any, name: str, compat: str) -> str:
    dt = current_devicetree.get()
    return str(0 if dt is None else dtf.compat_enabled_num(dt, compat))


def dt_has_compat(kconf: Any, name: str, compat: str) -> str:
    dt = current_devicetree.get()
    return _yn(dt is not None and dtf.compat_exists(dt, compat))


def dt_compat_on_bus(kconf: Any, name: str, compat: str, bus: str) -> str:
    dt = current_devicetree.get()
    return _yn(dt is not None and dtf.compat_on_bus(dt, compat, bus))


def dt_compat_any_has_prop(kconf: Any, name: str, compat: str, prop: str,
                           value: str | None = None) -> str:
    dt = current_devicetree.get()
    return _yn(dt is not None and dtf.compat_any_has_prop(dt, compat, prop, value))


def dt_compat_any_not_has_prop(kconf: Any, name: str, compat: str, prop: str) -> str:
    dt = current_devicetree.get()
    return _yn(dt is not None and dtf.compat_any_not_has_prop(dt, compat, prop))


def dt_gpio_hogs_enabled(kconf: Any, name: str) -> str:
    dt = current_devicetree.get()
    return _yn(dt is not None and dtf.gpio_hogs_enabled(dt))


def dt_nodelabel_array_prop_has_val(kconf: Any, name: str, label: str, prop: str,
                                    value: str) -> str:
    dt = current_devicetree.get()
    node = None if dt is None else dtf.node_by_label(dt, label)
    return _yn(dtf.array_prop_has_val(node, prop, _int(kconf, name, value)))


def dt_nodelabel_enabled_with_compat(kconf: Any, name: str, label: str, compat: str) -> str:
    dt = current_devicetree.get()
    return _yn(dt is not None and dtf.nodelabel_enabled_with_compat(dt, label, compat))


def dt_int_prop(find: Finder) -> Callable[..., str]:
    def fn(kconf: Any, name: str, key: str, prop: str, unit: str | None = None) -> str:
        dt = current_devicetree.get()
        node = None if dt is None else find(dt, key)
        return _fmt(name, dtf.int_prop(node, prop, _shift(kconf, name, unit)))

    return fn


def dt_node_array_prop(kconf: Any, name: str, path: str, prop: str, index: str,
                       unit: str | None = None) -> str:
    dt = current_devicetree.get()
    node = None if dt is None else dtf.node_by_path(dt, path)
    value = dtf.array_prop(node, prop, _int(kconf, name, index), _shift(kconf, name, unit))
    return _fmt(name, value)


def dt_node_str_prop_equals(kconf: Any, name: str, path: str, prop: str, value: str) -> str:
    dt = current_devicetree.get()
    node = None if dt is None else dtf.node_by_path(dt, path)
    return _yn(dtf.str_prop_equals(node, prop, value))


def dt_node_parent(kconf: Any, name: str, path: str) -> str:
    dt = current_devicetree.get()
    node = None if dt is None else dtf.node_by_path(dt, path)
    return (node.parent or "") if node is not None else ""


# -- string and arithmetic helpers -------------------------------------------------------


def shields_list_contains(kconf: Any, name: str, shield: str) -> str:
    return "n"  # zpy has no shields


def substring(kconf: Any, name: str, string: str, start: str, stop: str | None = None) -> str:
    begin = _int(kconf, name, start)
    return string[begin:] if stop is None else string[begin:_int(kconf, name, stop)]


def normalize_upper(kconf: Any, name: str, string: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", string).upper()


def str_is_equal(kconf: Any, name: str, a: str, b: str) -> str:
    return _yn(a == b)


_ARITH: dict[str, Callable[[int, int], int]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "div": operator.floordiv, "mod": operator.mod, "max": max, "min": min,
}


def arith(kconf: Any, name: str, *args: str) -> str:
    """add/sub/mul/div/mod/max/min (and _hex): folds over the arguments, or over one
    comma-separated argument (what inc/dec return)."""
    words = args if len(args) > 1 else tuple(args[0].split(","))
    numbers = [_int(kconf, name, w.strip()) for w in words]
    op = _ARITH[name.removesuffix("_hex")]
    try:
        value = functools.reduce(op, numbers)
    except ZeroDivisionError:
        raise _fail(kconf, f"$({name}): division by zero") from None
    return _fmt(name, value)


def inc_dec(kconf: Any, name: str, *args: str) -> str:
    """inc/dec (and _hex): each argument plus or minus one, comma-separated."""
    step = 1 if name.startswith("inc") else -1
    words = args if len(args) > 1 else tuple(args[0].split(","))
    return ",".join(_fmt(name, _int(kconf, name, w.strip()) + step) for w in words)


# -- the table kconfiglib reads ----------------------------------------------------------

_label = dtf.node_by_label
_chosen = dtf.node_by_chosen

functions: dict[str, tuple[Callable[..., str], int, int]] = {
    # compatibles
    "dt_compat_enabled": (dt_compat_enabled, 1, 1),
    "dt_compat_enabled_num": (dt_num_compat_enabled, 1, 1),
    "dt_num_compat_enabled": (dt_num_compat_enabled, 1, 1),
    "dt_has_compat": (dt_has_compat, 1, 1),
    "dt_compat_on_bus": (dt_compat_on_bus, 2, 2),
    "dt_compat_any_has_prop": (dt_compat_any_has_prop, 2, 3),
    "dt_compat_any_not_has_prop": (dt_compat_any_not_has_prop, 2, 2),
    "dt_gpio_hogs_enabled": (dt_gpio_hogs_enabled, 0, 0),
    # chosen
    "dt_chosen_enabled": (_node_fn(_chosen, dtf.enabled), 1, 1),
    "dt_chosen_label": (_node_str_fn(_chosen, lambda n: dtf.label_or_name(n)), 1, 1),
    "dt_chosen_path": (_node_str_fn(_chosen, lambda n: n.path), 1, 1),
    "dt_chosen_has_compat": (_node_arg_fn(_chosen, dtf.has_compat), 2, 2),
    "dt_chosen_bool_prop": (_node_arg_fn(_chosen, dtf.bool_prop), 2, 2),
    "dt_chosen_reg_addr_int": (_reg_fn(_chosen), 1, 3),
    "dt_chosen_reg_addr_hex": (_reg_fn(_chosen), 1, 3),
    "dt_chosen_reg_size_int": (_reg_fn(_chosen), 1, 3),
    "dt_chosen_reg_size_hex": (_reg_fn(_chosen), 1, 3),
    # node labels
    "dt_nodelabel_enabled": (_node_fn(_label, dtf.enabled), 1, 1),
    "dt_nodelabel_exists": (_node_fn(_label, lambda n: n is not None), 1, 1),
    "dt_nodelabel_path": (_node_str_fn(_label, lambda n: n.path), 1, 1),
    "dt_nodelabel_has_compat": (_node_arg_fn(_label, dtf.has_compat), 2, 2),
    "dt_nodelabel_enabled_with_compat": (dt_nodelabel_enabled_with_compat, 2, 2),
    "dt_nodelabel_has_prop": (_node_arg_fn(_label, dtf.has_prop), 2, 2),
    "dt_nodelabel_bool_prop": (_node_arg_fn(_label, dtf.bool_prop), 2, 2),
    "dt_nodelabel_int_prop": (dt_int_prop(_label), 2, 3),
    "dt_nodelabel_array_prop_has_val": (dt_nodelabel_array_prop_has_val, 3, 3),
    "dt_nodelabel_int_prop_int": (dt_int_prop(_label), 2, 3),
    "dt_nodelabel_int_prop_hex": (dt_int_prop(_label), 2, 3),
    "dt_nodelabel_reg_addr_int": (_reg_fn(_label), 1, 3),
    "dt_nodelabel_reg_addr_hex": (_reg_fn(_label), 1, 3),
    "dt_nodelabel_reg_size_int": (_reg_fn(_label), 1, 3),
    "dt_nodelabel_reg_size_hex": (_reg_fn(_label), 1, 3),
    # paths and aliases
    "dt_path_enabled": (_node_fn(_by_path, dtf.enabled), 1, 1),  # path or alias, as
    "dt_alias_enabled": (_node_fn(_by_path, dtf.enabled), 1, 1),  # edtlib's get_node()
    "dt_node_has_prop": (_node_arg_fn(_by_path, dtf.has_prop), 2, 2),
    "dt_node_bool_prop": (_node_arg_fn(_by_path, dtf.bool_prop), 2, 2),
    "dt_node_has_compat": (_node_arg_fn(_by_path, dtf.has_compat), 2, 2),
    "dt_node_int_prop_int": (dt_int_prop(_by_path), 2, 3),
    "dt_node_int_prop_hex": (dt_int_prop(_by_path), 2, 3),
    "dt_node_array_prop_int": (dt_node_array_prop, 3, 4),
    "dt_node_array_prop_hex": (dt_node_array_prop, 3, 4),
    "dt_node_str_prop_equals": (dt_node_str_prop_equals, 3, 3),
    "dt_node_parent": (dt_node_parent, 1, 1),
    "dt_node_reg_addr_int": (_reg_fn(_by_path), 1, 3),
    "dt_node_reg_addr_hex": (_reg_fn(_by_path), 1, 3),
    "dt_node_reg_size_int": (_reg_fn(_by_path), 1, 3),
    "dt_node_reg_size_hex": (_reg_fn(_by_path), 1, 3),
    # strings and arithmetic
    "shields_list_contains": (shields_list_contains, 1, 1),
    "substring": (substring, 2, 3),
    "normalize_upper": (normalize_upper, 1, 1),
    "str_is_equal": (str_is_equal, 2, 2),
    **{op: (arith, 1, 255) for op in _ARITH},
    **{op + "_hex": (arith, 1, 255) for op in _ARITH},
    "inc": (inc_dec, 1, 255),
    "dec": (inc_dec, 1, 255),
    "inc_hex": (inc_dec, 1, 255),
    "dec_hex": (inc_dec, 1, 255),
}
