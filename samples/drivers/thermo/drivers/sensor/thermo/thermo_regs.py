"""The thermo's registers (thermo_regs.h in C): the driver and its emulator share them.

8-bit registers; a read or a write of several bytes goes on to the next
register (auto-increment).
"""

WHO_AM_I = 0x0F  # chip id, read-only
CHIP_ID = 0x54
CTRL = 0x20  # control
CTRL_EN = 1 << 0  # conversions on
CTRL_DRDY_IE = 1 << 1  # raise the interrupt when a sample is ready
STATUS = 0x27  # read-only
STATUS_DRDY = 1 << 0  # a new sample: cleared by reading TEMP_H
TEMP_L = 0x28  # temperature in 0.01 degC, int16 little-endian, read-only
TEMP_H = 0x29
