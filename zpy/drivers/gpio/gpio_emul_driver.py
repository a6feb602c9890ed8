"""Zephyr's emulated GPIO controller (drivers/gpio/gpio_emul.c) in Python.

(The file is not gpio_emul.py: that name is the backend header,
<zephyr/drivers/gpio/gpio_emul.h>, zpy.drivers.gpio.gpio_emul.)

One device per okay "zephyr,gpio-emul" node, with `ngpios` pins and the
interrupt triggers its rising-edge, falling-edge, high-level and low-level
properties allow. Pins have no hardware: a test drives the inputs
(gpio_emul_input_set) and reads the outputs (gpio_emul_output_get). A pin
configured as input and output is wired to itself ("push-pull"): setting the
output sets the input, which may interrupt.

Interrupts are the one place where zpy goes further than C. A pin change that
matches its trigger becomes pending, and the controller raises its interrupt
line (the node's `interrupts`, through the emul API to the I/O APIC); the ISR
connected at init fires the callbacks of the pending pins, in ISR context, as
a real controller's does. A node without `interrupts` has no line: the
callbacks then run right away in the caller's context, as in Zephyr. The
"wiring" callbacks C fires when outputs change or pins are configured run in
the caller's context either way, as in C.

Data and config, pin helpers, backend API, GPIO API, ISR, init, API table,
instances at the bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zpy import errno
from zpy.autoconf import CONFIG_GPIO_INIT_PRIORITY
from zpy.device import DEVICE_DT_INST_DEFINE, device
from zpy.devicetree import (
    DT_INST_FOREACH_STATUS_OKAY,
    DT_INST_IRQ,
    DT_INST_IRQ_HAS_IDX,
    DT_INST_IRQN,
    DT_INST_PROP,
)
from zpy.drivers.emul import emul_irq_pulse
from zpy.drivers.gpio import (
    GPIO_INPUT,
    GPIO_INT_DISABLE,
    GPIO_INT_EDGE,
    GPIO_INT_EDGE_BOTH,
    GPIO_INT_EDGE_FALLING,
    GPIO_INT_EDGE_RISING,
    GPIO_INT_ENABLE,
    GPIO_INT_HIGH_1,
    GPIO_INT_LEVEL_HIGH,
    GPIO_INT_LEVEL_LOW,
    GPIO_INT_LEVELS_LOGICAL,
    GPIO_INT_LOW_0,
    GPIO_INT_MODE_DISABLED,
    GPIO_INT_MODE_EDGE,
    GPIO_INT_MODE_LEVEL,
    GPIO_INT_TRIG_BOTH,
    GPIO_INT_TRIG_HIGH,
    GPIO_INT_TRIG_LOW,
    GPIO_OPEN_DRAIN,
    GPIO_OPEN_SOURCE,
    GPIO_OUTPUT,
    GPIO_OUTPUT_INIT_HIGH,
    GPIO_OUTPUT_INIT_LOW,
    GPIO_PORT_PIN_MASK_FROM_DT_INST,
    GPIO_PULL_DOWN,
    GPIO_PULL_UP,
    gpio_callback,
    gpio_driver_api,
    gpio_driver_config,
    gpio_driver_data,
)
from zpy.drivers.gpio.gpio_utils import gpio_fire_callbacks, gpio_manage_callback
from zpy.init import POST_KERNEL
from zpy.kernel import (
    irq_connect_dynamic,
    irq_enable,
    k_spin_lock,
    k_spin_unlock,
    k_spinlock,
)
from zpy.logging import LOG_DBG, LOG_ERR, LOG_MODULE_REGISTER

DT_DRV_COMPAT = "zephyr_gpio_emul"
LOG_MODULE_REGISTER("gpio_emul", "CONFIG_GPIO_LOG_LEVEL")

GPIO_EMUL_INT_BITMASK = (GPIO_INT_DISABLE | GPIO_INT_ENABLE | GPIO_INT_LEVELS_LOGICAL
                         | GPIO_INT_EDGE | GPIO_INT_LOW_0 | GPIO_INT_HIGH_1)

#: enum gpio_emul_interrupt_cap: the triggers a controller supports (from its node)
GPIO_EMUL_INT_CAP_EDGE_RISING = 1
GPIO_EMUL_INT_CAP_EDGE_FALLING = 2
GPIO_EMUL_INT_CAP_LEVEL_HIGH = 16
GPIO_EMUL_INT_CAP_LEVEL_LOW = 32

# -- data ------------------------------------------------------------------------------------


@dataclass
class gpio_emul_config:
    common: gpio_driver_config
    num_pins: int
    interrupt_caps: int
    #: the node's interrupt line (-1: none, callbacks run in the caller)
    irq: int = -1
    irq_priority: int = 0
    irq_flags: int = 0


@dataclass
class gpio_emul_data:
    common: gpio_driver_data = field(default_factory=gpio_driver_data)
    #: each pin's GPIO flags (direction, pulls, interrupt configuration)
    flags: list[int] = field(default_factory=list)
    input_vals: int = 0
    output_vals: int = 0
    #: pins whose interrupt is pending (the ISR fires their callbacks)
    interrupts: int = 0
    lock: k_spinlock = field(default_factory=k_spinlock)
    callbacks: list[gpio_callback] = field(default_factory=list)


# -- pin helpers (call with the lock held) ------------------------------------------------------


def get_pins_with_flags(port: device, mask: int, flags: int) -> int:
    """The pins whose flags, under mask, are exactly `flags`."""
    data: gpio_emul_data = port.data
    matched = 0
    for i in range(port.config.num_pins):
        if data.flags[i] & mask == flags:
            matched |= 1 << i
    return matched


def get_input_pins(port: device) -> int:
    return get_pins_with_flags(port, GPIO_INPUT, GPIO_INPUT)


def get_output_pins(port: device) -> int:
    return get_pins_with_flags(port, GPIO_OUTPUT, GPIO_OUTPUT)


def gpio_emul_config_has_caps(port: device, caps: int) -> bool:
    return (caps & port.config.interrupt_caps) == caps


# -- backend API (zpy.drivers.gpio.gpio_emul) -----------------------------------------------------


def gpio_emul_gen_interrupt_bits(port: device, mask: int, prev_values: int, values: int,
                                 detect_edge: bool) -> int:
    """The pins among mask that interrupt on going from prev_values to values (levels only
    when not detect_edge: a level pin interrupts for as long as it holds)."""
    data: gpio_emul_data = port.data
    interrupts = 0
    for i in range(port.config.num_pins):
        if not mask & (1 << i):
            continue
        prev_bit = bool(prev_values & (1 << i))
        bit = bool(values & (1 << i))
        trigger = data.flags[i] & GPIO_EMUL_INT_BITMASK
        if trigger == GPIO_INT_EDGE_RISING:
            hit = gpio_emul_config_has_caps(port, GPIO_EMUL_INT_CAP_EDGE_RISING) \
                and detect_edge and not prev_bit and bit
        elif trigger == GPIO_INT_EDGE_FALLING:
            hit = gpio_emul_config_has_caps(port, GPIO_EMUL_INT_CAP_EDGE_FALLING) \
                and detect_edge and prev_bit and not bit
        elif trigger == GPIO_INT_EDGE_BOTH:
            hit = gpio_emul_config_has_caps(
                port, GPIO_EMUL_INT_CAP_EDGE_RISING | GPIO_EMUL_INT_CAP_EDGE_FALLING) \
                and detect_edge and prev_bit != bit
        elif trigger == GPIO_INT_LEVEL_LOW:
            hit = gpio_emul_config_has_caps(port, GPIO_EMUL_INT_CAP_LEVEL_LOW) and not bit
        elif trigger == GPIO_INT_LEVEL_HIGH:
            hit = gpio_emul_config_has_caps(port, GPIO_EMUL_INT_CAP_LEVEL_HIGH) and bit
        else:
            if trigger not in (0, GPIO_INT_DISABLE):
                LOG_DBG("unhandled case %u", trigger)
            hit = False
        if hit:
            interrupts |= 1 << i
    return interrupts


def gpio_emul_pend_interrupt(port: device, mask: int, prev_values: int, values: int) -> None:
    """Make the pins that interrupt on this change pending, and have them serviced: through
    the controller's interrupt line if it has one, else right here."""
    data: gpio_emul_data = port.data
    key = k_spin_lock(data.lock)
    interrupts = gpio_emul_gen_interrupt_bits(port, mask, prev_values, values, True)
    data.interrupts |= interrupts
    k_spin_unlock(data.lock, key)
    if interrupts == 0:
        return
    if port.config.irq >= 0:
        emul_irq_pulse(port, 0)
    else:
        gpio_emul_isr(port)


