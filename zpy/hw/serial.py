"""The console UART (COM1, an ns16550 at I/O port 0x3f8): bytes to and from a host chardev.

Transmit writes straight to the chardev backend (stdio by default). zpy's
console driver uses it as Zephyr's uart_console does, one poll_out at a time;
printk hands it whole strings for speed.
"""

from __future__ import annotations

import os
import threading
from typing import BinaryIO


class SerialPort:
    def __init__(self, out: BinaryIO | int | None) -> None:
        self._out = out
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        out = self._out
        if out is None or not data:
            return
        with self._lock:
            try:
                if isinstance(out, int):
                    view = memoryview(data)
                    while view:
                        n = os.write(out, view)
                        view = view[n:]
                else:
                    out.write(data)
                    out.flush()
            except (BrokenPipeError, ValueError, OSError):
                self._out = None  # the reader went away: drop output, keep running

    # ns16550 registers at I/O ports base+0..7: only THR (transmit) and LSR (line status).
    def read(self, offset: int, size: int) -> int:
        if offset == 5:  # LSR: transmitter empty and holding register empty
            return 0x60
        return 0

    def write_reg(self, offset: int, size: int, value: int) -> None:
        if offset == 0:
            self.write(bytes([value & 0xFF]))


class SerialIoRegion:
    """The UART's eight I/O ports, as a bus region."""

    def __init__(self, port: SerialPort) -> None:
        self._port = port

    def read(self, offset: int, size: int) -> int:
        return self._port.read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        self._port.write_reg(offset, size, value)
