"""Load YAML into plain data that remembers where every value came from.

Mappings become `Map` (a dict) and sequences `Seq` (a list); each knows the line and column of
itself and of every key and value it holds, so that later stages can point at the faulty value.
Scalars are plain Python values. Dates are kept as the text that was written, so that an
impossible date such as 2026-02-30 is reported by the validator at its place instead of
crashing the loader.

A number is what every YAML reader takes for the same number: decimal digits, with a sign, a
fraction and an exponent as wanted. The forms only YAML 1.1 reads as numbers (`2:30` as 150,
`0100` as 64, `0x10`, `0b11`, `1_000`) stay the text they are, as YAML 1.2 reads them, so
that a field that wants a number reports them instead of taking a figure nobody wrote; so do
`yes`, `no`, `on` and `off`, which only YAML 1.1 reads as true and false.

Everything that can go wrong while reading a file becomes a `Problem`, never an exception:
unreadable bytes, YAML syntax, duplicate keys (PyYAML silently keeps the last one), unsupported
tags, alias-expansion bombs and oversized or empty files.

`mkdocs.yml` is read as MkDocs reads it (YAML 1.1, its `!ENV` tag), but never runs anything: a
Python tag (`!!python/name:...`, `!!python/object/apply:...`) makes MkDocs' loader import or
call the code it names, and is a problem unless it names one of the few functions of Material
and pymdownx that their documentation configures this way (SAFE_PYTHON_NAMES), or the caller
trusts the file (python_tags).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from generator import files
from generator.errors import Problem
from generator.yamlsyntax import syntax_problem

Pos = tuple[int, int]  # 1-based line and column

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000  # after alias expansion: a few dozen kilobytes of anchors can mean gigabytes
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
# Decimal numbers, as YAML 1.2 writes them, without leading zeros (YAML 1.1 reads 0100 as octal).
NUMBER_RE = re.compile(r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NOT_FINITE_RE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False}
# Tags that PyYAML's resolver gives plain scalars by itself: read as text when not a number,
# a boolean or null as defined above.
_TEXT_TAGS = {_TAG + name for name in ("int", "float", "bool", "timestamp", "value", "merge")}
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


@dataclass(frozen=True)
class PythonObject:
    """In mkdocs.yml, what MkDocs' loader would make by running the Python a tag names."""

    tag: str  # as written: !!python/name:module.function


_PYTHON_TAG = _TAG + "python/"
_ENV_TAG, _RELATIVE_TAG = "!ENV", "!relative"
# The functions that Material's and pymdownx's documentation name with !!python/name: in
# mkdocs.yml (emoji, custom fences, slugs): importing them runs nothing of the repository's.
SAFE_PYTHON_NAMES = frozenset({
    "material.extensions.emoji.twemoji", "material.extensions.emoji.to_svg",
    "pymdownx.superfences.fence_code_format", "pymdownx.superfences.fence_div_format",
    "pymdownx.emoji.twemoji", "pymdownx.emoji.emojione", "pymdownx.emoji.gemoji",
    "pymdownx.emoji.to_svg", "pymdownx.emoji.to_png", "pymdownx.emoji.to_svg_sprite",
    "pymdownx.emoji.to_png_sprite", "pymdownx.emoji.to_alt",
    "pymdownx.slugs.uslugify", "pymdownx.slugs.uslugify_cased",
    "pymdownx.slugs.uslugify_encoded", "pymdownx.slugs.uslugify_cased_encoded",
})


class _Budget(Exception):
    """Raised inside the converter when a document expands beyond the limits."""

    def __init__(self, message: str, pos: Pos):
        super().__init__(message)
        self.pos = pos


