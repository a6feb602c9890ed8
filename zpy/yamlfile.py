"""YAML with line numbers: the data of a file plus where each key and item sits.

Twister's files and Zephyr modules' zephyr/module.yml are small and hand-written;
a mistake in one must be reported as `file:line: error: ...`, the way the build
front end reports a binding. PyYAML's plain loaders forget the lines once they
build dicts and lists, so this module composes the node tree itself and keeps a
table from each key path to its line. Errors are raised as the caller's ZpyError
subclass (`error_type`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from zpy.errors import ZpyError

#: the caller's error class, which yaml_error() returns
E = TypeVar("E", bound=ZpyError)

#: A path into the document: mapping keys (str) and sequence indexes (int).
KeyPath = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """A loaded YAML file: `data`, and `lines[path]` = the 1-based line of that key or item."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    error_type: type[ZpyError] = ZpyError

    def line(self, *keys: str | int) -> int | None:
        """The line of the deepest known prefix of `keys` (the key itself if known)."""
        for n in range(len(keys), -1, -1):
            line = self.lines.get(tuple(keys[:n]))
            if line is not None:
                return line
        return None

    def error(self, message: str, *keys: str | int) -> ZpyError:
        return self.error_type(message, self.path, self.line(*keys))


def yaml_error(path: Path, e: yaml.YAMLError, error_type: type[E],
               text: str | None = None) -> E:
    """PyYAML's error as one line at its line of `path`. A reader error (a control
    character) has no mark, only a position in `text`."""
    if isinstance(e, yaml.reader.ReaderError):
        line = text[: e.position].count("\n") + 1 if text is not None else None
        return error_type(f"invalid YAML: character #x{e.character:04x} is not allowed",
                          path, line)
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return error_type(" ".join(message.split()), path,
                      mark.line + 1 if mark is not None else None)


def loads(text: str, path: Path, error_type: type[ZpyError] = ZpyError) -> YamlDoc:
    """Parse `text` (the contents of `path`); raises error_type at the offending line."""
    try:
        loader = yaml.SafeLoader(text)  # its reader refuses control characters at once
    except yaml.reader.ReaderError as e:
        raise yaml_error(path, e, error_type, text) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as e:
            raise yaml_error(path, e, error_type, text) from None
        doc = YamlDoc(path, None, error_type=error_type)
        if node is not None:
            doc.data = _Builder(loader, doc).build(node, ())
        return doc
    finally:
        loader.dispose()


def load(path: Path, error_type: type[ZpyError] = ZpyError) -> YamlDoc:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise error_type(f"cannot read: {getattr(e, 'strerror', None) or e}", path) from None
    return loads(text, path, error_type)


@dataclass
class _Builder:
    """Python data from the node tree, recording each key's and item's line in the doc."""

    loader: yaml.SafeLoader
    doc: YamlDoc

    def _error(self, message: str, node: yaml.Node) -> ZpyError:
        return self.doc.error_type(message, self.doc.path, node.start_mark.line + 1)

    def build(self, node: yaml.Node, at: KeyPath) -> Any:
        lines = self.doc.lines
        lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and \
                        key_node.tag == "tag:yaml.org,2002:merge":
                    raise self._error("YAML merge keys ('<<') are not supported", key_node)
                key = self._scalar(key_node)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    raise self._error("a mapping key must be a plain value", key_node)
                sub = (*at, str(key))
                lines[sub] = key_node.start_mark.line + 1
                out[str(key) if not isinstance(key, str) else key] = self.build(value_node, sub)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self._error("a mapping key must be a plain value", node)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise yaml_error(self.doc.path, e, self.doc.error_type) from None
