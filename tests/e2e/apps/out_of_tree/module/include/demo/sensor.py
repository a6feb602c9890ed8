"""The demo sensor class's API (include/demo/sensor.h in C)."""

from dataclasses import dataclass


@dataclass
class demo_sensor_api:
    read: object


def sensor_read(dev):
    return dev.api.read(dev)
