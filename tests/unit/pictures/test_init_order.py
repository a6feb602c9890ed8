"""The init-order picture from a linked image and from a running one: every SYS_INIT and
device in init order, dependency arrows (red when the order is wrong), readiness;
and drawing a build never reaches for an ivshmem server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from zpy.cli.draw import init_order_svg
from zpy.pictures import InitItem, InitOrder, draw_init_order, snapshot_init_order

from .conftest import groups, node, parse, texts

DRIVER = """
from zpy import errno
from zpy.device import DEVICE_DEFINE, DEVICE_DT_DEFINE
from zpy.devicetree import DT_NODELABEL
from zpy.init import APPLICATION, POST_KERNEL, PRE_KERNEL_1, PRE_KERNEL_2, SYS_INIT

def ok(dev):
    return 0

def fails(dev):
    return -errno.EIO

def early_setup():
    return 0

def app_setup():
    return 0

SYS_INIT(app_setup, APPLICATION, 10)
SYS_INIT(early_setup, PRE_KERNEL_1, 5)
DEVICE_DT_DEFINE(DT_NODELABEL("bus"), ok, None, None, None, PRE_KERNEL_2, 40, None)
DEVICE_DT_DEFINE(DT_NODELABEL("leaf"), ok, None, None, None, POST_KERNEL, 50, None)
DEVICE_DT_DEFINE(DT_NODELABEL("early"), fails, None, None, None, PRE_KERNEL_1, 50, None)
DEVICE_DT_DEFINE(DT_NODELABEL("late"), ok, None, None, None, POST_KERNEL, 60, None)
DEVICE_DT_DEFINE(DT_NODELABEL("lazy"), ok, None, None, None, POST_KERNEL, 70, None)
DEVICE_DEFINE("virt", "virtual", ok, None, None, None, POST_KERNEL, 80, None)
"""


def nodes() -> list:
    return [
        node("/bus", 1, labels=["bus"], depends_on=[0]),
        node("/bus/leaf@1", 2, labels=["leaf"], parent="/bus", depends_on=[1]),
        # a device name needing escapes (from its label), required by nothing, requiring
        # /late, which initializes after it
        node("/early", 3, labels=["early"], props={"label": 'odd <&> "name"'}, depends_on=[0, 4]),
        node("/late", 4, labels=["late"], depends_on=[0]),
        node("/lazy", 5, labels=["lazy"], props={"zephyr,deferred-init": True}, depends_on=[0]),
    ]


EXPECTED = [  # seq, level, kind, name, prio, ord
    ("1", "PRE_KERNEL_1", "SYS_INIT", "early_setup", "5", None),
    ("2", "PRE_KERNEL_1", "device", 'odd <&> "name"', "50", "3"),
    ("3", "PRE_KERNEL_2", "device", "bus", "40", "1"),
    ("4", "POST_KERNEL", "device", "leaf@1", "50", "2"),
    ("5", "POST_KERNEL", "device", "late", "60", "4"),
    ("6", "POST_KERNEL", "device", "lazy", "70", "5"),
    ("7", "POST_KERNEL", "device", "virtual", "80", None),
    ("8", "APPLICATION", "SYS_INIT", "app_setup", "10", None),
]


def entries(root) -> list[tuple]:
    return [(g.get("data-seq"), g.get("data-level"), g.get("data-kind"), g.get("data-name"),
             g.get("data-prio"), g.get("data-ord")) for g in groups(root, "entry")]


def arrows(root) -> list[tuple]:
    return [(p.get("data-from"), p.get("data-to"), p.get("data-order"), p.get("stroke"))
            for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("class") == "dep"]


def test_linked_image_in_init_order_with_dependency_arrows(make_image, boot):
    build = make_image("def main():\n    return 0\n", config={"BOOT_BANNER": "n"}, nodes=nodes(),
                       modules=[("drivers.pictured", DRIVER)])
    rt, _ = boot(build, run=False)
    order = snapshot_init_order(rt.kernel)
    assert not order.booted and order.title == "Init order (qemu_x86_64)"
    root = parse(draw_init_order(rt.kernel))
    assert entries(root) == EXPECTED
    assert [g.get("data-level") for g in groups(root, "level")] == [
        "EARLY", "PRE_KERNEL_1", "PRE_KERNEL_2", "POST_KERNEL", "APPLICATION"]
    assert sorted(arrows(root)) == [
        ("bus", "leaf@1", "ok", "#3b5f9e"),
        ("late", 'odd <&> "name"', "wrong", "#c92a2a"),
    ]
    first = {g.get("data-name"): texts(g) for g in groups(root, "entry")}
    assert first["leaf@1"] == ["4. leaf@1", "device \u00b7 prio 50 \u00b7 ord 2", "/bus/leaf@1"]
    assert first["virtual"] == ["7. virtual", "device \u00b7 prio 80", "DEVICE_DEFINE (no node)"]
    assert first["early_setup"] == ["1. early_setup", "SYS_INIT \u00b7 prio 5"]
    assert not any(g.get("data-state") for g in groups(root, "entry"))  # not booted: no states


def test_running_image_shows_readiness(make_image, boot):
    build = make_image("def main():\n    return 0\n", config={"BOOT_BANNER": "n"}, nodes=nodes(),
                       modules=[("drivers.pictured", DRIVER)])
    rt, _ = boot(build)
    assert rt.wait(5) == 0
    root = parse(draw_init_order(rt.kernel, title="running"))
    states = {g.get("data-name"): g.get("data-state") for g in groups(root, "entry")}
    assert states == {
        "early_setup": None, "app_setup": None,
        'odd <&> "name"': "not ready (init_res 5)", "bus": "READY", "leaf@1": "READY",
        "late": "READY", "lazy": "deferred: not initialized", "virtual": "READY",
    }
    assert root.find("{http://www.w3.org/2000/svg}title").text == "running"
    assert "drawn from a running image" in texts(root)[1]


def test_snapshot_is_plain_data_and_drawing_is_pure():
    items = (
        InitItem(1, "PRE_KERNEL_1", 0, "SYS_INIT", "pcie_init"),
        InitItem(2, "POST_KERNEL", 50, "device", "ivshmem", 4, "/ivhsmem/ivshmem", (3,)),
        InitItem(3, "POST_KERNEL", 90, "device", "ipm_ivshmem", 5, "/ipm_ivshmem", (0, 4)),
        InitItem(4, "SMP", 0, "SYS_INIT", "smp_init"),
    )
    order = InitOrder(items, booted=False, title="snapshot")
    assert draw_init_order(order) == draw_init_order(order)
    assert [(a.name, b.name) for a, b in order.dependencies()] == [("ivshmem", "ipm_ivshmem")]
    root = parse(draw_init_order(order))
    assert [g.get("data-level") for g in groups(root, "level")][-1] == "SMP"  # only when used
    assert arrows(root) == [("ivshmem", "ipm_ivshmem", "ok", "#3b5f9e")]


@pytest.fixture
def fake_default_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A listening socket where the Kconfig's ivshmem-doorbell device would connect."""
    path = tmp_path / "ivshmem_socket"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    listener.setblocking(False)
    monkeypatch.setattr("zpy.hw.plug.DEFAULT_IVSHMEM_SOCKET", str(path))
    yield listener
    listener.close()


def test_drawing_a_doorbell_build_links_without_a_server(make_image, fake_default_socket):
    from tests.unit.drivers.conftest import DOORBELL_CONFIG, PCIE_INIT, VIRT_IVSHMEM, ivshmem_nodes

    build = make_image("def main():\n    return 0\n", config=DOORBELL_CONFIG,
                       nodes=ivshmem_nodes(), modules=[PCIE_INIT, VIRT_IVSHMEM])
    root = parse(init_order_svg(build))
    assert [e[3] for e in entries(root)] == ["pcie_init", "ivshmem0"]
    assert root.find("{http://www.w3.org/2000/svg}title").text == "app: init order (qemu_x86_64)"
    with pytest.raises(BlockingIOError):
        fake_default_socket.accept()  # nobody connected
