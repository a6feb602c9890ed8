"""What the kernel needs of the machine it runs on, and nothing more.

Zephyr's kernel reaches its hardware through the arch layer and a few drivers
(the interrupt controller, the system timer, the console UART); zpy's kernel
reaches the emulated machine (zpy.hw.machine.Machine) through this interface,
so that the kernel does not depend on how the machine is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

#: what poll() returns: (fd, epoll event mask) pairs of the sources that fired
Events = list[tuple[int, int]]


class InterruptInputs(Protocol):
    """The CPU's interrupt sources (zpy.hw.cpu.CPU); the kernel sets interrupt_entry."""

    interrupt_entry: Callable[[int], None] | None

    def poll(self, timeout: float | None) -> Events: ...

    def dispatch(self, events: Events) -> None: ...

    def kick(self) -> None: ...

    def has_wake_sources(self) -> bool: ...

    def raise_interrupt(self, vector: int) -> None: ...


class Bus(Protocol):
    """An address space: memory or I/O ports (zpy.hw.bus.AddressSpace)."""

    def read(self, addr: int, size: int) -> int: ...

    def write(self, addr: int, size: int, value: int) -> None: ...

    def find(self, addr: int) -> tuple[int, int, Any]: ...


class Platform(Protocol):
    """The board as the kernel sees it."""

    @property
    def cpu(self) -> InterruptInputs: ...

    @property
    def mem(self) -> Bus: ...

    @property
    def io(self) -> Bus: ...

    @property
    def outside_sources(self) -> list[str]:
        """What connects the machine to the outside (a run with any keeps real time)."""

    @property
    def log(self) -> Callable[[str], None]:
        """Messages from zpy itself (not the image's console): stderr, "zpy: ..."."""

    def console_write(self, data: bytes) -> None:
        """Bytes out of the console UART, as the console driver's poll-out writes them."""

    def route_irq(self, irq: int, vector: int, level: bool) -> None:
        """Make interrupt line `irq` raise `vector` (the I/O APIC on x86)."""

    def set_irq_masked(self, irq: int, masked: bool) -> None: ...

    def irq_masked(self, irq: int) -> bool: ...

    def set_irq_line(self, irq: int, level: bool) -> None:
        """An emulated device (zpy.drivers.emul's emul_irq_set) drives interrupt line `irq`:
        the wire from a device into the interrupt controller (an I/O APIC input on x86)."""
