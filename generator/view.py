"""What templates see of an edition: queries over it, computed once per edition.

Pure queries, no HTML: the tables built from them are in `tables`, the pages in the templates.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from generator import charts, compute
from generator.amendments import amendment_row, in_order
from generator.compute import Row, Status
from generator.i18n import N_, tr
from generator.model import (
    Commitment,
    Correction,
    Direction,
    Improvement,
    Location,
    Metric,
    Period,
    Planned,
    Visibility,
)
from generator.pages import relative_url
from generator.project import Edition
from generator.words import num, target_text, threshold_text

Link = Callable[[str], str]

# What a revision changed, as pages name it (translated there); promise and definition: Markdown.
PROMISE, DEFINITION = N_("Promise"), N_("How we measure it")
A_YEAR_BEFORE = N_("a year before ({period})")
# The periods a commitment's tables and the feeds show: the newest and those before it; the
# whole history is in the chart and latest/'s open data (see docs/performance.md).
HISTORY = 12


@dataclass(frozen=True)
class Plan:
    """A planned change as an edition sees it: delivered (by which improvement), late (its
    period is over, and nothing delivered it), or expected."""

    planned: Planned
    delivered_by: Improvement | None
    late: bool

    @property
    def state(self) -> str:
        return "done" if self.delivered_by else "late" if self.late else "expected"


@dataclass(frozen=True)
class Recovered:
    """A recovery plan and, once its period is in the edition, whether it worked."""

    commitment: Commitment
    missed: Row  # the period it was made for
    by: Period | None  # the period it names, when the edition has it
    by_label: str
    row: Row | None  # the commitment's row in that period

    @property
    def state(self) -> str:
        """'done', 'not yet' (the period came, not on target), or 'due' (it has not come)."""
        if self.by is None:
            return "due"
        return "done" if self.row is not None and self.row.status is Status.MET else "not yet"


@dataclass(frozen=True)
class Paid:
    """What guarantees cost in a period, added up over the promises."""

    breaches: int
    paid: int
    amount: float | None


@dataclass(frozen=True)
class Figure:
    """A location's figure in a period, judged against the target then in force."""

    location: Location
    value: float
    sample: int | None
    met: bool


@dataclass(frozen=True)
class Comparison:
    """A commitment's locations in a period, from the best to the worst, and how far apart."""

    commitment: Commitment
    row: Row
    figures: list[Figure]

    @property
    def spread(self) -> float:
        return abs(float(self.figures[0].value) - float(self.figures[-1].value))


