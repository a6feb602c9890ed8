"""The GPIO API of <zephyr/drivers/gpio.h>, function for function (zpy.drivers.gpio re-exports it).

Each call checks and translates as C's inline functions do (the logical level
of an active-low pin, the interrupt flags into a mode and a trigger) and then
dispatches through the port's `gpio_driver_api` table; a driver without an
operation gives -ENOSYS, as in C. C's __ASSERTs are checked with
CONFIG_ASSERT, as there. Out-pointers become return values after the return
code: `rc, value = gpio_port_get(port)`.

A pin's flags are C's bit values: the devicetree ones (GPIO_ACTIVE_LOW,
GPIO_PULL_UP, ...) in the low bits, the direction, initial level and
interrupt bits above them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zpy import errno
from zpy.kernel.device import DEVICE_DT_GET, device, device_api_entry, z_device_is_ready
from zpy.kernel.sys_assert import __ASSERT, __ASSERT_NO_MSG

gpio_pin_t = int
gpio_dt_flags_t = int
gpio_flags_t = int
gpio_port_pins_t = int
gpio_port_value_t = int

# -- flags (<zephyr/dt-bindings/gpio/gpio.h>) -------------------------------------------

GPIO_ACTIVE_LOW = 1 << 0
GPIO_ACTIVE_HIGH = 0 << 0
GPIO_SINGLE_ENDED = 1 << 1
GPIO_PUSH_PULL = 0 << 1
GPIO_LINE_OPEN_DRAIN = 1 << 2
GPIO_LINE_OPEN_SOURCE = 0 << 2
GPIO_OPEN_DRAIN = GPIO_SINGLE_ENDED | GPIO_LINE_OPEN_DRAIN
GPIO_OPEN_SOURCE = GPIO_SINGLE_ENDED | GPIO_LINE_OPEN_SOURCE
GPIO_PULL_UP = 1 << 4
GPIO_PULL_DOWN = 1 << 5
GPIO_INT_WAKEUP = 1 << 6

# -- flags (<zephyr/drivers/gpio.h>) ----------------------------------------------------

GPIO_INPUT = 1 << 16
GPIO_OUTPUT = 1 << 17
GPIO_DISCONNECTED = 0
GPIO_OUTPUT_INIT_LOW = 1 << 18
GPIO_OUTPUT_INIT_HIGH = 1 << 19
GPIO_OUTPUT_INIT_LOGICAL = 1 << 20
GPIO_OUTPUT_LOW = GPIO_OUTPUT | GPIO_OUTPUT_INIT_LOW
GPIO_OUTPUT_HIGH = GPIO_OUTPUT | GPIO_OUTPUT_INIT_HIGH
GPIO_OUTPUT_INACTIVE = GPIO_OUTPUT | GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_LOGICAL
GPIO_OUTPUT_ACTIVE = GPIO_OUTPUT | GPIO_OUTPUT_INIT_HIGH | GPIO_OUTPUT_INIT_LOGICAL
GPIO_DIR_MASK = GPIO_INPUT | GPIO_OUTPUT

GPIO_INT_DISABLE = 1 << 21
GPIO_INT_ENABLE = 1 << 22
GPIO_INT_LEVELS_LOGICAL = 1 << 23
GPIO_INT_EDGE = 1 << 24
GPIO_INT_LOW_0 = 1 << 25
GPIO_INT_HIGH_1 = 1 << 26
GPIO_INT_MASK = (GPIO_INT_DISABLE | GPIO_INT_ENABLE | GPIO_INT_LEVELS_LOGICAL | GPIO_INT_EDGE
                 | GPIO_INT_LOW_0 | GPIO_INT_HIGH_1)
GPIO_INT_EDGE_RISING = GPIO_INT_ENABLE | GPIO_INT_EDGE | GPIO_INT_HIGH_1
GPIO_INT_EDGE_FALLING = GPIO_INT_ENABLE | GPIO_INT_EDGE | GPIO_INT_LOW_0
GPIO_INT_EDGE_BOTH = GPIO_INT_ENABLE | GPIO_INT_EDGE | GPIO_INT_LOW_0 | GPIO_INT_HIGH_1
GPIO_INT_LEVEL_LOW = GPIO_INT_ENABLE | GPIO_INT_LOW_0
GPIO_INT_LEVEL_HIGH = GPIO_INT_ENABLE | GPIO_INT_HIGH_1
GPIO_INT_EDGE_TO_INACTIVE = GPIO_INT_ENABLE | GPIO_INT_LEVELS_LOGICAL | GPIO_INT_EDGE \
    | GPIO_INT_LOW_0
GPIO_INT_EDGE_TO_ACTIVE = GPIO_INT_ENABLE | GPIO_INT_LEVELS_LOGICAL | GPIO_INT_EDGE \
    | GPIO_INT_HIGH_1
GPIO_INT_LEVEL_INACTIVE = GPIO_INT_ENABLE | GPIO_INT_LEVELS_LOGICAL | GPIO_INT_LOW_0
GPIO_INT_LEVEL_ACTIVE = GPIO_INT_ENABLE | GPIO_INT_LEVELS_LOGICAL | GPIO_INT_HIGH_1

#: enum gpio_int_mode
GPIO_INT_MODE_DISABLED = GPIO_INT_DISABLE
GPIO_INT_MODE_LEVEL = GPIO_INT_ENABLE
GPIO_INT_MODE_EDGE = GPIO_INT_ENABLE | GPIO_INT_EDGE
#: enum gpio_int_trig
GPIO_INT_TRIG_LOW = GPIO_INT_LOW_0
GPIO_INT_TRIG_HIGH = GPIO_INT_HIGH_1
GPIO_INT_TRIG_BOTH = GPIO_INT_LOW_0 | GPIO_INT_HIGH_1
GPIO_INT_TRIG_WAKE = GPIO_INT_WAKEUP

GPIO_MAX_PINS_PER_PORT = 32


def GPIO_PORT_PIN_MASK_FROM_NGPIOS(ngpios: int) -> gpio_port_pins_t:
    return (1 << ngpios) - 1


def GPIO_PORT_PIN_MASK_FROM_DT_NODE(node_id: Any) -> gpio_port_pins_t:
    """Pins 0..ngpios-1 of a controller node, less its gpio-reserved-ranges."""
    from zpy.devicetree import DT_PROP_OR

    mask = GPIO_PORT_PIN_MASK_FROM_NGPIOS(DT_PROP_OR(node_id, "ngpios", GPIO_MAX_PINS_PER_PORT))
    ranges = DT_PROP_OR(node_id, "gpio_reserved_ranges", [])
    for start, count in zip(ranges[::2], ranges[1::2], strict=False):
        mask &= ~(((1 << count) - 1) << start)
    return mask & 0xFFFFFFFF


def GPIO_PORT_PIN_MASK_FROM_DT_INST(inst: int) -> gpio_port_pins_t:
    from zpy.devicetree import DT_DRV_INST

    return GPIO_PORT_PIN_MASK_FROM_DT_NODE(DT_DRV_INST(inst))


# -- structs --------------------------------------------------------------------------------


@dataclass
class gpio_dt_spec:
    """struct gpio_dt_spec; gpio_dt_spec() is C's `{0}` (no port)."""

    port: device | None = None
    pin: gpio_pin_t = 0
    dt_flags: gpio_dt_flags_t = 0