def _input_set_locked(port: device, mask: int, values: int) -> tuple[int, int]:
    """Set input pins (lock held): (0, previous input values) or (-EINVAL, 0)."""
    data: gpio_emul_data = port.data
    if ~get_input_pins(port) & mask:
        return -errno.EINVAL, 0
    prev_values = data.input_vals
    data.input_vals = (data.input_vals & ~mask) | values
    return 0, prev_values


def gpio_emul_input_set_masked_pend(port: device, mask: int, values: int, pend: bool) -> int:
    data: gpio_emul_data = port.data
    if mask == 0:
        return 0
    if ~port.config.common.port_pin_mask & mask:
        return -errno.EINVAL
    if values & ~mask:
        return -errno.EINVAL
    key = k_spin_lock(data.lock)
    ret, prev_values = _input_set_locked(port, mask, values)
    values = data.input_vals
    k_spin_unlock(data.lock, key)
    if ret == 0 and pend:
        gpio_emul_pend_interrupt(port, mask, prev_values, values)
    return ret


def gpio_emul_input_set_masked(port: device, mask: int, values: int) -> int:
    return gpio_emul_input_set_masked_pend(port, mask, values, True)


def gpio_emul_output_get_masked(port: device, mask: int) -> tuple[int, int]:
    data: gpio_emul_data = port.data
    if mask == 0:
        return 0, 0
    if ~port.config.common.port_pin_mask & mask:
        return -errno.EINVAL, 0
    key = k_spin_lock(data.lock)
    values = data.output_vals & get_output_pins(port)
    k_spin_unlock(data.lock, key)
    return 0, values


