"""Boot: banner, init levels and their order, main()'s status, fatal errors."""

from __future__ import annotations

import pytest

from zpy.errors import BootError
from zpy.kernel.kernel import BUILD_VERSION


def test_hello_world_prints_banner_then_main_output(make_image, boot):
    build = make_image("""
        from zpy.kernel import printk
        from zpy.autoconf import CONFIG_BOARD
        def main():
            printk("Hello World! %s\\n", CONFIG_BOARD)
    """)
    rt, console = boot(build)
    assert rt.wait(5) == 0
    assert console.text() == (
        f"*** Booting Zephyr OS build {BUILD_VERSION} ***\n"
        "Hello World! qemu_x86_64\n"
    )


def test_main_return_value_is_the_exit_status(make_image, boot):
    rt, _ = boot(make_image("def main():\n    return 3\n"))
    assert rt.wait(5) == 3


def test_no_banner_without_boot_banner(make_image, boot):
    rt, console = boot(make_image("def main():\n    pass\n", config={"BOOT_BANNER": "n"}))
    assert rt.wait(5) == 0
    assert console.text() == ""


def test_init_levels_run_in_order_banner_after_post_kernel(make_image, boot):
    build = make_image("""
        from zpy.init import SYS_INIT, APPLICATION, POST_KERNEL, PRE_KERNEL_1, PRE_KERNEL_2, EARLY
        from zpy.kernel import printk, k_is_in_isr, k_current_get

        def mk(tag):
            def fn():
                t = k_current_get()
                printk("%s %s\\n", tag, t.name if t else "-")
            fn.__name__ = tag
            return fn

        SYS_INIT(mk("app50"), APPLICATION, 50)
        SYS_INIT(mk("post9"), POST_KERNEL, 9)
        SYS_INIT(mk("post10"), POST_KERNEL, 10)
        SYS_INIT(mk("post2"), POST_KERNEL, 2)
        SYS_INIT(mk("pre1"), PRE_KERNEL_1, 0)
        SYS_INIT(mk("pre2"), PRE_KERNEL_2, 0)
        SYS_INIT(mk("early"), EARLY, 0)
        SYS_INIT(mk("post10b"), POST_KERNEL, 10)

        def main():
            printk("main\\n")
    """)
    rt, console = boot(build)
    assert rt.wait(5) == 0
    lines = console.text().splitlines()
    assert lines == [
        "early -", "pre1 -", "pre2 -",
        "post2 main", "post9 main", "post10 main", "post10b main",
        f"*** Booting Zephyr OS build {BUILD_VERSION} ***",
        "app50 main", "main",
    ]


def test_exception_in_main_is_a_fatal_error(make_image, boot):
    rt, console = boot(make_image("""
        def main():
            x = {}
            return x["missing"]
    """))
    assert rt.wait(5) == 1
    out = console.text()
    assert ">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 (thread 'main'): KeyError: 'missing'" in out
    assert "main.py:4 in main()" in out
    assert "Traceback" not in out


def test_app_without_main_is_a_boot_error(make_image, boot):
    with pytest.raises(BootError, match=r"no main\(\) function"):
        boot(make_image("X = 1\n"))


def test_module_level_error_names_file_and_line(make_image, boot):
    with pytest.raises(BootError) as e:
        boot(make_image("import os\n\nundefined_name\n\ndef main():\n    pass\n"))
    assert e.value.lineno == 3
    assert e.value.filename.endswith("main.py")
    assert "NameError" in e.value.message


def test_two_images_in_one_process_share_nothing(make_image, boot):
    src = """
        from zpy.kernel import printk
        COUNT = [0]
        def main():
            COUNT[0] += 1
            printk("count %d\\n", COUNT[0])
    """
    rt1, c1 = boot(make_image(src, config={"BOOT_BANNER": "n"}))
    rt2, c2 = boot(make_image(src, config={"BOOT_BANNER": "n"}))
    assert rt1.wait(5) == 0 and rt2.wait(5) == 0
    assert c1.text() == "count 1\n" and c2.text() == "count 1\n"


