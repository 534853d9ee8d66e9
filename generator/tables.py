"""The largest tables of the pages, as HTML: a commitment's results and its figures by
location, and how locations compare in a period.

They are built here rather than in templates because, cell by cell, they cost more through
Jinja than the rest of a page. Every text from the data goes through `cell`, the one escaping
helper; links come from the page being rendered (`href`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from generator import i18n
from generator.compute import Row, Status
from generator.i18n import N_, Foreign, ntr, tr
from generator.markup import content, h
from generator.model import Commitment, Period
from generator.view import EditionView
from generator.words import cases_cell, cases_text, change_text, difference_text, num, qty, target_text

Href = Callable[[str], str]

_RESULTS_COLUMNS = (N_("Period"), N_("Result"), N_("Target"), N_("Status"), N_("Change"))
_CONSISTENCY_COLUMNS = (N_("Commitment"), N_("Overall"), N_("Best"), N_("Worst"), N_("Gap"),
                        N_("Locations missing the target"))
_LOCATION_COLUMNS = (N_("Location"), N_("Result"), N_("Against target"))

_SYMBOLS = {Status.MET: "✓", Status.MISSED: "✗", Status.NOT_MEASURED: "–",
            Status.NOT_YET: "·", Status.RETIRED: "⏹"}


@functools.lru_cache(maxsize=256)
def _badge(state: Status, language: i18n.Language) -> str:
    return (f'<span class="kept-status kept-status--{state.css}">{_SYMBOLS[state]} '
            f"{h(state.label)}</span>")


def _plain_status(state: Status) -> str:
    return f"{_SYMBOLS[state]} {h(state.label)}"


def status_badge(state: Status) -> str:
    """A status as a page shows it, in the page's language: '✓ Met'."""
    return _badge(state, i18n.current())


@functools.lru_cache(maxsize=1 << 16)
def _escaped(text: str) -> str:
    return h(text)


def cell(text: Any) -> str:
    """Text escaped for HTML as an element's content (marked with its language when it is not
    the page's); the same names and figures are escaped thousands of times a build, so each is
    escaped once."""
    if isinstance(text, Foreign):
        return content(text)
    return _escaped(text if isinstance(text, str) else str(text))


def _unit(commitment: Commitment) -> str:
    return commitment.metric.unit if commitment.metric else ""


def figure(view: EditionView, commitment: Commitment, row: Row | None) -> str:
    """A period's result as HTML: the figure with its margin of error, its comparison and a
    caution when it was measured on few cases ('33% ± 5.1% (Sector median 2025: 71%), only 3
    cases'); a promise in words has no figure (its status says whether it was kept)."""
    metric = commitment.metric
    if row is None or metric is None:
        return "—"
    text = cell(qty(row.value, metric.unit))
    measurement = row.measurement
    if measurement is None or row.value is None:
        return text
    if measurement.margin is not None:
        text += f" ± {cell(qty(measurement.margin, metric.unit))}"
    if measurement.benchmark is not None:
        text += (f" <small>({cell(measurement.benchmark.label)}: "
                 f"{cell(qty(measurement.benchmark.value, metric.unit))})</small>")
    if view.small_sample(row):
        caution = ntr("small sample: only {count} case", "small sample: only {count} cases",
                      measurement.sample or 0)
        text += f' <small class="kept-caution">{h(caution)}</small>'
    return text


def _earlier(view: EditionView, commitment: Commitment) -> int:
    """How many of a commitment's periods its tables leave out (see view.recent)."""
    return len(view.rows[commitment.id]) - len(view.recent(commitment))


def earlier(view: EditionView, commitment: Commitment, history: str) -> str:
    """Where the results of the periods a commitment's results table leaves out are:
    history, the address of the open data with the whole history."""
    count = _earlier(view, commitment)
    if not count:
        return ""
    if commitment.metric:
        where = ntr("The results of the earlier period are in the chart and in the open data:",
                    "The results of the earlier {number} periods are in the chart and in the "
                    "open data:", count, number=num(count))
    else:
        where = ntr("The results of the earlier period are in the open data:",
                    "The results of the earlier {number} periods are in the open data:", count,
                    number=num(count))
    every = h(tr("every result, for spreadsheets"))
    return f'<p class="kept-earlier">{h(where)} <a href="{history}">{every}</a> (CSV).</p>'


def results(view: EditionView, commitment: Commitment, href: Href) -> str:
    """A commitment's result, target, status and change in each of the edition's last
    periods (view.recent), newest first."""
    metric = commitment.metric
    heads = "".join('<th role="columnheader">' + h(tr(name)) + "</th>" for name in _RESULTS_COLUMNS)
    target_label, change_label = h(tr("Target:")), h(tr("Change:"))
    draft = " " + h(tr("(draft)"))
    corrected = h(tr("(corrected)"))
    lines = ['<div class="kept-cards kept-cards--periods">', '<table role="table">',
             f'<thead role="rowgroup"><tr role="row">{heads}</tr></thead>', '<tbody role="rowgroup">']
    for r in reversed(view.recent(commitment)):
        sample = r.measurement.sample if r.measurement else None
        cases = (f" <small>({h(cases_text(sample))})</small>"
                 if sample and not view.small_sample(r) else "")
        if view.corrected(commitment.id, r.period):
            cases += (f' <small><a href="{href("reports/" + r.period.id + ".md#corrections")}">'
                      f"{corrected}</a></small>")
        lines.append(
            f'<tr role="row"><td role="cell"><a href="{href("reports/" + r.period.id + ".md")}">'
            f'{r.period.id}</a>{draft if r.period.draft else ""}</td>'
            f'<td role="cell">{figure(view, commitment, r)}{cases}</td>'
            f'<td role="cell" data-label="{target_label}">{cell(target_text(metric, r.target))}</td>'
            f'<td role="cell">{status_badge(r.status)}</td>'
            f'<td role="cell" data-label="{change_label}">{cell(change_text(metric, r.change))}</td></tr>')
    return "\n".join([*lines, "</tbody>", "</table>", "</div>"])


