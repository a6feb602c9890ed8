"""The PCIe host API of <zephyr/drivers/pcie/pcie.h>: configuration space, BARs, capabilities.

On qemu_x86_64 configuration space is reached as Zephyr's x86 code reaches it
without ECAM: configuration mechanism #1, an address written to I/O port 0xCF8
and data through port 0xCFC (sys_out32/sys_in32). Register numbers (`reg`) are
32-bit word indexes, as in C.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from zpy.kernel import irq_connect_dynamic, irq_enable, sys_in32, sys_out32
from zpy.kernel.context import current_kernel

PCIE_BDF_NONE = 0xFFFFFFFF
PCIE_ID_NONE = 0xFFFFFFFF

PCIE_CONF_ID = 0
PCIE_CONF_CMDSTAT = 1
PCIE_CONF_CLASSREV = 2
PCIE_CONF_TYPE = 3
PCIE_CONF_BAR0 = 4
PCIE_CONF_BAR1 = 5
PCIE_CONF_BAR2 = 6
PCIE_CONF_BAR3 = 7
PCIE_CONF_BAR4 = 8
PCIE_CONF_BAR5 = 9
PCIE_CONF_CAPPTR = 13
PCIE_CONF_INTR = 15

PCIE_CONF_CMDSTAT_IO = 0x00000001
PCIE_CONF_CMDSTAT_MEM = 0x00000002
PCIE_CONF_CMDSTAT_MASTER = 0x00000004
PCIE_CONF_CMDSTAT_INTX_DISABLE = 0x00000400
PCIE_CONF_CMDSTAT_INTERRUPT = 0x00080000
PCIE_CONF_CMDSTAT_CAPS = 0x00100000

PCIE_CONF_BAR_NONE = 0
PCIE_CONF_BAR_INVAL = 0xFFFFFFF0
PCIE_CONF_BAR_INVAL64 = 0xFFFFFFFFFFFFFFF0
PCIE_CONF_INTR_IRQ_NONE = 0xFF

PCI_CAP_ID_MSI = 0x05
PCI_CAP_ID_VNDR = 0x09
PCI_CAP_ID_EXP = 0x10
PCI_CAP_ID_MSIX = 0x11

_CONFIG_ADDRESS_PORT = 0xCF8
_CONFIG_DATA_PORT = 0xCFC


def PCIE_BDF(bus: int, dev: int, func: int) -> int:
    return ((bus & 0xFF) << 16) | ((dev & 0x1F) << 11) | ((func & 0x07) << 8)


def PCIE_BDF_TO_BUS(bdf: int) -> int:
    return (bdf >> 16) & 0xFF


def PCIE_BDF_TO_DEV(bdf: int) -> int:
    return (bdf >> 11) & 0x1F


def PCIE_BDF_TO_FUNC(bdf: int) -> int:
    return (bdf >> 8) & 0x07


def PCIE_ID(vend: int, dev: int) -> int:
    return (vend & 0xFFFF) | ((dev & 0xFFFF) << 16)


def PCIE_ID_VEND(id: int) -> int:
    return id & 0xFFFF


def PCIE_ID_DEV(id: int) -> int:
    return (id >> 16) & 0xFFFF


def PCIE_ID_IS_VALID(id: int) -> bool:
    return id != PCIE_ID_NONE and id != PCIE_ID(0, 0) and PCIE_ID_VEND(id) != 0xFFFF


def PCIE_CONF_BAR_MEM(w: int) -> bool:
    return not w & 0x1


def PCIE_CONF_BAR_IO(w: int) -> bool:
    return bool(w & 0x1)


def PCIE_CONF_BAR_64(w: int) -> bool:
    return (w & 0x6) == 0x4


def PCIE_CONF_BAR_ADDR(w: int) -> int:
    return w & ~0xF


def PCIE_CONF_BAR_IO_ADDR(w: int) -> int:
    return w & ~0x3


def PCIE_CONF_CAPPTR_FIRST(w: int) -> int:
    return (w >> 2) & 0x3F


def PCIE_CONF_CAP_ID(w: int) -> int:
    return w & 0xFF


def PCIE_CONF_CAP_NEXT(w: int) -> int:
    return (w >> 10) & 0x3F


def PCIE_CONF_MULTIFUNCTION(w: int) -> bool:
    return bool(w & 0x00800000)


def PCIE_CONF_INTR_PIN(w: int) -> int:
    return (w >> 8) & 0xFF


def PCIE_CONF_INTR_IRQ(w: int) -> int:
    return w & 0xFF


@dataclass
class pcie_bar:
    phys_addr: int = 0
    size: int = 0


@dataclass
class pcie_dev:
    """struct pcie_dev: what a driver instance is looking for, and where the scan found it."""

    bdf: int = PCIE_BDF_NONE
    id: int = PCIE_ID_NONE
    class_rev: int = 0
    class_rev_mask: int = 0
    dev: Any = field(default=None, repr=False)


class _PcieState:
    """Per image: the config-space lock and the declared pcie_dev instances."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.devs: list[pcie_dev] = []


