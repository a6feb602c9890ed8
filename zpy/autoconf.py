"""<generated/zephyr/autoconf.h>: the image's Kconfig values, by name.

    from zpy.autoconf import CONFIG_IVSHMEM_MSI_X_VECTORS

imports the value of the image that is being linked or run. A symbol that is
not set (=n, or not visible) is absent, as the macro is in C: importing it
fails, so test IS_ENABLED("CONFIG_X") (from zpy.kernel) for booleans.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if not name.startswith("CONFIG_"):
        raise AttributeError(name)
    from zpy.kernel.context import current_kernel

    config = current_kernel().config
    if name not in config:
        raise AttributeError(f"{name} is not set in this image's configuration")
    return config[name]