def by_location(view: EditionView, commitment: Commitment, history: str = "") -> str:
    """A commitment's figures per location (columns) and period (rows, newest first), in
    the edition's last periods (view.location_table), the cases measured in the newest;
    where earlier periods' figures are (history: the address of the open data with the
    whole history)."""
    columns, rows = view.location_table(commitment)
    if not columns:
        return ""
    note = ""
    if history and any(r.measurement and r.measurement.locations
                       for r in view.rows[commitment.id][:_earlier(view, commitment)]):
        where = h(tr("Earlier periods' figures by location are in the open data:"))
        every = h(tr("every result, for spreadsheets"))
        note = f'<p class="kept-earlier">{where} <a href="{history}">{every}</a> (CSV).</p>'
    unit = commitment.metric.unit if commitment.metric else ""
    # Cases for every figure of the newest period, or for none: a figure without them beside
    # others with them reads as a mistake.
    samples = any(f is not None and f.value is not None and f.sample is not None
                  for f in rows[0][1]) if rows else False
    lines = ["<table>", "<thead><tr><th>" + h(tr("Period")) + "</th>"
             + "".join(f"<th>{cell(loc.name)}</th>" for loc in columns) + "</tr></thead>", "<tbody>"]
    for index, (period, figures) in enumerate(rows):
        cells = []
        for f in figures:
            if f is None or f.value is None:
                cells.append("<td>—</td>")
                continue
            mark = " ✓" if view.met(commitment, f.value, period) else " ✗"
            # The newest period in full; earlier ones without their cases (in the open data).
            sample = f" <small>({cases_text(f.sample)})</small>" if samples and index == 0 else ""
            cells.append(f"<td>{cell(qty(f.value, unit))}{mark}{sample}</td>")
        lines.append(f"<tr><td>{period.id}</td>{''.join(cells)}</tr>")
    return "\n".join([*lines, "</tbody>", "</table>", *([note] if note else [])])


def consistency(view: EditionView, period: Period, href: Href) -> str:
    """Every commitment measured by location in the period: a summary, largest gap first,
    then each one's locations from the best to the worst against the target."""
    items = view.consistency(period)
    if not items:
        return ""
    heads = "".join("<th>" + h(tr(name)) + "</th>" for name in _CONSISTENCY_COLUMNS)
    summary = ["<table>", f"<thead><tr>{heads}</tr></thead>", "<tbody>"]
    units: dict[str, int] = {}  # gaps are compared only in the same unit: grouped by unit
    for item in items:
        units.setdefault(_unit(item.commitment).strip(), len(units))
    for item in sorted(items, key=lambda i: (units[_unit(i.commitment).strip()], -i.spread)):
        c, unit = item.commitment, _unit(item.commitment)
        best, worst = item.figures[0], item.figures[-1]
        missed = sum(1 for f in item.figures if not f.met)
        summary.append(
            f'<tr><td><a href="#commitment-{c.id}">{cell(c.title)}</a></td>'
            f"<td>{cell(qty(item.row.value, unit))}</td>"
            f"<td>{cell(best.location.name)}: {cell(qty(best.value, unit))}</td>"
            f"<td>{cell(worst.location.name)}: {cell(qty(worst.value, unit))}</td>"
            f"<td>{cell(difference_text(item.spread, unit))}</td>"
            "<td>" + h(tr("{met} of {count}", met=num(missed), count=num(len(item.figures))))
            + "</td></tr>")
    summary += ["</tbody>", "</table>"]
    details: list[str] = []
    location_heads = "".join("<th>" + h(tr(name)) + "</th>" for name in _LOCATION_COLUMNS)
    cases_head = "<th>" + h(tr("Cases")) + "</th>"
    for item in items:
        c, row, figures, unit = item.commitment, item.row, item.figures, _unit(item.commitment)
        samples = any(f.sample is not None for f in figures)  # a Cases column, or none
        details += [
            f'<h2 id="commitment-{c.id}"><a href="{href("commitments/" + c.id + ".md")}">'
            f"{cell(c.title)}</a></h2>",
            "<p>" + h(tr("Target {target}; overall {result} ({status}).",
                         target=target_text(c.metric, row.target), result=qty(row.value, unit),
                         status=row.status.label.lower())) + "</p>",
            "<table>", f"<thead><tr>{location_heads}"
            + (cases_head if samples else "") + "</tr></thead>", "<tbody>"]
        for index, f in enumerate(figures):
            rank = ""
            if len(figures) > 1 and index in (0, len(figures) - 1):
                rank = " " + h(tr("(best)") if index == 0 else tr("(worst)"))
            cases = f"<td>{h(cases_cell(f.sample))}</td>" if samples else ""
            details.append(
                f"<tr><td>{cell(f.location.name)}{rank}</td><td>{cell(qty(f.value, unit))}</td>"
                f"<td>{_plain_status(Status.MET if f.met else Status.MISSED)}</td>{cases}</tr>")
        details += ["</tbody>", "</table>"]
    return "\n".join(summary + details)
