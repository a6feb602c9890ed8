"""Finding scenarios: sample.yaml, testcase.yaml and tests.yaml under the -T folders.

As twister does, the walk stops descending at a folder that has one of these
files: that folder is an app, and its scenarios are the entries of `tests:`.
A broken file or scenario does not stop the walk: it becomes a LoadError (one
line, file:line) that the run reports as an errored scenario.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from zpy.twister import scenario as schema
from zpy.twister import yamlfile
from zpy.twister.errors import TwisterError
from zpy.twister.scenario import Scenario

#: the file names twister looks for, in the order it prefers them
SCENARIO_FILES = ("sample.yaml", "testcase.yaml", "tests.yaml")
TOP_KEYS = ("sample", "common", "tests")
SHELL_COMMANDS_FILE = "test_shell.yml"


@dataclass
class LoadError:
    """A scenario file (scenario_id None) or one scenario of it that cannot be used."""

    path: Path
    rel_dir: str
    scenario_id: str | None
    error: TwisterError

    @property
    def name(self) -> str:
        last = self.scenario_id or self.path.name
        return f"{self.rel_dir}/{last}" if self.rel_dir else last

    @property
    def id(self) -> str:
        return self.scenario_id or self.path.name


@dataclass
class Discovery:
    scenarios: list[Scenario] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


def rel_dir(app_dir: Path, root: Path, zephyr_base: Path) -> str:
    """How twister names an app folder: from ZEPHYR_BASE if the -T root is inside it,
    else from the -T root."""
    app_dir, root, base = app_dir.resolve(), root.resolve(), zephyr_base.resolve()
    start = base if (root == base or base in root.parents) else root
    rel = os.path.relpath(app_dir, start)
    return "" if rel == "." else Path(rel).as_posix()


def find_scenario_files(roots: list[Path]) -> list[tuple[Path, Path]]:
    """(root, yaml file) for every app under the roots, sorted by path, each app once."""
    found: dict[Path, tuple[Path, Path]] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and d != "__pycache__")
            name = next((f for f in SCENARIO_FILES if f in filenames), None)
            if name is not None:
                path = Path(dirpath) / name
                found.setdefault(path.resolve(), (root, path))
                dirnames[:] = []
    return sorted(found.values(), key=lambda item: str(item[1]))


def discover(roots: list[Path], zephyr_base: Path) -> Discovery:
    """Load every scenario under the roots; a missing root is an error for the caller."""
    for root in roots:
        if not root.is_dir():
            raise TwisterError(f"-T {root}: no such folder")
    out = Discovery()
    for root, path in find_scenario_files(roots):
        load_file(path, rel_dir(path.parent, root, zephyr_base), out)
    return out


def load_file(path: Path, rel: str, out: Discovery) -> None:
    """Add the scenarios of one file (or its errors) to `out`."""
    try:
        doc = yamlfile.load(path)
        common, common_ignored, tests = _check_file(doc)
    except TwisterError as e:
        out.errors.append(LoadError(path, rel, None, e))
        return
    for ident, own in tests.items():
        try:
            sc = schema.make_scenario(doc, ident, own, common, rel, common_ignored)
            if sc.harness == "shell" and sc.shell_commands is None:
                sc.shell_commands = _shell_commands_file(sc)
        except TwisterError as e:
            out.errors.append(LoadError(path, rel, str(ident), e))
            continue
        out.scenarios.append(sc)


def _check_file(doc: yamlfile.YamlDoc) -> tuple[dict, list[str], dict]:
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("expected a mapping with 'tests:' (and optionally 'common:', 'sample:')")
    for key in data:
        if key not in TOP_KEYS:
            raise doc.error(f"unknown top-level key '{key}' (expected "
                            f"{', '.join(TOP_KEYS)})", key)
    sample = data.get("sample")
    if "sample" in data:
        if not isinstance(sample, dict):
            raise doc.error("'sample' must be a mapping with 'name:'", "sample")
        for key, value in sample.items():
            if key not in ("name", "description"):
                raise doc.error(f"unknown key '{key}' in 'sample'", "sample", key)
            if not isinstance(value, str):
                raise doc.error(f"'{key}' in 'sample' must be a string", "sample", key)
        if "name" not in sample:
            raise doc.error("'sample' needs a 'name'", "sample")
    common = data.get("common") or {}
    if not isinstance(common, dict):
        raise doc.error("'common' must be a mapping of scenario keys", "common")
    common_ignored = schema.check_keys(doc, common, "'common'", "common")
    tests = data.get("tests")
    if not isinstance(tests, dict) or not tests:
        raise doc.error("'tests' must be a mapping of scenario ids to their keys",
                        *(["tests"] if "tests" in data else []))
    return common, common_ignored, tests


def _shell_commands_file(sc: Scenario) -> tuple[schema.ShellCommand, ...]:
    """harness_config shell_commands_file (default test_shell.yml in the app folder)."""
    name = sc.harness_config.get("shell_commands_file", SHELL_COMMANDS_FILE)
    path = sc.app_dir / os.path.expandvars(os.path.expanduser(name))
    if not path.is_file():
        raise TwisterError(f"scenario '{sc.id}': the shell harness has no commands: give "
                           f"harness_config shell_commands or a {name} file",
                           sc.yaml_path, sc.line)
    doc = yamlfile.load(path)
    if not isinstance(doc.data, list):
        raise doc.error("expected a list of {command: ..., expected: ...}")
    return schema.shell_commands(doc, doc.data, f"scenario '{sc.id}'")
