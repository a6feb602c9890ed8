"""Zephyr's ivshmem driver (drivers/virtualization/virt_ivshmem.c) in Python.

One device per okay `qemu,ivshmem` node. At POST_KERNEL it finds its PCI
function (bound by the PCIe bus scan from the node's vendor-id/device-id), maps
BAR0 (registers) and BAR2 (shared memory) and, with CONFIG_IVSHMEM_DOORBELL,
allocates, connects and enables MSI-X vectors whose ISR raises the registered
k_poll_signal with result = vector. It reaches the device only through the
PCIe API and register access, as the C driver does.

The file reads top to bottom like its C twin: data, register helpers, doorbell
helpers, configure, API, init, API table, and DEVICE_DT_INST_DEFINE at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zpy import errno
from zpy.autoconf import CONFIG_KERNEL_INIT_PRIORITY_DEVICE
from zpy.device import DEVICE_API, DEVICE_DT_INST_DEFINE, device
from zpy.devicetree import DT_INST_FOREACH_STATUS_OKAY, DT_INST_PROP
from zpy.drivers.ivshmem import ivshmem_driver_api
from zpy.drivers.pcie import (
    DEVICE_PCIE_INST_DECLARE,
    PCIE_BDF_NONE,
    PCIE_CONF_CMDSTAT_MASTER,
    PCIE_CONF_CMDSTAT_MEM,
    msi_vector_t,
    pcie_dev,
    pcie_get_mbar,
    pcie_msi_enable,
    pcie_msi_vector_connect,
    pcie_msi_vectors_allocate,
    pcie_set_cmd,
)
from zpy.errors import LinkError
from zpy.init import POST_KERNEL
from zpy.kernel import (
    IS_ENABLED,
    K_MEM_CACHE_NONE,
    K_MEM_CACHE_WB,
    K_MEM_PERM_RW,
    K_MEM_PERM_USER,
    POINTER_TO_UINT,
    device_map,
    irq_lock,
    irq_unlock,
    k_mem_map_phys_bare,
    k_poll_signal,
    k_poll_signal_raise,
    sys_read32,
    sys_write32,
)
from zpy.logging import LOG_DBG, LOG_ERR, LOG_INF, LOG_MODULE_REGISTER, LOG_WRN

DT_DRV_COMPAT = "qemu_ivshmem"
LOG_MODULE_REGISTER("ivshmem", "CONFIG_IVSHMEM_LOG_LEVEL")

# Decided once, when the image is linked (C decides these at compile time).
DOORBELL = IS_ENABLED("CONFIG_IVSHMEM_DOORBELL")
V2 = IS_ENABLED("CONFIG_IVSHMEM_V2")
MSI_X_VECTORS = 0
INT_PRIORITY = 0
if DOORBELL:
    from zpy.autoconf import CONFIG_IVSHMEM_INT_PRIORITY, CONFIG_IVSHMEM_MSI_X_VECTORS

    MSI_X_VECTORS = CONFIG_IVSHMEM_MSI_X_VECTORS
    INT_PRIORITY = CONFIG_IVSHMEM_INT_PRIORITY

# -- data -------------------------------------------------------------------------------

IVSHMEM_PCIE_REG_BAR_IDX = 0
IVSHMEM_PCIE_MSI_X_BAR_IDX = 1
IVSHMEM_PCIE_SHMEM_BAR_IDX = 2

# struct ivshmem_reg (v1 BAR0)
IVSHMEM_REG_INT_MASK = 0x00
IVSHMEM_REG_INT_STATUS = 0x04
IVSHMEM_REG_IV_POSITION = 0x08
IVSHMEM_REG_DOORBELL = 0x0C


@dataclass
class ivshmem_param:
    """The ISR's argument, one per vector."""

    dev: device | None = None
    signal: k_poll_signal | None = None
    vector: int = 0


@dataclass
class ivshmem:
    """struct ivshmem: the instance's data."""

    pcie: pcie_dev
    regs: int = 0  # DEVICE_MMIO_RAM: the mapped registers
    shmem: Any = None  # memoryview of the shared memory
    size: int = 0
    vectors: list[msi_vector_t] = field(default_factory=list)
    params: list[ivshmem_param] = field(default_factory=list)
    n_vectors: int = 0
    ivshmem_v2: bool = False


