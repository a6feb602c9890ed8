"""zpy.random (<zephyr/random/random.h>): reproducible from boot to boot, per image."""

from __future__ import annotations

SRC = """
from zpy.kernel import printk
from zpy.random import sys_rand8_get, sys_rand32_get, sys_rand_get

def main():
    buf = bytearray(6)
    sys_rand_get(buf, 4)
    printk("%s %d %d\\n", buf.hex(), sys_rand8_get() < 256, sys_rand32_get() < 2**32)
    try:
        sys_rand_get(b"ro", 2)
    except TypeError as e:
        printk("%s\\n", e)
    return 0
"""


def test_the_same_numbers_on_every_boot(make_image, boot):
    outs = []
    for _ in range(2):
        rt, console = boot(make_image(SRC, config={"BOOT_BANNER": "n"}))
        assert rt.wait(10) == 0
        outs.append(console.text())
    first, rest = outs[0].split(" ", 1)
    assert outs[0] == outs[1]
    assert first.endswith("0000") and first != "000000000000"
    assert rest == "1 1\ncannot copy into a read-only buffer (bytes)\n"
