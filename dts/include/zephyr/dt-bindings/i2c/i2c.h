/*
 * I2C bus speeds for clock-frequency, with the names and values of Zephyr's
 * <zephyr/dt-bindings/i2c/i2c.h>.
 */
#ifndef ZPY_DT_BINDINGS_I2C_I2C_H
#define ZPY_DT_BINDINGS_I2C_I2C_H

#define I2C_BITRATE_STANDARD    100000  /* 100 kbit/s */
#define I2C_BITRATE_FAST        400000  /* 400 kbit/s */
#define I2C_BITRATE_FAST_PLUS   1000000 /* 1 Mbit/s */
#define I2C_BITRATE_HIGH        3400000 /* 3.4 Mbit/s */
#define I2C_BITRATE_ULTRA       5000000 /* 5 Mbit/s */

#endif