@dataclass
class gpio_driver_config:
    """struct gpio_driver_config: a driver's config starts with it (as `common`)."""

    port_pin_mask: gpio_port_pins_t = 0


@dataclass
class gpio_driver_data:
    """struct gpio_driver_data: a driver's data starts with it (as `common`)."""

    invert: gpio_port_pins_t = 0


#: void (*gpio_callback_handler_t)(const struct device *port, struct gpio_callback *cb,
#:                                 gpio_port_pins_t pins)
gpio_callback_handler_t = Callable[[device, "gpio_callback", gpio_port_pins_t], None]


@dataclass(eq=False)
class gpio_callback:
    """struct gpio_callback (set it up with gpio_init_callback)."""

    handler: gpio_callback_handler_t | None = None
    pin_mask: gpio_port_pins_t = 0
    #: what CONTAINER_OF(cb, my_struct, "cb") follows (see docs/porting.md)
    _container: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class gpio_driver_api:
    """struct gpio_driver_api, entries in C's order (None: the driver lacks the operation)."""

    pin_configure: Callable[[device, gpio_pin_t, gpio_flags_t], int] | None = None
    pin_get_config: Callable[[device, gpio_pin_t], tuple[int, gpio_flags_t]] | None = None
    port_get_raw: Callable[[device], tuple[int, gpio_port_value_t]] | None = None
    port_set_masked_raw: Callable[[device, gpio_port_pins_t, gpio_port_value_t], int] | None \
        = None
    port_set_bits_raw: Callable[[device, gpio_port_pins_t], int] | None = None
    port_clear_bits_raw: Callable[[device, gpio_port_pins_t], int] | None = None
    port_toggle_bits: Callable[[device, gpio_port_pins_t], int] | None = None
    pin_interrupt_configure: Callable[[device, gpio_pin_t, int, int], int] | None = None
    manage_callback: Callable[[device, gpio_callback, bool], int] | None = None
    get_pending_int: Callable[[device], int] | None = None
    port_get_direction: Callable[[device, gpio_port_pins_t], tuple[int, int, int]] | None \
        = None


