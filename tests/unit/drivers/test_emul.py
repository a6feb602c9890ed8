"""The emulator framework's edges: interrupt lines through the I/O APIC, link errors, misuse,
and the Kconfig of GPIO, I2C and EMUL. Real builds of a small app, run in this process with
a tester thread (zpy.twister.inprocess); the GPIO and I2C APIs themselves are tested by the
ztest suites under tests/drivers/gpio and tests/drivers/i2c."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.unit.build.conftest import do_build, write_app
from zpy import errno
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_IRQN, DT_NODELABEL
from zpy.drivers.emul import (
    EMUL_DT_DEFINE,
    EMUL_DT_GET,
    emul_get_binding,
    emul_irq_pulse,
    emul_irq_set,
)
from zpy.drivers.gpio.gpio_emul import gpio_emul_input_set
from zpy.drivers.i2c import i2c_read, i2c_write
from zpy.errors import LinkError, MachineError
from zpy.hw.machine import Machine
from zpy.kernel import irq_connect_dynamic, irq_disable, irq_enable, k_is_in_isr
from zpy.twister.inprocess import InProcessImage

BINDINGS = {
    "dts/bindings/zpy,irq-test.yaml": """\
        description: A device with interrupts and no hardware (its emulator raises them).
        compatible: "zpy,irq-test"
        include: base.yaml
        """,
    "dts/bindings/zpy,irq-test-ctrl.yaml": """\
        description: An interrupt controller that is not the I/O APIC.
        compatible: "zpy,irq-test-ctrl"
        include: base.yaml
        properties:
          interrupt-controller:
            type: boolean
          "#interrupt-cells":
            type: int
        interrupt-cells: [irq]
        """,
}

OVERLAY = """\
#include <zephyr/dt-bindings/gpio/gpio.h>
#include <zephyr/dt-bindings/interrupt-controller/intel-ioapic.h>

/ {
	wired: wired {
		compatible = "zpy,irq-test";
		interrupts = <7 IRQ_TYPE_LOWEST_EDGE_RISING 2>;
		interrupt-parent = <&intc>;
	};

	unwired: unwired {
		compatible = "zpy,irq-test";
	};

	ctrl: ctrl {
		compatible = "zpy,irq-test-ctrl";
		interrupt-controller;
		#interrupt-cells = <1>;
	};

	elsewhere: elsewhere {
		compatible = "zpy,irq-test";
		interrupts = <3>;
		interrupt-parent = <&ctrl>;
	};

	gpio0: gpio_emul {
		compatible = "zephyr,gpio-emul";
		rising-edge;
		gpio-controller;
		#gpio-cells = <2>;
	};

	i2c0: i2c@100 {
		compatible = "zephyr,i2c-emul-controller";
		#address-cells = <1>;
		#size-cells = <0>;
		reg = <0x100 4>;
	};
};
"""

DEVICES = """\
from zpy.device import DEVICE_DT_DEFINE
from zpy.devicetree import DT_FOREACH_STATUS_OKAY
from zpy.init import POST_KERNEL

DT_FOREACH_STATUS_OKAY("zpy,irq-test", lambda node: DEVICE_DT_DEFINE(
    node, None, None, None, None, POST_KERNEL, 90, None))
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("emul")
    return write_app(root / "app", {**BINDINGS, "app.overlay": OVERLAY, "src/devices.py": DEVICES},
                     prj="CONFIG_GPIO=y\nCONFIG_I2C=y\nCONFIG_EMUL=y\n",
                     main="def main():\n    return 0\n")


