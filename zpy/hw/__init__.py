"""The emulated machine: what QEMU provides underneath an image.

CPU (where interrupts are taken), I/O port and memory buses, the PCI host with
per-device configuration space, MSI-X, interrupt controllers and device models
whose memory and doorbells are real host objects (mapped files, eventfds).
Drivers never import this package: they reach it through the kernel's register
access and the PCIe API, as C drivers reach real hardware.
"""
