"""<zephyr/logging/log.h>, re-exported from zpy.subsys.logging."""

from zpy.subsys.logging import (
    LOG_DBG,
    LOG_ERR,
    LOG_HEXDUMP_DBG,
    LOG_HEXDUMP_ERR,
    LOG_HEXDUMP_INF,
    LOG_HEXDUMP_WRN,
    LOG_INF,
    LOG_LEVEL_DBG,
    LOG_LEVEL_ERR,
    LOG_LEVEL_INF,
    LOG_LEVEL_NONE,
    LOG_LEVEL_WRN,
    LOG_MODULE_DECLARE,
    LOG_MODULE_REGISTER,
    LOG_PANIC,
    LOG_WRN,
    log_filter_set,
    log_strdup,
)

__all__ = [name for name in dir() if not name.startswith("_")]