def gpio_emul_flags_get(port: device, pin: int) -> tuple[int, int]:
    data: gpio_emul_data = port.data
    if not 0 <= pin < 32 or port.config.common.port_pin_mask & (1 << pin) == 0:
        return -errno.EINVAL, 0
    key = k_spin_lock(data.lock)
    flags = data.flags[pin]
    k_spin_unlock(data.lock, key)
    return 0, flags


# -- GPIO API -----------------------------------------------------------------------------------


def gpio_emul_pin_configure(port: device, pin: int, flags: int) -> int:
    data: gpio_emul_data = port.data
    if flags & GPIO_OPEN_DRAIN:
        return -errno.ENOTSUP
    if flags & GPIO_OPEN_SOURCE:
        return -errno.ENOTSUP
    if not 0 <= pin < 32 or port.config.common.port_pin_mask & (1 << pin) == 0:
        return -errno.EINVAL
    bit = 1 << pin
    key = k_spin_lock(data.lock)
    data.flags[pin] = flags
    if flags & GPIO_OUTPUT:
        if flags & GPIO_OUTPUT_INIT_LOW:
            data.output_vals &= ~bit
        elif flags & GPIO_OUTPUT_INIT_HIGH:
            data.output_vals |= bit
        if flags & GPIO_INPUT and flags & (GPIO_OUTPUT_INIT_LOW | GPIO_OUTPUT_INIT_HIGH):
            _input_set_locked(port, bit, data.output_vals & bit)  # push-pull: wired to itself
    elif flags & GPIO_INPUT:
        if flags & GPIO_PULL_UP:
            _input_set_locked(port, bit, bit)
        elif flags & GPIO_PULL_DOWN:
            _input_set_locked(port, bit, 0)
    # the pin's configuration changed: an interrupt it had pending is gone
    data.interrupts &= ~bit
    k_spin_unlock(data.lock, key)
    gpio_fire_callbacks(data.callbacks, port, bit)
    return 0


def gpio_emul_port_get_raw(port: device) -> tuple[int, int]:
    data: gpio_emul_data = port.data
    key = k_spin_lock(data.lock)
    values = data.input_vals & get_input_pins(port)
    k_spin_unlock(data.lock, key)
    return 0, values


def _outputs_changed(port: device, mask: int, wiring: Callable[[int, int], int]) -> int:
    """Set outputs with wiring(output_vals, output_mask) -> new output_vals; in push-pull,
    the inputs of `mask` follow (and may interrupt). Returns the outputs that changed level."""
    data: gpio_emul_data = port.data
    key = k_spin_lock(data.lock)
    outputs = get_output_pins(port)
    inputs = get_input_pins(port)
    prev = data.output_vals
    data.output_vals = wiring(data.output_vals, outputs)
    follow = mask & outputs & inputs
    ret, prev_inputs = _input_set_locked(port, follow, data.output_vals & follow)
    values = data.input_vals
    k_spin_unlock(data.lock, key)
    if follow and ret == 0:
        gpio_emul_pend_interrupt(port, follow, prev_inputs, values)
    return (prev ^ data.output_vals) & outputs


