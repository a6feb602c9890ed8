"""<zephyr/drivers/ipm.h>: the inter-processor mailbox (IPM) API, function for function.

Each call dispatches through the device's `ipm_driver_api` table, as C's
z_impl_ functions do, and returns what C returns. A driver may leave an entry
of its table empty (None), as C leaves a NULL: calling that entry is then a
fatal error, as jumping through a NULL pointer is in C. Only `complete` is
checked first, because C's ipm_complete() checks it too.

A callback is `cb(ipmdev, user_data, id, data)`; `data` is None when the
driver passes no payload (C's NULL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zpy.kernel.device import device, device_api_entry

#: ipm_callback_t: what a driver calls for each incoming message
ipm_callback_t = Callable[[device, Any, int, Any], None]


@dataclass(frozen=True)
class ipm_driver_api:
    """struct ipm_driver_api, fields in C's order (`complete` is C's CONFIG_IPM_CALLBACK_ASYNC one)."""

    send: Callable[[device, int, int, Any, int], int] | None = None
    register_callback: Callable[[device, ipm_callback_t | None, Any], None] | None = None
    max_data_size_get: Callable[[device], int] | None = None
    max_id_val_get: Callable[[device], int] | None = None
    set_enabled: Callable[[device, int], int] | None = None
    complete: Callable[[device], None] | None = None


class NullApiCall(RuntimeError):
    """A call through an API entry the driver left empty: C jumps to address 0 and faults."""


def _op(dev: device, name: str) -> Callable[..., Any]:
    """The API table's entry `name` (every ipm_* call is a kernel entry point)."""
    device_api_entry()
    fn = getattr(dev.api, name, None)
    if fn is None:
        raise NullApiCall(f"ipm_{name}() on '{dev.name}': its driver's ipm_driver_api has no "
                          f"{name} (a call through a NULL function pointer in C)")
    return fn  # type: ignore[no-any-return]


def ipm_send(ipmdev: device, wait: int, id: int, data: Any, size: int) -> int:
    """Send message `id` (and `size` bytes of `data`, if the driver carries data).

    0, or -EBUSY (the remote has not read the last one), -EMSGSIZE (too much
    data), -EINVAL (bad id, or not an outbound channel): the driver's code.
    """
    return _op(ipmdev, "send")(ipmdev, wait, id, data, size)  # type: ignore[no-any-return]


def ipm_register_callback(ipmdev: device, cb: ipm_callback_t | None, user_data: Any) -> None:
    """Call cb(ipmdev, user_data, id, data) for every incoming message; None stops the calls."""
    if cb is not None and not callable(cb):
        raise TypeError(f"ipm_register_callback: cb must be a function or None, got {cb!r}")
    _op(ipmdev, "register_callback")(ipmdev, cb, user_data)


def ipm_max_data_size_get(ipmdev: device) -> int:
    """The most bytes one outbound message can carry."""
    return _op(ipmdev, "max_data_size_get")(ipmdev)  # type: ignore[no-any-return]


def ipm_max_id_val_get(ipmdev: device) -> int:
    """The largest message id the device can send (a uint32_t)."""
    return _op(ipmdev, "max_id_val_get")(ipmdev) & 0xFFFFFFFF  # type: ignore[no-any-return]


def ipm_set_enabled(ipmdev: device, enable: int) -> int:
    """Enable (non-zero) or disable (0) inbound interrupts and callbacks: 0, or -EINVAL."""
    return _op(ipmdev, "set_enabled")(ipmdev, enable)  # type: ignore[no-any-return]


def ipm_complete(ipmdev: device) -> None:
    """Acknowledge a message delivered asynchronously; a no-op for drivers without `complete`."""
    device_api_entry()
    complete = getattr(ipmdev.api, "complete", None)
    if complete is not None:
        complete(ipmdev)
