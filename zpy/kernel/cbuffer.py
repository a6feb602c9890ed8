"""C memory handed to the kernel as Python buffers (a message, a pipe's bytes, a ring).

Where C passes a pointer and a length and the kernel memcpy()s, zpy takes any
object with the buffer protocol: bytes, bytearray, memoryview, array, ctypes.
"""

from __future__ import annotations

from typing import Any


def byte_view(data: Any, size: int, writable: bool) -> memoryview:
    """The first `size` bytes of a buffer, as bytes. A buffer too short for the copy is
    a ValueError (C would overrun it); a read-only one to write into, a TypeError."""
    try:
        view = memoryview(data).cast("B")
    except TypeError:
        raise TypeError(f"expected a buffer (bytes, bytearray, memoryview, ctypes object), "
                        f"got {type(data).__name__}") from None
    if writable and view.readonly:
        raise TypeError(f"cannot copy into a read-only buffer ({type(data).__name__})")
    if len(view) < size:
        raise ValueError(f"{size} bytes to copy; the buffer has only {len(view)}")
    return view[:size]
