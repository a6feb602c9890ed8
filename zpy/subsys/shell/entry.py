"""Shell commands: entries, subcommand sets, and the per-image command table.

C puts commands in linker sections; zpy keeps them in the image's
`kernel.service(ShellRegistry)`, filled while the image is linked
by the SHELL_CMD_REGISTER family at module level. Root commands, and the
entries of sets made with SHELL_SUBCMD_SET_CREATE, are listed in name order
(the linker sorts those sections); static sets keep their written order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zpy.errors import LinkError
from zpy.kernel.context import current_kernel

#: optional = SHELL_OPT_ARG_RAW: the rest of the line is one argument, unparsed
SHELL_OPT_ARG_RAW = 0xFE
#: optional = SHELL_OPT_ARG_CHECK_SKIP: any number of arguments
SHELL_OPT_ARG_CHECK_SKIP = 0xFF
#: the largest optional count that is checked
SHELL_OPT_ARG_MAX = 0xFD
#: what execute() returns when it printed help instead of running a handler
SHELL_CMD_HELP_PRINTED = 1

#: int (*shell_cmd_handler)(const struct shell *sh, size_t argc, char **argv)
shell_cmd_handler = Callable[[Any, int, list[str]], Any]


@dataclass
class shell_static_args:
    mandatory: int = 0  # counts the command itself
    optional: int = 0


@dataclass
class shell_static_entry:
    """struct shell_static_entry: one command or subcommand."""

    syntax: str | None = None
    help: str | None = None
    subcmd: Any = None  # a SubcmdSet, a DynamicSubcmd, or None
    handler: shell_cmd_handler | None = None
    args: shell_static_args = field(default_factory=shell_static_args)

    def copy(self) -> shell_static_entry:
        return shell_static_entry(self.syntax, self.help, self.subcmd, self.handler,
                                  shell_static_args(self.args.mandatory, self.args.optional))


class SubcmdSet:
    """A static subcommand set (SHELL_STATIC_SUBCMD_SET_CREATE) or a section set whose
    entries other modules add (SHELL_SUBCMD_SET_CREATE + SHELL_SUBCMD_ADD, name order)."""

    def __init__(self, name: str, entries: list[shell_static_entry], sorted_: bool = False) -> None:
        self.name = name
        self._entries = entries
        self._sorted = sorted_

    def add(self, entry: shell_static_entry) -> None:
        self._entries.append(entry)
        if self._sorted:
            self._entries.sort(key=lambda e: e.syntax or "")

    def get(self, idx: int) -> shell_static_entry | None:
        return self._entries[idx] if 0 <= idx < len(self._entries) else None

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<shell subcommands {self.name}: {[e.syntax for e in self._entries]}>"


class DynamicSubcmd:
    """SHELL_DYNAMIC_CMD_CREATE: get(idx, entry) fills `entry`, syntax None past the end."""

    def __init__(self, name: str, get: Callable[[int, shell_static_entry], None]) -> None:
        self.name = name
        self._get = get

    def get(self, idx: int) -> shell_static_entry | None:
        entry = shell_static_entry()
        self._get(idx, entry)
        return entry if entry.syntax is not None else None


class ShellRegistry:
    """One image's command table (kernel.service(ShellRegistry))."""

    def __init__(self) -> None:
        self.root: dict[str, shell_static_entry] = {}
        self._root_sorted: list[shell_static_entry] | None = None
        self.sections: dict[tuple[str, ...], SubcmdSet] = {}
        self.pending_adds: dict[tuple[str, ...], list[shell_static_entry]] = {}
        #: the shell instances of the image (the UART backend's)
        self.shells: list[Any] = []
        from zpy.subsys.shell.help import register_help

        register_help(self)

    def register_root(self, entry: shell_static_entry) -> None:
        name = entry.syntax or ""
        if name in self.root:
            raise LinkError(f"multiple definition of `shell_root_cmd_{name}' (two "
                            f"SHELL_CMD_REGISTER({name}, ...))")
        self.root[name] = entry
        self._root_sorted = None

    def root_get(self, idx: int) -> shell_static_entry | None:
        if self._root_sorted is None:
            self._root_sorted = [self.root[k] for k in sorted(self.root)]
        entries = self._root_sorted
        return entries[idx] if 0 <= idx < len(entries) else None


def registry() -> ShellRegistry:
    """The calling image's command table (made on first use)."""
    return current_kernel().service(ShellRegistry)


def cmd_get(parent: shell_static_entry | None, idx: int) -> shell_static_entry | None:
    """Entry idx of the root commands (parent None) or of parent's subcommands."""
    if parent is None:
        return registry().root_get(idx)
    sub = parent.subcmd
    if sub is None:
        return None
    return sub.get(idx)  # type: ignore[no-any-return]


def find_cmd(parent: shell_static_entry | None, name: str) -> shell_static_entry | None:
    idx = 0
    while (entry := cmd_get(parent, idx)) is not None:
        if entry.syntax == name:
            return entry
        idx += 1
    return None


# -- the registration macros --------------------------------------------------------------