def test_init_code_is_not_preempted_by_the_threads_it_creates(make_image, boot):
    # As in Zephyr: a thread no higher in priority than main, created by an init
    # function, runs once that function returns (after a busy wait: not before) or
    # blocks (the k_sem_take: no deadlock). A cooperative one runs at once.
    rt, console = boot(make_image("""
        from zpy.init import SYS_INIT, POST_KERNEL
        from zpy.kernel import *

        first, second, coop = k_thread(), k_thread(), k_thread()
        stack = K_THREAD_STACK_DEFINE("stack", 1024)
        given = k_sem()
        k_sem_init(given, 0, 1)
        coop_ran = k_sem()
        k_sem_init(coop_ran, 0, 1)

        def report():
            printk("%s runs\\n", k_thread_name_get(k_current_get()))

        def gives():
            report()
            k_sem_give(given)

        def creates_then_names():
            k_thread_create(first, stack, 1024, report, None, None, None, 5, 0, K_NO_WAIT)
            k_busy_wait(50000)
            k_thread_name_set(first, "first")
            printk("named\\n")
            return 0

        def creates_then_blocks():
            k_thread_create(second, stack, 1024, gives, None, None, None, 0, 0, K_NO_WAIT)
            k_thread_name_set(second, "second")
            printk("blocking: %d\\n", k_sem_take(given, K_SECONDS(5)))
            k_thread_create(coop, stack, 1024, lambda: k_sem_give(coop_ran),
                            None, None, None, K_PRIO_COOP(1), 0, K_NO_WAIT)
            printk("coop: %d\\n", k_sem_take(coop_ran, K_SECONDS(5)))
            return 0

        SYS_INIT(creates_then_names, POST_KERNEL, 1)
        SYS_INIT(creates_then_blocks, POST_KERNEL, 2)

        def main():
            k_msleep(10)
            return 0
    """, config={"BOOT_BANNER": "n"}))
    assert rt.wait(5) == 0
    lines = console.text().splitlines()
    assert sorted(lines) == sorted(["named", "first runs", "second runs", "blocking: 0",
                                    "coop: 0"]), lines
    assert lines.index("named") < lines.index("first runs"), lines
    assert lines.index("second runs") < lines.index("blocking: 0") < lines.index("coop: 0"), lines


def test_an_apps_fatal_error_handler_that_returns_ends_only_the_faulting_thread(make_image, boot):
    rt, console = boot(make_image("""
        from zpy.kernel import *

        def k_sys_fatal_error_handler(reason, esf):
            printk("handler: reason %d\\n", reason)

        def crasher():
            k_oops()
            printk("not reached\\n")

        def divider():
            1 // 0

        def main():
            for entry in (crasher, divider):
                t = k_thread()
                k_thread_create(t, None, 0, entry, None, None, None, -1, 0, K_NO_WAIT)
                k_thread_join(t, K_FOREVER)
            k_panic()
            printk("not reached either\\n")
    """, config={"BOOT_BANNER": "n"}))
    assert rt.wait(5) == 0
    lines = console.text().splitlines()
    assert lines[:3] == [">>> ZEPHYR FATAL ERROR 3: Kernel oops on CPU 0",
                         "Current thread: unknown: k_oops()", "handler: reason 3"]
    assert lines[3].startswith(">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 (a thread): "
                               "ZeroDivisionError")
    assert lines[4:] == ["handler: reason 0", ">>> ZEPHYR FATAL ERROR 4: Kernel panic on CPU 0",
                         "Current thread: main: k_panic()", "handler: reason 4"]
    assert rt.kernel.fatal_exception is None


def test_without_a_handler_a_fatal_error_halts_the_system(make_image, boot):
    rt, console = boot(make_image("""
        from zpy.kernel import *
        def main():
            k_oops()
            printk("not reached\\n")
    """, config={"BOOT_BANNER": "n"}))
    assert rt.wait(5) == 1
    assert console.text() == (">>> ZEPHYR FATAL ERROR 3: Kernel oops on CPU 0\n"
                              "Current thread: main: k_oops()\nHalting system\n")


def test_two_definitions_of_a_weak_function_do_not_link(make_image):
    from zpy.errors import LinkError
    from zpy.runtime import Runtime

    build = make_image("def main():\n    pass\ndef k_sys_fatal_error_handler(r, e):\n    pass\n",
                       sources={"other.py": "def k_sys_fatal_error_handler(r, e):\n    pass\n"})
    with pytest.raises(LinkError, match="multiple definition of `k_sys_fatal_error_handler'"):
        Runtime(build, console_out=None)
