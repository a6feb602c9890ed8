"""The emulator framework (Zephyr's subsys/emul/emul.c and <zephyr/drivers/emul.h>).

An emulator is the device end of a driver's bus: EMUL_DT_DEFINE, at the
bottom of an emulator's module, gives a devicetree node (whose own driver
defines its device) a `struct emul` with the emulator's bus API (what a bus
controller calls, i2c_emul_api.transfer for I2C) and backend API (what tests
call to steer it). Emulated bus controllers (zephyr,i2c-emul-controller) call
emul_init_for_bus() in their init: each child node's emulator is initialized
and registered on the bus, which then routes the transfers addressed to it.

zpy adds the wire a real device has and a test bench needs: emul_irq_set() and
emul_irq_pulse() drive the interrupt output of a device's node (its
`interrupts` property) into the interrupt controller, the I/O APIC of
qemu_x86_64, so the driver's ISR runs in ISR context through the vector it
connected, exactly as if the hardware had raised it. That is the only way an
emulator (or the emulated GPIO controller) reaches the machine: never by
importing zpy.hw.

The emulators of an image are per image (a kernel service), as the linker
gathers C's iterable section of `struct emul` per image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zpy import errno
from zpy.errors import LinkError
from zpy.image.dtmodel import DTNode
from zpy.kernel.context import current_kernel
from zpy.kernel.device import DEVICE_DT_GET, device
from zpy.logging import LOG_INF, LOG_MODULE_REGISTER, LOG_WRN

LOG_MODULE_REGISTER("emul", "CONFIG_EMUL_LOG_LEVEL")

#: enum emul_bus_type
EMUL_BUS_TYPE_I2C = 0
EMUL_BUS_TYPE_ESPI = 1
EMUL_BUS_TYPE_SPI = 2
EMUL_BUS_TYPE_MSPI = 3
EMUL_BUS_TYPE_UART = 4
EMUL_BUS_TYPE_SDHC = 5
EMUL_BUS_TYPE_NONE = 6

#: the devicetree bus (a binding's on-bus) of each bus type zpy emulates
_BUSES = {"i2c": EMUL_BUS_TYPE_I2C}


def _device_of(node: DTNode) -> device:
    """The device of a node, looked up when first used: C resolves DEVICE_DT_GET when the
    image links, zpy links one module after the other (an emulator may come first)."""
    return DEVICE_DT_GET(node)


@dataclass(eq=False)
class emul_link_for_bus:
    """struct emul_link_for_bus: a child of an emulated bus, by its node."""

    node: DTNode

    @property
    def dev(self) -> device:
        return _device_of(self.node)


@dataclass(eq=False)
class emul_list_for_bus:
    """struct emul_list_for_bus: an emulated bus controller's config starts with it."""

    children: list[emul_link_for_bus]
    num_children: int = -1

    def __post_init__(self) -> None:
        if self.num_children < 0:
            self.num_children = len(self.children)


@dataclass(eq=False)
class no_bus_emul:
    """struct no_bus_emul: the bus end of an emulator not on any bus."""

    api: Any = None
    addr: int = 0


#: int (*emul_init_t)(const struct emul *emul, const struct device *parent)
emul_init_t = Callable[["emul", device], int]


class emul:
    """struct emul: one emulated device (fields as C's; `dev` is the device it emulates)."""

    def __init__(self, node: DTNode, init: emul_init_t | None, cfg: Any, data: Any,
                 bus_type: int, bus: Any, backend_api: Any) -> None:
        self.node = node
        self.init = init
        self.cfg = cfg
        self.data = data
        self.bus_type = bus_type
        #: the bus end: an i2c_emul (zpy.drivers.i2c_emul) or a no_bus_emul
        self.bus = bus
        self.backend_api = backend_api

    @property
    def dev(self) -> device:
        return _device_of(self.node)

    def __repr__(self) -> str:
        return f"<emul {self.node.path}>"


