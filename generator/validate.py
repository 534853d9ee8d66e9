"""Check every data file, report all problems at once, and build the model from valid data."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from generator import files, published, records, schema, siteconfig
from generator.compute import Status, status
from generator.errors import DataError, Problem
from generator.hints import listing, suggest
from generator.kinds import Sink, parse_date
from generator.load import Map, ParseCache, Pos, Seq, load_file, position
from generator.manifest import SITE_SRC
from generator.model import (
    DEFAULT_CALENDAR,
    Benchmark,
    Commitment,
    Correction,
    Dataset,
    Direction,
    Guarantee,
    GuaranteeFigures,
    Improvement,
    Location,
    LocationFigure,
    Measurement,
    Metric,
    Organization,
    Period,
    Planned,
    Recovery,
    Review,
    Revision,
    Threshold,
    Value,
    Visibility,
    out_of_force,
)
from generator.periods import KINDS, MONTHS, SHAPE_RE, Calendar

COMMITMENTS = "commitments.yml"
RESULTS = "results"


@dataclass(frozen=True)
class Report:
    """The outcome of validation: the model when there are no errors, and every problem.

    `data` is the model whenever the files themselves are valid, even when what they say
    differs from a published record: what `kept diff` and `--base` compare, so that a reviewer
    sees what such a change does."""

    dataset: Dataset | None
    problems: list[Problem]
    data: Dataset | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def _items(data: Any, key: str) -> list[tuple[Map, Pos]]:
    """The mapping items of a list under key, with their positions (skipping malformed ones)."""
    seq = data.get(key) if isinstance(data, Map) else None
    if not isinstance(seq, Seq):
        return []
    return [(item, pos) for item, pos in zip(seq, seq.item_pos, strict=True) if isinstance(item, Map)]


def _at(item: Map, key: str) -> Pos:
    return item.val_pos.get(key, item.pos)


def _check_unique(items: list[tuple[Map, Pos]], kind: str, sink: Sink) -> dict[str, Map]:
    seen: dict[str, Map] = {}
    for item, _ in items:
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


def _ref(sink: Sink, pos: Pos, kind: str, ident: Any, known: dict[str, Any]) -> bool:
    if not isinstance(ident, str) or ident in known:
        return True
    hint = suggest(ident, known)
    sink.error(pos, f"unknown {kind} '{ident}'",
               hint or (f"known: {listing(known)}" if known else f"no {kind} is defined"))
    return False


class _Validator:
    def __init__(self, root: Path, cache: ParseCache | None = None, today: dt.date | None = None):
        self.root = root
        self.cache = cache
        self.today = today or dt.date.today()
        self.problems: list[Problem] = []
        # The organisation's calendar, once commitments.yml says it (else periods of any kind
        # are read, and not judged by a calendar that is not known)
        self.calendar: Calendar | None = None
        self.require_explanations = True
        self.currency = False  # organization.currency is given
        self.first_amount: tuple[str, Pos] | None = None  # where a guarantee amount is
        self.stem = ""  # the period of the results file being checked
        self.org_pos: Pos | None = None
        self.commitments: dict[str, Map] = {}
        self.locations: dict[str, Map] = {}
        self.values: dict[str, Map] = {}

    def run(self) -> tuple[Any, dict[str, Any]]:
        main = self._commitments_file()
        results = self._results_files()
        # Not data, but published with it: a file there that Kept will not read stops the build.
        self.problems += files.walk(self.root, SITE_SRC).problems
        return main, results

    def site_config(self, python_tags: bool) -> None:
        self.problems += siteconfig.check(self.root, python_tags)

    def _commitments_file(self) -> Any:
        if not os.path.lexists(self.root / COMMITMENTS):
            self.problems.append(Problem(COMMITMENTS, 1, 1, "file not found",
                                         f"is {self.root} the root of a Kept repository?"))
            return None
        data, problems = load_file(self.root, COMMITMENTS, self.cache)
        self.problems += problems
        if data is None:
            return None
        sink = Sink(COMMITMENTS)
        schema.COMMITMENTS_FILE.check(data, getattr(data, "pos", (1, 1)), COMMITMENTS, sink)
        if isinstance(data, Map):
            org = data.get("organization")
            if isinstance(org, Map) and org.get("require_explanations") is False:
                self.require_explanations = False
            self.currency = isinstance(org, Map) and "currency" in org
            self.org_pos = data.key_pos.get("organization")
            if isinstance(org, Map) and org.get("period") in KINDS:
                starts = org.get("year_starts", 1)
                if isinstance(starts, int) and not isinstance(starts, bool) and 1 <= starts <= 12:
                    self.calendar = Calendar(org["period"], starts)
            self.values = _check_unique(_items(data, "values"), "value", sink)
            self.locations = _check_unique(_items(data, "locations"), "location", sink)
            self.commitments = _check_unique(_items(data, "commitments"), "commitment", sink)
            for item, _ in _items(data, "commitments"):
                self._commitment(item, sink)
        self.problems += sink.problems
        return data

    def _commitment(self, item: Map, sink: Sink) -> None:
        _ref(sink, _at(item, "value"), "value", item.get("value"), self.values)
        self._kind(item, sink)
        locations = item.get("locations")
        if isinstance(locations, Seq):
            seen: set[str] = set()
            for lid, pos in zip(locations, locations.item_pos, strict=True):
                _ref(sink, pos, "location", lid, self.locations)
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
        for rev, _ in _items(item, "revisions"):
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
        for rev, _ in _items(item, "revisions"):
            previous = rev.get("previous")
            if not isinstance(previous, Map):
                continue
            for key in previous:
                if key not in ("title", "promise"):
                    sink.error(previous.key_pos[key], f"a promise in words has no {key} to revise",
                               "revise its title or promise")

    def _results_files(self) -> dict[str, Any]:
        folder = self.root / RESULTS
        found: dict[str, Any] = {}
        if not folder.is_dir():
            return found
        if not files.within(os.path.realpath(self.root), os.path.realpath(folder)):
            self.problems.append(Problem(RESULTS, 1, 1, "the folder is a link to a folder outside "
                                         "the repository", "put the results files themselves here"))
            return found
        for path in sorted(folder.iterdir()):
            rel = f"{RESULTS}/{path.name}"
            if path.name.startswith(".") or path.is_dir():
                continue
            if path.suffix not in (".yml", ".yaml"):
                continue
            stem = path.stem
            calendar = self.calendar or DEFAULT_CALENDAR
            if path.suffix == ".yml" and (why := calendar.out_of_range(stem)):
                self.problems.append(Problem(rel, 1, 1, f"'{path.name}' names a period that {why}"))
                continue
            if path.suffix == ".yaml" or not SHAPE_RE.fullmatch(stem):
                self.problems.append(Problem(
                    rel, 1, 1, f"'{path.name}' is not named after a period",
                    f"name results files after {calendar.words}: results/{calendar.example.split()[0]}.yml"))
                continue
            data, problems = load_file(self.root, rel, self.cache)
            self.problems += problems
            if data is None:
                continue
            sink = Sink(rel)
            schema.RESULTS_FILE.check(data, getattr(data, "pos", (1, 1)), rel, sink)
            if isinstance(data, Map):
                self._results(stem, data, sink)
                found[stem] = (rel, data)
            self.problems += sink.problems
        self._unique_improvements(found)
        if self.first_amount is not None and not self.currency and self.org_pos is not None:
            rel, pos = self.first_amount
            self.problems.append(Problem(
                COMMITMENTS, *self.org_pos, "guarantee amounts are given (the first in "
                f"{rel} at line {pos[0]}), but the organisation has no currency",
                "add `currency:` to organization, for example currency: GBP"))
        return found

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
                pos = measurements.key_pos[cid]
                if not _ref(sink, pos, "commitment", cid, self.commitments):
                    continue
                self._measurement(cid, m, pos, start, end, sink)
        if published and self.commitments and isinstance(measurements, (Map, type(None))):
            for cid, item in self.commitments.items():
                since, retired = _date(item, "since"), _date(item, "retired")
                active = since is not None and out_of_force(since, retired, start, end) is None
                if active and cid not in (measurements or {}):
                    sink.warning(_at(data, "period"),
                                 f"published period has no measurement for commitment '{cid}'",
                                 "add it, with value: null and an explanation if not measured")
        for imp, _ in _items(data, "improvements"):
            day = _date(imp, "date")
            if day and not start <= day <= end:
                sink.error(_at(imp, "date"),
                           f"improvement date {day} is outside the period {stem} ({start} to {end})",
                           "move the improvement to the results file of the period it happened in")
            refs = imp.get("commitments")
            if isinstance(refs, Seq):
                for cid, pos in zip(refs, refs.item_pos, strict=True):
                    _ref(sink, pos, "commitment", cid, self.commitments)
        for plan, _ in _items(data, "planned"):
            refs = plan.get("commitments")
            if isinstance(refs, Seq):
                for cid, pos in zip(refs, refs.item_pos, strict=True):
                    _ref(sink, pos, "commitment", cid, self.commitments)
            self._later(stem, plan, "by", sink, "a planned change is expected in this period or "
                                               "a later one", same=True)
        for corr, _ in _items(data, "corrections"):
            day = _date(corr, "date")
            if day and day > self.today:
                sink.error(_at(corr, "date"), f"correction dated {day}, in the future (today is "
                                              f"{self.today})", "write the day it was made")
            elif day and published and day < published:
                sink.warning(_at(corr, "date"),
                             f"correction dated {day}, before the period was published ({published})")

    def _measurement(self, cid: str, m: Any, pos: Pos, start: dt.date, end: dt.date,
                     sink: Sink) -> None:
        item = self.commitments[cid]
        since, retired = _date(item, "since"), _date(item, "retired")
        outside = out_of_force(since, retired, start, end) if since else None
        if outside == "not yet":
            sink.error(pos, f"commitment '{cid}' begins on {since}, after this period ends ({end})",
                       "remove the measurement, or correct 'since'")
        elif outside == "retired":
            sink.error(pos, f"commitment '{cid}' was retired on {retired}, before this period "
                            f"began ({start})", "remove the measurement")
        if not isinstance(m, Map):
            return
        if item.get("kind") == "words":
            self._words(cid, m, pos, sink)
            return
        if "status" in m:
            sink.error(m.key_pos["status"], f"'{cid}' is measured by a figure, not a status",
                       "write its figure as value (status is for promises in words)")
        if "value" not in m:
            sink.error(m.pos, "measurement is missing required key 'value'",
                       "the figure, or null when not measured")
        listed = item.get("locations")
        listed_ids = [x for x in listed if isinstance(x, str)] if isinstance(listed, Seq) else []
        listed_set = set(listed_ids)
        figures = m.get("locations")
        if isinstance(figures, Map):
            for lid in figures:
                if lid not in listed_set:
                    hint = suggest(lid, listed_ids)
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

    def _guarantee(self, cid: str, item: Map, m: Map, sink: Sink) -> None:
        """Guarantee figures are for guaranteed promises, and pay no more than they owe."""
        figures = m.get("guarantee")
        if not isinstance(figures, Map):
            return
        revisions = [r.get("previous") for r, _ in _items(item, "revisions")]
        if "guarantee" not in item and not any(isinstance(p, Map) and isinstance(p.get("guarantee"), Map)
                                               for p in revisions):
            sink.error(m.key_pos["guarantee"], f"'{cid}' has no guarantee, so no guarantee figures",
                       f"give '{cid}' a `guarantee:` (its remedy) in commitments.yml, or remove these")
        breaches, paid = figures.get("breaches"), figures.get("paid")
        if isinstance(breaches, int) and isinstance(paid, int) and paid > breaches:
            sink.error(figures.val_pos["paid"], f"'{cid}' paid {paid} customers but let down only "
                                                f"{breaches}", "payments made cannot outnumber breaches")
        if "amount" in figures and self.first_amount is None:
            self.first_amount = (sink.path, figures.val_pos["amount"])

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

    def _words(self, cid: str, m: Map, pos: Pos, sink: Sink) -> None:
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
        seen: dict[str, tuple[str, Pos, str]] = {}
        ordered = sorted(found.items(), key=lambda f: self._start(f[0]))
        for _, (rel, data) in ordered:
            for kind in ("improvements", "planned"):
                for imp, _ in _items(data, kind):
                    ident = imp.get("id")
                    if not isinstance(ident, str):
                        continue
                    if ident in seen:
                        where = seen[ident]
                        self.problems.append(Problem(
                            rel, *_at(imp, "id"),
                            f"duplicate improvement id '{ident}' (first in {where[0]} line "
                            f"{where[1][0]})", "improvement and planned ids are unique across "
                                               "all periods: rename one"))
                    else:
                        seen[ident] = (rel, _at(imp, "id"), kind)
        delivered: dict[str, str] = {}
        for _, (rel, data) in ordered:
            planned_here = {p.get("id") for p, _ in _items(data, "planned")}
            for imp, _ in _items(data, "improvements"):
                target = imp.get("delivers")
                if not isinstance(target, str):
                    continue
                found_at = seen.get(target)
                pos = _at(imp, "delivers")
                planned = {k: v for k, v in seen.items() if v[2] == "planned"}
                if found_at is None or found_at[2] != "planned":
                    self.problems.append(Problem(
                        rel, *pos, f"'delivers' names '{target}', which is not a planned item",
                        suggest(target, list(planned)) or "name the id of a `planned` item"))
                elif found_at[0] != rel and target not in planned_here and self._start(
                        Path(found_at[0]).stem) > self._start(Path(rel).stem):
                    self.problems.append(Problem(
                        rel, *pos, f"'delivers' names '{target}', planned in a later period "
                                   f"({found_at[0]})", "an improvement delivers what was planned "
                                                       "before it, or in its own period"))
                elif target in delivered:
                    self.problems.append(Problem(
                        rel, *pos, f"'{target}' is delivered twice (first by '{delivered[target]}')",
                        "a planned item is delivered by one improvement"))
                else:
                    delivered[target] = str(imp.get("id"))

    def _start(self, pid: str) -> Any:
        """When a period starts (for ordering results files), by the organisation's calendar."""
        calendar = self.calendar or DEFAULT_CALENDAR
        return (0, calendar.bounds(pid)[0], "") if calendar.valid(pid) else (1, dt.date.min, pid)


