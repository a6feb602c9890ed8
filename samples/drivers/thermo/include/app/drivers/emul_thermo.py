"""The thermo emulator's backend: what a test calls to play the sensor's world
(emul_thermo.h in C, as Zephyr's emulators have include/zephyr/drivers/emul_*.h).

    target = EMUL_DT_GET(DT_NODELABEL("thermo0"))
    thermo_emul_set_temperature(target, 2345)      # 23.45 degC, a new sample
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zpy.drivers.emul import emul


@dataclass(frozen=True)
class thermo_emul_backend_api:
    set_temperature: Callable[[emul, int], int]


def thermo_emul_set_temperature(target: emul, centicelsius: int) -> int:
    """Make the sensor measure `centicelsius` (hundredths of a degree): a new sample is ready
    and, if the driver enabled it, the data-ready interrupt is raised. 0, or -EINVAL for a
    value the 16-bit register cannot hold."""
    return target.backend_api.set_temperature(target, centicelsius)  # type: ignore[no-any-return]
