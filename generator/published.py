"""Today's data against what published editions stated: every difference from a period's
record is a problem located in the data files, unless a correction of that period names it,
and each correction learns what it changed (old and new values).

`kept validate` checks against the records (`check`); `kept validate --base` uses the same
`Checker` against the data at a git ref.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from generator.compute import Status
from generator.errors import Problem
from generator.hints import closest, suggest
from generator.load import Pos
from generator.model import Amendment, Dataset, Period, Visibility
from generator.records import (
    ABSENT,
    COMMITMENT_FACTS,
    METRIC_KEYS,
    Difference,
    amendment,
    differences,
    published_facts,
    record_path,
)

Locate = Callable[[str, Sequence[str | int], bool], Pos]  # path, keys, on the key itself


@dataclass(frozen=True)
class _Source:
    """Where the data of the checks lives: paths and a way to find a value's position."""

    locate: Locate
    main: Any  # commitments.yml as loaded
    commitments: str
    results: Callable[[str], str]


def _text(value: Any, limit: int = 60) -> str:
    if value is ABSENT:
        return "nothing"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        flat = " ".join(value.split())
        return "'" + (flat if len(flat) <= limit else flat[: limit - 1] + "…") + "'"
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    if isinstance(value, dict) and "remedy" in value:  # a guarantee
        return _text(value["remedy"]) + (", automatically" if value.get("automatic") else "")
    if isinstance(value, dict) and "breaches" in value:  # what a guarantee cost
        amount = f", {value['amount']} paid" if value.get("amount") is not None else ""
        return f"{value['breaches']} let down, {value['paid']} payments{amount}"
    if isinstance(value, dict) and "action" in value:  # a recovery plan
        return f"back on target by {value['by']}: {_text(value['action'])}"
    if isinstance(value, dict) and "unit" in value:  # a threshold
        return f"{value['value']} {value['unit']}"
    if isinstance(value, dict) and "value" in value:  # a location's figure
        cases = f" ({value['sample']} cases)" if value.get("sample") is not None else ""
        return f"{_text(value['value'])}{cases}"
    return repr(value)


def _shown(value: Any) -> str:
    """A fact as YAML would take it back."""
    if isinstance(value, (str, dict)):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _change(old: Any, new: Any) -> str:
    """'87.4 to 89.1', or for text a short excerpt of each side around what changed."""
    if isinstance(old, str) and isinstance(new, str):
        from generator.words import excerpts

        before, after = excerpts(old, new)
        return f"'{before}' to '{after}'"
    return f"{_text(old)} to {_text(new)}"


def _status_note(diffs: Iterable[Difference]) -> str:
    for d in diffs:
        if d.keys[-1] == "status":
            return f" ({_status_word(d.old)} → {_status_word(d.new)})"
    return ""


def _status_word(css: Any) -> str:
    return next((s.value for s in Status if s.css == css), str(css))


