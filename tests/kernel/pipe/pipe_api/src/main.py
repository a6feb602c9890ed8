# SPDX-License-Identifier: Apache-2.0
"""Zephyr's pipe tests for the k_pipe API of Zephyr 4.1 (tests/kernel/pipe/pipe_api).

The C app has no main.c: each of basic.c, concurrency.c and stress.c defines its
suite. zpy wants src/main.py, so here it is, with nothing else in it.
"""
