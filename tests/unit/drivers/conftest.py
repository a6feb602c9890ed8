"""Images with the real PCIe and ivshmem drivers, on synthetic builds (see tests/unit/kernel)."""

from __future__ import annotations

from pathlib import Path

import zpy
from tests.unit.kernel.conftest import Console, boot, make_image, node  # noqa: F401

ZPY = Path(zpy.__file__).parent

PCIE_INIT = ("zpy.drivers.pcie.pcie_init", str(ZPY / "drivers/pcie/pcie_init.py"))
VIRT_IVSHMEM = ("zpy.drivers.ivshmem.virt_ivshmem", str(ZPY / "drivers/ivshmem/virt_ivshmem.py"))

IVSHMEM_CONFIG = {
    "BOOT_BANNER": "n", "PCIE": "y", "PCIE_MSI": "y", "PCIE_MSI_X": "y",
    "PCIE_MSI_MULTI_VECTOR": "y", "PCIE_INIT_PRIORITY": "0", "VIRTUALIZATION": "y",
    "IVSHMEM": "y", "KERNEL_INIT_PRIORITY_DEVICE": "50", "POLL": "y",
}
DOORBELL_CONFIG = dict(IVSHMEM_CONFIG, IVSHMEM_DOORBELL="y", IVSHMEM_MSI_X_VECTORS="2",
                       IVSHMEM_INT_PRIORITY="2")


def ivshmem_nodes(count: int = 1) -> list:
    """/pcie0 with `count` qemu,ivshmem children labelled ivshmem0, ivshmem1, ..."""
    kids = [node(f"/pcie0/ivshmem{i}", 2 + i, labels=[f"ivshmem{i}"], compats=["qemu,ivshmem"],
                 props={"vendor-id": 0x1AF4, "device-id": 0x1110, "ivshmem-v2": False},
                 depends_on=[1]) for i in range(count)]
    pcie = node("/pcie0", 1, labels=["pcie0"], compats=["pcie-controller"],
                children=[k.path for k in kids], bus="pcie")
    return [pcie, *kids]
