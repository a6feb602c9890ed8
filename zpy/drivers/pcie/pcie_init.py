"""The PCIe bus scan at boot (drivers/pcie/host/pcie.c's pcie_init): binds each declared
pcie_dev (DEVICE_PCIE_INST_DECLARE) to the function with its IDs, before drivers init."""

from zpy.autoconf import CONFIG_PCIE_INIT_PRIORITY
from zpy.drivers.pcie.host import pcie_bind_declared_devices
from zpy.init import PRE_KERNEL_1, SYS_INIT


def pcie_init() -> int:
    pcie_bind_declared_devices()
    return 0


SYS_INIT(pcie_init, PRE_KERNEL_1, CONFIG_PCIE_INIT_PRIORITY)
