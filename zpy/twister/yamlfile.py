"""YAML with line numbers: the data of a file plus where each key and item sits.

Twister's files are small and hand-written; a mistake in one must be reported
as `file:line: error: ...`, the way the build front end reports a binding.
PyYAML's plain loaders forget the lines once they build dicts and lists, so
this module composes the node tree itself and keeps a table from each key path
to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zpy.twister.errors import TwisterError

#: A path into the document: mapping keys (str) and sequence indexes (int).
KeyPath = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """A loaded YAML file: `data`, and `lines[path]` = the 1-based line of that key or item."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, *keys: str | int) -> int | None:
        """The line of the deepest known prefix of `keys` (the key itself if known)."""
        for n in range(len(keys), -1, -1):
            line = self.lines.get(tuple(keys[:n]))
            if line is not None:
                return line
        return None

    def error(self, message: str, *keys: str | int) -> TwisterError:
        return TwisterError(message, self.path, self.line(*keys))


def _yaml_error(path: Path, e: yaml.YAMLError) -> TwisterError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    text = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return TwisterError(text, path, mark.line + 1 if mark is not None else None)


def loads(text: str, path: Path) -> YamlDoc:
    """Parse `text` (the contents of `path`); raises TwisterError at the offending line."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as e:
            raise _yaml_error(path, e) from None
        doc = YamlDoc(path, None)
        if node is not None:
            doc.data = _build(loader, node, (), doc.lines, path)
        return doc
    finally:
        loader.dispose()


def load(path: Path) -> YamlDoc:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TwisterError(f"cannot read: {getattr(e, 'strerror', None) or e}", path) from None
    return loads(text, path)


def _build(loader: yaml.SafeLoader, node: yaml.Node, at: KeyPath,
           lines: dict[KeyPath, int], path: Path) -> Any:
    lines.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:merge":
                raise TwisterError("YAML merge keys ('<<') are not supported", path,
                                   key_node.start_mark.line + 1)
            key = _scalar(loader, key_node, path)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise TwisterError("a mapping key must be a plain value", path,
                                   key_node.start_mark.line + 1)
            sub = (*at, str(key))
            lines[sub] = key_node.start_mark.line + 1
            out[str(key) if not isinstance(key, str) else key] = _build(
                loader, value_node, sub, lines, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            items.append(_build(loader, item, (*at, i), lines, path))
        return items
    return _scalar(loader, node, path)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise TwisterError("a mapping key must be a plain value", path, node.start_mark.line + 1)
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as e:
        raise _yaml_error(path, e) from None
