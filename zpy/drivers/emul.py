"""<zephyr/drivers/emul.h>: the emulator framework (implemented in zpy.subsys.emul).

EMUL_DT_DEFINE / EMUL_DT_INST_DEFINE define an emulator, EMUL_DT_GET and
emul_get_binding find it, emul_init_for_bus brings up the emulators of a bus.
emul_irq_set / emul_irq_pulse are zpy's: an emulator drives its device's
interrupt line through the interrupt controller, as the hardware would.
"""

from zpy.subsys.emul import (
    EMUL_BUS_TYPE_ESPI,
    EMUL_BUS_TYPE_I2C,
    EMUL_BUS_TYPE_MSPI,
    EMUL_BUS_TYPE_NONE,
    EMUL_BUS_TYPE_SDHC,
    EMUL_BUS_TYPE_SPI,
    EMUL_BUS_TYPE_UART,
    EMUL_DT_DEFINE,
    EMUL_DT_GET,
    EMUL_DT_GET_OR_NULL,
    EMUL_DT_INST_DEFINE,
    emul,
    emul_get_binding,
    emul_has_irq,
    emul_init_for_bus,
    emul_init_t,
    emul_irq_pulse,
    emul_irq_set,
    emul_link_for_bus,
    emul_list_for_bus,
    no_bus_emul,
)

__all__ = [
    "EMUL_BUS_TYPE_ESPI",
    "EMUL_BUS_TYPE_I2C",
    "EMUL_BUS_TYPE_MSPI",
    "EMUL_BUS_TYPE_NONE",
    "EMUL_BUS_TYPE_SDHC",
    "EMUL_BUS_TYPE_SPI",
    "EMUL_BUS_TYPE_UART",
    "EMUL_DT_DEFINE",
    "EMUL_DT_GET",
    "EMUL_DT_GET_OR_NULL",
    "EMUL_DT_INST_DEFINE",
    "emul",
    "emul_get_binding",
    "emul_has_irq",
    "emul_init_for_bus",
    "emul_init_t",
    "emul_irq_pulse",
    "emul_irq_set",
    "emul_link_for_bus",
    "emul_list_for_bus",
    "no_bus_emul",
]
