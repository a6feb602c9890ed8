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

import sys
from dataclasses import dataclass, field
from typing import Any

from zpy import errno
from zpy.autoconf import CONFIG_KERNEL_INIT_PRIORITY_DEVICE
from zpy.device import DEVICE_API, DEVICE_DT_INST_DEFINE, device
from zpy.devicetree import (
    DT_INST_FOREACH_STATUS_OKAY,
    DT_INST_IRQ_BY_IDX,
    DT_INST_IRQ_HAS_IDX,
    DT_INST_PROP,
)
from zpy.drivers.ivshmem import ivshmem_driver_api
from zpy.drivers.pcie import (
    DEVICE_PCIE_INST_DECLARE,
    PCI_CAP_ID_VNDR,
    PCIE_BDF_NONE,
    PCIE_CONF_CMDSTAT_INTX_DISABLE,
    PCIE_CONF_CMDSTAT_MASTER,
    PCIE_CONF_CMDSTAT_MEM,
    PCIE_CONF_INTR,
    PCIE_CONF_INTR_PIN,
    msi_vector_t,
    pcie_conf_read,
    pcie_conf_read_u64,
    pcie_conf_write,
    pcie_connect_dynamic_irq,
    pcie_dev,
    pcie_get_cap,
    pcie_get_mbar,
    pcie_irq_enable,
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
V2_MAX_PEERS = 0
if DOORBELL:
    from zpy.autoconf import CONFIG_IVSHMEM_INT_PRIORITY, CONFIG_IVSHMEM_MSI_X_VECTORS

    MSI_X_VECTORS = CONFIG_IVSHMEM_MSI_X_VECTORS
    INT_PRIORITY = CONFIG_IVSHMEM_INT_PRIORITY
if V2:
    from zpy.autoconf import CONFIG_IVSHMEM_V2_MAX_PEERS

    V2_MAX_PEERS = CONFIG_IVSHMEM_V2_MAX_PEERS

# -- data -------------------------------------------------------------------------------

IVSHMEM_PCIE_REG_BAR_IDX = 0
IVSHMEM_PCIE_MSI_X_BAR_IDX = 1
IVSHMEM_PCIE_SHMEM_BAR_IDX = 2

# struct ivshmem_reg (v1 BAR0)
IVSHMEM_REG_INT_MASK = 0x00
IVSHMEM_REG_INT_STATUS = 0x04
IVSHMEM_REG_IV_POSITION = 0x08
IVSHMEM_REG_DOORBELL = 0x0C

# struct ivshmem_v2_reg (v2 BAR0, 20 bytes)
IVSHMEM_V2_REG_ID = 0x00
IVSHMEM_V2_REG_MAX_PEERS = 0x04
IVSHMEM_V2_REG_INT_CONTROL = 0x08
IVSHMEM_V2_REG_DOORBELL = 0x0C
IVSHMEM_V2_REG_STATE = 0x10
IVSHMEM_V2_REG_SIZE = 20

# the v2 vendor capability: byte offsets
IVSHMEM_CFG_PRIV_CNTL = 0x03
IVSHMEM_PRIV_CNTL_ONESHOT_INT = 0x01
IVSHMEM_CFG_STATE_TAB_SZ = 0x04
IVSHMEM_CFG_RW_SECTION_SZ = 0x08
IVSHMEM_CFG_OUTPUT_SECTION_SZ = 0x10
IVSHMEM_CFG_ADDRESS = 0x18
IVSHMEM_INT_ENABLE = 0x01

PCIE_INTX_PIN_MIN = 1
PCIE_INTX_PIN_MAX = 4
INTX_IRQ_UNUSED = 0xFFFFFFFF


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
    # CONFIG_IVSHMEM_V2
    max_peers: int = 0
    rw_section_size: int = 0
    output_section_size: int = 0
    state_table_shmem: Any = None
    rw_section_shmem: Any = None
    output_section_shmem: list[Any] = field(default_factory=list)


@dataclass
class intx_info:
    irq: int = INTX_IRQ_UNUSED
    priority: int = 0
    flags: int = 0


@dataclass
class ivshmem_cfg:
    """struct ivshmem_cfg (v2): the INTx lines of pins A..D, from the devicetree."""

    intx_info: list[intx_info] = field(default_factory=list)


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


def ivshmem_configure_int_x_interrupts(dev: device) -> bool:
    """ivshmem-v2 without MSI-X: one vector (0) on the INTx pin's line from the devicetree."""
    if not (DOORBELL and V2):
        return True
    data: ivshmem = dev.data
    cfg: ivshmem_cfg = dev.config
    bdf = data.pcie.bdf
    pin = PCIE_CONF_INTR_PIN(pcie_conf_read(bdf, PCIE_CONF_INTR))
    if pin < PCIE_INTX_PIN_MIN or pin > PCIE_INTX_PIN_MAX:
        LOG_ERR("Invalid INTx pin %u", pin)
        return False
    pcie_set_cmd(bdf, PCIE_CONF_CMDSTAT_INTX_DISABLE, False)
    intx = cfg.intx_info[pin - 1]
    data.params[0].dev = dev
    data.params[0].vector = 0
    LOG_INF("Enabling INTx IRQ %u (pin %u)", intx.irq, pin)
    if intx.irq == INTX_IRQ_UNUSED or not pcie_connect_dynamic_irq(
            bdf, intx.irq, intx.priority, ivshmem_doorbell, data.params[0], intx.flags):
        LOG_ERR("Failed to connect INTx ISR %u", intx.irq)
        return False
    data.n_vectors = 1
    pcie_irq_enable(bdf, intx.irq)
    return True


# -- configure -----------------------------------------------------------------------------


def ivshmem_configure_v2(dev: device, mbar_regs_size: int, shmem_phys: int | None) -> bool:
    """Map the v2 sections separately: the state table read-only, the R/W section, and every
    peer's output section, writable only for our own."""
    data: ivshmem = dev.data
    bdf = data.pcie.bdf
    if mbar_regs_size < IVSHMEM_V2_REG_SIZE:
        LOG_ERR("Invalid ivshmem regs size %zu", mbar_regs_size)
        return False
    data.max_peers = sys_read32(data.regs + IVSHMEM_V2_REG_MAX_PEERS)
    if not 2 <= data.max_peers <= V2_MAX_PEERS:
        LOG_ERR("Invalid max peers %u", data.max_peers)
        return False
    cap_pos = pcie_get_cap(bdf, PCI_CAP_ID_VNDR)
    if shmem_phys is None:
        shmem_phys = pcie_conf_read_u64(bdf, cap_pos + IVSHMEM_CFG_ADDRESS // 4)
    state_table_size = pcie_conf_read(bdf, cap_pos + IVSHMEM_CFG_STATE_TAB_SZ // 4)
    LOG_INF("State table size 0x%zX", state_table_size)
    if state_table_size < 4 * data.max_peers:
        LOG_ERR("Invalid state table size %zu", state_table_size)
        return False
    data.state_table_shmem = k_mem_map_phys_bare(shmem_phys, state_table_size,
                                                 K_MEM_CACHE_WB | K_MEM_PERM_USER)
    data.rw_section_size = pcie_conf_read_u64(bdf, cap_pos + IVSHMEM_CFG_RW_SECTION_SZ // 4)
    LOG_INF("RW section size 0x%zX", data.rw_section_size)
    if data.rw_section_size > 0:
        data.rw_section_shmem = k_mem_map_phys_bare(
            shmem_phys + state_table_size, data.rw_section_size,
            K_MEM_CACHE_WB | K_MEM_PERM_RW | K_MEM_PERM_USER)
    data.output_section_size = pcie_conf_read_u64(
        bdf, cap_pos + IVSHMEM_CFG_OUTPUT_SECTION_SZ // 4)
    LOG_INF("Output section size 0x%zX", data.output_section_size)
    own_id = sys_read32(data.regs + IVSHMEM_V2_REG_ID)
    data.output_section_shmem = []
    for i in range(data.max_peers):
        phys = shmem_phys + state_table_size + data.rw_section_size + data.output_section_size * i
        flags = K_MEM_CACHE_WB | K_MEM_PERM_USER | (K_MEM_PERM_RW if i == own_id else 0)
        data.output_section_shmem.append(
            k_mem_map_phys_bare(phys, data.output_section_size, flags)
            if data.output_section_size > 0 else None)
    data.size = state_table_size + data.rw_section_size + data.output_section_size * data.max_peers
    # interrupts are not one-shot for this driver
    word = pcie_conf_read(bdf, cap_pos + IVSHMEM_CFG_PRIV_CNTL // 4)
    word &= ~(IVSHMEM_PRIV_CNTL_ONESHOT_INT << ((IVSHMEM_CFG_PRIV_CNTL % 4) * 8))
    pcie_conf_write(bdf, cap_pos + IVSHMEM_CFG_PRIV_CNTL // 4, word)
    return True



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
        if not ivshmem_configure_v2(dev, mbar_regs.size,
                                    mbar_shmem.phys_addr if shmem_bar_present else None):
            return False
    else:
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
    elif data.ivshmem_v2 and DOORBELL:
        if not ivshmem_configure_int_x_interrupts(dev):
            LOG_ERR("INTx init failed")
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
    if data.ivshmem_v2:
        return sys_read32(data.regs + IVSHMEM_V2_REG_ID)
    return sys_read32(data.regs + IVSHMEM_REG_IV_POSITION)


def ivshmem_api_get_vectors(dev: device) -> int:
    return dev.data.n_vectors if DOORBELL else 0


def ivshmem_api_int_peer(dev: device, peer_id: int, vector: int) -> int:
    if not DOORBELL:
        return -errno.ENOSYS
    data: ivshmem = dev.data
    if vector >= data.n_vectors:
        return -errno.EINVAL
    if data.ivshmem_v2 and peer_id >= data.max_peers:
        return -errno.EINVAL
    # the Doorbell register is at 0x0C in both layouts
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


# The ivshmem-v2 entries (CONFIG_IVSHMEM_V2); on a v1 instance they do what C does for one.


def ivshmem_api_get_rw_mem_section(dev: device) -> tuple[int, Any]:
    data: ivshmem = dev.data
    if not data.ivshmem_v2:
        return 0, None
    return data.rw_section_size, data.rw_section_shmem


def ivshmem_api_get_output_mem_section(dev: device, peer_id: int) -> tuple[int, Any]:
    data: ivshmem = dev.data
    if not data.ivshmem_v2 or peer_id >= data.max_peers:
        return 0, None
    return data.output_section_size, data.output_section_shmem[peer_id]


def ivshmem_api_get_state(dev: device, peer_id: int) -> int:
    data: ivshmem = dev.data
    if not data.ivshmem_v2 or peer_id >= data.max_peers:
        return 0
    offset = 4 * peer_id
    return int.from_bytes(data.state_table_shmem[offset : offset + 4], sys.byteorder)


def ivshmem_api_set_state(dev: device, state: int) -> int:
    data: ivshmem = dev.data
    if not data.ivshmem_v2:
        return -errno.ENOSYS
    sys_write32(state & 0xFFFFFFFF, data.regs + IVSHMEM_V2_REG_STATE)
    return 0


def ivshmem_api_get_max_peers(dev: device) -> int:
    data: ivshmem = dev.data
    return data.max_peers if data.ivshmem_v2 else 0


def ivshmem_api_get_protocol(dev: device) -> int:
    data: ivshmem = dev.data
    if not data.ivshmem_v2:
        return 0
    return (data.pcie.class_rev >> 8) & 0xFFFF


def ivshmem_api_enable_interrupts(dev: device, enable: bool) -> int:
    data: ivshmem = dev.data
    if not data.ivshmem_v2:
        return -errno.ENOSYS
    sys_write32(IVSHMEM_INT_ENABLE if enable else 0, data.regs + IVSHMEM_V2_REG_INT_CONTROL)
    return 0


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


def _intx_info(n: int) -> list[intx_info]:
    """The node's interrupts 0..3 (INTA..INTD), or INTX_IRQ_UNUSED where there is none."""
    out = []
    for idx in range(4):
        if DT_INST_IRQ_HAS_IDX(n, idx):
            out.append(intx_info(DT_INST_IRQ_BY_IDX(n, idx, "irq"),
                                 DT_INST_IRQ_BY_IDX(n, idx, "priority"),
                                 DT_INST_IRQ_BY_IDX(n, idx, "sense")))
        else:
            out.append(intx_info())
    return out


def IVSHMEM_DEVICE_INIT(n: int) -> None:
    is_v2 = bool(DT_INST_PROP(n, "ivshmem_v2"))
    # C's BUILD_ASSERTs
    if is_v2 and not V2:
        raise LinkError("CONFIG_IVSHMEM_V2 must be enabled for ivshmem-v2")
    if DOORBELL and not (IS_ENABLED("CONFIG_PCIE_MSI_X") and
                         IS_ENABLED("CONFIG_PCIE_MSI_MULTI_VECTOR")) and \
            not (is_v2 and DT_INST_IRQ_HAS_IDX(n, 0)):
        raise LinkError("IVSHMEM_DOORBELL requires either MSI-X or INTx support")
    data = ivshmem(pcie=DEVICE_PCIE_INST_DECLARE(n), ivshmem_v2=is_v2)
    if DOORBELL:
        data.vectors = [msi_vector_t() for _ in range(MSI_X_VECTORS)]
        data.params = [ivshmem_param() for _ in range(max(MSI_X_VECTORS, 1))]
    cfg = ivshmem_cfg(_intx_info(n)) if V2 else None
    DEVICE_DT_INST_DEFINE(n, ivshmem_init, None, data, cfg, POST_KERNEL,
                          CONFIG_KERNEL_INIT_PRIORITY_DEVICE, ivshmem_api)


DT_INST_FOREACH_STATUS_OKAY(IVSHMEM_DEVICE_INIT)
