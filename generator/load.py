"""Load YAML into plain data that remembers where every value came from.

Mappings become `Map` (a dict) and sequences `Seq` (a list); each knows the line and column of
itself and of every key and value it holds, so that later stages can point at the faulty value.
Scalars are plain Python values. Dates are kept as the text that was written, so that an
impossible date such as 2026-02-30 is reported by the validator at its place instead of
crashing the loader.

Everything that can go wrong while reading a file becomes a `Problem`, never an exception:
unreadable bytes, YAML syntax, duplicate keys (PyYAML silently keeps the last one), unsupported
tags, alias-expansion bombs and oversized or empty files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import files, output
from generator.errors import Problem

Pos = tuple[int, int]  # 1-based line and column

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000  # after alias expansion: a few dozen kilobytes of anchors can mean gigabytes
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
# libyaml's parser and composer are many times faster; both keep line and column marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Map(dict):
    """A YAML mapping: a dict whose keys are the text written in the file."""

    pos: Pos
    key_pos: dict[str, Pos]
    val_pos: dict[str, Pos]

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos
        self.key_pos = {}
        self.val_pos = {}


class Seq(list):
    """A YAML sequence: a list that knows the position of each item."""

    pos: Pos
    item_pos: list[Pos]

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos
        self.item_pos = []


@dataclass(frozen=True)
class Document:
    """One loaded file: its path relative to the root, and its top-level value."""

    path: str
    data: Any


class _Budget(Exception):
    """Raised inside the converter when a document expands beyond the limits."""

    def __init__(self, message: str, pos: Pos):
        super().__init__(message)
        self.pos = pos


def _pos(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.nodes = 0
        self._constructor = yaml.SafeLoader("")

    def problem(self, pos: Pos, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], message, hint))

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Budget(
                f"the document expands to more than {MAX_NODES} values (anchors and aliases "
                "repeated inside each other?)",
                _pos(node),
            )
        if depth > MAX_DEPTH:
            raise _Budget(
                f"the document nests deeper than {MAX_DEPTH} levels (an alias that contains itself?)",
                _pos(node),
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            seq = Seq(_pos(node))
            for item in node.value:
                seq.append(self.convert(item, depth + 1))
                seq.item_pos.append(_pos(item))
            return seq
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, depth: int) -> Map:
        result = Map(_pos(node))
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged.extend(self._merge_pairs(value_node))
                continue
            self._put(result, key_node, value_node, depth, explicit=True)
        for key_node, value_node in merged:
            self._put(result, key_node, value_node, depth, explicit=False)
        return result

    def _merge_pairs(self, value_node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.problem(_pos(source), "a merge key '<<' takes a mapping or a list of mappings")
                continue
            pairs.extend(source.value)
        return pairs

    def _put(
        self, result: Map, key_node: yaml.Node, value_node: yaml.Node, depth: int, explicit: bool
    ) -> None:
        if not isinstance(key_node, yaml.ScalarNode):
            self.problem(_pos(key_node), "a key must be plain text, not a list or mapping")
            return
        key = str(key_node.value)
        if key in result:
            if explicit:
                first = result.key_pos[key]
                self.problem(
                    _pos(key_node),
                    f"duplicate key '{key}' (first at line {first[0]})",
                    "a mapping holds each key once: remove or merge one of them",
                )
            return
        result[key] = self.convert(value_node, depth + 1)
        result.key_pos[key] = _pos(key_node)
        result.val_pos[key] = _pos(value_node)

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _TAG + "str":
            return node.value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "timestamp":
            return node.value  # checked as a date by the validator, where it is expected
        construct = {
            _TAG + "bool": self._constructor.construct_yaml_bool,
            _TAG + "int": self._constructor.construct_yaml_int,
            _TAG + "float": self._constructor.construct_yaml_float,
        }.get(tag)
        if construct is None:
            self.problem(
                _pos(node),
                f"unsupported YAML tag '{tag}'",
                "write plain text, numbers, dates, lists and mappings only",
            )
            return None
        try:
            return construct(node)  # type: ignore[arg-type]
        except (ValueError, yaml.YAMLError):
            self.problem(_pos(node), f"cannot read '{node.value}' as a {tag[len(_TAG):]}")
            return None


def _offset_pos(raw: bytes, offset: int) -> Pos:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return (line, col)


def load_text(text: str, path: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; return the located data and every problem found."""
    converter = _Converter(path)
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, [
            Problem(path, line, col, f"YAML syntax error: {detail}", "check indentation and quoting")
        ]
    except yaml.YAMLError as exc:  # errors without a mark, e.g. unreadable characters
        return None, [Problem(path, 1, 1, f"YAML error: {exc}")]
    except RecursionError:
        return None, [Problem(path, 1, 1, "the document nests too deeply to read")]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [Problem(path, 1, 1, "the file is empty", "it must hold a YAML mapping")]
    if len(nodes) > 1:
        return None, [
            Problem(path, *_pos(nodes[1]), "the file holds more than one YAML document",
                    "remove the '---' separator and merge the documents")
        ]
    try:
        data = converter.convert(nodes[0])
    except _Budget as exc:
        return None, [Problem(path, exc.pos[0], exc.pos[1], str(exc))]
    return data, converter.problems


