"""<zephyr/drivers/pcie/pcie.h> and <zephyr/drivers/pcie/msi.h>: the PCIe API drivers use."""

from zpy.drivers.pcie.host import *  # noqa: F403
from zpy.drivers.pcie.msi import (
    PCIE_MSIX_MCR_EN,
    msi_vector_t,
    pcie_is_msi,
    pcie_msi_enable,
    pcie_msi_vector_connect,
    pcie_msi_vectors_allocate,
)
