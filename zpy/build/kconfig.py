"""Kconfig with kconfiglib, merged and checked the way Zephyr's kconfig.py does it.

kconfiglib reads its settings from os.environ ($srctree, $KCONFIG_FUNCTIONS,
and every $(VARIABLE) of the Kconfig files: BOARD, BOARD_DIR,
KCONFIG_BINARY_DIR, ...). So the environment is set, and restored, inside
`kconfig_session()`, under the one lock of environ.py: two builds in one
process take turns in the Kconfig step and never see each other's variables.
The devicetree the dt_* functions read is passed the same way, through a
context variable, never a global.

Zephyr's rules kept here:
- fragments merge in order, later wins; on a fresh configure they are
  "handwritten": an undefined symbol is a warning, and kconfiglib warnings
  abort the build ("error: Aborting due to Kconfig warnings");
- assigning a symbol without a prompt is a hard error;
- a value that did not "take" (unmet dependencies) is a warning only;
- with unchanged fragments the old .config is the only input, so edits made
  with menuconfig survive a rebuild.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kconfiglib

from zpy.build import environ
from zpy.build.kconfigext import ZephyrKconfig
from zpy.build.kconfigfunctions import current_devicetree
from zpy.errors import BuildError, ConfigError
from zpy.image.dtmodel import DeviceTree

#: Variables that change kconfiglib's behaviour if inherited from the user's shell.
_NEUTRALIZED = ("KCONFIG_WARN_UNDEF", "KCONFIG_STRICT", "KCONFIG_WARN_UNDEF_ASSIGN",
                "KCONFIG_CONFIG_HEADER", "KCONFIG_AUTOHEADER_HEADER")

_SYM_INFO_HINT = (
    "See http://docs.zephyrproject.org/latest/kconfig.html#CONFIG_{0} and/or look up {0} "
    "in the menuconfig/guiconfig interface. The Application Development Primer, Setting "
    "Configuration Values, and Kconfig - Tips and Best Practices sections of the manual "
    "might be helpful too."
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class KconfigSetup:
    """What kconfiglib needs to parse this build's Kconfig tree."""

    top: Path  # the app's Kconfig, or ZEPHYR_BASE/Kconfig
    srctree: Path  # ZEPHYR_BASE: relative `source` paths resolve here
    variables: dict[str, str] = field(default_factory=dict)  # BOARD, BOARD_DIR, ...

    def environment(self) -> dict[str, str]:
        env = {name: "" for name in _NEUTRALIZED}
        env.update(
            srctree=str(self.srctree),
            KCONFIG_FUNCTIONS="zpy.build.kconfigfunctions",
            CONFIG_="CONFIG_",
        )
        env.update(self.variables)
        return env

    def to_json(self) -> dict[str, Any]:
        return {"top": str(self.top), "srctree": str(self.srctree), "variables": self.variables}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> KconfigSetup:
        return cls(Path(d["top"]), Path(d["srctree"]), dict(d["variables"]))


@dataclass
class KconfigResult:
    #: every Kconfig file kconfiglib parsed (absolute paths)
    kconfig_files: list[Path]


@contextmanager
def kconfig_session(setup: KconfigSetup, dt: DeviceTree | None) -> Iterator[None]:
    """Hold the environment lock, with this build's variables and devicetree set."""
    with environ.patched(setup.environment()):
        token = current_devicetree.set(dt)
        try:
            yield
        finally:
            current_devicetree.reset(token)


def parse(setup: KconfigSetup) -> kconfiglib.Kconfig:
    """Parse the Kconfig tree (inside kconfig_session); syntax errors become ConfigError.

    Zephyr's `configdefault` entries are understood (kconfigext.py).
    """
    try:
        return ZephyrKconfig(str(setup.top), warn_to_stderr=False)
    except kconfiglib.KconfigError as e:
        raise _config_error(str(e)) from None
    except OSError as e:  # kconfiglib's "'x' not found (in 'source ...')" errors
        raise _config_error(str(e)) from None


