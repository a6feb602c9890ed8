"""Entry point of the `zpy` command: the command table and the one mapping from errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from zpy import __version__
from zpy.cli.command import CommandError, ZpyCommand
from zpy.errors import FatalError, ZpyError

#: Command name -> "module:Class". The order is the order of `zpy --help`.
BUILTIN_COMMANDS: dict[str, str] = {
    "build": "zpy.cli.build:Build",
    "run": "zpy.cli.run:Run",
    "menuconfig": "zpy.cli.menuconfig:Menuconfig",
    "guiconfig": "zpy.cli.menuconfig:Guiconfig",
    "ivshmem-server": "zpy.cli.ivshmem_server:IvshmemServer",
    "ivshmem-client": "zpy.cli.ivshmem_client:IvshmemClient",
    "draw": "zpy.cli.draw:Draw",
    "explain": "zpy.cli.explain:Explain",
    "ivshmem2-server": "zpy.cli.ivshmem2_server:Ivshmem2Server",
    "twister": "zpy.cli.twister:Twister",
}


def _load_commands(only: str | None = None) -> list[ZpyCommand]:
    """The command objects; with `only`, just that one (a run need not import a server)."""
    commands = []
    for name, spec in BUILTIN_COMMANDS.items():
        if only is not None and name != only:
            continue
        module_name, class_name = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name == module_name:  # not written yet; keep the others usable
                continue
            raise
        commands.append(getattr(module, class_name)())
    return commands


def _split_extra(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split at the first '--': what follows goes to the command verbatim (like west build -- ...)."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def format_error(e: ZpyError) -> str:
    """The one line printed for an error: 'file:line: error: message' or 'error: message'."""
    if e.filename is not None:
        loc = e.filename if e.lineno is None else f"{e.filename}:{e.lineno}"
        return f"{loc}: error: {e.message}"
    return f"error: {e.message}"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    argv, extra = _split_extra(argv)

    parser = argparse.ArgumentParser(
        prog="zpy",
        description="zpy: build and run Zephyr-style apps on an emulated machine, "
        "with ivshmem on real shared memory.",
    )
    parser.add_argument("--version", action="version", version=f"zpy {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=bool(os.environ.get("ZPY_DEBUG")),
        help="show Python tracebacks for errors (also ZPY_DEBUG=1)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = {}
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for command in _load_commands(chosen if chosen in BUILTIN_COMMANDS else None):
        sub = command.add_parser(subparsers)
        sub.add_argument("-v", "--verbose", action="count", default=0, help="say more")
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show Python tracebacks for errors")
        commands[command.name] = command

    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    debug = args.debug
    command = commands[args.command]
    try:
        return command.run(args, extra)
    except KeyboardInterrupt:
        if debug:
            _print_traceback()
        return 130
    except BrokenPipeError:
        return 0
    except FatalError as e:
        if debug and e.cause is not None:
            _print_traceback(e.cause)
        # The image already printed its own fatal error report on its console.
        return e.status
    except ZpyError as e:
        if debug:
            _print_traceback()
        print(format_error(e), file=sys.stderr)
        if e.hint:
            print(f"hint: {e.hint}", file=sys.stderr)
        return e.returncode if isinstance(e, CommandError) else 1
    except Exception as e:  # a zpy bug: still one line unless --debug
        if debug:
            _print_traceback()
        else:
            print(f"zpy: internal error: {type(e).__name__}: {e} "
                  "(run with --debug for the traceback)", file=sys.stderr)
        return 1


def _print_traceback(exc: BaseException | None = None) -> None:
    """--debug's traceback (the module is imported only then: every command starts faster)."""
    import traceback

    if exc is None:
        traceback.print_exc()
    else:
        traceback.print_exception(exc)


if __name__ == "__main__":
    raise SystemExit(main())