class Checker:
    """Turns differences between what published periods stated and today's data into
    problems located in the data files, grouped by cause (`kept validate` against records;
    `kept validate --base` against the data at a git ref)."""

    def __init__(self, dataset: Dataset, locate: Locate, main: Any,
                 earlier: dict[str, set[str]] | None = None):
        self.dataset = dataset
        self.source = _Source(locate, main, "commitments.yml", lambda pid: f"results/{pid}.yml")
        # Names that corrections already gave before the change being checked (with --base):
        # such a correction does not cover a new change.
        self.earlier = earlier or {}
        self.problems: list[Problem] = []

    def error(self, path: str, keys: Sequence[str | int], message: str, hint: str,
              severity: str = "error", on_key: bool = False) -> None:
        line, col = self.source.locate(path, keys, on_key)
        self.problems.append(Problem(path, line, col, message, hint, severity))

    def correct(self, pid: str, names: Sequence[str]) -> str:
        """How to correct a published period for a change of what names name."""
        rel = self.source.results(pid)
        named = " or ".join(f"'{n}'" for n in names)
        period = self.period(pid)
        hidden = [c for c in period.corrections if c.visibility is Visibility.INTERNAL
                  and set(names) & set(c.changes)]
        if hidden:
            return (f"the correction of {hidden[0].date} that names {named} is internal, and "
                    "customers cannot read it: make it public (remove `visibility: internal`)")
        if set(names) & self.earlier.get(pid, set()):
            return (f"a correction of {pid} names {named} already, but it was there before this "
                    f"change: add to {rel} a new `corrections` entry for this change, naming "
                    f"{named} in its `changes`")
        return (f"to correct what {pid} said, add to {rel} a `corrections` entry whose "
                f"`changes` names {named}, saying what changed and why")

    # -- the period's differences that no correction names --

    def uncovered(self, pid: str, diffs: list[Difference]) -> None:
        rel = self.source.results(pid)
        by_commitment: dict[str, list[Difference]] = {}
        for d in diffs:
            if d.keys[0] == "commitments" and len(d.keys) > 2:
                by_commitment.setdefault(d.keys[1], []).append(d)
            else:
                self.other(pid, rel, d)
        for cid, found in by_commitment.items():
            self.measurement(pid, rel, cid, found)

    def measurement(self, pid: str, rel: str, cid: str, diffs: list[Difference]) -> None:
        hint = self.correct(pid, [cid])
        said = False
        for d in diffs:
            field = d.keys[2]
            if field in COMMITMENT_FACTS or field == "status":
                continue  # reported at the commitment (see commitment_facts), or a consequence
            said = True
            if field == "locations":
                lid = d.keys[3]
                if len(d.keys) == 4 and d.new is ABSENT and self.unpublished(pid, cid, lid, d):
                    continue
                what = f"figure at '{lid}'" if len(d.keys) == 4 or d.keys[4] == "value" else \
                    f"sample at '{lid}'"
                loc_hint = self.correct(pid, [f"{cid}@{lid}", cid])
                self.error(rel, ("measurements", cid, "locations", lid, *d.keys[4:]),
                           f"the published {what} of '{cid}' in {pid} changed from "
                           f"{_change(d.old, d.new)}", loc_hint)
                continue
            label = {"value": "result", "sample": "sample", "explanation": "explanation",
                     "guarantee_figures": "guarantee figures", "recovery": "recovery plan"}[field]
            note = _status_note(diffs) if field == "value" else ""
            key = "guarantee" if field == "guarantee_figures" else field
            self.error(rel, ("measurements", cid, key),
                       f"the published {label} of '{cid}' in {pid} changed from "
                       f"{_change(d.old, d.new)}{note}", hint)
        status_only = [d for d in diffs if d.keys[2] == "status"]
        if not said and status_only and not any(d.keys[2] in COMMITMENT_FACTS for d in diffs):
            self.error(rel, ("measurements", cid),
                       f"the published status of '{cid}' in {pid} changed"
                       f"{_status_note(status_only)}", hint)

    def period(self, pid: str) -> Period:
        return next(p for p in self.dataset.periods if p.id == pid)

    def unpublished(self, pid: str, cid: str, lid: str, d: Difference) -> bool:
        """A location's published figure that the data still has, but that the public site
        no longer shows: said where the reason is. False when the figure itself went."""
        measurement = self.period(pid).measurements.get(cid)
        figure = measurement.locations.get(lid) if measurement is not None else None
        location = self.dataset.location(lid)
        commitment = self.dataset.commitment(cid)
        if figure is None or location is None or commitment is None:
            return False
        shown = f"the published figure at '{lid}' of '{cid}' in {pid} ({_text(d.old)})"
        fix = f"; or correct {pid} with a correction naming '{cid}@{lid}'"
        if location.visibility is Visibility.INTERNAL:
            self.error(self.source.commitments, ("locations", lid, "visibility"),
                       f"{shown} is gone from the public site: location '{lid}' is now internal",
                       f"keep it public{fix}")
        elif lid not in commitment.locations:
            self.error(self.source.commitments, ("commitments", cid, "locations"),
                       f"{shown} is gone from the public site: '{cid}' no longer lists '{lid}'",
                       f"list it again{fix}")
        elif figure.sample is not None and figure.sample < self.dataset.organization.min_sample:
            self.error(self.source.commitments, ("organization", "min_sample"),
                       f"{shown} is gone from the public site: min_sample "
                       f"({self.dataset.organization.min_sample}) is now above its sample "
                       f"({figure.sample})", f"put min_sample back{fix}")
        else:
            return False
        return True

    def other(self, pid: str, rel: str, d: Difference) -> None:
        head = d.keys[0]
        hint = self.correct(pid, sorted(d.names()) or [head])
        if head == "published":
            self.error(rel, ("published",),
                       f"the publication date of {pid} changed from {d.old} to {d.new}",
                       f"a published edition keeps its date: put back published: {d.old}")
        elif head == "summary":
            self.error(rel, ("summary",),
                       f"the published summary of {pid} changed from {_change(d.old, d.new)}", hint)
        elif head == "highlights":
            old, new = d.old or [], d.new or []
            index = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                         min(len(old), len(new)))
            if index < len(old) and index < len(new):
                what = f"highlight {index + 1} changed from {_change(old[index], new[index])}"
            elif len(new) > len(old):
                what = f"a highlight was added ({_text(new[index])})"
            else:
                what = f"a highlight was removed ({_text(old[index])})"
            keys: tuple[str | int, ...] = ("highlights", index) if index < len(new) else ("highlights",)
            self.error(rel, keys, f"the published highlights of {pid} changed: {what}", hint)
        elif head in ("improvements", "planned") and len(d.keys) == 2:
            iid, kind = d.keys[1], "improvement" if head == "improvements" else "planned item"
            if d.new is ABSENT:
                self.error(rel, (head,),
                           f"published {kind} '{iid}' of {pid} is gone (removed, moved or "
                           "made internal)",
                           "customer links to it must never break: put it back as it was "
                           "published; to correct what it says, edit it and add a correction "
                           f"naming '{iid}'")
            else:
                self.error(rel, (head, iid),
                           f"{kind} '{iid}' was added to {pid}, which is already published",
                           hint)
        elif head in ("improvements", "planned"):
            iid, field = d.keys[1], d.keys[2]
            kind = "improvement" if head == "improvements" else "planned item"
            label = {"you_said": "“you said”", "we_did": "“we did”",
                     "we_will": "“we will”"}.get(field, field)
            self.error(rel, (head, iid, field),
                       f"the published {label} of {kind} '{iid}' in {pid} "
                       f"changed from {_change(d.old, d.new)}", hint)
        elif head == "commitments":
            self.applies(pid, rel, d)
        else:
            self.error(rel, (), f"what {pid} published changed: {'.'.join(d.keys)}", hint)

    def applies(self, pid: str, rel: str, d: Difference) -> None:
        """A commitment that now appears in, or disappears from, a published edition."""
        cid = d.keys[1]
        commitment = self.dataset.commitment(cid)
        main = self.source.commitments
        period = next(p for p in self.dataset.periods if p.id == pid)
        if d.old is ABSENT:
            self.error(main, ("commitments", cid, "since"),
                       f"commitment '{cid}' now appears in {pid}, which is published without it",
                       f"a new promise begins after the last published period: set 'since' "
                       f"after {period.end}; or correct {pid} with a correction naming '{cid}'")
            return
        hint = (f"a published edition keeps showing its promises: retire it instead "
                f"(`retired:` its last day, after {period.end}); or correct {pid} with a "
                f"correction naming '{cid}'")
        if commitment is None:
            self.error(main, ("commitments",), f"commitment '{cid}', shown in published {pid}, "
                       "was removed", hint, on_key=True)
        elif commitment.visibility is Visibility.INTERNAL:
            self.error(main, ("commitments", cid, "visibility"),
                       f"commitment '{cid}', shown in published {pid}, is now internal", hint)
        else:
            key = "since" if commitment.since > period.end else "retired"
            self.error(main, ("commitments", cid, key),
                       f"commitment '{cid}', shown in published {pid}, no longer applies in it",
                       hint)

    # -- commitment facts (commitments.yml), across the periods they re-judge --

    def commitment_facts(self, uncovered: dict[str, list[Difference]]) -> None:
        """A fact of commitments.yml that changed for published periods: one problem per
        commitment, fact and cause (the current entry, or one revision's `previous`)."""
        statuses = {(pid, d.keys[1]): d for pid, diffs in uncovered.items() for d in diffs
                    if d.keys[0] == "commitments" and len(d.keys) == 3 and d.keys[2] == "status"}
        groups: dict[tuple[str, str, int | None], list[tuple[str, Difference]]] = {}
        for pid, diffs in uncovered.items():
            for d in diffs:
                if d.keys[0] == "commitments" and len(d.keys) == 3 and d.keys[2] in COMMITMENT_FACTS:
                    cid, field = d.keys[1], d.keys[2]
                    cause = self._governing(cid, field, pid)
                    groups.setdefault((cid, field, cause), []).append((pid, d))
        for (cid, field, cause), found in groups.items():
            periods = []
            for pid, _ in found:
                judged = statuses.get((pid, cid))
                periods.append(pid + (f" ({_status_word(judged.old)} → {_status_word(judged.new)})"
                                      if judged and field in ("target", "direction") else ""))
            old, new = found[0][1].old, found[-1][1].new
            where = (f"published periods {', '.join(periods)}" if len(periods) > 1
                     else f"published period {periods[0]}")
            names = ", ".join(pid for pid, _ in found)
            correct = (f"if what was published was wrong, add to {names} a correction naming "
                       f"'{cid}'")
            early = self._early(cid, field, old, found[-1][0]) if cause is None else None
            if early is not None:
                revision = self._revisions(cid)[early]
                end = self.period(found[-1][0]).end
                self.error(self.source.commitments,
                           ("commitments", cid, "revisions", early, "date"),
                           f"the revision of '{cid}' dated {revision.get('date')} changes the "
                           f"{field} from {_change(old, new)} for {where}",
                           f"a revision takes effect on the day the change did: "
                           f"date it after {end} (the end of {found[-1][0]}); {correct}")
                continue
            if cause is None:
                self.error(self.source.commitments,
                           ("commitments", cid, *METRIC_KEYS.get(field, (field,))),
                           f"the {field} of '{cid}' changed from {_change(old, new)} for {where}",
                           f"{self._revision_hint(cid, field, old, found[-1][0])}; {correct}")
                continue
            revision = self._revisions(cid)[cause]
            key = COMMITMENT_FACTS[field]
            self.error(self.source.commitments,
                       ("commitments", cid, "revisions", cause, "previous", key or field),
                       f"the revision of '{cid}' dated {revision.get('date')} now gives the "
                       f"{field} before it as {_text(new)}, but {where} stated {_text(old)}",
                       f"put back `{key}: {_shown(old)}` under its `previous`; {correct}")

    def _early(self, cid: str, field: str, old: Any, last: str) -> int | None:
        """The index of a revision dated by the end of `last` whose `previous` gives the
        published value: dated too early, it changes what was published."""
        key = COMMITMENT_FACTS[field]
        end = self.period(last).end.isoformat()
        found = [(str(r.get("date")), i) for i, r in enumerate(self._revisions(cid))
                 if key and hasattr(r, "get") and str(r.get("date")) <= end
                 and hasattr(r.get("previous"), "get") and r.get("previous").get(key) == old]
        return max(found)[1] if found else None

    def _revisions(self, cid: str) -> list[Any]:
        """The revisions of a commitment as written in commitments.yml, in file order."""
        for item in self.source.main.get("commitments") or ():
            if hasattr(item, "get") and item.get("id") == cid:
                revisions = item.get("revisions")
                return list(revisions) if isinstance(revisions, list) else []
        return []

    def _governing(self, cid: str, field: str, pid: str) -> int | None:
        """The index, in the file, of the revision whose `previous` gives the fact in force
        in the period; None when the commitment's own entry gives it."""
        previous = COMMITMENT_FACTS[field]
        if previous is None:
            return None
        end = next(p.end for p in self.dataset.periods if p.id == pid).isoformat()
        later = [(str(r.get("date")), i) for i, r in enumerate(self._revisions(cid))
                 if hasattr(r, "get") and str(r.get("date")) > end
                 and hasattr(r.get("previous"), "get") and previous in r.get("previous")]
        return min(later)[1] if later else None

    def _revision_hint(self, cid: str, field: str, old: Any, last: str) -> str:
        previous = COMMITMENT_FACTS[field]
        if previous is None:
            return (f"a commitment's {field} cannot be revised: put it back, or retire '{cid}' and "
                    "start a new commitment")
        end = next(p.end for p in self.dataset.periods if p.id == last)
        return (f"to change the promise from a day on, add to '{cid}' a `revisions` entry dated "
                f"that day, after {end} (the end of {last}), with the reason and "
                f"`previous: {{{previous}: {_shown(old)}}}`")

    # -- corrections: what they name, and what they changed --

    def names(self, period: Period, record: dict[str, Any] | None,
              rel: str) -> set[tuple[int, int]]:
        """Every name in a correction's `changes` exists in the period; the places of those
        that do not, by correction and name."""
        bad: set[tuple[int, int]] = set()
        known = {"summary", "highlights", *(c.id for c in self.dataset.commitments),
                 *(i.id for i in period.improvements)}
        if record is not None:
            known |= set(record["commitments"]) | set(record["improvements"])
        places = {c.id: c.locations for c in self.dataset.commitments}
        everywhere = tuple(loc.id for loc in self.dataset.locations)
        named = sorted(known)
        # By commitment, made once for every name: the places a name may give, and in order
        recorded: dict[str, set[str]] = {}
        ordered: dict[str, list[str]] = {}
        for index, correction in enumerate(period.corrections):
            for at, name in enumerate(correction.changes):
                cid, _, lid = name.partition("@")
                if lid and cid in known:
                    if cid not in recorded:
                        recorded[cid] = set(places.get(cid, ())) | set(
                            (record or {}).get("commitments", {}).get(cid, {}).get("locations", {}))
                        ordered[cid] = sorted(places.get(cid, ()))
                    if lid in recorded[cid]:
                        continue
                    bad.add((index, at))
                    near = closest(lid, ordered[cid], everywhere, prefix=f"{cid}@")
                    self.error(rel, ("corrections", index, "changes", at),
                               f"correction names '{name}', but '{cid}' has no location '{lid}'",
                               f"did you mean '{cid}@{near}'?" if near
                               else f"name '{cid}' for all its figures")
                elif name not in known:
                    bad.add((index, at))
                    self.error(rel, ("corrections", index, "changes", at),
                               f"correction names '{name}', which is not a commitment, "
                               f"commitment@location, summary, highlights or an improvement of "
                               f"{period.id}", suggest(cid, named)
                               or "name what the correction changes")
        return bad


