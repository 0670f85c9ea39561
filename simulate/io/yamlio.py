"""Safe YAML loading that remembers where every value came from.

Scenario and config errors must name the line of the offending field, so the
loader keeps, next to the plain data, a map from each key path to its line.

One composition pass does everything: PyYAML composes the document into nodes
(refusing nesting deeper than :data:`~simulate.io.limits.MAX_DEPTH` while it
recurses), then a single walk turns the nodes into plain data and the line map,
counting every value it produces, so a document whose aliases expand to more than
:data:`~simulate.io.limits.MAX_NODES` values (a "billion laughs") or that refers to
itself is refused instead of taking minutes and gigabytes. Only plain data is
accepted: mappings, lists, strings, numbers, booleans and null. Other tags
(``!!python/object``, ``!!timestamp``, ``!!binary``, ``!!set``, custom tags),
merge keys (``<<``) and duplicate keys are refused; unquoted dates stay text as
written. Files are read only when they are regular files of at most
:data:`~simulate.io.limits.MAX_FILE_BYTES` (never a FIFO, a device or a folder).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulate.errors import InputError
from simulate.io.limits import (
    FORBIDDEN_ROOTS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    YAML_SUFFIXES,
    echo,
)

Path_ = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALARS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "value")}


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


@dataclass(frozen=True)
class Ref:
    """Where a file was named: the naming file, its line and the field (``extends``...)."""

    file: str
    line: int | None
    field: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}"


class _Limit(Exception):
    """A document beyond a limit, at a node and key path."""

    def __init__(self, message: str, node_or_mark: Any, path: Path_ = ()) -> None:
        super().__init__(message)
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        self.line = mark.line + 1 if mark is not None else None
        self.field = ".".join(str(p) for p in path[:MAX_DEPTH_SHOWN]) or None


#: Key path components shown in the field of a nesting error.
MAX_DEPTH_SHOWN = 4


class _Composer(yaml.SafeLoader):
    """The safe loader's parser and composer, refusing deep nesting as it recurses."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[Any] = []

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # noqa: D102
        key = index.value if isinstance(index, ScalarNode) else index
        self._path.append(key)
        try:
            if len(self._path) > MAX_DEPTH:
                where = tuple(str(k) if k is not None else "(key)" for k in self._path[1:])
                raise _Limit(f"nested more than {MAX_DEPTH} levels deep", self.peek_event(),
                             where)  # fmt: skip
            return super().compose_node(parent, index)
        finally:
            self._path.pop()


