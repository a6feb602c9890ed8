"""The view's server on real sockets: what a page is told, when the hooks record, who may ask."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from zpy.view import ViewError, ViewServer, VmWatcher

IMAGE = """
from zpy.kernel import *

done = k_sem(0, 1)

def main():
    printk("hello from the image\\n")
    k_sem_take(done, K_SECONDS(60))  # the armed timeout keeps the run up
"""
CONFIG = {"BOOT_BANNER": "n", "SYS_CLOCK_TICKS_PER_SEC": "100"}


def _plain(tmp_path: Path) -> list[str]:
    """An ivshmem-plain device on a 4 KiB file of our own."""
    return ["-object", f"memory-backend-file,id=m,mem-path={tmp_path / 'shm'},size=4096,share=on",
            "-device", "ivshmem-plain,memdev=m"]


async def _messages(ws: aiohttp.ClientWebSocketResponse, want: int) -> list[dict[str, Any]]:
    out = []
    while len(out) < want:
        msg = await asyncio.wait_for(ws.receive(), 10)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        out.append(json.loads(msg.data))
    return out


async def _until(ws: aiohttp.ClientWebSocketResponse, kind: str, check: Any) -> dict[str, Any]:
    """The first message of type `kind` for which check(message) holds."""
    while True:
        (msg,) = await _messages(ws, 1)
        if msg["type"] == kind and check(msg):
            return msg


@pytest.fixture
def served(make_image, boot, tmp_path):  # type: ignore[no-untyped-def]
    rt, console = boot(make_image(IMAGE, config=CONFIG), run=False,
                       machine_args=_plain(tmp_path))
    vm = VmWatcher(rt, label="image")
    server = ViewServer([vm], period=0.05)
    server.start()
    rt.start()
    console.wait_for("hello from the image")
    yield rt, vm, server
    server.finish(None)


def test_a_page_is_told_the_vm_and_its_updates(served, tmp_path) -> None:
    rt, vm, server = served
    assert rt.machine.cpu.watch is None  # nobody watches: the hooks record nothing

    async def page() -> None:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "config.json") as r:
                assert await r.json() == {"vms": [{"label": "image", "ws": "/ws/0"}],
                                          "period": 0.05}
            async with http.get(server.url) as r:
                assert r.status == 200 and "<title>zpy view</title>" in await r.text()
            async with http.ws_connect(server.url + "ws/0") as ws:
                hello, first = await _messages(ws, 2)
                assert hello["type"] == "hello" and hello["label"] == "image"
                assert hello["memories"][0]["flavour"] == "ivshmem-plain"
                assert hello["memories"][0]["sections"][0]["fill"] == "#d8f0d8"
                assert first["type"] == "update"
                assert first["console"] == "hello from the image\n"
                main = next(t for t in first["threads"] if t["name"] == "main")
                assert main["state"] == "pending" and main["wait"]["call"] == "k_sem_take"
                assert rt.machine.cpu.watch is vm.recorder  # a page watches: they record

                # the memory as the file holds it; a write shows in the next window sent
                window = await _until(ws, "window", lambda m: True)
                assert window["offset"] == 0 and len(window["rows"]) == 32
                with open(tmp_path / "shm", "r+b") as f:
                    f.seek(0x20)
                    f.write(b"zpy")
                window = await _until(ws, "window", lambda m: True)
                assert window["rows"][2]["hex"].startswith("7a 70 79 00")
                assert window["rows"][2]["ascii"] == "zpy............."

                # a page moves its window (the only thing it can ask)
                await ws.send_json({"window": {"device": "ivshmem0", "offset": 0x813}})
                window = await _until(ws, "window", lambda m: m["offset"] != 0)
                assert window["offset"] == 0x810 and window["rows"][0]["offset"] == 0x810
                await ws.send_json({"window": {"device": "ivshmem0", "offset": 1 << 40}})
                window = await _until(ws, "window", lambda m: m["offset"] != 0x810)
                assert window["offset"] == 4096 - 512  # the last whole window

                # an interrupt raised now is in the next update, with its ISR's name
                rt.machine.cpu.raise_interrupt(0x21)
                update = await _until(ws, "update", lambda m: m["events"])
                assert update["events"][0]["kind"] == "irq"
                assert update["events"][0]["vector"] == 0x21
                assert update["counts"] == {"irq 0x21": 1}

    asyncio.run(page())
    server_sees_nobody = asyncio.run(_wait_unwatched(rt))
    assert server_sees_nobody


async def _wait_unwatched(rt: Any) -> bool:
    for _ in range(500):
        if rt.machine.cpu.watch is None:
            return True
        await asyncio.sleep(0.01)
    return False


def test_the_end_of_the_run_is_told(served) -> None:
    rt, vm, server = served

    async def page() -> None:
        async with aiohttp.ClientSession() as http, http.ws_connect(server.url + "ws/0") as ws:
            await _messages(ws, 2)
            rt.stop(3)
            assert rt.wait(10) == 3
            server.finish(3)
            end = await _until(ws, "end", lambda m: True)
            assert end["status"] == 3

    asyncio.run(page())


def test_only_pages_of_this_machine(served) -> None:
    _, _, server = served

    async def page() -> None:
        async with aiohttp.ClientSession() as http:
            # DNS rebinding: a name that resolves to us is not our Host
            async with http.get(server.url, headers={"Host": "evil.example"}) as r:
                assert r.status == 403
            # another site's page may not read the VM
            with pytest.raises(aiohttp.WSServerHandshakeError) as e:
                await http.ws_connect(server.url + "ws/0",
                                      headers={"Origin": "http://evil.example"})
            assert e.value.status == 403
            # a page of another local server may (the demo's page of two VMs)
            async with http.ws_connect(server.url + "ws/0",
                                       headers={"Origin": "http://127.0.0.1:8000"}) as ws:
                await _messages(ws, 1)
            async with http.get(server.url + "ws/7") as r:
                assert r.status == 404

    asyncio.run(page())


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ViewError) as e:
            ViewServer(port=port).start()
    assert str(e.value) == f"cannot serve the view on 127.0.0.1:{port}: Address already in use"
    assert e.value.hint == "--view=PORT takes another port, --view alone any free one"
