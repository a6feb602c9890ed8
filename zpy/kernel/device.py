"""struct device and the device model: definition, lookup, readiness, deferred init.

Devices are defined while an image is linked (a driver module's
DEVICE_DT_INST_DEFINE at its bottom runs then) into that image's kernel, and
initialized at boot in init order. Names, return codes and readiness rules are
kernel/device.c's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.errors import LinkError
from zpy.image.dtmodel import DTNode
from zpy.kernel.context import current_kernel
from zpy.kernel.init import InitLevel, caller_location, check_level, check_prio, init_entry

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel

DEVICE_FLAG_INIT_DEFERRED = 1 << 0
DEVICE_HANDLE_NULL = 0

_DEVICE_LEVELS = (InitLevel.PRE_KERNEL_1, InitLevel.PRE_KERNEL_2, InitLevel.POST_KERNEL)


@dataclass(eq=False)
class device_state:
    init_res: int = 0  # the init function's result as a positive errno, clamped to 255
    initialized: bool = False


@dataclass(eq=False)
class device_ops:
    init: Callable[[device], int] | None = None


@dataclass(eq=False)
class device:
    """struct device: the C field names, plus the devicetree node it came from."""

    name: str
    config: Any
    api: Any
    state: device_state
    data: Any
    ops: device_ops
    flags: int = 0
    #: ordinals of the devicetree nodes this device requires (CONFIG_DEVICE_DEPS)
    deps: tuple[int, ...] = ()
    #: the node this device was defined from (Zephyr: dt_meta); None for DEVICE_DEFINE
    dt_node: DTNode | None = field(default=None, repr=False)
    #: file:line of its DEVICE_*_DEFINE, for error messages
    where: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"<device {self.name!r}>"


def device_api_entry() -> None:
    """A call through a device's API is a kernel entry point: pending interrupts are taken
    and a thread that should preempt the caller runs, as at any kernel call."""
    current_kernel().sched.entry()


def z_device_is_ready(dev: device | None) -> bool:
    if dev is None:
        return False
    return dev.state.initialized and dev.state.init_res == 0


def device_is_ready(dev: device | None) -> bool:
    """True once the device's init ran and returned 0."""
    return z_device_is_ready(dev)


def do_device_init(kernel: Kernel, dev: device) -> int:
    """Run a device's init function and record its result (kernel/init.c's do_device_init)."""
    rc = 0
    if dev.ops.init is not None:
        rc = kernel.call_init(dev.ops.init, (dev,), f"init of device '{dev.name}'")
        if not isinstance(rc, int) or isinstance(rc, bool):
            rc = 0 if rc is None else -errno.EINVAL
        if rc != 0:
            dev.state.init_res = min(abs(rc), 255)
    dev.state.initialized = True
    return rc


def device_init(dev: device) -> int:
    """Initialize a device left for later (zephyr,deferred-init). -EALREADY if it already ran."""
    kernel = current_kernel()
    if dev.state.initialized:
        return -errno.EALREADY
    return do_device_init(kernel, dev)


def device_get_binding(name: str | None) -> device | None:
    """The ready device called `name`; None if there is none or the first match is not ready."""
    if not name:
        return None
    for dev in current_kernel().devices_in_order():
        if dev.name == name:
            return dev if z_device_is_ready(dev) else None
    return None


def z_device_get_all_static() -> list[device]:
    return list(current_kernel().devices_in_order())


def device_handle_get(dev: device) -> int:
    return current_kernel().devices_in_order().index(dev) + 1


def device_from_handle(handle: int) -> device | None:
    devs = current_kernel().devices_in_order()
    return devs[handle - 1] if 0 < handle <= len(devs) else None


def device_required_handles_get(dev: device) -> list[int]:
    """Handles of the devices `dev` requires (from the devicetree)."""
    kernel = current_kernel()
    out = []
    for ord_ in dev.deps:
        other = kernel.dev_by_ord.get(ord_)
        if other is not None:
            out.append(device_handle_get(other))
    return out


def device_required_foreach(dev: device, visitor_cb: Callable[[device, Any], int],
                            context: Any) -> int:
    """Call visitor_cb(required_device, context) for each direct requirement; a negative
    return stops the walk and is returned; otherwise the number visited."""
    handles = device_required_handles_get(dev)
    for h in handles:
        other = device_from_handle(h)
        rc = visitor_cb(other, context)  # type: ignore[arg-type]
        if rc < 0:
            return rc
    return len(handles)


# -- definition ------------------------------------------------------------------------


def _define(kernel: Kernel, dev_id: str, name: str, node: DTNode | None,
            init_fn: Callable[..., int] | None, data: Any, config: Any, level: Any, prio: int,
            api: Any, deps: tuple[int, ...]) -> device:
    lvl = check_level(level)
    if lvl not in _DEVICE_LEVELS:
        raise LinkError(f"device '{name}': init level {lvl.name} is not allowed for devices "
                        "(only PRE_KERNEL_1, PRE_KERNEL_2 and POST_KERNEL)")
    prio = check_prio(prio)
    if init_fn is not None and not callable(init_fn):
        raise TypeError(f"device '{name}': init must be a function or None, got {init_fn!r}")
    flags = 0
    if node is not None and node.props.get("zephyr,deferred-init"):
        flags |= DEVICE_FLAG_INIT_DEFERRED
    dev = device(name=name, config=config, api=api, state=device_state(), data=data,
                 ops=device_ops(init_fn), flags=flags, deps=deps, dt_node=node,
                 where=caller_location())
    kernel.add_device(dev_id, dev)
    kernel.add_init_entry(init_entry(lvl, prio, node.ord if node is not None else 0, 0,
                                     dev_id, dev=dev, where=dev.where))
    return dev


