"""<zephyr/random/random.h>, re-exported from zpy.subsys.random."""

from zpy.subsys.random import (
    sys_csrand_get,
    sys_rand8_get,
    sys_rand16_get,
    sys_rand32_get,
    sys_rand64_get,
    sys_rand_get,
)

__all__ = [
    "sys_csrand_get",
    "sys_rand16_get",
    "sys_rand32_get",
    "sys_rand64_get",
    "sys_rand8_get",
    "sys_rand_get",
]
