"""latest/'s own files (the whole history's open data: static.latest_files) made again when a
month is published, with what did not change taken from the previous build's.

They hold every figure of every month, and a new month changes a few of them: a commitment's
results in a period (its rows in results.csv, its entry in commitments.json) whose inputs have
the digest they had are taken from the file the previous build made, at the place recorded
beside the output (INDEX), instead of being made again. An index is read only beside the
manifest of a build that was put in place whole (see install.TOP_FILES), and a part is taken
only when its text has the digest the index gives it: a damaged index or file makes the
parts again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from generator import files, output
from generator.compute import Row
from generator.model import Commitment, Period
from generator.opendata import COMMITMENTS_JSON, RESULTS_CSV
from generator.project import Edition

INDEX = ".kept-latest.json"  # by site, for each file: what it is, and where each part is
FORMAT = 2  # 2: by site (an audience's, in one language), not by audience
MADE = "index.json"  # the index of the files a build made, beside them (see builder)
FILES = (RESULTS_CSV, COMMITMENTS_JSON)
MAX_BYTES = 1024 * 1024 * 1024
# An index: by file, {"chars": its length, "parts": {key: [start, end, digest]}}; the places
# in characters of the file's text, the digest of each part's text (see _digest).
Index = dict[str, dict[str, Any]]


def read_index(out: Path) -> dict[str, Index]:
    """The index of each site's latest/ files, as the previous build recorded it."""
    try:
        data = json.loads(output.read_own(out, INDEX) or b"")
        if data.get("format") == FORMAT and isinstance(data.get("sites"), dict):
            return {str(k): v for k, v in data["sites"].items() if isinstance(v, dict)}
    except (ValueError, AttributeError, RecursionError):
        pass
    return {}


def gather(made: Path | None, sites: Iterable[str], before: Mapping[str, Index],
           planned: Mapping[str, list[Edition]]) -> dict[str, Index]:
    """The index to record: of the files this build made (in made/SITE), else of those it
    kept; none for a site without editions."""
    found = {site: index for site, index in before.items() if site not in sites}
    for site in sites:
        if not planned[site]:
            continue
        try:
            data = json.loads((made / site / MADE).read_bytes()) if made is not None else None
        except OSError:
            data = None
        if data is not None:
            found[site] = data
        elif site in before:
            found[site] = before[site]
    return found


def write_index(path: Path, sites: dict[str, Index]) -> None:
    path.write_text(json.dumps({"format": FORMAT, "sites": sites}, sort_keys=True,
                               separators=(",", ":")), encoding="utf-8")


class Digests(Protocol):
    """The build's digests of the model (plan.Digests)."""

    common: str

    def of(self, obj: Any) -> str: ...

    def period(self, period: Period) -> tuple[str, dict[str, str], str]: ...


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Reuse:
    """What an opendata.Reuse is, for the latest/ files of an edition: each part made, or
    taken from the previous build's file; and the index of the files made."""

    def __init__(self, digests: Digests, site: str, edition: Edition,
                 before: Path | None, index: Index):
        data = edition.dataset
        # What every part depends on besides its commitment and period: Kept and the
        # packages it builds with, the site, the organisation's names and locations.
        self.common = "\0".join([digests.common, site, digests.of(data.organization),
                                 digests.of(data.values), digests.of(data.locations)])
        self.digests = digests
        self.before = before
        self.index = index
        self.old: dict[str, tuple[str, dict[str, Any]] | None] = {}
        self.parts: dict[str, list[tuple[str, str, str | None]]] = {path: [] for path in FILES}

    def key(self, path: str, commitment: Commitment, row: Row) -> str:
        without, each, _ = self.digests.period(row.period)
        return hashlib.sha256("\0".join([
            path, self.common, self.digests.of(commitment), without,
            each.get(commitment.id, "-")]).encode()).hexdigest()[:32]

    def __call__(self, path: str, commitment: Commitment, row: Row,
                 make: Callable[[], str]) -> str:
        key = self.key(path, commitment, row)
        old = self._old(path)
        place = old[1].get(key) if old is not None else None
        if (old is not None and isinstance(place, list) and len(place) == 3
                and type(place[0]) is int and type(place[1]) is int
                and 0 <= place[0] <= place[1] <= len(old[0])):
            text = old[0][place[0]:place[1]]
            if _digest(text) == place[2]:
                self.parts[path].append((key, text, place[2]))
                return text
        text = make()
        self.parts[path].append((key, text, None))
        return text

    def _old(self, path: str) -> tuple[str, dict[str, Any]] | None:
        """The previous build's file and the places of its parts, when it is the file the
        index describes."""
        if path not in self.old:
            self.old[path] = None
            entry = self.index.get(path)
            if self.before is not None and isinstance(entry, dict) and isinstance(
                    entry.get("parts"), dict):
                try:
                    text = files.read_bytes(self.before, path, MAX_BYTES).decode("utf-8")
                except (files.Refused, UnicodeDecodeError):
                    text = None
                if text is not None and len(text) == entry.get("chars"):
                    self.old[path] = (text, entry["parts"])
        return self.old[path]

    def made(self, texts: Mapping[str, str]) -> Index:
        """The index of the files made of texts: where each part is."""
        found: Index = {}
        for path, parts in self.parts.items():
            text = texts.get(path)
            if text is None:
                continue
            places, at = {}, 0
            for key, part, digest in parts:
                start = text.find(part, at)
                if start < 0:
                    break  # not as it was written: nothing is taken from it
                places[key] = [start, start + len(part), digest or _digest(part)]
                at = start + len(part)
            else:
                found[path] = {"chars": len(text), "parts": places}
        return found
