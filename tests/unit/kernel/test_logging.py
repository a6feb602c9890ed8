"""Logging: Zephyr's line format, levels from Kconfig and per module, hexdumps, minimal mode."""

from __future__ import annotations

import re

LOG_CONFIG = {"BOOT_BANNER": "n", "LOG": "y", "LOG_DEFAULT_LEVEL": "3", "LOG_MAX_LEVEL": "4",
              "LOG_BACKEND_FORMAT_TIMESTAMP": "y", "LOG_FUNC_NAME_PREFIX_DBG": "y"}

APP = """
from zpy.logging import *
LOG_MODULE_REGISTER("app", %s)

def helper():
    LOG_DBG("debug %%d", 4)

def main():
    LOG_ERR("error %%s", "e")
    LOG_WRN("warning %%u", -1)
    LOG_INF("info %%#x", 255)
    helper()
    LOG_HEXDUMP_INF(b"Hello, hexdump!\\x00\\x01\\x02", 18, "label")
"""

TS = r"\[\d\d:\d\d:\d\d\.\d{3},\d{3}\] "


def run(make_image, boot, level="None", **config):
    cfg = dict(LOG_CONFIG)
    cfg.update(config)
    rt, console = boot(make_image(APP % level, config=cfg))
    assert rt.wait(5) == 0, console.text()
    return console.text()


def test_default_level_is_info_with_zephyr_line_format(make_image, boot):
    out = run(make_image, boot)
    lines = out.splitlines()
    assert re.fullmatch(TS + "<err> app: error e", lines[0])
    assert re.fullmatch(TS + "<wrn> app: warning 4294967295", lines[1])
    assert re.fullmatch(TS + "<inf> app: info 0xff", lines[2])
    assert re.fullmatch(TS + "<inf> app: label", lines[3])
    pad = " " * len(re.match(TS + "<inf> app: ", lines[3]).group(0))
    assert lines[4] == pad + "48 65 6c 6c 6f 2c 20 68  65 78 64 75 6d 70 21 00 |Hello, h exdump!."
    assert lines[5] == pad + "01 02                                            |..               "
    assert len(lines) == 6


def test_module_level_debug_shows_function_name(make_image, boot):
    out = run(make_image, boot, level="4")
    assert re.search(TS + "<dbg> app.helper: debug 4\n", out)


def test_module_level_from_a_kconfig_symbol_name(make_image, boot):
    out = run(make_image, boot, level='"CONFIG_APP_LOG_LEVEL"', APP_LOG_LEVEL="1")
    assert "<err> app: error e" in out
    assert "<wrn>" not in out and "<inf>" not in out


def test_colors_for_errors_and_warnings(make_image, boot):
    out = run(make_image, boot, LOG_BACKEND_SHOW_COLOR="y")
    assert re.search(r"\x1b\[1;31m" + TS + r"<err> app: error e\x1b\[0m\n", out)
    assert re.search(r"\x1b\[1;33m" + TS + r"<wrn> app: warning 4294967295\x1b\[0m\n", out)
    assert "\x1b" not in out.splitlines()[2]


def test_minimal_mode(make_image, boot):
    out = run(make_image, boot, LOG_MODE_MINIMAL="y")
    assert out.splitlines()[:4] == ["E: error e", "W: warning 4294967295", "I: info 0xff", "I: label"]


def test_no_output_without_config_log(make_image, boot):
    assert run(make_image, boot, LOG="n") == ""


def test_log_without_registration_is_an_error(make_image, boot):
    rt, console = boot(make_image("""
        from zpy.logging import LOG_INF
        def main():
            LOG_INF("hi")
    """, config=LOG_CONFIG))
    assert rt.wait(5) == 1
    assert "LOG_* used without LOG_MODULE_REGISTER()" in console.text()