def _common(obj: Any) -> Any:
    """The gpio_driver_config/data a driver's struct starts with (C casts the pointer)."""
    return getattr(obj, "common", obj) if obj is not None else None


def _op(port: device, name: str) -> Callable[..., Any] | None:
    device_api_entry()
    return getattr(port.api, name, None)  # type: ignore[no-any-return]


def _call(port: device, name: str, *args: Any) -> int:
    """The driver's operation `name` on the port; -ENOSYS when its table lacks it."""
    fn = _op(port, name)
    if fn is None:
        return -errno.ENOSYS
    return fn(port, *args)  # type: ignore[no-any-return]


def _pin_ok(port: device, pin: gpio_pin_t) -> bool:
    cfg = _common(port.config)
    return cfg is None or (cfg.port_pin_mask & (1 << pin)) != 0


# -- devicetree ---------------------------------------------------------------------------------


def GPIO_DT_SPEC_GET_BY_IDX(node_id: Any, prop: str, idx: int) -> gpio_dt_spec:
    """The controller's device, pin and flags of entry idx of a gpios property."""
    from zpy.devicetree import DT_GPIO_CTLR_BY_IDX, DT_GPIO_FLAGS_BY_IDX, DT_GPIO_PIN_BY_IDX

    return gpio_dt_spec(DEVICE_DT_GET(DT_GPIO_CTLR_BY_IDX(node_id, prop, idx)),
                        DT_GPIO_PIN_BY_IDX(node_id, prop, idx),
                        DT_GPIO_FLAGS_BY_IDX(node_id, prop, idx))


def GPIO_DT_SPEC_GET_BY_IDX_OR(node_id: Any, prop: str, idx: int,
                               default_value: gpio_dt_spec) -> gpio_dt_spec:
    from zpy.devicetree import DT_PROP_HAS_IDX

    if DT_PROP_HAS_IDX(node_id, prop, idx):
        return GPIO_DT_SPEC_GET_BY_IDX(node_id, prop, idx)
    return default_value


def GPIO_DT_SPEC_GET(node_id: Any, prop: str) -> gpio_dt_spec:
    return GPIO_DT_SPEC_GET_BY_IDX(node_id, prop, 0)


def GPIO_DT_SPEC_GET_OR(node_id: Any, prop: str, default_value: gpio_dt_spec) -> gpio_dt_spec:
    return GPIO_DT_SPEC_GET_BY_IDX_OR(node_id, prop, 0, default_value)


def GPIO_DT_SPEC_INST_GET_BY_IDX(inst: int, prop: str, idx: int) -> gpio_dt_spec:
    from zpy.devicetree import DT_DRV_INST

    return GPIO_DT_SPEC_GET_BY_IDX(DT_DRV_INST(inst), prop, idx)


def GPIO_DT_SPEC_INST_GET_BY_IDX_OR(inst: int, prop: str, idx: int,
                                    default_value: gpio_dt_spec) -> gpio_dt_spec:
    from zpy.devicetree import DT_DRV_INST

    return GPIO_DT_SPEC_GET_BY_IDX_OR(DT_DRV_INST(inst), prop, idx, default_value)


def GPIO_DT_SPEC_INST_GET(inst: int, prop: str) -> gpio_dt_spec:
    from zpy.devicetree import DT_DRV_INST

    return GPIO_DT_SPEC_GET(DT_DRV_INST(inst), prop)


def GPIO_DT_SPEC_INST_GET_OR(inst: int, prop: str, default_value: gpio_dt_spec) -> gpio_dt_spec:
    from zpy.devicetree import DT_DRV_INST

    return GPIO_DT_SPEC_GET_OR(DT_DRV_INST(inst), prop, default_value)


def gpio_is_ready_dt(spec: gpio_dt_spec) -> bool:
    """Is the spec's port ready (device_is_ready)?"""
    return z_device_is_ready(spec.port)


# -- configuration --------------------------------------------------------------------------------


