"""`zpy build` end to end: the real console script in subprocesses, on temporary apps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

from zpy.build.paths import zephyr_base

from . import console

BOARD = "qemu_x86_64"
IVSHMEM_OVERLAY = """\
/ {
	pcie0 {
		ivshmem0: ivshmem0 {
			compatible = "qemu,ivshmem";
			vendor-id = <0x1af4>;
			device-id = <0x1110>;
			status = "okay";
		};
	};
};
"""
OUTPUTS = [
    "zephyr/.config",
    "zephyr/include/generated/zephyr/autoconf.h",
    "zephyr/include/generated/zephyr/devicetree_generated.json",
    "zephyr/zephyr.dts",
    "zephyr/edt.pickle",
    "zephyr/image.json",
    "zephyr/build_info.json",
    "Kconfig/Kconfig.dts",
]


def zpy_command() -> list[str]:
    script = Path(sys.executable).parent / "zpy"
    return [str(script)] if script.exists() else [sys.executable, "-m", "zpy"]


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str

    def ok(self) -> Done:
        assert self.returncode == 0, self.stderr
        assert "Traceback" not in self.stdout + self.stderr
        return self

    def failed(self) -> str:
        """The one error line of a failed run."""
        assert self.returncode != 0
        assert "Traceback" not in self.stdout + self.stderr
        errors = [ln for ln in self.stderr.splitlines() if "error: " in ln]
        assert len(errors) == 1, self.stderr
        return errors[0]


def zpy(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Done:
    full_env = {k: v for k, v in os.environ.items() if k not in ("BOARD", "ZEPHYR_BASE")}
    full_env.update(env or {})
    proc = subprocess.run([*zpy_command(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, timeout=120)
    return Done(proc.returncode, proc.stdout, proc.stderr)


def write_app(root: Path, files: dict[str, str] | None = None, prj: str = "# nothing here\n"
              ) -> Path:
    files = {"prj.conf": prj, "src/main.py": "def main():\n    pass\n", **(files or {})}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_app(tmp_path / "app")


def test_fresh_build_noop_and_change(app: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    first = zpy("build", "-b", BOARD, "-d", build, app).ok()
    for rel in OUTPUTS:
        assert (build / rel).is_file(), rel
    assert f"-- Found BOARD.dts: {zephyr_base()}/boards/{BOARD}/{BOARD}.dts" in first.stdout
    assert f"Configuration saved to '{build}/zephyr/.config'" in first.stdout
    assert "Linking image" in first.stdout.splitlines()[-1]

    second = zpy("build", "-b", BOARD, "-d", build, app).ok()
    assert second.stdout == f"-- {build} is up to date: no work to do.\n"

    with open(app / "prj.conf", "a") as f:
        f.write("CONFIG_POLL=y\n")
    third = zpy("build", "-d", build, cwd=app).ok()  # board and app from the build folder
    assert "Merged configuration" in third.stdout
    assert "CONFIG_POLL=y\n" in (build / "zephyr/.config").read_text()


def test_pristine_modes(app: Path, tmp_path: Path) -> None:
    other = write_app(tmp_path / "other")
    build = tmp_path / "build"
    zpy("build", "-b", BOARD, "-d", build, app).ok()
    auto = zpy("build", "-b", BOARD, "-d", build, other).ok()
    assert f"-- Making {build} pristine: it was built for app {app}" in auto.stdout
    never = zpy("build", "-p", "never", "-b", BOARD, "-d", build, app)
    assert never.failed().startswith(f"error: Build directory {build} is for application ")
    always = zpy("build", "-p", "-b", BOARD, "-d", build, other).ok()  # -p alone: always
    assert "Linking image" in always.stdout


def test_options_and_env_board(app: Path, tmp_path: Path) -> None:
    (app / "extra.conf").write_text("CONFIG_EVENTS=y\n")
    (app / "my.overlay").write_text(IVSHMEM_OVERLAY)
    done = zpy("build", "-d", tmp_path / "b", app, "--", "-DCONFIG_POLL=y",
               "-DEXTRA_CONF_FILE=extra.conf", "-DDTC_OVERLAY_FILE=my.overlay", "-DSTRAY=1",
               env={"BOARD": BOARD}).ok()
    assert f"-- Found devicetree overlay: {app}/my.overlay" in done.stdout
    assert "warning: Manually-specified variables were not used by the project: STRAY" in \
        done.stderr
    config = (tmp_path / "b/zephyr/.config").read_text()
    for line in ("CONFIG_POLL=y", "CONFIG_EVENTS=y", "CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED=y"):
        assert line + "\n" in config


def test_app_kconfig_with_devicetree(tmp_path: Path) -> None:
    app = write_app(tmp_path / "app", {
        "app.overlay": IVSHMEM_OVERLAY,
        "Kconfig": """\
            mainmenu "ivshmem app"

            source "Kconfig.zephyr"

            config APP_IVSHMEM_USER
                bool "Use the ivshmem device"
                default y
                depends on DT_HAS_QEMU_IVSHMEM_ENABLED

            config APP_UART_BASE
                hex "Console UART base"
                default $(dt_nodelabel_reg_addr_hex,uart0)

            config APP_IVSHMEM_VENDOR
                hex "ivshmem vendor"
                default $(dt_nodelabel_int_prop_hex,ivshmem0,vendor-id)
            """,
    }, prj="CONFIG_APP_IVSHMEM_USER=y\n")
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app).ok()
    assert f"Parsing {app}/Kconfig" in done.stdout
    assert done.stderr == ""
    config = (tmp_path / "b/zephyr/.config").read_text()
    for line in ("CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED=y", "CONFIG_APP_IVSHMEM_USER=y",
                 "CONFIG_APP_UART_BASE=0x3f8", "CONFIG_APP_IVSHMEM_VENDOR=0x1af4"):
        assert line + "\n" in config

    # Without the node the app symbol cannot be y. With unchanged fragments the old
    # .config is the only input (no warning, as in Zephyr); once prj.conf changes the
    # assignment is checked again.
    (app / "app.overlay").unlink()
    again = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app).ok()
    assert again.stderr == ""
    assert "CONFIG_APP_IVSHMEM_USER" not in (tmp_path / "b/zephyr/.config").read_text()
    with open(app / "prj.conf", "a") as f:
        f.write("# checked again\n")
    warned = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app).ok()
    text = " ".join(warned.stderr.split())  # wrapped at 100 columns, as Zephyr does
    assert text.startswith("warning: APP_IVSHMEM_USER (defined at ")
    assert "/Kconfig:5) was assigned the value 'y' but got the value 'n'. Check these " \
           "unsatisfied dependencies: DT_HAS_QEMU_IVSHMEM_ENABLED (=n). See " in text
    assert all(len(line) <= 100 for line in warned.stderr.splitlines())


def test_zephyr_ivshmem_sample(tmp_path: Path) -> None:
    app = write_app(tmp_path / "ivshmem", {
        "boards/qemu_x86_64.conf": "CONFIG_HEAP_MEM_POOL_SIZE=4096\n"
                                   "CONFIG_COMMON_LIBC_MALLOC_ARENA_SIZE=8192\n",
        "boards/qemu_x86_64.overlay": IVSHMEM_OVERLAY,
    }, prj="""\
        CONFIG_INIT_STACKS=y
        CONFIG_USERSPACE=y
        CONFIG_DYNAMIC_OBJECTS=y
        CONFIG_PCIE=y
        CONFIG_PCIE_MSI=y
        CONFIG_PCIE_MSI_X=y
        CONFIG_PCIE_MSI_MULTI_VECTOR=y
        CONFIG_POLL=y
        CONFIG_VIRTUALIZATION=y
        CONFIG_IVSHMEM=y
        CONFIG_IVSHMEM_DOORBELL=y
        CONFIG_REQUIRES_MALLOC=y
        """)
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app).ok()
    assert done.stderr == ""
    assert "CONFIG_IVSHMEM_DOORBELL=y\n" in (tmp_path / "b/zephyr/.config").read_text()


def copy_tree(dest: Path) -> Path:
    """A private ZEPHYR_BASE: the zpy tree's Kconfig tree, boards, dts and sources."""
    base = zephyr_base()
    dest.mkdir()
    for path in [*base.glob("Kconfig*"), base / "CMakeLists.txt"]:
        shutil.copy(path, dest / path.name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("arch", "boards", "drivers", "dts", "kernel", "lib", "modules", "subsys",
                 "zpy"):
        shutil.copytree(base / name, dest / name, ignore=ignore)
    return dest


def test_cmakelists_naming_a_missing_file(app: Path, tmp_path: Path) -> None:
    tree = copy_tree(tmp_path / "zephyr")
    cmake = tree / "CMakeLists.txt"
    lines = cmake.read_text().splitlines()
    cmake.write_text("\n".join([*lines, "zephyr_library_sources(zpy/nothere.py)", ""]))
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app, env={"ZEPHYR_BASE": str(tree)})
    assert done.failed() == (f"{cmake}:{len(lines) + 1}: error: Cannot find source file: "
                             "zpy/nothere.py")


