"""<zephyr/drivers/uart.h>: the UART API, function for function.

Each call dispatches through the device's `uart_driver_api` table and returns
what C returns: a driver without an operation gives -ENOSYS. Buffers are
Python buffers: uart_fifo_fill() takes bytes, uart_fifo_read() fills a
bytearray or writable memoryview, as the C calls fill a `uint8_t *`.
Out-pointers become return values: `rc, c = uart_poll_in(dev)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zpy import errno
from zpy.kernel.device import device, device_api_entry

#: struct uart_config's enums
UART_CFG_PARITY_NONE, UART_CFG_PARITY_ODD, UART_CFG_PARITY_EVEN = 0, 1, 2
UART_CFG_STOP_BITS_0_5, UART_CFG_STOP_BITS_1 = 0, 1
UART_CFG_STOP_BITS_1_5, UART_CFG_STOP_BITS_2 = 2, 3
UART_CFG_DATA_BITS_5, UART_CFG_DATA_BITS_6 = 0, 1
UART_CFG_DATA_BITS_7, UART_CFG_DATA_BITS_8 = 2, 3
UART_CFG_FLOW_CTRL_NONE, UART_CFG_FLOW_CTRL_RTS_CTS = 0, 1

#: uart_err_check() bits
UART_ERROR_OVERRUN = 1 << 0
UART_ERROR_PARITY = 1 << 1
UART_ERROR_FRAMING = 1 << 2
UART_BREAK = 1 << 3

#: void (*uart_irq_callback_user_data_t)(const struct device *dev, void *user_data)
uart_irq_callback_user_data_t = Callable[[device, Any], None]


@dataclass
class uart_config:
    baudrate: int = 115200
    parity: int = UART_CFG_PARITY_NONE
    stop_bits: int = UART_CFG_STOP_BITS_1
    data_bits: int = UART_CFG_DATA_BITS_8
    flow_ctrl: int = UART_CFG_FLOW_CTRL_NONE


@dataclass(frozen=True)
class uart_driver_api:
    """struct uart_driver_api (polling, configuration, interrupt-driven parts)."""

    poll_in: Callable[[device], tuple[int, int]] | None = None
    poll_out: Callable[[device, int], None] | None = None
    err_check: Callable[[device], int] | None = None
    configure: Callable[[device, uart_config], int] | None = None
    config_get: Callable[[device], tuple[int, uart_config | None]] | None = None
    # CONFIG_UART_INTERRUPT_DRIVEN
    fifo_fill: Callable[[device, Any, int], int] | None = None
    fifo_read: Callable[[device, Any, int], int] | None = None
    irq_tx_enable: Callable[[device], None] | None = None
    irq_tx_disable: Callable[[device], None] | None = None
    irq_tx_ready: Callable[[device], int] | None = None
    irq_rx_enable: Callable[[device], None] | None = None
    irq_rx_disable: Callable[[device], None] | None = None
    irq_tx_complete: Callable[[device], int] | None = None
    irq_rx_ready: Callable[[device], int] | None = None
    irq_err_enable: Callable[[device], None] | None = None
    irq_err_disable: Callable[[device], None] | None = None
    irq_is_pending: Callable[[device], int] | None = None
    irq_update: Callable[[device], int] | None = None
    irq_callback_set: Callable[[device, uart_irq_callback_user_data_t | None, Any], None] | None \
        = None


# -- polling ------------------------------------------------------------------------------


def uart_poll_in(dev: device) -> tuple[int, int]:
    """(0, char) if a character was read, (-1, 0) if none waits, (-ENOSYS, 0) unsupported."""
    device_api_entry()
    fn = dev.api.poll_in
    if fn is None:
        return -errno.ENOSYS, 0
    return fn(dev)  # type: ignore[no-any-return]


def uart_poll_out(dev: device, out_char: int) -> None:
    """Send one character, waiting until the transmitter takes it."""
    device_api_entry()
    if isinstance(out_char, str):
        out_char = ord(out_char)
    dev.api.poll_out(dev, out_char & 0xFF)


def uart_err_check(dev: device) -> int:
    device_api_entry()
    fn = dev.api.err_check
    return -errno.ENOSYS if fn is None else fn(dev)  # type: ignore[no-any-return]


def uart_configure(dev: device, cfg: uart_config) -> int:
    device_api_entry()
    fn = dev.api.configure
    return -errno.ENOSYS if fn is None else fn(dev, cfg)  # type: ignore[no-any-return]


def uart_config_get(dev: device) -> tuple[int, uart_config | None]:
    device_api_entry()
    fn = dev.api.config_get
    return (-errno.ENOSYS, None) if fn is None else fn(dev)  # type: ignore[no-any-return]


# -- interrupt driven -------------------------------------------------------------------------


def uart_fifo_fill(dev: device, tx_data: Any, size: int) -> int:
    """Put up to `size` bytes of tx_data in the TX FIFO; returns how many it took."""
    device_api_entry()
    fn = dev.api.fifo_fill
    return -errno.ENOSYS if fn is None else fn(dev, tx_data, size)  # type: ignore[no-any-return]


def uart_fifo_read(dev: device, rx_data: Any, size: int) -> int:
    """Move up to `size` received bytes into rx_data (a writable buffer); returns the count."""
    device_api_entry()
    fn = dev.api.fifo_read
    return -errno.ENOSYS if fn is None else fn(dev, rx_data, size)  # type: ignore[no-any-return]


def uart_irq_tx_enable(dev: device) -> None:
    device_api_entry()
    if dev.api.irq_tx_enable is not None:
        dev.api.irq_tx_enable(dev)


def uart_irq_tx_disable(dev: device) -> None:
    device_api_entry()
    if dev.api.irq_tx_disable is not None:
        dev.api.irq_tx_disable(dev)


def uart_irq_tx_ready(dev: device) -> int:
    """> 0 when the TX FIFO takes at least one byte (call from the callback, after update)."""
    device_api_entry()
    fn = dev.api.irq_tx_ready
    return -errno.ENOSYS if fn is None else fn(dev)  # type: ignore[no-any-return]


def uart_irq_tx_complete(dev: device) -> int:
    device_api_entry()
    fn = dev.api.irq_tx_complete
    return -errno.ENOSYS if fn is None else fn(dev)  # type: ignore[no-any-return]


def uart_irq_rx_enable(dev: device) -> None:
    device_api_entry()
    if dev.api.irq_rx_enable is not None:
        dev.api.irq_rx_enable(dev)


def uart_irq_rx_disable(dev: device) -> None:
    device_api_entry()
    if dev.api.irq_rx_disable is not None:
        dev.api.irq_rx_disable(dev)


def uart_irq_rx_ready(dev: device) -> int:
    """1 when received data waits (call from the callback, after uart_irq_update)."""
    device_api_entry()
    fn = dev.api.irq_rx_ready
    return -errno.ENOSYS if fn is None else fn(dev)  # type: ignore[no-any-return]


def uart_irq_err_enable(dev: device) -> None:
    device_api_entry()
    if dev.api.irq_err_enable is not None:
        dev.api.irq_err_enable(dev)


def uart_irq_err_disable(dev: device) -> None:
    device_api_entry()
    if dev.api.irq_err_disable is not None:
        dev.api.irq_err_disable(dev)


def uart_irq_is_pending(dev: device) -> int:
    device_api_entry()
    fn = dev.api.irq_is_pending
    return -errno.ENOSYS if fn is None else fn(dev)  # type: ignore[no-any-return]


def uart_irq_update(dev: device) -> int:
    """Latch the interrupt state for the *_ready calls; 1 on success."""
    device_api_entry()
    fn = dev.api.irq_update
    return -errno.ENOSYS if fn is None else fn(dev)  # type: ignore[no-any-return]


def uart_irq_callback_user_data_set(dev: device, cb: uart_irq_callback_user_data_t | None,
                                    user_data: Any) -> int:
    """Call cb(dev, user_data) from the UART's ISR. 0, or -ENOSYS."""
    device_api_entry()
    fn = dev.api.irq_callback_set
    if fn is None:
        return -errno.ENOSYS
    fn(dev, cb, user_data)
    return 0


def uart_irq_callback_set(dev: device, cb: uart_irq_callback_user_data_t | None) -> int:
    return uart_irq_callback_user_data_set(dev, cb, None)


__all__ = [name for name in dir() if not name.startswith("_")]