def gpio_emul_port_set_masked_raw(port: device, mask: int, values: int) -> int:
    data: gpio_emul_data = port.data
    outputs = get_output_pins(port)
    changed = _outputs_changed(
        port, mask, lambda vals, outs: (vals & ~(mask & outs)) | (values & mask & outs))
    if changed:  # for output-wiring: the user can act on the outputs
        gpio_fire_callbacks(data.callbacks, port, mask & outputs & ~get_input_pins(port))
    return 0


def gpio_emul_port_set_bits_raw(port: device, pins: int) -> int:
    data: gpio_emul_data = port.data
    _outputs_changed(port, pins, lambda vals, outs: vals | (pins & outs))
    gpio_fire_callbacks(data.callbacks, port, pins & get_output_pins(port) & ~get_input_pins(port))
    return 0


def gpio_emul_port_clear_bits_raw(port: device, pins: int) -> int:
    data: gpio_emul_data = port.data
    _outputs_changed(port, pins, lambda vals, outs: vals & ~(pins & outs))
    gpio_fire_callbacks(data.callbacks, port, pins & get_output_pins(port) & ~get_input_pins(port))
    return 0


def gpio_emul_port_toggle_bits(port: device, pins: int) -> int:
    data: gpio_emul_data = port.data
    key = k_spin_lock(data.lock)
    outputs = get_output_pins(port)
    data.output_vals ^= pins & outputs
    follow = pins & outputs & get_input_pins(port)
    _input_set_locked(port, follow, data.output_vals & follow)  # inputs follow, no interrupt
    k_spin_unlock(data.lock, key)
    gpio_fire_callbacks(data.callbacks, port, pins)
    return 0


def gpio_emul_level_trigger_supported(port: device, trig: int) -> bool:
    caps = {GPIO_INT_TRIG_LOW: GPIO_EMUL_INT_CAP_LEVEL_LOW,
            GPIO_INT_TRIG_HIGH: GPIO_EMUL_INT_CAP_LEVEL_HIGH,
            GPIO_INT_TRIG_BOTH: GPIO_EMUL_INT_CAP_LEVEL_LOW | GPIO_EMUL_INT_CAP_LEVEL_HIGH}
    return trig in caps and gpio_emul_config_has_caps(port, caps[trig])


def gpio_emul_edge_trigger_supported(port: device, trig: int) -> bool:
    caps = {GPIO_INT_TRIG_LOW: GPIO_EMUL_INT_CAP_EDGE_FALLING,
            GPIO_INT_TRIG_HIGH: GPIO_EMUL_INT_CAP_EDGE_RISING,
            GPIO_INT_TRIG_BOTH: GPIO_EMUL_INT_CAP_EDGE_FALLING | GPIO_EMUL_INT_CAP_EDGE_RISING}
    return trig in caps and gpio_emul_config_has_caps(port, caps[trig])


def gpio_emul_pin_interrupt_configure(port: device, pin: int, mode: int, trig: int) -> int:
    data: gpio_emul_data = port.data
    if not 0 <= pin < 32 or port.config.common.port_pin_mask & (1 << pin) == 0:
        return -errno.EINVAL
    if mode != GPIO_INT_MODE_DISABLED and trig not in (GPIO_INT_TRIG_LOW, GPIO_INT_TRIG_HIGH,
                                                         GPIO_INT_TRIG_BOTH):
        return -errno.EINVAL
    if mode == GPIO_INT_MODE_LEVEL and not gpio_emul_level_trigger_supported(port, trig):
        return -errno.ENOTSUP
    if mode == GPIO_INT_MODE_EDGE and not gpio_emul_edge_trigger_supported(port, trig):
        return -errno.ENOTSUP
    if mode not in (GPIO_INT_MODE_DISABLED, GPIO_INT_MODE_LEVEL, GPIO_INT_MODE_EDGE):
        return -errno.EINVAL
    key = k_spin_lock(data.lock)
    data.flags[pin] &= ~GPIO_EMUL_INT_BITMASK
    data.flags[pin] |= GPIO_INT_DISABLE if mode == GPIO_INT_MODE_DISABLED else mode | trig
    k_spin_unlock(data.lock, key)
    return 0