def _encode(value: Any) -> Any:
    """Located data as JSON: mappings and sequences become objects that keep their marks."""
    if isinstance(value, Map):
        return {"m": value.pos, "k": [[k, value.key_pos[k], value.val_pos[k], _encode(v)]
                                      for k, v in value.items()]}
    if isinstance(value, Seq):
        return {"s": value.pos, "i": [[pos, _encode(v)] for pos, v in zip(value.item_pos, value, strict=True)]}
    return value


def _decode(obj: dict[str, Any]) -> Any:
    if "m" in obj:
        result = Map(tuple(obj["m"]))
        for key, key_pos, val_pos, value in obj["k"]:
            result[key] = value
            result.key_pos[key] = tuple(key_pos)
            result.val_pos[key] = tuple(val_pos)
        return result
    seq = Seq(tuple(obj["s"]))
    for pos, value in obj["i"]:
        seq.append(value)
        seq.item_pos.append(tuple(pos))
    return seq


class ParseCache:
    """Files parsed by an earlier build, by digest of their path and bytes, so that a build
    after a small edit parses only the file that changed. Kept as JSON beside the output
    (never pickle: the folder may come from anywhere)."""

    FORMAT = 1

    def __init__(self, entries: dict[str, Any] | None = None):
        self.entries = entries or {}
        self.used: set[str] = set()
        self.added = False

    @classmethod
    def read(cls, path: Path) -> ParseCache:
        try:
            data = json.loads(output.read_own(path.parent, path.name) or b"")
            if data.get("format") == cls.FORMAT and isinstance(data.get("files"), dict):
                return cls(data["files"])
        except (OSError, ValueError, AttributeError):
            pass
        return cls()

    def get(self, key: str) -> tuple[Any, list[Problem]] | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            data = json.loads(entry["data"], object_hook=_decode)
            problems = [Problem(**p) for p in entry["problems"]]
        except (ValueError, KeyError, TypeError):
            return None
        self.used.add(key)
        return data, problems

    def put(self, key: str, data: Any, problems: list[Problem]) -> None:
        self.entries[key] = {"data": json.dumps(_encode(data)),
                             "problems": [asdict(p) for p in problems]}
        self.used.add(key)
        self.added = True

    def write(self, path: Path) -> bool:
        """Write the entries this run used, when they differ from what was read."""
        if not self.added and self.used == set(self.entries):
            return False
        files = {key: self.entries[key] for key in sorted(self.used)}
        path.write_text(json.dumps({"format": self.FORMAT, "files": files}),
                        encoding="utf-8")
        return True


def load_file(root: Path, relpath: str,
              cache: ParseCache | None = None) -> tuple[Any, list[Problem]]:
    """Read and parse one file under root (a regular file inside it: see files.read_bytes),
    checking its size and encoding first."""
    try:
        raw = files.read_bytes(root, relpath, MAX_FILE_BYTES)
    except files.Refused as exc:
        return None, [exc.problem]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _offset_pos(raw, exc.start)
        return None, [
            Problem(relpath, line, col, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                    "save it as UTF-8")
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line, col = _offset_pos(raw, raw.index(b"\x00"))
        return None, [Problem(relpath, line, col, "the file contains a NUL byte; is it text?")]
    if cache is None:
        return load_text(text, relpath)
    key = hashlib.sha256(relpath.encode() + b"\0" + raw).hexdigest()
    found = cache.get(key)
    if found is None:
        found = load_text(text, relpath)
        cache.put(key, *found)
    return found
