"""The I2C API of <zephyr/drivers/i2c.h>, function for function (zpy.drivers.i2c re-exports it).

Every transfer goes through the controller's `i2c_driver_api.transfer` as a
list of i2c_msg, as in C: i2c_write_read() is a write message and a read
message with a repeated start, i2c_reg_read_byte() a one-byte burst read, and
the last message of a transfer always ends with a STOP. Return codes are the
driver's: 0, -EIO (no device answered at the address, or it refused the
transfer), -ENOSYS (the driver lacks the operation), ...

Buffers are Python buffers: what is written is any bytes-like object; what is
read lands in the caller's bytearray (or writable memoryview), as the C calls
fill a `uint8_t *`. A single value read is returned after the return code:
`rc, value = i2c_reg_read_byte_dt(&spec, reg)` is C's `&value`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from zpy import errno
from zpy.kernel.device import DEVICE_DT_DEFINE, DEVICE_DT_GET, device, device_api_entry
from zpy.kernel.device import z_device_is_ready as _ready

# -- configuration bits ------------------------------------------------------------------------

I2C_SPEED_STANDARD = 0x1  # 100 kbit/s
I2C_SPEED_FAST = 0x2  # 400 kbit/s
I2C_SPEED_FAST_PLUS = 0x3  # 1 Mbit/s
I2C_SPEED_HIGH = 0x4  # 3.4 Mbit/s
I2C_SPEED_ULTRA = 0x5  # 5 Mbit/s
I2C_SPEED_DT = 0x7  # the devicetree's clock-frequency
I2C_SPEED_SHIFT = 1
I2C_SPEED_MASK = 0x7 << I2C_SPEED_SHIFT
I2C_ADDR_10_BITS = 1 << 0
I2C_MODE_CONTROLLER = 1 << 4

#: the devicetree's clock-frequency values (<zephyr/dt-bindings/i2c/i2c.h>)
I2C_BITRATE_STANDARD = 100000
I2C_BITRATE_FAST = 400000
I2C_BITRATE_FAST_PLUS = 1000000
I2C_BITRATE_HIGH = 3400000
I2C_BITRATE_ULTRA = 5000000


def I2C_SPEED_SET(speed: int) -> int:
    return (speed << I2C_SPEED_SHIFT) & I2C_SPEED_MASK


def I2C_SPEED_GET(cfg: int) -> int:
    return (cfg & I2C_SPEED_MASK) >> I2C_SPEED_SHIFT


def i2c_map_dt_bitrate(bitrate: int) -> int:
    """The configuration bits of a devicetree clock-frequency; 0 for a rate I2C lacks."""
    speeds = {I2C_BITRATE_STANDARD: I2C_SPEED_STANDARD, I2C_BITRATE_FAST: I2C_SPEED_FAST,
              I2C_BITRATE_FAST_PLUS: I2C_SPEED_FAST_PLUS, I2C_BITRATE_HIGH: I2C_SPEED_HIGH,
              I2C_BITRATE_ULTRA: I2C_SPEED_ULTRA}
    speed = speeds.get(bitrate)
    return I2C_SPEED_SET(speed) if speed is not None else 0


# -- messages ---------------------------------------------------------------------------------

I2C_MSG_WRITE = 0 << 0
I2C_MSG_READ = 1 << 0
I2C_MSG_RW_MASK = 1 << 0
I2C_MSG_STOP = 1 << 1
I2C_MSG_RESTART = 1 << 2
I2C_MSG_ADDR_10_BITS = 1 << 3


@dataclass(eq=False)
class i2c_msg:
    """struct i2c_msg: `len` bytes of `buf`, written (any bytes-like) or read into (a
    bytearray or writable memoryview), with I2C_MSG_* flags."""

    buf: Any
    len: int
    flags: int = I2C_MSG_WRITE


def i2c_is_read_op(msg: i2c_msg) -> bool:
    return (msg.flags & I2C_MSG_READ) == I2C_MSG_READ


def i2c_is_stop_op(msg: i2c_msg) -> bool:
    return (msg.flags & I2C_MSG_STOP) == I2C_MSG_STOP


@dataclass(frozen=True)
class i2c_dt_spec:
    """struct i2c_dt_spec: the bus controller's device and the target's address."""

    bus: device
    addr: int


@dataclass(frozen=True)
class i2c_driver_api:
    """struct i2c_driver_api (the controller-mode entries; None: the driver lacks it)."""

    configure: Callable[[device, int], int] | None = None
    get_config: Callable[[device], tuple[int, int]] | None = None
    transfer: Callable[[device, list[i2c_msg], int, int], int] | None = None
    recover_bus: Callable[[device], int] | None = None


# -- devicetree ------------------------------------------------------------------------------------


def I2C_DT_SPEC_GET(node_id: Any) -> i2c_dt_spec:
    """The bus device (the node's parent controller) and the node's reg address."""
    from zpy.devicetree import DT_BUS, DT_REG_ADDR

    return i2c_dt_spec(DEVICE_DT_GET(DT_BUS(node_id)), DT_REG_ADDR(node_id))


def I2C_DT_SPEC_INST_GET(inst: int) -> i2c_dt_spec:
    from zpy.devicetree import DT_DRV_INST

    return I2C_DT_SPEC_GET(DT_DRV_INST(inst))


def I2C_DEVICE_DT_DEFINE(node_id: Any, init_fn: Callable[..., int] | None, pm: Any, data: Any,
                         config: Any, level: Any, prio: int, api: Any, *deps: Any) -> device:
    """DEVICE_DT_DEFINE for an I2C controller (C adds statistics with CONFIG_I2C_STATS)."""
    return DEVICE_DT_DEFINE(node_id, init_fn, pm, data, config, level, prio, api, *deps)


def I2C_DEVICE_DT_INST_DEFINE(inst: int, init_fn: Callable[..., int] | None, pm: Any, data: Any,
                              config: Any, level: Any, prio: int, api: Any,
                              *deps: Any) -> device:
    from zpy.devicetree import DT_DRV_INST

    return I2C_DEVICE_DT_DEFINE(DT_DRV_INST(inst), init_fn, pm, data, config, level, prio, api,
                                *deps)


def i2c_is_ready_dt(spec: i2c_dt_spec) -> bool:
    """Is the spec's bus ready (device_is_ready)?"""
    return _ready(spec.bus)


# -- the controller ---------------------------------------------------------------------------


def i2c_configure(dev: device, dev_config: int) -> int:
    """Set the bus speed and mode (I2C_SPEED_SET(...) | I2C_MODE_CONTROLLER)."""
    device_api_entry()
    fn = dev.api.configure
    if fn is None:
        return -errno.ENOSYS
    return fn(dev, dev_config)  # type: ignore[no-any-return]


def i2c_get_config(dev: device) -> tuple[int, int]:
    """(0, configuration) or (-ENOSYS, 0)."""
    device_api_entry()
    fn = dev.api.get_config
    if fn is None:
        return -errno.ENOSYS, 0
    return fn(dev)  # type: ignore[no-any-return]


def i2c_recover_bus(dev: device) -> int:
    device_api_entry()
    fn = dev.api.recover_bus
    if fn is None:
        return -errno.ENOSYS
    return fn(dev)  # type: ignore[no-any-return]


def _check(msgs: Sequence[i2c_msg], num_msgs: int) -> list[i2c_msg]:
    """C reads num_msgs structs and len bytes of each buffer: more than there are is memory
    C would run past, which Python refuses."""
    if not 0 <= num_msgs <= min(len(msgs), 255):
        raise ValueError(f"i2c_transfer: num_msgs {num_msgs} but {len(msgs)} messages given")
    for msg in msgs[:num_msgs]:
        size = memoryview(msg.buf).nbytes
        if not 0 <= msg.len <= size:
            raise ValueError(f"i2c_transfer: a message of len {msg.len} on a buffer of "
                             f"{size} bytes")
        if i2c_is_read_op(msg) and memoryview(msg.buf).readonly:
            raise TypeError("i2c_transfer: a read message needs a writable buffer "
                            "(a bytearray), not bytes")
    return list(msgs[:num_msgs])


def i2c_transfer(dev: device, msgs: Sequence[i2c_msg], num_msgs: int, addr: int) -> int:
    """Run the messages as one transaction with the target at `addr`; the last message gets
    a STOP, as in C."""
    device_api_entry()
    batch = _check(msgs, num_msgs)
    if not batch:
        return 0
    batch[-1].flags |= I2C_MSG_STOP
    fn = dev.api.transfer
    if fn is None:
        return -errno.ENOSYS
    return fn(dev, batch, num_msgs, addr & 0xFFFF)  # type: ignore[no-any-return]


def i2c_transfer_dt(spec: i2c_dt_spec, msgs: Sequence[i2c_msg], num_msgs: int) -> int:
    return i2c_transfer(spec.bus, msgs, num_msgs, spec.addr)


def i2c_write(dev: device, buf: Any, num_bytes: int, addr: int) -> int:
    """Write num_bytes of buf to the target."""
    return i2c_transfer(dev, [i2c_msg(buf, num_bytes, I2C_MSG_WRITE | I2C_MSG_STOP)], 1, addr)


def i2c_write_dt(spec: i2c_dt_spec, buf: Any, num_bytes: int) -> int:
    return i2c_write(spec.bus, buf, num_bytes, spec.addr)


def i2c_read(dev: device, buf: Any, num_bytes: int, addr: int) -> int:
    """Read num_bytes from the target into buf (a bytearray)."""
    return i2c_transfer(dev, [i2c_msg(buf, num_bytes, I2C_MSG_READ | I2C_MSG_STOP)], 1, addr)


def i2c_read_dt(spec: i2c_dt_spec, buf: Any, num_bytes: int) -> int:
    return i2c_read(spec.bus, buf, num_bytes, spec.addr)


def i2c_write_read(dev: device, addr: int, write_buf: Any, num_write: int, read_buf: Any,
                   num_read: int) -> int:
    """Write, then read after a repeated start (a register address, then its contents)."""
    msgs = [i2c_msg(write_buf, num_write, I2C_MSG_WRITE),
            i2c_msg(read_buf, num_read, I2C_MSG_RESTART | I2C_MSG_READ | I2C_MSG_STOP)]
    return i2c_transfer(dev, msgs, 2, addr)


def i2c_write_read_dt(spec: i2c_dt_spec, write_buf: Any, num_write: int, read_buf: Any,
                      num_read: int) -> int:
    return i2c_write_read(spec.bus, spec.addr, write_buf, num_write, read_buf, num_read)


def i2c_burst_read(dev: device, dev_addr: int, start_addr: int, buf: Any, num_bytes: int) -> int:
    """Read num_bytes of consecutive registers from start_addr (an 8-bit address)."""
    return i2c_write_read(dev, dev_addr, bytes([start_addr & 0xFF]), 1, buf, num_bytes)


def i2c_burst_read_dt(spec: i2c_dt_spec, start_addr: int, buf: Any, num_bytes: int) -> int:
    return i2c_burst_read(spec.bus, spec.addr, start_addr, buf, num_bytes)


def i2c_burst_write(dev: device, dev_addr: int, start_addr: int, buf: Any,
                    num_bytes: int) -> int:
    """Write num_bytes to consecutive registers from start_addr (two write messages)."""
    msgs = [i2c_msg(bytes([start_addr & 0xFF]), 1, I2C_MSG_WRITE),
            i2c_msg(buf, num_bytes, I2C_MSG_WRITE | I2C_MSG_STOP)]
    return i2c_transfer(dev, msgs, 2, dev_addr)


def i2c_burst_write_dt(spec: i2c_dt_spec, start_addr: int, buf: Any, num_bytes: int) -> int:
    return i2c_burst_write(spec.bus, spec.addr, start_addr, buf, num_bytes)


def i2c_reg_read_byte(dev: device, dev_addr: int, reg_addr: int) -> tuple[int, int]:
    """(0, value) of one 8-bit register, or (-errno, 0)."""
    value = bytearray(1)
    rc = i2c_write_read(dev, dev_addr, bytes([reg_addr & 0xFF]), 1, value, 1)
    return rc, (value[0] if rc == 0 else 0)


def i2c_reg_read_byte_dt(spec: i2c_dt_spec, reg_addr: int) -> tuple[int, int]:
    return i2c_reg_read_byte(spec.bus, spec.addr, reg_addr)


def i2c_reg_write_byte(dev: device, dev_addr: int, reg_addr: int, value: int) -> int:
    """Write one 8-bit register (one message: the address, then the value)."""
    return i2c_write(dev, bytes([reg_addr & 0xFF, value & 0xFF]), 2, dev_addr)


def i2c_reg_write_byte_dt(spec: i2c_dt_spec, reg_addr: int, value: int) -> int:
    return i2c_reg_write_byte(spec.bus, spec.addr, reg_addr, value)


def i2c_reg_update_byte(dev: device, dev_addr: int, reg_addr: int, mask: int, value: int) -> int:
    """Read, change the bits in mask, write back (nothing is written if nothing changes)."""
    rc, old_value = i2c_reg_read_byte(dev, dev_addr, reg_addr)
    if rc != 0:
        return rc
    new_value = (old_value & ~mask) | (value & mask)
    if new_value == old_value:
        return 0
    return i2c_reg_write_byte(dev, dev_addr, reg_addr, new_value)


def i2c_reg_update_byte_dt(spec: i2c_dt_spec, reg_addr: int, mask: int, value: int) -> int:
    return i2c_reg_update_byte(spec.bus, spec.addr, reg_addr, mask, value)
