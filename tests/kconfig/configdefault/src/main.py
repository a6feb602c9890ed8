"""configdefault and Kconfig.template.log_config in an app's Kconfig, checked from the image."""

from zpy import autoconf
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal, zassert_false


def config(name: str) -> object:
    return getattr(autoconf, name, None)


@ZTEST("configdefault")
def test_default_before_definition_wins():
    zassert_equal(config("CONFIG_HEAP_MEM_POOL_SIZE"), 2048, "configdefault did not apply")


@ZTEST("configdefault")
def test_assignment_wins_over_configdefault():
    zassert_equal(config("CONFIG_ZTEST_TEST_DELAY_MS"), 0, "prj.conf value lost")


@ZTEST("configdefault")
def test_enclosing_if_guards_the_default():
    zassert_equal(config("CONFIG_ZTEST_THREAD_PRIORITY"), -3, "if ZTEST default lost")
    zassert_equal(config("CONFIG_ZTEST_CPU_HOLD_TIME_MS"), 5000, "if SHELL default applied")


@ZTEST("configdefault")
def test_dependencies_are_kept():
    zassert_false(hasattr(autoconf, "CONFIG_SHELL_PROMPT_UART"), "dependency weakened")


@ZTEST("configdefault")
def test_default_after_definition_loses():
    zassert_equal(config("CONFIG_TIMESLICE_SIZE"), 20, "later configdefault won")


@ZTEST("configdefault")
def test_module_log_level_from_template():
    zassert_equal(config("CONFIG_APP_LOG_LEVEL"), 4, "APP_LOG_LEVEL_DBG not applied")


ZTEST_SUITE("configdefault", None, None, None, None, None)