# --- from checked data to the model -----------------------------------------------------------


def _vis(item: Map) -> Visibility:
    return Visibility(item.get("visibility", "public"))


def _internal(item: Map) -> Any:
    return MappingProxyType(dict(item.get("internal") or {}))


def _build(main: Map, results: dict[str, Any]) -> Dataset:
    org = main["organization"]
    organization = Organization(
        name=org["name"], period=org["period"], url=org.get("url"),
        min_sample=org.get("min_sample", 30), internal=_internal(org),
        year_starts=org.get("year_starts", 1),
        require_explanations=org.get("require_explanations", True),
        currency=org.get("currency"))
    values = tuple(
        Value(v["id"], v["title"], v.get("description"), _vis(v), _internal(v))
        for v in main.get("values") or ())
    locations = tuple(
        Location(x["id"], x["name"], _vis(x), _internal(x)) for x in main.get("locations") or ())
    commitments = tuple(_commitment(c) for c in main.get("commitments") or ())
    calendar = organization.calendar
    periods = tuple(sorted((_period(pid, data, calendar) for pid, (_, data) in results.items()),
                           key=lambda p: p.start))
    return Dataset(organization, values, locations, commitments, periods)


def _threshold(value: Any) -> Threshold | None:
    return Threshold(value["value"], value["unit"]) if value else None