def gpio_emul_manage_callback(port: device, cb: gpio_callback, set: bool) -> int:  # noqa: A002
    data: gpio_emul_data = port.data
    return gpio_manage_callback(data.callbacks, cb, set)


def gpio_emul_get_pending_int(dev: device) -> int:
    data: gpio_emul_data = dev.data
    return data.interrupts


# -- ISR ------------------------------------------------------------------------------------


def gpio_emul_isr(port: device) -> None:
    """Fire the callbacks of the pending pins; a level pin that still holds its level
    interrupts again (its callback must disable it or change the input, as in C)."""
    data: gpio_emul_data = port.data
    while True:
        key = k_spin_lock(data.lock)
        pending, data.interrupts = data.interrupts, 0
        k_spin_unlock(data.lock, key)
        if pending == 0:
            return
        gpio_fire_callbacks(data.callbacks, port, pending)
        key = k_spin_lock(data.lock)
        data.interrupts |= gpio_emul_gen_interrupt_bits(port, pending, data.input_vals,
                                                        data.input_vals, False)
        k_spin_unlock(data.lock, key)


# -- init -------------------------------------------------------------------------------------


def gpio_emul_init(dev: device) -> int:
    data: gpio_emul_data = dev.data
    cfg: gpio_emul_config = dev.config
    data.callbacks = []
    if cfg.irq >= 0:
        if irq_connect_dynamic(cfg.irq, cfg.irq_priority, gpio_emul_isr, dev,
                               cfg.irq_flags) < 0:
            LOG_ERR("%s: cannot connect IRQ %d", dev.name, cfg.irq)
            return -errno.EIO
        irq_enable(cfg.irq)
    return 0


# -- API table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class gpio_emul_driver_api(gpio_driver_api):
    """The GPIO API plus the backend of <zephyr/drivers/gpio/gpio_emul.h>."""

    input_set_masked: Callable[[device, int, int], int] | None = None
    output_get_masked: Callable[[device, int], tuple[int, int]] | None = None
    flags_get: Callable[[device, int], tuple[int, int]] | None = None


gpio_emul_driver = gpio_emul_driver_api(
    pin_configure=gpio_emul_pin_configure,
    port_get_raw=gpio_emul_port_get_raw,
    port_set_masked_raw=gpio_emul_port_set_masked_raw,
    port_set_bits_raw=gpio_emul_port_set_bits_raw,
    port_clear_bits_raw=gpio_emul_port_clear_bits_raw,
    port_toggle_bits=gpio_emul_port_toggle_bits,
    pin_interrupt_configure=gpio_emul_pin_interrupt_configure,
    manage_callback=gpio_emul_manage_callback,
    get_pending_int=gpio_emul_get_pending_int,
    input_set_masked=gpio_emul_input_set_masked,
    output_get_masked=gpio_emul_output_get_masked,
    flags_get=gpio_emul_flags_get,
)

# -- instances ---------------------------------------------------------------------------------


def GPIO_EMUL_INT_CAPS(n: int) -> int:
    return (DT_INST_PROP(n, "rising_edge") * GPIO_EMUL_INT_CAP_EDGE_RISING
            + DT_INST_PROP(n, "falling_edge") * GPIO_EMUL_INT_CAP_EDGE_FALLING
            + DT_INST_PROP(n, "high_level") * GPIO_EMUL_INT_CAP_LEVEL_HIGH
            + DT_INST_PROP(n, "low_level") * GPIO_EMUL_INT_CAP_LEVEL_LOW)


def DEFINE_GPIO_EMUL(n: int) -> None:
    ngpios = DT_INST_PROP(n, "ngpios")
    config = gpio_emul_config(gpio_driver_config(GPIO_PORT_PIN_MASK_FROM_DT_INST(n)), ngpios,
                              GPIO_EMUL_INT_CAPS(n))
    if DT_INST_IRQ_HAS_IDX(n, 0):
        config.irq = DT_INST_IRQN(n)
        config.irq_priority = DT_INST_IRQ(n, "priority")
        config.irq_flags = DT_INST_IRQ(n, "sense")
    data = gpio_emul_data(flags=[0] * ngpios)
    DEVICE_DT_INST_DEFINE(n, gpio_emul_init, None, data, config, POST_KERNEL,
                          CONFIG_GPIO_INIT_PRIORITY, gpio_emul_driver)


DT_INST_FOREACH_STATUS_OKAY(DEFINE_GPIO_EMUL)
