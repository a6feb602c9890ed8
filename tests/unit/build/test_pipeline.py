"""The whole build as a library call: outputs, incremental rules, pristine, threads."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.build.conftest import IVSHMEM_OVERLAY, Built, do_build
from zpy.build import build
from zpy.errors import BuildError
from zpy.image.dotconfig import load_dotconfig
from zpy.image.manifest import ImageManifest

OUTPUTS = [
    "zephyr/.config",
    "zephyr/include/generated/zephyr/autoconf.h",
    "zephyr/include/generated/zephyr/devicetree_generated.json",
    "zephyr/zephyr.dts",
    "zephyr/edt.pickle",
    "zephyr/image.json",
    "zephyr/build_info.json",
    "zephyr/misc/generated/extra_kconfig_options.conf",
    "Kconfig/Kconfig.dts",
    "Kconfig/Kconfig.modules",
]


def test_fresh_build(make_app: Callable[..., Path], tmp_path: Path, base: Path) -> None:
    app = make_app({"src/helper.py": "X = 1\n", "src/aaa.py": ""})
    built = do_build(app, tmp_path / "b")
    for rel in OUTPUTS:
        assert (tmp_path / "b" / rel).is_file(), rel
    assert not built.result.up_to_date and built.warnings == []
    assert built.out[0] == f"-- Application: {app}"
    assert built.out[-1].startswith("[") and "Linking image" in built.out[-1]
    m = ImageManifest.load(tmp_path / "b/zephyr/image.json")
    assert (m.board, m.app_dir, m.zephyr_base) == ("qemu_x86_64", str(app), str(base))
    assert m.board_dir == str(base / "boards/qemu_x86_64")
    assert [s.name for s in m.app_sources] == ["main", "aaa", "helper"]
    assert m == built.result.manifest


def test_noop_and_rebuild_on_change(make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app()
    do_build(app, tmp_path / "b")
    again = do_build(app, tmp_path / "b")
    assert again.result.up_to_date
    assert again.out == [f"-- {tmp_path / 'b'} is up to date: no work to do."]

    (app / "prj.conf").write_text("CONFIG_POLL=y\n")
    changed = do_build(app, tmp_path / "b")
    assert not changed.result.up_to_date and "CONFIG_POLL=y\n" in changed.config()
    assert do_build(app, tmp_path / "b").result.up_to_date

    (app / "app.overlay").write_text(IVSHMEM_OVERLAY)  # an optional file appears
    assert "CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED=y\n" in do_build(app, tmp_path / "b").config()

    (app / "src/new.py").write_text("")  # a new source file
    rebuilt = do_build(app, tmp_path / "b")
    assert [s.name for s in rebuilt.result.manifest.app_sources] == ["main", "new"]

    (tmp_path / "b/zephyr/zephyr.dts").unlink()  # an output is gone
    assert not do_build(app, tmp_path / "b").result.up_to_date


APP_CMAKE = """\
cmake_minimum_required(VERSION 3.20.0)
find_package(Zephyr REQUIRED HINTS $ENV{ZEPHYR_BASE})
project(app)
FILE(GLOB app_sources src/*.c)
target_sources(app PRIVATE ${app_sources})
"""


def test_rebuilds_when_cmakelists_a_glob_or_a_module_change(make_app: Callable[..., Path],
                                                            tmp_path: Path) -> None:
    module = tmp_path / "mod"
    for rel, text in {"zephyr/module.yml": "build:\n  cmake: .\n  kconfig: Kconfig\n",
                      "CMakeLists.txt": "zephyr_library_sources_ifdef(CONFIG_MOD_DRV drv.c)\n",
                      "Kconfig": 'config MOD_DRV\n\tbool "the module\'s driver"\n',
                      "drv.py": ""}.items():
        (module / rel).parent.mkdir(parents=True, exist_ok=True)
        (module / rel).write_text(text)
    app = make_app({"CMakeLists.txt": APP_CMAKE}, prj="CONFIG_MOD_DRV=y\n")
    b = tmp_path / "b"
    first = do_build(app, b, [f"-DZEPHYR_EXTRA_MODULES={module}"])
    assert [m.name for m in first.result.manifest.module_sources] == ["drv"]
    assert first.out[3] == f"-- Including module: mod in path: {module}"
    assert do_build(app, b).result.up_to_date

    (app / "src/more.py").write_text("")  # a new file where a file(GLOB) looks
    assert [m.name for m in do_build(app, b).result.manifest.app_sources] == ["main", "more"]
    assert do_build(app, b).result.up_to_date

    for path, text in [(module / "Kconfig", 'config MOD_DRV\n\tbool "renamed"\n'),
                       (module / "CMakeLists.txt", "zephyr_library_sources(drv.c)\n"),
                       (module / "zephyr/module.yml", "name: renamed\nbuild:\n  cmake: .\n"),
                       (app / "CMakeLists.txt", APP_CMAKE.replace("*.c", "main.c"))]:
        path.write_text(text)
        rebuilt = do_build(app, b)
        assert not rebuilt.result.up_to_date, path
    assert [m.name for m in rebuilt.result.manifest.app_sources] == ["main"]
    assert rebuilt.result.manifest.zephyr_modules == [{"name": "renamed", "path": str(module)}]


def test_an_edit_of_the_sources_alone_links_again(make_app: Callable[..., Path],
                                                  tmp_path: Path) -> None:
    """src/*.py is the image's link input only: editing, adding or removing a source checks
    and links the sources again and leaves the devicetree and the Kconfig outputs as they
    are; a broken source fails as in a full build, until it is fixed."""
    app = make_app({"src/helper.py": "X = 1\n"})
    b = tmp_path / "b"
    linked = do_build(app, b).out[-1]
    assert linked.endswith(f"Linking image: 3 modules (1 zpy, 2 app) -> {b}/zephyr/image.json")
    outputs = {rel: (b / rel).stat().st_mtime_ns for rel in OUTPUTS
               if rel not in ("zephyr/image.json", "zephyr/build_info.json")}

    (app / "src/helper.py").write_text("X = 2\n")
    edited = do_build(app, b)
    assert not edited.result.up_to_date and edited.out == [linked]
    assert do_build(app, b).result.up_to_date

    (app / "src/main.py").write_text("def main(:\n")
    with pytest.raises(BuildError) as e:
        do_build(app, b)
    assert e.value.filename == str(app / "src/main.py")
    with pytest.raises(BuildError):  # still broken: still refused
        do_build(app, b)
    (app / "src/main.py").write_text("def main():\n    return 0\n")
    assert do_build(app, b).out == [linked]

    (app / "src/more.py").write_text("")
    added = do_build(app, b)
    assert [m.name for m in added.result.manifest.app_sources] == ["main", "helper", "more"]
    (app / "src/helper.py").unlink()
    removed = do_build(app, b)
    assert [m.name for m in removed.result.manifest.app_sources] == ["main", "more"]
    assert str(app / "src/helper.py") not in json.loads(
        (b / "zephyr/build_info.json").read_text())["files"]
    assert do_build(app, b).result.up_to_date
    assert {rel: (b / rel).stat().st_mtime_ns for rel in outputs} == outputs

    (app / "src/more.py").write_text("")  # with a Kconfig change: a full build
    (app / "prj.conf").write_text("CONFIG_POLL=y\n")
    full = do_build(app, b)
    assert full.out[0] == f"-- Application: {app}" and "CONFIG_POLL=y\n" in full.config()


def test_noop_does_not_load_kconfiglib_or_edtlib(make_app: Callable[..., Path],
                                                 tmp_path: Path) -> None:
    import subprocess
    import sys

    app = make_app()
    do_build(app, tmp_path / "b")
    code = (
        "import sys\n"
        "from zpy.build import build\n"
        f"r = build({str(app)!r}, 'qemu_x86_64', {str(tmp_path / 'b')!r}, out=lambda s: None)\n"
        "assert r.up_to_date\n"
        "print(sorted(m for m in sys.modules if m in ('kconfiglib', 'devicetree.edtlib')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_noop_reads_no_input_and_a_touch_alone_does_not_rebuild(
        make_app: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A no-op compares stat() stamps and hashes nothing; a file whose stamp moved is hashed,
    and only a new hash rebuilds (its new stamp is kept, so it is not hashed again)."""
    from zpy.build import builddir

    app = make_app()
    b = tmp_path / "b"
    do_build(app, b)
    hashed: list[str] = []
    real_hash = builddir.file_hash

    def spy(path: Path) -> str | None:
        hashed.append(str(path))
        return real_hash(path)

    monkeypatch.setattr(builddir, "file_hash", spy)
    monkeypatch.setattr(builddir, "listing_hash", lambda folder: pytest.fail(f"listed {folder}"))
    assert do_build(app, b).result.up_to_date
    assert hashed == []

    prj = app / "prj.conf"
    os.utime(prj)  # touched: same content, newer stamp
    assert do_build(app, b).result.up_to_date
    assert hashed == [str(prj)]
    assert do_build(app, b).result.up_to_date
    assert hashed == [str(prj)]  # the renewed stamp was saved


def test_an_edit_that_keeps_size_and_mtime_still_rebuilds(
        make_app: Callable[..., Path], tmp_path: Path) -> None:
    """`cp -p` or a tool that restores mtime cannot hide an edit: the ctime moves."""
    app = make_app(prj="CONFIG_POLL=y\n")
    b = tmp_path / "b"
    do_build(app, b)
    prj = app / "prj.conf"
    st = prj.stat()
    prj.write_text("CONFIG_POLL=n\n")
    os.utime(prj, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert prj.stat().st_size == st.st_size and prj.stat().st_mtime_ns == st.st_mtime_ns
    rebuilt = do_build(app, b)
    assert not rebuilt.result.up_to_date and "# CONFIG_POLL is not set\n" in rebuilt.config()


def test_new_files_deep_in_a_watched_folder_and_a_folder_that_appears(
        make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app({"dts/bindings/vendor/a.yaml": "description: a\ncompatible: \"v,a\"\n"})
    b = tmp_path / "b"
    do_build(app, b)
    assert do_build(app, b).result.up_to_date
    (app / "dts/bindings/vendor/b.yaml").write_text("description: b\ncompatible: \"v,b\"\n")
    assert not do_build(app, b).result.up_to_date  # a new binding, two folders down
    assert do_build(app, b).result.up_to_date
    (app / "dts/bindings/vendor/b.yaml").unlink()
    assert not do_build(app, b).result.up_to_date


def test_menuconfig_edit_survives_a_rebuild(make_app: Callable[..., Path],
                                            tmp_path: Path) -> None:
    app = make_app(prj="CONFIG_POLL=y\n")
    b = tmp_path / "b"
    do_build(app, b)
    # What menuconfig does: save an edited .config in the build folder.
    dotconfig = b / "zephyr/.config"
    dotconfig.write_text(dotconfig.read_text().replace("# CONFIG_EVENTS is not set",
                                                       "CONFIG_EVENTS=y"))
    built = do_build(app, b)
    assert "-- Kconfig fragments unchanged: using the existing .config" in built.out
    assert "CONFIG_EVENTS=y\n" in built.config()
    assert "#define CONFIG_EVENTS 1\n" in (b / "zephyr/include/generated/zephyr/autoconf.h"
                                          ).read_text()
    assert do_build(app, b).result.up_to_date
    # A changed fragment starts again from the fragments, as Zephyr does.
    (app / "prj.conf").write_text("CONFIG_POLL=y\nCONFIG_ASSERT=y\n")
    built = do_build(app, b)
    assert "CONFIG_ASSERT=y\n" in built.config() and "CONFIG_EVENTS=y\n" not in built.config()


def test_options_are_remembered(make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app({"extra.conf": "CONFIG_EVENTS=y\n"})
    b = tmp_path / "b"
    first = do_build(app, b, ["-DCONFIG_POLL=y", "-DEXTRA_CONF_FILE=extra.conf"])
    assert (b / "zephyr/misc/generated/extra_kconfig_options.conf").read_text() == \
        "CONFIG_POLL=y\n"
    assert first.result.manifest.settings == {"CONFIG_POLL": "y",
                                              "EXTRA_CONF_FILE": "extra.conf"}
    config = load_dotconfig(b / "zephyr/.config")
    assert config["CONFIG_POLL"] == 1 and config["CONFIG_EVENTS"] == 1
    assert do_build(app, b).result.up_to_date  # no options: the remembered ones
    changed = do_build(app, b, ["-DCONFIG_EVENTS=n"])  # new options replace them
    config = load_dotconfig(b / "zephyr/.config")
    assert "CONFIG_POLL" not in config and "CONFIG_EVENTS" not in config
    assert changed.result.manifest.settings == {"CONFIG_EVENTS": "n"}


def test_cli_config_wins(make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app(prj="CONFIG_MAIN_STACK_SIZE=2048\n",
                   files={"boards/qemu_x86_64.conf": "CONFIG_MAIN_STACK_SIZE=3072\n"})
    built = do_build(app, tmp_path / "b")
    assert "CONFIG_MAIN_STACK_SIZE=3072\n" in built.config()
    built = do_build(app, tmp_path / "b", ["-DCONFIG_MAIN_STACK_SIZE=4096"])
    assert "CONFIG_MAIN_STACK_SIZE=4096\n" in built.config()
    assert any(line.startswith("Merged configuration") and "extra_kconfig_options.conf" in line
               for line in built.out)


def test_pristine(make_app: Callable[..., Path], tmp_path: Path) -> None:
    one, two = make_app(name="one"), make_app(name="two")
    b = tmp_path / "b"
    do_build(one, b)
    (b / "stray.txt").write_text("")
    with pytest.raises(BuildError, match="is for application .*/one, but source directory "
                                         ".*/two was specified"):
        do_build(two, b, pristine="never")
    built = do_build(two, b)  # auto: another app
    assert f"-- Making {b} pristine: it was built for app {one}" in built.out
    assert not (b / "stray.txt").exists()
    assert built.result.manifest.app_dir == str(two)
    (b / "stray.txt").write_text("")
    always = do_build(two, b, pristine="always")
    assert not always.result.up_to_date and not (b / "stray.txt").exists()


