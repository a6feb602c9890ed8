"""The -D options after `--`: what CMake's command line carries into a Zephyr build.

The build reads CONFIG_* (Kconfig assignments), CONF_FILE, EXTRA_CONF_FILE
(and its old name OVERLAY_CONFIG), DTC_OVERLAY_FILE, EXTRA_DTC_OVERLAY_FILE,
ZEPHYR_EXTRA_MODULES and BOARD. Every option but CONFIG_* is a CMake variable of
the CMakeLists files too (`-DSAME_PRIO=1` for `if(DEFINED SAME_PRIO)`); one that
neither the build nor any CMakeLists file read is reported as CMake reports it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from zpy.errors import BuildError

#: Variables the build reads, besides CONFIG_*.
KNOWN = ("BOARD", "CONF_FILE", "EXTRA_CONF_FILE", "OVERLAY_CONFIG",
         "DTC_OVERLAY_FILE", "EXTRA_DTC_OVERLAY_FILE", "ZEPHYR_EXTRA_MODULES")

_DEFINE = re.compile(r"-D([A-Za-z_][A-Za-z0-9_.+-]*)(?::[A-Za-z]+)?=(.*)", re.S)


def split_list(value: str) -> list[str]:
    """A CMake list as Zephyr reads file lists: ';' or whitespace separated."""
    return [item for item in re.split(r"[;\s]+", value) if item]


@dataclass(frozen=True)
class BuildOptions:
    """The -D options of one build, in command-line order (a later one wins)."""

    defines: tuple[tuple[str, str], ...] = ()

    @property
    def settings(self) -> dict[str, str]:
        return dict(self.defines)

    def _get(self, name: str) -> str | None:
        return self.settings.get(name)

    @property
    def configs(self) -> list[tuple[str, str]]:
        """CONFIG_* assignments, for extra_kconfig_options.conf."""
        return [(k, v) for k, v in self.settings.items() if k.startswith("CONFIG_")]

    @property
    def board(self) -> str | None:
        return self._get("BOARD") or None

    @property
    def conf_file(self) -> list[str] | None:
        """CONF_FILE as a list, or None when not given (then prj.conf is the default)."""
        value = self._get("CONF_FILE")
        return None if value is None else split_list(value)

    @property
    def extra_conf_file(self) -> list[str]:
        files = split_list(self._get("EXTRA_CONF_FILE") or "")
        return files + split_list(self._get("OVERLAY_CONFIG") or "")

    @property
    def dtc_overlay_file(self) -> list[str] | None:
        value = self._get("DTC_OVERLAY_FILE")
        return None if value is None else split_list(value)

    @property
    def extra_dtc_overlay_file(self) -> list[str]:
        return split_list(self._get("EXTRA_DTC_OVERLAY_FILE") or "")

    @property
    def extra_modules(self) -> list[str]:
        """ZEPHYR_EXTRA_MODULES: folders of Zephyr modules."""
        return split_list(self._get("ZEPHYR_EXTRA_MODULES") or "")

    @property
    def variables(self) -> dict[str, str]:
        """The options that are plain CMake variables for the CMakeLists files."""
        return {k: v for k, v in self.settings.items() if not k.startswith("CONFIG_")}

    def unused(self, read: Collection[str] = ()) -> list[str]:
        """The variables neither the build nor the CMakeLists files (`read`) looked at."""
        return [k for k in self.variables if k not in KNOWN and k not in read]

    def unused_warning(self, read: Collection[str]) -> str | None:
        """CMake's warning, after the CMakeLists files were read."""
        unused = self.unused(read)
        if not unused:
            return None
        return "Manually-specified variables were not used by the project: " + ", ".join(unused)

    def warnings(self) -> list[str]:
        """What Zephyr warns about these options before reading anything."""
        out = []
        if "OVERLAY_CONFIG" in self.settings:
            out.append("The CMake variable OVERLAY_CONFIG is deprecated, "
                       "please use EXTRA_CONF_FILE instead")
        return out


def parse_cmake_args(args: Iterable[str]) -> BuildOptions:
    """Parse `-DNAME=VALUE` (or `-DNAME:TYPE=VALUE`) words; anything else is an error."""
    defines = []
    for arg in args:
        m = _DEFINE.fullmatch(arg)
        if m is None:
            if arg.startswith("-D"):
                raise BuildError(f"Parse error in command line argument: {arg[2:] or arg}; "
                                 "should be: -DVAR=value")
            raise BuildError(f"unsupported option after '--': {arg!r}; "
                             "zpy build takes -DVAR=value options there")
        defines.append((m.group(1), m.group(2)))
    return BuildOptions(tuple(defines))
