"""An image: what a build leaves in its folder for `zpy run` to boot.

The build front end (zpy.build) writes these files and the runtime reads them
back; the kernel uses the devicetree model. Neither side owns them:

- manifest: image.json, the modules linked into the image;
- dotconfig: the image's .config (Kconfig values);
- dtmodel: the devicetree as plain data (devicetree_generated.json);
- outputs: reading any of them back as checked data, with one error naming the
  broken file and the pristine rebuild that mends it.
"""

from pathlib import Path

#: Where the devicetree model and the image manifest live in a build folder: named here,
#: where importing them costs nothing (a no-op rebuild checks that they exist, no more).
DEVICETREE_JSON = Path("zephyr/include/generated/zephyr/devicetree_generated.json")
IMAGE_JSON = Path("zephyr/image.json")
