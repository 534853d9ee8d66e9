"""Published records: what each public edition stated, so that it never changes silently.

`kept publish` writes the period's record, `results/records/PERIOD.json`: every fact its
public edition states (each commitment's title, promise, target, unit and direction in force,
its value, sample, status, location figures and explanation; the summary, the highlights and
the improvements), as canonical JSON. `kept validate` derives the same facts from today's data
and compares: a difference is an error unless a correction of that period names it in its
`changes`, and the edition then shows the correction with the old value (from the record) and
the new one.

Records are compared as plain data (what `json` reads), so the facts are plain data too:
mappings keyed by id, lists, text, numbers and null. The comparison's problems are said by
`published`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generator import files
from generator.compute import Status, as_of, status
from generator.errors import Problem
from generator.kinds import SLUG_RE, parse_date
from generator.load import Pos, load_text, position
from generator.model import Amendment, Dataset, Period
from generator.periods import SHAPE_RE
from generator.project import project

RECORDS = "results/records"
FORMAT = 1
MAX_RECORD_BYTES = 8 * 1024 * 1024

# Facts of a commitment that come from commitments.yml (as revised by the period's end), and
# the `previous:` key a revision gives each of them (None: no revision can change it).
COMMITMENT_FACTS = {"title": "title", "promise": "promise", "target": "target",
                    "measure": "name", "definition": "definition", "threshold": "threshold",
                    "guarantee": "guarantee",
                    "unit": None, "direction": None, "since": None, "retired": None}
METRIC_KEYS = {"target": ("metric", "target"), "unit": ("metric", "unit"),
                "direction": ("metric", "direction"), "measure": ("metric", "name"),
                "definition": ("metric", "definition"), "threshold": ("metric", "threshold")}


def record_path(period_id: str) -> str:
    return f"{RECORDS}/{period_id}.json"


# --- facts --------------------------------------------------------------------------------------


def period_facts(data: Dataset, period: Period) -> dict[str, Any]:
    """What an edition of `data` (already projected for its audience) states of `period`."""
    commitments = {}
    for c in data.commitments:
        if not c.active_during(period.start, period.end):
            continue
        stood = as_of(c, period.end)
        metric = stood.metric  # None for a promise in words
        m = period.measurements.get(c.id)
        commitments[c.id] = {
            "title": stood.title, "promise": stood.promise,
            "target": metric.target if metric else None,
            "unit": metric.unit if metric else None,
            "direction": metric.direction.value if metric else None,
            "measure": metric.name if metric else None,
            "definition": metric.definition if metric else None,
            "threshold": {"value": metric.threshold.value, "unit": metric.threshold.unit}
            if metric and metric.threshold else None,
            "guarantee": {"remedy": stood.guarantee.remedy, "automatic": stood.guarantee.automatic}
            if stood.guarantee else None,
            "guarantee_figures": {"breaches": m.guarantee.breaches, "paid": m.guarantee.paid,
                                  "amount": m.guarantee.amount}
            if m and m.guarantee else None,
            "recovery": {"action": m.recovery.action, "by": m.recovery.by}
            if m and m.recovery else None,
            "since": c.since.isoformat(),
            "retired": c.retired.isoformat() if c.retired and c.retired <= period.end else None,
            "status": status(c, period).css,
            "value": m.value if m else None,
            "sample": m.sample if m else None,
            "explanation": m.explanation if m else None,
            "locations": {lid: {"value": f.value, "sample": f.sample}
                          for lid, f in sorted(m.locations.items())} if m else {},
        }
    return {
        "format": FORMAT,
        "period": period.id,
        "published": period.published.isoformat() if period.published else None,
        "summary": period.summary,
        "highlights": list(period.highlights),
        "commitments": commitments,
        "improvements": {i.id: {"date": i.date.isoformat(), "title": i.title,
                                "you_said": i.you_said, "we_did": i.we_did,
                                "commitments": list(i.commitments),
                                "feedback": {"source": i.feedback_source,
                                             "count": i.feedback_count},
                                "delivers": i.delivers}
                         for i in period.improvements},
        "planned": {p.id: {"title": p.title, "you_said": p.you_said, "we_will": p.we_will,
                           "by": p.by, "commitments": list(p.commitments)}
                    for p in period.planned},
    }


def published_facts(dataset: Dataset, audience: str = "public") -> Mapping[str, dict[str, Any]]:
    """The facts of every published period, by id, as the audience's editions state them;
    each made when first asked for (a long history's are every figure of every month, and
    a period without a record is compared with nothing)."""
    return _Facts(project(dataset, audience))


class _Facts(Mapping[str, dict[str, Any]]):
    def __init__(self, seen: Dataset):
        self.seen = seen
        self.periods = {p.id: p for p in seen.periods if p.published is not None}
        self.made: dict[str, dict[str, Any]] = {}

    def __getitem__(self, pid: str) -> dict[str, Any]:
        if pid not in self.made:
            self.made[pid] = period_facts(self.seen, self.periods[pid])
        return self.made[pid]

    def __contains__(self, pid: object) -> bool:
        return pid in self.periods

    def __iter__(self) -> Iterator[str]:
        return iter(self.periods)

    def __len__(self) -> int:
        return len(self.periods)


def canonical(facts: dict[str, Any]) -> str:
    """The record's text: the same facts always give the same bytes."""
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