def _assign(period: Period, covered: list[Difference]) -> Period:
    """Each corrected difference shown on the newest public correction that names it."""
    public = [(i, c) for i, c in enumerate(period.corrections) if c.visibility is Visibility.PUBLIC]
    amended: dict[int, list[Amendment]] = {}
    for d in covered:
        names = d.names()
        index, correction = max(((i, c) for i, c in public if names & set(c.changes)),
                                key=lambda pair: (pair[1].date, pair[0]))
        subject = next(n for n in correction.changes if n in names)
        amended.setdefault(index, []).append(amendment(d, subject))
    corrections = tuple(replace(c, amended=tuple(amended.get(i, ())))
                        for i, c in enumerate(period.corrections))
    return replace(period, corrections=corrections)


def _unused(checker: Checker, period: Period, covered: list[Difference], rel: str,
            bad: set[tuple[int, int]]) -> None:
    """A public correction that names something published as it is now: a warning."""
    named = {n for d in covered for n in d.names()}
    for index, correction in enumerate(period.corrections):
        if correction.visibility is not Visibility.PUBLIC:
            continue
        for at, name in enumerate(correction.changes):
            if name not in named and (index, at) not in bad:
                checker.error(rel, ("corrections", index, "changes", at),
                              f"correction names '{name}', which is as {period.id} published it "
                              f"({record_path(period.id)})",
                              "remove the name, or make the change it announces", "warning")


