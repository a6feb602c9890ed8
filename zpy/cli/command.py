"""ZpyCommand: the base class of every `zpy` command (in the style of west's WestCommand).

A command module defines one subclass with a name, a one-line help text and two
hooks: do_add_parser() declares its options, do_run() does the work and returns
an exit status. Commands report failure by raising a ZpyError (or calling die());
they never call sys.exit themselves.
"""

from __future__ import annotations

import argparse
import sys
from abc import ABC, abstractmethod
from typing import NoReturn

from zpy.errors import ZpyError


class CommandError(ZpyError):
    """A command gave up; `returncode` is the exit status."""

    def __init__(self, message: str, returncode: int = 1, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.returncode = returncode


class ZpyCommand(ABC):
    #: the word after `zpy`
    name: str = ""
    #: one line for `zpy --help`
    help: str = ""
    #: the paragraph under `zpy NAME --help`
    description: str = ""
    #: True if the command takes arguments after `--` (as `zpy build` does)
    accepts_extra_args: bool = False

    def __init__(self) -> None:
        self.verbosity = 0

    def add_parser(self, subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(
            self.name,
            help=self.help,
            description=self.description or self.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        self.do_add_parser(parser)
        return parser

    def run(self, args: argparse.Namespace, extra: list[str]) -> int:
        self.verbosity = getattr(args, "verbose", 0) or 0
        if extra and not self.accepts_extra_args:
            raise CommandError(f"zpy {self.name} takes no arguments after '--': {' '.join(extra)}")
        status = self.do_run(args, extra)
        return 0 if status is None else int(status)

    # -- Mandatory subclass hooks ---------------------------------------------------

    @abstractmethod
    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's options on `parser`."""

    @abstractmethod
    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int | None:
        """Do the work; return the exit status (None means 0)."""

    # -- Output helpers -------------------------------------------------------------

    def dbg(self, msg: str) -> None:
        if self.verbosity > 0:
            print(msg, file=sys.stderr, flush=True)

    def inf(self, msg: str) -> None:
        print(msg, flush=True)

    def wrn(self, msg: str) -> None:
        print(f"warning: {msg}", file=sys.stderr, flush=True)

    def err(self, msg: str) -> None:
        print(f"error: {msg}", file=sys.stderr, flush=True)

    def die(self, msg: str, returncode: int = 1, hint: str | None = None) -> NoReturn:
        raise CommandError(msg, returncode, hint)