def _guarantee(value: Any) -> Guarantee | None:
    return Guarantee(value["remedy"], value.get("automatic", False)) if value else None


def _commitment(c: Map) -> Commitment:
    m = c.get("metric")
    review = c.get("review")
    revisions = sorted(
        (Revision(parse_date(r["date"]), r["reason"],  # type: ignore[arg-type]
                  target=r["previous"].get("target"), title=r["previous"].get("title"),
                  promise=r["previous"].get("promise"), name=r["previous"].get("name"),
                  definition=r["previous"].get("definition"),
                  threshold=_threshold(r["previous"].get("threshold")),
                  guarantee=(_guarantee(r["previous"]["guarantee"]),)
                  if "guarantee" in r["previous"] else None, internal=_internal(r))
         for r in c.get("revisions") or ()),
        key=lambda r: r.date)
    return Commitment(
        id=c["id"], title=c["title"], promise=c["promise"], why=c.get("why"),
        value=c.get("value"),
        metric=Metric(m["name"], m["unit"], Direction(m["direction"]), m["target"],
                      m.get("definition"), _threshold(m.get("threshold")), m.get("method"))
        if m is not None else None,
        announced=parse_date(c["announced"]) if "announced" in c else None,
        guarantee=_guarantee(c.get("guarantee")),
        since=parse_date(c["since"]),  # type: ignore[arg-type]
        retired=parse_date(c["retired"]) if "retired" in c else None,
        locations=tuple(c.get("locations") or ()),
        review=Review(review["every"], parse_date(review["last"]) if "last" in review else None)
        if review else None,
        revisions=tuple(revisions), visibility=_vis(c), internal=_internal(c))


