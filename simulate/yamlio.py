"""Safe YAML loading that remembers where every value came from.

Scenario and config errors must name the line of the offending field, so the
loader keeps, next to the plain data, a map from each key path to its line.
Only the safe subset of YAML is accepted: tags such as ``!!python/object`` are
refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulate.errors import InputError

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """Plain YAML data and the line (1-based) of every key path in it."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    file: str | None = None

    def line_of(self, path: Path_) -> int | None:
        """Return the line of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), lines)


def loads(text: str, file: str | Path | None = None) -> Located:
    """Parse YAML text safely, keeping line numbers.

    Raises:
        InputError: on a syntax error, an unsafe tag or duplicate-free failure.
    """
    name = str(file) if file is not None else "<string>"
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader) if node is not None else None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"YAML tag not allowed ({exc.problem}); only plain YAML data is accepted",
            file=name,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"invalid YAML: {exc.problem or exc.context}",
            file=name,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other parser failures
        raise InputError(f"invalid YAML: {exc}", file=name) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return Located(data=data, lines=lines, file=name)


def load_file(path: str | Path) -> Located:
    """Read and parse a YAML file, with clear errors for missing or unreadable files."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    if p.is_dir():
        raise InputError("is a directory, expected a YAML file", file=p)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", file=p) from None
    return loads(text, p)


def dumps(data: Any) -> str:
    """Serialise plain data as block-style YAML, keys in insertion order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