# --- reading records ----------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_Spec = Any  # "text", "text?", "number", "number?", "count?", "date", list, dict or ("map", spec)
_FIGURE = {"value": "number?", "sample": "count?"}
_COMMITMENT = {"title": "text", "promise": "text", "target": "number?", "unit": "text?",
               "direction": ("enum", ("lower", "higher", None)), "measure": "text?",
               "definition": "text?", "since": "date", "retired": "date?",
               "threshold": ("optional", {"value": "number", "unit": "text"}),
               "guarantee": ("optional", {"remedy": "text", "automatic": "flag"}),
               "guarantee_figures": ("optional", {"breaches": "count", "paid": "count",
                                                  "amount": "number?"}),
               "recovery": ("optional", {"action": "text", "by": "text"}),
               "status": ("enum", tuple(s.css for s in Status)), "value": "number?",
               "sample": "count?", "explanation": "text?", "locations": ("map", _FIGURE)}
_IMPROVEMENT = {"date": "date", "title": "text", "you_said": "text", "we_did": "text",
                "commitments": ["id"], "feedback": {"source": "text?", "count": "count?"},
                "delivers": "id?"}
_PLANNED = {"title": "text", "you_said": "text", "we_will": "text", "by": "text",
            "commitments": ["id"]}
_RECORD = {"format": ("enum", (FORMAT,)), "period": "text", "published": "date",
           "summary": "text?", "highlights": ["text"], "commitments": ("map", _COMMITMENT),
           "improvements": ("map", _IMPROVEMENT), "planned": ("map", _PLANNED)}


def _shape(value: Any, spec: _Spec) -> tuple[tuple[str | int, ...], str] | None:
    """The first place (keys from value) where value does not have the record's shape, and
    what is wrong. The place is made only for what is wrong: a long history's records hold
    every figure of every month."""
    if isinstance(spec, str):
        optional = spec.endswith("?")
        kind = spec.rstrip("?")
        if value is None:
            return None if optional else ((), "must not be null")
        if kind == "text" and not isinstance(value, str):
            return (), "must be text"
        if isinstance(value, str) and _SURROGATE.search(value):
            return (), "holds a character that is not Unicode text (a lone surrogate)"
        if kind == "id" and not (isinstance(value, str) and SLUG_RE.fullmatch(value)):
            return (), "must be an id"
        if kind == "date" and parse_date(value) is None:
            return (), "must be a date written YYYY-MM-DD"
        if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return (), "must be a number"
        if kind == "count" and (isinstance(value, bool) or not isinstance(value, int)):
            return (), "must be a whole number"
        if kind == "flag" and not isinstance(value, bool):
            return (), "must be true or false"
        return None
    if isinstance(spec, list):
        if not isinstance(value, list):
            return (), "must be a list"
        for index, item in enumerate(value):
            if found := _shape(item, spec[0]):
                return (index, *found[0]), found[1]
        return None
    if isinstance(spec, tuple) and spec[0] == "optional":
        return None if value is None else _shape(value, spec[1])
    if isinstance(spec, tuple) and spec[0] == "enum":
        return None if value in spec[1] and not isinstance(value, bool) else (
            (), f"must be one of {', '.join(map(str, spec[1]))}")
    if not isinstance(value, dict):
        return (), "must be a mapping"
    if isinstance(spec, tuple):  # ("map", spec): ids, each to a value of spec
        for key, item in value.items():
            if not SLUG_RE.fullmatch(key):
                return (key,), "is not an id"
            if found := _shape(item, spec[1]):
                return (key, *found[0]), found[1]
        return None
    for key in value:
        if key not in spec:
            return (key,), f"unknown key '{key}'"
    for key, sub in spec.items():
        if key not in value:
            return (), f"lacks the key '{key}'"
        if found := _shape(value[key], sub):
            return (key, *found[0]), found[1]
    return None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        twice = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"the key '{twice}' appears twice in one object")
    return dict(pairs)