def _figure(value: Any) -> LocationFigure:
    if isinstance(value, Map):
        return LocationFigure(value.get("value"), value.get("sample"))
    return LocationFigure(value)


def _period(pid: str, data: Map, calendar: Calendar) -> Period:
    measurements = {
        cid: Measurement(
            value=m.get("value"), sample=m.get("sample"),
            locations=MappingProxyType({k: _figure(v) for k, v in (m.get("locations") or {}).items()}),
            explanation=m.get("explanation"), internal=_internal(m), status=m.get("status"),
            margin=m.get("margin"),
            benchmark=Benchmark(m["benchmark"]["value"], m["benchmark"]["label"])
            if "benchmark" in m else None,
            guarantee=GuaranteeFigures(m["guarantee"]["breaches"], m["guarantee"]["paid"],
                                       m["guarantee"].get("amount"))
            if "guarantee" in m else None,
            recovery=Recovery(m["recovery"]["action"], m["recovery"]["by"])
            if "recovery" in m else None)
        for cid, m in (data.get("measurements") or {}).items()
    }
    improvements = tuple(sorted(
        (Improvement(
            id=i["id"], date=parse_date(i["date"]), title=i["title"],  # type: ignore[arg-type]
            you_said=i["you_said"], we_did=i["we_did"], period=pid,
            commitments=tuple(i.get("commitments") or ()),
            feedback_source=(i.get("feedback") or {}).get("source"),
            feedback_count=(i.get("feedback") or {}).get("count"),
            delivers=i.get("delivers"), visibility=_vis(i), internal=_internal(i))
         for i in data.get("improvements") or ()),
        key=lambda i: (i.date, i.id)))
    return Period(
        id=pid,
        published=parse_date(data["published"]) if "published" in data else None,
        summary=data.get("summary"),
        measurements=MappingProxyType(measurements),
        highlights=tuple(data.get("highlights") or ()),
        improvements=improvements,
        corrections=tuple(sorted(
            (Correction(parse_date(x["date"]), x["note"], _vis(x), _internal(x),  # type: ignore[arg-type]
                        changes=tuple(x.get("changes") or ()))
             for x in data.get("corrections") or ()), key=lambda x: x.date)),
        internal=_internal(data), calendar=calendar,
        planned=tuple(Planned(x["id"], x["title"], x["you_said"], x["we_will"], x["by"], pid,
                              tuple(x.get("commitments") or ()), _vis(x), _internal(x))
                      for x in data.get("planned") or ()))


