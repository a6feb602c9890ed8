"""<zephyr/logging/log.h>: LOG_MODULE_REGISTER, LOG_ERR/WRN/INF/DBG, LOG_HEXDUMP_*.

A module registers once at module level, as a C file does:

    LOG_MODULE_REGISTER("ivshmem", CONFIG_IVSHMEM_LOG_LEVEL)   # or a "CONFIG_..." name, or none

and the LOG_* calls in it find that registration through their caller's module.
Levels honour CONFIG_LOG (no output without it), CONFIG_LOG_DEFAULT_LEVEL,
CONFIG_LOG_MAX_LEVEL, CONFIG_LOG_OVERRIDE_LEVEL and the per-module level.
Lines look like Zephyr's UART backend output:

    [00:00:00.012,345] <inf> ivshmem: PCIe: ID 0x11101AF4, BDF 0x800, class-rev 0x05000001

with CONFIG_LOG_MODE_MINIMAL they are "I: message". Messages are written when
logged (as immediate mode does); deferred mode keeps the same line order.
"""

from __future__ import annotations

import string
import sys
from collections.abc import Callable
from typing import Any

from zpy.errors import LinkError
from zpy.kernel.cformat import c_format
from zpy.kernel.context import NoKernelError, current_kernel

LOG_LEVEL_NONE = 0
LOG_LEVEL_ERR = 1
LOG_LEVEL_WRN = 2
LOG_LEVEL_INF = 3
LOG_LEVEL_DBG = 4

_TAGS = {1: "err", 2: "wrn", 3: "inf", 4: "dbg"}
_MINIMAL = {1: "E", 2: "W", 3: "I", 4: "D"}
_COLORS = {1: "\x1b[1;31m", 2: "\x1b[1;33m"}
_RESET = "\x1b[0m"
_PRINTABLE = set(string.printable) - set("\t\n\r\x0b\x0c")
_HEXDUMP_BYTES_IN_LINE = 16
_MODULE_KEY = "__zpy_log_module__"


class LogModule:
    """A LOG_MODULE_REGISTER: the module's name, how its level is given, and the level it
    resolves to in the image it was linked into (so a filtered LOG_DBG costs a compare)."""

    __slots__ = ("name", "level", "resolved")

    def __init__(self, name: str, level: int | str | None) -> None:
        self.name = name
        #: an int, a "CONFIG_..." name, or None for CONFIG_LOG_DEFAULT_LEVEL
        self.level = level
        #: the effective level in the image that linked the module (None: look it up per call)
        self.resolved: int | None = None

    def __repr__(self) -> str:
        return f"LogModule({self.name!r}, {self.level!r})"


