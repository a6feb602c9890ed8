"""TwisterError: what zpy twister reports as one line, with the file and line it is about."""

from __future__ import annotations

from zpy.errors import ZpyError


class TwisterError(ZpyError):
    """A scenario file, a filter, an option or a platform twister cannot use.

    str() without the 'error:' word; `line()` gives the one line the run prints.
    """

    def line(self) -> str:
        if self.filename is None:
            return f"error: {self.message}"
        loc = self.filename if self.lineno is None else f"{self.filename}:{self.lineno}"
        return f"{loc}: error: {self.message}"
