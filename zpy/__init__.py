"""zpy: a miniature, Zephyr-compatible runtime in Python.

Importing zpy has no side effects. The public modules mirror Zephyr's headers:
zpy.kernel, zpy.device, zpy.devicetree, zpy.init, zpy.logging, zpy.ztest,
zpy.drivers.pcie and zpy.drivers.ivshmem.
"""

__version__ = "0.1.0"

# The Zephyr release whose behaviour zpy mirrors; the boot banner prints it.
ZEPHYR_VERSION = (4, 1, 0)