class LogCore:
    """One image's logging state: resolved levels and the output format."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.enabled = bool(config.get("CONFIG_LOG"))
        self.default_level = int(config.get("CONFIG_LOG_DEFAULT_LEVEL", LOG_LEVEL_INF))
        self.max_level = int(config.get("CONFIG_LOG_MAX_LEVEL", LOG_LEVEL_DBG))
        self.override = int(config.get("CONFIG_LOG_OVERRIDE_LEVEL", 0))
        self.minimal = bool(config.get("CONFIG_LOG_MODE_MINIMAL"))
        self.color = bool(config.get("CONFIG_LOG_BACKEND_SHOW_COLOR"))
        self.timestamp = bool(config.get("CONFIG_LOG_BACKEND_FORMAT_TIMESTAMP"))
        self.func_prefix = bool(config.get("CONFIG_LOG_FUNC_NAME_PREFIX_DBG"))
        self._config = config
        self._levels: dict[LogModule, int] = {}
        self._runtime: dict[str, int] = {}
        self.linked: list[LogModule] = []
        #: where formatted lines go instead of the console (the shell's log backend sets it)
        self.output: Callable[[str], None] | None = None
        #: device -> the error and warning lines logged while its init function ran
        #: (what `zpy explain` shows for a device whose init failed)
        self.init_lines: dict[Any, list[str]] = {}

    def note_init_line(self, frame: Any, level: int, name: str, text: str) -> None:
        """Keep an error or warning line if a device's init function is on the stack."""
        dev = _initializing_device(frame)
        if dev is not None:
            self.init_lines.setdefault(dev, []).append(f"<{_TAGS[level]}> {name}: {text}")

    def write(self, kernel: Any, text: str) -> None:
        out = self.output
        if out is None:
            kernel.console_write(text)
        else:
            out(text)

    def link(self, module: LogModule) -> None:
        """A module registered while this image is linked: resolve its level once."""
        module.resolved = self.level(module)
        self.linked.append(module)

    def level(self, module: LogModule) -> int:
        lvl = self._levels.get(module)
        if lvl is None:
            lvl = self._resolve(module)
            self._levels[module] = lvl
        return self._runtime.get(module.name, lvl)

    def _resolve(self, module: LogModule) -> int:
        if not self.enabled:
            return LOG_LEVEL_NONE
        if self.override:
            return min(self.override, self.max_level)
        spec = module.level
        if isinstance(spec, str):
            spec = self._config.get(spec, self.default_level)
        lvl = self.default_level if spec is None else int(spec)
        return max(LOG_LEVEL_NONE, min(lvl, self.max_level))

    def set_runtime_level(self, name: str, level: int) -> None:
        self._runtime[name] = level
        for module in self.linked:
            if module.name == name:
                module.resolved = level

    def prefix(self, uptime_ns: int, level: int, name: str, func: str | None) -> str:
        parts = []
        if self.timestamp:
            us_total = uptime_ns // 1000
            ms, us = divmod(us_total, 1000)
            s, ms = divmod(ms, 1000)
            m, s = divmod(s, 60)
            h, m = divmod(m, 60)
            parts.append(f"[{h:02d}:{m:02d}:{s:02d}.{ms:03d},{us:03d}] ")
        else:
            parts.append(f"[{uptime_ns // 1000:08d}] ")
        parts.append(f"<{_TAGS[level]}> ")
        parts.append(f"{name}.{func}: " if func else f"{name}: ")
        return "".join(parts)

    def format(self, uptime_ns: int, level: int, name: str, text: str, func: str | None,
               dump: bytes | None = None) -> str:
        if self.minimal:
            line = f"{_MINIMAL[level]}: {text}\n"
            if dump is not None:
                line += "".join(hexdump_lines(dump, 0)) + "\n" if dump else ""
            return line
        head = self.prefix(uptime_ns, level, name, func)
        body = head + text
        if dump is not None:
            body += "".join("\n" + line for line in hexdump_lines(dump, len(head)))
        if self.color and level in _COLORS:
            body = _COLORS[level] + body + _RESET
        return body + "\n"


def hexdump_lines(data: bytes, indent: int) -> list[str]:
    """Zephyr's log hexdump: 16 bytes a line, a gap after 8, then |ASCII|."""
    lines = []
    for off in range(0, len(data), _HEXDUMP_BYTES_IN_LINE):
        chunk = data[off : off + _HEXDUMP_BYTES_IN_LINE]
        hexpart = []
        text = []
        for i in range(_HEXDUMP_BYTES_IN_LINE):
            if i > 0 and i % 8 == 0:
                hexpart.append(" ")
                text.append(" ")
            if i < len(chunk):
                hexpart.append(f"{chunk[i]:02x} ")
                c = chr(chunk[i])
                text.append(c if c in _PRINTABLE else ".")
            else:
                hexpart.append("   ")
                text.append(" ")
        lines.append(" " * indent + "".join(hexpart) + "|" + "".join(text))
    return lines


def _core_of(kernel: Any) -> LogCore:
    return kernel.service(LogCore, lambda: LogCore(kernel.config))  # type: ignore[no-any-return]


def _core() -> tuple[Any, LogCore]:
    kernel = current_kernel()
    return kernel, _core_of(kernel)


def _module_of(frame: Any) -> LogModule:
    module = frame.f_globals.get(_MODULE_KEY)
    if module is None:
        where = frame.f_globals.get("__file__", frame.f_globals.get("__name__", "?"))
        raise LinkError(f"{where}: LOG_* used without LOG_MODULE_REGISTER() or "
                        "LOG_MODULE_DECLARE() in this module")
    return module


