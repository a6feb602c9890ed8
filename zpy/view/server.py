"""The view's web server: one page and its websockets, on 127.0.0.1 only, read-only.

It runs an aiohttp application on an asyncio loop in a host thread of its own
("zpy:view"), outside the kernel: never a Zephyr thread, it only reads kernel
state (zpy.kernel.snapshot, under the scheduler's lock, briefly) and calls no
Zephyr API. While nobody watches it waits on its sockets and costs nothing;
the machine's hooks record only while at least one page is connected to a VM.

Each connected page gets `hello` (what does not change), then an `update`
every PERIOD seconds (threads, devices, new events, new console text, its
hexdump window when that changed), and `end` with the exit status when the
run ends. A page may send {"window": {"device": NAME, "offset": N}} to move its
hexdump window: the only thing it can ask.

A page of several VMs (python -m zpy.demo --view) is served by a server with
no VM of its own, listing other servers' websockets: the page connects to each.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from zpy.errors import ZpyError
from zpy.view.vm import VmWatcher

HOST = "127.0.0.1"
#: seconds between two updates of a page
PERIOD = 0.2
STATIC = Path(__file__).resolve().parent / "static"
_PAGES = {"/": "index.html", "/view.js": "view.js", "/view.css": "view.css"}
#: a page may come from any local server (a demo's page connects to each VM's)
_LOCAL_ORIGIN = re.compile(r"^http://(127\.0\.0\.1|localhost)(:\d+)?$")


class ViewError(ZpyError):
    """The view cannot be served (the port is taken, ...)."""


@dataclass(eq=False)
class _Client:
    ws: web.WebSocketResponse
    vm: VmWatcher
    console_cursor: int = 0
    #: device -> the hexdump window's offset, and the rows last sent for it
    windows: dict[str, int] = field(default_factory=dict)
    sent_rows: dict[str, Any] = field(default_factory=dict)
    #: it has had `hello` and its first update: the periodic updates are for it now
    ready: bool = False


class ViewServer:
    """Serve the view of `vms` (in this process) and of `remotes` ((label, websocket URL) of
    other view servers) on 127.0.0.1:`port` (0: a free port)."""

    def __init__(self, vms: list[VmWatcher] | None = None,
                 remotes: list[tuple[str, str]] | None = None, port: int = 0,
                 period: float = PERIOD) -> None:
        self.vms = list(vms or [])
        self.remotes = list(remotes or [])
        self.port = port
        self.period = period
        self._clients: list[_Client] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None
        self._watched: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    # -- life cycle ----------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> str:
        """Serve from now on; returns the page's URL."""
        self._thread = threading.Thread(target=self._main, name="zpy:view", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ViewError(f"the view did not start within {timeout:g} s")
        if self._error is not None:
            raise self._error
        return self.url

    def finish(self, status: int | None = None, timeout: float = 5.0) -> None:
        """The run ended (with `status`): give every page a last update and `end`, and stop."""
        for vm in self.vms:
            vm.status = status
        loop, stop = self._loop, self._stop
        if loop is None or stop is None or self._thread is None:
            return
        try:
            loop.call_soon_threadsafe(stop.set)
        except RuntimeError:  # the loop is closed already
            return
        self._thread.join(timeout)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as e:
            self._error = e
        finally:
            self._ready.set()
            loop.close()

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._local_only])
        app.router.add_get("/config.json", self._config)
        app.router.add_get("/ws/{index}", self._websocket)
        for route, name in _PAGES.items():
            app.router.add_get(route, self._static(name))
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, HOST, self.port).start()
        except OSError as e:
            await runner.cleanup()
            self._error = ViewError(
                f"cannot serve the view on {HOST}:{self.port}: "
                f"{os.strerror(e.errno) if e.errno else e}",
                hint="--view=PORT takes another port, --view alone any free one")
            return
        self.port = runner.addresses[0][1]
        self._stop = asyncio.Event()
        self._watched = asyncio.Event()
        self._ready.set()
        ticker = asyncio.create_task(self._tick())
        await self._stop.wait()
        ticker.cancel()
        await self._last_words()
        await runner.cleanup()

    # -- requests ------------------------------------------------------------------------

    @web.middleware
    async def _local_only(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Only pages of this machine: the Host must be ours (no DNS rebinding) and a
        websocket's Origin a local page (no other site reads the VM)."""
        if request.host not in (f"{HOST}:{self.port}", f"localhost:{self.port}"):
            raise web.HTTPForbidden(text="the view answers 127.0.0.1 only\n")
        origin = request.headers.get("Origin")
        if origin is not None and not _LOCAL_ORIGIN.match(origin):
            raise web.HTTPForbidden(text="the view answers pages of 127.0.0.1 only\n")
        response: web.StreamResponse = await handler(request)
        return response

    def _static(self, name: str) -> Any:
        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.FileResponse(STATIC / name)
            response.headers["Cache-Control"] = "no-store"
            return response
        return handler

    async def _config(self, request: web.Request) -> web.Response:
        vms = [{"label": vm.label, "ws": f"/ws/{i}"} for i, vm in enumerate(self.vms)]
        vms += [{"label": label, "ws": url} for label, url in self.remotes]
        return web.json_response({"vms": vms, "period": self.period})

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        try:
            vm = self.vms[int(request.match_info["index"])]
        except (ValueError, IndexError):
            raise web.HTTPNotFound() from None
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        client = _Client(ws, vm)
        self._add(client)  # the hooks record from now on
        try:
            await ws.send_str(json.dumps(vm.hello()))
            await self._send_update(client, vm.update(events=False))
            client.ready = True
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._asked(client, msg.data)
        finally:
            self._remove(client)
        return ws

    async def _asked(self, client: _Client, data: str) -> None:
        """A page moves its hexdump window (nothing else can be asked)."""
        try:
            window = json.loads(data)["window"]
            device, offset = str(window["device"]), int(window["offset"])
        except (ValueError, KeyError, TypeError):
            return
        client.windows[device] = offset
        client.sent_rows.pop(device, None)
        await self._send_windows(client)

    # -- watching ------------------------------------------------------------------------

    def _add(self, client: _Client) -> None:
        if not any(c.vm is client.vm for c in self._clients):
            client.vm.watch(True)
        self._clients.append(client)
        assert self._watched is not None
        self._watched.set()

    def _remove(self, client: _Client) -> None:
        self._clients.remove(client)
        if not any(c.vm is client.vm for c in self._clients):
            client.vm.watch(False)
        if not self._clients and self._watched is not None:
            self._watched.clear()

    async def _tick(self) -> None:
        """An update to every page each period, while there is one (else sleep)."""
        assert self._watched is not None
        while True:
            await self._watched.wait()
            started = time.monotonic()
            clients = [c for c in self._clients if c.ready]
            updates = self._updates(clients)
            for client in clients:
                await self._send_update(client, updates[client.vm])
            await asyncio.sleep(max(0.0, self.period - (time.monotonic() - started)))

    @staticmethod
    def _updates(clients: list[_Client]) -> dict[VmWatcher, dict[str, Any]]:
        """One update per VM that `clients` watch (each page adds its console text)."""
        return {vm: vm.update() for vm in dict.fromkeys(c.vm for c in clients)}

    async def _send_update(self, client: _Client, update: dict[str, Any]) -> None:
        text, client.console_cursor = client.vm.console_since(client.console_cursor)
        message = dict(update, console=text)
        try:
            await client.ws.send_str(json.dumps(message))
            await self._send_windows(client)
        except (ConnectionError, RuntimeError):
            pass  # the page went away; its handler removes it

    async def _send_windows(self, client: _Client) -> None:
        vm = client.vm
        for memory in vm.memories:
            offset = client.windows.setdefault(memory.device, 0)
            window = vm.window(memory.device, offset)
            if window is None or client.sent_rows.get(memory.device) == window:
                continue
            client.sent_rows[memory.device] = window
            await client.ws.send_str(json.dumps({"type": "window", **window}))

    async def _last_words(self) -> None:
        """The run ended: a last update and `end` to every page, then close."""
        clients = [c for c in self._clients if c.ready]
        updates = self._updates(clients)
        for client in clients:
            await self._send_update(client, updates[client.vm])
            try:
                await client.ws.send_str(json.dumps({"type": "end", "status": client.vm.status}))
                await client.ws.close()
            except (ConnectionError, RuntimeError):
                pass

