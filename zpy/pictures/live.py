"""Pictures of a running VM: its init order with each device's readiness, and the memory
map of each ivshmem-v2 device as the server laid it out (`zpy run --draw DIR`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zpy.pictures.init_order import draw_init_order, snapshot_init_order
from zpy.pictures.memory_map import draw_memory_map
from zpy.pictures.shm_layout import SharedMemoryLayout

if TYPE_CHECKING:
    from zpy.runtime import Runtime


def draw_running_vm(runtime: Runtime, out_dir: Path) -> list[Path]:
    """Write init-order.svg and memory-map-<device>.svg (one per ivshmem-v2 device) into
    out_dir; returns the files written. Call once the image has booted."""
    from zpy.hw.ivshmem2 import Ivshmem2

    out_dir.mkdir(parents=True, exist_ok=True)
    kernel = runtime.kernel
    board = kernel.config.get("CONFIG_BOARD", "")
    app = Path(runtime.manifest.app_dir).name
    written = []
    init_order = out_dir / "init-order.svg"
    init_order.write_text(draw_init_order(snapshot_init_order(
        kernel, title=f"{app}: init order ({board}, running)", booted=True)))
    written.append(init_order)
    for device in runtime.machine.devices:
        if isinstance(device, Ivshmem2):
            layout = device.layout
            picture = SharedMemoryLayout.from_server(
                layout.shm_size, layout.output_section_size, layout.max_peers,
                own_id=device.own_id, state_table_size=layout.state_table_size)
            path = out_dir / f"memory-map-{device.name}.svg"
            path.write_text(draw_memory_map(
                picture, title=f"{app}: {device.name} shared memory, peer {device.own_id}"))
            written.append(path)
    return written
