from zpy.kernel import printk


def main() -> int:
    printk("seed\n")
    return 0