def check(dataset: Dataset, records: dict[str, tuple[str, dict[str, Any]]],
          locate: Locate, main: Any) -> tuple[Dataset, list[Problem]]:
    """Compare today's data with the records of published periods.

    Returns the dataset with each public correction's amendments (old and new values) filled in,
    and the problems: differences no correction names, records of periods that are not
    published, published periods without a record (warnings), and corrections that name what
    does not exist. `locate(path, keys)` gives the position of a value in the data files.
    """
    checker = Checker(dataset, locate, main)
    facts = published_facts(dataset)
    periods = {p.id: p for p in dataset.periods}
    for pid, (rel, _) in records.items():
        if pid not in periods:
            checker.problems.append(Problem(
                rel, 1, 1, f"record of {pid}, but there is no results/{pid}.yml",
                f"a record belongs to a published period: restore results/{pid}.yml, or remove "
                "this record if the period never was published"))
        elif pid not in facts:
            checker.error(f"results/{pid}.yml", ("period",),
                          f"{pid} has a record ({rel}), so it was published, and it is not now",
                          "put back its `published:` date: a published edition stays readable")
    uncovered: dict[str, list[Difference]] = {}
    amended = []
    for period in dataset.periods:
        rel = f"results/{period.id}.yml"
        record = records.get(period.id, (None, None))[1]
        bad = checker.names(period, record, rel)
        if period.id not in facts:
            amended.append(period)
            continue
        if record is None:
            checker.error(rel, ("published",),
                          f"published period {period.id} has no record ({record_path(period.id)})",
                          f"run `kept record {period.id}` and commit the file: it keeps what this "
                          "edition said, so that it never changes silently", "warning")
            amended.append(period)
            continue
        # Equal to today's facts (its shape gives each fact their kind): nothing to walk.
        diffs = [] if record == facts[period.id] else differences(record, facts[period.id])
        names = {n for c in period.corrections if c.visibility is Visibility.PUBLIC
                 for n in c.changes}
        covered = [d for d in diffs if d.names() & names]
        uncovered[period.id] = [d for d in diffs if not d.names() & names]
        checker.uncovered(period.id, uncovered[period.id])
        _unused(checker, period, covered, rel, bad)
        amended.append(_assign(period, covered) if covered else period)
    checker.commitment_facts(uncovered)
    return replace(dataset, periods=tuple(amended), records=MappingProxyType(
        {pid: data for pid, (_, data) in sorted(records.items())})), checker.problems
