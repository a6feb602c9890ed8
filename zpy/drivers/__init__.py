"""Zephyr drivers in Python. A driver reaches its device only through the kernel's
register access and the PCIe API, never by importing zpy.hw."""
