"""The checks of one data file against the others: references, dates inside periods,
promises in words, guarantees, plans. `validate` reads the files and runs these; its
`_Validator` holds the state they share (the organisation's calendar, the ids declared)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Problem
from generator.hints import listing, suggest
from generator.kinds import Sink, id_form, parse_date, valid_id
from generator.load import Map, Pos, Seq
from generator.model import DEFAULT_CALENDAR, out_of_force
from generator.periods import MONTHS, SHAPE_RE, Calendar
from generator.shapes import split_figure

COMMITMENTS = "commitments.yml"
RESULTS = "results"


def _items(data: Any, key: str) -> list[Map]:
    """The mapping items of a list under key (skipping malformed ones)."""
    seq = data.get(key) if isinstance(data, Map) else None
    if not isinstance(seq, Seq):
        return []
    return [item for item in seq if isinstance(item, Map)]


@dataclass(frozen=True)
class Unreadable:
    """A list that could not be read: where to say so, and in which words."""

    path: str
    pos: Pos
    references: str  # "reference(s) to commitments were"
    what: str  # "the commitments", "commitments.yml"


def _at(item: Map, key: str) -> Pos:
    return item.val_pos.get(key, item.pos)


def _check_unique(items: list[Map], kind: str, sink: Sink) -> dict[str, Map]:
    seen: dict[str, Map] = {}
    for item in items:
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            first = _at(seen[ident], "id")
            sink.error(_at(item, "id"), f"duplicate {kind} id '{ident}' (first at line {first[0]})",
                       "ids must be unique: rename one of them")
        else:
            seen[ident] = item
    return seen


def _date(item: Map, key: str) -> dt.date | None:
    value = item.get(key)
    return parse_date(value) if isinstance(value, str) else None


def _forms(known: Iterable[str]) -> tuple[str, ...] | None:
    """The ids as they must be written (see kinds.id_form), when one of them is not valid;
    None when all are (the usual case, which needs no copy of a long list)."""
    listed = tuple(known)
    if all(valid_id(ident) for ident in listed):
        return None
    return tuple(dict.fromkeys(form for ident in listed if (form := id_form(ident))))


def _unknown_hint(ident: str, known: Iterable[str],
                  within: tuple[str, ...] | None = None) -> tuple[bool, str | None]:
    """Whether a reference that names none of the ids known is worth an error, and the
    "did you mean" for it. Never an invalid id: its valid form, which the error where it is
    defined suggests; a reference that already is that form is no error of its own."""
    forms = _forms(known)
    if forms is None:
        return True, suggest(ident, known, within)
    if ident in forms:
        return False, None
    return True, suggest(ident, forms)


class FileChecks:
    """Checks of the commitments and of each results file, with what they share."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or dt.date.today()
        self.problems: list[Problem] = []
        # The organisation's calendar, once commitments.yml says it (else periods of any kind
        # are read, and not judged by a calendar that is not known)
        self.calendar: Calendar | None = None
        self.require_explanations = True
        self.currency = False  # organization.currency is given
        # where a guarantee amount is: the file, and the figures that give it
        self.first_amount: tuple[str, Map] | None = None
        self.stem = ""  # the period of the results file being checked
        self.org_pos: Pos | None = None
        self.commitments: dict[str, Map] = {}
        self.locations: dict[str, Map] = {}
        self.location_ids: tuple[str, ...] = ()  # in the order of commitments.yml
        self.listed: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}  # see _listed
        self.values: dict[str, Map] = {}
        self.languages: tuple[str, ...] = ("en",)  # organization.languages, the main first
        self.languages_at: tuple[Pos, ...] = ((1, 1),)
        # Lists that could not be read (all of commitments.yml, a list in it), by the kind of
        # id they define or by "locations of ID": the references into them are not judged,
        # which would only repeat that they could not be read (see skipped_notes)
        self.unreadable: dict[str, Unreadable] = {}
        self.skipped: Counter[str] = Counter()  # references not judged, by list

    def _ref(self, sink: Sink, pos: Pos, kind: str, ident: Any, known: dict[str, Any]) -> bool:
        """Whether ident names one of the known ids; an error (or, when the list could not be
        read, a reference skipped) otherwise."""
        if not isinstance(ident, str) or ident in known:
            return True
        if kind in self.unreadable:
            self.skipped[kind] += 1
            return False
        report, hint = _unknown_hint(ident, known)
        if report:
            sink.error(pos, f"unknown {kind} '{ident}'",
                       hint or (f"known: {listing(known)}" if known else f"no {kind} is defined"))
        return False

    def _refs(self, sink: Sink, refs: Seq, kind: str, known: dict[str, Any]) -> None:
        """Each reference in a list names one of the known ids (see _ref). An item's position
        is asked for only when it does not: the marks of a file from the parse cache are
        decoded only when something in it is to be pointed at."""
        for index, ident in enumerate(refs):
            if isinstance(ident, str) and ident not in known:
                self._ref(sink, refs.item_pos[index], kind, ident, known)

    def skipped_notes(self) -> list[Problem]:
        """One note for each list that could not be read, saying how many references to it
        were not checked."""
        notes = []
        for key, count in sorted(self.skipped.items()):
            lost = self.unreadable[key]
            notes.append(Problem(
                lost.path, *lost.pos, f"{count} {lost.references} not checked, as {lost.what} "
                                      "could not be read", "fix it, then check again", "warning"))
        return notes

    def _commitment(self, item: Map, sink: Sink) -> None:
        self._ref(sink, _at(item, "value"), "value", item.get("value"), self.values)
        self._kind(item, sink)
        locations = item.get("locations")
        if isinstance(locations, Seq):
            seen: set[str] = set()
            for lid, pos in zip(locations, locations.item_pos, strict=True):
                self._ref(sink, pos, "location", lid, self.locations)
                if lid in seen:
                    sink.error(pos, f"location '{lid}' is listed twice")
                seen.add(lid)
        since, retired = _date(item, "since"), _date(item, "retired")
        if since and retired and retired < since:
            sink.error(_at(item, "retired"), f"'retired' ({retired}) is before 'since' ({since})",
                       "a commitment retires on or after the day it began")
        announced = _date(item, "announced")
        if since and announced and announced >= since:
            sink.error(_at(item, "announced"), f"'announced' ({announced}) is not before 'since' "
                                               f"({since})",
                       "a promise is announced before it starts; remove 'announced' if it was not")
        review = item.get("review")
        if isinstance(review, Map) and since and (last := _date(review, "last")) and last < since:
            sink.warning(_at(review, "last"), f"review 'last' ({last}) is before 'since' ({since})")
        dates: dict[dt.date, Pos] = {}
        for rev in _items(item, "revisions"):
            day = _date(rev, "date")
            if day is None:
                continue
            if day in dates:
                sink.error(_at(rev, "date"), f"two revisions take effect on {day}",
                           f"merge them into one (the other is at line {dates[day][0]})")
            dates[day] = _at(rev, "date")
            if since and day <= since:
                sink.error(_at(rev, "date"),
                           f"revision date {day} is not after 'since' ({since})",
                           "a revision changes a promise that already applied")
            elif retired and day > retired:
                sink.error(_at(rev, "date"),
                           f"revision date {day} is after 'retired' ({retired})",
                           "a retired promise no longer changes: remove the revision, or retire "
                           "the commitment later")
            previous = rev.get("previous")
            if isinstance(previous, Map) and not previous:
                sink.error(_at(rev, "previous"), "'previous' is empty",
                           "give the target, title, promise, name or definition that applied "
                           "before the revision")

    def _kind(self, item: Map, sink: Sink) -> None:
        """A promise in words has no metric, no locations and no revision of a measure; a
        promise measured by a number has a metric."""
        who = f"commitment '{item['id']}'" if isinstance(item.get("id"), str) else "commitment"
        if item.get("kind") != "words":
            if "metric" not in item:
                sink.error(item.pos, f"{who} is missing required key 'metric'",
                           "how it is measured (or `kind: words` for a promise kept or not, "
                           "with no figure)")
            return
        for key in ("metric", "locations"):
            if key in item:
                sink.error(item.key_pos[key], f"a promise in words (kind: words) has no {key}",
                           f"remove '{key}': each period says whether it was kept "
                           "(status: met or missed)")
        for rev in _items(item, "revisions"):
            previous = rev.get("previous")
            if not isinstance(previous, Map):
                continue
            for key in previous:
                if key not in ("title", "promise"):
                    sink.error(previous.key_pos[key], f"a promise in words has no {key} to revise",
                               "revise its title or promise")

    def _results(self, stem: str, data: Map, sink: Sink) -> None:
        self.stem = stem
        period = data.get("period")
        if (isinstance(period, str) and SHAPE_RE.fullmatch(period) and period != stem
                and DEFAULT_CALENDAR.out_of_range(period) is None):
            sink.error(_at(data, "period"), f"period '{period}' does not match the file name",
                       f"this file holds '{stem}': write period: {stem}, or rename the file")
        calendar = self.calendar
        if calendar is None:
            return  # no calendar to judge the period by: commitments.yml says why
        if calendar.kind_of(stem) is None:
            kind = calendar.kind
            year = " that start in " + MONTHS[calendar.year_starts] if calendar.fiscal else ""
            sink.error(_at(data, "period"),
                       f"'{stem}' is not a {kind} of this organisation, which reports by {kind}"
                       f"{' in years' + year if calendar.fiscal else ''}",
                       f"name periods like {calendar.example}")
            return
        start, end = calendar.bounds(stem)
        published = _date(data, "published")
        if published and published < end:
            sink.error(_at(data, "published"),
                       f"'published' ({published}) is before the period ends ({end})",
                       f"a period is published once it is over: on {end} or later")
        elif published and published > self.today:
            sink.error(_at(data, "published"),
                       f"'published' ({published}) is in the future (today is {self.today})",
                       "write the day it was published; `kept publish` writes today's date")
        measurements = data.get("measurements")
        if isinstance(measurements, Map):
            for cid, m in measurements.items():
                # The position only when there is something to say (see _refs).
                if cid not in self.commitments and not self._ref(
                        sink, measurements.key_pos[cid], "commitment", cid, self.commitments):
                    continue
                self._measurement(cid, m, measurements, start, end, sink)
        if published and self.commitments and isinstance(measurements, (Map, type(None))):
            for cid, item in self.commitments.items():
                since, retired = _date(item, "since"), _date(item, "retired")
                active = since is not None and out_of_force(since, retired, start, end) is None
                # an invalid id is an error where it is defined; its measurement is not missing
                if active and valid_id(cid) and cid not in (measurements or {}):
                    sink.warning(_at(data, "period"),
                                 f"published period has no measurement for commitment '{cid}'",
                                 "add it, with value: null and an explanation if not measured")
        for imp in _items(data, "improvements"):
            day = _date(imp, "date")
            if day and not start <= day <= end:
                sink.error(_at(imp, "date"),
                           f"improvement date {day} is outside the period {stem} ({start} to {end})",
                           "move the improvement to the results file of the period it happened in")
            refs = imp.get("commitments")
            if isinstance(refs, Seq):
                self._refs(sink, refs, "commitment", self.commitments)
        for plan in _items(data, "planned"):
            refs = plan.get("commitments")
            if isinstance(refs, Seq):
                self._refs(sink, refs, "commitment", self.commitments)
            self._later(stem, plan, "by", sink, "a planned change is expected in this period or "
                                               "a later one", same=True)
        for corr in _items(data, "corrections"):
            day = _date(corr, "date")
            if day and day > self.today:
                sink.error(_at(corr, "date"), f"correction dated {day}, in the future (today is "
                                              f"{self.today})", "write the day it was made")
            elif day and published and day < published:
                sink.warning(_at(corr, "date"),
                             f"correction dated {day}, before the period was published ({published})")

    def _measurement(self, cid: str, m: Any, measurements: Map, start: dt.date, end: dt.date,
                     sink: Sink) -> None:
        item = self.commitments[cid]
        since, retired = _date(item, "since"), _date(item, "retired")
        outside = out_of_force(since, retired, start, end) if since else None
        if outside == "not yet":
            sink.error(measurements.key_pos[cid],
                       f"commitment '{cid}' begins on {since}, after this period ends ({end})",
                       "remove the measurement, or correct 'since'")
        elif outside == "retired":
            sink.error(measurements.key_pos[cid],
                       f"commitment '{cid}' was retired on {retired}, before this period "
                       f"began ({start})", "remove the measurement")
        if not isinstance(m, Map):
            return
        if item.get("kind") == "words":
            self._words(cid, m, sink)
            return
        if "status" in m:
            sink.error(m.key_pos["status"], f"'{cid}' is measured by a figure, not a status",
                       "write its figure as value (status is for promises in words)")
        if "value" not in m:
            sink.error(m.pos, "measurement is missing required key 'value'",
                       "the figure, or null when not measured")
        figures = m.get("locations")
        listed = self._listed(cid)
        if isinstance(figures, Map) and listed is None:
            self.skipped[f"locations of {cid}"] += len(figures)
        elif isinstance(figures, Map) and listed is not None:
            listed_ids, listed_set = listed
            for lid in figures:
                if lid not in listed_set and split_figure(figures, lid) is None:
                    report, hint = _unknown_hint(lid, listed_ids, self.location_ids)
                    if not report:
                        continue
                    sink.error(figures.key_pos[lid],
                               f"location '{lid}' is not listed by commitment '{cid}'",
                               hint or (f"its locations are: {listing(listed_ids)}"
                                        if listed_ids else
                                        f"add it to the 'locations' of '{cid}' in commitments.yml"))
        self._guarantee(cid, item, m, sink)
        recovery = m.get("recovery")
        if isinstance(recovery, Map):
            self._later(self.stem, recovery, "by", sink, "a recovery plan names a later period")
        if ("value" in m and m["value"] is None and "explanation" not in m
                and self.require_explanations):
            sink.warning(_at(m, "value"), f"'{cid}' was not measured and has no explanation",
                         "add an explanation saying why")

    def _listed(self, cid: str) -> tuple[tuple[str, ...], frozenset[str]] | None:
        """The locations commitment cid lists, in order and as a set: asked for by every
        measurement of it in every period. None when its list could not be read (then the
        figures by location are not judged against it)."""
        item = self.commitments[cid]
        if "locations" in item and not isinstance(item["locations"], Seq):
            self.unreadable.setdefault(f"locations of {cid}", Unreadable(
                COMMITMENTS, item.val_pos["locations"], "figure(s) by location were",
                f"the locations of '{cid}'"))
            return None
        if cid not in self.listed:
            listed = item.get("locations")
            ids = tuple(x for x in listed if isinstance(x, str)) if isinstance(listed, Seq) else ()
            self.listed[cid] = (ids, frozenset(ids))
        return self.listed[cid]

    def _guarantee(self, cid: str, item: Map, m: Map, sink: Sink) -> None:
        """Guarantee figures are for guaranteed promises, and pay no more than they owe."""
        figures = m.get("guarantee")
        if not isinstance(figures, Map):
            return
        revisions = [r.get("previous") for r in _items(item, "revisions")]
        if "guarantee" not in item and not any(isinstance(p, Map) and isinstance(p.get("guarantee"), Map)
                                               for p in revisions):
            sink.error(m.key_pos["guarantee"], f"'{cid}' has no guarantee, so no guarantee figures",
                       f"give '{cid}' a `guarantee:` (its remedy) in commitments.yml, or remove these")
        breaches, paid = figures.get("breaches"), figures.get("paid")
        if isinstance(breaches, int) and isinstance(paid, int) and paid > breaches:
            sink.error(figures.val_pos["paid"], f"'{cid}' paid {paid} customers but let down only "
                                                f"{breaches}", "payments made cannot outnumber breaches")
        if "amount" in figures and self.first_amount is None:
            self.first_amount = (sink.path, figures)

    def _later(self, stem: str, item: Map, key: str, sink: Sink, why: str,
               same: bool = False) -> None:
        """A period named in item (recovery by, planned by): one of the organisation's, after
        the period of the file (or the same one, with same)."""
        pid = item.get(key)
        calendar = self.calendar
        if not isinstance(pid, str) or calendar is None or not SHAPE_RE.fullmatch(pid):
            return
        if calendar.kind_of(pid) is None or calendar.out_of_range(pid):
            sink.error(item.val_pos[key], f"'{key}' {pid} is not one of the organisation's periods",
                       f"its periods are {calendar.words}")
        elif calendar.bounds(pid)[0] < calendar.bounds(stem)[0] or (
                not same and calendar.bounds(pid)[0] == calendar.bounds(stem)[0]):
            sink.error(item.val_pos[key], f"'{key}' {pid} is {'before' if same else 'not after'} "
                                          f"{stem}", why)

    def _words(self, cid: str, m: Map, sink: Sink) -> None:
        """A promise in words: each period says met, missed or not-measured, and explains."""
        for key in ("value", "sample", "locations", "margin", "benchmark"):
            if key in m:
                sink.error(m.key_pos[key], f"'{cid}' is a promise in words: it has no {key}",
                           "write status: met, missed or not-measured (and an explanation)")
        if "status" not in m:
            sink.error(m.pos, f"'{cid}' is a promise in words and its result has no status",
                       "write status: met, missed or not-measured")
        elif (m["status"] == "not-measured" and "explanation" not in m
              and self.require_explanations):
            sink.warning(m.key_pos["status"], f"'{cid}' was not measured and has no explanation",
                         "add an explanation saying why")

    def _unique_improvements(self, found: dict[str, Any]) -> None:
        """Improvement and planned ids are one id space across all periods (each has a page);
        an improvement delivers a planned item of its period or an earlier one, once."""
        # Each id's first item, kept rather than its position: a position is asked for only
        # to report a problem (see _refs).
        seen: dict[str, tuple[str, Map, str]] = {}
        ordered = sorted(found.items(), key=lambda f: self._start(f[0]))
        for _, (rel, data) in ordered:
            for kind in ("improvements", "planned"):
                for imp in _items(data, kind):
                    ident = imp.get("id")
                    if not isinstance(ident, str):
                        continue
                    if ident in seen:
                        where = seen[ident]
                        self.problems.append(Problem(
                            rel, *_at(imp, "id"),
                            f"duplicate improvement id '{ident}' (first in {where[0]} line "
                            f"{_at(where[1], 'id')[0]})", "improvement and planned ids are "
                                                          "unique across all periods: rename one"))
                    else:
                        seen[ident] = (rel, imp, kind)
        delivered: dict[str, str] = {}
        planned = {k: v for k, v in seen.items() if v[2] == "planned"}
        for _, (rel, data) in ordered:
            planned_here = {p.get("id") for p in _items(data, "planned")}
            for imp in _items(data, "improvements"):
                target = imp.get("delivers")
                if not isinstance(target, str):
                    continue
                found_at = seen.get(target)
                if found_at is None and "planned" in self.unreadable:
                    self.skipped["planned"] += 1  # it may be planned in the file not read
                elif found_at is None or found_at[2] != "planned":
                    report, hint = _unknown_hint(target, planned)
                    if report:
                        self.problems.append(Problem(
                            rel, *_at(imp, "delivers"),
                            f"'delivers' names '{target}', which is not a planned item",
                            hint or "name the id of a `planned` item"))
                elif found_at[0] != rel and target not in planned_here and self._start(
                        Path(found_at[0]).stem) > self._start(Path(rel).stem):
                    self.problems.append(Problem(
                        rel, *_at(imp, "delivers"),
                        f"'delivers' names '{target}', planned in a later period "
                        f"({found_at[0]})", "an improvement delivers what was planned "
                                            "before it, or in its own period"))
                elif target in delivered:
                    self.problems.append(Problem(
                        rel, *_at(imp, "delivers"),
                        f"'{target}' is delivered twice (first by '{delivered[target]}')",
                        "a planned item is delivered by one improvement"))
                else:
                    delivered[target] = str(imp.get("id"))

    def _start(self, pid: str) -> Any:
        """When a period starts (for ordering results files), by the organisation's calendar."""
        calendar = self.calendar or DEFAULT_CALENDAR
        return (0, calendar.bounds(pid)[0], "") if calendar.valid(pid) else (1, dt.date.min, pid)
