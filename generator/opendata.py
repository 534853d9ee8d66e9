"""Open data of an edition: `api/commitments.json`, `api/improvements.json`, and
`api/results.csv` for spreadsheets.

The same projected data the pages show: on the public site it holds public entities only,
because the projection removed the rest before anything rendered.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from generator.compute import Row, Status, attainment, is_met, streak
from generator.model import Commitment, Improvement, Period, Visibility
from generator.project import Edition

FORMAT_VERSION = 1


def _period(period: Period) -> dict[str, Any]:
    return {"id": period.id, "label": period.label, "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "published": period.published.isoformat() if period.published else None,
            "corrections": [
                {"date": c.date.isoformat(), "note": c.note, "changes": list(c.changes),
                 "amended": [{"subject": a.subject, "field": a.field, "commitment": a.commitment,
                              "location": a.location, "improvement": a.improvement,
                              "published": _plain(a.old), "now": _plain(a.new)}
                             for a in c.amended]}
                for c in period.corrections]}


def _plain(value: Any) -> Any:
    """An amendment's value as JSON has it (highlights are a list)."""
    return list(value) if isinstance(value, tuple) else value


def _internal(edition: Edition, mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {"internal": json.loads(json.dumps(dict(mapping), default=str))} \
        if edition.internal and mapping else {}


# A commitment's results in one period, as the text of a file (named by its path): made
# (make), or taken from the file of the previous build when nothing they show changed (see
# latest.Reuse): latest/'s own files hold every figure of every month.
Reuse = Callable[[str, Commitment, Row, Callable[[], str]], str]
RESULTS_CSV, COMMITMENTS_JSON = "api/results.csv", "api/commitments.json"


def made(path: str, commitment: Commitment, row: Row, make: Callable[[], str]) -> str:
    """Every commitment's results made (nothing taken from before)."""
    return make()


def _commitment(edition: Edition, commitment: Commitment, rows: list[Any],
                status: str, whole: bool, reuse: Reuse) -> str:
    metric = commitment.metric
    score = attainment(rows)
    data = {
        "id": commitment.id,
        "url": f"commitments/{commitment.id}/",
        "title": commitment.title,
        "promise": commitment.promise,
        "why": commitment.why,
        "value": commitment.value,
        "visibility": commitment.visibility.value,
        "since": commitment.since.isoformat(),
        "retired": commitment.retired.isoformat() if commitment.retired else None,
        "kind": "words" if metric is None else "number",
        "announced": commitment.announced.isoformat() if commitment.announced else None,
        "metric": None if metric is None else {
            "name": metric.name, "unit": metric.unit, "direction": metric.direction.value,
            "target": metric.target, "definition": metric.definition, "method": metric.method,
            "threshold": {"value": metric.threshold.value, "unit": metric.threshold.unit}
            if metric.threshold else None},
        "locations": list(commitment.locations),
        "status": status,
        "attainment": {"met": score.met, "measured": score.measured},
        "streak": streak(rows),
        "results": None,  # written apart, a period at a time (see Reuse)
        "revisions": [
            {"date": r.date.isoformat(), "reason": r.reason,
             "previous": {k: v for k, v in (("target", r.target), ("title", r.title),
                                            ("promise", r.promise), ("name", r.name),
                                            ("definition", r.definition)) if v is not None}}
            for r in commitment.revisions if r.date <= edition.period.end
        ],
        **_internal(edition, commitment.internal),
    }
    results = [reuse(COMMITMENTS_JSON, commitment, row,
                     functools.partial(lambda row: _json(_result(edition, row)), row))
               for row in rows if whole or row.period.id == edition.id]
    return _object((key, "[" + ",".join(results) + "]" if key == "results" else _json(value))
                   for key, value in data.items())


def _result(edition: Edition, row: Row) -> dict[str, Any]:
    return {"period": row.period.id, "value": row.value, "target": row.target,
            "status": row.status.value,
            "sample": row.measurement.sample if row.measurement else None,
            "explanation": row.measurement.explanation if row.measurement else None,
            "locations": {lid: {"value": f.value, "sample": f.sample}
                          for lid, f in (row.measurement.locations.items()
                                         if row.measurement else ())},
            **(_internal(edition, row.measurement.internal) if row.measurement else {})}


def _improvement(edition: Edition, improvement: Improvement) -> dict[str, Any]:
    return {
        "id": improvement.id,
        "url": f"improvements/{improvement.id}/",
        "date": improvement.date.isoformat(),
        "period": improvement.period,
        "title": improvement.title,
        "you_said": improvement.you_said,
        "we_did": improvement.we_did,
        "commitments": list(improvement.commitments),
        "feedback": {"source": improvement.feedback_source, "count": improvement.feedback_count},
        "visibility": improvement.visibility.value,
        **_internal(edition, improvement.internal),
    }


def _dump(data: dict[str, Any]) -> str:
    return _json(data) + "\n"


def _json(value: Any) -> str:
    # Compact: the C encoder is several times faster than the indenting one.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _object(items: Iterable[tuple[str, str]]) -> str:
    """A JSON object of keys and values written already, as _json writes a mapping."""
    return "{" + ",".join(f"{_json(key)}:{value}" for key, value in items) + "}"


def commitments_json(edition: Edition, rows: Mapping[str, list[Any]],
                     statuses: Mapping[str, Any], whole: bool = True, reuse: Reuse = made) -> str:
    """The edition's commitments with their results: of every period (whole), or of the
    edition's own period (what is new in it: see static.latest_files)."""
    head = {
        "format": FORMAT_VERSION,
        "organization": edition.dataset.organization.name,
        "edition": edition.id,
        "period": _period(edition.period),
        "periods": [_period(p) for p in edition.periods],
        "values": [{"id": v.id, "title": v.title, "description": v.description}
                   for v in edition.dataset.values],
        "locations": [{"id": x.id, "name": x.name} for x in edition.dataset.locations],
    }
    commitments = [_commitment(edition, c, rows[c.id], statuses[c.id].value, whole, reuse)
                   for c in edition.commitments]
    return _object([*((key, _json(value)) for key, value in head.items()),
                    ("commitments", "[" + ",".join(commitments) + "]")]) + "\n"


def improvements_json(edition: Edition, whole: bool = True) -> str:
    """The edition's improvements: all of them (whole), or those of its own period."""
    return _dump({
        "format": FORMAT_VERSION,
        "organization": edition.dataset.organization.name,
        "edition": edition.id,
        "improvements": [_improvement(edition, i) for i in edition.improvements
                         if whole or i.period == edition.id],
    })


# --- api/results.csv --------------------------------------------------------------------------

RESULTS_COLUMNS = ("commitment", "title", "period", "published", "location", "location_name",
                   "value", "sample", "unit", "target", "direction", "status", "visibility")
_BOM = "\ufeff"  # without it, Excel reads UTF-8 as the system's code page and garbles names
# A cell a spreadsheet would take for a formula: text from the data is hostile.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


@functools.lru_cache(maxsize=1 << 16)
def _cell_number(value: float | None) -> str:
    """A figure as a spreadsheet reads it: digits and a point, no exponent when avoidable."""
    if value is None:
        return ""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    return repr(float(value))


@functools.lru_cache(maxsize=1 << 12)
def _quoted(text: str) -> str:
    """A text cell as the csv module writes it (quoted when it must be), not a formula:
    the same titles, names and units are written on hundreds of thousands of rows."""
    if not text:
        return ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([_cell_text(text)])
    return out.getvalue()[:-1]


def _result_rows(edition: Edition, commitment: Commitment, rows: list[Row],
                 reuse: Reuse) -> list[str]:
    """A commitment's rows, as CSV lines, a period at a time: the headline figure, then each
    location's. Ids, dates, figures and statuses need no quoting; texts are quoted once, and
    what a location's rows share (its cells, the period's judgement and each status) is made
    once: latest/ has a row for every figure of every period, hundreds of thousands of them."""
    metric = commitment.metric  # None for a promise in words: no figure, unit or target
    visibility = commitment.visibility.value
    # Each location's cells (id and name) and the end of its rows (visibility), once for all.
    cells = {}
    for location in edition.dataset.locations:
        internal = Visibility.INTERNAL in (commitment.visibility, location.visibility)
        cells[location.id] = (f"{location.id},{_quoted(location.name)},",
                              ",internal\r\n" if internal else ",public\r\n")
    unknown = ",internal\r\n" if commitment.visibility is Visibility.INTERNAL else ",public\r\n"
    statuses = (Status.MET.value, Status.MISSED.value, Status.NOT_MEASURED.value)

    def period_rows(row: Row) -> str:
        period = row.period
        common = (f"{commitment.id},{_quoted(commitment.title)},{period.id},"
                  f"{period.published.isoformat() if period.published else ''},")
        judged = (f"{_quoted(metric.unit)},{_cell_number(row.target)},{metric.direction.value}"
                  if metric is not None else ",,")
        sample = row.measurement.sample if row.measurement else None
        found = [f"{common},,{_cell_number(row.value)},{_cell_number(sample)},{judged},"
                 f"{row.status.value},{visibility}\r\n"]
        figures = row.measurement.locations if row.measurement else {}
        order = [lid for lid in commitment.locations if lid in figures]
        listed = set(order)
        judge = replace(metric, target=row.target) if metric is not None and row.target is not None \
            else None  # the period's target, once for its hundreds of locations
        met, missed, unmeasured = (f",{judged},{status}" for status in statuses)
        for lid in order + [lid for lid in figures if lid not in listed]:
            figure = figures[lid]
            where, shown = cells.get(lid) or (f"{lid},,", unknown)
            if figure.value is None or judge is None:
                judgement = unmeasured
            else:
                judgement = met if is_met(judge, figure.value) else missed
            found.append(f"{common}{where}{_cell_number(figure.value)},"
                         f"{_cell_number(figure.sample)}{judgement}{shown}")
        return "".join(found)

    return [reuse(RESULTS_CSV, commitment, row, functools.partial(period_rows, row))
            for row in rows]


def results_csv(edition: Edition, rows: Mapping[str, list[Row]], whole: bool = True,
                reuse: Reuse = made) -> str:
    """Every result of the edition, one row per commitment, period and location (the headline
    figure has no location), for spreadsheets: RFC 4180, UTF-8 with a byte order mark. Of
    every period (whole), or of the edition's own period."""
    lines = [",".join(RESULTS_COLUMNS) + "\r\n"]
    for commitment in edition.commitments:
        shown = rows[commitment.id] if whole else [
            r for r in rows[commitment.id] if r.period.id == edition.id]
        lines += _result_rows(edition, commitment, shown, reuse)
    return _BOM + "".join(lines)