def gpio_pin_interrupt_configure(port: device, pin: gpio_pin_t, flags: gpio_flags_t) -> int:
    """Enable or disable the pin's interrupt: 0, -ENOSYS, -ENOTSUP (the driver cannot do
    that trigger), -EINVAL, -EBUSY. GPIO_INT_*_ACTIVE/INACTIVE follow the pin's
    GPIO_ACTIVE_LOW from its last gpio_pin_configure()."""
    fn = _op(port, "pin_interrupt_configure")
    if fn is None:
        return -errno.ENOSYS
    __ASSERT((flags & (GPIO_INT_DISABLE | GPIO_INT_ENABLE)) != (GPIO_INT_DISABLE | GPIO_INT_ENABLE),
             "Cannot both enable and disable interrupts")
    __ASSERT((flags & (GPIO_INT_DISABLE | GPIO_INT_ENABLE)) != 0,
             "Must either enable or disable interrupts")
    __ASSERT((flags & GPIO_INT_ENABLE) == 0 or (flags & GPIO_INT_EDGE) != 0
             or (flags & (GPIO_INT_LOW_0 | GPIO_INT_HIGH_1)) != (GPIO_INT_LOW_0 | GPIO_INT_HIGH_1),
             "Only one of GPIO_INT_LOW_0, GPIO_INT_HIGH_1 can be enabled for a level interrupt.")
    __ASSERT((flags & GPIO_INT_ENABLE) == 0 or (flags & (GPIO_INT_LOW_0 | GPIO_INT_HIGH_1)) != 0,
             "At least one of GPIO_INT_LOW_0, GPIO_INT_HIGH_1 has to be enabled.")
    __ASSERT_NO_MSG(_pin_ok(port, pin))
    data = _common(port.data)
    if (flags & GPIO_INT_LEVELS_LOGICAL) and data is not None and data.invert & (1 << pin):
        flags ^= GPIO_INT_LOW_0 | GPIO_INT_HIGH_1
    trig = flags & (GPIO_INT_LOW_0 | GPIO_INT_HIGH_1 | GPIO_INT_WAKEUP)
    mode = flags & (GPIO_INT_EDGE | GPIO_INT_DISABLE | GPIO_INT_ENABLE)
    return fn(port, pin, mode, trig)  # type: ignore[no-any-return]


def gpio_pin_interrupt_configure_dt(spec: gpio_dt_spec, flags: gpio_flags_t) -> int:
    return gpio_pin_interrupt_configure(_port(spec), spec.pin, flags)


def gpio_pin_configure(port: device, pin: gpio_pin_t, flags: gpio_flags_t) -> int:
    """Configure a pin (direction, initial level, pulls, active level): 0, -ENOTSUP (a mode
    the controller lacks), -EINVAL (no such pin), -EIO."""
    fn = _op(port, "pin_configure")
    __ASSERT((flags & GPIO_INT_MASK) == 0, "Interrupt flags are not supported")
    __ASSERT((flags & (GPIO_PULL_UP | GPIO_PULL_DOWN)) != (GPIO_PULL_UP | GPIO_PULL_DOWN),
             "Pull Up and Pull Down should not be enabled simultaneously")
    __ASSERT(not ((flags & GPIO_INPUT) and not (flags & GPIO_OUTPUT)
                  and (flags & GPIO_SINGLE_ENDED)),
             "Input cannot be enabled for 'Open Drain', 'Open Source' modes without Output")
    __ASSERT_NO_MSG((flags & GPIO_SINGLE_ENDED) != 0 or (flags & GPIO_LINE_OPEN_DRAIN) == 0)
    __ASSERT((flags & (GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_HIGH)) == 0
             or (flags & GPIO_OUTPUT) != 0,
             "Output needs to be enabled to be initialized low or high")
    __ASSERT((flags & (GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_HIGH))
             != (GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_HIGH),
             "Output cannot be initialized low and high")
    if (flags & GPIO_OUTPUT_INIT_LOGICAL) and (flags & (GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_HIGH)) \
            and (flags & GPIO_ACTIVE_LOW):
        flags ^= GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_HIGH
    flags &= ~GPIO_OUTPUT_INIT_LOGICAL
    __ASSERT_NO_MSG(_pin_ok(port, pin))
    data = _common(port.data)
    if data is not None:
        if flags & GPIO_ACTIVE_LOW:
            data.invert |= 1 << pin
        else:
            data.invert &= ~(1 << pin)
    if fn is None:
        return -errno.ENOSYS
    return fn(port, pin, flags)  # type: ignore[no-any-return]


