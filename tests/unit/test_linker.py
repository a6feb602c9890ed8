"""The image's namespace: the import forms the app's and the modules' sources use, and the
messages when a form is wrong or a file is not in the image."""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from zpy.linker import ImageNamespace

_ids = itertools.count(1)


@pytest.fixture
def namespaces() -> Iterator[list[ImageNamespace]]:
    made: list[ImageNamespace] = []
    yield made
    for ns in made:
        for name in ns.registered:
            sys.modules.pop(name, None)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def image(tmp_path: Path, namespaces: list[ImageNamespace], sources: dict[str, str],
          include_dirs: tuple[str, ...] = (), excluded: dict[str, str] | None = None
          ) -> ImageNamespace:
    """A namespace over files already written under tmp_path: name -> path relative to it."""
    ns = ImageNamespace(f"_zpy_test_image_{next(_ids)}",
                        {name: tmp_path / rel for name, rel in sources.items()},
                        [tmp_path / d for d in include_dirs],
                        [tmp_path / "app/src", tmp_path / "app", tmp_path / "mod"],
                        {str(tmp_path / k): v for k, v in (excluded or {}).items()})
    namespaces.append(ns)
    return ns


APP = {
    "app/src/main.py": """\
        import helper
        from helper import VALUE
        from .helper import VALUE as RELATIVE
        from . import helper as relative_module
        import json  # an ordinary import still works

        SEEN = (helper.VALUE, VALUE, RELATIVE, relative_module is helper, json.dumps(1))
        """,
    "app/src/helper.py": "RUNS = globals().get('RUNS', 0) + 1\nVALUE = 42\n",
}


def test_sources_of_src_import_each_other_as_in_a_script_folder(tmp_path, namespaces):
    write(tmp_path, APP)
    ns = image(tmp_path, namespaces, {"main": "app/src/main.py", "helper": "app/src/helper.py"})
    main = ns.load("main")
    assert main.SEEN == (42, 42, 42, True, "1")
    assert main.__name__ == f"{ns.package}.main"
    assert ns.load("helper") is sys.modules[f"{ns.package}.helper"]


def test_two_images_share_nothing(tmp_path, namespaces):
    write(tmp_path, APP)
    sources = {"main": "app/src/main.py", "helper": "app/src/helper.py"}
    a, b = image(tmp_path, namespaces, sources), image(tmp_path, namespaces, sources)
    helper_a, helper_b = a.load("main").helper, b.load("main").helper
    assert helper_a is not helper_b
    assert (helper_a.RUNS, helper_b.RUNS) == (1, 1)
    assert "helper" not in sys.modules


MODULE = {
    "mod/include/app/drivers/blink.py": "RUNS = []\nRUNS.append(1)\n\ndef api():\n    return 'api'\n",
    "mod/drivers/blink/common.py": "PERIOD = 10\n",
    "mod/drivers/blink/led.py": """\
        from app.drivers.blink import api, RUNS
        from . import common
        from .common import PERIOD

        STATE = (api(), common.PERIOD, PERIOD)
        """,
    "app/src/main.py": """\
        from app.drivers import blink
        import app.drivers.blink
        """,
}


def test_modules_sources_and_include_directories(tmp_path, namespaces):
    write(tmp_path, MODULE)
    ns = image(tmp_path, namespaces, {"drivers.blink.led": "mod/drivers/blink/led.py",
                                      "drivers.blink.common": "mod/drivers/blink/common.py",
                                      "main": "app/src/main.py"}, include_dirs=("mod/include",))
    led = ns.load("drivers.blink.led")
    assert led.STATE == ("api", 10, 10)
    main = ns.load("main")
    assert main.blink is main.app.drivers.blink is sys.modules[f"{ns.package}.app.drivers.blink"]
    assert main.blink.RUNS == [1]  # run once for the image, as a header's code is compiled once


def error(ns: ImageNamespace, name: str) -> str:
    with pytest.raises(ImportError) as e:
        ns.load(name)
    return str(e.value)


def test_a_file_beside_a_source_imports_as_a_header_would(tmp_path, namespaces):
    """No CMakeLists line names regs.py: it imports as `#include "regs.h"` would."""
    write(tmp_path, {"mod/drivers/x/led.py": "from .regs import BASE\nfrom .sub.more import N\n",
                     "mod/drivers/x/regs.py": "BASE = 0x1000\n",
                     "mod/drivers/x/sub/more.py": "N = 3\n"})
    ns = image(tmp_path, namespaces, {"drivers.x.led": "mod/drivers/x/led.py"})
    led = ns.load("drivers.x.led")
    assert (led.BASE, led.N) == (0x1000, 3)


def test_files_not_in_the_image(tmp_path, namespaces):
    write(tmp_path, {"app/src/main.py": "import counter\n", "app/src/counter.py": "",
                     "app/src/other.py": "import unlisted\n", "app/unlisted.py": "",
                     "mod/drivers/x/led.py": "from .y import z\n", "mod/drivers/x/y/z.py": ""})
    ns = image(tmp_path, namespaces, {"main": "app/src/main.py", "other": "app/src/other.py",
                                      "drivers.x.led": "mod/drivers/x/led.py"},
               excluded={"app/src/counter.py": "CONFIG_ACME_COUNTER", "mod/drivers/x/y": "CONFIG_Y"})
    assert error(ns, "main") == (
        f"No module named 'counter': {tmp_path}/app/src/counter.py is not in this image (its "
        "CMakeLists.txt adds it only when CONFIG_ACME_COUNTER is set, and it is not)")
    assert error(ns, "other") == (
        f"No module named 'unlisted': {tmp_path}/app/unlisted.py is not in this image (no "
        "CMakeLists.txt adds it to the image)")
    assert error(ns, "drivers.x.led") == (
        f"No module named 'drivers.x.y': {tmp_path}/mod/drivers/x/y is not in this image "
        "(its CMakeLists.txt adds it only when CONFIG_Y is set, and it is not)")


def test_wrong_forms_name_the_right_one(tmp_path, namespaces):
    write(tmp_path, {"app/src/main.py": "from app.helper import VALUE\n",
                     "app/src/helper.py": "VALUE = 1\n",
                     "mod/drivers/x/led.py": "import common\n", "mod/drivers/x/common.py": "",
                     "app/src/other.py": "import nosuchmodule\n"})
    ns = image(tmp_path, namespaces, {"main": "app/src/main.py", "helper": "app/src/helper.py",
                                      "other": "app/src/other.py",
                                      "drivers.x.led": "mod/drivers/x/led.py",
                                      "drivers.x.common": "mod/drivers/x/common.py"})
    assert error(ns, "main") == (
        "No module named 'app.helper': the image's sources import each other by their name "
        "under src/: write `import helper` or `from helper import ...`")
    assert error(ns, "drivers.x.led") == (
        "No module named 'common': common.py beside led.py is a module of its package here: "
        "write `from . import common` or `from .common import ...`")
    assert error(ns, "other") == "No module named 'nosuchmodule'"
    assert f"{ns.package}.main" not in sys.modules  # a failed module is not left half-linked