def test_bad_zephyr_base(app: Path, tmp_path: Path) -> None:
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app,
               env={"ZEPHYR_BASE": str(tmp_path)})
    assert done.failed() == f"error: ZEPHYR_BASE={tmp_path} has no Kconfig.zephyr"


@pytest.mark.parametrize(("files", "expected"), [
    ({"app.overlay": "&missing {\n\tstatus = \"okay\";\n};\n"},
     "{app}/app.overlay:1: error: parse error: undefined node label 'missing'"),
    ({"prj.conf": "CONFIG_POLL=y\nCONFIG_NOPE=y\n"}, "error: Aborting due to Kconfig warnings"),
    ({"src/main.py": "def main(:\n"}, "{app}/src/main.py:1: error: SyntaxError: invalid syntax"),
])
def test_errors_are_one_line(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    app = write_app(tmp_path / "app", files)
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app)
    assert done.failed() == expected.replace("{app}", str(app))


def test_menuconfig_targets_need_a_terminal_or_display(app: Path, tmp_path: Path) -> None:
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", "-t", "menuconfig", app)
    assert done.failed() == "error: menuconfig needs an interactive terminal"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([*zpy_command(), "build", "-d", str(tmp_path / "b"), "-t",
                           "guiconfig"], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)
    done = Done(proc.returncode, proc.stdout, proc.stderr)
    assert done.failed() == ("error: guiconfig needs a graphical display, and DISPLAY is not "
                             "set")
    assert "hint: use -t menuconfig in a terminal instead" in done.stderr