def _check_handler(syntax: str, handler: Any) -> None:
    if handler is not None and not callable(handler):
        raise TypeError(f"shell command '{syntax}': handler must be a function or None")


def SHELL_CMD_ARG(syntax: str, subcmd: Any, help: str | None, handler: shell_cmd_handler | None,
                  mand: int, opt: int) -> shell_static_entry:
    """A (sub)command with argument counts: `mand` counts the command itself."""
    _check_handler(syntax, handler)
    return shell_static_entry(str(syntax), help, subcmd, handler, shell_static_args(mand, opt))


def SHELL_CMD(syntax: str, subcmd: Any, help: str | None,
              handler: shell_cmd_handler | None) -> shell_static_entry:
    return SHELL_CMD_ARG(syntax, subcmd, help, handler, 0, 0)


def SHELL_COND_CMD_ARG(flag: str, syntax: str, subcmd: Any, help: str | None,
                       handler: shell_cmd_handler | None, mand: int,
                       opt: int) -> shell_static_entry | None:
    """SHELL_CMD_ARG when the Kconfig symbol `flag` ("CONFIG_...") is set, else nothing."""
    if not current_kernel().config.get(flag):
        return None
    return SHELL_CMD_ARG(syntax, subcmd, help, handler, mand, opt)


def SHELL_COND_CMD(flag: str, syntax: str, subcmd: Any, help: str | None,
                   handler: shell_cmd_handler | None) -> shell_static_entry | None:
    return SHELL_COND_CMD_ARG(flag, syntax, subcmd, help, handler, 0, 0)


#: ends a SHELL_STATIC_SUBCMD_SET_CREATE list (optional in Python)
SHELL_SUBCMD_SET_END = None


def SHELL_STATIC_SUBCMD_SET_CREATE(name: str, *entries: shell_static_entry | None) -> SubcmdSet:
    """A set of subcommands, in the order given (None entries, e.g. SHELL_SUBCMD_SET_END or a
    false SHELL_COND_CMD, are skipped)."""
    return SubcmdSet(str(name), [e for e in entries if e is not None])


def SHELL_SUBCMD_SET_CREATE(name: str, parent: tuple[str, ...]) -> SubcmdSet:
    """A set that SHELL_SUBCMD_ADD((parent...), ...) calls fill, in name order."""
    reg = registry()
    key = tuple(parent)
    if key in reg.sections:
        raise LinkError(f"SHELL_SUBCMD_SET_CREATE: a set for {key} already exists")
    sub = SubcmdSet(str(name), [], sorted_=True)
    for entry in reg.pending_adds.pop(key, []):
        sub.add(entry)
    reg.sections[key] = sub
    return sub


def SHELL_SUBCMD_COND_ADD(flag: bool, parent: tuple[str, ...], syntax: str, subcmd: Any,
                          help: str | None, handler: shell_cmd_handler | None, mand: int,
                          opt: int) -> None:
    if not flag:
        return
    entry = SHELL_CMD_ARG(syntax, subcmd, help, handler, mand, opt)
    reg = registry()
    key = tuple(parent)
    section = reg.sections.get(key)
    if section is None:  # the set's module is linked later: keep it until then
        reg.pending_adds.setdefault(key, []).append(entry)
    else:
        section.add(entry)


def SHELL_SUBCMD_ADD(parent: tuple[str, ...], syntax: str, subcmd: Any, help: str | None,
                     handler: shell_cmd_handler | None, mand: int, opt: int) -> None:
    """Add a subcommand to the set made by SHELL_SUBCMD_SET_CREATE(name, parent)."""
    SHELL_SUBCMD_COND_ADD(True, parent, syntax, subcmd, help, handler, mand, opt)


def SHELL_DYNAMIC_CMD_CREATE(name: str,
                             get: Callable[[int, shell_static_entry], None]) -> DynamicSubcmd:
    return DynamicSubcmd(str(name), get)


def SHELL_CMD_ARG_REGISTER(syntax: str, subcmd: Any, help: str | None,
                           handler: shell_cmd_handler | None, mand: int, opt: int) -> None:
    """A root command (at module level, as the C macro at file scope)."""
    registry().register_root(SHELL_CMD_ARG(syntax, subcmd, help, handler, mand, opt))


def SHELL_CMD_REGISTER(syntax: str, subcmd: Any, help: str | None,
                       handler: shell_cmd_handler | None) -> None:
    SHELL_CMD_ARG_REGISTER(syntax, subcmd, help, handler, 0, 0)


def SHELL_COND_CMD_ARG_REGISTER(flag: str, syntax: str, subcmd: Any, help: str | None,
                                handler: shell_cmd_handler | None, mand: int, opt: int) -> None:
    if current_kernel().config.get(flag):
        SHELL_CMD_ARG_REGISTER(syntax, subcmd, help, handler, mand, opt)


def SHELL_COND_CMD_REGISTER(flag: str, syntax: str, subcmd: Any, help: str | None,
                            handler: shell_cmd_handler | None) -> None:
    SHELL_COND_CMD_ARG_REGISTER(flag, syntax, subcmd, help, handler, 0, 0)
