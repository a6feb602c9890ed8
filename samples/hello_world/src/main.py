# Copyright (c) zpy contributors. SPDX-License-Identifier: Apache-2.0
"""Hello World: the first app, as Zephyr's samples/hello_world."""

from zpy.autoconf import CONFIG_BOARD
from zpy.kernel import printk


def main() -> int:
    printk("Hello World! %s\n", CONFIG_BOARD)
    return 0
