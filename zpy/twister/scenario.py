"""Scenarios: one entry under `tests:` of a sample.yaml / testcase.yaml / tests.yaml.

The schema is twister's (scripts/schemas/twister/testsuite-schema.yaml) plus the
`sidecar:` key of the ivshmem fork. A key twister knows but zpy does not act on
is accepted and listed in `Scenario.ignored`, so the run can say so. Mistakes
are TwisterErrors at the line of the offending key.

`common:` is merged into every scenario as twister does: list values are
concatenated (common first), `filter`s are and-ed, anything else in the
scenario replaces the common value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zpy.twister import expr
from zpy.twister.yamlfile import YamlDoc

# value kinds
BOOL, INT, STR, STRLIST, MAP, LIST = "bool", "int", "str", "strlist", "map", "list"
_KIND_TEXT = {BOOL: "true or false", INT: "an integer", STR: "a string",
              STRLIST: "a list of strings (or one space-separated string)",
              MAP: "a mapping", LIST: "a list"}

#: scenario keys zpy twister acts on -> kind
SCENARIO_KEYS: dict[str, str] = {
    "arch_allow": STRLIST, "arch_exclude": STRLIST,
    "platform_allow": STRLIST, "platform_exclude": STRLIST,
    "integration_platforms": STRLIST, "platform_type": STRLIST,
    "vendor_allow": STRLIST, "vendor_exclude": STRLIST,
    "toolchain_allow": STRLIST, "toolchain_exclude": STRLIST,
    "tags": STRLIST, "depends_on": STRLIST, "testcases": STRLIST,
    "extra_args": STRLIST, "extra_configs": STRLIST, "extra_conf_files": STRLIST,
    "extra_overlay_confs": STRLIST, "extra_dtc_overlay_files": STRLIST,
    "build_only": BOOL, "skip": BOOL, "ignore_faults": BOOL,
    "timeout": INT, "min_ram": INT,
    "harness": STR, "harness_config": MAP, "filter": STR, "sidecar": STR,
}

#: twister keys accepted and ignored (with a note): nothing in zpy gives them a meaning
IGNORED_KEYS: dict[str, str] = {
    "min_flash": INT, "slow": BOOL, "levels": STRLIST, "modules": STRLIST,
    "platform_key": STRLIST, "integration_toolchains": STRLIST,
    "simulation_exclude": STRLIST, "required_snippets": STRLIST, "extra_sections": STRLIST,
    "build_on_all": BOOL, "sysbuild": BOOL, "ignore_qemu_crash": BOOL, "expect_reboot": BOOL,
    "seed": INT, "type": STR, "comment": STR, "source_dir": STR,
}

HARNESS_CONFIG_KEYS: dict[str, str] = {
    "type": STR, "regex": STRLIST, "ordered": BOOL, "record": MAP, "fixture": STR,
    "pytest_root": STRLIST, "pytest_args": STRLIST, "pytest_dut_scope": STR,
    "shell_commands": LIST, "shell_commands_file": STR,
    "ivshmem_server_size": INT, "ivshmem_server_vectors": INT,
    "ivshmem_server_output_section_size": INT, "ivshmem_server_max_peers": INT,
    # accepted, no effect in zpy
    "ztest_suite_repeat": INT, "ztest_test_repeat": INT, "ztest_test_shuffle": BOOL,
    "robot_testsuite": STRLIST, "robot_option": STRLIST, "bsim_exe_name": STR,
    "ctest_args": STRLIST, "power_measurements": MAP,
}

RECORD_KEYS = {"regex": STRLIST, "merge": BOOL, "as_json": STRLIST}

#: harness names zpy runs; "test" is twister's old name for ztest
HARNESSES = ("", "console", "ztest", "test", "shell", "pytest")
#: harnesses of Zephyr's samples that twister itself only builds: someone (or a fixture) has
#: to watch the board's LED or press its button (samples/basic/blinky, button)
BUILD_ONLY_HARNESSES = ("led", "button")
SIDECARS = ("ivshmem-server", "ivshmem2-server")
CONSOLE_TYPES = ("one_line", "multi_line")
DUT_SCOPES = ("function", "class", "module", "package", "session")
DEFAULT_TIMEOUT = 60

_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+@-]*")


@dataclass(frozen=True)
class ShellCommand:
    command: str
    expected: str | None = None


@dataclass
class Scenario:
    """One scenario, merged with `common:` and checked."""

    id: str
    app_dir: Path  # the folder of the yaml file: the app twister builds
    yaml_path: Path
    rel_dir: str  # the app folder as twister names it (relative to ZEPHYR_BASE or -T)
    line: int | None = None
    tags: frozenset[str] = frozenset()
    arch_allow: tuple[str, ...] = ()
    arch_exclude: tuple[str, ...] = ()
    platform_allow: tuple[str, ...] = ()
    platform_exclude: tuple[str, ...] = ()
    integration_platforms: tuple[str, ...] = ()
    platform_type: tuple[str, ...] = ()
    vendor_allow: tuple[str, ...] = ()
    vendor_exclude: tuple[str, ...] = ()
    toolchain_allow: tuple[str, ...] = ()
    toolchain_exclude: tuple[str, ...] = ()
    depends_on: frozenset[str] = frozenset()
    testcases: tuple[str, ...] = ()
    extra_args: tuple[str, ...] = ()
    extra_configs: tuple[str, ...] = ()
    extra_conf_files: tuple[str, ...] = ()
    extra_overlay_confs: tuple[str, ...] = ()
    extra_dtc_overlay_files: tuple[str, ...] = ()
    build_only: bool = False
    skip: bool = False
    ignore_faults: bool = False
    timeout: int = DEFAULT_TIMEOUT
    min_ram: int = 0
    harness: str = ""
    harness_config: dict[str, Any] = field(default_factory=dict)
    filter: str = ""
    filter_ast: expr.Node | None = None
    filter_line: int | None = None
    sidecar: str | None = None
    shell_commands: tuple[ShellCommand, ...] | None = None
    #: twister keys given but without effect in zpy (for the run's notes)
    ignored: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """twister's name for the scenario: <app path>/<id>."""
        return f"{self.rel_dir}/{self.id}" if self.rel_dir else self.id

    @property
    def fixture(self) -> str | None:
        value = self.harness_config.get("fixture")
        return str(value) if value else None