def _located(text: str, rel: str, keys: Sequence[str | int]) -> Pos:
    """Where keys lead in the record's text (JSON is YAML: the located loader reads it)."""
    data, _ = load_text(text, rel)
    return position(data, keys) if data is not None else (1, 1)


def located(root: Path, rel: str, keys: Sequence[str | int]) -> Pos:
    """Where keys lead in the record file rel under root."""
    try:
        return _located(files.read_bytes(root, rel, MAX_RECORD_BYTES).decode("utf-8"), rel, keys)
    except (files.Refused, UnicodeDecodeError):
        return (1, 1)


class Sound(Protocol):
    """What an earlier build found sound, by the bytes of the file (parsecache.ParseCache)."""

    def sound(self, name: str, raw: bytes) -> bool: ...

    def found_sound(self, name: str, raw: bytes) -> None: ...


def read_record(root: Path, rel: str,
                cache: Sound | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A record file's facts, or the problems that make it unreadable. A record an earlier
    build found sound (cache) is read without its checks: a long history's records are every
    figure of every month, read by every build."""
    hint = (f"a record is written by `kept publish` or `kept record`; restore {rel} from git "
            "(git checkout -- FILE)")
    try:  # as every file: a regular file inside the repository, no larger than the cap
        raw = files.read_bytes(root, rel, MAX_RECORD_BYTES)
    except files.Refused as exc:
        return None, [exc.problem]
    name = f"record:{rel}"
    if cache is not None and cache.sound(name, raw):
        try:
            data = json.loads(raw)
            if isinstance(data, dict):
                return data, []
        except (ValueError, RecursionError):
            pass  # not what was found sound: read it as any record
    data, problems = _read_record(rel, raw, hint)
    if cache is not None and not problems:
        cache.found_sound(name, raw)
    return data, problems


def _read_record(rel: str, raw: bytes, hint: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as exc:
        return None, [Problem(rel, 1, 1, f"the record is not UTF-8 text (byte {exc.start})", hint)]
    except json.JSONDecodeError as exc:
        return None, [Problem(rel, exc.lineno, exc.colno, f"the record is not valid JSON: {exc.msg}",
                              hint)]
    except (ValueError, RecursionError) as exc:
        return None, [Problem(rel, 1, 1, f"the record is not valid: {exc}", hint)]
    wrong = _shape(data, _RECORD)
    if wrong is None and data["period"] != Path(rel).stem:
        wrong = (("period",), f"must be '{Path(rel).stem}', the period the file is named after")
    if wrong is not None:
        keys, what = wrong
        where = ".".join(str(k) for k in keys) or "the record"
        line, col = _located(text, rel, keys)
        return None, [Problem(rel, line, col, f"{where} {what}", hint)]
    return data, []


def folder_outside(root: Path) -> Problem | None:
    """The problem with the records' folder when it (or results/, whose problem the check of
    the results files says) links outside the repository: records would be read from there,
    and `kept record` would write there."""
    real_root = os.path.realpath(root)
    for rel in (RECORDS.split("/")[0], RECORDS):
        folder = root / rel
        if os.path.lexists(folder) and not files.within(real_root, os.path.realpath(folder)):
            return Problem(rel, 1, 1, "the folder is a link to a folder outside the repository",
                           "put the records themselves here" if rel == RECORDS
                           else "put the results files themselves here")
    return None


def read_records(root: Path, cache: Sound | None = None
                 ) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[Problem]]:
    """Every record under root, by period id, with its path; and the problems of the files
    that are not readable records (see read_record for cache)."""
    folder = root / RECORDS
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    problems: list[Problem] = []
    outside = folder_outside(root)
    if outside is not None:  # results/ itself is said by the check of the results files
        return found, [outside] if outside.path == RECORDS else []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.iterdir()):
        rel = f"{RECORDS}/{path.name}"
        if path.name.startswith("."):
            continue
        if path.suffix != ".json" or not SHAPE_RE.fullmatch(path.stem) or not path.is_file():
            problems.append(Problem(rel, 1, 1, f"'{path.name}' is not a record",
                                    f"{RECORDS}/ holds only records named PERIOD.json, "
                                    "written by `kept publish` and `kept record`: move it away"))
            continue
        data, trouble = read_record(root, rel, cache)
        problems += trouble
        if data is not None:
            found[path.stem] = (rel, data)
    return found, problems


# --- comparing ----------------------------------------------------------------------------------


class _Absent:
    """What a record or today's data does not have at all (unlike null)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Difference:
    """A fact that differs between a record and today's data: keys lead to it in the facts."""

    keys: tuple[str, ...]
    old: Any
    new: Any

    def names(self) -> set[str]:
        """The names a correction's `changes` may give this difference."""
        head = self.keys[0]
        if head in ("summary", "highlights"):
            return {head}
        if head in ("improvements", "planned") and len(self.keys) > 1:
            return {self.keys[1]}
        if head == "commitments" and len(self.keys) > 1:
            if len(self.keys) > 3 and self.keys[2] == "locations":
                return {self.keys[1], f"{self.keys[1]}@{self.keys[3]}"}
            return {self.keys[1]}
        return set()  # the period or its publication date: nothing corrects those