def configure(setup: KconfigSetup, dt: DeviceTree | None, fragments: list[Path],
              handwritten: bool, dotconfig: Path, autoconf: Path,
              out: Log, warn: Log) -> KconfigResult:
    """Merge `fragments` (first one loads, the rest merge), check, write .config and autoconf.h."""
    with kconfig_session(setup, dt):
        out(f"Parsing {setup.top}")
        kconf = parse(setup)
        if handwritten:
            kconf.warn_assign_undef = True
            kconf.warn_assign_override = False
            kconf.warn_assign_redun = False
        for i, fragment in enumerate(fragments):
            try:
                out(kconf.load_config(str(fragment), replace=(i == 0)))
            except (kconfiglib.KconfigError, OSError) as e:  # unreadable, not UTF-8
                raise ConfigError(" ".join(str(e).split()), filename=fragment) from None
        if handwritten:
            _check_no_promptless_assign(kconf, fragments)
            for msg in _assigned_value_warnings(kconf) + _choice_warnings(kconf):
                warn("\n" + textwrap.fill("warning: " + msg, 100) + "\n")
        _evaluate_all(kconf)
        if kconf.warnings:
            for w in kconf.warnings:
                warn("\n" + _locate_warning(w, fragments))
            raise ConfigError("Aborting due to Kconfig warnings")
        dotconfig.parent.mkdir(parents=True, exist_ok=True)
        autoconf.parent.mkdir(parents=True, exist_ok=True)
        out(kconf.write_config(str(dotconfig)))
        out(kconf.write_autoconf(str(autoconf)))
        files = [_abs(setup.srctree, f) for f in kconf.kconfig_filenames]
    return KconfigResult(files)


def run_menuconfig(setup: KconfigSetup, dt: DeviceTree | None, dotconfig: Path,
                   gui: bool = False) -> None:
    """Run kconfiglib's menuconfig (curses) or guiconfig (Tk) on the build's .config."""
    if gui:
        if not (environ.getenv("DISPLAY") or environ.getenv("WAYLAND_DISPLAY")):
            raise BuildError("guiconfig needs a graphical display, and DISPLAY is not set",
                             hint="use -t menuconfig in a terminal instead")
    elif not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BuildError("menuconfig needs an interactive terminal")
    variables = dict(setup.variables, KCONFIG_CONFIG=str(dotconfig))
    setup = KconfigSetup(setup.top, setup.srctree, variables)
    with kconfig_session(setup, dt):
        kconf = parse(setup)
        tool = importlib.import_module("guiconfig" if gui else "menuconfig")
        try:
            tool.menuconfig(kconf)
        except Exception as e:  # tkinter.TclError, curses.error: the UI could not start
            if type(e).__name__ not in ("TclError", "error"):
                raise
            raise BuildError(f"{'guiconfig' if gui else 'menuconfig'} failed: {e}") from None


# -- Zephyr's checks ----------------------------------------------------------------------


def _evaluate_all(kconf: kconfiglib.Kconfig) -> None:
    """Compute every value, so kconfiglib records its warnings before anything is written.

    (Zephyr calls write_config(os.devnull) for this; with save_old=True that renames
    /dev/null when run as root, so zpy just asks for the values.)
    """
    for item in [*kconf.unique_defined_syms, *kconf.unique_choices]:
        try:
            item.str_value if isinstance(item, kconfiglib.Symbol) else item.selection  # noqa: B018
        except RecursionError:
            raise _endless(item) from None


def _endless(item: kconfiglib.Symbol | kconfiglib.Choice) -> ConfigError:
    """A dependency loop kconfiglib's parse-time check missed: its values recurse for ever.
    The C tools report such loops as "recursive dependency detected"."""
    node = item.nodes[0] if item.nodes else None
    what = f"choice {item.name}" if isinstance(item, kconfiglib.Choice) and item.name else (
        "a choice" if isinstance(item, kconfiglib.Choice) else item.name)
    return ConfigError(f"recursive dependency: the value of {what} depends on itself (check the "
                       "'depends on', 'if', 'prompt ... if' and 'default ... if' conditions "
                       "that lead back to it)",
                       filename=node.filename if node else None,
                       lineno=node.linenr if node else None)


def _promptless(sym: kconfiglib.Symbol) -> bool:
    return not any(node.prompt for node in sym.nodes)


def _check_no_promptless_assign(kconf: kconfiglib.Kconfig, fragments: list[Path]) -> None:
    for sym in kconf.unique_defined_syms:
        if sym.user_value is not None and _promptless(sym):
            where = _assignment(fragments, sym.name)
            raise ConfigError(
                f"{sym.name_and_loc} is assigned in a configuration file, but is not "
                "directly user-configurable (has no prompt). It gets its value indirectly "
                "from other symbols. " + _SYM_INFO_HINT.format(sym.name),
                filename=where[0] if where else None,
                lineno=where[1] if where else None,
            )


