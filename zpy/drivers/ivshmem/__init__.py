"""<zephyr/drivers/virtualization/ivshmem.h>: the ivshmem API, function for function.

Each function dispatches through the device's API table, as the C z_impl_ does,
and returns what C returns. Out-pointers become extra return values:

    size, mem = ivshmem_get_mem(dev)        # mem: a memoryview of the shared memory
    size, mem = ivshmem_get_rw_mem_section(dev)
    size, mem = ivshmem_get_output_mem_section(dev, peer_id)

where C writes 0 to *memmap, mem is None. The seven ivshmem-v2 functions exist
only with CONFIG_IVSHMEM_V2, as in C; without it calling one is a LinkError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zpy.errors import LinkError
from zpy.kernel.device import device, device_api_entry
from zpy.kernel.poll import k_poll_signal

IVSHMEM_V2_PROTO_UNDEFINED = 0x0000
IVSHMEM_V2_PROTO_NET = 0x0001


@dataclass(frozen=True)
class ivshmem_driver_api:
    """struct ivshmem_driver_api, fields in C's order."""

    get_mem: Callable[[device], tuple[int, Any]]
    get_id: Callable[[device], int]
    get_vectors: Callable[[device], int]
    int_peer: Callable[[device, int, int], int]
    register_handler: Callable[[device, k_poll_signal | None, int], int]
    # CONFIG_IVSHMEM_V2
    get_rw_mem_section: Callable[[device], tuple[int, Any]] | None = None
    get_output_mem_section: Callable[[device, int], tuple[int, Any]] | None = None
    get_state: Callable[[device, int], int] | None = None
    set_state: Callable[[device, int], int] | None = None
    get_max_peers: Callable[[device], int] | None = None
    get_protocol: Callable[[device], int] | None = None
    enable_interrupts: Callable[[device, bool], int] | None = None


def _v2(dev: device, op: str) -> Callable[..., Any]:
    fn = getattr(dev.api, op)
    if fn is None:
        raise LinkError(f"ivshmem_{op}() is only built with CONFIG_IVSHMEM_V2=y")
    return fn  # type: ignore[no-any-return]


def ivshmem_get_mem(dev: device) -> tuple[int, Any]:
    """Size and mapping of the whole shared memory (0, None on ivshmem-v2)."""
    device_api_entry()
    return dev.api.get_mem(dev)  # type: ignore[no-any-return]


def ivshmem_get_id(dev: device) -> int:
    """Our VM ID (IVPosition); 0 on ivshmem-plain."""
    device_api_entry()
    return dev.api.get_id(dev)  # type: ignore[no-any-return]


def ivshmem_get_vectors(dev: device) -> int:
    """How many notification vectors we have; 0 without CONFIG_IVSHMEM_DOORBELL."""
    device_api_entry()
    return dev.api.get_vectors(dev)  # type: ignore[no-any-return]


def ivshmem_int_peer(dev: device, peer_id: int, vector: int) -> int:
    """Ring `vector` of VM `peer_id`: 0, -EINVAL (bad vector; v2: bad peer), -ENOSYS."""
    device_api_entry()
    return dev.api.int_peer(dev, peer_id, vector)  # type: ignore[no-any-return]


def ivshmem_register_handler(dev: device, signal: k_poll_signal | None, vector: int) -> int:
    """Raise `signal` (result = vector) when `vector` fires; None unregisters."""
    device_api_entry()
    if signal is not None and not isinstance(signal, k_poll_signal):
        raise TypeError(f"signal must be a k_poll_signal or None, got {type(signal).__name__}")
    return dev.api.register_handler(dev, signal, vector)  # type: ignore[no-any-return]


def ivshmem_get_rw_mem_section(dev: device) -> tuple[int, Any]:
    device_api_entry()
    return _v2(dev, "get_rw_mem_section")(dev)  # type: ignore[no-any-return]


def ivshmem_get_output_mem_section(dev: device, peer_id: int) -> tuple[int, Any]:
    device_api_entry()
    return _v2(dev, "get_output_mem_section")(dev, peer_id)  # type: ignore[no-any-return]


def ivshmem_get_state(dev: device, peer_id: int) -> int:
    device_api_entry()
    return _v2(dev, "get_state")(dev, peer_id)  # type: ignore[no-any-return]


def ivshmem_set_state(dev: device, state: int) -> int:
    device_api_entry()
    return _v2(dev, "set_state")(dev, state)  # type: ignore[no-any-return]


def ivshmem_get_max_peers(dev: device) -> int:
    device_api_entry()
    return _v2(dev, "get_max_peers")(dev)  # type: ignore[no-any-return]


def ivshmem_get_protocol(dev: device) -> int:
    device_api_entry()
    return _v2(dev, "get_protocol")(dev)  # type: ignore[no-any-return]


def ivshmem_enable_interrupts(dev: device, enable: bool) -> int:
    device_api_entry()
    return _v2(dev, "enable_interrupts")(dev, enable)  # type: ignore[no-any-return]