def test_run_target(tmp_path: Path) -> None:
    app = write_app(tmp_path / "app")
    (app / "src/main.py").write_text(
        "from zpy.kernel import printk\n\n\ndef main():\n    printk(\"Hello from zpy build\\n\")\n")
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", "-t", "run", app)
    done.ok()
    assert "Hello from zpy build" in done.stdout


def test_help() -> None:
    done = zpy("build", "--help").ok()
    for word in ("-b BOARD", "-d BUILD_DIR", "--pristine", "menuconfig", "-DCONFIG_X=value"):
        assert word in done.stdout


def test_menuconfig_edit_is_kept(app: Path, tmp_path: Path) -> None:
    """Drive kconfiglib's menuconfig in a pseudo-terminal: search EVENTS, toggle, save, quit."""
    build = tmp_path / "b"
    zpy("build", "-b", BOARD, "-d", build, app).ok()
    assert "# CONFIG_EVENTS is not set" in (build / "zephyr/.config").read_text()
    term = console.terminal([*zpy_command(), "build", "-d", str(build), "-t", "menuconfig"],
                            env=dict(os.environ, TERM="xterm"))
    try:
        term.expect_exact("Zephyr Kernel Configuration")
        term.send("/EVENTS\r")  # jump to the symbol (keys are read in order)
        term.expect_exact("Event objects")
        term.send(" S")  # turn it on, save
        term.expect_exact("Filename to save")
        term.send("\r")
        term.expect_exact("Configuration saved to")
        term.send("\rQ")  # dismiss, quit: the rebuild follows
        term.expect(pexpect.EOF)
        text = (term.before or b"").decode(errors="replace")
    finally:
        term.close(force=True)
    assert term.exitstatus == 0, text[-2000:]
    assert "-- Kconfig fragments unchanged: using the existing .config" in text
    assert "CONFIG_EVENTS=y\n" in (build / "zephyr/.config").read_text()
    autoconf = (build / "zephyr/include/generated/zephyr/autoconf.h").read_text()
    assert "#define CONFIG_EVENTS 1\n" in autoconf
    assert zpy("build", "-d", build).ok().stdout.endswith("is up to date: no work to do.\n")


