"""The shell's UART transport (subsys/shell/backends/shell_uart.c, interrupt-driven flavour).

Receive: the UART's ISR drains the FIFO into a buffer of
CONFIG_SHELL_BACKEND_SERIAL_RX_RING_BUFFER_SIZE bytes and signals the shell
thread. Where Zephyr drops bytes when that buffer is full, zpy masks the
receive interrupt until the shell has read half of it, so a pasted or piped
script loses nothing (the bytes wait in the UART and its chardev).

Transmit: whole strings through the console's fast path (the kernel's console
lock keeps them whole), not a byte per TX interrupt.

End of input: when the console's input is closed (a piped stdin reached its
end) and every byte has been processed, the run ends with status 0.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zpy.drivers.uart import (
    uart_fifo_read,
    uart_irq_callback_user_data_set,
    uart_irq_rx_disable,
    uart_irq_rx_enable,
    uart_irq_rx_ready,
    uart_irq_tx_disable,
    uart_irq_tx_ready,
    uart_irq_update,
    uart_poll_in,
)
from zpy.kernel.device import device
from zpy.kernel.irq import irq_lock, irq_unlock
from zpy.kernel.timeout import K_FOREVER, K_MSEC, k_timeout_t

if TYPE_CHECKING:
    from zpy.subsys.shell.core import Shell

SHELL_TRANSPORT_EVT_RX_RDY = 0
SHELL_TRANSPORT_EVT_TX_RDY = 1


class ShellUartTransport:
    def __init__(self, dev: device, rx_size: int, poll_period_ms: int | None = None) -> None:
        """poll_period_ms: poll the UART (no interrupts) that often instead."""
        self.dev = dev
        self.polling = poll_period_ms is not None
        #: how long the shell thread waits for an event at most
        self.poll_period: k_timeout_t = K_MSEC(poll_period_ms) if poll_period_ms else K_FOREVER
        self.rx: deque[int] = deque()
        self.rx_size = max(1, rx_size)
        self.rx_stopped = False
        self.eof = False
        self._chunk = bytearray(64)
        self._evt: Callable[[int], None] | None = None
        self._sh: Shell | None = None

    def init(self, sh: Shell, evt_handler: Callable[[int], None]) -> int:
        self._sh = sh
        self._evt = evt_handler
        if self.polling:
            return 0
        rc = uart_irq_callback_user_data_set(self.dev, self._uart_callback, self)
        if rc != 0:
            return rc
        uart_irq_rx_enable(self.dev)
        return 0

    def uninit(self) -> int:
        if not self.polling:
            uart_irq_rx_disable(self.dev)
        return 0

    def enable(self, blocking_tx: bool) -> int:
        return 0

    # -- ISR ---------------------------------------------------------------------------------

    def _uart_callback(self, dev: device, user_data: Any) -> None:
        uart_irq_update(dev)
        received = False
        if uart_irq_rx_ready(dev):
            while True:
                room = self.rx_size - len(self.rx)
                if room <= 0:
                    uart_irq_rx_disable(dev)  # full: let the UART hold the rest
                    self.rx_stopped = True
                    break
                n = uart_fifo_read(dev, self._chunk, min(room, len(self._chunk)))
                if n <= 0:
                    break
                self.rx.extend(self._chunk[:n])
                received = True
        if uart_irq_tx_ready(dev):
            uart_irq_tx_disable(dev)  # output does not use the TX interrupt
        if received and self._evt is not None:
            self._evt(SHELL_TRANSPORT_EVT_RX_RDY)

    # -- the shell thread's side ----------------------------------------------------------------

    def write(self, text: str) -> None:
        assert self._sh is not None
        self._sh.kernel.console_write_raw(text)

    def _resume(self) -> None:
        key = irq_lock()  # excludes the ISR: its "stopped" and ours agree
        try:
            if self.rx_stopped:
                self.rx_stopped = False
                uart_irq_rx_enable(self.dev)
        finally:
            irq_unlock(key)

    def read(self) -> str | None:
        if self.polling:
            rc, c = uart_poll_in(self.dev)
            return chr(c) if rc == 0 else None
        if not self.rx:
            self._resume()
            return None
        c = self.rx.popleft()
        if self.rx_stopped and len(self.rx) <= self.rx_size // 2:
            self._resume()
        return chr(c)

    def on_console_eof(self) -> None:
        """The console's input ended (called once every byte left the UART)."""
        self.eof = True
        if self._evt is not None:
            self._evt(SHELL_TRANSPORT_EVT_RX_RDY)

    def update(self) -> None:
        if self.eof and not self.rx and not self.rx_stopped and self._sh is not None:
            self._sh.kernel.halt(0)