def DEVICE_DEFINE(dev_id: str, name: str, init_fn: Callable[..., int] | None, pm: Any, data: Any,
                  config: Any, level: Any, prio: int, api: Any) -> device:
    """A device without a devicetree node; DEVICE_GET(dev_id) finds it."""
    return _define(current_kernel(), f"__device_{dev_id}", name, None, init_fn, data, config,
                   level, prio, api, ())


def DEVICE_DT_NAME(node_id: Any) -> str:
    """The device name Zephyr derives: the node's `label` property, else its full name."""
    from zpy.devicetree import resolve

    node = resolve(node_id)
    label = node.props.get("label")
    return label if isinstance(label, str) else node.name


def DEVICE_DT_DEFINE(node_id: Any, init_fn: Callable[..., int] | None, pm: Any, data: Any,
                     config: Any, level: Any, prio: int, api: Any, *deps: Any) -> device:
    """The device of a devicetree node (its symbol is __device_dts_ord_<N>)."""
    from zpy.devicetree import resolve

    node = resolve(node_id)
    kernel = current_kernel()
    dep_ords = tuple(node.depends_on) + tuple(resolve(d).ord for d in deps)
    return _define(kernel, f"__device_dts_ord_{node.ord}", DEVICE_DT_NAME(node), node, init_fn,
                   data, config, level, prio, api, dep_ords)


def DEVICE_DT_INST_DEFINE(inst: int, init_fn: Callable[..., int] | None, pm: Any, data: Any,
                          config: Any, level: Any, prio: int, api: Any, *deps: Any) -> device:
    from zpy.devicetree import DT_DRV_INST

    return DEVICE_DT_DEFINE(DT_DRV_INST(inst), init_fn, pm, data, config, level, prio,
                            api, *deps)


# -- lookup ----------------------------------------------------------------------------


def _undefined(node: DTNode) -> LinkError:
    return LinkError(
        f"undefined reference to `__device_dts_ord_{node.ord}' (node {node.path}: no enabled "
        "driver defines a device for it; is its driver's Kconfig option on and its status okay?)"
    )


def DEVICE_DT_GET(node_id: Any) -> device:
    """The device of a node. Like a C link error, raises LinkError if no driver defined it."""
    from zpy.devicetree import resolve

    node = resolve(node_id)
    dev = current_kernel().dev_by_ord.get(node.ord)
    if dev is None:
        raise _undefined(node)
    return dev


def DEVICE_DT_INST_GET(inst: int) -> device:
    from zpy.devicetree import DT_DRV_INST

    return DEVICE_DT_GET(DT_DRV_INST(inst))


def DEVICE_DT_GET_OR_NULL(node_id: Any) -> device | None:
    from zpy.devicetree import DT_NODE_HAS_STATUS_OKAY

    return DEVICE_DT_GET(node_id) if DT_NODE_HAS_STATUS_OKAY(node_id) else None


def DEVICE_DT_GET_ANY(compat: str) -> device | None:
    """The device of an okay node with this compatible (any one), or None if there is none."""
    from zpy.devicetree import DT_COMPAT_GET_ANY_STATUS_OKAY, DT_HAS_COMPAT_STATUS_OKAY

    if not DT_HAS_COMPAT_STATUS_OKAY(compat):
        return None
    return DEVICE_DT_GET(DT_COMPAT_GET_ANY_STATUS_OKAY(compat))


def DEVICE_DT_GET_ONE(compat: str) -> device:
    """Like DEVICE_DT_GET_ANY, but having no such node is an error (a C compile error)."""
    from zpy.devicetree import DT_COMPAT_GET_ANY_STATUS_OKAY, DT_HAS_COMPAT_STATUS_OKAY

    if not DT_HAS_COMPAT_STATUS_OKAY(compat):
        raise LinkError(f"DEVICE_DT_GET_ONE({compat}): no okay devicetree node has this compatible")
    return DEVICE_DT_GET(DT_COMPAT_GET_ANY_STATUS_OKAY(compat))


def DEVICE_GET(dev_id: str) -> device:
    dev = current_kernel().dev_by_id.get(f"__device_{dev_id}")
    if dev is None:
        raise LinkError(f"undefined reference to `__device_{dev_id}' (no DEVICE_DEFINE({dev_id}, ...))")
    return dev


def device_get_by_dt_nodelabel(nodelabel: str) -> device | None:
    """The device whose node has this node label (CONFIG_DEVICE_DT_METADATA)."""
    for dev in current_kernel().devices_in_order():
        if dev.dt_node is not None and nodelabel in dev.dt_node.labels:
            return dev
    return None


# -- driver API classes ------------------------------------------------------------------


def DEVICE_API(api_class: type, **ops: Any) -> Any:
    """static DEVICE_API(class, name) = { .op = fn, ... }  ->  name = DEVICE_API(class_api, op=fn)."""
    return api_class(**ops)


def DEVICE_API_GET(api_class: type, dev: device) -> Any:
    return dev.api


def DEVICE_API_IS(api_class: type, dev: device) -> bool:
    return isinstance(dev.api, api_class)
