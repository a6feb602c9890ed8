"""twister's filter language: grammar, evaluation over CONFIG_* and the devicetree, errors."""

from __future__ import annotations

import pytest

from zpy.image.dtmodel import DeviceTree, DTNode
from zpy.twister import expr
from zpy.twister.expr import ExprError

ENV = {
    "ARCH": "x86",
    "PLATFORM": "qemu_x86_64",
    "CONFIG_ZTEST": "y",
    "CONFIG_IVSHMEM": "y",
    "CONFIG_NUM": "42",
    "CONFIG_ADDR": "0x1000",
    "CONFIG_NAME": "zephyr-board",
    "CONFIG_EMPTY": "",
}


def node(path: str, ord: int, compats=(), labels=(), status="okay", parent=None,
         props=None) -> DTNode:
    return DTNode(path=path, name=path.rsplit("/", 1)[-1] or "/", unit_addr=None, ord=ord,
                  labels=list(labels), status=status, compats=list(compats),
                  matching_compat=compats[0] if compats else None, props=props or {},
                  parent=parent)


@pytest.fixture
def dt() -> DeviceTree:
    nodes = [
        node("/", 0),
        node("/pcie", 1, ["pcie-controller"], ["pcie0"], parent="/"),
        node("/pcie/ivshmem", 2, ["qemu,ivshmem"], ["ivshmem0"], parent="/pcie",
             props={"vendor-id": 0x1af4}),
        node("/leds", 3, ["gpio-leds"], parent="/"),
        node("/leds/led_0", 4, [], ["led0"], parent="/leds"),
        node("/leds/led_1", 5, [], ["led1"], status="disabled", parent="/leds"),
        node("/uart", 6, ["ns16550"], ["uart0"], status="disabled", parent="/"),
    ]
    compat2okay = {"pcie-controller": ["/pcie"], "qemu,ivshmem": ["/pcie/ivshmem"],
                   "gpio-leds": ["/leds"]}
    return DeviceTree(nodes, {"zephyr,console": "/uart", "zephyr,shm": "/pcie/ivshmem"},
                      {"led0": "/leds/led_0", "led1": "/leds/led_1", "shm": "/pcie/ivshmem"},
                      compat2okay)


@pytest.mark.parametrize("text, expected", [
    ("CONFIG_ZTEST", True),
    ("CONFIG_MISSING", False),
    ("CONFIG_EMPTY", False),
    ("not CONFIG_MISSING", True),
    ("CONFIG_ZTEST and CONFIG_IVSHMEM", True),
    ("CONFIG_ZTEST and CONFIG_MISSING", False),
    ("CONFIG_MISSING or CONFIG_IVSHMEM", True),
    ("not CONFIG_ZTEST or CONFIG_IVSHMEM and CONFIG_MISSING", False),  # and binds tighter
    ("CONFIG_MISSING and CONFIG_ZTEST or CONFIG_IVSHMEM", True),
    ("not (CONFIG_ZTEST and CONFIG_MISSING)", True),
    ("not not CONFIG_ZTEST", True),
    ('ARCH == "x86"', True),
    ("ARCH == 'arm'", False),
    ('ARCH != "arm"', True),
    ('CONFIG_ZTEST == "y"', True),
    ("CONFIG_NUM == 42", True),
    ("CONFIG_NUM == 0x2a", True),
    ("CONFIG_NUM != 42", False),
    ("CONFIG_NUM > 41", True),
    ("CONFIG_NUM < 42", False),
    ("CONFIG_NUM >= 42", True),
    ("CONFIG_NUM <= 0x29", False),
    ("CONFIG_ADDR >= 0x1000", True),
    ("CONFIG_ADDR > 4096", False),
    ("CONFIG_MISSING < 1", True),  # a missing symbol is 0 for numbers
    ('ARCH in ["arm", "x86"]', True),
    ('PLATFORM in ["qemu_x86"]', False),
    ("CONFIG_NUM in [1, 42]", True),
    ('CONFIG_NAME : "zephyr-.*"', True),
    ('CONFIG_NAME : "board"', False),  # a match from the start, as re.match
    ('CONFIG_NAME:"zeph"', True),
    ('(ARCH == "x86" or ARCH == "arm64") and CONFIG_ZTEST', True),
])
def test_evaluation(text, expected):
    assert expr.check(text, ENV, None) is expected


