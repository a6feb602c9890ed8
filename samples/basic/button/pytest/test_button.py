"""Press the button of samples/basic/button through the emulated GPIO controller.

The twister pytest harness runs this with the scenario's build (--build-dir);
the `image` fixture links that build in this process, and press() runs as a
thread of the image: it waits for the sample to ask for a press, drives the
button's input pin with gpio_emul_input_set (the controller raises its
interrupt, the sample's callback runs in the ISR), and reads the LED's
output pin, which the sample's loop makes follow the button.
"""

from zpy.devicetree import DT_ALIAS
from zpy.drivers.gpio import GPIO_DT_SPEC_GET, gpio_add_callback, gpio_callback, gpio_init_callback
from zpy.drivers.gpio.gpio_emul import gpio_emul_input_set, gpio_emul_output_get
from zpy.kernel import BIT, k_is_in_isr, k_msleep


def led_after_loop(led, want: int) -> int:  # type: ignore[no-untyped-def]
    """The LED once the sample's loop (a poll of the button every millisecond) had the
    chance to follow: on two CPUs it may run a tick after us, so give it a few."""
    value = -1
    for _ in range(10):
        k_msleep(5)
        value = gpio_emul_output_get(led.port, led.pin)
        if value == want:
            break
    return value


def test_press_and_release(image):
    seen = {}

    def press():
        button = GPIO_DT_SPEC_GET(DT_ALIAS("sw0"), "gpios")
        led = GPIO_DT_SPEC_GET(DT_ALIAS("led0"), "gpios")
        image.wait_console("Press the button")
        in_isr = []
        probe = gpio_callback()
        gpio_init_callback(probe, lambda port, cb, pins: in_isr.append(k_is_in_isr()),
                           BIT(button.pin))
        gpio_add_callback(button.port, probe)
        seen["led before"] = gpio_emul_output_get(led.port, led.pin)
        seen["press"] = gpio_emul_input_set(button.port, button.pin, 1)
        seen["led pressed"] = led_after_loop(led, 1)
        seen["release"] = gpio_emul_input_set(button.port, button.pin, 0)
        seen["led released"] = led_after_loop(led, 0)
        seen["callbacks in ISR"] = in_isr

    assert image.run(press) == 0
    assert seen == {"led before": 0, "press": 0, "led pressed": 1, "release": 0,
                    "led released": 0, "callbacks in ISR": [True]}
    lines = image.console_text().splitlines()
    assert lines[1:4] == ["Set up button at gpio_emul pin 1", "Set up LED at gpio_emul pin 0",
                          "Press the button"]
    assert [line for line in lines if line.startswith("Button pressed at ")] == lines[4:5]
