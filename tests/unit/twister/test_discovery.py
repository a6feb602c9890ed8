"""Scenario files: discovery, `common:` merging, and the one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from zpy.twister import discovery
from zpy.twister.discovery import discover, rel_dir

ZTEST_MAIN = "def main():\n    return 0\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def load(tmp_path: Path, text: str, name: str = "testcase.yaml"):
    path = write(tmp_path / "app" / name, text)
    return discover([tmp_path], tmp_path), path


def one_error(tmp_path: Path, text: str) -> str:
    found, path = load(tmp_path, text)
    assert len(found.errors) == 1, found.errors
    line = found.errors[0].error.line()
    return line.replace(str(path), "F")


def test_walk_finds_apps_and_stops_at_an_app_folder(tmp_path):
    write(tmp_path / "a" / "sample.yaml", "sample: {name: a}\ntests:\n  s.a: {}\n")
    write(tmp_path / "b" / "c" / "testcase.yaml", "tests:\n  t.c: {}\n")
    write(tmp_path / "d" / "tests.yaml", "tests:\n  t.d: {}\n")
    # below an app folder nothing more is looked for, as in twister
    write(tmp_path / "a" / "sub" / "testcase.yaml", "tests:\n  hidden.one: {}\n")
    write(tmp_path / ".git" / "testcase.yaml", "tests:\n  hidden.two: {}\n")
    found = discover([tmp_path], tmp_path / "elsewhere")
    assert [s.name for s in found.scenarios] == ["a/s.a", "b/c/t.c", "d/t.d"]
    assert not found.errors


def test_sample_yaml_wins_over_testcase_yaml(tmp_path):
    write(tmp_path / "app" / "sample.yaml", "sample: {name: x}\ntests:\n  from.sample: {}\n")
    write(tmp_path / "app" / "testcase.yaml", "tests:\n  from.testcase: {}\n")
    assert [s.id for s in discover([tmp_path], tmp_path).scenarios] == ["from.sample"]


def test_names_are_relative_to_zephyr_base_or_to_the_root(tmp_path):
    base = tmp_path / "zephyr"
    assert rel_dir(base / "tests/x/y", base / "tests", base) == "tests/x/y"
    assert rel_dir(tmp_path / "out/x", tmp_path / "out", base) == "x"
    assert rel_dir(tmp_path / "out", tmp_path / "out", base) == ""


def test_common_is_merged_into_every_scenario(tmp_path):
    found, _ = load(tmp_path, """\
common:
  tags: base
  platform_allow: [qemu_x86_64]
  filter: CONFIG_A
  timeout: 30
  harness: console
  harness_config: {type: one_line, regex: ["hi"]}
tests:
  x.one:
    tags: [more, base]
    filter: CONFIG_B
    extra_configs: [CONFIG_C=y]
  x.two:
    timeout: 5
    platform_allow: other_board
    harness_config: {type: multi_line, regex: ["a", "b"]}
