"""The UART shell backend of an image (subsys/shell/backends/shell_uart.c).

Linked with CONFIG_SHELL_BACKEND_SERIAL: the shell instance "shell_uart" on
the devicetree's zephyr,shell-uart, prompt CONFIG_SHELL_PROMPT_UART. At
POST_KERNEL it initializes the shell and its transport (the UART's receive
interrupt on); its thread, "shell_uart", starts with the static threads just
before main(), so the prompt follows the boot banner.
"""

from __future__ import annotations

from zpy import errno
from zpy.autoconf import (
    CONFIG_SHELL_BACKEND_SERIAL_INIT_PRIORITY,
    CONFIG_SHELL_BACKEND_SERIAL_LOG_LEVEL,
    CONFIG_SHELL_BACKEND_SERIAL_RX_RING_BUFFER_SIZE,
    CONFIG_SHELL_PROMPT_UART,
    CONFIG_SHELL_STACK_SIZE,
)
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_CHOSEN
from zpy.init import POST_KERNEL, SYS_INIT
from zpy.kernel import IS_ENABLED, K_LOWEST_APPLICATION_THREAD_PRIO, K_THREAD_DEFINE
from zpy.kernel.context import current_kernel
from zpy.shell import SHELL_DEFAULT_BACKEND_CONFIG_FLAGS, SHELL_DEFINE, shell_init
from zpy.subsys.shell.transport_uart import ShellUartTransport

SHELL_THREAD_PRIORITY = K_LOWEST_APPLICATION_THREAD_PRIO
if IS_ENABLED("CONFIG_SHELL_THREAD_PRIORITY_OVERRIDE"):
    from zpy.autoconf import CONFIG_SHELL_THREAD_PRIORITY

    SHELL_THREAD_PRIORITY = CONFIG_SHELL_THREAD_PRIORITY

shell_uart_dev = DEVICE_DT_GET(DT_CHOSEN("zephyr_shell_uart"))
POLL_PERIOD_MS: int | None = None
if not IS_ENABLED("CONFIG_SHELL_BACKEND_SERIAL_INTERRUPT_DRIVEN"):
    from zpy.autoconf import CONFIG_SHELL_BACKEND_SERIAL_RX_POLL_PERIOD

    POLL_PERIOD_MS = CONFIG_SHELL_BACKEND_SERIAL_RX_POLL_PERIOD

shell_transport_uart = ShellUartTransport(shell_uart_dev,
                                          CONFIG_SHELL_BACKEND_SERIAL_RX_RING_BUFFER_SIZE,
                                          POLL_PERIOD_MS)
shell_uart = SHELL_DEFINE("shell_uart", CONFIG_SHELL_PROMPT_UART, shell_transport_uart)


def enable_shell_uart() -> int:
    if not device_is_ready(shell_uart_dev):
        return -errno.ENODEV
    level = CONFIG_SHELL_BACKEND_SERIAL_LOG_LEVEL
    log_backend = level > 0
    rc = shell_init(shell_uart, shell_uart_dev, SHELL_DEFAULT_BACKEND_CONFIG_FLAGS(),
                    log_backend, level)
    if rc == 0:
        current_kernel().console_eof_hooks.append(shell_transport_uart.on_console_eof)
    return rc


SYS_INIT(enable_shell_uart, POST_KERNEL, CONFIG_SHELL_BACKEND_SERIAL_INIT_PRIORITY)

shell_uart.tid = K_THREAD_DEFINE("shell_uart", CONFIG_SHELL_STACK_SIZE, shell_uart.thread,
                                 None, None, None, SHELL_THREAD_PRIORITY, 0, 0)