@dataclass
class EmulRegistry:
    """An image's emulators in definition order (C's iterable section of struct emul), and
    the bus registration functions its bus drivers provide (C's #ifdef CONFIG_I2C_EMUL)."""

    emuls: list[emul] = field(default_factory=list)
    by_path: dict[str, emul] = field(default_factory=dict)
    bus_register: dict[int, Callable[[device, Any], int]] = field(default_factory=dict)


def emul_registry() -> EmulRegistry:
    return current_kernel().service(EmulRegistry)  # type: ignore[no-any-return]


def _emul_name(node: DTNode) -> str:
    """C's EMUL_DT_NAME_GET(node_id): __emulreg_DT_N_S_i2c_100_S_thermo_48."""
    from zpy.devicetree import str2ident

    return "__emulreg_DT_N" + "".join(f"_S_{str2ident(p)}" for p in node.path.split("/") if p)


# -- definition ---------------------------------------------------------------------------


def EMUL_DT_DEFINE(node_id: Any, init_fn: emul_init_t | None, data_ptr: Any, cfg_ptr: Any,
                   bus_api: Any, _backend_api: Any) -> emul:
    """Define the emulator of a node (whose driver defines its device with
    DEVICE_DT_DEFINE): on an I2C bus it answers at the node's reg address through
    bus_api (an i2c_emul_api); tests reach it through _backend_api."""
    from zpy.devicetree import DT_NODE_HAS_PROP, DT_REG_ADDR, resolve

    node = resolve(node_id)
    registry = emul_registry()
    if node.path in registry.by_path:
        raise LinkError(f"multiple definition of `{_emul_name(node)}' (a second "
                        f"EMUL_DT_DEFINE for {node.path})")
    addr = DT_REG_ADDR(node) if DT_NODE_HAS_PROP(node, "reg") else 0
    bus_type = _BUSES.get(node.on_bus or "", EMUL_BUS_TYPE_NONE)
    if node.on_bus is not None and bus_type == EMUL_BUS_TYPE_NONE:
        raise LinkError(f"EMUL_DT_DEFINE: {node.path} sits on a {node.on_bus} bus; zpy "
                        f"emulates devices on I2C buses (or on none)")
    bus: Any
    if bus_type == EMUL_BUS_TYPE_I2C:
        from zpy.drivers.i2c_emul import i2c_emul

        bus = i2c_emul(api=bus_api, addr=addr)
    else:
        bus = no_bus_emul(api=bus_api, addr=addr)
    target = emul(node, init_fn, cfg_ptr, data_ptr, bus_type, bus, _backend_api)
    registry.emuls.append(target)
    registry.by_path[node.path] = target
    return target


def EMUL_DT_INST_DEFINE(inst: int, init_fn: emul_init_t | None, data_ptr: Any, cfg_ptr: Any,
                        bus_api: Any, _backend_api: Any) -> emul:
    """EMUL_DT_DEFINE for instance `inst` of the calling module's DT_DRV_COMPAT."""
    from zpy.devicetree import DT_DRV_INST

    return EMUL_DT_DEFINE(DT_DRV_INST(inst), init_fn, data_ptr, cfg_ptr, bus_api, _backend_api)


def EMUL_DT_GET(node_id: Any) -> emul:
    """The emulator of a node; LinkError (C: an undefined reference) if none was defined."""
    from zpy.devicetree import resolve

    node = resolve(node_id)
    target = emul_registry().by_path.get(node.path)
    if target is None:
        raise LinkError(f"undefined reference to `{_emul_name(node)}' (node {node.path}: no "
                        "emulator defines one; is the emulator's Kconfig option on?)")
    return target


def EMUL_DT_GET_OR_NULL(node_id: Any) -> emul | None:
    from zpy.devicetree import DT_NODE_HAS_STATUS_OKAY

    return EMUL_DT_GET(node_id) if DT_NODE_HAS_STATUS_OKAY(node_id) else None