def test_pristine_refuses_a_foreign_folder(make_app: Callable[..., Path], tmp_path: Path) -> None:
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious/thesis.tex").write_text("")
    with pytest.raises(BuildError, match="refusing to make .* pristine"):
        do_build(make_app(), tmp_path / "precious", pristine="always")
    assert (tmp_path / "precious/thesis.tex").exists()


def test_defaults_from_the_build_folder(make_app: Callable[..., Path], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    do_build(app, tmp_path / "b")
    monkeypatch.delenv("BOARD", raising=False)
    out: list[str] = []
    result = build(None, None, tmp_path / "b", out=out.append)  # app and board remembered
    assert result.up_to_date and result.app_dir == app
    monkeypatch.chdir(app)
    with pytest.raises(BuildError, match="^no board given$"):
        build(None, None, tmp_path / "fresh", out=out.append)
    monkeypatch.setenv("BOARD", "qemu_x86_64")
    assert build(None, None, tmp_path / "fresh", out=out.append).app_dir == app


def test_unused_option_warning(make_app: Callable[..., Path], tmp_path: Path) -> None:
    built = do_build(make_app(), tmp_path / "b", ["-DWHATEVER=1"])
    assert built.warnings == [
        "warning: Manually-specified variables were not used by the project: WHATEVER"]


def test_ztest_apps_need_no_main(make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app(prj="CONFIG_ZTEST=y\n", main="from zpy.ztest import ZTEST\n")
    assert do_build(app, tmp_path / "b").result.manifest.app_sources[0].name == "main"


def test_app_board_and_bindings(make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app({
        "boards/my_board/my_board.dts": """\
            /dts-v1/;
            / {
                #address-cells = <1>;
                #size-cells = <1>;
                chosen { zephyr,console = &mydev; };
                mydev: my-dev@2000 { compatible = "vnd,my-dev"; reg = <0x2000 0x10>; };
            };
            """,
        "boards/my_board/my_board_defconfig": "CONFIG_POLL=y\n",
        "dts/bindings/vnd,my-dev.yaml": 'description: mine\ncompatible: "vnd,my-dev"\n'
                                        "include: base.yaml\n",
    })
    built = do_build(app, tmp_path / "b", board="my_board")
    config = built.config()
    assert 'CONFIG_BOARD="my_board"\n' in config and "CONFIG_POLL=y\n" in config
    assert "CONFIG_DT_HAS_VND_MY_DEV_ENABLED=y\n" in config
    assert "CONFIG_DT_HAS_NS16550_ENABLED" not in config
    assert built.result.manifest.board_dir == str(app / "boards/my_board")


def test_two_builds_in_threads(make_app: Callable[..., Path], tmp_path: Path) -> None:
    apps = [make_app({"app.overlay": IVSHMEM_OVERLAY}, prj="CONFIG_PCIE=y\n", name="a"),
            make_app({"Kconfig": 'source "Kconfig.zephyr"\nconfig APP_ONLY_B\n\tbool "b"\n'
                                 "\tdefault y\n"}, name="b")]
    results: dict[int, Built | BaseException] = {}
    before = dict(os.environ)

    def work(i: int) -> None:
        try:
            for n in range(3):
                results[i] = do_build(apps[i], tmp_path / f"build{i}", [f"-DCONFIG_MAIN_STACK_SIZE={1000 + i}"],
                                      pristine="always" if n else "auto")
        except BaseException as e:  # pragma: no cover - reported below
            results[i] = e

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = results[0], results[1]
    assert isinstance(a, Built) and isinstance(b, Built), results
    assert "CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED=y\n" in a.config()
    assert "CONFIG_APP_ONLY_B" not in a.config() and "CONFIG_MAIN_STACK_SIZE=1000\n" in a.config()
    assert "CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED" not in b.config()
    assert "CONFIG_APP_ONLY_B=y\n" in b.config() and "CONFIG_MAIN_STACK_SIZE=1001\n" in b.config()
    assert a.warnings == [] and b.warnings == []
    assert dict(os.environ) == before
    info = json.loads((tmp_path / "build1/zephyr/build_info.json").read_text())
    assert info["app"] == str(apps[1])


def test_zephyr_ivshmem_sample_inputs_build_unchanged(tmp_path: Path,
                                                      make_app: Callable[..., Path]) -> None:
    prj = """\
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
        """
    board_conf = "CONFIG_HEAP_MEM_POOL_SIZE=4096\nCONFIG_COMMON_LIBC_MALLOC_ARENA_SIZE=8192\n"
    app = make_app({"boards/qemu_x86_64.conf": board_conf,
                    "boards/qemu_x86_64.overlay": IVSHMEM_OVERLAY}, prj=prj)
    built = do_build(app, tmp_path / "b")
    assert built.warnings == []  # no unsatisfied dependency anywhere
    config = load_dotconfig(tmp_path / "b/zephyr/.config")
    for line in (prj + board_conf).split():
        name, value = line.split("=")
        assert config[name] == (1 if value == "y" else int(value)), name
    assert config["CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED"] == 1
