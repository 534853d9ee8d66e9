"""Data files parsed by an earlier build, kept beside the output so that a build after a
small edit parses only the file that changed."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from generator import output
from generator.errors import Problem
from generator.load import Map, Seq


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
    shape found in it (see checked). Kept as JSON beside the output (never pickle: the
    folder may come from anywhere)."""

    FORMAT = 1

    def __init__(self, entries: dict[str, Any] | None = None):
        self.entries = entries or {}
        self.used: set[str] = set()
        self.added = False
        self.given: dict[int, tuple[Any, str]] = {}  # id of data given -> (the data, its key)

    @classmethod
    def read(cls, path: Path) -> ParseCache:
        try:
            data = json.loads(output.read_own(path.parent, path.name) or b"")
            if data.get("format") == cls.FORMAT and isinstance(data.get("files"), dict):
                return cls(data["files"])
        except (OSError, ValueError, AttributeError, RecursionError):
            pass
        return cls()

    def get(self, key: str) -> tuple[Any, list[Problem]] | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            data = json.loads(entry["data"], object_hook=_decode)
            problems = [Problem(**p) for p in entry["problems"]]
        except (ValueError, KeyError, TypeError, RecursionError):
            return None
        self.used.add(key)
        self.given[id(data)] = (data, key)
        return data, problems

    def put(self, key: str, data: Any, problems: list[Problem]) -> None:
        self.entries[key] = {"data": json.dumps(_encode(data)),
                             "problems": [asdict(p) for p in problems]}
        self.used.add(key)
        self.added = True
        self.given[id(data)] = (data, key)

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
        known = entry.get("checked")
        if isinstance(known, dict) and known.get("by") == label:
            try:
                return [Problem(**p) for p in known["problems"]]
            except (KeyError, TypeError):
                pass
        problems = check()
        entry["checked"] = {"by": label, "problems": [asdict(p) for p in problems]}
        self.added = True
        return problems

    def write(self, path: Path) -> bool:
        """Write the entries this run used, when they differ from what was read."""
        if not self.added and self.used == set(self.entries):
            return False
        files = {key: self.entries[key] for key in sorted(self.used)}
        path.write_text(json.dumps({"format": self.FORMAT, "files": files}),
                        encoding="utf-8")
        return True
