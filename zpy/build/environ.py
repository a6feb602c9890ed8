"""The process environment, shared safely between builds in one process.

kconfiglib reads its settings from os.environ, so a build has to set variables
there for the time of its Kconfig step. Every read and write of os.environ by
the build front end goes through this module's one lock, so that a build never
sees another build's BOARD (or ZEPHYR_BASE, ...) half-way through.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

#: The only global of the build front end.
_LOCK = threading.Lock()


def getenv(name: str) -> str | None:
    """os.environ.get(), but never while another build has its variables set."""
    with _LOCK:
        return os.environ.get(name)


def snapshot() -> dict[str, str]:
    """A copy of the environment, for a child process (never another build's variables)."""
    with _LOCK:
        return dict(os.environ)


@contextmanager
def patched(env: Mapping[str, str]) -> Iterator[None]:
    """Set `env` for the duration of the block, holding the lock; restore it after."""
    with _LOCK:
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
