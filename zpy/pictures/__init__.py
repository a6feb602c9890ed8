"""Pictures of what zpy knows, as SVG: the ivshmem-v2 memory map and the init order.

Each drawing function is pure (data in, SVG text out), so the command line
draws them from a build and a running VM can draw them from its own state.
"""

from zpy.pictures.init_order import InitItem, InitOrder, draw_init_order, snapshot_init_order
from zpy.pictures.memory_map import draw_memory_map
from zpy.pictures.shm_layout import LayoutError, Section, SharedMemoryLayout, format_bytes

__all__ = ["InitItem", "InitOrder", "LayoutError", "Section", "SharedMemoryLayout",
           "draw_init_order", "draw_memory_map", "format_bytes", "snapshot_init_order"]