def _state() -> _PcieState:
    return current_kernel().service(_PcieState)


# -- configuration space ----------------------------------------------------------------------


def pcie_conf_read(bdf: int, reg: int) -> int:
    """The 32-bit word `reg` of the function's configuration space."""
    with _state().lock:
        sys_out32(0x80000000 | (bdf & 0x00FFFF00) | ((reg << 2) & 0xFC), _CONFIG_ADDRESS_PORT)
        return sys_in32(_CONFIG_DATA_PORT)


def pcie_conf_write(bdf: int, reg: int, data: int) -> None:
    with _state().lock:
        sys_out32(0x80000000 | (bdf & 0x00FFFF00) | ((reg << 2) & 0xFC), _CONFIG_ADDRESS_PORT)
        sys_out32(data & 0xFFFFFFFF, _CONFIG_DATA_PORT)


def pcie_conf_read_u64(bdf: int, reg: int) -> int:
    """Two consecutive words, low first (a 64-bit field of a capability)."""
    return pcie_conf_read(bdf, reg) | (pcie_conf_read(bdf, reg + 1) << 32)


def pcie_probe(bdf: int, id: int) -> bool:
    return pcie_conf_read(bdf, PCIE_CONF_ID) == id


def pcie_set_cmd(bdf: int, bits: int, on: bool) -> None:
    cmdstat = pcie_conf_read(bdf, PCIE_CONF_CMDSTAT)
    cmdstat = (cmdstat | bits) if on else (cmdstat & ~bits)
    # the status half is write-1-to-clear: write only the command bits back
    pcie_conf_write(bdf, PCIE_CONF_CMDSTAT, cmdstat & 0xFFFF)


def pcie_get_cap(bdf: int, cap_id: int) -> int:
    """The word index of the capability `cap_id`, or 0 if the function has none."""
    if not pcie_conf_read(bdf, PCIE_CONF_CMDSTAT) & PCIE_CONF_CMDSTAT_CAPS:
        return 0
    reg = PCIE_CONF_CAPPTR_FIRST(pcie_conf_read(bdf, PCIE_CONF_CAPPTR))
    seen = 0
    while reg and seen < 48:
        data = pcie_conf_read(bdf, reg)
        if PCIE_CONF_CAP_ID(data) == cap_id:
            return reg
        reg = PCIE_CONF_CAP_NEXT(data)
        seen += 1
    return 0


def pcie_get_ext_cap(bdf: int, cap_id: int) -> int:
    """Extended capabilities live past 256 bytes; mechanism #1 cannot reach them."""
    return 0


def _get_bar(bdf: int, bar_index: int, io: bool) -> tuple[bool, pcie_bar]:
    reg = PCIE_CONF_BAR0 + bar_index
    bar = pcie_bar()
    if reg > PCIE_CONF_BAR5:
        return False, bar
    phys = pcie_conf_read(bdf, reg)
    if (io and not PCIE_CONF_BAR_IO(phys)) or (not io and not PCIE_CONF_BAR_MEM(phys)):
        return False, bar
    is64 = not io and PCIE_CONF_BAR_64(phys)
    if is64:
        if reg == PCIE_CONF_BAR5:
            return False, bar
        phys |= pcie_conf_read(bdf, reg + 1) << 32
        if PCIE_CONF_BAR_ADDR(phys) in (PCIE_CONF_BAR_INVAL64, PCIE_CONF_BAR_NONE):
            return False, bar
    elif (PCIE_CONF_BAR_IO_ADDR(phys) if io else PCIE_CONF_BAR_ADDR(phys)) in (
            PCIE_CONF_BAR_NONE, PCIE_CONF_BAR_INVAL):
        return False, bar
    # Size it the PCI way: decoding off, write all ones, read the mask, restore.
    cmd = pcie_conf_read(bdf, PCIE_CONF_CMDSTAT)
    pcie_conf_write(bdf, PCIE_CONF_CMDSTAT,
                    cmd & 0xFFFF & ~(PCIE_CONF_CMDSTAT_IO | PCIE_CONF_CMDSTAT_MEM))
    pcie_conf_write(bdf, reg, 0xFFFFFFFF)
    size = pcie_conf_read(bdf, reg)
    pcie_conf_write(bdf, reg, phys & 0xFFFFFFFF)
    if is64:
        pcie_conf_write(bdf, reg + 1, 0xFFFFFFFF)
        size |= pcie_conf_read(bdf, reg + 1) << 32
        pcie_conf_write(bdf, reg + 1, phys >> 32)
        size = (~PCIE_CONF_BAR_ADDR(size) + 1) & 0xFFFFFFFFFFFFFFFF
    else:
        mask = PCIE_CONF_BAR_IO_ADDR(size) if io else PCIE_CONF_BAR_ADDR(size)
        size = (~mask + 1) & 0xFFFFFFFF
        if io:
            size &= 0xFFFF
    pcie_conf_write(bdf, PCIE_CONF_CMDSTAT, cmd & 0xFFFF)
    bar.phys_addr = PCIE_CONF_BAR_IO_ADDR(phys) if io else PCIE_CONF_BAR_ADDR(phys)
    bar.size = size
    return True, bar


