"""Host-side errors.

Two worlds meet in zpy and they report failure differently:

* The Zephyr-facing API (zpy.kernel, zpy.device, zpy.drivers.*) returns C's
  return codes: 0 or a negative errno. Misuse that C would not compile raises
  TypeError or LinkError.
* Host tooling (build front end, machine set-up, servers, command line) raises a
  ZpyError. Its str() is the one line the command line prints: it names the file
  and line, or the peer and message, where there is one.

Only zpy.cli maps these to exit codes.
"""

from __future__ import annotations

from pathlib import Path


class ZpyError(Exception):
    """Root of every error the command line reports without a traceback."""

    def __init__(
        self,
        message: str,
        filename: str | Path | None = None,
        lineno: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.filename = str(filename) if filename is not None else None
        self.lineno = lineno
        self.hint = hint

    def __str__(self) -> str:
        if self.filename is None:
            return self.message
        if self.lineno is None:
            return f"{self.filename}: {self.message}"
        return f"{self.filename}:{self.lineno}: {self.message}"


class ConfigError(ZpyError):
    """Kconfig, prj.conf and friends."""


class DTSError(ZpyError):
    """Devicetree sources, overlays and bindings."""


class BuildError(ZpyError):
    """Everything else the build front end rejects (boards, app folders, -D options)."""


class OutputError(ZpyError):
    """A build output (image.json, .config, the devicetree model, build_info.json) that is
    missing, unreadable or not what zpy wrote: the build folder needs a pristine rebuild."""


class BootError(ZpyError):
    """A build that cannot be booted: missing outputs, no main(), bad machine options."""


class MachineError(ZpyError):
    """The emulated machine cannot be set up as asked (device options, backends, sockets)."""


class ProtocolError(ZpyError):
    """A peer broke the ivshmem wire protocol."""


class LinkError(ZpyError):
    """What would fail to compile or link in C, found when an image is linked or run.

    Example: DEVICE_DT_GET() of a node that no enabled driver defines.
    """


class FatalError(ZpyError):
    """The running image died: an exception escaped a thread, an ISR or an init function.

    Carries the exit status the run ends with.
    """

    def __init__(self, message: str, status: int = 1, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.cause = cause
