"""The machine: a board as QEMU runs it, built for one image.

It owns the CPU, the memory and I/O address spaces, the interrupt controllers
(I/O APIC for lines, local APIC for MSI), the console UART, the PCI host bridge
and the device models plugged in; `zpy run` builds it from the board and the
image's configuration (and QEMU-style options), runs the firmware step that
assigns PCI BARs, then boots the kernel on it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import BinaryIO

from zpy.errors import MachineError
from zpy.hw.bus import AddressSpace
from zpy.hw.chardev import Chardev, StreamChardev
from zpy.hw.cpu import CPU
from zpy.hw.ioapic import IOAPIC_PINS, IoApic
from zpy.hw.msix import LocalApic
from zpy.hw.pci import (
    PCI_COMMAND,
    PCI_COMMAND_IO,
    PCI_COMMAND_MEMORY,
    PCI_INTERRUPT_LINE,
    PCI_INTERRUPT_PIN,
    PciFunction,
    PciHost,
)
from zpy.hw.serial import SerialIoRegion, SerialPort
from zpy.hw.watch import Watch

COM1_PORT = 0x3F8
COM1_IRQ = 4

#: Where the firmware puts PCI BARs, as SeaBIOS does on q35.
PCI_MMIO32_BASE = 0xC0000000
PCI_MMIO32_LIMIT = 0xFEC00000
PCI_MMIO64_BASE = 0x8_0000_0000
PCI_IO_BASE = 0xC000
#: First I/O APIC input of the PCI INTx lines (PIRQ A..D -> 16..19 here).
PCI_INTX_GSI_BASE = 16


def _stderr_log(message: str) -> None:
    print(f"zpy: {message}", file=sys.stderr, flush=True)


class Machine:
    def __init__(self, board: str, console_out: BinaryIO | int | None = None,
                 log: Callable[[str], None] | None = None, console: Chardev | None = None) -> None:
        self.board = board
        self.log = log or _stderr_log
        self.cpu = CPU()
        self.mem = AddressSpace("memory")
        self.io = AddressSpace("I/O ports")
        self.ioapic = IoApic(self.cpu)
        self.lapic = LocalApic(self.cpu.raise_interrupt)
        self.pci = PciHost(self.mem, self.io)
        self._closers: list[Callable[[], None]] = []
        #: the device models plugged in (ivshmem devices register themselves)
        self.devices: list[object] = []
        #: what connects this machine to the outside world (peers, sockets): such a run
        #: keeps real time, since events from there come in real time
        self.outside_sources: list[str] = []
        # COM1: the console chardev (stdio, pty, a socket...; output-only on a bare stream)
        chardev = console if console is not None else StreamChardev(console_out)
        self.serial = SerialPort(chardev, lambda level: self.ioapic.set_line(COM1_IRQ, level))
        self.io.map(COM1_PORT, 8, SerialIoRegion(self.serial))
        self.serial.attach(self.cpu)
        self.on_close(self.serial.close)

    # -- what the kernel uses (zpy.kernel.platform.Platform) ------------------------------------

    def console_write(self, data: bytes) -> None:
        self.serial.write(data)

    def route_irq(self, irq: int, vector: int, level: bool) -> None:
        if 0 <= irq < IOAPIC_PINS:
            self.ioapic.program(irq, vector, level)

    def set_irq_masked(self, irq: int, masked: bool) -> None:
        if 0 <= irq < IOAPIC_PINS:
            self.ioapic.set_masked(irq, masked)

    def irq_masked(self, irq: int) -> bool:
        return not 0 <= irq < IOAPIC_PINS or self.ioapic.redirections[irq].masked

    def set_irq_line(self, irq: int, level: bool) -> None:
        """The interrupt output of an emulated device (an emulator through zpy.drivers.emul):
        a wire into I/O APIC input `irq`, as the devicetree's `interrupts` says. Inputs the
        machine's own devices drive (COM1's 4, PCI INTx 16-19) are theirs; a clash is the
        devicetree's mistake, as on a real board."""
        if not 0 <= irq < IOAPIC_PINS:
            raise MachineError(f"interrupt line {irq}: the I/O APIC has inputs 0 to "
                               f"{IOAPIC_PINS - 1}")
        self.ioapic.set_line(irq, level)

    def on_close(self, fn: Callable[[], None]) -> None:
        """Run fn() when the machine is switched off (device models release host resources)."""
        self._closers.append(fn)

    def set_watch(self, watch: Watch | None) -> None:
        """Attach a watcher to every event source (the CPU, the device models), or detach it."""
        self.cpu.watch = watch
        for device in self.devices:
            if hasattr(device, "watch"):
                device.watch = watch

    # -- firmware ------------------------------------------------------------------------------

    def firmware_init(self) -> None:
        """What the BIOS does before the kernel runs: give every BAR an address, turn on
        decoding, and route INTx pins. Drivers then read BARs; they never assign them."""
        mmio32, mmio64, io = PCI_MMIO32_BASE, PCI_MMIO64_BASE, PCI_IO_BASE
        for bdf in sorted(self.pci.functions):
            fn = self.pci.functions[bdf]
            for index in sorted(fn.bars):
                bar = fn.bars[index]
                if bar.io:
                    io = _align(io, bar.size)
                    addr, io = io, io + bar.size
                elif bar.mem64:
                    mmio64 = _align(mmio64, bar.size)
                    addr, mmio64 = mmio64, mmio64 + bar.size
                else:
                    mmio32 = _align(mmio32, bar.size)
                    addr, mmio32 = mmio32, mmio32 + bar.size
                    if mmio32 > PCI_MMIO32_LIMIT:
                        raise RuntimeError("PCI 32-bit MMIO window exhausted")
                off = 0x10 + 4 * index
                fn.write(off, 4, (addr & 0xFFFFFFFF) | bar.type_bits())
                if bar.mem64:
                    fn.write(off + 4, 4, addr >> 32)
            pin = fn.get(PCI_INTERRUPT_PIN, 1)
            if pin:
                fn.write(PCI_INTERRUPT_LINE, 1, self.intx_gsi(fn))
            fn.write(PCI_COMMAND, 2, fn.get(PCI_COMMAND, 2) | PCI_COMMAND_MEMORY | PCI_COMMAND_IO)

    def intx_gsi(self, fn: PciFunction) -> int:
        """The I/O APIC input of a function's INTx pin (q35's swizzle of slot and pin)."""
        slot = (fn.bdf >> 11) & 0x1F
        pin = fn.get(PCI_INTERRUPT_PIN, 1)
        return PCI_INTX_GSI_BASE + (slot + pin - 1) % 4

    def set_intx(self, fn: PciFunction, level: bool) -> None:
        if fn.get(PCI_COMMAND, 2) & 0x400:  # INTx disabled by software
            level = False
        self.ioapic.set_line(self.intx_gsi(fn), level)

    def close(self) -> None:
        while self._closers:
            fn = self._closers.pop()
            try:
                fn()
            except OSError:
                pass
        self.cpu.close()


def _align(addr: int, size: int) -> int:
    return (addr + size - 1) & ~(size - 1)