def _probe_bar(bdf: int, index: int, io: bool) -> tuple[bool, pcie_bar]:
    reg = PCIE_CONF_BAR0
    while index > 0 and reg <= PCIE_CONF_BAR5:
        w = pcie_conf_read(bdf, reg)
        if PCIE_CONF_BAR_MEM(w) and PCIE_CONF_BAR_64(w):
            reg += 1
        reg += 1
        index -= 1
    if index != 0:
        return False, pcie_bar()
    return _get_bar(bdf, reg - PCIE_CONF_BAR0, io)


def pcie_get_mbar(bdf: int, bar_index: int) -> tuple[bool, pcie_bar]:
    """C: bool pcie_get_mbar(bdf, bar_index, struct pcie_bar *mbar). Returns (found, mbar)."""
    return _get_bar(bdf, bar_index, False)


def pcie_probe_mbar(bdf: int, index: int) -> tuple[bool, pcie_bar]:
    """The index-th memory BAR, counting a 64-bit BAR once. Returns (found, mbar)."""
    return _probe_bar(bdf, index, False)


def pcie_get_iobar(bdf: int, bar_index: int) -> tuple[bool, pcie_bar]:
    return _get_bar(bdf, bar_index, True)


def pcie_probe_iobar(bdf: int, index: int) -> tuple[bool, pcie_bar]:
    return _probe_bar(bdf, index, True)


# -- finding devices -----------------------------------------------------------------------------


def pcie_scan(callback: Any) -> None:
    """Call callback(bdf, id) for every function on bus 0 (multi-function aware)."""
    for dev in range(32):
        for func in range(8):
            bdf = PCIE_BDF(0, dev, func)
            id = pcie_conf_read(bdf, PCIE_CONF_ID)
            if not PCIE_ID_IS_VALID(id):
                if func == 0:
                    break
                continue
            callback(bdf, id)
            if func == 0 and not PCIE_CONF_MULTIFUNCTION(pcie_conf_read(bdf, PCIE_CONF_TYPE)):
                break


def pcie_bdf_lookup(id: int) -> int:
    found: list[int] = []
    pcie_scan(lambda bdf, i: found.append(bdf) if i == id else None)
    return found[0] if found else PCIE_BDF_NONE


def DEVICE_PCIE_INST_DECLARE(inst: int) -> pcie_dev:
    """Declare what instance `inst` of the calling driver looks for (vendor-id, device-id,
    class-rev, class-rev-mask from its devicetree node); the PRE_KERNEL bus scan fills in
    its bdf and class_rev."""
    from zpy.devicetree import DT_INST, DT_PROP_OR, _drv_compat

    node = DT_INST(inst, _drv_compat())
    pd = pcie_dev(
        id=PCIE_ID(DT_PROP_OR(node, "vendor_id", 0xFFFF), DT_PROP_OR(node, "device_id", 0xFFFF)),
        class_rev=DT_PROP_OR(node, "class_rev", 0),
        class_rev_mask=DT_PROP_OR(node, "class_rev_mask", 0),
    )
    _state().devs.append(pd)
    return pd


def pcie_bind_declared_devices() -> int:
    """Match each bus function to the first declared pcie_dev still unbound (pcie_init)."""
    devs = _state().devs
    bound = 0

    def found(bdf: int, id: int) -> None:
        nonlocal bound
        class_rev = pcie_conf_read(bdf, PCIE_CONF_CLASSREV)
        for pd in devs:
            if pd.bdf == PCIE_BDF_NONE and pd.id == id and \
                    (class_rev & pd.class_rev_mask) == pd.class_rev:
                pd.bdf = bdf
                pd.class_rev = class_rev
                bound += 1
                return

    pcie_scan(found)
    return bound


# -- legacy interrupts (INTx) ----------------------------------------------------------------------


def pcie_get_irq(bdf: int) -> int:
    """The IRQ the firmware routed the function's INTx pin to (PCIE_CONF_INTR_IRQ_NONE if none)."""
    data = pcie_conf_read(bdf, PCIE_CONF_INTR)
    if not PCIE_CONF_INTR_PIN(data):
        return PCIE_CONF_INTR_IRQ_NONE
    return PCIE_CONF_INTR_IRQ(data)


def pcie_connect_dynamic_irq(bdf: int, irq: int, priority: int, routine: Any, parameter: Any,
                             flags: int) -> bool:
    return irq_connect_dynamic(irq, priority, routine, parameter, flags) >= 0


def pcie_irq_enable(bdf: int, irq: int) -> None:
    irq_enable(irq)
