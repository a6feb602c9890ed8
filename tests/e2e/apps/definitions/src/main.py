"""Prints the compile definition KIND (-DKIND=ONE or TWO), as main.py and as a header sees it."""

from zpy.kernel import printk
from zpy.toolchain import compile_definition

ONE = 1
TWO = 2
KIND = compile_definition("KIND", ONE)

from header import HEADER_KIND  # noqa: E402  (C includes it here, after the #defines)


def main():
    printk("kind %d header %d\n", KIND, HEADER_KIND)
