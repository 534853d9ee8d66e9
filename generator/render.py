"""Render an edition: Markdown pages with Jinja2 templates, then feeds, badges and open data.

Templates ship in the package (`generator/templates/`) and can be overridden from
`site_src/templates/`; an override may extend the shipped one as `default:NAME`.

Free text from YAML reaches a page only through these filters: `md` and `mdblock` for
Markdown fields (rendered by `markup.md_html`, raw HTML shown as text, and kept out of MkDocs'
Markdown behind a marker), `inline` for plain one-line text, `h` inside HTML, `meta_text` for
titles and descriptions. Big HTML (tables, charts) is kept out of MkDocs' Markdown with
`stash`, which leaves a marker the plugin replaces.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import yaml

from generator import charts, compute, feeds, files, opendata
from generator.compute import Status
from generator.errors import Problem
from generator.markup import BLOCK, MARKER_RE, h, inline, md_html, md_text, meta_text, put_blocks
from generator.model import Amendment, Commitment, Correction, Direction, Improvement, Metric, Period
from generator.project import Edition
from generator.schema import parse_date
from generator.words import change_text, date_text, excerpts, num, plain, qty, target_text

TEMPLATES = Path(__file__).parent / "templates"


_SYMBOLS = {Status.MET: "✓", Status.MISSED: "✗", Status.NOT_MEASURED: "–",
            Status.NOT_YET: "·", Status.RETIRED: "⏹"}
_BADGES = {state: f'<span class="kept-status kept-status--{state.css}">{symbol} {state.value}</span>'
           for state, symbol in _SYMBOLS.items()}


def status_badge(state: Status) -> str:
    return _BADGES[state]


def _h(text: Any) -> str:
    return _escape(text if isinstance(text, str) else str(text))


@functools.lru_cache(maxsize=1 << 16)
def _escape(text: str) -> str:
    """HTML-escaped text; the same names and figures are escaped thousands of times a build."""
    return h(text)


def internal_items(mapping: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """An `internal:` mapping as (key, text, is_block) rows; nested values become YAML blocks."""
    rows = []
    for key, value in mapping.items():
        if isinstance(value, (dict, list)):
            rows.append((key, yaml.safe_dump(_plain_data(value), sort_keys=False,
                                             allow_unicode=True).rstrip(), True))
        else:
            rows.append((key, "" if value is None else str(value), False))
    return rows


def _plain_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    return value


# --- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """The measurements a generated file shows: those of some commitments, in every period
    of the edition, and those of every commitment in the periods up to `through`. Besides
    them it may show anything of its edition but measurements (commitments, improvements,
    the periods' other fields, the organisation, the settings). A file with no Needs (None)
    may show any measurement.

    A build renders again only the files whose inputs changed: after one value is edited,
    its commitment's page, the period's report and the edition's summaries, not every page.
    """

    commitments: tuple[str, ...] = ()
    through: str | None = None


@dataclass(frozen=True)
class Page:
    path: str  # inside docs_dir, e.g. "commitments/email-reply.md"
    template: str
    title: str
    description: str
    context: Mapping[str, Any]
    search: str = ""  # the words a search should find this page by
    needs: Needs | None = None  # what the shipped template shows of the measurements


@functools.lru_cache(maxsize=8)
class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates (Kept's and the theme's), kept in memory for the life of the
    process and on disk (in Jinja's per-user temporary folder) between runs.

    MkDocs makes a new template environment for every build, so Material's templates would
    otherwise be compiled again for every edition; and every worker process, and every
    `kept build`, would compile Kept's own again.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        try:
            super().__init__()
            self.on_disk = True
        except (OSError, RuntimeError):  # no private temporary folder: memory only
            self.on_disk = False

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is None and self.on_disk:
            super().load_bytecode(bucket)
            if bucket.code is not None:
                self.store[bucket.key] = bucket.bytecode_to_string()
        elif data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()
        if self.on_disk:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass  # a cache that cannot be written only costs time


BYTECODE = _BytecodeCache()


def environment(user_templates: Path | None) -> jinja2.Environment:
    """The template environment, compiled once per process and reused by every edition."""
    return _environment(user_templates)


class _UserTemplates(jinja2.BaseLoader):
    """The templates of site_src/templates, read as every user file is (files.read_bytes):
    Jinja's FileSystemLoader follows a link anywhere, and would render what it finds into
    every page. The repository's root is the folder above site_src/."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.root = folder.parent.parent

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Any]:
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not path.is_file() and not path.is_symlink():
            raise jinja2.TemplateNotFound(template)
        rel = path.relative_to(self.root).as_posix()
        raw = files.read_bytes(self.root, rel, files.MAX_SITE_FILE_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise files.Refused(Problem(rel, 1, 1, "the template is not UTF-8 text",
                                        "save it as UTF-8")) from None
        mtime = path.stat().st_mtime_ns
        return text, str(path), lambda: path.exists() and path.stat().st_mtime_ns == mtime

    def list_templates(self) -> list[str]:
        folder = self.folder.relative_to(self.root).as_posix()
        return [rel[len(folder) + 1:] for rel in files.walk(self.root, folder).files]


def _environment(user_templates: Path | None) -> jinja2.Environment:
    package = jinja2.FileSystemLoader(str(TEMPLATES))
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None and user_templates.is_dir():
        loaders.append(_UserTemplates(user_templates))
    loaders += [jinja2.PrefixLoader({"default": package}, delimiter=":"), package]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is Markdown: free text is escaped by the filters below
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=BYTECODE,
    )
    env.filters.update(md=_md, mdblock=_mdblock, inline=inline, num=num, date=date_text,
                       status=status_badge, plain=plain,
                       h=_h)
    env.globals.update(url=_url, href=_href, stash=_stash, asset=_asset,
                       md_with_lead=md_with_lead, qty=qty, target_text=target_text, change_text=change_text,
                       internal_items=internal_items, Status=Status, period_label=lambda p: p.label)
    return env


