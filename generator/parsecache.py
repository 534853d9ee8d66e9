"""Data files parsed by an earlier build, kept beside the output so that a build after a
small edit parses only the file that changed.

One entry a data file, in a file of its own named by the digest of the data file's path and
bytes: a build writes the entries of the files it parsed (or checked) anew, and links the
others from the previous output, rather than rewriting every file's entry for one new month.
An entry holds the data as plain JSON, which the JSON decoder reads alone, and its marks (the
line and column of each mapping, key, value, list and item) apart, decoded only when something
asks where a value of that file is: a long history's results files hold hundreds of thousands
of values, and a build that finds nothing wrong in them points at none.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from generator import output
from generator.errors import Problem
from generator.load import Map, Pos, Seq

# A key path to a list in a file's data: mapping keys and list indexes.
_Path = list[str | int]
_NOWHERE = (1, 1)  # the mark of a value whose entry's marks are damaged


def _own(value: Any) -> list[int]:
    """The marks of a mapping or list itself, and of its keys and values or items."""
    found: list[int] = []
    if isinstance(value, Map):
        found += value.pos
        for key in value:
            found += value.key_pos[key]
            found += value.val_pos[key]
    elif isinstance(value, Seq):
        found += value.pos
        for pos in value.item_pos:
            found += pos
    return found


def _below(value: Any, found: list[int], seqs: list[_Path], path: _Path) -> None:
    """The marks of what value holds, each mapping's or list's own (see _own) and then what
    it holds, in the order _Marks.attach reads them; and the paths of the lists, each after
    the lists it holds (see _to_seq)."""
    items = value.items() if isinstance(value, Map) else enumerate(value)
    for key, item in items:
        if isinstance(item, (Map, Seq)):
            found += _own(item)
            _below(item, found, seqs, path + [key])
            if isinstance(item, Seq):
                seqs.append(path + [key])


class _Marked:
    """A mark of a cached mapping or list (pos, key_pos, val_pos, item_pos): every mark of
    its file is put in place when the first one is asked for (see _Marks)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        type(obj).marks.attach(obj)
        if self.name not in obj.__dict__:
            # A part of a file that outlived the rest (the model keeps `internal:` notes),
            # whose marks nothing asked for while the file was checked: its file's start.
            obj.__dict__[self.name] = (_NOWHERE if self.name == "pos" else
                                       [_NOWHERE for _ in obj] if self.name == "item_pos" else
                                       dict.fromkeys(obj, _NOWHERE))
        return obj.__dict__[self.name]


def _map(pos: Pos, key_pos: dict[str, Pos], val_pos: dict[str, Pos], items: dict[str, Any]) -> Map:
    result = Map(pos)
    result.update(items)
    result.key_pos, result.val_pos = key_pos, val_pos
    return result


def _seq(pos: Pos, item_pos: list[Pos], items: list[Any]) -> Seq:
    result = Seq(pos)
    result.extend(items)
    result.item_pos = item_pos
    return result


class _CachedMap(Map):
    """A mapping of a cached file: made by the JSON decoder itself (no marks to give it),
    its marks decoded when asked for. Each file has its own subclass, which knows the file's
    marks (_Marks.map). Copied or pickled, it is a Map."""

    marks: _Marks
    pos = _Marked()
    key_pos = _Marked()
    val_pos = _Marked()
    __init__ = dict.__init__

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return _map, (self.pos, self.key_pos, self.val_pos, dict(self))


class _CachedSeq(Seq):
    """A list of a cached file (see _CachedMap)."""

    marks: _Marks
    pos = _Marked()
    item_pos = _Marked()
    __init__ = list.__init__

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return _seq, (self.pos, self.item_pos, list(self))