def _register(name: str, level: int | str | None, globals_: dict[str, Any]) -> LogModule:
    module = LogModule(str(name), level)
    try:
        kernel = current_kernel()
    except NoKernelError:
        kernel = None  # a module shared by every image: levels are looked up per call
    if kernel is not None:
        _core_of(kernel).link(module)
    globals_[_MODULE_KEY] = module
    return module


def LOG_MODULE_REGISTER(name: str, level: int | str | None = None) -> LogModule:
    """Register the calling module's log source (at module level)."""
    return _register(name, level, sys._getframe(1).f_globals)


def LOG_MODULE_DECLARE(name: str, level: int | str | None = None) -> LogModule:
    """Log under a module registered in another file."""
    return _register(name, level, sys._getframe(1).f_globals)


def _log(level: int, fmt: str, args: tuple[Any, ...]) -> None:
    frame = sys._getframe(2)
    module = frame.f_globals.get(_MODULE_KEY) or _module_of(frame)
    resolved = module.resolved
    if resolved is not None and level > resolved:
        return  # the common case of a filtered message: no kernel lookup
    kernel, core = _core()
    if resolved is None and level > core.level(module):
        return
    func = frame.f_code.co_name if (level == LOG_LEVEL_DBG and core.func_prefix) else None
    text = c_format(fmt, *args)
    core.write(kernel, core.format(kernel.uptime_ns(), level, module.name, text, func))
    if level <= LOG_LEVEL_WRN:
        core.note_init_line(frame, level, module.name, text)


def _initializing_device(frame: Any) -> Any:
    """The device whose init function (called with the device first) is on the stack."""
    from zpy.kernel.device import device

    while frame is not None:
        code = frame.f_code
        if code.co_argcount:
            dev = frame.f_locals.get(code.co_varnames[0])
            if isinstance(dev, device) and getattr(dev.ops.init, "__code__", None) is code:
                return dev
        frame = frame.f_back
    return None


def LOG_ERR(fmt: str, *args: Any) -> None:
    _log(LOG_LEVEL_ERR, fmt, args)


def LOG_WRN(fmt: str, *args: Any) -> None:
    _log(LOG_LEVEL_WRN, fmt, args)


def LOG_INF(fmt: str, *args: Any) -> None:
    _log(LOG_LEVEL_INF, fmt, args)


def LOG_DBG(fmt: str, *args: Any) -> None:
    _log(LOG_LEVEL_DBG, fmt, args)


def _hexdump(level: int, data: Any, length: int, label: str) -> None:
    frame = sys._getframe(2)
    module = frame.f_globals.get(_MODULE_KEY) or _module_of(frame)
    kernel, core = _core()
    if level > core.level(module):
        return
    func = frame.f_code.co_name if (level == LOG_LEVEL_DBG and core.func_prefix) else None
    raw = bytes(memoryview(data)[:length]) if not isinstance(data, (bytes, bytearray)) \
        else bytes(data[:length])
    core.write(kernel, core.format(kernel.uptime_ns(), level, module.name, label, func, raw))


def LOG_HEXDUMP_ERR(data: Any, length: int, label: str) -> None:
    _hexdump(LOG_LEVEL_ERR, data, length, label)


def LOG_HEXDUMP_WRN(data: Any, length: int, label: str) -> None:
    _hexdump(LOG_LEVEL_WRN, data, length, label)


def LOG_HEXDUMP_INF(data: Any, length: int, label: str) -> None:
    _hexdump(LOG_LEVEL_INF, data, length, label)


def LOG_HEXDUMP_DBG(data: Any, length: int, label: str) -> None:
    _hexdump(LOG_LEVEL_DBG, data, length, label)


def LOG_PANIC() -> None:
    """Flush: output is already synchronous."""


def log_strdup(s: str) -> str:
    return s


def log_output_route(kernel: Any, output: Callable[[str], None] | None) -> None:
    """Send an image's log lines to `output` (the shell's log backend) or, with None, back to
    the console."""
    _core_of(kernel).output = output


def log_filter_set(backend: Any, domain_id: int, source_id: str, level: int) -> int:
    """Change a module's level at run time (by module name); returns the level set."""
    _, core = _core()
    core.set_runtime_level(source_id, level)
    return level
