"""Expect-style reading of what a child prints, on pexpect: one way for every e2e test to
wait for output (a pipe, a pty, a socket), never a fixed sleep.

    text = read_until(proc.stdout.fileno(), "listen on server socket")
    term = terminal(zpy_cmd("menuconfig", "-d", build))   # a child in a pty of its own
"""

from __future__ import annotations

import os

import pexpect
from pexpect import fdpexpect

TIMEOUT = 20.0


def read_until(fd: int, needle: str, timeout: float = TIMEOUT,
               seen: list[str] | None = None) -> str:
    """What arrives on `fd` (after the text in `seen`) up to `needle`, and whatever came with
    it; an AssertionError with the text so far if it does not come in time or `fd` ends."""
    text = "".join(seen or [])
    if needle in text:
        return text
    console = attach(fd, timeout)
    try:
        console.expect_exact(needle)
        return text + console.before + console.after + console.buffer
    except (pexpect.EOF, pexpect.TIMEOUT):
        raise AssertionError(f"{needle!r} not seen; got {text + console.before!r}") from None
    finally:
        console.close()


def attach(fd: int, timeout: float = TIMEOUT) -> fdpexpect.fdspawn:
    """A console on what arrives on `fd` (a pipe, a pty master, a socket), to expect() in
    order; close() it when done (it reads a duplicate of `fd`)."""
    return fdpexpect.fdspawn(os.dup(fd), timeout=timeout, encoding="utf-8",
                             codec_errors="replace")


def terminal(cmd: list[str], env: dict[str, str] | None = None, rows: int = 40,
             cols: int = 120, timeout: float = TIMEOUT) -> pexpect.spawn:
    """`cmd` in a pty of its own (a terminal of rows x cols), to expect() and send() to."""
    return pexpect.spawn(cmd[0], cmd[1:], env=env, dimensions=(rows, cols), timeout=timeout)