""")
    one, two = found.scenarios
    assert one.tags == {"base", "more"}
    assert one.filter == "(CONFIG_A) and (CONFIG_B)"
    assert one.timeout == 30 and two.timeout == 5
    assert one.platform_allow == ("qemu_x86_64",)
    assert two.platform_allow == ("qemu_x86_64", "other_board")
    assert one.extra_configs == ("CONFIG_C=y",)
    assert one.harness == two.harness == "console"
    assert one.harness_config["regex"] == ["hi"]
    assert two.harness_config == {"type": "multi_line", "regex": ["a", "b"]}


def test_strings_and_lists(tmp_path):
    found, _ = load(tmp_path, "tests:\n  x.y:\n    tags: 'a b  c'\n    arch_allow: x86\n"
                              "    depends_on: [pcie, ivshmem]\n")
    (sc,) = found.scenarios
    assert sc.tags == {"a", "b", "c"}
    assert sc.arch_allow == ("x86",)
    assert sc.depends_on == {"pcie", "ivshmem"}


def test_ignored_keys_are_listed(tmp_path):
    found, _ = load(tmp_path, "common:\n  min_flash: 64\ntests:\n  x.y:\n    slow: true\n")
    assert found.scenarios[0].ignored == ("min_flash", "slow")


def test_the_repos_apps_load(tmp_path):
    from zpy.build.paths import zephyr_base

    base = zephyr_base()
    found = discover([base / "samples", base / "tests"], base)
    ids = {s.id for s in found.scenarios}
    assert {"sample.basic.helloworld", "drivers.virtualization.ivshmem",
            "drivers.virtualization.ivshmem.doorbell"} <= ids
    assert not found.errors, [e.error.line() for e in found.errors]
    doorbell = next(s for s in found.scenarios if s.id == "drivers.virtualization.ivshmem.doorbell")
    assert doorbell.sidecar == "ivshmem-server"
    assert doorbell.harness_config == {"ivshmem_server_size": 4096, "ivshmem_server_vectors": 2}


# -- bad files: one line, file:line -------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("tests:\n  x.y:\n    tags: [a, b\n",
     "F:4: error: invalid YAML: expected ',' or ']', but got '<stream end>' "
     "(while parsing a flow sequence)"),
    ("tests:\n  x.y:\n    tags: a\n   bad: indentation\n",
     "F:4: error: invalid YAML: expected <block end>, but found '<block mapping start>' "
     "(while parsing a block mapping)"),
    ("tests:\n  x.y:\n    harness: console\n\tregex: x\n",
     "F:4: error: invalid YAML: found character '\\t' that cannot start any token "
     "(while scanning for the next token)"),
    ("- just\n- a list\n",
     "F:1: error: expected a mapping with 'tests:' (and optionally 'common:', 'sample:')"),
    ("sample: {name: x}\ntest:\n  x.y: {}\n",
     "F:2: error: unknown top-level key 'test' (expected sample, common, tests)"),
    ("sample:\n  nmae: x\ntests:\n  x.y: {}\n", "F:2: error: unknown key 'nmae' in 'sample'"),
    ("tests: []\n", "F:1: error: 'tests' must be a mapping of scenario ids to their keys"),
    ("common:\n  tag: x\ntests:\n  x.y: {}\n", "F:2: error: unknown key 'tag' in 'common'"),
    ("common:\n  timeout: soon\ntests:\n  x.y: {}\n",
     "F:2: error: 'timeout' in 'common' must be an integer, not 'soon'"),
])
def test_file_errors(tmp_path, text, message):
    assert one_error(tmp_path, text) == message


@pytest.mark.parametrize("text, message", [
    ("tests:\n  x.y:\n    platfrom_allow: qemu_x86_64\n",
     "F:3: error: unknown key 'platfrom_allow' in scenario 'x.y'"),
    ("tests:\n  x.y:\n    build_only: yes please\n",
     "F:3: error: 'build_only' in scenario 'x.y' must be true or false, not 'yes please'"),
    ("tests:\n  x.y:\n    timeout: 1.5\n",
     "F:3: error: 'timeout' in scenario 'x.y' must be an integer, not 1.5"),
    ("tests:\n  x.y:\n    tags:\n      - {a: b}\n",
     "F:3: error: 'tags' in scenario 'x.y' must be a list of strings (or one space-separated "
     "string), not a list"),
    ("tests:\n  x.y:\n    harness: robotx\n",
     "F:3: error: scenario 'x.y': unknown harness 'robotx' (zpy twister runs console, ztest, "
     "test, shell, pytest; it builds led, button only)"),
    ("tests:\n  x.y:\n    sidecar: redis\n",
     "F:3: error: scenario 'x.y': unknown sidecar 'redis' (known: ivshmem-server, "
     "ivshmem2-server)"),
    ("tests:\n  x.y:\n    filter: CONFIG_A and (CONFIG_B or\n",
     "F:3: error: scenario 'x.y': bad filter \"CONFIG_A and (CONFIG_B or\": unexpected end "
     "of expression (expected a symbol, a function call, 'not' or '(')"),
    ("tests:\n  x.y:\n    harness: console\n",
     "F:3: error: scenario 'x.y': the console harness needs harness_config type one_line or "
     "multi_line, not empty"),
    ("tests:\n  x.y:\n    harness: console\n    harness_config:\n      type: one_line\n",
     "F:4: error: scenario 'x.y': the console harness needs harness_config regex"),
    ("tests:\n  x.y:\n    harness_config:\n      type: one_line\n      regexp: [a]\n",
     "F:5: error: unknown key 'regexp' in harness_config of scenario 'x.y'"),
    ("tests:\n  x.y:\n    harness: console\n    harness_config:\n      type: one_line\n"
     "      regex: ['a(']\n",
     "F:4: error: scenario 'x.y': bad regular expression 'a(': missing ), unterminated "
     "subpattern at position 1"),
    ("tests:\n  x.y:\n    harness: shell\n",
     "F:2: error: scenario 'x.y': the shell harness has no commands: give harness_config "
     "shell_commands or a test_shell.yml file"),
    ("tests:\n  x.y:\n    harness: shell\n    harness_config:\n      shell_commands:\n"
     "        - {cmd: help}\n",
     "F:6: error: shell command 1 of scenario 'x.y' must be a mapping with 'command:' "
     "(and optionally 'expected:')"),
    ("tests:\n  'x y': {}\n",
     "F:2: error: bad scenario id 'x y': use letters, digits and . _ - + @"),
])
def test_scenario_errors(tmp_path, text, message):
    assert one_error(tmp_path, text) == message


def test_a_bad_scenario_leaves_the_others_alone(tmp_path):
    found, path = load(tmp_path, "tests:\n  x.good: {}\n  x.bad:\n    nope: 1\n  x.fine: {}\n")
    assert [s.id for s in found.scenarios] == ["x.good", "x.fine"]
    (bad,) = found.errors
    assert bad.scenario_id == "x.bad" and bad.name == "app/x.bad"
    assert bad.error.line() == f"{path}:4: error: unknown key 'nope' in scenario 'x.bad'"


def test_a_broken_file_is_one_error_named_after_the_file(tmp_path):
    found, path = load(tmp_path, "tests: [\n")
    (bad,) = found.errors
    assert bad.scenario_id is None and bad.name == "app/testcase.yaml"
    assert bad.error.filename == str(path) and bad.error.lineno == 2


def test_shell_commands_from_a_file(tmp_path):
    write(tmp_path / "app" / "test_shell.yml",
          "- command: kernel version\n  expected: Zephyr version .*\n- command: help\n")
    found, _ = load(tmp_path, "tests:\n  x.sh:\n    harness: shell\n")
    (sc,) = found.scenarios
    assert [(c.command, c.expected) for c in sc.shell_commands] == [
        ("kernel version", "Zephyr version .*"), ("help", None)]


def test_shell_commands_file_errors_name_that_file(tmp_path):
    cmds = write(tmp_path / "app" / "cmds.yml", "- command: a\n  expected: 3\n")
    found, _ = load(tmp_path, "tests:\n  x.sh:\n    harness: shell\n    harness_config:\n"
                              "      shell_commands_file: cmds.yml\n")
    assert found.errors[0].error.line() == (
        f"{cmds}:1: error: 'expected' of shell command 1 of scenario 'x.sh' must be a string")


def test_missing_root(tmp_path):
    with pytest.raises(discovery.TwisterError, match="no such folder"):
        discover([tmp_path / "nope"], tmp_path)


def test_a_control_character_is_a_located_yaml_error(tmp_path):
    # (found by tests/fuzz: PyYAML's reader refused it before zpy could say where)
    assert one_error(tmp_path, "tests:\n  a.b:\n\x00    tags: x\n") == (
        "F:3: error: invalid YAML: character #x0000 is not allowed")
