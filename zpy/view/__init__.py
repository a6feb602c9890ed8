"""`zpy run --view`: a live, read-only page of a running VM (see docs/view.md).

    from zpy.view import ViewServer, VmWatcher

    server = ViewServer([VmWatcher(runtime)], port=0)   # before runtime.run()
    url = server.start()                                # http://127.0.0.1:PORT/
    status = runtime.run()
    server.finish(status)                               # a last update, then `end`
"""

from zpy.view.server import ViewError, ViewServer
from zpy.view.vm import VmWatcher

__all__ = ["ViewError", "ViewServer", "VmWatcher"]
