"""<zephyr/device.h>: struct device, DEVICE_*_DEFINE, DEVICE_DT_GET, device_is_ready, ..."""

from zpy.kernel.device import (
    DEVICE_API,
    DEVICE_API_GET,
    DEVICE_API_IS,
    DEVICE_DEFINE,
    DEVICE_DT_DEFINE,
    DEVICE_DT_GET,
    DEVICE_DT_GET_ANY,
    DEVICE_DT_GET_ONE,
    DEVICE_DT_GET_OR_NULL,
    DEVICE_DT_INST_DEFINE,
    DEVICE_DT_INST_GET,
    DEVICE_DT_NAME,
    DEVICE_FLAG_INIT_DEFERRED,
    DEVICE_GET,
    DEVICE_HANDLE_NULL,
    device,
    device_from_handle,
    device_get_binding,
    device_get_by_dt_nodelabel,
    device_handle_get,
    device_init,
    device_is_ready,
    device_ops,
    device_required_foreach,
    device_required_handles_get,
    device_state,
    z_device_get_all_static,
    z_device_is_ready,
)

__all__ = [name for name in dir() if not name.startswith("_")]
