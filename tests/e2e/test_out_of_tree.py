"""Out-of-tree code as Zephyr builds it: an app with a CMakeLists.txt and drivers of its own,
and a Zephyr module (ZEPHYR_EXTRA_MODULES) bringing Kconfig, a binding, a board and a driver.
The `zpy` command in subprocesses, on tests/e2e/apps/out_of_tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .runner import ZEPHYR_BASE, build, zpy

TREE = ZEPHYR_BASE / "tests/e2e/apps/out_of_tree"
MODULE_ARG = "-DZEPHYR_EXTRA_MODULES=../module"


def image(build_dir: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((build_dir / "zephyr/image.json").read_text())


def test_app_drivers_and_module_build_and_run(tmp_path):
    done = build(TREE / "app", tmp_path / "b", MODULE_ARG)
    assert f"-- Including module: demo-module in path: {TREE}/module\n" in done.stdout
    assert "Linking image: 5 modules (1 zpy, 1 from modules, 3 app)" in done.stdout
    assert done.stderr == ""
    linked = image(tmp_path / "b")
    assert [(m["name"], m["condition"]) for m in linked["module_sources"]] == [
        ("drivers.demo_sensor", "CONFIG_DEMO_SENSOR")]
    assert [(m["name"], m["condition"]) for m in linked["app_sources"]] == [
        ("main", None), ("report", None), ("drivers.counter.acme_counter", "CONFIG_ACME_COUNTER")]
    kconfig_modules = (tmp_path / "b/Kconfig/Kconfig.modules").read_text()
    assert f'osource "{TREE}/module/zephyr/Kconfig"' in kconfig_modules
    config = (tmp_path / "b/zephyr/.config").read_text()
    assert "CONFIG_ZEPHYR_DEMO_MODULE_MODULE=y\n" in config and "CONFIG_DEMO_SENSOR=y\n" in config

    run = zpy("run", "-d", str(tmp_path / "b"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-2:] == ["sensor0 ready: True, reads 7", "counter0 counts 42"]

    again = build(TREE / "app", tmp_path / "b")  # the -D options are remembered
    assert again.stdout == f"-- {tmp_path / 'b'} is up to date: no work to do.\n"


def test_a_source_behind_an_unset_symbol_is_not_in_the_image(tmp_path):
    build(TREE / "app", tmp_path / "b", MODULE_ARG, "-DCONFIG_ACME_COUNTER=n")
    linked = image(tmp_path / "b")
    assert "drivers.counter.acme_counter" not in [m["name"] for m in linked["app_sources"]]
    assert linked["excluded"][f"{TREE}/app/drivers/counter"] == "CONFIG_ACME_COUNTER"
    run = zpy("run", "-d", str(tmp_path / "b"))
    assert run.returncode == 1
    assert "LinkError: undefined reference to `__device_dts_ord_" in run.stdout
    assert "is its driver's Kconfig option on and its status okay?" in run.stdout
    explained = zpy("explain", "-d", str(tmp_path / "b"), "counter0")
    assert "not in the image: CONFIG_ACME_COUNTER=n (tests/e2e/apps/out_of_tree/app/drivers/" \
        "CMakeLists.txt:3)" in explained.stdout


def test_a_board_from_the_module(tmp_path):
    done = zpy("build", "-b", "demo_board", "-d", str(tmp_path / "b"), str(TREE / "app"), "--",
               MODULE_ARG)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"-- Board: demo_board, {TREE}/module/boards/demo/demo_board\n" in done.stdout
    assert 'CONFIG_BOARD="demo_board"\n' in (tmp_path / "b/zephyr/.config").read_text()


def copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    return tree


def test_module_yml_errors_are_one_line(tmp_path):
    tree = copy(tmp_path)
    yml = tree / "module/zephyr/module.yml"
    yml.write_text(yml.read_text().replace("dts_root: .", "dts_rot: ."))
    done = zpy("build", "-b", "qemu_x86_64", "-d", str(tmp_path / "b"), str(tree / "app"),
               "--", MODULE_ARG)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        f"{yml}:6: error: unknown key 'dts_rot' in build.settings of zephyr/module.yml "
        "(expected one of board_root, dts_root, soc_root, arch_root, module_ext_root, sca_root, "
        "snippet_root)")
    assert "Traceback" not in done.stderr


def test_cmakelists_warnings_and_errors_name_file_and_line(tmp_path):
    tree = copy(tmp_path)
    cmake = tree / "app/CMakeLists.txt"
    text = cmake.read_text()
    cmake.write_text(text + "zephyr_compile_options(-O3)\n")
    line = text.count("\n") + 1
    done = zpy("build", "-b", "qemu_x86_64", "-d", str(tmp_path / "b"), str(tree / "app"),
               "--", MODULE_ARG)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (f"{cmake}:{line}: warning: zephyr_compile_options() is not a "
                           "command zpy reads: ignored (docs/build.md lists the ones it does)\n")

    cmake.write_text(text + "target_sources(app PRIVATE src/gone.c\n")
    done = zpy("build", "-b", "qemu_x86_64", "-d", str(tmp_path / "b"), str(tree / "app"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"{cmake}:{line}: error: Parse error.  Function "
                                           'missing ending ")".  End of file reached.')


def test_import_forms(tmp_path):
    """`from app.report import` (a path zpy does not have) fails naming the form that works."""
    tree = copy(tmp_path)
    main = tree / "app/src/main.py"
    main.write_text(main.read_text().replace("import report\n", "from app import report\n"))
    build(tree / "app", tmp_path / "b", MODULE_ARG)
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        f"{main}:4: error: linking main.py: ModuleNotFoundError: No module named 'app': the "
        "image's sources import each other by their name under src/: write `import report` or "
        "`from report import ...`")


def test_configdefault_in_a_module_kconfig(tmp_path):
    """A module's Kconfig is read before arch/ and kernel/ define their symbols, so its
    `configdefault` defaults win over theirs, as in Zephyr; an assignment still wins over
    them, an enclosing `if` guards them and a symbol whose dependencies fail stays unset."""
    module = tmp_path / "defaults"
    (module / "zephyr").mkdir(parents=True)
    (module / "zephyr/module.yml").write_text("name: defaults\nbuild:\n  kconfig: zephyr/Kconfig\n")
    (module / "zephyr/Kconfig").write_text(
        "configdefault MAIN_STACK_SIZE\n\tdefault 4096\n\n"
        "configdefault IDLE_STACK_SIZE\n\tdefault 2048\n\n"
        "if SHELL\nconfigdefault HEAP_MEM_POOL_SIZE\n\tdefault 1024\nendif\n\n"
        'configdefault SHELL_PROMPT_UART\n\tdefault "mod:~$ "\n')
    build("samples/hello_world", tmp_path / "b", f"-DZEPHYR_EXTRA_MODULES={module}",
          "-DCONFIG_IDLE_STACK_SIZE=1536")
    config = (tmp_path / "b/zephyr/.config").read_text()
    assert "CONFIG_MAIN_STACK_SIZE=4096\n" in config  # over arch/x86's 8192
    assert "CONFIG_IDLE_STACK_SIZE=1536\n" in config
    assert "CONFIG_HEAP_MEM_POOL_SIZE=0\n" in config  # SHELL is off
    assert "# CONFIG_SHELL is not set\n" in config and "SHELL_PROMPT_UART" not in config
