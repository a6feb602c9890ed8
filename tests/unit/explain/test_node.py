"""zpy explain for devicetree nodes: compatible, binding, status, driver, device, init,
requirements and, after a run, readiness (golden text).

The nodes app (fixtures/nodes) puts two sensor buses with sensors under the board's root;
its ZEPHYR_BASE (fixtures/base) has a bus driver and a sensor driver built in by
CONFIG_EXPLAIN_SENSOR. Ordinals come from the board's devicetree, so the text takes them
from the build rather than spelling them out.
"""

from __future__ import annotations

import json
import shutil

import pytest

from zpy.build.paths import BuildPaths
from zpy.explain import explain
from zpy.explain.devices import RELPATH, DeviceTable
from zpy.image.dtmodel import DeviceTree

from .conftest import Built, explained


def ordinals(built: Built) -> dict[str, int]:
    dt = DeviceTree.load(BuildPaths(built.build_dir).devicetree_json)
    return {label: node.ord for label, node in dt.label2node.items()}


def test_ready(nodes_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(nodes_build, "sensor0", monkeypatch) == """\
/explain-bus-a/sensor-a (sensor0)
  compatible:  "zpy,explain-sensor"
  binding:     app/dts/bindings/zpy,explain-sensor.yaml
  defined at:  app/app.overlay:5
  status:      okay
  driver:      base/drivers/sensor/explain_sensor.py:12 (DT_DRV_COMPAT "zpy_explain_sensor"), in the image
  device:      "sensor-a", defined at base/drivers/sensor/explain_sensor.py:35
  init:        explain_sensor_init() at base/drivers/sensor/explain_sensor.py:22, POST_KERNEL, priority 60
  requires:    /explain-bus-a (ord {bus0}): device "explain-bus-a", ready
  state:       ready, at the end of the last zpy run
""".format(**ordinals(nodes_build))


def test_init_failed_with_the_drivers_log_line(nodes_build: Built,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(nodes_build, "/explain-bus-a/sensor-b", monkeypatch) == """\
/explain-bus-a/sensor-b (sensor1)
  compatible:  "zpy,explain-sensor"
  binding:     app/dts/bindings/zpy,explain-sensor.yaml
  defined at:  app/app.overlay:9
  status:      okay
  driver:      base/drivers/sensor/explain_sensor.py:12 (DT_DRV_COMPAT "zpy_explain_sensor"), in the image
  device:      "sensor-b", defined at base/drivers/sensor/explain_sensor.py:35
  init:        explain_sensor_init() at base/drivers/sensor/explain_sensor.py:22, POST_KERNEL, priority 60
  requires:    /explain-bus-a (ord {bus0}): device "explain-bus-a", ready
  state:       not ready, at the end of the last zpy run: init returned -EIO (-5)
               the driver logged: <err> explain_sensor: sensor-b: no answer
""".format(**ordinals(nodes_build))


def test_status_disabled(nodes_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(nodes_build, "&sensor2", monkeypatch) == """\
/explain-bus-a/sensor-c (sensor2)
  compatible:  "zpy,explain-sensor"
  binding:     app/dts/bindings/zpy,explain-sensor.yaml
  defined at:  app/app.overlay:14
  status:      disabled, at app/app.overlay:16
  driver:      base/drivers/sensor/explain_sensor.py:12 (DT_DRV_COMPAT "zpy_explain_sensor"), in the image
  device:      none: status is "disabled", and drivers define devices for okay nodes only
  requires:    /explain-bus-a (ord {bus0}): device "explain-bus-a", ready
""".format(**ordinals(nodes_build))


def test_a_required_device_not_ready(nodes_build: Built,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(nodes_build, "sensor3", monkeypatch) == """\
/explain-bus-b/sensor-d (sensor3)
  compatible:  "zpy,explain-sensor"
  binding:     app/dts/bindings/zpy,explain-sensor.yaml
  defined at:  app/app.overlay:24
  status:      okay
  driver:      base/drivers/sensor/explain_sensor.py:12 (DT_DRV_COMPAT "zpy_explain_sensor"), in the image
  device:      "sensor-d", defined at base/drivers/sensor/explain_sensor.py:35
  init:        explain_sensor_init() at base/drivers/sensor/explain_sensor.py:22, POST_KERNEL, priority 60
  requires:    /explain-bus-b (ord {bus1}): device "explain-bus-b", init returned -ENODEV (-19)
  state:       not ready, at the end of the last zpy run: init returned -ENODEV (-19)
               it requires explain-bus-b (/explain-bus-b), which is not ready
               the driver logged: <err> explain_sensor: sensor-d: bus explain-bus-b is not ready
""".format(**ordinals(nodes_build))
    # the bus itself failed without a word
    text = explained(nodes_build, "bus1", monkeypatch)
    assert "  state:       not ready, at the end of the last zpy run: init returned -ENODEV " \
        "(-19)\n" in text and "logged" not in text


def test_no_driver_because_its_kconfig_symbol_is_off(nodes_without_driver: Built,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(nodes_without_driver, "sensor0", monkeypatch) == """\
/explain-bus-a/sensor-a (sensor0)
  compatible:  "zpy,explain-sensor"
  binding:     app/dts/bindings/zpy,explain-sensor.yaml
  defined at:  app/app.overlay:5
  status:      okay
  driver:      base/drivers/sensor/explain_sensor.py:12 (DT_DRV_COMPAT "zpy_explain_sensor"),
               not in the image: CONFIG_EXPLAIN_SENSOR=n (base/drivers/sensor/CMakeLists.txt:3)
  device:      none: no driver in the image defines one for this node
  requires:    /explain-bus-a (ord {bus0}): device "explain-bus-a", not run

  CONFIG_EXPLAIN_SENSOR=n
    type:        bool
    defined at:  app/Kconfig:12 "The explain test sensor"
    wanted:      y, to put base/drivers/sensor/explain_sensor.py in the image
    value from:  its dependencies are not met, so it is n
    unmet:       depends on EXPLAIN_BUS_POWER (=n), at app/Kconfig:16
                   EXPLAIN_BUS_POWER=n, defined at app/Kconfig:9
    smallest change, checked with kconfiglib (gives CONFIG_EXPLAIN_SENSOR=y):
      -DCONFIG_EXPLAIN_BUS_POWER=n -> -DCONFIG_EXPLAIN_BUS_POWER=y (on the zpy build command line)
""".format(**ordinals(nodes_without_driver))


def test_before_a_run_the_image_is_linked(nodes_without_driver: Built,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert explained(nodes_without_driver, "bus0", monkeypatch).endswith("""\
  device:      "explain-bus-a", defined at base/drivers/sensor/explain_bus.py:16
  init:        explain_bus_init() at base/drivers/sensor/explain_bus.py:11, PRE_KERNEL_2, priority 50
  requires:    / (ord 0): no device
  state:       not run yet: zpy run records it in the build folder
""")
    assert not (nodes_without_driver.build_dir / RELPATH).exists()  # explain wrote nothing


def test_the_records_of_another_build_are_not_used(nodes_build: Built, tmp_path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    other = Built(nodes_build.root, tmp_path / "copy", [])
    shutil.copytree(nodes_build.build_dir, other.build_dir)
    config = other.build_dir / "zephyr/.config"
    config.write_text(config.read_text() + "# edited\n")
    text = explained(other, "sensor1", monkeypatch)
    assert "  state:       not run yet: zpy run records it in the build folder\n" in text
    assert "  note:        the last zpy run was of an earlier build of this folder: its device " \
        "states are not shown\n" in text


def test_the_run_record(nodes_build: Built) -> None:
    table = DeviceTable.load(nodes_build.build_dir / RELPATH)
    assert table is not None and table.booted
    mine = {r.node: (r.name, r.level, r.priority, r.ready, r.why, r.log)
            for r in table.devices if r.node and "explain" in r.node}
    assert mine == {
        "/explain-bus-a": ("explain-bus-a", "PRE_KERNEL_2", 50, True, "ready", []),
        "/explain-bus-b": ("explain-bus-b", "PRE_KERNEL_2", 50, False,
                           "init returned -ENODEV (-19)", []),
        "/explain-bus-a/sensor-a": ("sensor-a", "POST_KERNEL", 60, True, "ready", []),
        "/explain-bus-a/sensor-b": ("sensor-b", "POST_KERNEL", 60, False,
                                    "init returned -EIO (-5)",
                                    ["<err> explain_sensor: sensor-b: no answer"]),
        "/explain-bus-b/sensor-d": (
            "sensor-d", "POST_KERNEL", 60, False,
            "init returned -ENODEV (-19); it requires explain-bus-b (/explain-bus-b), which is "
            "not ready", ["<err> explain_sensor: sensor-d: bus explain-bus-b is not ready"]),
        "/explain-bus-a/sensor-c": (None, None, None, False, 'no device: status "disabled"',
                                    []),
    }
    # devices first, in init order; then the nodes that got none
    names = [r.name for r in table.devices]
    assert names.index("explain-bus-a") < names.index("sensor-a") < names.index(None)


def test_json(nodes_build: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(nodes_build.root)
    d = json.loads(json.dumps(explain(nodes_build.build_dir, "sensor1").to_json()))
    assert (d["kind"], d["path"], d["labels"], d["status"], d["states_from"]) == (
        "node", "/explain-bus-a/sensor-b", ["sensor1"], "okay", "run")
    assert (d["device"]["init"], d["device"]["init_res"], d["device"]["why"]) == (
        "explain_sensor_init", 5, "init returned -EIO (-5)")
    assert [(x["compat"], x["in_image"], [c["symbol"] for c in x["conditions"]])
            for x in d["drivers"]] == [
        ("zpy_explain_sensor", True, ["CONFIG_EXPLAIN_SENSORS", "CONFIG_EXPLAIN_SENSOR"])]