def gpio_pin_configure_dt(spec: gpio_dt_spec, extra_flags: gpio_flags_t) -> int:
    """gpio_pin_configure with the devicetree flags of the spec added."""
    return gpio_pin_configure(_port(spec), spec.pin, spec.dt_flags | extra_flags)


def gpio_pin_get_config(port: device, pin: gpio_pin_t) -> tuple[int, gpio_flags_t]:
    """(0, flags) of a pin; (-ENOSYS, 0) when the driver cannot tell (CONFIG_GPIO_GET_CONFIG)."""
    fn = _op(port, "pin_get_config")
    if fn is None:
        return -errno.ENOSYS, 0
    return fn(port, pin)  # type: ignore[no-any-return]


def gpio_pin_get_config_dt(spec: gpio_dt_spec) -> tuple[int, gpio_flags_t]:
    return gpio_pin_get_config(_port(spec), spec.pin)


def gpio_port_get_direction(port: device, map: gpio_port_pins_t) -> tuple[int, int, int]:  # noqa: A002
    """(0, inputs, outputs) among `map`; (-ENOSYS, 0, 0) without CONFIG_GPIO_GET_DIRECTION."""
    fn = _op(port, "port_get_direction")
    if fn is None:
        return -errno.ENOSYS, 0, 0
    return fn(port, map)  # type: ignore[no-any-return]


def gpio_pin_is_input(port: device, pin: gpio_pin_t) -> int:
    """1 if the pin is an input, 0 if not, or -errno (-ENOSYS: the driver cannot tell)."""
    rc, inputs, _ = gpio_port_get_direction(port, 1 << pin)
    return rc if rc < 0 else int(bool(inputs & (1 << pin)))


def gpio_pin_is_input_dt(spec: gpio_dt_spec) -> int:
    return gpio_pin_is_input(_port(spec), spec.pin)


def gpio_pin_is_output(port: device, pin: gpio_pin_t) -> int:
    rc, _, outputs = gpio_port_get_direction(port, 1 << pin)
    return rc if rc < 0 else int(bool(outputs & (1 << pin)))


def gpio_pin_is_output_dt(spec: gpio_dt_spec) -> int:
    return gpio_pin_is_output(_port(spec), spec.pin)


# -- ports ------------------------------------------------------------------------------------------


def gpio_port_get_raw(port: device) -> tuple[int, gpio_port_value_t]:
    """(0, value) of the port's input pins, physical levels; (-EIO, 0) on a bus error."""
    fn = _op(port, "port_get_raw")
    if fn is None:
        return -errno.ENOSYS, 0
    return fn(port)  # type: ignore[no-any-return]


def gpio_port_get(port: device) -> tuple[int, gpio_port_value_t]:
    """(0, value) with active-low pins inverted: 1 is active."""
    rc, value = gpio_port_get_raw(port)
    if rc == 0:
        data = _common(port.data)
        value ^= data.invert if data is not None else 0
    return rc, value


def gpio_port_set_masked_raw(port: device, mask: gpio_port_pins_t,
                             value: gpio_port_value_t) -> int:
    return _call(port, "port_set_masked_raw", mask, value)


def gpio_port_set_masked(port: device, mask: gpio_port_pins_t, value: gpio_port_value_t) -> int:
    data = _common(port.data)
    value ^= data.invert if data is not None else 0
    return gpio_port_set_masked_raw(port, mask, value)


def gpio_port_set_bits_raw(port: device, pins: gpio_port_pins_t) -> int:
    return _call(port, "port_set_bits_raw", pins)


def gpio_port_set_bits(port: device, pins: gpio_port_pins_t) -> int:
    return gpio_port_set_masked(port, pins, pins)


def gpio_port_clear_bits_raw(port: device, pins: gpio_port_pins_t) -> int:
    return _call(port, "port_clear_bits_raw", pins)


def gpio_port_clear_bits(port: device, pins: gpio_port_pins_t) -> int:
    return gpio_port_set_masked(port, pins, 0)


def gpio_port_toggle_bits(port: device, pins: gpio_port_pins_t) -> int:
    return _call(port, "port_toggle_bits", pins)


def gpio_port_set_clr_bits_raw(port: device, set_pins: gpio_port_pins_t,
                               clear_pins: gpio_port_pins_t) -> int:
    __ASSERT((set_pins & clear_pins) == 0, "Set and Clear pins overlap")
    return gpio_port_set_masked_raw(port, set_pins | clear_pins, set_pins)


