"""Zephyr's ns16550 UART driver (drivers/serial/uart_ns16550.c) in Python, for I/O-mapped ports.

One device per okay "ns16550" node, at PRE_KERNEL_1. Init programs the divisor
from the node's clock-frequency and current-speed, 8N1, DTR/RTS/OUT2, the
FIFO, and masks every interrupt; with CONFIG_UART_INTERRUPT_DRIVEN it connects
the node's interrupt (IRQ 4 on qemu_x86_64) to the ISR, which calls the
callback the user set. Registers are reached with sys_in8/sys_out8, as the C
driver does for `io-mapped` nodes; the driver knows nothing of the machine.

Data, register helpers, API, init, API table, DEVICE_DT_INST_DEFINE at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from zpy import errno
from zpy.autoconf import CONFIG_SERIAL_INIT_PRIORITY
from zpy.device import DEVICE_API, DEVICE_DT_INST_DEFINE, device
from zpy.devicetree import (
    DT_INST_FOREACH_STATUS_OKAY,
    DT_INST_IRQ,
    DT_INST_IRQN,
    DT_INST_PROP_OR,
    DT_INST_REG_ADDR,
)
from zpy.drivers.uart import (
    UART_CFG_DATA_BITS_5,
    UART_CFG_DATA_BITS_6,
    UART_CFG_DATA_BITS_7,
    UART_CFG_DATA_BITS_8,
    UART_CFG_FLOW_CTRL_NONE,
    UART_CFG_PARITY_EVEN,
    UART_CFG_PARITY_NONE,
    UART_CFG_PARITY_ODD,
    UART_CFG_STOP_BITS_1,
    UART_CFG_STOP_BITS_2,
    uart_config,
    uart_driver_api,
    uart_irq_callback_user_data_t,
)
from zpy.init import PRE_KERNEL_1
from zpy.kernel import (
    IS_ENABLED,
    irq_connect_dynamic,
    irq_enable,
    irq_lock,
    irq_unlock,
    sys_in8,
    sys_out8,
)
from zpy.logging import LOG_ERR, LOG_MODULE_REGISTER

DT_DRV_COMPAT = "ns16550"
LOG_MODULE_REGISTER("uart_ns16550", "CONFIG_UART_LOG_LEVEL")

INTERRUPT_DRIVEN = IS_ENABLED("CONFIG_UART_INTERRUPT_DRIVEN")

# -- registers (byte offsets from the port) ----------------------------------------------

REG_THR = 0x00  # transmitter holding
REG_RDR = 0x00  # receiver data
REG_BRDL = 0x00  # baud rate divisor, low (DLAB)
REG_BRDH = 0x01  # baud rate divisor, high (DLAB)
REG_IER = 0x01  # interrupt enable
REG_IIR = 0x02  # interrupt identification
REG_FCR = 0x02  # FIFO control
REG_LCR = 0x03  # line control
REG_MDC = 0x04  # modem control
REG_LSR = 0x05  # line status
REG_MSR = 0x06  # modem status

IER_RXRDY = 0x01
IER_TBE = 0x02
IER_LSR = 0x04
IER_MSI = 0x08

IIR_NIP = 0x01  # no interrupt pending
IIR_THRE = 0x02
IIR_RBRF = 0x04
IIR_ID = 0x06
IIR_FE = 0xC0  # FIFO mode enabled

FCR_FIFO = 0x01
FCR_RCVRCLR = 0x02
FCR_XMITCLR = 0x04
FCR_FIFO_8 = 0x80

LCR_CS5, LCR_CS6, LCR_CS7, LCR_CS8 = 0x00, 0x01, 0x02, 0x03
LCR_1_STB = 0x00
LCR_2_STB = 0x04
LCR_PDIS = 0x00
LCR_PEN = 0x08
LCR_EPS = 0x10
LCR_DLAB = 0x80

MCR_DTR = 0x01
MCR_RTS = 0x02
MCR_OUT2 = 0x08

LSR_RXRDY = 0x01
LSR_OE = 0x02
LSR_PE = 0x04
LSR_FE = 0x08
LSR_BOI = 0x10
LSR_THRE = 0x20
LSR_TEMT = 0x40

# -- data ---------------------------------------------------------------------------------


@dataclass
class uart_ns16550_device_config:
    port: int
    sys_clk_freq: int
    irq: int = -1
    irq_priority: int = 0
    irq_flags: int = 0


@dataclass
class uart_ns16550_dev_data:
    uart_config: uart_config = field(default_factory=uart_config)
    fifo_size: int = 1
    iir_cache: int = IIR_NIP
    cb: uart_irq_callback_user_data_t | None = None
    cb_data: Any = None


# -- register helpers ---------------------------------------------------------------------


def _in(dev: device, reg: int) -> int:
    return sys_in8(dev.config.port + reg)


def _out(dev: device, reg: int, value: int) -> None:
    sys_out8(value & 0xFF, dev.config.port + reg)


def set_baud_rate(dev: device, baud_rate: int) -> None:
    """Divisor = clock / (16 * baud), rounded to nearest, written with DLAB set."""
    pclk = dev.config.sys_clk_freq
    if baud_rate == 0 or pclk == 0:
        return
    divisor = ((pclk + (baud_rate << 3)) // baud_rate) >> 4
    lcr = _in(dev, REG_LCR)
    _out(dev, REG_LCR, lcr | LCR_DLAB)
    _out(dev, REG_BRDL, divisor & 0xFF)
    _out(dev, REG_BRDH, (divisor >> 8) & 0xFF)
    _out(dev, REG_LCR, lcr)


_DATA_BITS = {UART_CFG_DATA_BITS_5: LCR_CS5, UART_CFG_DATA_BITS_6: LCR_CS6,
              UART_CFG_DATA_BITS_7: LCR_CS7, UART_CFG_DATA_BITS_8: LCR_CS8}
_STOP_BITS = {UART_CFG_STOP_BITS_1: LCR_1_STB, UART_CFG_STOP_BITS_2: LCR_2_STB}
_PARITY = {UART_CFG_PARITY_NONE: LCR_PDIS, UART_CFG_PARITY_ODD: LCR_PEN,
           UART_CFG_PARITY_EVEN: LCR_PEN | LCR_EPS}

# -- API ------------------------------------------------------------------------------------


def uart_ns16550_configure(dev: device, cfg: uart_config) -> int:
    data: uart_ns16550_dev_data = dev.data
    if (cfg.data_bits not in _DATA_BITS or cfg.stop_bits not in _STOP_BITS
            or cfg.parity not in _PARITY or cfg.flow_ctrl != UART_CFG_FLOW_CTRL_NONE):
        return -errno.ENOTSUP
    key = irq_lock()
    try:
        set_baud_rate(dev, cfg.baudrate)
        _out(dev, REG_LCR, _DATA_BITS[cfg.data_bits] | _STOP_BITS[cfg.stop_bits]
             | _PARITY[cfg.parity])
        _out(dev, REG_MDC, MCR_OUT2 | MCR_RTS | MCR_DTR)
        _out(dev, REG_FCR, FCR_FIFO | FCR_FIFO_8 | FCR_RCVRCLR | FCR_XMITCLR)
        data.fifo_size = 16 if _in(dev, REG_IIR) & IIR_FE == IIR_FE else 1
        # clear the port: line status, one stale character, interrupt state
        _in(dev, REG_LSR)
        _in(dev, REG_RDR)
        _out(dev, REG_IER, 0x00)
        data.uart_config = replace(cfg)
    finally:
        irq_unlock(key)
    return 0


def uart_ns16550_config_get(dev: device) -> tuple[int, uart_config | None]:
    return 0, replace(dev.data.uart_config)


def uart_ns16550_poll_in(dev: device) -> tuple[int, int]:
    key = irq_lock()
    try:
        if _in(dev, REG_LSR) & LSR_RXRDY:
            return 0, _in(dev, REG_RDR)
        return -1, 0
    finally:
        irq_unlock(key)


def uart_ns16550_poll_out(dev: device, c: int) -> None:
    key = irq_lock()
    try:
        while not _in(dev, REG_LSR) & LSR_THRE:
            pass
        _out(dev, REG_THR, c)
    finally:
        irq_unlock(key)


def uart_ns16550_err_check(dev: device) -> int:
    return (_in(dev, REG_LSR) & (LSR_OE | LSR_PE | LSR_FE | LSR_BOI)) >> 1


def uart_ns16550_fifo_fill(dev: device, tx_data: Any, size: int) -> int:
    data: uart_ns16550_dev_data = dev.data
    view = memoryview(tx_data).cast("B") if not isinstance(tx_data, (bytes, bytearray)) \
        else tx_data
    n = min(size, data.fifo_size, len(view))
    for i in range(n):
        _out(dev, REG_THR, view[i])
    return n


def uart_ns16550_fifo_read(dev: device, rx_data: Any, size: int) -> int:
    view = memoryview(rx_data).cast("B")
    size = min(size, len(view))
    i = 0
    while i < size and _in(dev, REG_LSR) & LSR_RXRDY:
        view[i] = _in(dev, REG_RDR)
        i += 1
    return i


def uart_ns16550_irq_tx_enable(dev: device) -> None:
    key = irq_lock()
    try:
        _out(dev, REG_IER, _in(dev, REG_IER) | IER_TBE)
    finally:
        irq_unlock(key)


def uart_ns16550_irq_tx_disable(dev: device) -> None:
    key = irq_lock()
    try:
        _out(dev, REG_IER, _in(dev, REG_IER) & ~IER_TBE)
    finally:
        irq_unlock(key)


def uart_ns16550_irq_tx_ready(dev: device) -> int:
    return 1 if dev.data.iir_cache & IIR_ID == IIR_THRE else 0


def uart_ns16550_irq_tx_complete(dev: device) -> int:
    both = LSR_TEMT | LSR_THRE
    return 1 if _in(dev, REG_LSR) & both == both else 0


def uart_ns16550_irq_rx_enable(dev: device) -> None:
    key = irq_lock()
    try:
        _out(dev, REG_IER, _in(dev, REG_IER) | IER_RXRDY)
    finally:
        irq_unlock(key)


def uart_ns16550_irq_rx_disable(dev: device) -> None:
    key = irq_lock()
    try:
        _out(dev, REG_IER, _in(dev, REG_IER) & ~IER_RXRDY)
    finally:
        irq_unlock(key)


def uart_ns16550_irq_rx_ready(dev: device) -> int:
    return 1 if dev.data.iir_cache & IIR_ID == IIR_RBRF else 0


def uart_ns16550_irq_err_enable(dev: device) -> None:
    _out(dev, REG_IER, _in(dev, REG_IER) | IER_LSR)


def uart_ns16550_irq_err_disable(dev: device) -> None:
    _out(dev, REG_IER, _in(dev, REG_IER) & ~IER_LSR)


def uart_ns16550_irq_is_pending(dev: device) -> int:
    return 0 if dev.data.iir_cache & IIR_NIP else 1


def uart_ns16550_irq_update(dev: device) -> int:
    dev.data.iir_cache = _in(dev, REG_IIR)
    return 1


def uart_ns16550_irq_callback_set(dev: device, cb: uart_irq_callback_user_data_t | None,
                                  cb_data: Any) -> None:
    data: uart_ns16550_dev_data = dev.data
    key = irq_lock()
    try:
        data.cb = cb
        data.cb_data = cb_data
    finally:
        irq_unlock(key)


def uart_ns16550_isr(dev: device) -> None:
    """The UART's interrupt: hand it to the user's callback, which drains or fills the FIFO."""
    data: uart_ns16550_dev_data = dev.data
    if data.cb is not None:
        data.cb(dev, data.cb_data)


# -- init ---------------------------------------------------------------------------------------


def uart_ns16550_init(dev: device) -> int:
    data: uart_ns16550_dev_data = dev.data
    cfg: uart_ns16550_device_config = dev.config
    rc = uart_ns16550_configure(dev, data.uart_config)
    if rc != 0:
        LOG_ERR("%s: cannot configure the port (%d)", dev.name, rc)
        return rc
    if INTERRUPT_DRIVEN and cfg.irq >= 0:
        if irq_connect_dynamic(cfg.irq, cfg.irq_priority, uart_ns16550_isr, dev,
                               cfg.irq_flags) < 0:
            LOG_ERR("%s: cannot connect IRQ %d", dev.name, cfg.irq)
            return -errno.EBUSY
        irq_enable(cfg.irq)
    return 0


# -- API table ------------------------------------------------------------------------------------

_IRQ_OPS: dict[str, Any] = dict(
    fifo_fill=uart_ns16550_fifo_fill,
    fifo_read=uart_ns16550_fifo_read,
    irq_tx_enable=uart_ns16550_irq_tx_enable,
    irq_tx_disable=uart_ns16550_irq_tx_disable,
    irq_tx_ready=uart_ns16550_irq_tx_ready,
    irq_rx_enable=uart_ns16550_irq_rx_enable,
    irq_rx_disable=uart_ns16550_irq_rx_disable,
    irq_tx_complete=uart_ns16550_irq_tx_complete,
    irq_rx_ready=uart_ns16550_irq_rx_ready,
    irq_err_enable=uart_ns16550_irq_err_enable,
    irq_err_disable=uart_ns16550_irq_err_disable,
    irq_is_pending=uart_ns16550_irq_is_pending,
    irq_update=uart_ns16550_irq_update,
    irq_callback_set=uart_ns16550_irq_callback_set,
) if INTERRUPT_DRIVEN else {}

uart_ns16550_driver_api = DEVICE_API(
    uart_driver_api,
    poll_in=uart_ns16550_poll_in,
    poll_out=uart_ns16550_poll_out,
    err_check=uart_ns16550_err_check,
    configure=uart_ns16550_configure,
    config_get=uart_ns16550_config_get,
    **_IRQ_OPS,
)

# -- instances ------------------------------------------------------------------------------------


def UART_NS16550_DEVICE_INIT(n: int) -> None:
    if not DT_INST_PROP_OR(n, "io_mapped", False):
        raise TypeError("uart_ns16550: zpy supports I/O-mapped ports only (add io-mapped;)")
    config = uart_ns16550_device_config(
        port=DT_INST_REG_ADDR(n),
        sys_clk_freq=DT_INST_PROP_OR(n, "clock_frequency", 0),
    )
    if INTERRUPT_DRIVEN:
        config.irq = DT_INST_IRQN(n)
        config.irq_priority = DT_INST_IRQ(n, "priority")
        config.irq_flags = DT_INST_IRQ(n, "sense")
    data = uart_ns16550_dev_data(uart_config(baudrate=DT_INST_PROP_OR(n, "current_speed", 0)))
    DEVICE_DT_INST_DEFINE(n, uart_ns16550_init, None, data, config, PRE_KERNEL_1,
                          CONFIG_SERIAL_INIT_PRIORITY, uart_ns16550_driver_api)


DT_INST_FOREACH_STATUS_OKAY(UART_NS16550_DEVICE_INIT)