def _unexplained_misses(dataset: Dataset, results: dict[str, Any]) -> list[Problem]:
    """A missed target needs an explanation for customers: a warning, an error with --strict."""
    problems: list[Problem] = []
    if not dataset.organization.require_explanations:
        return problems
    for period in dataset.periods:
        rel, raw = results[period.id]
        for commitment in dataset.commitments:
            measurement = period.measurements.get(commitment.id)
            if measurement is None or measurement.explanation:
                continue
            if status(commitment, period) is Status.MISSED:
                line, col = raw["measurements"].key_pos[commitment.id]
                problems.append(Problem(
                    rel, line, col, f"'{commitment.id}' missed its target and has no explanation",
                    "add an explanation: what happened, and what is being done about it",
                    "warning"))
    return problems


def _recoveries(dataset: Dataset, results: dict[str, Any]) -> list[Problem]:
    """A recovery plan is for a missed target: on a met one it would promise nothing."""
    problems = []
    for period in dataset.periods:
        rel, raw = results[period.id]
        for commitment in dataset.commitments:
            measurement = period.measurements.get(commitment.id)
            if measurement is None or measurement.recovery is None:
                continue
            state = status(commitment, period)
            if state is not Status.MISSED:
                line, col = raw["measurements"][commitment.id].key_pos["recovery"]
                problems.append(Problem(
                    rel, line, col,
                    f"'{commitment.id}' has a recovery plan, but it was {state.value.lower()} "
                    f"in {period.id}", "a recovery plan is for a missed target: remove it"))
    return problems


