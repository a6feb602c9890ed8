/*
 * PCIe identifiers usable in devicetree sources, with the names and encodings of
 * Zephyr's <zephyr/dt-bindings/pcie/pcie.h>.
 */
#ifndef ZPY_DT_BINDINGS_PCIE_H
#define ZPY_DT_BINDINGS_PCIE_H

#define PCIE_BDF(bus, dev, func) \
	((((bus) & 0xff) << 16) | (((dev) & 0x1f) << 11) | (((func) & 0x07) << 8))
#define PCIE_BDF_NONE 0xffffffff
#define PCIE_ID(vend, dev) ((((vend) & 0xffff)) | (((dev) & 0xffff) << 16))
#define PCIE_ID_NONE 0xffffffff

#endif
