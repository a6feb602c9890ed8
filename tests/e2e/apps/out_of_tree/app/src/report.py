# SPDX-License-Identifier: Apache-2.0
"""A second source of the app, globbed in with main.py."""


def line(value):
    return f"counter0 counts {value}"