class _Builder:
    """Nodes -> plain data and line map, within the depth and node budget."""

    def __init__(self, loader: _Composer) -> None:
        self.loader = loader
        self.count = 0
        self.lines: dict[Path_, int] = {}

    def build(self, node: Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Limit(f"the document expands to more than {MAX_NODES:,} values "
                         "(aliases used too often?)", node, path)  # fmt: skip
        if depth > MAX_DEPTH:
            raise _Limit(f"nested more than {MAX_DEPTH} levels deep (through aliases?)", node,
                         path)  # fmt: skip
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            self.check_tag(node, f"{_TAG}seq", path)
            out = []
            for i, item in enumerate(node.value):
                self.lines[path + (i,)] = item.start_mark.line + 1
                out.append(self.build(item, path + (i,), depth + 1))
            return out
        assert isinstance(node, MappingNode)
        self.check_tag(node, f"{_TAG}map", path)
        mapping: dict[Any, Any] = {}
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                raise _Limit("merge keys (<<) are not supported; write the fields out or "
                             "use extends:", key_node, path)  # fmt: skip
            if not isinstance(key_node, ScalarNode):
                raise _Limit("a key must be a plain name or number, not a list or mapping",
                             key_node, path)  # fmt: skip
            self.count += 1
            key = self.scalar(key_node, path)
            line = key_node.start_mark.line + 1
            if key in mapping:
                raise _Limit(f"duplicate key {echo(key)} (first at line {first[key]})", key_node,
                             path + (key,))  # fmt: skip
            first[key] = line
            self.lines[path + (key,)] = line
            mapping[key] = self.build(value_node, path + (key,), depth + 1)
        return mapping

    def check_tag(self, node: Node, expected: str, path: Path_) -> None:
        if node.tag != expected:
            raise _Limit(f"YAML tag {_short(node.tag)} is not allowed; only plain YAML data "
                         "is accepted", node, path)  # fmt: skip

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        if node.tag == f"{_TAG}timestamp" and node.style is None:
            return node.value  # an unquoted date stays the text the user wrote
        if node.tag not in _SCALARS:
            raise _Limit(f"YAML tag {_short(node.tag)} is not allowed; only plain YAML data "
                         "is accepted", node, path)  # fmt: skip
        if node.tag == f"{_TAG}value":
            return node.value
        kind = node.tag.removeprefix(_TAG)
        try:
            return getattr(self.loader, f"construct_yaml_{kind}")(node)
        except (ValueError, KeyError, TypeError, OverflowError, IndexError):
            raise _Limit(f"{echo(node.value)} is not a valid {_KINDS[kind]}", node,
                         path) from None  # fmt: skip


_KINDS = {"int": "integer", "float": "number", "bool": "boolean (true or false)",
          "null": "null", "str": "text"}  # fmt: skip


def _short(tag: str) -> str:
    return echo("!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag).strip("'\"")


def loads(text: str, file: str | Path | None = None) -> Located:
    """Parse YAML text safely, keeping line numbers.

    Raises:
        InputError: on a syntax error, a tag other than plain data, a merge or
            duplicate key, or a document beyond the nesting or size limits.
    """
    name = str(file) if file is not None else "<string>"
    loader = None
    try:
        loader = _Composer(text)
        node = loader.get_single_node()
        if node is None:
            return Located(data=None, lines={}, file=name)
        builder = _Builder(loader)
        data = builder.build(node, (), 1)
    except _Limit as exc:
        raise InputError(str(exc), file=name, line=exc.line, field=exc.field) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(f"invalid YAML: {exc.problem or exc.context}", file=name,
                         line=mark.line + 1 if mark else None) from None  # fmt: skip
    except yaml.reader.ReaderError as exc:
        raise InputError(f"invalid YAML: {exc.reason} (character {exc.character!r})", file=name,
                         line=text.count("\n", 0, exc.position) + 1) from None  # fmt: skip
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML ({type(exc).__name__})", file=name) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Located(data=data, lines=builder.lines, file=name)


def from_data(data: Any, file: str = "<scenario>") -> Located:
    """Plain data given through the API, checked against the same limits as a YAML file.

    Numbers of any numeric type become ``int`` or ``float``; anything that is not
    plain data (sets, objects, a mapping that contains itself) is refused.
    """
    count = [0]

    def copy(x: Any, path: Path_, depth: int) -> Any:
        count[0] += 1
        where = ".".join(map(str, path)) or None
        if count[0] > MAX_NODES:
            raise InputError(f"more than {MAX_NODES:,} values", file=file, field=where)
        if depth > MAX_DEPTH:
            raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=file, field=where)
        if isinstance(x, dict):
            return {k if isinstance(k, str | bool) else _number(k, file, where):
                    copy(v, path + (k,), depth + 1) for k, v in x.items()}  # fmt: skip
        if isinstance(x, list | tuple):
            return [copy(v, path + (i,), depth + 1) for i, v in enumerate(x)]
        if x is None or isinstance(x, str | bool):
            return x
        return _number(x, file, where)

    return Located(data=copy(data, (), 1), lines={}, file=file)


def _number(x: Any, file: str, where: str | None) -> int | float:
    if isinstance(x, Integral):
        return int(x)
    if isinstance(x, Real):
        return float(x)
    raise InputError(f"expected plain data (mappings, lists, text, numbers), got "
                     f"{type(x).__name__}", file=file, field=where)  # fmt: skip


def read_text(path: str | Path, *, named_at: Ref | None = None) -> str:
    """Read a regular UTF-8 text file of at most :data:`MAX_FILE_BYTES`.

    With ``named_at`` (a file reached through ``extends:`` or ``config:``) the file
    must also be a ``.yaml``/``.yml`` file outside the pseudo file systems, and a
    file that cannot be opened is reported at the place that names it.

    Raises:
        InputError: missing, unreadable, not a regular file, too large, not UTF-8.
    """
    p = Path(path)

    def fail(message: str) -> InputError:
        if named_at is not None:
            return InputError(f"{message}: {show_path(p)}", file=named_at.file,
                              line=named_at.line, field=named_at.field)  # fmt: skip
        return InputError(message, file=show_path(p))

    if named_at is not None:
        _check_reachable(p, fail)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except ValueError:
        raise fail("the file name contains a NUL byte") from None
    except OSError as exc:
        raise fail(_open_problem(exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise fail("is a directory, expected a YAML file")
        if not stat.S_ISREG(st.st_mode):
            raise fail(f"is not a regular file (a {file_kind(st.st_mode)}); expected a YAML file")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            block = os.read(fd, min(1 << 16, MAX_FILE_BYTES + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
    except OSError as exc:
        raise fail(f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise fail(f"the file is larger than the limit of {MAX_FILE_BYTES // 1024} KiB")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", file=show_path(p),
                         line=data.count(b"\n", 0, exc.start) + 1) from None  # fmt: skip


def _check_reachable(p: Path, fail: Any) -> None:
    """A file named by ``extends:``/``config:`` must be a YAML file outside /proc, /sys, /dev."""
    try:
        real = os.path.realpath(p)
    except ValueError:
        raise fail("the file name contains a NUL byte") from None
    except OSError as exc:
        raise fail(_open_problem(exc)) from None
    if any(real == root or real.startswith(root + "/") for root in FORBIDDEN_ROOTS):
        raise fail("only scenario and config files can be named here, not system files")
    if Path(real).suffix.lower() not in YAML_SUFFIXES or p.suffix.lower() not in YAML_SUFFIXES:
        raise fail("expected a .yaml or .yml file")


def _open_problem(exc: OSError) -> str:
    known = {
        errno.ENOENT: "file not found", errno.ENOTDIR: "file not found (a parent is not a folder)",
        errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
        errno.ENAMETOOLONG: "the file name is too long", errno.EACCES: "permission denied",
    }  # fmt: skip
    return known.get(exc.errno or 0, f"cannot open the file ({exc.strerror or 'error'})")


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is (FIFO, device, socket), from its mode."""
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):  # fmt: skip
        if test(mode):
            return name
    return "special file"


def show_path(p: Path) -> str:
    """The path as given, shortened when absurdly long, without control characters."""
    text = "".join(c if c.isprintable() else "?" for c in str(p))
    return text if len(text) <= 160 else text[:80] + "..." + text[-40:]


def load_file(path: str | Path, *, named_at: Ref | None = None) -> Located:
    """Read and parse a YAML file (see :func:`read_text` for what is refused)."""
    return loads(read_text(path, named_at=named_at), show_path(Path(path)))


def dumps(data: Any) -> str:
    """Serialise plain data as block-style YAML, keys in insertion order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