def test_pcie_device_without_ids_is_warned_about(tmp_path: Path) -> None:
    overlay = ("/ {\n\tivshmem {\n\t\tivshmem0: ivshmem {\n"
               "\t\t\tcompatible = \"qemu,ivshmem\";\n\t\t\tstatus = \"okay\";\n"
               "\t\t};\n\t};\n};\n")
    app = write_app(tmp_path / "app", {"app.overlay": overlay},
                    prj="CONFIG_PCIE=y\nCONFIG_VIRTUALIZATION=y\nCONFIG_IVSHMEM=y\n")
    done = zpy("build", "-b", BOARD, "-d", tmp_path / "b", app).ok()
    assert (f"{app / 'app.overlay'}:3: warning: /ivshmem/ivshmem (qemu,ivshmem) has no "
            "vendor-id or device-id: it matches the first PCI function found") in done.stderr



def test_compile_definitions_from_the_command_line(tmp_path: Path) -> None:
    """-DKIND=TWO is a CMake variable; the CMakeLists makes it a compile definition, which
    image.json records with its line and main.py reads; a name it does not define fails
    at that line."""
    app = shutil.copytree(Path(__file__).parent / "apps/definitions", tmp_path / "app")
    build = tmp_path / "b"
    done = zpy("build", "-b", BOARD, "-d", build, "-t", "run", app, "--", "-DKIND=TWO").ok()
    assert done.stdout.endswith("kind 2 header 20\n")
    assert "not used by the project" not in done.stderr
    image = json.loads((build / "zephyr/image.json").read_text())
    assert image["compile_definitions"] == {"app": [
        {"name": "KIND", "value": "TWO", "file": str(app / "CMakeLists.txt"), "line": 7}]}
    default = zpy("build", "-b", BOARD, "-d", tmp_path / "b2", "-t", "run", app).ok()
    assert default.stdout.endswith("kind 1 header 0\n")

    zpy("build", "-b", BOARD, "-d", build, app, "--", "-DKIND=THREE").ok()
    run = zpy("run", "-d", build)
    assert run.failed() == (
        f"{app}/CMakeLists.txt:7: error: compile definition KIND=THREE: main.py:8 reads it, but "
        "THREE is defined neither in main.py above that line nor by a compile definition")

    cmake = app / "CMakeLists.txt"
    cmake.write_text(cmake.read_text() + "add_compile_definitions(9LIVES)\n")
    assert zpy("build", "-b", BOARD, "-d", build, app).failed() == (
        f"{cmake}:9: error: add_compile_definitions(): invalid compile definition '9LIVES': "
        "macro names must be identifiers")