@pytest.fixture(scope="module")
def built(app: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return do_build(app, tmp_path_factory.mktemp("b") / "build").build_dir


def run_in_image(build_dir: Path, tester) -> None:  # type: ignore[no-untyped-def]
    image = InProcessImage(build_dir)
    try:
        image.run(tester)
    finally:
        image.close()


def test_an_emulator_raises_its_devices_interrupt_through_the_ioapic(built):
    seen = {}

    def tester():
        wired = DEVICE_DT_GET(DT_NODELABEL("wired"))
        isr_calls = []
        irq = DT_IRQN(DT_NODELABEL("wired"))
        irq_connect_dynamic(irq, 2, lambda arg: isr_calls.append((arg, k_is_in_isr())), "wired", 0)
        seen["masked"] = (emul_irq_pulse(wired, 0), list(isr_calls))
        irq_enable(irq)
        seen["pulse"] = (emul_irq_pulse(wired, 0), list(isr_calls))
        isr_calls.clear()
        emul_irq_set(wired, 0, 1)
        emul_irq_set(wired, 0, 1)  # held high: an edge-triggered input interrupts once
        emul_irq_set(wired, 0, 0)
        emul_irq_set(wired, 0, 1)
        emul_irq_set(wired, 0, 0)
        seen["edges"] = len(isr_calls)
        irq_disable(irq)
        emul_irq_pulse(wired, 0)
        seen["disabled"] = len(isr_calls)

    run_in_image(built, tester)
    assert seen == {"masked": (0, []), "pulse": (0, [("wired", True)]), "edges": 2,
                    "disabled": 2}


def test_interrupt_lines_an_emulator_cannot_drive(built):
    seen = {}

    def tester():
        seen["no interrupts"] = emul_irq_set(DEVICE_DT_GET(DT_NODELABEL("unwired")), 0, 1)
        seen["no interrupt 1"] = emul_irq_pulse(DEVICE_DT_GET(DT_NODELABEL("wired")), 1)
        seen["not the I/O APIC"] = emul_irq_pulse(DEVICE_DT_GET(DT_NODELABEL("elsewhere")), 0)

    run_in_image(built, tester)
    assert seen == {"no interrupts": -errno.EINVAL, "no interrupt 1": -errno.EINVAL,
                    "not the I/O APIC": -errno.ENOTSUP}


def test_emulator_link_errors(built):
    def missing():
        EMUL_DT_GET(DT_NODELABEL("wired"))

    with pytest.raises(LinkError, match=r"^undefined reference to `__emulreg_DT_N_S_wired' "
                                        r"\(node /wired: no emulator defines one; is the "
                                        r"emulator's Kconfig option on\?\)$"):
        run_in_image(built, missing)

    def twice():
        node = DT_NODELABEL("wired")
        EMUL_DT_DEFINE(node, None, None, None, None, None)
        assert emul_get_binding("wired") is EMUL_DT_GET(node)
        EMUL_DT_DEFINE(node, None, None, None, None, None)

    with pytest.raises(LinkError, match=r"^multiple definition of `__emulreg_DT_N_S_wired' "
                                        r"\(a second EMUL_DT_DEFINE for /wired\)$"):
        run_in_image(built, twice)


def test_emul_calls_need_config_emul(app, tmp_path):
    build_dir = do_build(app, tmp_path / "b", ["-DCONFIG_EMUL=n"]).build_dir
    config = (build_dir / "zephyr/.config").read_text()
    assert "# CONFIG_EMUL is not set\n" in config and "CONFIG_I2C_EMUL" not in config

    with pytest.raises(LinkError, match=r"^undefined reference to `emul_get_binding' "
                                        r"\(enable CONFIG_EMUL\)$"):
        run_in_image(build_dir, lambda: emul_get_binding("wired"))


def test_misuse_that_c_would_not_survive(built):
    def emul_call_on_a_uart():
        gpio_emul_input_set(DEVICE_DT_GET(DT_NODELABEL("uart0")), 0, 1)

    with pytest.raises(TypeError, match=r"^gpio_emul_input_set_masked: 'uart@3f8' is not an "
                                        r"emulated GPIO controller"):
        run_in_image(built, emul_call_on_a_uart)

    def read_into_bytes():
        i2c_read(DEVICE_DT_GET(DT_NODELABEL("i2c0")), b"\0\0", 2, 0x50)

    with pytest.raises(TypeError, match="a read message needs a writable buffer"):
        run_in_image(built, read_into_bytes)

    def write_past_the_buffer():
        i2c_write(DEVICE_DT_GET(DT_NODELABEL("i2c0")), b"\0", 4, 0x50)

    with pytest.raises(ValueError, match="a message of len 4 on a buffer of 1 bytes"):
        run_in_image(built, write_past_the_buffer)


def test_kconfig_defaults_and_dependencies_are_zephyrs(built, app, tmp_path):
    config = (built / "zephyr/.config").read_text()
    for line in ("CONFIG_GPIO_EMUL=y", "CONFIG_GPIO_INIT_PRIORITY=40", "CONFIG_I2C_EMUL=y",
                 "CONFIG_I2C_INIT_PRIORITY=50", "CONFIG_EMUL_INIT_PRIORITY=60"):
        assert line + "\n" in config
    bare = write_app(tmp_path / "bare", prj="CONFIG_GPIO=y\nCONFIG_I2C=y\nCONFIG_EMUL=y\n")
    config = do_build(bare, tmp_path / "b").config()
    assert "CONFIG_GPIO=y\n" in config
    assert "CONFIG_GPIO_EMUL" not in config and "CONFIG_I2C_EMUL" not in config  # no nodes


def test_machine_interrupt_lines_are_io_apic_inputs():
    machine = Machine("qemu_x86_64", console_out=io.BytesIO())
    taken: list[int] = []
    machine.cpu.interrupt_entry = taken.append
    try:
        machine.route_irq(9, 0x40, level=False)
        machine.set_irq_line(9, True)
        assert taken == []  # masked until the driver enables it
        machine.set_irq_line(9, False)
        machine.set_irq_masked(9, False)
        machine.set_irq_line(9, True)
        machine.set_irq_line(9, False)
        assert taken == [0x40]
        with pytest.raises(MachineError, match="interrupt line 24: the I/O APIC has inputs 0 "
                                               "to 23"):
            machine.set_irq_line(24, True)
    finally:
        machine.close()