@functools.lru_cache(maxsize=1 << 14)
def _relative(path: str, folder: str) -> str:
    """The relative URL of a path inside the edition, seen from a folder of it (both plain
    paths from the edition's root: what posixpath.relpath gives, without its system calls)."""
    target = [part for part in path.split("/") if part]
    here = [part for part in folder.split("/") if part]
    if path.startswith("/") or {".", ".."} & {*target, *here}:  # not plain: let posixpath say
        return posixpath.relpath(path or ".", folder or ".") + ("/" if path.endswith("/") else "")
    common = 0
    while common < min(len(target), len(here)) and target[common] == here[common]:
        common += 1
    relative = "/".join([".."] * (len(here) - common) + target[common:]) or "."
    return relative + ("/" if path.endswith("/") else "")


class EditionView:
    """What templates see of an edition, with the computations they need done once."""

    def __init__(self, edition: Edition):
        self.edition = edition
        self.period = edition.period
        self.organization = edition.dataset.organization
        self.rows = {c.id: compute.history(c, edition.periods) for c in edition.commitments}
        self.status = {c.id: compute.status(c, edition.period) for c in edition.commitments}
        self.commitment_ids = {c.id for c in edition.commitments}
        self._commitments = {c.id: c for c in edition.commitments}
        self._periods = {p.id: p for p in edition.periods}
        self._metrics: dict[tuple[str, str], Metric] = {}
        self._consistency: dict[str, list[dict[str, Any]]] = {}
        self._by_period: dict[str, list[tuple[Commitment, compute.Row]]] | None = None
        url = self.organization.url
        # Only the public site has a known address; links stay relative without one.
        self.base_url = f"{url.rstrip('/')}/{edition.id}/" if url and not edition.internal else None
        self.site_url = f"{url.rstrip('/')}/" if url and not edition.internal else None

    def commitment(self, cid: str) -> Commitment:
        """A commitment of the edition, as it stood then."""
        return self._commitments[cid]

    def period_named(self, pid: str) -> Period:
        return self._periods[pid]

    def link_from(self, folder: str) -> Any:
        """A function giving the URL of a path inside the edition, as seen from folder."""
        def link(path: str) -> str:
            if self.base_url:
                return self.base_url + path
            return _relative(path, folder)
        return link

    def chart(self, commitment: Commitment) -> str:
        return charts.chart(commitment, self.rows[commitment.id])

    def sparkline(self, commitment: Commitment) -> str:
        return charts.sparkline(self.rows[commitment.id], f"Trend of {commitment.title}")

    def badge_snippet(self, commitment: Commitment) -> str:
        """HTML to paste elsewhere: the badge of the newest edition, linking to the page."""
        base = f"{self.site_url}latest/" if self.site_url else ""
        alt = html.escape(f"{commitment.title}: status", quote=True)
        return (f'<a href="{base}commitments/{commitment.id}/">'
                f'<img src="{base}badges/{commitment.id}.svg" alt="{alt}"></a>')

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

    def consistency(self, period: Period) -> list[dict[str, Any]]:
        """Per commitment, each location's figure in the period against target, best first."""
        if period.id not in self._consistency:
            self._consistency[period.id] = self._compare_locations(period)
        return self._consistency[period.id]

    def consistency_summary(self, period: Period) -> tuple[int, dict[str, Any] | None]:
        """How many commitments were measured by location in the period, and the one whose
        locations were furthest apart (the first, if several), with that spread: what
        consistency() would say of them, without comparing every location."""
        count, widest, widest_spread = 0, None, 0.0
        for commitment in self.edition.commitments:
            row = next((r for r in self.rows[commitment.id] if r.period.id == period.id), None)
            if row is None or row.measurement is None or not row.measurement.locations:
                continue
            values = [float(f.value) for lid, f in row.measurement.locations.items()
                      if f.value is not None and self.edition.dataset.location(lid) is not None]
            if not values:
                continue
            count += 1
            spread = max(values) - min(values)
            if widest is None or spread > widest_spread:
                widest, widest_spread = commitment, spread
        return count, {"commitment": widest, "spread": widest_spread} if widest else None

    def _compare_locations(self, period: Period) -> list[dict[str, Any]]:
        result = []
        for commitment in self.edition.commitments:
            row = next((r for r in self.rows[commitment.id] if r.period.id == period.id), None)
            if row is None or row.measurement is None or not row.measurement.locations:
                continue
            lower = commitment.metric.direction is Direction.LOWER
            figures: list[dict[str, Any]] = []
            for lid, figure in row.measurement.locations.items():
                location = self.edition.dataset.location(lid)
                if location is None or figure.value is None:
                    continue
                figures.append({"location": location, "value": figure.value,
                                "sample": figure.sample,
                                "met": self.met(commitment, figure.value, period)})
            figures.sort(key=lambda f: float(f["value"]) if lower else -float(f["value"]))
            if figures:
                spread = abs(float(figures[0]["value"]) - float(figures[-1]["value"]))
                result.append({"commitment": commitment, "row": row, "figures": figures,
                               "spread": spread})
        return result

    def attainment(self, cid: str) -> compute.Attainment:
        return compute.attainment(self.rows[cid])

    def streak(self, cid: str) -> int:
        return compute.streak(self.rows[cid])

    def groups(self) -> list[tuple[Any, list[Commitment]]]:
        """Commitments in force, grouped by value in the order values are declared; then the rest."""
        current = [c for c in self.edition.commitments if self.status[c.id] is not Status.RETIRED]
        groups: list[tuple[Any, list[Commitment]]] = []
        for value in self.edition.dataset.values:
            members = [c for c in current if c.value == value.id]
            if members:
                groups.append((value, members))
        rest = [c for c in current if c.value not in {v.id for v, _ in groups}]
        if rest:
            groups.append((None, rest))
        return groups

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
                changes.append(("Target", target_text(after.metric, revision.target),
                                target_text(after.metric)))
            if revision.title is not None:
                changes.append(("Title", revision.title, after.title))
            if revision.promise is not None:
                changes.append(("Promise", revision.promise, after.promise))
            if revision.name is not None:
                changes.append(("Measure", revision.name, after.metric.name))
            if revision.definition is not None:
                changes.append(("How we measure it", revision.definition,
                                after.metric.definition or ""))
            out.append({"date": revision.date, "reason": revision.reason, "changes": changes,
                        "internal": revision.internal})
        return out

    def location_table(self, commitment: Commitment) -> tuple[list[Any], list[tuple[Period, list[Any]]]]:
        """Columns (locations with a figure in some period) and rows of figures per period."""
        dataset = self.edition.dataset
        columns = [loc for lid in commitment.locations
                   if (loc := dataset.location(lid)) is not None
                   and any(lid in r.measurement.locations for r in self.rows[commitment.id]
                           if r.measurement)]
        rows = []
        for row in reversed(self.rows[commitment.id]):
            if not row.measurement or not row.measurement.locations:
                continue
            rows.append((row.period, [row.measurement.locations.get(loc.id) for loc in columns]))
        return columns, rows

    def period_rows(self, period: Period) -> list[tuple[Commitment, compute.Row]]:
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
        return f"{score.met} of {score.measured}" if score.measured else "—"

    def reporting(self, location_id: str) -> list[Commitment]:
        return [c for c in self.edition.commitments if location_id in c.locations]

    def met(self, commitment: Commitment, value: float | None, period: Period) -> bool | None:
        if value is None:
            return None
        key = (commitment.id, period.id)
        if key not in self._metrics:
            self._metrics[key] = compute.as_of(commitment, period.end).metric
        return compute.is_met(self._metrics[key], value)

    # -- corrections, with what they changed --

    def amendment_rows(self, correction: Correction) -> list[tuple[str, str, str]]:
        """What a correction changed, as (what, published, now) in plain words."""
        return [amendment_row(self.edition.dataset, a) for a in _in_order(correction.amended)]

    def corrections(self, commitment: str | None = None,
                    improvement: str | None = None) -> list[tuple[Period, Correction, list[Any]]]:
        """The edition's corrections that changed what is said of a commitment or an
        improvement, newest first, each with the rows of what it changed there."""
        found = []
        for period in self.edition.periods:
            for correction in period.corrections:
                rows = [amendment_row(self.edition.dataset, a) for a in _in_order(correction.amended)
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

    # The largest tables (results, figures per location, consistency) are built here rather
    # than in templates: cell by cell, they cost more through Jinja than the rest of a page.

    def results_table_html(self, commitment: Commitment) -> str:
        """A commitment's result, target, status and change in each period, newest first."""
        metric = commitment.metric
        lines = ["<table>", "<thead><tr><th>Period</th><th>Result</th><th>Target</th>"
                 "<th>Status</th><th>Change</th></tr></thead>", "<tbody>"]
        for r in reversed(self.rows[commitment.id]):
            draft = " (draft)" if r.period.draft else ""
            sample = r.measurement.sample if r.measurement else None
            cases = f" <small>({num(sample)} cases)</small>" if sample else ""
            if self.corrected(commitment.id, r.period):
                cases += (f' <small><a href="{_href("reports/" + r.period.id + ".md#corrections")}">'
                          "(corrected)</a></small>")
            lines.append(
                f'<tr><td><a href="{_href("reports/" + r.period.id + ".md")}">{r.period.id}</a>'
                f"{draft}</td><td>{_h(qty(r.value, metric.unit))}{cases}</td>"
                f"<td>{_h(target_text(metric, r.target))}</td><td>{status_badge(r.status)}</td>"
                f"<td>{_h(change_text(metric, r.change))}</td></tr>")
        return "\n".join([*lines, "</tbody>", "</table>"])

    def location_table_html(self, commitment: Commitment) -> str:
        """A commitment's figures per location (columns) and period (rows, newest first)."""
        columns, rows = self.location_table(commitment)
        if not columns:
            return ""
        unit = commitment.metric.unit
        lines = ["<table>", "<thead><tr><th>Period</th>"
                 + "".join(f"<th>{_h(loc.name)}</th>" for loc in columns) + "</tr></thead>", "<tbody>"]
        for period, figures in rows:
            cells = []
            for f in figures:
                if f is None or f.value is None:
                    cells.append("<td>—</td>")
                    continue
                mark = " ✓" if self.met(commitment, f.value, period) else " ✗"
                sample = f" <small>({num(f.sample)})</small>" if f.sample is not None else ""
                cells.append(f"<td>{_h(qty(f.value, unit))}{mark}{sample}</td>")
            lines.append(f"<tr><td>{period.id}</td>{''.join(cells)}</tr>")
        return "\n".join([*lines, "</tbody>", "</table>"])

    def consistency_html(self, period: Period) -> str:
        """Every commitment measured by location in the period: a summary, largest gap first,
        then each one's locations from the best to the worst against the target."""
        items = self.consistency(period)
        if not items:
            return ""
        summary = ["<table>", "<thead><tr><th>Commitment</th><th>Overall</th><th>Best</th>"
                   "<th>Worst</th><th>Gap</th><th>Locations missing the target</th></tr></thead>",
                   "<tbody>"]
        details = []
        for item in sorted(items, key=lambda i: -i["spread"]):
            c, row, figures = item["commitment"], item["row"], item["figures"]
            unit = c.metric.unit
            best, worst = figures[0], figures[-1]
            missed = sum(1 for f in figures if not f["met"])
            summary.append(
                f'<tr><td><a href="#commitment-{c.id}">{_h(c.title)}</a></td>'
                f"<td>{_h(qty(row.value, unit))}</td>"
                f"<td>{_h(best['location'].name)}: {_h(qty(best['value'], unit))}</td>"
                f"<td>{_h(worst['location'].name)}: {_h(qty(worst['value'], unit))}</td>"
                f"<td>{_h(qty(item['spread'], unit))}</td><td>{missed} of {len(figures)}</td></tr>")
        summary += ["</tbody>", "</table>"]
        for item in items:
            c, row, figures = item["commitment"], item["row"], item["figures"]
            unit = c.metric.unit
            details += [
                f'<h2 id="commitment-{c.id}"><a href="{_href("commitments/" + c.id + ".md")}">'
                f"{_h(c.title)}</a></h2>",
                f"<p>Target {_h(target_text(c.metric, row.target))}; overall "
                f"{_h(qty(row.value, unit))} ({row.status.value.lower()}).</p>",
                "<table>", "<thead><tr><th>Location</th><th>Result</th><th>Against target</th>"
                "<th>Cases</th></tr></thead>", "<tbody>"]
            for index, f in enumerate(figures):
                rank = ""
                if len(figures) > 1 and index in (0, len(figures) - 1):
                    rank = " (best)" if index == 0 else " (worst)"
                cases = num(f["sample"]) if f["sample"] is not None else "—"
                details.append(
                    f"<tr><td>{_h(f['location'].name)}{rank}</td><td>{_h(qty(f['value'], unit))}</td>"
                    f"<td>{'✓ Met' if f['met'] else '✗ Missed'}</td><td>{cases}</td></tr>")
            details += ["</tbody>", "</table>"]
        return "\n".join(summary + details)


_FIELDS = {"value": "result", "sample": "cases measured", "explanation": "explanation",
           "status": "status", "title": "title", "promise": "promise", "target": "target",
           "measure": "measure", "definition": "how we measure it", "since": "promised since",
           "retired": "applied until", "commitments": "related commitments",
           "feedback": "feedback",
           "unit": "unit", "direction": "which way is better", "applies": "in this report",
           "you_said": "you said", "we_did": "we did", "date": "date",
           "improvement": "in this report", "summary": "Summary", "highlights": "What went well"}


def _in_order(amended: tuple[Amendment, ...]) -> list[Amendment]:
    """Amendments as a reader takes them in: by commitment or improvement, the result first."""
    rank = {field: i for i, field in enumerate(_FIELDS)}
    return sorted(amended, key=lambda a: (a.commitment or "", a.improvement or "",
                                          a.location or "", rank.get(a.field, len(rank))))


def amendment_row(data: Any, amendment: Amendment) -> tuple[str, str, str]:
    """An amendment as (what, published, now) in plain words: 'Phone calls answered: result',
    '87.4%', '89.1%'."""
    field = amendment.field
    what = _FIELDS.get(field, field.replace("_", " "))
    old, new = amendment.old, amendment.new
    unit = ""
    if amendment.commitment is not None:
        commitment = next((c for c in data.commitments if c.id == amendment.commitment), None)
        name = commitment.title if commitment else amendment.commitment
        unit = commitment.metric.unit if commitment else ""
        if amendment.location is not None:
            location = data.location(amendment.location)
            place = location.name if location else amendment.location
            what = f"{what} at {place}"
        what = f"{name}: {what}"
    elif amendment.improvement is not None:
        improvement = next((i for p in data.periods for i in p.improvements
                            if i.id == amendment.improvement), None)
        what = f"{improvement.title if improvement else amendment.improvement}: {what}"
    if field in ("applies", "improvement"):
        return what, "shown" if old else "not shown", "shown" if new else "not shown"
    if field == "status":
        return what, _status_name(old), _status_name(new)
    if field in ("value", "target"):
        return what, _amount(old, unit), _amount(new, unit)
    if field == "sample":
        return what, num(old) if old is not None else "not given", \
            num(new) if new is not None else "not given"
    if field in ("since", "retired", "date"):
        return what, _day(old), _day(new)
    if field == "commitments":
        return what, _titles(data, old), _titles(data, new)
    if field == "feedback":
        return what, _feedback(old), _feedback(new)
    if field == "highlights":
        old_items, new_items = tuple(old or ()), tuple(new or ())
        at = next((i for i, (a, b) in enumerate(zip(old_items, new_items, strict=False)) if a != b),
                  min(len(old_items), len(new_items)))
        old = old_items[at] if at < len(old_items) else None
        new = new_items[at] if at < len(new_items) else None
    # Markdown fields are quoted as the words a reader saw; one-line texts as written.
    words = md_text if field not in ("title", "unit", "measure", "date") else str
    if isinstance(old, str) and isinstance(new, str):
        return (what, *excerpts(words(old), words(new)))
    return (what, excerpts(words(old), "")[0] if isinstance(old, str) else "none",
            excerpts(words(new), "")[0] if isinstance(new, str) else "none")


def _day(value: Any) -> str:
    day = parse_date(value) if isinstance(value, str) else None
    return date_text(day) if day else "none"


def _titles(data: Any, ids: Any) -> str:
    titles = [c.title if (c := data.commitment(cid)) else cid for cid in ids or ()]
    return "; ".join(titles) or "none"


def _feedback(pairs: Any) -> str:
    found = dict(pairs or ())
    count, source = found.get("count"), found.get("source")
    said = f"{num(count)} customers" if count is not None else ""
    return ", ".join(x for x in (said, source) if x) or "none"


def _amount(value: Any, unit: str) -> str:
    return "not measured" if value is None else qty(value, unit)


def _status_name(css: Any) -> str:
    return next((s.value for s in Status if s.css == css), str(css))


def _words(*texts: str | None) -> str:
    return " ".join(plain(t, 10_000) for t in texts if t)


# The pages of the edition listed last: a build lists them to digest their inputs, then to
# render them.
_LISTED: list[tuple[Edition, tuple[Page, ...]]] = []


def pages(edition: Edition) -> tuple[Page, ...]:
    """Every generated page of an edition."""
    if not _LISTED or _LISTED[0][0] is not edition:
        _LISTED[:] = [(edition, tuple(_pages(edition)))]
    return _LISTED[0][1]


def _pages(edition: Edition) -> list[Page]:
    org = edition.dataset.organization.name
    label = edition.period.label
    result = [
        Page("index.md", "home.md.j2", f"{org}: our commitments",
             f"What {org} promises its customers, and how it did in {label}.", {}),
        Page("commitments/index.md", "commitments.md.j2", "Commitments",
             f"Every promise {org} makes its customers, with its results.", {}),
        Page("improvements/index.md", "improvements.md.j2", "You said, we did",
             f"What {org} changed because customers asked.", {}),
        Page("reports/index.md", "reports.md.j2", "Reports",
             f"{org}'s results, period by period.", {}),
    ]
    for commitment in edition.commitments:
        result.append(Page(
            f"commitments/{commitment.id}.md", "commitment.md.j2", commitment.title,
            plain(commitment.promise), {"commitment": commitment},
            _words(commitment.promise, commitment.why, commitment.metric.name,
                   commitment.metric.definition),
            Needs(commitments=(commitment.id,))))
    for improvement in edition.improvements:
        result.append(Page(
            f"improvements/{improvement.id}.md", "improvement.md.j2", improvement.title,
            plain(improvement.we_did), {"improvement": improvement},
            _words(f"You said: {improvement.you_said}", f"We did: {improvement.we_did}"),
            Needs(commitments=improvement.commitments)))  # their statuses
    for period in edition.periods:
        # A row shows its change from the period before: every period up to this one.
        result.append(Page(f"reports/{period.id}.md", "report.md.j2",
                           f"Report for {period.label}",
                           plain(period.summary) or f"Results for {period.label}.",
                           {"report": period}, _words(period.summary, *period.highlights),
                           Needs(through=period.id)))
    if edition.internal:
        result.append(Page("reviews/index.md", "reviews.md.j2", "Reviews due",
                           "Commitments whose review is due.",
                           {"reviews": compute.reviews(edition.dataset, edition.period.end)}))
        result.append(Page("locations/index.md", "locations.md.j2", "Locations",
                           "Where results are measured.", {}))
        result.append(Page("consistency/index.md", "consistency.md.j2", "Consistency",
                           "How locations compare, period by period.", {}))
        for period in edition.periods:
            result.append(Page(f"consistency/{period.id}.md", "consistency-period.md.j2",
                               f"Consistency in {period.label}",
                               f"How locations compared in {period.label}.", {"report": period},
                               needs=Needs(through=period.id)))
    return result


# Shipped templates that every page template imports: overriding one may change any page.
_SHARED_TEMPLATES = ("macros.md.j2",)


def outputs(edition: Edition, user_templates: Path | None = None) -> dict[str, Needs | None]:
    """Every file render_edition makes (pages, then feeds, badges and open data), with the
    measurements it shows. A page whose template, or a template it imports, is overridden
    in site_src/templates may show anything: it has no Needs."""
    overridden = set()
    if user_templates is not None and user_templates.is_dir():
        overridden = {p.name for p in user_templates.iterdir()}
    shared_overridden = any(name in overridden for name in _SHARED_TEMPLATES)
    found: dict[str, Needs | None] = {
        page.path: None if shared_overridden or page.template in overridden else page.needs
        for page in pages(edition)}
    found.update(dict.fromkeys(_EDITION_FILES))
    for c in edition.commitments:
        found.update(dict.fromkeys(_commitment_files(c.id), Needs(commitments=(c.id,))))
    return found


def nav(edition: Edition, extra: list[Any]) -> list[Any]:
    """A short nested navigation: index pages only, never a page per commitment."""
    items: list[Any] = [
        {"Home": "index.md"},
        {"Commitments": "commitments/index.md"},
        {"You said, we did": "improvements/index.md"},
        {"Reports": "reports/index.md"},
    ]
    if edition.internal:
        items += [{"Team": [{"Reviews due": "reviews/index.md"},
                            {"Consistency": "consistency/index.md"},
                            {"Locations": "locations/index.md"}]}]
    return items + extra


def page_url(path: str) -> str:
    """The directory URL MkDocs gives a Markdown file: 'a/b.md' -> 'a/b/', 'a/index.md' -> 'a/'."""
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
    return stem.rstrip("/") + "/" if stem else ""


@dataclass(frozen=True)
class Rendered:
    """An edition's generated files, and the HTML blocks its pages stand in for.

    The pages go to MkDocs in memory, with their metadata beside them rather than as front
    matter (which MkDocs would parse with PyYAML's pure-Python loader). Big HTML (tables,
    charts) does not go through Markdown: a page holds a one-line marker per block, and the
    build puts the block in place after Markdown ran (see `plugin`). Parsing that HTML inside
    Markdown, twice, cost more than everything else in a page.
    """

    files: dict[str, str]  # Markdown pages, by path in docs_dir
    meta: dict[str, dict[str, Any]]  # each page's metadata (title, description, search)
    blocks: dict[str, list[str]]
    assets: dict[str, str]  # feeds, badges, open data: written beside the built pages
    # Pages not rendered, whose HTML the build takes from its previous output (no Markdown).
    reused: set[str] = field(default_factory=set)

    def expanded(self, path: str) -> str:
        """A page's Markdown with its blocks in place, as the reader will see them."""
        return put_blocks(self.files[path], self.blocks.get(path, []), MARKER_RE)


class _PageLinks:
    """Links and HTML blocks of the page being rendered.

    Templates reach these through the globals `url`, `href` and `stash`, so that the shared
    macros can be imported once (without the page's context) instead of once per page.
    """

    def __init__(self, path: str):
        self.here = posixpath.dirname(path)
        self.here_url = page_url(path)
        self.to_root = "../" * self.here_url.count("/")
        self.blocks: list[str] = []

    def url(self, target: str) -> str:
        """A Markdown link to another file of the edition (MkDocs resolves and checks it)."""
        target, _, anchor = target.partition("#")
        rel = _relative(target, self.here).rstrip("/") or "."  # as posixpath.relpath has it
        return rel + (f"#{anchor}" if anchor else "")

    def href(self, target: str) -> str:
        """The final relative URL of a page, for links inside raw HTML (tables)."""
        target, _, anchor = target.partition("#")
        # Up to the edition's root, then down: cheaper than posixpath.relpath, and as good.
        rel = self.to_root + page_url(target) or "./"
        return rel + (f"#{anchor}" if anchor else "")

    def asset(self, target: str) -> str:
        """The relative URL of a file that is not a page (feed, badge, JSON)."""
        return self.to_root + target

    def stash(self, html_block: str) -> str:
        """Keep trusted, escaped HTML out of Markdown; leave a marker paragraph in its place."""
        return "\n\n" + self.marker(html_block) + "\n\n"

    def marker(self, html_block: str) -> str:
        """The marker alone, for a block inside a line of Markdown (a list item)."""
        self.blocks.append(_one_line(str(html_block)))
        return BLOCK.format(len(self.blocks) - 1)


_PRE = re.compile(r"<pre[\s>].*?</pre>", re.S | re.I)


def _one_line(block: str) -> str:
    """A block of HTML on one line, without the templates' indentation; the line breaks of
    preformatted text (code in Markdown fields, structured internal notes) stay, written as
    character references."""
    if "<pre" in block:
        block = _PRE.sub(lambda m: m.group(0).replace("\n", "&#10;"), block)
    return " ".join(text for line in block.splitlines() if (text := line.strip()))


_current: list[_PageLinks] = []


def _url(target: str) -> str:
    return _current[-1].url(target)


def _href(target: str) -> str:
    return _current[-1].href(target)


def _stash(html_block: str) -> str:
    return _current[-1].stash(html_block)


def _asset(target: str) -> str:
    return _current[-1].asset(target)


def md_with_lead(text: str | None, lead: str | None = None) -> str:
    """A Markdown field as HTML (rendered once per process), optionally led by a bold label
    in its first paragraph ("You said: ...")."""
    rendered = md_html(text)
    if not lead or not rendered:
        return rendered
    label = f"<strong>{html.escape(lead)}</strong> "
    if rendered.startswith("<p>"):
        return rendered.replace("<p>", "<p>" + label, 1)
    return f"<p>{label}</p>{rendered}"


def _mdblock(text: str | None, lead: str | None = None) -> str:
    """A Markdown field as a block of HTML kept out of MkDocs' Markdown."""
    return _stash(md_with_lead(text, lead)) if text else ""


def _md(text: str | None, lead: str | None = None) -> str:
    """A Markdown field where a line of Markdown has room for it (a list item): its marker,
    which the rendered HTML replaces. The field never reaches MkDocs' Markdown."""
    return _current[-1].marker(md_with_lead(text, lead)) if text else ""


# A marker paragraph with the blank lines around it: Python-Markdown spends more on a run of
# blank lines than on a paragraph, and stash() adds its own on top of the template's.
_MARKER_GAP = re.compile(r"\n{3,}(⟦kept-block-\d+⟧)(?=\n)|(?<=⟧)\n{3,}")


def _tidy(body: str) -> str:
    return _MARKER_GAP.sub(lambda m: f"\n\n{m.group(1)}" if m.group(1) else "\n\n", body.strip())


def render_page(env: jinja2.Environment, view: EditionView,
                page: Page) -> tuple[str, dict[str, Any], list[str]]:
    """A page's Markdown, its metadata (what front matter would hold) and its HTML blocks."""
    links = _PageLinks(page.path)
    _current.append(links)
    try:
        body = env.get_template(page.template).render(
            edition=view.edition, view=view, org=view.organization, period=view.period,
            page=page, **page.context)
    finally:
        _current.pop()
    return _tidy(body) + "\n", page_meta(page), links.blocks


def page_meta(page: Page) -> dict[str, Any]:
    """What front matter would hold for the page."""
    return {"title": meta_text(page.title), "description": meta_text(page.description),
            "search": {"exclude": True}, "kept_search": page.search or page.description}


# The files of an edition that are neither pages nor a commitment's own.
_EDITION_FILES = ("feed.xml", "api/commitments.json", "api/improvements.json")


def static_files(view: EditionView, skip: Collection[str] = ()) -> dict[str, str]:
    """The edition's feeds, badges and open data, by path inside docs_dir; those in skip
    are left out (the build has them from before)."""
    edition = view.edition
    org = view.organization.name
    day = edition.period.published or edition.period.end
    makers = {
        "feed.xml": lambda: feeds.improvements_feed(org, day, edition.improvements,
                                                    view.link_from(""), view.all_corrections()),
        "api/commitments.json": lambda: opendata.commitments_json(edition, view.rows, view.status),
        "api/improvements.json": lambda: opendata.improvements_json(edition),
    }
    files = {path: make() for path, make in makers.items() if path not in skip}
    for c in edition.commitments:
        badge, feed = _commitment_files(c.id)
        if badge not in skip:
            files[badge] = charts.badge(c.title, view.status[c.id], view.attainment(c.id))
        if feed not in skip:
            files[feed] = feeds.commitment_feed(org, day, c, view.rows[c.id],
                                                view.improvements_for(c.id),
                                                view.link_from(posixpath.dirname(feed)),
                                                view.corrections(commitment=c.id))
    return files


def _commitment_files(cid: str) -> tuple[str, str]:
    """A commitment's badge and feed, by path inside docs_dir."""
    return f"badges/{cid}.svg", f"commitments/{cid}/feed.xml"


def render_edition(edition: Edition, user_templates: Path | None = None,
                   part: tuple[int, int] = (0, 1), skip: Collection[str] = ()) -> Rendered:
    """Every generated file of the edition: Markdown pages, feeds, badges and open data.

    part=(i, n) renders the i-th of n interleaved shares of the pages (the last share has
    the feeds, badges and open data), for rendering one edition in several processes. The
    files in skip are not rendered (the build takes them from its previous output): such a
    page gets its metadata and no Markdown, and is listed in `reused`.
    """
    index, shares = part
    env = environment(user_templates)
    view = EditionView(edition)
    rendered = Rendered({}, {}, {}, {})
    todo = []
    for page in pages(edition):
        if page.path in skip:
            rendered.files[page.path] = ""
            rendered.meta[page.path] = page_meta(page)
            rendered.reused.add(page.path)
        else:
            todo.append(page)
    for page in todo[index::shares]:
        body, meta, blocks = render_page(env, view, page)
        rendered.files[page.path] = body
        rendered.meta[page.path] = meta
        if blocks:
            rendered.blocks[page.path] = blocks
    if index == shares - 1:
        rendered.assets.update(static_files(view, skip))
    return rendered


def merge(parts: list[Rendered], order: list[str]) -> Rendered:
    """One Rendered of the shares of an edition, its pages in the order given."""
    merged = Rendered({}, {}, {}, {})
    for part in parts:
        merged.meta.update(part.meta)
        merged.blocks.update(part.blocks)
        merged.assets.update(part.assets)
        merged.reused.update(part.reused)
    files = {path: body for part in parts for path, body in part.files.items()}
    merged.files.update((path, files[path]) for path in order)
    return merged
