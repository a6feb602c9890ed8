"""The I/O APIC: routes interrupt lines (pins) to CPU vectors.

A device model asserts a pin (ns16550 IRQ 4, a PCI INTx line); if the pin's
redirection entry is unmasked the CPU takes the programmed vector. Edge-
triggered pins interrupt once per assertion; level-triggered ones while held.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from zpy.hw.cpu import CPU

IOAPIC_PINS = 24


@dataclass
class Redirection:
    vector: int = 0
    masked: bool = True
    level: bool = False


class IoApic:
    def __init__(self, cpu: CPU) -> None:
        self._cpu = cpu
        self.redirections = [Redirection() for _ in range(IOAPIC_PINS)]
        self._lines = [False] * IOAPIC_PINS
        self._lock = threading.Lock()

    def program(self, pin: int, vector: int, level: bool) -> None:
        entry = self.redirections[pin]
        entry.vector = vector
        entry.level = level

    def set_masked(self, pin: int, masked: bool) -> None:
        self.redirections[pin].masked = masked
        if not masked and self._lines[pin] and self.redirections[pin].level:
            self._cpu.raise_interrupt(self.redirections[pin].vector)

    def set_line(self, pin: int, level: bool) -> None:
        """A device drives pin `pin` (call from the thread that runs device callbacks)."""
        with self._lock:
            was = self._lines[pin]
            self._lines[pin] = level
        entry = self.redirections[pin]
        if entry.masked or not level:
            return
        if entry.level or not was:
            self._cpu.raise_interrupt(entry.vector)

    def pulse(self, pin: int) -> None:
        self.set_line(pin, True)
        self.set_line(pin, False)