def _against_records(dataset: Dataset, main: Map, results: dict[str, Any],
                     records_found: dict[str, tuple[str, dict[str, Any]]]) -> tuple[Dataset, list[Problem]]:
    """Today's data compared with what published editions stated (see `records`)."""
    def locate(path: str, keys: Sequence[str | int], on_key: bool = False) -> Pos:
        data = main if path == COMMITMENTS else results.get(Path(path).stem, (None, None))[1]
        return position(data, keys, on_key)

    return published.check(dataset, records_found, locate, main)


def check(root: Path, strict: bool = False, cache: ParseCache | None = None,
          site_config: bool = False, python_tags: bool = False,
          today: dt.date | None = None) -> Report:
    """Validate the repository at root. With strict, warnings count as errors. A cache of
    parsed files (see `load.ParseCache`) spares parsing the files that did not change. With
    site_config, mkdocs.yml is checked too (see _Validator.site_config for python_tags).
    `today` (default: the system's date) is the latest day a period may be published on."""
    validator = _Validator(root, cache, today)
    main, results = validator.run()
    if site_config:
        validator.site_config(python_tags)
    records_found, record_problems = records.read_records(root)
    problems = validator.problems + record_problems
    dataset = None
    if main is not None and not any(p.severity == "error" for p in validator.problems):
        dataset = _build(main, results)
        dataset, against = _against_records(dataset, main, results, records_found)
        problems = (problems + against + _unexplained_misses(dataset, results)
                    + _recoveries(dataset, results))
    if strict:
        problems = [Problem(p.path, p.line, p.col, p.message, p.hint, "error") for p in problems]
    problems = sorted(set(problems), key=lambda p: (p.path != COMMITMENTS, p.path, p.line, p.col))
    if any(p.severity == "error" for p in problems):
        return Report(None, problems, dataset)
    return Report(dataset, problems, dataset)


def as_written(root: Path) -> Dataset:
    """The data of root even where it differs from a published record (what `kept diff` and
    `--base` compare); DataError when its files are not valid."""
    report = check(root)
    if report.data is None:
        raise DataError(report.problems)
    return report.data


def load_dataset(root: Path, strict: bool = False, cache: ParseCache | None = None,
                 site_config: bool = False,
                 python_tags: bool = False) -> tuple[Dataset, list[Problem]]:
    """The validated model, or DataError carrying every problem (see check)."""
    report = check(root, strict, cache, site_config, python_tags)
    if report.dataset is None:
        raise DataError(report.problems)
    return report.dataset, report.warnings
