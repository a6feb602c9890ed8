"""MSI-X for PCIe devices (<zephyr/drivers/pcie/msi.h>), as drivers/pcie/host/msi.c does it on x86.

Allocate CPU vectors for a device, connect ISRs to them, then program the
device's MSI-X table (message address 0xFEE00000, data = vector, unmasked) and
turn MSI-X on in its capability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zpy.drivers.pcie.host import (
    PCI_CAP_ID_MSI,
    PCI_CAP_ID_MSIX,
    PCIE_CONF_CMDSTAT_MASTER,
    pcie_conf_read,
    pcie_conf_write,
    pcie_get_cap,
    pcie_get_mbar,
    pcie_set_cmd,
)
from zpy.kernel import IS_ENABLED, K_MEM_CACHE_NONE, device_map, sys_write32
from zpy.kernel.context import current_kernel

PCIE_MSIX_MCR = 0
PCIE_MSIX_MCR_EN = 0x80000000
PCIE_MSIX_MCR_FMASK = 0x40000000
PCIE_MSIX_MCR_TSIZE = 0x07FF0000
PCIE_MSIX_MCR_TSIZE_SHIFT = 16
PCIE_MSIX_TR = 1
PCIE_MSIX_TR_BIR = 0x00000007
PCIE_MSIX_TR_OFFSET = 0xFFFFFFF8
PCIE_MSIX_ENTRY_SIZE = 16

#: x86: the local APIC's MSI address window (destination APIC 0).
X86_MSI_ADDRESS = 0xFEE00000


@dataclass
class _arch_msi_vector:
    irq: int = -1
    vector: int = -1


@dataclass
class msi_vector_t:
    """msi_vector_t: one allocated vector of a device."""

    bdf: int = 0
    arch: _arch_msi_vector = field(default_factory=_arch_msi_vector)
    msix: bool = False
    #: address of this vector's MSI-X table entry (msg_addr, msg_up_addr, msg_data, vector_ctrl)
    msix_vector: int = 0


def pcie_msi_base(bdf: int) -> tuple[int, bool]:
    """(word index of the MSI-X or else MSI capability or 0, whether it is MSI-X)."""
    if IS_ENABLED("CONFIG_PCIE_MSI_X"):
        base = pcie_get_cap(bdf, PCI_CAP_ID_MSIX)
        if base:
            return base, True
    return pcie_get_cap(bdf, PCI_CAP_ID_MSI), False


def _msix_table_size(bdf: int, base: int) -> int:
    mcr = pcie_conf_read(bdf, base + PCIE_MSIX_MCR)
    return ((mcr & PCIE_MSIX_MCR_TSIZE) >> PCIE_MSIX_MCR_TSIZE_SHIFT) + 1


def _map_msix_table(bdf: int, base: int, vectors: list[msi_vector_t], n: int) -> bool:
    table_offset = pcie_conf_read(bdf, base + PCIE_MSIX_TR)
    bir = table_offset & PCIE_MSIX_TR_BIR
    offset = table_offset & PCIE_MSIX_TR_OFFSET
    found, bar = pcie_get_mbar(bdf, bir)
    if not found:
        return False
    table = device_map(bar.phys_addr + offset, n * PCIE_MSIX_ENTRY_SIZE, K_MEM_CACHE_NONE)
    for i in range(n):
        vectors[i].msix = True
        vectors[i].msix_vector = table + i * PCIE_MSIX_ENTRY_SIZE
    return True


def pcie_msi_vectors_allocate(bdf: int, priority: int, vectors: list[msi_vector_t],
                              n_vector: int) -> int:
    """Allocate up to n_vector CPU vectors for the device; returns how many it got (0: none)."""
    if not IS_ENABLED("CONFIG_PCIE_MSI"):
        return 0
    if n_vector > 1 and not IS_ENABLED("CONFIG_PCIE_MSI_MULTI_VECTOR"):
        return 0
    base, msix = pcie_msi_base(bdf)
    if not base:
        return 0
    if msix:
        n_vector = min(n_vector, _msix_table_size(bdf, base), len(vectors))
        if not _map_msix_table(bdf, base, vectors, n_vector):
            return 0
    else:
        mcr = pcie_conf_read(bdf, base)
        n_vector = min(n_vector, 1 << ((mcr >> 17) & 0x7), len(vectors))
    table = current_kernel().irq
    for i in range(n_vector):
        vector = table.allocate_vector(priority)
        if vector < 0:
            return i
        vectors[i].bdf = bdf
        vectors[i].arch.vector = vector
        vectors[i].arch.irq = vector
    return n_vector


def pcie_msi_vector_connect(bdf: int, vector: msi_vector_t, routine: Any, parameter: Any,
                            flags: int) -> bool:
    """Connect routine(parameter) to an allocated vector."""
    if vector.arch.vector < 0:
        return False
    current_kernel().irq.connect_vector(vector.arch.vector, routine, parameter)
    return True


def pcie_msi_enable(bdf: int, vectors: list[msi_vector_t], n_vector: int, irq: int) -> bool:
    """Program the vectors into the device and turn MSI-X (or MSI) on."""
    base, msix = pcie_msi_base(bdf)
    if not base:
        return False
    if msix:
        for v in vectors[:n_vector]:
            sys_write32(X86_MSI_ADDRESS, v.msix_vector)          # msg_addr
            sys_write32(0, v.msix_vector + 4)                    # msg_up_addr
            sys_write32(v.arch.vector, v.msix_vector + 8)        # msg_data
            sys_write32(0, v.msix_vector + 12)                   # vector_ctrl: unmasked
        mcr = pcie_conf_read(bdf, base + PCIE_MSIX_MCR)
        mcr = (mcr | PCIE_MSIX_MCR_EN) & ~PCIE_MSIX_MCR_FMASK
        pcie_conf_write(bdf, base + PCIE_MSIX_MCR, mcr)
    else:
        return False  # plain MSI: no device model offers it yet
    pcie_set_cmd(bdf, PCIE_CONF_CMDSTAT_MASTER, True)
    return True


def pcie_is_msi(bdf: int) -> bool:
    return bool(pcie_get_cap(bdf, PCI_CAP_ID_MSI) or pcie_get_cap(bdf, PCI_CAP_ID_MSIX))
