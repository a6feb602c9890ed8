"""Fuzzing the parsers of what users type: QEMU's -device/-chardev/-object options of
`zpy run`, and twister's filter expressions. Success or one clean error, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.e2e.runner import build
from zpy.errors import ZpyError
from zpy.hw.machine import Machine
from zpy.hw.plug import plug_devices
from zpy.image.dtmodel import RELPATH, DeviceTree
from zpy.twister import expr

# -- QEMU options -----------------------------------------------------------------------------

KINDS = ["-device", "-chardev", "-object", "-nodefaults", "-serial", "-m", "device", ""]
TYPES = ["ivshmem-plain", "ivshmem-doorbell", "ivshmem", "socket", "memory-backend-file",
         "memory-backend-memfd", "memory-backend-ram", "null", "pty", "e1000", "", "=", "id=x"]
KEYS = ["id", "memdev", "chardev", "vectors", "msi", "ioeventfd", "master", "path", "size",
        "share", "mem-path", "server", "wait", "bus", "addr", "bogus", ""]
VALUES = ["m", "c", "x", "on", "off", "auto", "yes", "1", "2", "0", "-1", "0x10", "2048", "2049",
          "1M", "4K", "3M", "0", "1G", "lots", "{shm}", "{dir}/nosuch/f", "/nonexistent/sock",
          "{sock}", ""]

option_text = st.lists(
    st.one_of(st.sampled_from(TYPES),
              st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)).map("=".join),
              st.sampled_from(KEYS), st.text(max_size=8)),
    min_size=1, max_size=6).map(",".join)
option_args = st.lists(st.one_of(st.sampled_from(KINDS), option_text), max_size=8)
CONFIGS = [{}, {"CONFIG_IVSHMEM": 1}, {"CONFIG_IVSHMEM": 1, "CONFIG_IVSHMEM_DOORBELL": 1,
                                       "CONFIG_IVSHMEM_MSI_X_VECTORS": 2},
           {"CONFIG_IVSHMEM": 1, "CONFIG_IVSHMEM_V2": 1}]


@given(args=option_args, config=st.sampled_from(CONFIGS))
def test_qemu_options(tmp_path_factory, cases, args, config):
    cases["zpy run QEMU options"] += 1
    tmp = tmp_path_factory.mktemp("opts")
    args = [a.replace("{shm}", str(tmp / "shm")).replace("{dir}", str(tmp))
            .replace("{sock}", str(tmp / "sock")) for a in args]
    machine = Machine("qemu_x86_64", log=lambda message: None)
    try:
        plug_devices(machine, config, args)
    except ZpyError:
        pass
    finally:
        machine.close()


# -- twister filters ------------------------------------------------------------------------

TOKENS = ["CONFIG_PCIE", "CONFIG_IVSHMEM", "CONFIG_X", "ARCH", "BOARD", "and", "or", "not", "in",
          "(", ")", "[", "]", ",", ":", "==", "!=", "<", ">", "<=", ">=", "0", "1", "0x10", "-1",
          '"y"', '"x86"', '"^q.*"', '"["', "'a'", '"', "dt_compat_enabled", "dt_alias_exists",
          "dt_chosen_enabled", "dt_nodelabel_enabled", "dt_node_has_prop", "nosuch_fn",
          '"qemu,ivshmem"', '"ivshmem0"', '"zephyr,console"', '"/pcie0"', "@", "\\"]
ENV = {"CONFIG_PCIE": "y", "CONFIG_IVSHMEM": "y", "ARCH": "x86", "BOARD": "qemu_x86_64",
       "CONFIG_X": "12"}


@pytest.fixture(scope="module")
def devicetree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeviceTree]:
    out = tmp_path_factory.mktemp("dt") / "b"
    build("samples/drivers/virtualization/ivshmem/doorbell", out)
    yield DeviceTree.load(Path(out) / RELPATH)


@given(text=st.one_of(st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join),
                      st.text(max_size=40)))
def test_twister_filters(devicetree, cases, text):
    cases["twister filter expressions"] += 1
    try:
        assert expr.check(text, ENV, devicetree) in (True, False)
    except expr.ExprError as e:
        assert "\n" not in str(e)
