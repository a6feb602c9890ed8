"""PCI: per-function configuration space and the host bridge that reaches it.

Configuration space follows the PCI rules a driver relies on: read-only IDs and
class code, a command register that turns memory decoding on and off, BARs with
sizing semantics (write all ones, read back the size mask), and a capability
list. The host bridge answers configuration mechanism #1 on I/O ports
0xCF8/0xCFC, as on QEMU's q35 machine; an absent function reads all ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zpy.hw.bus import AddressSpace, Region

PCI_VENDOR_ID = 0x00
PCI_DEVICE_ID = 0x02
PCI_COMMAND = 0x04
PCI_STATUS = 0x06
PCI_CLASS_REVISION = 0x08
PCI_HEADER_TYPE = 0x0E
PCI_BASE_ADDRESS_0 = 0x10
PCI_SUBSYSTEM_VENDOR_ID = 0x2C
PCI_SUBSYSTEM_ID = 0x2E
PCI_CAPABILITY_LIST = 0x34
PCI_INTERRUPT_LINE = 0x3C
PCI_INTERRUPT_PIN = 0x3D

PCI_COMMAND_IO = 0x1
PCI_COMMAND_MEMORY = 0x2
PCI_COMMAND_MASTER = 0x4
PCI_COMMAND_INTX_DISABLE = 0x400
PCI_STATUS_CAP_LIST = 0x10

PCI_BASE_ADDRESS_SPACE_IO = 0x1
PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x4
PCI_BASE_ADDRESS_MEM_PREFETCH = 0x8

CONFIG_SPACE_SIZE = 256


@dataclass
class Bar:
    index: int
    size: int
    region: Region
    mem64: bool = False
    prefetch: bool = False
    io: bool = False
    mapped_at: int | None = field(default=None, compare=False)

    def type_bits(self) -> int:
        if self.io:
            return PCI_BASE_ADDRESS_SPACE_IO
        bits = PCI_BASE_ADDRESS_MEM_TYPE_64 if self.mem64 else 0
        return bits | (PCI_BASE_ADDRESS_MEM_PREFETCH if self.prefetch else 0)


class PciFunction:
    """One PCI function's configuration space and BARs."""

    def __init__(self, name: str, vendor: int, device: int, class_code: int, revision: int,
                 subsys_vendor: int = 0, subsys_id: int = 0, interrupt_pin: int = 0) -> None:
        self.name = name
        self.bdf = -1
        self.space = bytearray(CONFIG_SPACE_SIZE)
        self.wmask = bytearray(CONFIG_SPACE_SIZE)  # bits software may write
        self.bars: dict[int, Bar] = {}
        self.mem: AddressSpace | None = None
        self.io_space: AddressSpace | None = None
        self._next_cap = 0x40
        self._cap_tail: int | None = None
        #: called after a write to the config space: hook(offset, size)
        self.write_hooks: list[Callable[[int, int], None]] = []
        self.put(PCI_VENDOR_ID, 2, vendor)
        self.put(PCI_DEVICE_ID, 2, device)
        self.put(PCI_CLASS_REVISION, 4, (class_code << 8) | revision)
        self.put(PCI_SUBSYSTEM_VENDOR_ID, 2, subsys_vendor)
        self.put(PCI_SUBSYSTEM_ID, 2, subsys_id)
        self.put(PCI_INTERRUPT_PIN, 1, interrupt_pin)
        self.set_wmask(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER
                       | PCI_COMMAND_INTX_DISABLE)
        self.set_wmask(PCI_INTERRUPT_LINE, 1, 0xFF)

    # -- raw access ------------------------------------------------------------------------

    def put(self, offset: int, size: int, value: int) -> None:
        self.space[offset : offset + size] = value.to_bytes(size, "little")

    def get(self, offset: int, size: int) -> int:
        return int.from_bytes(self.space[offset : offset + size], "little")

    def set_wmask(self, offset: int, size: int, mask: int) -> None:
        self.wmask[offset : offset + size] = mask.to_bytes(size, "little")

    # -- set-up by the device model ------------------------------------------------------------

    def add_bar(self, index: int, size: int, region: Region, *, mem64: bool = False,
                prefetch: bool = False, io: bool = False) -> Bar:
        bar = Bar(index, size, region, mem64, prefetch, io)
        self.bars[index] = bar
        off = PCI_BASE_ADDRESS_0 + 4 * index
        self.put(off, 4, bar.type_bits())
        mask = ~(size - 1)
        self.set_wmask(off, 4, mask & (0xFFFFFFFC if io else 0xFFFFFFF0))
        if mem64:
            self.set_wmask(off + 4, 4, (mask >> 32) & 0xFFFFFFFF)
        return bar

    def add_capability(self, cap_id: int, length: int) -> int:
        """Append a capability of `length` bytes to the list; returns its offset."""
        offset = self._next_cap
        self._next_cap = (offset + length + 3) & ~3
        self.put(offset, 1, cap_id)
        self.put(offset + 1, 1, 0)
        if self._cap_tail is None:
            self.put(PCI_CAPABILITY_LIST, 1, offset)
            self.put(PCI_STATUS, 2, self.get(PCI_STATUS, 2) | PCI_STATUS_CAP_LIST)
        else:
            self.put(self._cap_tail + 1, 1, offset)
        self._cap_tail = offset
        return offset

    # -- access by software (through the host bridge) -------------------------------------------

    def read(self, offset: int, size: int) -> int:
        return self.get(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        for i in range(size):
            off = offset + i
            mask = self.wmask[off]
            byte = (value >> (8 * i)) & 0xFF
            self.space[off] = (self.space[off] & ~mask & 0xFF) | (byte & mask)
        if offset < PCI_BASE_ADDRESS_0 + 24 and offset + size > PCI_COMMAND:
            self.update_mappings()
        for hook in self.write_hooks:
            hook(offset, size)

    # -- BAR decoding ---------------------------------------------------------------------------------

    def bar_address(self, bar: Bar) -> int:
        off = PCI_BASE_ADDRESS_0 + 4 * bar.index
        lo = self.get(off, 4)
        addr = lo & (0xFFFFFFFC if bar.io else 0xFFFFFFF0)
        if bar.mem64:
            addr |= self.get(off + 4, 4) << 32
        return addr

    def update_mappings(self) -> None:
        """Map each BAR where it points while its decoding is on (PCI_COMMAND)."""
        cmd = self.get(PCI_COMMAND, 2)
        for bar in self.bars.values():
            space = self.io_space if bar.io else self.mem
            if space is None:
                continue
            enabled = cmd & (PCI_COMMAND_IO if bar.io else PCI_COMMAND_MEMORY)
            addr = self.bar_address(bar)
            sizing = addr == (~(bar.size - 1)) & ((1 << (64 if bar.mem64 else 32)) - 1) & ~0xF
            want = addr if enabled and addr and not sizing else None
            if want == bar.mapped_at:
                continue
            if bar.mapped_at is not None:
                space.unmap(bar.mapped_at)
                bar.mapped_at = None
            if want is not None:
                try:
                    space.map(want, bar.size, bar.region)
                    bar.mapped_at = want
                except Exception:
                    bar.mapped_at = None  # overlaps something: the BAR decodes nothing

    def unmap_all(self) -> None:
        for bar in self.bars.values():
            space = self.io_space if bar.io else self.mem
            if bar.mapped_at is not None and space is not None:
                space.unmap(bar.mapped_at)
                bar.mapped_at = None


def make_bdf(bus: int, dev: int, func: int) -> int:
    return (bus << 16) | (dev << 11) | (func << 8)


class PciHost:
    """The q35 host bridge: bus 0, configuration mechanism #1 on I/O ports 0xCF8-0xCFF."""

    CONFIG_ADDRESS = 0xCF8
    CONFIG_DATA = 0xCFC

    def __init__(self, mem: AddressSpace, io: AddressSpace) -> None:
        self.mem = mem
        self.io = io
        self.functions: dict[int, PciFunction] = {}
        self._address = 0
        io.map(self.CONFIG_ADDRESS, 8, _ConfigPorts(self))
        bridge = PciFunction("host bridge", 0x8086, 0x29C0, 0x060000, 0x02, 0x1AF4, 0x1100)
        self.plug(bridge, slot=0)

    def plug(self, fn: PciFunction, slot: int | None = None) -> int:
        """Put a function at 00:slot.0 (the first free slot from 1 if None); returns its BDF."""
        if slot is None:
            slot = next(s for s in range(1, 32) if make_bdf(0, s, 0) not in self.functions)
        bdf = make_bdf(0, slot, 0)
        fn.bdf = bdf
        fn.mem = self.mem
        fn.io_space = self.io
        self.functions[bdf] = fn
        return bdf

    def config_read(self, bdf: int, offset: int, size: int) -> int:
        fn = self.functions.get(bdf)
        if fn is None or offset + size > CONFIG_SPACE_SIZE:
            return (1 << (8 * size)) - 1
        return fn.read(offset, size)

    def config_write(self, bdf: int, offset: int, size: int, value: int) -> None:
        fn = self.functions.get(bdf)
        if fn is not None and offset + size <= CONFIG_SPACE_SIZE:
            fn.write(offset, size, value)

    # mechanism #1
    def port_read(self, offset: int, size: int) -> int:
        if offset < 4:
            return (self._address >> (8 * offset)) & ((1 << (8 * size)) - 1)
        if not self._address & 0x80000000:
            return (1 << (8 * size)) - 1
        bdf = self._address & 0x00FFFF00
        reg = (self._address & 0xFC) + (offset - 4)
        return self.config_read(bdf, reg, size)

    def port_write(self, offset: int, size: int, value: int) -> None:
        if offset == 0 and size == 4:
            self._address = value & 0x80FFFFFC
            return
        if offset >= 4 and self._address & 0x80000000:
            bdf = self._address & 0x00FFFF00
            reg = (self._address & 0xFC) + (offset - 4)
            self.config_write(bdf, reg, size, value)


class _ConfigPorts:
    def __init__(self, host: PciHost) -> None:
        self._host = host

    def read(self, offset: int, size: int) -> int:
        return self._host.port_read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        self._host.port_write(offset, size, value)
