"""The SVG writer: escaping, stable output, well-formed documents."""

from __future__ import annotations

from zpy.pictures.svg import SvgDocument, escape_attr, escape_text, num

from .conftest import SVG, parse

HOSTILE = 'a<b & "c" \'d\' ]]> \x01\x1f\ud800 tab\there\nline'


def test_escaping_text_and_attributes():
    assert escape_text("<a & b>") == "&lt;a &amp; b&gt;"
    assert escape_attr('x="1" & <y>') == "x=&quot;1&quot; &amp; &lt;y&gt;"
    assert escape_attr("a\tb\nc\rd") == "a&#9;b&#10;c&#13;d"
    # characters XML 1.0 cannot carry become U+FFFD instead of breaking the file
    assert escape_text("\x00\x08\x0b\ufffe") == "\ufffd" * 4


def test_hostile_text_round_trips_through_a_parser():
    doc = SvgDocument(100, 50, title=HOSTILE)
    g = doc.group(class_="entry", data_name=HOSTILE)
    doc.text(1, 2, HOSTILE, parent=g)
    root = parse(doc.render())
    expected = HOSTILE.replace("\x01", "\ufffd").replace("\x1f", "\ufffd").replace("\ud800", "\ufffd")
    assert root.find(f"{SVG}title").text == expected
    group = root.find(f"{SVG}g")
    assert group.get("data-name") == expected  # tab and newline kept, not normalized
    assert group.find(f"{SVG}text").text == expected


def test_output_is_stable_and_compact():
    def draw() -> str:
        doc = SvgDocument(10.5, 20, title="t")
        doc.arrowhead("a", "#000")
        doc.rect(0.1 + 0.2, 1 / 3, 2.0, 3, fill="#fff", stroke_width=1.25)
        return doc.render()

    assert draw() == draw()
    svg = draw()
    assert '<rect x="0.3" y="0.33" width="2" height="3" fill="#fff" stroke-width="1.25"/>' in svg
    assert 'width="10.5" height="20" viewBox="0 0 10.5 20"' in svg
    assert num(3.0) == "3" and num(2.505) in ("2.5", "2.51") and num(-0.004) == "0"


def test_empty_defs_are_left_out():
    svg = SvgDocument(1, 1).render()
    assert "<defs" not in svg
    parse(svg)