# -- values ------------------------------------------------------------------------------


def _check_kind(doc: YamlDoc, value: Any, kind: str, what: str, *keys: str | int) -> Any:
    """`value` normalized for its kind; a TwisterError at the key's line if it does not fit."""
    ok = True
    if kind == BOOL:
        ok = isinstance(value, bool)
    elif kind == INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == STR:
        ok = isinstance(value, str) or (isinstance(value, (int, float)) and
                                        not isinstance(value, bool))
        value = str(value) if ok else value
    elif kind == STRLIST:
        if isinstance(value, str):
            value = value.split()
        elif isinstance(value, list) and all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            value = [str(v) for v in value]
        else:
            ok = False
    elif kind == MAP:
        ok = isinstance(value, dict)
    elif kind == LIST:
        ok = isinstance(value, list)
    if not ok:
        raise doc.error(f"{what} must be {_KIND_TEXT[kind]}, not {_show(value)}", *keys)
    return value


def _show(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if not isinstance(value, bool) else str(value).lower()


def merge_common(common: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """twister's rule: lists add up (common first), filters are and-ed, the rest is replaced."""
    out = dict(common)
    for key, value in own.items():
        if key not in out:
            out[key] = value
        elif key == "filter":
            out[key] = f"({out[key]}) and ({value})"
        elif isinstance(out[key], list) or isinstance(value, list) or (
                SCENARIO_KEYS.get(key, IGNORED_KEYS.get(key)) == STRLIST):
            out[key] = _as_list(out[key]) + _as_list(value)
        else:
            out[key] = value
    return out


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return value.split()
    return [value]


# -- checking ----------------------------------------------------------------------------


def check_keys(doc: YamlDoc, mapping: dict[str, Any], where: str, *at: str) -> list[str]:
    """Types of the keys of a scenario (or `common:`); returns the ignored keys present."""
    ignored = []
    for key, value in mapping.items():
        kind = SCENARIO_KEYS.get(key)
        if kind is None:
            kind = IGNORED_KEYS.get(key)
            if kind is None:
                raise doc.error(f"unknown key '{key}' in {where}", *at, key)
            ignored.append(key)
        _check_kind(doc, value, kind, f"'{key}' in {where}", *at, key)
    if "harness_config" in mapping:
        _check_harness_config(doc, mapping["harness_config"], where, *at, "harness_config")
    return ignored


def _check_harness_config(doc: YamlDoc, config: dict[str, Any], where: str,
                          *at: str) -> None:
    for key, value in config.items():
        kind = HARNESS_CONFIG_KEYS.get(key)
        if kind is None:
            raise doc.error(f"unknown key '{key}' in harness_config of {where}", *at, key)
        _check_kind(doc, value, kind, f"'harness_config: {key}' in {where}", *at, key)
    record = config.get("record")
    if isinstance(record, dict):
        for key, value in record.items():
            kind = RECORD_KEYS.get(key)
            if kind is None:
                raise doc.error(f"unknown key '{key}' in harness_config: record of {where}",
                                *at, "record", key)
            _check_kind(doc, value, kind, f"'record: {key}' in {where}", *at, "record", key)


def _normalize(doc: YamlDoc, merged: dict[str, Any], where: str, *at: str) -> dict[str, Any]:
    out = {}
    for key, value in merged.items():
        kind = SCENARIO_KEYS.get(key) or IGNORED_KEYS.get(key)
        if kind is not None:
            out[key] = _check_kind(doc, value, kind, f"'{key}' in {where}", *at, key)
    return out


def shell_commands(doc: YamlDoc, items: list[Any], where: str, *at: str | int
                   ) -> tuple[ShellCommand, ...]:
    """The shell harness's list of {command, expected} (from harness_config or a file)."""
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            item = {"command": item}
        if not isinstance(item, dict) or not isinstance(item.get("command"), str):
            raise doc.error(f"shell command {i + 1} of {where} must be a mapping with "
                            "'command:' (and optionally 'expected:')", *at, i)
        unknown = set(item) - {"command", "expected"}
        if unknown:
            raise doc.error(f"unknown key '{sorted(unknown)[0]}' in shell command {i + 1} "
                            f"of {where}", *at, i)
        expected = item.get("expected")
        if expected is not None and not isinstance(expected, str):
            raise doc.error(f"'expected' of shell command {i + 1} of {where} must be a string",
                            *at, i)
        if expected is not None:
            try:
                re.compile(expected)
            except re.error as e:
                raise doc.error(f"bad regular expression '{expected}' in shell command "
                                f"{i + 1} of {where}: {e}", *at, i) from None
        out.append(ShellCommand(item["command"], expected))
    return tuple(out)


def make_scenario(doc: YamlDoc, ident: Any, own: Any, common: dict[str, Any], rel_dir: str,
                  common_ignored: list[str]) -> Scenario:
    """Check one entry of `tests:` and merge `common:` into it."""
    where = f"scenario '{ident}'"
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        raise doc.error(f"bad scenario id {ident!r}: use letters, digits and . _ - + @",
                        "tests", str(ident))
    at = ("tests", ident)
    if own is None:
        own = {}
    if not isinstance(own, dict):
        raise doc.error(f"{where} must be a mapping of keys, not {_show(own)}", *at)
    ignored = check_keys(doc, own, where, *at)
    data = _normalize(doc, merge_common(common, own), where, *at)
    app_dir = doc.path.parent
    sc = Scenario(ident, app_dir, doc.path, rel_dir, line=doc.line(*at))
    for key in ("arch_allow", "arch_exclude", "platform_allow", "platform_exclude",
                "integration_platforms", "platform_type", "vendor_allow", "vendor_exclude",
                "toolchain_allow", "toolchain_exclude", "testcases", "extra_args",
                "extra_configs", "extra_conf_files", "extra_overlay_confs",
                "extra_dtc_overlay_files"):
        if key in data:
            setattr(sc, key, tuple(data[key]))
    sc.tags = frozenset(data.get("tags", ()))
    sc.depends_on = frozenset(data.get("depends_on", ()))
    for key in ("build_only", "skip", "ignore_faults", "timeout", "min_ram"):
        if key in data:
            setattr(sc, key, data[key])
    sc.ignored = tuple(dict.fromkeys([*common_ignored, *ignored]))
    if sc.timeout <= 0:
        raise doc.error(f"'timeout' in {where} must be positive", *at, "timeout")
    sc.harness_config = dict(data.get("harness_config") or {})
    harness = data.get("harness", "")
    if harness not in HARNESSES + BUILD_ONLY_HARNESSES:
        raise doc.error(f"{where}: unknown harness '{harness}' (zpy twister runs "
                        f"{', '.join(h for h in HARNESSES if h)}; it builds "
                        f"{', '.join(BUILD_ONLY_HARNESSES)} only)", *at, "harness")
    sc.harness = "ztest" if harness == "test" else harness
    sidecar = data.get("sidecar")
    if sidecar is not None and sidecar not in SIDECARS:
        raise doc.error(f"{where}: unknown sidecar '{sidecar}' (known: {', '.join(SIDECARS)})",
                        *at, "sidecar")
    sc.sidecar = sidecar
    if data.get("filter"):
        sc.filter = data["filter"]
        sc.filter_line = (doc.lines.get((*at, "filter")) or doc.lines.get(("common", "filter"))
                          or sc.line)
        try:
            sc.filter_ast = expr.parse(sc.filter)
        except expr.ExprError as e:
            raise doc.error(f"{where}: bad filter \"{sc.filter}\": {e}", *at, "filter") from None
    _check_harness(doc, sc, where, *at)
    return sc


def _check_harness(doc: YamlDoc, sc: Scenario, where: str, *at: str) -> None:
    """What a harness needs from harness_config, checked before anything is built."""
    cfg = sc.harness_config
    hc = (*at, "harness_config")
    if hc not in doc.lines:  # point at the harness: line rather than the scenario's
        hc = (*at, "harness")
    if sc.harness == "console":
        kind = cfg.get("type")
        if kind not in CONSOLE_TYPES:
            raise doc.error(f"{where}: the console harness needs harness_config type "
                            f"one_line or multi_line, not {_show(kind)}", *hc, "type")
        regex = _check_kind(doc, cfg.get("regex", []), STRLIST, "regex", *hc, "regex")
        if not regex:
            raise doc.error(f"{where}: the console harness needs harness_config regex",
                            *hc)
        cfg["regex"] = regex
    patterns = list(cfg.get("regex", []))
    record = cfg.get("record") or {}
    patterns += list(_as_list(record.get("regex", [])))
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as e:
            raise doc.error(f"{where}: bad regular expression '{pattern}': {e}",
                            *hc) from None
    scope = cfg.get("pytest_dut_scope")
    if scope is not None and scope not in DUT_SCOPES:
        raise doc.error(f"{where}: pytest_dut_scope must be one of {', '.join(DUT_SCOPES)}",
                        *hc, "pytest_dut_scope")
    if sc.harness == "shell" and "shell_commands" in cfg:
        sc.shell_commands = shell_commands(doc, cfg["shell_commands"], where, *hc,
                                           "shell_commands")