class EditionView:
    """An edition's commitments, results and corrections, as its pages show them."""

    def __init__(self, edition: Edition):
        self.edition = edition
        self.period = edition.period
        self.organization = edition.dataset.organization
        self.rows = {c.id: compute.history(c, edition.periods) for c in edition.commitments}
        self.status = {c.id: compute.status(c, edition.period) for c in edition.commitments}
        self.commitment_ids = {c.id for c in edition.commitments}
        self._commitments = {c.id: c for c in edition.commitments}
        self._periods = {p.id: p for p in edition.periods}
        self._row = {(cid, r.period.id): r for cid, rows in self.rows.items() for r in rows}
        self._metrics: dict[tuple[str, str], Metric | None] = {}
        self._consistency: dict[str, list[Comparison]] = {}
        self._by_period: dict[str, list[tuple[Commitment, Row]]] | None = None
        # The periods that tables and lists show in full (see HISTORY).
        self.recent_periods = frozenset(p.id for p in edition.periods[-HISTORY:])
        url = self.organization.url
        # Only the public site has a known address; links stay relative without one.
        self.base_url = f"{url.rstrip('/')}/{edition.id}/" if url and not edition.internal else None

    def commitment(self, cid: str) -> Commitment:
        """A commitment of the edition, as it stood then."""
        return self._commitments[cid]

    def period_named(self, pid: str) -> Period:
        return self._periods[pid]

    def row(self, cid: str, period: Period) -> Row | None:
        """A commitment's row for a period, if it applied then."""
        return self._row.get((cid, period.id))

    def link_from(self, folder: str) -> Link:
        """A function giving the URL of a path inside the edition, as seen from folder."""
        def link(path: str) -> str:
            if self.base_url:
                return self.base_url + path
            return relative_url(path, folder)
        return link

    def chart(self, commitment: Commitment) -> str:
        return charts.chart(commitment, self.rows[commitment.id])

    def sparkline(self, commitment: Commitment) -> str:
        return charts.sparkline(self.rows[commitment.id], tr("Trend of {promise}", promise=commitment.title))

    def badge_snippet(self, commitment: Commitment) -> str:
        """HTML to paste elsewhere: the public site's badge of the commitment in its newest
        edition, linking to its page, by absolute URLs (a relative one means nothing once
        pasted), on either site; '' when there is none: the public site's address is not
        known (organization.url), or the commitment is internal."""
        url = self.organization.url
        if not url or commitment.visibility is Visibility.INTERNAL:
            return ""
        base = f"{url.rstrip('/')}/latest/"
        alt = html.escape(f"{commitment.title}: status", quote=True)
        return (f'<a href="{base}commitments/{commitment.id}/">'
                f'<img src="{base}badges/{commitment.id}.svg" alt="{alt}"></a>')

    # -- progress --

    def newly_met(self) -> list[Commitment]:
        """Commitments met this period that missed the period before: progress to celebrate."""
        found = []
        for c in self.edition.commitments:
            measured = [r for r in self.rows[c.id] if r.status in (Status.MET, Status.MISSED)]
            if (len(measured) >= 2 and measured[-1].period.id == self.period.id
                    and measured[-1].status is Status.MET and measured[-2].status is Status.MISSED):
                found.append(c)
        return found

    def longest_streaks(self, count: int = 3) -> list[tuple[Commitment, int]]:
        streaks = [(c, self.streak(c.id)) for c in self.edition.commitments
                   if self.status[c.id] is Status.MET and self.streak(c.id) >= 2]
        return sorted(streaks, key=lambda s: (-s[1], s[0].title))[:count]

    def attainment(self, cid: str) -> compute.Attainment:
        return compute.attainment(self.rows[cid])

    def streak(self, cid: str) -> int:
        return compute.streak(self.rows[cid])

    # -- locations --

    def _located(self, period: Period) -> Iterator[tuple[Commitment, Row, list[tuple[Location, Any]]]]:
        """Each commitment measured by location in the period, with its row and its known
        locations' figures: what both the consistency pages and their index read."""
        dataset = self.edition.dataset
        for commitment in self.edition.commitments:
            row = self.row(commitment.id, period)
            if (row is None or row.measurement is None or not row.measurement.locations
                    or commitment.metric is None):
                continue
            figures = [(location, figure) for lid, figure in row.measurement.locations.items()
                       if figure.value is not None and (location := dataset.location(lid)) is not None]
            if figures:
                yield commitment, row, figures

    def consistency(self, period: Period) -> list[Comparison]:
        """Per commitment, each location's figure in the period against target, best first."""
        if period.id not in self._consistency:
            found = []
            for commitment, row, figures in self._located(period):
                lower = commitment.metric is not None and commitment.metric.direction is Direction.LOWER
                judged = [Figure(location, figure.value, figure.sample,
                                 bool(self.met(commitment, figure.value, period)))
                          for location, figure in figures]
                judged.sort(key=lambda f: float(f.value) if lower else -float(f.value))
                found.append(Comparison(commitment, row, judged))
            self._consistency[period.id] = found
        return self._consistency[period.id]

    def consistency_summary(self, period: Period) -> tuple[int, dict[str, Any] | None]:
        """How many commitments were measured by location in the period, and the one whose
        locations were furthest apart (the first, if several), with that spread: what
        consistency() would say of them, without judging and sorting every location."""
        count, widest, widest_spread = 0, None, 0.0
        for commitment, _, figures in self._located(period):
            values = [float(figure.value) for _, figure in figures]
            count += 1
            spread = max(values) - min(values)
            if widest is None or spread > widest_spread:
                widest, widest_spread = commitment, spread
        return count, {"commitment": widest, "spread": widest_spread} if widest else None

    def consistency_gaps(self, period: Period) -> list[dict[str, Any]]:
        """For each unit the commitments measured by location in the period are measured in,
        the one whose locations were furthest apart, with that spread: gaps are compared
        only with gaps in the same unit (3 points and 2 working days are not comparable)."""
        widest: dict[str, dict[str, Any]] = {}
        for commitment, _, figures in self._located(period):
            values = [float(figure.value) for _, figure in figures]
            spread = max(values) - min(values)
            unit = commitment.metric.unit.strip() if commitment.metric else ""
            if unit not in widest or spread > widest[unit]["spread"]:
                widest[unit] = {"commitment": commitment, "spread": spread}
        return list(widest.values())

    def recent(self, commitment: Commitment) -> list[Row]:
        """A commitment's rows in the edition's last HISTORY periods, oldest first."""
        return [r for r in self.rows[commitment.id] if r.period.id in self.recent_periods]

    def location_table(self, commitment: Commitment) -> tuple[list[Location], list[tuple[Period, list[Any]]]]:
        """Columns (locations with a figure in a period shown) and rows of figures per period,
        newest first, in the edition's last HISTORY periods."""
        dataset = self.edition.dataset
        shown = [r for r in self.recent(commitment) if r.measurement and r.measurement.locations]
        columns = [loc for lid in commitment.locations
                   if (loc := dataset.location(lid)) is not None
                   and any(r.measurement and lid in r.measurement.locations for r in shown)]
        rows = []
        for row in reversed(shown):
            assert row.measurement is not None
            rows.append((row.period, [row.measurement.locations.get(loc.id) for loc in columns]))
        return columns, rows

    def reported_locations(self) -> list[Location]:
        """The edition's locations that some commitment reports results for."""
        listed = {lid for c in self.edition.commitments for lid in c.locations}
        return [x for x in self.edition.dataset.locations if x.id in listed]

    def reporting(self, location_id: str) -> list[Commitment]:
        return [c for c in self.edition.commitments if location_id in c.locations]

    def met(self, commitment: Commitment, value: float | None, period: Period) -> bool | None:
        if value is None:
            return None
        key = (commitment.id, period.id)
        if key not in self._metrics:
            self._metrics[key] = compute.as_of(commitment, period.end).metric
        metric = self._metrics[key]
        return compute.is_met(metric, value) if metric is not None else None

    # -- commitments, improvements, periods --

    def groups(self) -> list[tuple[Any, list[Commitment]]]:
        """Commitments in force, grouped by value in the order values are declared; then the rest."""
        current = [c for c in self.edition.commitments
                   if self.status[c.id] not in (Status.RETIRED, Status.NOT_YET)]
        groups: list[tuple[Any, list[Commitment]]] = []
        for value in self.edition.dataset.values:
            members = [c for c in current if c.value == value.id]
            if members:
                groups.append((value, members))
        rest = [c for c in current if c.value not in {v.id for v, _ in groups}]
        if rest:
            groups.append((None, rest))
        return groups

    def announced(self) -> list[Commitment]:
        """Promises announced that start after this period: 'starts on' their first day."""
        return sorted((c for c in self.edition.commitments if self.status[c.id] is Status.NOT_YET),
                      key=lambda c: (c.since, c.title))

    def score(self, period: Period, value: str | None = None) -> compute.Score:
        """How many promises that applied in the period were met of those measured (of one
        value's, when given), and how many were not measured."""
        return compute.score([row for c, row in self.period_rows(period)
                              if value is None or c.value == value])

    def value_scores(self, period: Period) -> list[tuple[Any, compute.Score]]:
        """The score of each value's promises in the period, in the order values are
        declared (values none of whose promises applied are left out)."""
        found = []
        for value in self.edition.dataset.values:
            score = self.score(period, value.id)
            if score.measured or score.not_measured:
                found.append((value, score))
        return found

    def small_sample(self, row: Row) -> bool:
        """Whether a headline figure was measured on fewer cases than min_sample: shown, with
        a caution."""
        sample = row.measurement.sample if row.measurement else None
        return sample is not None and row.value is not None and sample < self.organization.min_sample

    def retired_list(self) -> list[Commitment]:
        """Commitments retired before this period began: their pages stay, listed apart."""
        return [c for c in self.edition.commitments if self.status[c.id] is Status.RETIRED]

    def improvements_for(self, cid: str) -> list[Improvement]:
        return [i for i in self.edition.improvements if cid in i.commitments]

    def period_improvements(self, period: Period) -> list[Improvement]:
        return sorted(period.improvements, key=lambda i: (i.date, i.id), reverse=True)

    def target_since(self, commitment: Commitment) -> dt.date:
        """The day the target in force at the edition's end took effect."""
        changes = [r.date for r in commitment.revisions
                   if r.target is not None and r.date <= self.period.end]
        return max(changes, default=commitment.since)

    def retired(self, commitment: Commitment) -> bool:
        return commitment.retired is not None and commitment.retired <= self.period.end

    def revisions(self, commitment: Commitment) -> list[dict[str, Any]]:
        """Revisions in effect by the edition, newest first, each with what changed from and to."""
        out = []
        for revision in reversed(commitment.revisions):
            if revision.date > self.period.end:
                continue
            after = compute.as_of(commitment, revision.date)
            changes = []
            if revision.target is not None:
                changes.append((N_("Target"), target_text(after.metric, revision.target),
                                target_text(after.metric)))
            if revision.title is not None:
                changes.append((N_("Title"), revision.title, after.title))
            if revision.promise is not None:
                changes.append((PROMISE, revision.promise, after.promise))
            if revision.threshold is not None and after.metric is not None:
                changes.append((N_("Counted within"), threshold_text(revision.threshold),
                                threshold_text(after.metric.threshold)
                                if after.metric.threshold else tr("no limit")))
            if revision.name is not None and after.metric is not None:
                changes.append((N_("Measure"), revision.name, after.metric.name))
            if revision.definition is not None and after.metric is not None:
                changes.append((DEFINITION, revision.definition, after.metric.definition or ""))
            out.append({"date": revision.date, "reason": revision.reason, "changes": changes,
                        "internal": revision.internal})
        return out

    def period_rows(self, period: Period) -> list[tuple[Commitment, Row]]:
        """Each commitment that applied in the period, with its row for it."""
        if self._by_period is None:
            self._by_period = {}
            for c in self.edition.commitments:
                for row in self.rows[c.id]:
                    self._by_period.setdefault(row.period.id, []).append((c, row))
        return self._by_period.get(period.id, [])

    def period_score(self, period: Period) -> str:
        rows = [row for _, row in self.period_rows(period)]
        score = compute.attainment(rows)
        return tr("{met} of {count}", met=num(score.met), count=num(score.measured)) if score.measured else "—"

    # -- accountability: guarantees, recoveries, plans, comparisons --

    def paid(self, period: Period) -> Paid | None:
        """What guarantees cost in the period, added up; None when no figures were given."""
        figures = [m.guarantee for m in period.measurements.values() if m.guarantee]
        if not figures:
            return None
        amounts = [f.amount for f in figures if f.amount is not None]
        return Paid(sum(f.breaches for f in figures), sum(f.paid for f in figures),
                    sum(amounts) if amounts else None)

    def ledger(self, commitment: Commitment) -> list[tuple[Period, Any]]:
        """A guaranteed promise's figures per period, newest first."""
        return [(r.period, r.measurement.guarantee) for r in reversed(self.rows[commitment.id])
                if r.measurement is not None and r.measurement.guarantee is not None]

    def recoveries(self, commitment: Commitment | None = None) -> list[Recovered]:
        """Recovery plans made up to this edition (of one commitment's, when given), newest
        first, each with whether its period has come and the target was met then."""
        found = []
        commitments = [commitment] if commitment else list(self.edition.commitments)
        calendar = self.period.calendar
        for c in commitments:
            for row in reversed(self.rows[c.id]):
                recovery = row.measurement.recovery if row.measurement else None
                if recovery is None:
                    continue
                by = self._periods.get(recovery.by)
                label = calendar.label(recovery.by) if calendar.valid(recovery.by) else recovery.by
                found.append(Recovered(c, row, by, label, self.row(c.id, by) if by else None))
        return found

    def plans(self) -> list[Plan]:
        """Every planned change announced up to this edition: expected and late first, then
        done, each group by its period."""
        delivered = {i.delivers: i for i in self.edition.improvements if i.delivers}
        found = []
        for period in self.edition.periods:
            for planned in period.planned:
                by_end = (period.calendar.bounds(planned.by)[1]
                          if period.calendar.valid(planned.by) else self.period.end)
                done = delivered.get(planned.id)
                found.append(Plan(planned, done, done is None and by_end < self.period.end))
        return sorted(found, key=lambda p: (p.state == "done", p.planned.by, p.planned.id))

    def period_label(self, pid: str) -> str:
        """A period's words by the organisation's calendar (the period may be after the
        edition)."""
        calendar = self.period.calendar
        return calendar.label(pid) if calendar.valid(pid) else pid

    def planned_named(self, pid: str) -> Plan | None:
        return next((p for p in self.plans() if p.planned.id == pid), None)

    def compared(self, value: str | None = None) -> list[tuple[str, compute.Score]]:
        """The score of the previous period and of the same period a year before, when the
        edition has them: ('last quarter', ...), ('a year before', ...)."""
        calendar = self.period.calendar
        start = self.period.start
        found: list[tuple[str, compute.Score]] = []
        previous = calendar.period_of(start - dt.timedelta(days=1))
        year_before = calendar.period_of(start.replace(year=start.year - 1))
        words = {"month": N_("last month ({period})"), "quarter": N_("last quarter ({period})"),
                 "year": N_("last year ({period})")}
        for pid, what in ((previous, words.get(calendar.kind or "", N_("the period before ({period})"))),
                          (year_before, A_YEAR_BEFORE)):
            period = self._periods.get(pid)
            if period is None or (what == A_YEAR_BEFORE and pid == previous):
                continue  # not in this edition, or a yearly report's previous period
            score = self.score(period, value)
            if score.measured or score.not_measured:
                found.append((tr(what, period=period.label), score))
        return found

    def owners(self) -> list[tuple[str, list[Commitment]]]:
        """The people behind promises met this period (or back on track), by owner."""
        found: dict[str, list[Commitment]] = {}
        for c in self.edition.commitments:
            owner = c.internal.get("owner") if c.internal else None
            if isinstance(owner, str) and self.status[c.id] is Status.MET:
                found.setdefault(owner, []).append(c)
        return sorted(found.items())

    def staff_improvements(self) -> list[Improvement]:
        """Improvements the team suggested (feedback source: staff), newest first."""
        staff = self.edition.dataset.staff
        return [i for i in self.edition.improvements if i.id in staff]

    # -- corrections, with what they changed --

    def amendment_rows(self, correction: Correction) -> list[tuple[str, str, str]]:
        """What a correction changed, as (what, published, now) in plain words."""
        return [amendment_row(self.edition.dataset, a) for a in in_order(correction.amended)]

    def corrections(self, commitment: str | None = None,
                    improvement: str | None = None) -> list[tuple[Period, Correction, list[Any]]]:
        """The edition's corrections that changed what is said of a commitment or an
        improvement, newest first, each with the rows of what it changed there."""
        found = []
        for period in self.edition.periods:
            for correction in period.corrections:
                rows = [amendment_row(self.edition.dataset, a) for a in in_order(correction.amended)
                        if (commitment is not None and a.commitment == commitment)
                        or (improvement is not None and a.improvement == improvement)]
                if rows:
                    found.append((period, correction, rows))
        return sorted(found, key=lambda f: (f[1].date, f[0].id), reverse=True)

    def all_corrections(self) -> list[tuple[Period, Correction, list[Any]]]:
        """Every correction of the edition's periods, with what it changed."""
        return [(p, c, self.amendment_rows(c)) for p in self.edition.periods for c in p.corrections]

    def corrected(self, commitment: str, period: Period) -> bool:
        """Whether a correction changed the commitment's result in the period."""
        return any(a.commitment == commitment and a.location is None and a.field == "value"
                   for c in period.corrections for a in c.amended)