def IVSHMEM_GEN_DOORBELL(i: int, v: int) -> int:
    """(peer << 16) | vector, in 32 bits: peer IDs above 0xffff fall off, as in C."""
    return ((i << 16) | (v & 0xFFFF)) & 0xFFFFFFFF


# -- doorbell helpers (CONFIG_IVSHMEM_DOORBELL) --------------------------------------------


def ivshmem_doorbell(arg: ivshmem_param) -> None:
    """The ISR of every vector: raise the vector's signal with result = vector."""
    LOG_DBG("Interrupt received on vector %u", arg.vector)
    if arg.signal is not None:
        k_poll_signal_raise(arg.signal, arg.vector)


def ivshmem_configure_msi_x_interrupts(dev: device) -> bool:
    if not (IS_ENABLED("CONFIG_PCIE_MSI_X") and IS_ENABLED("CONFIG_PCIE_MSI_MULTI_VECTOR")):
        return False
    data: ivshmem = dev.data
    bdf = data.pcie.bdf
    key = irq_lock()
    try:
        n_vectors = pcie_msi_vectors_allocate(bdf, INT_PRIORITY, data.vectors, MSI_X_VECTORS)
        if n_vectors == 0:
            LOG_ERR("Could not allocate %u MSI-X vectors", MSI_X_VECTORS)
            return False
        LOG_DBG("Allocated %u vectors", n_vectors)
        for i in range(n_vectors):
            data.params[i].dev = dev
            data.params[i].vector = i
            if not pcie_msi_vector_connect(bdf, data.vectors[i], ivshmem_doorbell,
                                           data.params[i], 0):
                LOG_ERR("Failed to connect MSI-X vector %u", i)
                return False
        LOG_INF("%u MSI-X Vectors connected", n_vectors)
        if not pcie_msi_enable(bdf, data.vectors, n_vectors, 0):
            LOG_ERR("Could not enable MSI-X")
            return False
        data.n_vectors = n_vectors
        return True
    finally:
        irq_unlock(key)


# -- configure -----------------------------------------------------------------------------


def ivshmem_configure(dev: device) -> bool:
    data: ivshmem = dev.data
    bdf = data.pcie.bdf

    found, mbar_regs = pcie_get_mbar(bdf, IVSHMEM_PCIE_REG_BAR_IDX)
    if not found:
        if DOORBELL or data.ivshmem_v2:
            LOG_ERR("ivshmem regs bar not found")
            return False
        LOG_INF("ivshmem regs bar not found")
        data.regs = 0  # a plain device without registers: get_id() reads 0
    else:
        pcie_set_cmd(bdf, PCIE_CONF_CMDSTAT_MEM | PCIE_CONF_CMDSTAT_MASTER, True)
        data.regs = device_map(mbar_regs.phys_addr, mbar_regs.size, K_MEM_CACHE_NONE)

    msi_x_bar_present, _ = pcie_get_mbar(bdf, IVSHMEM_PCIE_MSI_X_BAR_IDX)
    shmem_bar_present, mbar_shmem = pcie_get_mbar(bdf, IVSHMEM_PCIE_SHMEM_BAR_IDX)
    LOG_INF("MSI-X bar present: %s", "yes" if msi_x_bar_present else "no")
    LOG_INF("SHMEM bar present: %s", "yes" if shmem_bar_present else "no")

    if data.ivshmem_v2:
        LOG_ERR("ivshmem-v2 device on a build without its support")
        return False
    if not shmem_bar_present:
        LOG_ERR("ivshmem mem bar not found")
        return False
    data.size = mbar_shmem.size
    data.shmem = k_mem_map_phys_bare(mbar_shmem.phys_addr, data.size,
                                     K_MEM_CACHE_WB | K_MEM_PERM_RW | K_MEM_PERM_USER)

    if msi_x_bar_present and DOORBELL:
        if not ivshmem_configure_msi_x_interrupts(dev):
            LOG_ERR("MSI-X init failed")
            return False

    LOG_INF("ivshmem configured:")
    LOG_INF("- Registers at 0x%lX (mapped to 0x%lX)", mbar_regs.phys_addr, data.regs)
    LOG_INF("- Shared memory of 0x%zX bytes at 0x%lX (mapped to 0x%lX)", data.size,
            mbar_shmem.phys_addr, POINTER_TO_UINT(data.shmem))
    return True


# -- API ----------------------------------------------------------------------------------


def ivshmem_api_get_mem(dev: device) -> tuple[int, Any]:
    data: ivshmem = dev.data
    if data.ivshmem_v2:
        return 0, None
    return data.size, data.shmem


