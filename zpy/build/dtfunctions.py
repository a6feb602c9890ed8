"""Devicetree queries with the meaning of Zephyr's Kconfig dt_* functions.

They answer over a dtmodel.DeviceTree (not edtlib), and return plain Python
values (bool, int, str). kconfigfunctions.py adapts them to Kconfig's
preprocessor ("y"/"n", decimal or hex strings); twister filters can use them
as they are. As in Zephyr, a missing node, property or register gives
False / 0 / "", never an error.
"""

from __future__ import annotations

from zpy.image.dtmodel import DeviceTree, DTNode

#: unit argument of the reg/int functions -> right shift (k=KiB, kb=Kibit, ...)
UNIT_SHIFT = {
    "": 0,
    "k": 10, "K": 10, "kb": 13, "Kb": 13,
    "m": 20, "M": 20, "mb": 23, "Mb": 23,
    "g": 30, "G": 30, "gb": 33, "Gb": 33,
}


def unit_shift(unit: str | None) -> int:
    if not unit:
        return 0
    try:
        return UNIT_SHIFT[unit]
    except KeyError:
        raise ValueError(f"unknown unit '{unit}' (expected k, m, g, kb, mb or gb)") from None


# -- finding nodes ------------------------------------------------------------------------


def node_by_path(dt: DeviceTree, path: str) -> DTNode | None:
    """A node by path or alias (as edtlib's get_node)."""
    return dt.get(path)


def node_by_label(dt: DeviceTree, label: str) -> DTNode | None:
    return dt.label2node.get(label)


def node_by_chosen(dt: DeviceTree, chosen: str) -> DTNode | None:
    return dt.chosen_node(chosen)


# -- node predicates ----------------------------------------------------------------------


def enabled(node: DTNode | None) -> bool:
    return node is not None and node.okay


def has_compat(node: DTNode | None, compat: str) -> bool:
    return node is not None and compat in node.compats


def has_prop(node: DTNode | None, prop: str) -> bool:
    return node is not None and prop in node.props


def bool_prop(node: DTNode | None, prop: str) -> bool:
    """True only for a boolean property that is set."""
    return node is not None and node.props.get(prop) is True


def int_prop(node: DTNode | None, prop: str, unit: str | None = None) -> int:
    value = None if node is None else node.props.get(prop)
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value >> unit_shift(unit)


def array_prop(node: DTNode | None, prop: str, index: int = 0, unit: str | None = None) -> int:
    value = None if node is None else node.props.get(prop)
    if not isinstance(value, list) or not 0 <= index < len(value):
        return 0
    item = value[index]
    if isinstance(item, bool) or not isinstance(item, int):
        return 0
    return item >> unit_shift(unit)


def array_prop_has_val(node: DTNode | None, prop: str, value: int) -> bool:
    """The array property holds this integer (dt_nodelabel_array_prop_has_val)."""
    items = None if node is None else node.props.get(prop)
    return isinstance(items, list) and any(
        isinstance(i, int) and not isinstance(i, bool) and i == value for i in items)


def str_prop_equals(node: DTNode | None, prop: str, value: str) -> bool:
    current = None if node is None else node.props.get(prop)
    return isinstance(current, str) and current == value


def reg_addr(node: DTNode | None, index: int = 0, unit: str | None = None) -> int:
    if node is None or not 0 <= index < len(node.regs) or node.regs[index].addr is None:
        return 0
    return node.regs[index].addr >> unit_shift(unit)  # type: ignore[operator]


def reg_size(node: DTNode | None, index: int = 0, unit: str | None = None) -> int:
    if node is None or not 0 <= index < len(node.regs) or node.regs[index].size is None:
        return 0
    return node.regs[index].size >> unit_shift(unit)  # type: ignore[operator]


def label_or_name(node: DTNode | None) -> str:
    """The deprecated `label` property if set, else the node name (dt_chosen_label)."""
    if node is None:
        return ""
    label = node.props.get("label")
    return label if isinstance(label, str) else node.name


# -- compatibles --------------------------------------------------------------------------


def compat_enabled(dt: DeviceTree, compat: str) -> bool:
    """Any okay node has this compatible (DT_HAS_COMPAT_STATUS_OKAY)."""
    return bool(dt.compat2okay.get(compat))


def compat_enabled_num(dt: DeviceTree, compat: str) -> int:
    return len(dt.compat2okay.get(compat, []))


def compat_exists(dt: DeviceTree, compat: str) -> bool:
    """Any node, whatever its status, has this compatible."""
    return bool(dt.compat2nodes.get(compat))


def compat_on_bus(dt: DeviceTree, compat: str, bus: str) -> bool:
    return any(n.on_bus == bus for n in dt.compat2okay.get(compat, []))


def compat_any_has_prop(dt: DeviceTree, compat: str, prop: str, value: str | None = None
                        ) -> bool:
    for node in dt.compat2okay.get(compat, []):
        if prop in node.props and (value is None or str(node.props[prop]) == value):
            return True
    return False


def compat_any_not_has_prop(dt: DeviceTree, compat: str, prop: str) -> bool:
    """Some okay node with this compatible lacks the property."""
    return any(prop not in node.props for node in dt.compat2okay.get(compat, []))


def gpio_hogs_enabled(dt: DeviceTree) -> bool:
    """Some okay node is a GPIO hog (has the `gpio-hog` property), under an okay controller."""
    return any(node.okay and "gpio-hog" in node.props and enabled(dt.parent(node))
               for node in dt.nodes)


def nodelabel_enabled_with_compat(dt: DeviceTree, label: str, compat: str) -> bool:
    return any(label in n.labels for n in dt.compat2okay.get(compat, []))
