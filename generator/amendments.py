"""What a correction changed, in plain words: (what, as published, as now) rows for pages
and feeds."""

from __future__ import annotations

from typing import Any

from generator.compute import Status
from generator.kinds import parse_date
from generator.model import Amendment, Threshold
from generator.words import date_text, excerpts, num, qty, threshold_text

_FIELDS = {"value": "result", "sample": "cases measured", "explanation": "explanation",
           "status": "status", "title": "title", "promise": "promise", "target": "target",
           "measure": "measure", "definition": "how we measure it", "since": "promised since",
           "retired": "applied until", "commitments": "related commitments",
           "feedback": "feedback",
           "unit": "unit", "direction": "which way is better", "applies": "in this report",
           "you_said": "you said", "we_did": "we did", "date": "date",
           "improvement": "in this report", "summary": "Summary", "highlights": "What went well",
           "guarantee": "guarantee", "guarantee_figures": "guarantee payments",
           "recovery": "recovery plan", "we_will": "we will", "by": "expected by",
           "delivers": "delivers"}


def in_order(amended: tuple[Amendment, ...]) -> list[Amendment]:
    """Amendments as a reader takes them in: by commitment or improvement, the result first."""
    rank = {field: i for i, field in enumerate(_FIELDS)}
    return sorted(amended, key=lambda a: (a.commitment or "", a.improvement or "",
                                          a.location or "", rank.get(a.field, len(rank))))


def amendment_row(data: Any, amendment: Amendment) -> tuple[str, str, str]:
    """An amendment as (what, published, now) in plain words: 'Phone calls answered: result',
    '87.4%', '89.1%'."""
    from generator.markup import md_text

    field = amendment.field
    what = _FIELDS.get(field, field.replace("_", " "))
    old, new = amendment.old, amendment.new
    unit = ""
    if amendment.commitment is not None:
        commitment = data.commitment(amendment.commitment)
        name = commitment.title if commitment else amendment.commitment
        unit = commitment.metric.unit if commitment else ""
        if amendment.location is not None:
            location = data.location(amendment.location)
            place = location.name if location else amendment.location
            what = f"{what} at {place}"
        what = f"{name}: {what}"
    elif amendment.improvement is not None:
        improvement = next((i for p in data.periods for i in (*p.improvements, *p.planned)
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
    if field in ("guarantee", "guarantee_figures", "recovery"):
        return what, _pairs(old), _pairs(new)
    if field == "threshold":
        return what, _within(old), _within(new)
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


def _within(pairs: Any) -> str:
    found = dict(pairs or ())
    return threshold_text(Threshold(found["value"], found["unit"])) if found else "no limit"


def _pairs(pairs: Any) -> str:
    """A guarantee, its figures or a recovery plan (frozen as pairs), in words."""
    found = dict(pairs or ())
    if not found:
        return "none"
    if "remedy" in found:
        return excerpts(found["remedy"], "")[0] + (", automatically" if found.get("automatic") else "")
    if "breaches" in found:
        amount = f", {num(found['amount'])} paid" if found.get("amount") is not None else ""
        return f"{num(found['breaches'])} let down, {num(found['paid'])} payments{amount}"
    return f"back on target by {found['by']}: {excerpts(found['action'], '')[0]}"


def _amount(value: Any, unit: str) -> str:
    return "not measured" if value is None else qty(value, unit)


def _status_name(css: Any) -> str:
    return next((s.value for s in Status if s.css == css), str(css))