def _pos(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    def __init__(self, path: str, mkdocs: bool = False, python_tags: bool = False):
        self.path = path
        self.mkdocs = mkdocs  # read as MkDocs does (see the module's docstring)
        self.python_tags = python_tags
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
        if self.mkdocs and (node.tag in (_ENV_TAG, _RELATIVE_TAG)
                            or node.tag.startswith(_PYTHON_TAG)):
            return self._mkdocs_tag(node, depth)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":  # !!set, !!omap, !!python/object...: not ours
                return self._unsupported(node)
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                return self._unsupported(node)
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
        tag = key_node.tag
        if self.mkdocs and (tag in (_ENV_TAG, _RELATIVE_TAG) or tag.startswith(_PYTHON_TAG)) and not (
                self.python_tags and tag.startswith(_PYTHON_TAG)):
            # MkDocs' loader reads keys as it reads values: a Python tag there imports or runs
            # the code it names as surely as on a value.
            shown = "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag
            self.problem(_pos(key_node), f"a key must be plain text, not tagged '{shown}'",
                         "remove the tag")
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

    def _unsupported(self, node: yaml.Node) -> None:
        shown = "!!" + node.tag[len(_TAG):] if node.tag.startswith(_TAG) else node.tag
        self.problem(_pos(node), f"unsupported YAML tag '{shown}'",
                     "write plain text, numbers, dates, lists and mappings only")

    def _mkdocs_tag(self, node: yaml.Node, depth: int) -> Any:
        """MkDocs' own tags, and Python tags, in mkdocs.yml: read without running anything."""
        if node.tag == _ENV_TAG:
            return self._env(node, depth)
        if node.tag == _RELATIVE_TAG:
            self.problem(_pos(node), "Kept does not support MkDocs' '!relative' tag: the pages "
                                     "it generates are not files beside mkdocs.yml",
                         "write the path itself, relative to the repository")
            return None
        shown = "!!" + node.tag[len(_TAG):]
        name = node.tag[len(_PYTHON_TAG + "name:"):] if node.tag.startswith(
            _PYTHON_TAG + "name:") else None
        if self.python_tags or (name in SAFE_PYTHON_NAMES and isinstance(node, yaml.ScalarNode)
                                and not node.value):
            return PythonObject(shown)
        self.problem(_pos(node), f"the Python tag '{shown}' makes MkDocs run the code it names; "
                                 "Kept refuses Python tags",
                     "if mkdocs.yml is trusted (its changes reviewed like code), run kept with "
                     "--allow-python-tags")
        return None

    def _env(self, node: yaml.Node, depth: int) -> Any:
        """`!ENV NAME` or `!ENV [NAME, OTHER, default]`: the first variable set, read as a YAML
        scalar (as the pyyaml-env-tag package that MkDocs uses does), else the default."""
        default: Any = None
        names = [node]
        if isinstance(node, yaml.SequenceNode):
            names = list(node.value)
            if len(names) > 1:
                default = self.convert(names.pop(), depth + 1)
        if isinstance(node, yaml.MappingNode) or not all(
                isinstance(n, yaml.ScalarNode) for n in names):
            self.problem(_pos(node), "'!ENV' takes the name of an environment variable, or a list "
                                     "of names with a default value last")
            return None
        for name in names:
            value = os.environ.get(str(name.value))
            if value is not None:
                tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
                return self._scalar(yaml.ScalarNode(tag, value, node.start_mark, node.end_mark))
        return default

    def _scalar(self, node: yaml.Node) -> Any:
        tag, text = node.tag, str(node.value)
        if tag == _TAG + "str":
            return text
        if tag == _TAG + "null":
            return None
        if self.mkdocs:
            return self._yaml11_scalar(node)
        if tag in (_TAG + "int", _TAG + "float") and NUMBER_RE.fullmatch(text):
            return number(text)
        if tag == _TAG + "float" and _NOT_FINITE_RE.fullmatch(text):
            return float(text.replace(".", "", 1))  # rejected where a number is expected
        if tag == _TAG + "bool" and text in _BOOLEANS:
            return _BOOLEANS[text]
        if tag in _TEXT_TAGS:
            return text  # a date is checked by the validator, where one is expected
        self.problem(
            _pos(node),
            f"unsupported YAML tag '{tag}'",
            "write plain text, numbers, dates, lists and mappings only",
        )
        return None


    def _yaml11_scalar(self, node: yaml.Node) -> Any:
        """A scalar as MkDocs' loader (PyYAML, YAML 1.1) reads it."""
        construct = {
            _TAG + "timestamp": self._constructor.construct_yaml_timestamp,
            _TAG + "bool": self._constructor.construct_yaml_bool,
            _TAG + "int": self._constructor.construct_yaml_int,
            _TAG + "float": self._constructor.construct_yaml_float,
        }.get(node.tag)
        if construct is None:
            return self._unsupported(node)
        try:
            return construct(node)  # type: ignore[arg-type]
        except (ValueError, yaml.YAMLError):
            kind = {"timestamp": "date", "int": "number", "float": "number"}.get(
                node.tag[len(_TAG):], "boolean")
            self.problem(_pos(node), f"MkDocs cannot read '{str(node.value)[:60]}' as a {kind}",
                         "put it in quotes to make it text")
            return None


def position(data: Any, keys: Sequence[str | int], on_key: bool = False) -> Pos:
    """Where a path of keys leads in loaded data, for pointing at what a problem is about.

    A name under a list picks the item with that `id`, a number the item at that index. When
    the path ends early, the deepest key that exists is the answer (the mapping that lacks the
    rest); a plain number where a mapping was expected (`leeds: 3.1` for `leeds: {value:
    ...}`) is its own answer.
    """
    node, here, key_here = data, (1, 1), (1, 1)
    for name in keys:
        if isinstance(node, Seq):
            index = _index_of(node, name)
            if index is None:
                return key_here
            here = key_here = node.item_pos[index]
            node = node[index]
            continue
        if not isinstance(node, Map) or not isinstance(name, str):
            return here
        if name not in node:
            return key_here
        here, key_here, node = node.val_pos[name], node.key_pos[name], node[name]
    return key_here if on_key else here


def _index_of(items: Seq, ident: str | int) -> int | None:
    if isinstance(ident, int):
        return ident if 0 <= ident < len(items) else None
    return next((i for i, item in enumerate(items)
                 if isinstance(item, Map) and item.get("id") == ident), None)
def number(text: str) -> int | float:
    """The value of a decimal number (see NUMBER_RE): whole numbers stay whole. One of more
    digits than Python turns into an int is read as a float, that is infinite."""
    if not any(c in text for c in ".eE"):
        try:
            return int(text)
        except ValueError:
            pass
    return float(text)


def _offset_pos(raw: bytes, offset: int) -> Pos:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return (line, col)


# A line's block structure: its indentation, then the indicators that open a block collection
# on the same line ("- - ", "? ", ": "), with any anchor or tag between them.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:(?:[-?:]|[&!][^ \t\n]*)(?:[ \t]+|$))*", re.M)
# Nesting below which libyaml's composer is safe whatever the stack it runs on (a thread's may
# be a quarter of the main one's); it crashed the process from about 30,000 levels.
_SAFE_NESTING = 1000


def _deep_nesting(text: str, path: str, loader: Any) -> Problem | None:
    """Where the text nests collections deeper than MAX_DEPTH, before a composer sees it.

    libyaml's composer recurses in C, once a level: a few tens of thousands of '[' (80 KB)
    overflow the stack and kill the process, which no `except` catches. A cheap bound comes
    first: a flow collection opens with '[' or '{', and a block collection starts, on its line,
    at most where the line's indicators end (a child further right than its parent, but for a
    sequence under a mapping's key); only past the bound are the parser's events counted,
    which costs several times the composing."""
    longest = max((len(m) for m in _BLOCK_PREFIX.findall(text)), default=0)
    if text.count("[") + text.count("{") + 2 * longest + 2 <= _SAFE_NESTING:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH + 1:  # as convert counts: the root is at depth 0
                    mark = event.start_mark
                    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    return Problem(path, line, col,
                                   f"the document nests deeper than {MAX_DEPTH} levels",
                                   "write lists and mappings a few levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # the composer reports it, having read no deeper than this
    return None


def nests_too_deeply(text: str | bytes) -> bool:
    """Whether YAML text nests collections too deeply for any of Kept's readers (see
    _deep_nesting): such a text must not reach a YAML composer."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return _deep_nesting(text, "", _LOADER) is not None


def load_text(text: str, path: str, mkdocs: bool = False,
              python_tags: bool = False) -> tuple[Any, list[Problem]]:
    """Parse YAML text; return the located data and every problem found. With mkdocs, read it
    as MkDocs' config (see the module's docstring); with python_tags, accept every Python tag
    there too."""
    converter = _Converter(path, mkdocs, python_tags)
    # mkdocs.yml is parsed by the parser MkDocs uses, PyYAML's own: libyaml's takes a few
    # things (a tab after a key) that PyYAML's refuses.
    loader = yaml.SafeLoader if mkdocs else _LOADER
    deep = _deep_nesting(text, path, loader)
    if deep is not None:
        return None, [deep]
    try:
        nodes = list(yaml.compose_all(text, Loader=loader))
    except yaml.MarkedYAMLError as exc:
        return None, [syntax_problem(text, path, exc, loader)]
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


class Cache(Protocol):
    """Where load_file keeps what it parsed, by digest of the path and the bytes (see
    parsecache.ParseCache)."""

    def get(self, key: str) -> tuple[Any, list[Problem]] | None: ...

    def put(self, key: str, data: Any, problems: list[Problem]) -> None: ...


def load_file(root: Path, relpath: str, cache: Cache | None = None,
              mkdocs: bool = False, python_tags: bool = False) -> tuple[Any, list[Problem]]:
    """Read and parse one file under root (a regular file inside it: see files.read_bytes),
    checking its size and encoding first (see load_text for mkdocs and python_tags; such a
    file is not cached: `!ENV` reads the environment)."""
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
    if cache is None or mkdocs:
        return load_text(text, relpath, mkdocs, python_tags)
    key = hashlib.sha256(relpath.encode() + b"\0" + raw).hexdigest()
    found = cache.get(key)
    if found is None:
        found = load_text(text, relpath)
        cache.put(key, *found)
    return found