def ivshmem_api_get_id(dev: device) -> int:
    data: ivshmem = dev.data
    if not data.regs:
        return 0
    return sys_read32(data.regs + IVSHMEM_REG_IV_POSITION)


def ivshmem_api_get_vectors(dev: device) -> int:
    return dev.data.n_vectors if DOORBELL else 0


def ivshmem_api_int_peer(dev: device, peer_id: int, vector: int) -> int:
    if not DOORBELL:
        return -errno.ENOSYS
    data: ivshmem = dev.data
    if vector >= data.n_vectors:
        return -errno.EINVAL
    sys_write32(IVSHMEM_GEN_DOORBELL(peer_id, vector), data.regs + IVSHMEM_REG_DOORBELL)
    return 0


def ivshmem_api_register_handler(dev: device, signal: k_poll_signal | None, vector: int) -> int:
    if not DOORBELL:
        return -errno.ENOSYS
    data: ivshmem = dev.data
    if vector >= data.n_vectors:
        return -errno.EINVAL
    data.params[vector].signal = signal
    return 0


# The ivshmem-v2 entries (CONFIG_IVSHMEM_V2): on a v1 instance they do what C does for one.


def ivshmem_api_get_rw_mem_section(dev: device) -> tuple[int, Any]:
    return 0, None


def ivshmem_api_get_output_mem_section(dev: device, peer_id: int) -> tuple[int, Any]:
    return 0, None


def ivshmem_api_get_state(dev: device, peer_id: int) -> int:
    return 0


def ivshmem_api_set_state(dev: device, state: int) -> int:
    return -errno.ENOSYS


def ivshmem_api_get_max_peers(dev: device) -> int:
    return 0


def ivshmem_api_get_protocol(dev: device) -> int:
    return 0


def ivshmem_api_enable_interrupts(dev: device, enable: bool) -> int:
    return -errno.ENOSYS


# -- init ------------------------------------------------------------------------------------


def ivshmem_init(dev: device) -> int:
    data: ivshmem = dev.data
    if data.pcie.bdf == PCIE_BDF_NONE:
        LOG_WRN("ivshmem device not found")
        return -errno.ENOTSUP
    LOG_INF("PCIe: ID 0x%08X, BDF 0x%X, class-rev 0x%08X", data.pcie.id, data.pcie.bdf,
            data.pcie.class_rev)
    if not ivshmem_configure(dev):
        return -errno.EIO
    return 0


# -- API table ----------------------------------------------------------------------------------

_V2_OPS: dict[str, Any] = dict(
    get_rw_mem_section=ivshmem_api_get_rw_mem_section,
    get_output_mem_section=ivshmem_api_get_output_mem_section,
    get_state=ivshmem_api_get_state,
    set_state=ivshmem_api_set_state,
    get_max_peers=ivshmem_api_get_max_peers,
    get_protocol=ivshmem_api_get_protocol,
    enable_interrupts=ivshmem_api_enable_interrupts,
) if V2 else {}

ivshmem_api = DEVICE_API(
    ivshmem_driver_api,
    get_mem=ivshmem_api_get_mem,
    get_id=ivshmem_api_get_id,
    get_vectors=ivshmem_api_get_vectors,
    int_peer=ivshmem_api_int_peer,
    register_handler=ivshmem_api_register_handler,
    **_V2_OPS,
)

# -- instances ----------------------------------------------------------------------------------


def IVSHMEM_DEVICE_INIT(n: int) -> None:
    is_v2 = bool(DT_INST_PROP(n, "ivshmem_v2"))
    if is_v2 and not V2:
        raise LinkError("CONFIG_IVSHMEM_V2 must be enabled for ivshmem-v2")
    data = ivshmem(pcie=DEVICE_PCIE_INST_DECLARE(n), ivshmem_v2=is_v2)
    if DOORBELL:
        data.vectors = [msi_vector_t() for _ in range(MSI_X_VECTORS)]
        data.params = [ivshmem_param() for _ in range(MSI_X_VECTORS)]
    DEVICE_DT_INST_DEFINE(n, ivshmem_init, None, data, None, POST_KERNEL,
                          CONFIG_KERNEL_INIT_PRIORITY_DEVICE, ivshmem_api)


DT_INST_FOREACH_STATUS_OKAY(IVSHMEM_DEVICE_INIT)