_KEYED = ("commitments", "improvements", "planned", "locations")


def differences(old: Any, new: Any, keys: tuple[str, ...] = ()) -> list[Difference]:
    """Every fact that differs, in a stable order. The record, its collections (commitments,
    improvements, figures by location) and their members are compared key by key; any other
    fact (a text, a number, a list, a threshold) as a whole."""
    entity = not keys or keys[-1] in _KEYED or (len(keys) > 1 and keys[-2] in _KEYED)
    if isinstance(old, dict) and isinstance(new, dict) and entity:
        found = []
        for key in sorted(set(old) | set(new)):
            a, b = old.get(key, ABSENT), new.get(key, ABSENT)
            if (a is ABSENT or b is ABSENT) and keys and keys[-1] not in _KEYED:
                found.append(Difference((*keys, key), a, b))
            else:
                found += differences(a, b, (*keys, key))
        return found
    if isinstance(old, str) and isinstance(new, str) and old.strip() == new.strip():
        return []  # written another way (a folded block adds a line break), read the same
    if old == new and type(old) is type(new) or (_number(old) and _number(new) and old == new):
        return []
    return [Difference(keys, old, new)]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _frozen(value: Any) -> Any:
    """A fact as a hashable value of the model (lists become tuples)."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return None if value is ABSENT else value


def amendment(difference: Difference, subject: str) -> Amendment:
    keys = difference.keys
    old, new = _frozen(difference.old), _frozen(difference.new)
    if keys[0] == "commitments":
        cid = keys[1]
        if len(keys) == 2:
            return Amendment(subject, "applies", difference.old is not ABSENT,
                             difference.new is not ABSENT, commitment=cid)
        if keys[2] == "locations":
            lid = keys[3]
            if len(keys) == 4:  # the whole figure came or went
                old = None if difference.old is ABSENT else difference.old["value"]
                new = None if difference.new is ABSENT else difference.new["value"]
            field = keys[4] if len(keys) > 4 else "value"
            return Amendment(subject, field, old, new, commitment=cid, location=lid)
        return Amendment(subject, keys[2], old, new, commitment=cid)
    if keys[0] in ("improvements", "planned"):
        if len(keys) == 2:
            return Amendment(subject, "improvement", difference.old is not ABSENT,
                             difference.new is not ABSENT, improvement=keys[1])
        return Amendment(subject, keys[2], old, new, improvement=keys[1])
    return Amendment(subject, keys[0], old, new)