class _Marks:
    """The marks of one cached file: those of its top level (where most problems of a results
    file are: its period, its publication date), and the others as JSON text until one of them
    is asked for."""

    def __init__(self, top: Any, text: bytes):
        self.top: list[int] | None = top
        self.text: bytes | None = text
        # The file's data, held weakly: its mappings and lists hold their type, which holds
        # this; held strongly, the whole file's data would be a cycle that only the cyclic
        # garbage collector frees (0.3 s, and its memory until then, in a long history).
        self.root: weakref.ref[Any] | None = None
        self.map = type("Map", (_CachedMap,), {"marks": self})
        self.seq = type("Seq", (_CachedSeq,), {"marks": self})

    def attach(self, asked: Any) -> None:
        """Put the marks of the top level on it, and when something below it is asked for,
        every other mark of the file on its mappings and lists. Damaged marks (the output
        folder may come from anywhere) point at the file's start, never stop the build."""
        root = self.root() if self.root is not None else None
        if root is None:
            return
        if self.top is not None:
            _attach(root, _pairs(self.top), self.map, self.seq)
            self.top = None
        if self.text is None or asked is root:
            return
        try:
            numbers = json.loads(self.text)
        except (ValueError, RecursionError):
            numbers = []
        self.text = None
        _attach_below(root, _pairs(numbers), self.map, self.seq)


def _pairs(numbers: Any) -> Iterator[Pos]:
    """Marks from a list of numbers (line, column, line, column...); (1, 1) for ever after
    them, or instead of them when they are not a list of whole numbers."""
    if not isinstance(numbers, list) or not all(type(n) is int for n in numbers):
        numbers = []
    each = iter(numbers)
    return itertools.chain(zip(each, each, strict=False), itertools.repeat(_NOWHERE))


def _attach(value: Any, marks: Iterator[Pos], map_type: Any, seq_type: Any) -> None:
    """The marks of value itself (see _own)."""
    take = marks.__next__
    if type(value) is map_type:
        value.pos = take()
        key_pos, val_pos = {}, {}
        for key in value:
            key_pos[key] = take()
            val_pos[key] = take()
        value.key_pos, value.val_pos = key_pos, val_pos
    elif type(value) is seq_type:
        value.pos = take()
        value.item_pos = [take() for _ in value]


def _attach_below(root: Any, marks: Iterator[Pos], map_type: Any, seq_type: Any) -> None:
    """The marks of what root holds, in the order of _below."""

    def below(value: Any) -> None:
        items = value.values() if type(value) is map_type else value
        for item in items:
            if type(item) is map_type or type(item) is seq_type:
                _attach(item, marks, map_type, seq_type)
                below(item)

    if type(root) is map_type or type(root) is seq_type:
        below(root)


@dataclass
class _Entry:
    """One file's entry: its header (problems, what the checks of its shape found, the paths
    of its lists), its data and its marks as JSON; written again only when changed."""

    header: dict[str, Any]
    data: bytes
    marks: bytes
    changed: bool = False

    def encode(self) -> bytes:
        return json.dumps(self.header).encode() + b"\n" + self.data + b"\n" + self.marks


