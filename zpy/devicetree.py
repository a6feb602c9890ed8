"""<zephyr/devicetree.h>: the DT_* macros, over the devicetree of the running image.

In C these expand at compile time; here they are functions evaluated against
the image's devicetree (the build's devicetree_generated.json). A node
identifier is the node itself (a DTNode) or, for a lookup that found nothing,
a DT_INVALID_NODE-like placeholder that DT_NODE_EXISTS() reports as missing;
using it anywhere else raises LinkError, as C fails to compile.

Names may be given as C tokens or as devicetree names: DT_PROP(node, vendor_id)
is DT_PROP(node, "vendor_id") or DT_PROP(node, "vendor-id"); compatibles as
"qemu_ivshmem" or "qemu,ivshmem"; DT_CHOSEN("zephyr_console").

Drivers set DT_DRV_COMPAT at module level, as C drivers #define it; the
DT_INST_* and DT_DRV_INST forms read it from the calling module.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from zpy.errors import LinkError
from zpy.image.dtmodel import DeviceTree, DTNode
from zpy.kernel.context import current_kernel


def str2ident(s: str) -> str:
    """The C token of a devicetree name (gen_defines.py's rule)."""
    return re.sub(r"[-,.@/+]", "_", s.lower())


class _MissingNode:
    """What a lookup returns when the node does not exist (DT_NODE_EXISTS is 0)."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"<no devicetree node: {self.what}>"


DT_INVALID_NODE = _MissingNode("DT_INVALID_NODE")

NodeId = DTNode | _MissingNode


def _dt() -> DeviceTree:
    return current_kernel().devicetree


def resolve(node_id: Any) -> DTNode:
    """The node, or LinkError for a missing one (where C would not compile)."""
    if isinstance(node_id, DTNode):
        return node_id
    if isinstance(node_id, _MissingNode):
        raise LinkError(f"devicetree node does not exist: {node_id.what}")
    raise TypeError(f"expected a devicetree node identifier, got {node_id!r}")


def _match(names: Any, token: str) -> str | None:
    """The name among `names` whose token is `token` (exact names win)."""
    if token in names:
        return token
    ident = str2ident(token)
    for name in names:
        if str2ident(name) == ident:
            return name
    return None


def _drv_compat() -> str:
    """DT_DRV_COMPAT of the calling module (the first caller frame that defines it)."""
    f = sys._getframe(2)
    while f is not None:
        compat = f.f_globals.get("DT_DRV_COMPAT")
        if compat is not None:
            return str(compat)
        f = f.f_back  # type: ignore[assignment]
    raise LinkError("DT_DRV_COMPAT is not defined in the calling module "
                    "(set DT_DRV_COMPAT = \"vendor_device\" at module level, as C drivers #define it)")


# -- node identifiers -------------------------------------------------------------------


def DT_NODELABEL(label: str) -> NodeId:
    dt = _dt()
    name = _match(dt.label2node, label)
    return dt.label2node[name] if name is not None else _MissingNode(f"node label '{label}'")


def DT_ALIAS(alias: str) -> NodeId:
    dt = _dt()
    name = _match(dt.aliases, alias)
    node = dt.path2node.get(dt.aliases[name]) if name is not None else None
    return node if node is not None else _MissingNode(f"alias '{alias}'")


def DT_HAS_ALIAS(alias: str) -> bool:
    return isinstance(DT_ALIAS(alias), DTNode)


def DT_CHOSEN(prop: str) -> NodeId:
    dt = _dt()
    name = _match(dt.chosen, prop)
    node = dt.path2node.get(dt.chosen[name]) if name is not None else None
    return node if node is not None else _MissingNode(f"chosen '{prop}'")


def DT_HAS_CHOSEN(prop: str) -> bool:
    return isinstance(DT_CHOSEN(prop), DTNode)


def DT_ROOT() -> NodeId:
    return _dt().path2node["/"]


def DT_PATH(*components: str) -> NodeId:
    """DT_PATH(soc, serial_3f8) is /soc/serial@3f8; components as tokens or names."""
    dt = _dt()
    node = dt.path2node["/"]
    for comp in components:
        children = {dt.path2node[c].name: dt.path2node[c] for c in node.children}
        name = _match(children, comp)
        if name is None:
            return _MissingNode("/" + "/".join(components))
        node = children[name]
    return node


def DT_PARENT(node_id: Any) -> NodeId:
    node = resolve(node_id)
    parent = _dt().parent(node)
    return parent if parent is not None else _MissingNode(f"parent of {node.path}")


def DT_GPARENT(node_id: Any) -> NodeId:
    return DT_PARENT(DT_PARENT(node_id))


def DT_CHILD(node_id: Any, child: str) -> NodeId:
    node = resolve(node_id)
    dt = _dt()
    children = {dt.path2node[c].name: dt.path2node[c] for c in node.children}
    name = _match(children, child)
    return children[name] if name is not None else _MissingNode(f"{node.path}/{child}")


def _compat(compat: str) -> str | None:
    dt = _dt()
    return _match(set(dt.compat2nodes) | set(dt.compat2okay), compat)


def DT_INST(inst: int, compat: str) -> NodeId:
    """The inst-th okay node with this compatible."""
    name = _compat(compat)
    nodes = _dt().compat2okay.get(name, []) if name is not None else []
    if 0 <= inst < len(nodes):
        return nodes[inst]
    return _MissingNode(f"instance {inst} of {compat}")


def DT_DRV_INST(inst: int) -> NodeId:
    return DT_INST(inst, _drv_compat())


def DT_COMPAT_GET_ANY_STATUS_OKAY(compat: str) -> NodeId:
    return DT_INST(0, compat)


# -- existence and status -------------------------------------------------------------------


def DT_NODE_EXISTS(node_id: Any) -> bool:
    return isinstance(node_id, DTNode)


def DT_NODE_HAS_STATUS(node_id: Any, status: str) -> bool:
    if not isinstance(node_id, DTNode):
        return False
    return node_id.status == ("okay" if status == "ok" else status)


def DT_NODE_HAS_STATUS_OKAY(node_id: Any) -> bool:
    return DT_NODE_HAS_STATUS(node_id, "okay")


def DT_HAS_COMPAT_STATUS_OKAY(compat: str) -> bool:
    name = _compat(compat)
    return bool(name is not None and _dt().compat2okay.get(name))


def DT_NUM_INST_STATUS_OKAY(compat: str) -> int:
    name = _compat(compat)
    return len(_dt().compat2okay.get(name, [])) if name is not None else 0


def DT_NODE_HAS_COMPAT(node_id: Any, compat: str) -> bool:
    return isinstance(node_id, DTNode) and _match(node_id.compats, compat) is not None


def DT_SAME_NODE(a: Any, b: Any) -> bool:
    return isinstance(a, DTNode) and isinstance(b, DTNode) and a.path == b.path


# -- properties -------------------------------------------------------------------------


def DT_NODE_HAS_PROP(node_id: Any, prop: str) -> bool:
    if not isinstance(node_id, DTNode):
        return False
    name = _match(node_id.props, prop)
    if name is None:
        return False
    value = node_id.props[name]
    return value is not False  # an absent boolean reads False but is not "there"


def DT_PROP(node_id: Any, prop: str) -> Any:
    """The property's value (booleans from the binding are always there, as 0/1 in C)."""
    node = resolve(node_id)
    name = _match(node.props, prop)
    if name is None:
        raise LinkError(f"{node.path} has no property '{prop}' (DT_PROP would not compile; "
                        "use DT_PROP_OR or DT_NODE_HAS_PROP)")
    return node.props[name]


def DT_PROP_OR(node_id: Any, prop: str, default_value: Any) -> Any:
    return DT_PROP(node_id, prop) if DT_NODE_HAS_PROP(node_id, prop) else default_value


def DT_PROP_LEN(node_id: Any, prop: str) -> int:
    value = DT_PROP(node_id, prop)
    return len(value) if isinstance(value, (list, tuple, str, bytes)) else 1


def DT_PROP_BY_IDX(node_id: Any, prop: str, idx: int) -> Any:
    value = DT_PROP(node_id, prop)
    return value[idx]


def DT_PROP_HAS_IDX(node_id: Any, prop: str, idx: int) -> bool:
    return DT_NODE_HAS_PROP(node_id, prop) and 0 <= idx < DT_PROP_LEN(node_id, prop)


def DT_PHANDLE_BY_IDX(node_id: Any, prop: str, idx: int) -> NodeId:
    value = DT_PROP(node_id, prop)
    items = value if isinstance(value, list) else [value]
    target = items[idx]
    path = target["controller"] if isinstance(target, dict) else target
    node = _dt().path2node.get(path)
    return node if node is not None else _MissingNode(str(path))


def DT_PHANDLE(node_id: Any, prop: str) -> NodeId:
    return DT_PHANDLE_BY_IDX(node_id, prop, 0)


def _specifier(node_id: Any, prop: str, idx: int) -> dict[str, Any]:
    """Entry idx of a phandle-array property: {"controller": path, "data": {cell: value}}."""
    node = resolve(node_id)
    value = DT_PROP(node_id, prop)
    items = value if isinstance(value, list) else [value]
    if not 0 <= idx < len(items) or not isinstance(items[idx], dict):
        raise LinkError(f"{node.path}: '{prop}' has no phandle-array entry {idx}")
    return items[idx]  # type: ignore[no-any-return]


def DT_PHA_BY_IDX(node_id: Any, pha: str, idx: int, cell: str) -> int:
    """Cell `cell` of entry idx of phandle-array `pha` (DT_PHA_BY_IDX(node, gpios, 0, pin))."""
    data = _specifier(node_id, pha, idx)["data"]
    name = _match(data, cell)
    if name is None:
        raise LinkError(f"{resolve(node_id).path}: '{pha}' entry {idx} has no cell '{cell}'")
    return data[name]  # type: ignore[no-any-return]


def DT_PHA_BY_IDX_OR(node_id: Any, pha: str, idx: int, cell: str, default_value: Any) -> Any:
    if not DT_PHA_HAS_CELL_AT_IDX(node_id, pha, idx, cell):
        return default_value
    return DT_PHA_BY_IDX(node_id, pha, idx, cell)


def DT_PHA(node_id: Any, pha: str, cell: str) -> int:
    return DT_PHA_BY_IDX(node_id, pha, 0, cell)


def DT_PHA_OR(node_id: Any, pha: str, cell: str, default_value: Any) -> Any:
    return DT_PHA_BY_IDX_OR(node_id, pha, 0, cell, default_value)


def DT_PHA_HAS_CELL_AT_IDX(node_id: Any, pha: str, idx: int, cell: str) -> bool:
    if not DT_PROP_HAS_IDX(node_id, pha, idx):
        return False
    entry = DT_PROP_BY_IDX(node_id, pha, idx)
    return isinstance(entry, dict) and _match(entry["data"], cell) is not None


def DT_PHA_HAS_CELL(node_id: Any, pha: str, cell: str) -> bool:
    return DT_PHA_HAS_CELL_AT_IDX(node_id, pha, 0, cell)


# -- GPIO specifiers (<zephyr/devicetree/gpio.h>) --------------------------------------------


def DT_GPIO_CTLR_BY_IDX(node_id: Any, gpio_pha: str, idx: int) -> NodeId:
    """The GPIO controller of entry idx of a gpios-style property."""
    path = _specifier(node_id, gpio_pha, idx)["controller"]
    node = _dt().path2node.get(path)
    return node if node is not None else _MissingNode(str(path))


def DT_GPIO_CTLR(node_id: Any, gpio_pha: str) -> NodeId:
    return DT_GPIO_CTLR_BY_IDX(node_id, gpio_pha, 0)


def DT_GPIO_PIN_BY_IDX(node_id: Any, gpio_pha: str, idx: int) -> int:
    return DT_PHA_BY_IDX(node_id, gpio_pha, idx, "pin")


def DT_GPIO_PIN(node_id: Any, gpio_pha: str) -> int:
    return DT_GPIO_PIN_BY_IDX(node_id, gpio_pha, 0)


def DT_GPIO_FLAGS_BY_IDX(node_id: Any, gpio_pha: str, idx: int) -> int:
    """The flags cell, or 0 when the controller's specifier has none (as C)."""
    return DT_PHA_BY_IDX_OR(node_id, gpio_pha, idx, "flags", 0)  # type: ignore[no-any-return]


def DT_GPIO_FLAGS(node_id: Any, gpio_pha: str) -> int:
    return DT_GPIO_FLAGS_BY_IDX(node_id, gpio_pha, 0)


def DT_NODE_FULL_NAME(node_id: Any) -> str:
    return resolve(node_id).name


def DT_NODE_PATH(node_id: Any) -> str:
    return resolve(node_id).path


def DT_DEP_ORD(node_id: Any) -> int:
    return resolve(node_id).ord


# -- reg and interrupts ---------------------------------------------------------------------


def DT_NUM_REGS(node_id: Any) -> int:
    return len(resolve(node_id).regs)


def DT_REG_HAS_IDX(node_id: Any, idx: int) -> bool:
    return isinstance(node_id, DTNode) and 0 <= idx < len(node_id.regs)


def _reg(node_id: Any, idx: int) -> Any:
    node = resolve(node_id)
    if not 0 <= idx < len(node.regs):
        raise LinkError(f"{node.path} has no reg entry {idx}")
    return node.regs[idx]


def DT_REG_ADDR_BY_IDX(node_id: Any, idx: int) -> int:
    return _reg(node_id, idx).addr


def DT_REG_SIZE_BY_IDX(node_id: Any, idx: int) -> int:
    return _reg(node_id, idx).size


def DT_REG_ADDR(node_id: Any) -> int:
    return DT_REG_ADDR_BY_IDX(node_id, 0)


def DT_REG_SIZE(node_id: Any) -> int:
    return DT_REG_SIZE_BY_IDX(node_id, 0)


def DT_REG_ADDR_BY_NAME(node_id: Any, name: str) -> int:
    node = resolve(node_id)
    for reg in node.regs:
        if reg.name == name and reg.addr is not None:
            return reg.addr
    raise LinkError(f"{node.path} has no reg named '{name}'")


def DT_NUM_IRQS(node_id: Any) -> int:
    return len(resolve(node_id).interrupts)


def DT_IRQ_HAS_IDX(node_id: Any, idx: int) -> bool:
    return isinstance(node_id, DTNode) and 0 <= idx < len(node_id.interrupts)


def DT_IRQ_BY_IDX(node_id: Any, idx: int, cell: str) -> int:
    node = resolve(node_id)
    if not 0 <= idx < len(node.interrupts):
        raise LinkError(f"{node.path} has no interrupt {idx}")
    data = node.interrupts[idx].data
    name = _match(data, cell)
    if name is None:
        raise LinkError(f"{node.path}: interrupt {idx} has no cell '{cell}'")
    return data[name]


def DT_IRQ(node_id: Any, cell: str) -> int:
    return DT_IRQ_BY_IDX(node_id, 0, cell)


def DT_IRQN(node_id: Any) -> int:
    return DT_IRQ(node_id, "irq")


# -- buses ------------------------------------------------------------------------------------


def DT_ON_BUS(node_id: Any, bus: str) -> bool:
    """Is the node on a bus of this type (i2c, spi, ...)? (its binding's `on-bus:`)"""
    return resolve(node_id).on_bus == str2ident(bus)


def DT_BUS(node_id: Any) -> NodeId:
    """The node's bus controller: its parent, when the node sits on a bus."""
    node = resolve(node_id)
    if node.on_bus is None:
        raise LinkError(f"{node.path} is not on a bus (DT_BUS would not compile)")
    return DT_PARENT(node)


# -- iteration ----------------------------------------------------------------------------


def DT_FOREACH_STATUS_OKAY(compat: str, fn: Callable[[DTNode], Any]) -> list[Any]:
    name = _compat(compat)
    return [fn(n) for n in (_dt().compat2okay.get(name, []) if name else [])]


def DT_FOREACH_CHILD(node_id: Any, fn: Callable[[DTNode], Any]) -> list[Any]:
    node = resolve(node_id)
    dt = _dt()
    return [fn(dt.path2node[c]) for c in node.children]


def DT_FOREACH_CHILD_STATUS_OKAY(node_id: Any, fn: Callable[[DTNode], Any]) -> list[Any]:
    node = resolve(node_id)
    dt = _dt()
    return [fn(dt.path2node[c]) for c in node.children if dt.path2node[c].okay]


# -- DT_INST_* forms (DT_DRV_COMPAT of the calling module) ------------------------------------


def DT_INST_FOREACH_STATUS_OKAY(fn: Callable[[int], Any]) -> list[Any]:
    """Call fn(inst) for every okay instance of the calling module's DT_DRV_COMPAT."""
    compat = _drv_compat()
    return [fn(inst) for inst in range(DT_NUM_INST_STATUS_OKAY(compat))]


def DT_NUM_INST_STATUS_OKAY_DRV() -> int:
    return DT_NUM_INST_STATUS_OKAY(_drv_compat())


def DT_INST_PROP(inst: int, prop: str) -> Any:
    return DT_PROP(DT_INST(inst, _drv_compat()), prop)


def DT_INST_PROP_OR(inst: int, prop: str, default_value: Any) -> Any:
    return DT_PROP_OR(DT_INST(inst, _drv_compat()), prop, default_value)


def DT_INST_NODE_HAS_PROP(inst: int, prop: str) -> bool:
    return DT_NODE_HAS_PROP(DT_INST(inst, _drv_compat()), prop)


def DT_INST_REG_ADDR(inst: int) -> int:
    return DT_REG_ADDR(DT_INST(inst, _drv_compat()))


def DT_INST_REG_SIZE(inst: int) -> int:
    return DT_REG_SIZE(DT_INST(inst, _drv_compat()))


def DT_INST_IRQN(inst: int) -> int:
    return DT_IRQN(DT_INST(inst, _drv_compat()))


def DT_INST_IRQ(inst: int, cell: str) -> int:
    return DT_IRQ(DT_INST(inst, _drv_compat()), cell)


def DT_INST_IRQ_BY_IDX(inst: int, idx: int, cell: str) -> int:
    return DT_IRQ_BY_IDX(DT_INST(inst, _drv_compat()), idx, cell)


def DT_INST_IRQ_HAS_IDX(inst: int, idx: int) -> bool:
    return DT_IRQ_HAS_IDX(DT_INST(inst, _drv_compat()), idx)


def DT_INST_PROP_LEN(inst: int, prop: str) -> int:
    return DT_PROP_LEN(DT_INST(inst, _drv_compat()), prop)


def DT_INST_PROP_HAS_IDX(inst: int, prop: str, idx: int) -> bool:
    return DT_PROP_HAS_IDX(DT_INST(inst, _drv_compat()), prop, idx)


def DT_INST_PHA_BY_IDX(inst: int, pha: str, idx: int, cell: str) -> int:
    return DT_PHA_BY_IDX(DT_INST(inst, _drv_compat()), pha, idx, cell)


def DT_INST_PHA(inst: int, pha: str, cell: str) -> int:
    return DT_PHA(DT_INST(inst, _drv_compat()), pha, cell)


def DT_INST_ON_BUS(inst: int, bus: str) -> bool:
    return DT_ON_BUS(DT_INST(inst, _drv_compat()), bus)


def DT_INST_BUS(inst: int) -> NodeId:
    return DT_BUS(DT_INST(inst, _drv_compat()))


def DT_INST_FOREACH_CHILD(inst: int, fn: Callable[[DTNode], Any]) -> list[Any]:
    return DT_FOREACH_CHILD(DT_INST(inst, _drv_compat()), fn)


def DT_INST_FOREACH_CHILD_STATUS_OKAY(inst: int, fn: Callable[[DTNode], Any]) -> list[Any]:
    return DT_FOREACH_CHILD_STATUS_OKAY(DT_INST(inst, _drv_compat()), fn)


def DT_INST_PHANDLE(inst: int, prop: str) -> NodeId:
    return DT_PHANDLE(DT_INST(inst, _drv_compat()), prop)


def DT_INST_PARENT(inst: int) -> NodeId:
    return DT_PARENT(DT_INST(inst, _drv_compat()))


def DT_INST_DEP_ORD(inst: int) -> int:
    return DT_DEP_ORD(DT_INST(inst, _drv_compat()))


__all__ = sorted(
    [n for n in globals() if n.startswith("DT_")] + ["str2ident", "resolve", "DT_INVALID_NODE"]
)
