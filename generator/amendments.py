"""What a correction changed, in plain words: (what, as published, as now) rows for pages
and feeds."""

from __future__ import annotations

from typing import Any

from generator.compute import Status
from generator.i18n import N_, ntr, tr
from generator.kinds import parse_date
from generator.model import Amendment, Threshold
from generator.words import date_text, excerpts, num, qty, threshold_text

# What each field of an amendment is called (translated where shown).
_FIELDS = {"value": N_("result"), "sample": N_("cases measured"), "explanation": N_("explanation"),
           "status": N_("status"), "title": N_("title"), "promise": N_("promise"), "target": N_("target"),
           "measure": N_("measure"), "definition": N_("how we measure it"), "since": N_("promised since"),
           "retired": N_("applied until"), "commitments": N_("related commitments"),
           "feedback": N_("feedback"),
           "unit": N_("unit"), "direction": N_("which way is better"), "applies": N_("in this report"),
           "you_said": N_("you said"), "we_did": N_("we did"), "date": N_("date"),
           "improvement": N_("in this report"), "summary": N_("Summary"), "highlights": N_("What went well"),
           "guarantee": N_("guarantee"), "guarantee_figures": N_("guarantee payments"),
           "recovery": N_("recovery plan"), "we_will": N_("we will"), "by": N_("expected by"),
           "delivers": N_("delivers")}


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
    what = tr(_FIELDS[field]) if field in _FIELDS else field.replace("_", " ")
    old, new = amendment.old, amendment.new
    unit = ""
    if amendment.commitment is not None:
        commitment = data.commitment(amendment.commitment)
        name = commitment.title if commitment else amendment.commitment
        unit = commitment.metric.unit if commitment else ""
        if amendment.location is not None:
            location = data.location(amendment.location)
            place = location.name if location else amendment.location
            what = tr("{field} at {place}", field=what, place=place)
        what = tr("{subject}: {field}", subject=name, field=what)
    elif amendment.improvement is not None:
        improvement = next((i for p in data.periods for i in (*p.improvements, *p.planned)
                            if i.id == amendment.improvement), None)
        what = tr("{subject}: {field}", subject=improvement.title if improvement
                  else amendment.improvement, field=what)
    if field in ("applies", "improvement"):
        return what, _shown(old), _shown(new)
    if field == "status":
        return what, _status_name(old), _status_name(new)
    if field in ("value", "target"):
        return what, _amount(old, unit), _amount(new, unit)
    if field == "sample":
        return what, num(old) if old is not None else tr("not given"), \
            num(new) if new is not None else tr("not given")
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
    return (what, excerpts(words(old), "")[0] if isinstance(old, str) else tr("none"),
            excerpts(words(new), "")[0] if isinstance(new, str) else tr("none"))


def _shown(value: Any) -> str:
    return tr("shown") if value else tr("not shown")


def _day(value: Any) -> str:
    day = parse_date(value) if isinstance(value, str) else None
    return date_text(day) if day else tr("none")


def _titles(data: Any, ids: Any) -> str:
    titles = [c.title if (c := data.commitment(cid)) else cid for cid in ids or ()]
    return "; ".join(titles) or tr("none")


def _feedback(pairs: Any) -> str:
    found = dict(pairs or ())
    count, source = found.get("count"), found.get("source")
    said = ntr("{count} customer", "{count} customers", count) if count is not None else ""
    return ", ".join(x for x in (said, source) if x) or tr("none")


def _within(pairs: Any) -> str:
    found = dict(pairs or ())
    return threshold_text(Threshold(found["value"], found["unit"])) if found else tr("no limit")


def _pairs(pairs: Any) -> str:
    """A guarantee, its figures or a recovery plan (frozen as pairs), in words."""
    found = dict(pairs or ())
    if not found:
        return tr("none")
    if "remedy" in found:
        remedy = excerpts(found["remedy"], "")[0]
        return tr("{remedy}, automatically", remedy=remedy) if found.get("automatic") else remedy
    if "breaches" in found:
        figures = tr("{breaches} let down, {paid} payments", breaches=num(found["breaches"]),
                     paid=num(found["paid"]))
        if found.get("amount") is not None:
            return tr("{figures}, {amount} paid", figures=figures, amount=num(found["amount"]))
        return figures
    return tr("back on target by {period}: {action}", period=found["by"],
              action=excerpts(found["action"], "")[0])


def _amount(value: Any, unit: str) -> str:
    return tr("not measured") if value is None else qty(value, unit)


def _status_name(css: Any) -> str:
    return next((s.label for s in Status if s.css == css), str(css))
