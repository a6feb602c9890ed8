"""Watch the LED of samples/basic/blinky through the emulated GPIO controller.

The twister pytest harness runs this with the scenario's build (--build-dir);
the `image` fixture links that build in this process, and watch() runs as a
thread of the image: it reads the LED's output pin (gpio_emul_output_get)
half-way through each of the sample's one-second sleeps, in virtual time.
"""

from zpy.devicetree import DT_ALIAS
from zpy.drivers.gpio import GPIO_DT_SPEC_GET
from zpy.drivers.gpio.gpio_emul import gpio_emul_output_get
from zpy.kernel import k_msleep


def test_led_blinks_every_second(image):
    levels = []

    def watch():
        led = GPIO_DT_SPEC_GET(DT_ALIAS("led0"), "gpios")
        image.wait_console("LED state: OFF")
        k_msleep(500)
        for _ in range(4):
            levels.append(gpio_emul_output_get(led.port, led.pin))
            k_msleep(1000)

    assert image.run(watch) == 0
    # configured active (on), then toggled off before the first line, on, off, ...
    assert levels == [0, 1, 0, 1]
    states = [line for line in image.console_text().splitlines() if line.startswith("LED")]
    assert states[:4] == ["LED state: OFF", "LED state: ON", "LED state: OFF", "LED state: ON"]
