"""Pictures drawn from images made without the build front end (see tests/unit/kernel)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.unit.kernel.conftest import Console, boot, make_image, node  # noqa: F401

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The SVG's root element; fails the test if it is not well-formed XML."""
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return root


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]
