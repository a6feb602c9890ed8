"""A small SVG writer: elements, escaping, arrowheads, and nothing else.

Pictures are built as a tree of `Element`s and serialized by hand rather than
through xml.etree, so that the output is stable byte for byte (attribute order
as written, numbers without float noise) and can be committed and compared.
Every piece of text that reaches the file goes through `escape_text` or
`escape_attr`: device names, node paths and titles come from user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SVG_NS = "http://www.w3.org/2000/svg"

#: characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab/LF/CR,
#: lone surrogates, U+FFFE/U+FFFF): replaced by U+FFFD
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def escape_text(text: str) -> str:
    """Character data: &, < and > escaped."""
    return _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    """A double-quoted attribute value; tabs and newlines kept as character references,
    since a parser would otherwise normalize them to spaces."""
    return (escape_text(text).replace('"', "&quot;").replace("\t", "&#9;")
            .replace("\n", "&#10;").replace("\r", "&#13;"))


def num(value: float) -> str:
    """A coordinate: an integer when it is one, else at most two decimals."""
    rounded = round(float(value), 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element] = field(default_factory=list)
    text: str | None = None

    def add(self, child: Element) -> Element:
        self.children.append(child)
        return child

    def render(self, out: list[str], indent: int = 0) -> None:
        pad = "  " * indent
        attrs = "".join(f' {k}="{escape_attr(v)}"' for k, v in self.attrs.items())
        if self.text is not None:
            out.append(f"{pad}<{self.tag}{attrs}>{escape_text(self.text)}</{self.tag}>")
        elif not self.children:
            out.append(f"{pad}<{self.tag}{attrs}/>")
        else:
            out.append(f"{pad}<{self.tag}{attrs}>")
            for child in self.children:
                child.render(out, indent + 1)
            out.append(f"{pad}</{self.tag}>")


def _attrs(**kw: object) -> dict[str, str]:
    """Keyword arguments as SVG attributes: None dropped, '_' -> '-', numbers formatted,
    a trailing '_' removed (class_ -> class)."""
    out = {}
    for key, value in kw.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        out[name] = num(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else str(value)
    return out


class SvgDocument:
    """One picture. Add shapes to the root (or to a group), then render() it."""

    def __init__(self, width: float, height: float, title: str | None = None) -> None:
        self.width = width
        self.height = height
        self.root = Element("svg")
        if title is not None:
            self.root.add(Element("title", text=title))
        self.defs = self.root.add(Element("defs"))

    # -- shapes ---------------------------------------------------------------------------

    def group(self, parent: Element | None = None, **attrs: object) -> Element:
        return (parent or self.root).add(Element("g", _attrs(**attrs)))

    def rect(self, x: float, y: float, w: float, h: float, parent: Element | None = None,
             **attrs: object) -> Element:
        return (parent or self.root).add(Element("rect", _attrs(x=x, y=y, width=w, height=h,
                                                                **attrs)))

    def text(self, x: float, y: float, content: str, parent: Element | None = None,
             size: float = 12, **attrs: object) -> Element:
        attrs.setdefault("font_family", FONT)
        return (parent or self.root).add(Element("text", _attrs(x=x, y=y, font_size=size,
                                                                **attrs), text=content))

    def line(self, x1: float, y1: float, x2: float, y2: float, parent: Element | None = None,
             **attrs: object) -> Element:
        return (parent or self.root).add(Element("line", _attrs(x1=x1, y1=y1, x2=x2, y2=y2,
                                                                **attrs)))

    def path(self, d: str, parent: Element | None = None, **attrs: object) -> Element:
        return (parent or self.root).add(Element("path", _attrs(d=d, **attrs)))

    def tooltip(self, element: Element, content: str) -> None:
        """A <title> child: what viewers show on hover."""
        element.children.insert(0, Element("title", text=content))

    def arrowhead(self, marker_id: str, color: str) -> str:
        """Define an arrowhead marker once; returns the url(#id) to use as marker-end."""
        marker = Element("marker", _attrs(id=marker_id, viewBox="0 0 10 10", refX=9, refY=5,
                                          markerWidth=7, markerHeight=7, orient="auto-start-reverse"))
        marker.add(Element("path", _attrs(d="M 0 0 L 10 5 L 0 10 z", fill=color)))
        self.defs.add(marker)
        return f"url(#{marker_id})"

    # -- output --------------------------------------------------------------------------

    def render(self) -> str:
        """The SVG file's text (deterministic: same picture, same bytes)."""
        attrs = {"xmlns": SVG_NS, "width": num(self.width), "height": num(self.height),
                 "viewBox": f"0 0 {num(self.width)} {num(self.height)}"}
        children = [c for c in self.root.children if c is not self.defs or c.children]
        out = ['<?xml version="1.0" encoding="UTF-8"?>']
        Element("svg", attrs, children).render(out)
        return "\n".join(out) + "\n"


def text_width(text: str, size: float = 12) -> float:
    """A rough width of `text` in the sans-serif font: enough to size boxes around labels."""
    return len(text) * size * 0.62
