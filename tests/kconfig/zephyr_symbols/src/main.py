"""Zephyr's Kconfig symbols reach the image, with the relations Zephyr's Kconfig gives them."""

from zpy import autoconf
from zpy.kernel import IS_ENABLED
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal, zassert_true


def enabled(*names: str) -> list[str]:
    return [name for name in names if IS_ENABLED(f"CONFIG_{name}")]


@ZTEST("zephyr_symbols")
def test_priorities_decide_coop_and_preempt():
    zassert_equal(IS_ENABLED("CONFIG_COOP_ENABLED"), autoconf.CONFIG_NUM_COOP_PRIORITIES != 0)
    zassert_equal(IS_ENABLED("CONFIG_PREEMPT_ENABLED"),
                  autoconf.CONFIG_NUM_PREEMPT_PRIORITIES != 0)


@ZTEST("zephyr_symbols")
def test_cpus():
    cpus = 2 if IS_ENABLED("CONFIG_SMP") else 1
    zassert_equal(autoconf.CONFIG_MP_MAX_NUM_CPUS, cpus)
    zassert_equal(autoconf.CONFIG_MP_NUM_CPUS, cpus)


@ZTEST("zephyr_symbols")
def test_one_member_of_each_choice():
    zassert_equal(len(enabled("SCHED_SIMPLE", "SCHED_SCALABLE", "SCHED_MULTIQ")), 1)
    zassert_equal(len(enabled("WAITQ_SIMPLE", "WAITQ_SCALABLE")), 1)
    zassert_equal(len(enabled("MINIMAL_LIBC", "NEWLIB_LIBC", "PICOLIBC", "EXTERNAL_LIBC")), 1)


@ZTEST("zephyr_symbols")
def test_selects():
    zassert_true(IS_ENABLED("CONFIG_TEST"), "ZTEST selects TEST")
    zassert_true(IS_ENABLED("CONFIG_THREAD_NAME"), "TEST selects THREAD_NAME")
    zassert_true(IS_ENABLED("CONFIG_EARLY_CONSOLE"), "BOOT_BANNER selects EARLY_CONSOLE")


ZTEST_SUITE("zephyr_symbols", None, None, None, None, None)