def _assigned_value_warnings(kconf: kconfiglib.Kconfig) -> list[str]:
    """Symbols whose assigned value did not take, with the dependencies that stopped it."""
    msgs = []
    for sym in kconf.unique_defined_syms:
        if sym.choice or sym.user_value is None:
            continue
        is_bool = sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE)
        wanted = kconfiglib.TRI_TO_STR[sym.user_value] if is_bool else sym.user_value
        if wanted == sym.str_value:
            continue
        msg = (f"{sym.name_and_loc} was assigned the value '{wanted}' but got the "
               f"value '{sym.str_value}'. ")
        unmet = _unmet_deps(sym, is_bool)
        if unmet:
            msg += "Check these unsatisfied dependencies: " + ", ".join(unmet) + ". "
        msgs.append(msg + _SYM_INFO_HINT.format(sym.name))
    return msgs


def _unmet_deps(sym: kconfiglib.Symbol, is_bool: bool) -> list[str]:
    """The `depends on` terms below the assigned value ('(A || B) (=n)' for non-symbols)."""
    out = []
    for dep in kconfiglib.split_expr(sym.direct_dep, kconfiglib.AND):
        value = kconfiglib.expr_value(dep)
        if (is_bool and value < sym.user_value) or (not is_bool and value == 0):
            text = kconfiglib.expr_str(dep)
            if isinstance(dep, tuple):
                text = f"({text})"
            out.append(f"{text} (={kconfiglib.TRI_TO_STR[value]})")
    return out


def _choice_warnings(kconf: kconfiglib.Kconfig) -> list[str]:
    msgs = []
    for choice in kconf.unique_choices:
        chosen = choice.user_selection
        if chosen is not None and chosen is not choice.selection:
            got = choice.selection.name_and_loc if choice.selection else "no symbol"
            msgs.append(f"The choice symbol {chosen.name_and_loc} was selected (set =y), but "
                        f"{got} ended up as the choice selection. "
                        + _SYM_INFO_HINT.format(chosen.name))
    return msgs


# -- locations ----------------------------------------------------------------------------

_KCONFIG_ERROR = re.compile(r"^(.+?):(\d+): (?:error: )?(.*)$", re.S)
_INVALID_VALUE = re.compile(r"^warning: the value '(.*)' is invalid for (\w+) ")


def _config_error(text: str) -> ConfigError:
    text = text.strip()
    if "Dependency loop" in text.split("\n", 1)[0]:
        return _dependency_loop(text)
    m = _KCONFIG_ERROR.match(text)
    if m and not m.group(1).startswith(("error", "warning")):
        return ConfigError(" ".join(m.group(3).split()), filename=m.group(1),
                           lineno=int(m.group(2)))
    return ConfigError(" ".join(text.removeprefix("error: ").split()))


_LOOP_STEP = re.compile(r"(<choice[^>]*>|\w+) \(defined at (.+?):(\d+)\)")


def _dependency_loop(text: str) -> ConfigError:
    """kconfiglib's multi-line 'Dependency loop' report as one line: the chain of items, at
    the first one's definition."""
    steps = _LOOP_STEP.findall(text)
    if not steps:
        return ConfigError(" ".join(text.removeprefix("error: ").split()))
    if len(steps) > 1 and steps[-1] == steps[0]:
        steps.pop()  # "...depends again on" the first
    chain = " -> ".join(f"{name} ({Path(file).name}:{line})" for name, file, line in steps)
    return ConfigError(f"dependency loop: {chain} -> {steps[0][0]}", filename=steps[0][1],
                       lineno=int(steps[0][2]))


def _assignment(fragments: list[Path], name: str) -> tuple[str, int] | None:
    """The last fragment line that assigns CONFIG_<name> (the one that took effect)."""
    pattern = re.compile(rf"^\s*(?:CONFIG_{name}=|#\s*CONFIG_{name} is not set)")
    for path in reversed(fragments):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for lineno in range(len(lines), 0, -1):
            if pattern.match(lines[lineno - 1]):
                return str(path), lineno
    return None


def _locate_warning(warning: str, fragments: list[Path]) -> str:
    """kconfiglib warns about a malformed int/hex value without file:line; add it."""
    m = _INVALID_VALUE.match(warning)
    if m:
        where = _assignment(fragments, m.group(2))
        if where:
            return f"{where[0]}:{where[1]}: {warning}"
    return warning


def _abs(srctree: Path, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else srctree / path
