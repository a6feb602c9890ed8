"""Which file drives a compatible, and the CMakeLists conditions that put it in an image."""

from __future__ import annotations

from pathlib import Path

from zpy.build.sources import Condition
from zpy.explain.drivers import driver_sources, drivers_for, drv_compat, dt_drv_compat

from .conftest import FIXTURES


def test_drv_compat_spelling() -> None:
    assert drv_compat("qemu,ivshmem") == "qemu_ivshmem"
    assert drv_compat("Vnd,Dev-2.0") == "vnd_dev_2_0"


def test_only_a_top_level_string_assignment_counts(tmp_path: Path) -> None:
    src = tmp_path / "x.py"
    src.write_text('def f():\n    DT_DRV_COMPAT = "inner"\n\nDT_DRV_COMPAT = "vnd_x"\n')
    assert dt_drv_compat(src) == ("vnd_x", 4)
    src.write_text("DT_DRV_COMPAT = NAME\n")
    assert dt_drv_compat(src) is None
    src.write_text("def broken(:\n")
    assert dt_drv_compat(src) is None


def test_zpy_and_app_sources_with_their_conditions(tmp_path: Path) -> None:
    base = FIXTURES / "base"
    app_driver = tmp_path / "main.py"
    app_driver.write_text('DT_DRV_COMPAT = "vnd_app_thing"\n')
    sources = driver_sources(base, [app_driver, base / "drivers/sensor/explain_bus.py"])
    found = {(s.path.name, s.compat, s.lineno, s.conditions) for s in sources}
    folder = (base / "drivers/sensor").resolve()
    assert found == {
        ("explain_bus.py", "zpy_explain_bus", 8,
         (Condition("CONFIG_EXPLAIN_SENSORS", (base / "drivers").resolve() / "CMakeLists.txt",
                    1),)),
        ("explain_sensor.py", "zpy_explain_sensor", 12,
         (Condition("CONFIG_EXPLAIN_SENSORS", (base / "drivers").resolve() / "CMakeLists.txt",
                    1),
          Condition("CONFIG_EXPLAIN_SENSOR", folder / "CMakeLists.txt", 3))),
        ("main.py", "vnd_app_thing", 1, ()),
    }
    assert [s.path.name for s in drivers_for(["zpy,explain-sensor", "zpy,explain-bus"],
                                             sources)] == ["explain_sensor.py", "explain_bus.py"]