@pytest.mark.parametrize("text, expected", [
    ('dt_compat_enabled("qemu,ivshmem")', True),
    ('dt_compat_enabled("ns16550")', False),  # disabled
    ('dt_compat_enabled("nope")', False),
    ('dt_alias_exists("led0")', True),
    ('dt_alias_exists("led1")', False),  # its node is disabled
    ('dt_alias_exists("nope")', False),
    ('dt_enabled_alias_with_parent_compat("led0", "gpio-leds")', True),
    ('dt_enabled_alias_with_parent_compat("led1", "gpio-leds")', False),
    ('dt_enabled_alias_with_parent_compat("shm", "gpio-leds")', False),
    ('dt_compat_enabled_with_alias("gpio-leds", "led0")', True),
    ('dt_label_with_parent_compat_enabled("led1", "gpio-leds")', True),
    ('dt_label_with_parent_compat_enabled("ivshmem0", "gpio-leds")', False),
    ('dt_chosen_enabled("zephyr,shm")', True),
    ('dt_chosen_enabled("zephyr,console")', False),
    ('dt_chosen_enabled("zephyr,nope")', False),
    ('dt_nodelabel_enabled("ivshmem0")', True),
    ('dt_nodelabel_enabled("uart0")', False),
    ('dt_nodelabel_has_compat("uart0", "ns16550")', True),
    ('dt_nodelabel_has_prop("ivshmem0", "vendor-id")', True),
    ('dt_node_has_prop("/pcie/ivshmem", "device-id")', False),
    ('dt_node_has_prop("shm", "vendor-id")', True),
    ('dt_compat_enabled("qemu,ivshmem") and CONFIG_IVSHMEM', True),
    ('not dt_nodelabel_enabled("uart0")', True),
])
def test_devicetree_functions(dt, text, expected):
    assert expr.check(text, ENV, dt) is expected


def test_functions_without_a_devicetree_are_false():
    assert expr.check('dt_compat_enabled("qemu,ivshmem")', ENV, None) is False


def test_the_repos_real_devicetree(tmp_path):
    """dt_* functions over a real build's devicetree_generated.json."""
    import subprocess
    import sys

    from zpy.build.paths import zephyr_base
    from zpy.image.dtmodel import RELPATH

    app = zephyr_base() / "tests/drivers/virtualization/ivshmem/plain"
    subprocess.run([sys.executable, "-m", "zpy", "build", "-b", "qemu_x86_64", "-d",
                    str(tmp_path), str(app)], check=True, capture_output=True)
    real = DeviceTree.load(tmp_path / RELPATH)
    assert expr.check('dt_nodelabel_enabled("ivshmem0")', {}, real)
    assert expr.check('dt_compat_enabled("qemu,ivshmem")', {}, real)
    assert not expr.check('dt_nodelabel_enabled("nope")', {}, real)


@pytest.mark.parametrize("text, message", [
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("CONFIG_A and", "unexpected end of expression (expected a symbol, a function call, "
                     "'not' or '(')"),
    ("CONFIG_A )", "unexpected ')' at column 10"),
    ("(CONFIG_A", "unexpected end of expression (expected ')')"),
    ("CONFIG_A CONFIG_B", "unexpected 'CONFIG_B' at column 10"),
    ("CONFIG_A && CONFIG_B", "unexpected character '&' at column 10"),
    ("ARCH == x86", "unexpected 'x86' at column 9 (expected a string or a number)"),
    ('CONFIG_N > "3"', "'>' needs a number, not \"3\" (column 10)"),
    ("ARCH in x86", "unexpected 'x86' at column 9 (expected '[')"),
    ('ARCH in ["a" "b"]', "unexpected 'b' at column 14 (expected ']')"),
    ("ARCH : x86", "unexpected 'x86' at column 8 (expected a string after ':')"),
    ('ARCH : "("', "bad regular expression \"(\": missing ), unterminated subpattern at "
                   "position 0"),
    ('dt_compat_enabled()', "unexpected ')' at column 19 (expected a string or a number)"),
    ('dt_nope("x")', "unknown function 'dt_nope' at column 1"),
    ('dt_compat_enabled("a", "b")', "dt_compat_enabled() takes 1 argument, not 2"),
    ('dt_label_with_parent_compat_enabled("a")',
     "dt_label_with_parent_compat_enabled() takes 2 arguments, not 1"),
    ('"x" == ARCH', "unexpected 'x' at column 1 (expected a symbol, a function call, "
                    "'not' or '(')"),
    ("ARCH == 'unterminated", "unexpected character ''' at column 9"),
    ("CONFIG_A == 1 == 2", "unexpected '==' at column 15"),
])
def test_bad_expressions(text, message):
    with pytest.raises(ExprError) as e:
        expr.parse(text)
    assert str(e.value) == message


def test_a_value_that_is_not_a_number():
    with pytest.raises(ExprError, match='CONFIG_NAME is "zephyr-board", not a number'):
        expr.check("CONFIG_NAME > 3", ENV, None)


def test_tokens_keep_columns():
    tokens = expr.tokenize('A == "x y" and not B')
    assert [(t.kind, t.value, t.col) for t in tokens] == [
        ("sym", "A", 1), ("op", "==", 3), ("str", "x y", 6), ("kw", "and", 12),
        ("kw", "not", 16), ("sym", "B", 20), ("end", "", 21)]