# -- subsys/emul/emul.c (CONFIG_EMUL) -------------------------------------------------------


def _needs_emul(symbol: str) -> None:
    if not current_kernel().config.get("CONFIG_EMUL"):
        raise LinkError(f"undefined reference to `{symbol}' (enable CONFIG_EMUL)")


def emul_get_binding(name: str | None) -> emul | None:
    """The emulator of the device called `name`, or None."""
    _needs_emul("emul_get_binding")
    if not name:
        return None
    for target in emul_registry().emuls:
        if target.dev.name == name:
            return target
    return None


def emul_init_for_bus(dev: device) -> int:
    """Initialize and register the emulators of an emulated bus's children. The bus
    device's config is an emul_list_for_bus or starts with one (`emul_list`)."""
    _needs_emul("emul_init_for_bus")
    cfg = dev.config
    children: emul_list_for_bus = cfg if isinstance(cfg, emul_list_for_bus) else cfg.emul_list
    registry = emul_registry()
    LOG_INF("Registering %d emulator(s) for %s", children.num_children, dev.name)
    for elp in children.children[:children.num_children]:
        target = emul_get_binding(elp.dev.name)
        if target is None:
            LOG_WRN("Cannot find emulator for '%s'", elp.dev.name)
            continue
        if target.bus_type == EMUL_BUS_TYPE_I2C:
            target.bus.target = target
        rc = target.init(target, dev) if target.init is not None else 0
        if rc != 0:
            LOG_WRN("Init %s emulator failed: %d", elp.dev.name, rc)
        register = registry.bus_register.get(target.bus_type)
        if register is not None:
            rc = register(dev, target.bus)
        else:
            rc = -errno.EINVAL
            LOG_WRN("Found no emulated bus enabled to register emulator %s", elp.dev.name)
        if rc != 0:
            LOG_WRN("Failed to register emulator for %s: %d", elp.dev.name, rc)
    return 0


# -- interrupts (zpy) -------------------------------------------------------------------------


def _irq_line(dev: device, idx: int) -> int:
    """The I/O APIC input of interrupt idx of dev's node: -EINVAL if the node has no such
    interrupt, -ENOTSUP if another controller (a GPIO pin, ...) is its parent."""
    node = dev.dt_node
    if node is None or not 0 <= idx < len(node.interrupts):
        return -errno.EINVAL
    spec = node.interrupts[idx]
    parent = current_kernel().devicetree.path2node.get(spec.controller)
    if parent is None or "intel,ioapic" not in parent.compats:
        return -errno.ENOTSUP
    return spec.data.get("irq", -errno.EINVAL)


def emul_irq_set(dev: device, idx: int, level: int) -> int:
    """Drive the interrupt output `idx` of dev's node high (level != 0) or low, as the
    device's interrupt wire does: the interrupt controller takes it from there (an
    edge-triggered input interrupts on the rising edge, a level-triggered one while
    high). 0; -EINVAL if the node has no interrupt idx, -ENOTSUP if its parent is not
    the I/O APIC."""
    irq = _irq_line(dev, idx)
    if irq < 0:
        return irq
    kernel = current_kernel()
    kernel.machine.set_irq_line(irq, bool(level))
    kernel.sched.entry()  # a thread the ISR woke may preempt the caller here
    return 0


def emul_irq_pulse(dev: device, idx: int) -> int:
    """Raise and lower the interrupt output `idx` (one edge). 0, -EINVAL, -ENOTSUP."""
    irq = _irq_line(dev, idx)
    if irq < 0:
        return irq
    kernel = current_kernel()
    kernel.machine.set_irq_line(irq, True)
    kernel.machine.set_irq_line(irq, False)
    kernel.sched.entry()
    return 0


def emul_has_irq(dev: device, idx: int) -> bool:
    """Does dev's node have interrupt idx on the I/O APIC (a wire emul_irq_* can drive)?"""
    return _irq_line(dev, idx) >= 0
