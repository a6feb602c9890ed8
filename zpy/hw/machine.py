"""The machine: a board as QEMU runs it, built for one image.

It owns the CPU, the memory and I/O address spaces, the I/O APIC, the console
UART and the device models plugged in; `zpy run` builds it from the board and
the image's configuration (and QEMU-style options), then boots the kernel on it.
"""

from __future__ import annotations

from typing import BinaryIO

from zpy.hw.bus import AddressSpace
from zpy.hw.cpu import CPU
from zpy.hw.ioapic import IoApic
from zpy.hw.serial import SerialIoRegion, SerialPort

COM1_PORT = 0x3F8
COM1_IRQ = 4


class Machine:
    def __init__(self, board: str, console_out: BinaryIO | int | None) -> None:
        self.board = board
        self.cpu = CPU()
        self.mem = AddressSpace("memory")
        self.io = AddressSpace("I/O ports")
        self.ioapic = IoApic(self.cpu)
        self.serial = SerialPort(console_out)
        self.io.map(COM1_PORT, 8, SerialIoRegion(self.serial))
        self._closers: list = []

    def on_close(self, fn) -> None:  # type: ignore[no-untyped-def]
        """Run fn() when the machine is switched off (device models release host resources)."""
        self._closers.append(fn)

    def close(self) -> None:
        while self._closers:
            fn = self._closers.pop()
            try:
                fn()
            except OSError:
                pass
        self.cpu.close()
