"""Twister's YAML files with line numbers (zpy.yamlfile), failing as TwisterError."""

from __future__ import annotations

from pathlib import Path

from zpy import yamlfile
from zpy.twister.errors import TwisterError
from zpy.yamlfile import KeyPath, YamlDoc

__all__ = ["KeyPath", "YamlDoc", "load", "loads"]


def loads(text: str, path: Path) -> YamlDoc:
    return yamlfile.loads(text, path, TwisterError)


def load(path: Path) -> YamlDoc:
    return yamlfile.load(path, TwisterError)