@functools.cache
def _code() -> str:
    """Digest of Kept's code: what a file's checks say depends on it."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.relative_to(Path(__file__).parent).as_posix().encode() + b"\0"
                      + path.read_bytes())
    return digest.hexdigest()[:32]


class ParseCache:
    """Files parsed by an earlier build, by digest of their path and bytes, so that a build
    after a small edit parses only the file that changed; and what the checks of a file's
    shape found in it (see checked). Kept as JSON beside the output, one file an entry (never
    pickle: the folder may come from anywhere)."""

    FORMAT = 2

    def __init__(self, folder: Path | None = None):
        self.folder = folder  # where the previous build left its entries
        self.entries: dict[str, _Entry] = {}
        self.used: set[str] = set()
        self.given: dict[int, tuple[Any, str]] = {}  # id of data given -> (the data, its key)

    @classmethod
    def read(cls, folder: Path) -> ParseCache:
        """The entries in folder, each read when it is asked for."""
        return cls(folder)

    @property
    def added(self) -> bool:
        """Whether this run parsed or checked a file anew."""
        return any(self.entries[key].changed for key in self.used)

    def _entry(self, key: str) -> _Entry | None:
        if key in self.entries:
            return self.entries[key]
        if self.folder is None or not all(c in "0123456789abcdef" for c in key):
            return None
        # Read as inside the output folder: the entries' folder may be a link out of it.
        raw = output.read_own(self.folder.parent, f"{self.folder.name}/{key}.json")
        parts = raw.split(b"\n", 2) if raw is not None else []
        if len(parts) != 3:
            return None
        try:
            header = json.loads(parts[0])
        except (ValueError, RecursionError):
            return None
        if not isinstance(header, dict) or header.get("format") != self.FORMAT:
            return None
        self.entries[key] = _Entry(header, parts[1], parts[2])
        return self.entries[key]

    def get(self, key: str) -> tuple[Any, list[Problem]] | None:
        entry = self._entry(key)
        if entry is None:
            return None
        marks = _Marks(entry.header.get("top"), entry.marks)
        try:
            data = json.loads(entry.data, object_pairs_hook=marks.map)
            for path in entry.header["seqs"]:
                data = _to_seq(data, path, marks.seq)
            problems = [Problem(**p) for p in entry.header["problems"]]
        except (ValueError, KeyError, TypeError, IndexError, RecursionError):
            del self.entries[key]
            return None
        if isinstance(data, (Map, Seq)):
            marks.root = weakref.ref(data)
        self.used.add(key)
        self.given[id(data)] = (data, key)
        return data, problems

    def put(self, key: str, data: Any, problems: list[Problem]) -> None:
        found: list[int] = []
        seqs: list[_Path] = []
        if isinstance(data, (Map, Seq)):
            _below(data, found, seqs, [])
        if isinstance(data, Seq):
            seqs.append([])
        header = {"format": self.FORMAT, "problems": [asdict(p) for p in problems], "seqs": seqs,
                  "top": _own(data)}
        self.entries[key] = _Entry(header, json.dumps(data).encode(),
                                   json.dumps(found).encode(), changed=True)
        self.used.add(key)
        self.given[id(data)] = (data, key)

    def sound(self, name: str, raw: bytes) -> bool:
        """Whether an earlier build, with this Kept, read the file of these bytes (named name:
        its path and what it is) and found nothing wrong in it (see found_sound)."""
        key = _sound_key(name, raw)
        entry = self._entry(key)
        if entry is None or entry.header.get("sound") is not True:
            return False
        self.used.add(key)
        return True

    def found_sound(self, name: str, raw: bytes) -> None:
        """Remember that the file of these bytes was read and found sound: a file a build reads
        whole every time (a record of a long history) need not be checked again."""
        key = _sound_key(name, raw)
        self.entries[key] = _Entry({"format": self.FORMAT, "sound": True}, b"null", b"[]",
                                   changed=True)
        self.used.add(key)

    def checked(self, data: Any, name: str, check: Callable[[], list[Problem]]) -> list[Problem]:
        """What check (a check of data's shape, named name, that depends on nothing else)
        finds in data, a file's data this cache gave: found again only when the file or
        Kept's code changed. A long history's results files cost more to check than to
        parse."""
        given = self.given.get(id(data))
        if given is None or given[0] is not data:
            return check()
        entry = self.entries[given[1]]
        label = f"{name}:{_code()}"
        known = entry.header.get("checked")
        if isinstance(known, dict) and known.get("by") == label:
            try:
                return [Problem(**p) for p in known["problems"]]
            except (KeyError, TypeError):
                pass
        problems = check()
        entry.header["checked"] = {"by": label, "problems": [asdict(p) for p in problems]}
        entry.changed = True
        return problems

    def write(self, folder: Path) -> None:
        """Write the entries this run used into folder (a new one): those it parsed or
        checked anew, and links to the previous build's for the others."""
        folder.mkdir()
        for key in sorted(self.used):
            entry = self.entries[key]
            name = f"{key}.json"
            if not entry.changed and self.folder is not None:
                try:
                    os.link(self.folder / name, folder / name)
                    continue
                except OSError:
                    pass  # gone, or no links here: written again
            (folder / name).write_bytes(entry.encode())


def _sound_key(name: str, raw: bytes) -> str:
    return hashlib.sha256(f"sound\0{_code()}\0{name}\0".encode() + raw).hexdigest()


def _to_seq(data: Any, path: list[Any], seq_type: type) -> Any:
    """data with the list at path (a key path) made a Seq; lists are made Seqs after the
    lists they hold (see _below)."""
    if not path:
        if type(data) is not list:
            raise TypeError("not a list")
        return seq_type(data)
    holder = data
    for step in path[:-1]:
        holder = holder[step]
    if type(holder[path[-1]]) is not list:
        raise TypeError("not a list")
    holder[path[-1]] = seq_type(holder[path[-1]])
    return data
