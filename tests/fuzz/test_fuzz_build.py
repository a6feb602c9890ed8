"""Fuzzing the build inputs: mutations of a valid prj.conf, Kconfig, overlay, binding and
sample.yaml (tests/fuzz/seed), built as `zpy build` builds (pristine), the yaml read as
`zpy twister` reads it. Each case is a build (or a scenario file) that succeeds or fails
with one ZpyError line; never an internal error."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from zpy.build import build
from zpy.errors import ZpyError
from zpy.twister import discovery

SEED = Path(__file__).parent / "seed"
FILES = ["prj.conf", "Kconfig", "app.overlay", "dts/bindings/zpy,fuzz-dev.yaml", "sample.yaml"]
#: what a mutation inserts: the syntax of all five languages, and bytes that are not UTF-8
PIECES = ["{", "}", "[", "]", "(", ")", ";", "=", "<", ">", "&", "\"", "'", "#", ":", "-", ",",
          "/", "\\", "\n", "\t", " ", "y", "n", "0x", "-1", "99999999999999999999", "config",
          "source", "choice", "endchoice", "depends on", "default", "range", "if", "endif",
          "menu", "endmenu", "/delete-node/", "/include/", "#include", "status", "okay",
          "compatible", "reg", "properties:", "type:", "required:", "include:", "tests:",
          "filter:", "harness:", "*", "&ivshmem0", "CONFIG_", "$(", "\xff", "\x00", "é"]

mutation = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from(PIECES)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 40)),
    st.tuples(st.just("duplicate-line"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("drop-line"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just("")),
)


def mutate(data: bytes, ops: list[tuple[str, int, object]]) -> bytes:
    for op, where, arg in ops:
        at = where % (len(data) + 1)
        if op == "insert":
            data = data[:at] + str(arg).encode("latin-1") + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + int(arg):]  # type: ignore[call-overload]
        elif op == "truncate":
            data = data[:at]
        else:
            lines = data.split(b"\n")
            i = where % len(lines)
            lines[i:i + 1] = [lines[i]] * 2 if op == "duplicate-line" else []
            data = b"\n".join(lines)
    return data


@given(name=st.sampled_from(FILES), ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_inputs_build_or_fail_cleanly(tmp_path_factory, cases, name, ops):
    cases["zpy build / twister on mutated inputs"] += 1
    tmp = tmp_path_factory.mktemp("fuzzapp")
    app = tmp / "app"
    shutil.copytree(SEED, app)
    (app / "sample.yaml.seed").rename(app / "sample.yaml")
    path = app / name
    path.write_bytes(mutate(path.read_bytes(), ops))
    if name == "sample.yaml":
        found = discovery.Discovery()
        discovery.load_file(path, "app", found)  # errors are collected, never raised
        assert all(isinstance(e.error, ZpyError) for e in found.errors)
        return
    try:
        build(str(app), "qemu_x86_64", str(tmp / "build"), "always", [],
              out=lambda line: None, warn=lambda line: None)
    except ZpyError as e:
        assert "\n" not in e.message, e.message
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