def gpio_port_set_clr_bits(port: device, set_pins: gpio_port_pins_t,
                           clear_pins: gpio_port_pins_t) -> int:
    __ASSERT((set_pins & clear_pins) == 0, "Set and Clear pins overlap")
    return gpio_port_set_masked(port, set_pins | clear_pins, set_pins)


# -- pins -------------------------------------------------------------------------------------------


def gpio_pin_get_raw(port: device, pin: gpio_pin_t) -> int:
    """The pin's physical level, 1 or 0, or a negative errno."""
    __ASSERT(_pin_ok(port, pin), "Unsupported pin")
    rc, value = gpio_port_get_raw(port)
    return rc if rc != 0 else int(bool(value & (1 << pin)))


def gpio_pin_get(port: device, pin: gpio_pin_t) -> int:
    """The pin's logical level (1: active), or a negative errno."""
    __ASSERT(_pin_ok(port, pin), "Unsupported pin")
    rc, value = gpio_port_get(port)
    return rc if rc != 0 else int(bool(value & (1 << pin)))


def gpio_pin_get_dt(spec: gpio_dt_spec) -> int:
    return gpio_pin_get(_port(spec), spec.pin)


def gpio_pin_set_raw(port: device, pin: gpio_pin_t, value: int) -> int:
    """Drive the pin's physical level (an input pin is left alone, as C drivers do)."""
    __ASSERT(_pin_ok(port, pin), "Unsupported pin")
    if value != 0:
        return gpio_port_set_bits_raw(port, 1 << pin)
    return gpio_port_clear_bits_raw(port, 1 << pin)


def gpio_pin_set(port: device, pin: gpio_pin_t, value: int) -> int:
    """Drive the pin's logical level (1: active, so low for an active-low pin)."""
    __ASSERT(_pin_ok(port, pin), "Unsupported pin")
    data = _common(port.data)
    if data is not None and data.invert & (1 << pin):
        value = 0 if value != 0 else 1
    return gpio_pin_set_raw(port, pin, value)


def gpio_pin_set_dt(spec: gpio_dt_spec, value: int) -> int:
    return gpio_pin_set(_port(spec), spec.pin, value)


def gpio_pin_toggle(port: device, pin: gpio_pin_t) -> int:
    __ASSERT(_pin_ok(port, pin), "Unsupported pin")
    return gpio_port_toggle_bits(port, 1 << pin)


def gpio_pin_toggle_dt(spec: gpio_dt_spec) -> int:
    return gpio_pin_toggle(_port(spec), spec.pin)


# -- callbacks --------------------------------------------------------------------------------------


def gpio_init_callback(callback: gpio_callback, handler: gpio_callback_handler_t,
                       pin_mask: gpio_port_pins_t) -> None:
    """Set up a callback before gpio_add_callback(): handler(port, cb, pins) for these pins."""
    __ASSERT(callback is not None, "Callback pointer should not be NULL")
    __ASSERT(handler is not None, "Callback handler pointer should not be NULL")
    if not isinstance(callback, gpio_callback):
        raise TypeError(f"gpio_init_callback: callback must be a gpio_callback, got {callback!r}")
    callback.handler = handler
    callback.pin_mask = pin_mask


def gpio_add_callback(port: device, callback: gpio_callback) -> int:
    """Call the callback's handler when one of its pins interrupts (0, -ENOSYS). The
    handler runs in the controller's ISR; the newest callback added is called first."""
    return _call(port, "manage_callback", callback, True)


def gpio_add_callback_dt(spec: gpio_dt_spec, callback: gpio_callback) -> int:
    return gpio_add_callback(_port(spec), callback)


def gpio_remove_callback(port: device, callback: gpio_callback) -> int:
    """0, -EINVAL if the callback was not added, -ENOSYS."""
    return _call(port, "manage_callback", callback, False)


def gpio_remove_callback_dt(spec: gpio_dt_spec, callback: gpio_callback) -> int:
    return gpio_remove_callback(_port(spec), callback)


def gpio_get_pending_int(dev: device) -> int:
    """>0 if an interrupt is pending, 0 if not, or -ENOSYS."""
    return _call(dev, "get_pending_int")


def _port(spec: gpio_dt_spec) -> device:
    if spec.port is None:
        raise TypeError("a gpio_dt_spec with no port (C would dereference NULL): check "
                        "spec.port, as the samples do, before using an optional GPIO")
    return spec.port
