"""-D options: parsing, the variables zpy reads, and CMake's warning for the rest."""

from __future__ import annotations

import pytest

from zpy.build.options import parse_cmake_args, split_list
from zpy.errors import BuildError


def test_known_variables() -> None:
    opts = parse_cmake_args([
        "-DCONFIG_POLL=y", "-DCONF_FILE=a.conf;b.conf", "-DEXTRA_CONF_FILE=c.conf d.conf",
        "-DOVERLAY_CONFIG=e.conf", "-DDTC_OVERLAY_FILE=x.overlay",
        "-DEXTRA_DTC_OVERLAY_FILE=y.overlay;z.overlay", "-DBOARD=qemu_x86_64",
        "-DCONFIG_BOOT_BANNER_STRING:STRING=\"hi there\"",
    ])
    assert opts.configs == [("CONFIG_POLL", "y"), ("CONFIG_BOOT_BANNER_STRING", '"hi there"')]
    assert opts.conf_file == ["a.conf", "b.conf"]
    assert opts.extra_conf_file == ["c.conf", "d.conf", "e.conf"]
    assert opts.dtc_overlay_file == ["x.overlay"]
    assert opts.extra_dtc_overlay_file == ["y.overlay", "z.overlay"]
    assert opts.board == "qemu_x86_64"
    assert opts.unused() == []
    assert opts.warnings() == [
        "The CMake variable OVERLAY_CONFIG is deprecated, please use EXTRA_CONF_FILE instead"]


def test_defaults_and_later_wins() -> None:
    opts = parse_cmake_args(["-DCONFIG_X=1", "-DCONFIG_X=2"])
    assert opts.configs == [("CONFIG_X", "2")]
    assert opts.conf_file is None and opts.dtc_overlay_file is None
    assert opts.extra_conf_file == [] and opts.board is None


def test_unused_variables_warn_like_cmake() -> None:
    opts = parse_cmake_args(["-DFOO=1", "-DCMAKE_BUILD_TYPE=Debug", "-DSAME_PRIO=1",
                             "-DCONFIG_X=y", "-DBOARD=b"])
    assert opts.variables == {"FOO": "1", "CMAKE_BUILD_TYPE": "Debug", "SAME_PRIO": "1",
                              "BOARD": "b"}
    assert opts.warnings() == []
    assert opts.unused_warning({"SAME_PRIO"}) == (
        "Manually-specified variables were not used by the project: FOO, CMAKE_BUILD_TYPE")
    assert opts.unused_warning({"FOO", "CMAKE_BUILD_TYPE", "SAME_PRIO"}) is None


@pytest.mark.parametrize(("arg", "message"), [
    ("-DFOO", "Parse error in command line argument: FOO; should be: -DVAR=value"),
    ("-D", "Parse error in command line argument: -D; should be: -DVAR=value"),
    ("-D=1", "Parse error in command line argument: =1; should be: -DVAR=value"),
    ("FOO=1", "unsupported option after '--': 'FOO=1'; zpy build takes -DVAR=value options there"),
    ("-G", "unsupported option after '--': '-G'; zpy build takes -DVAR=value options there"),
])
def test_malformed(arg: str, message: str) -> None:
    with pytest.raises(BuildError) as e:
        parse_cmake_args([arg])
    assert e.value.message == message


def test_split_list() -> None:
    assert split_list(" a.conf;b.conf  c.conf;;") == ["a.conf", "b.conf", "c.conf"]
