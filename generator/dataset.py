"""The model from validated files: located YAML data turned into typed, immutable objects.
Only data the validator accepted comes here, so every key it reads is there and well typed."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from generator.kinds import parse_date
from generator.load import Map
from generator.model import (
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
)
from generator.periods import Calendar


def _vis(item: Map) -> Visibility:
    return Visibility(item.get("visibility", "public"))


def _internal(item: Map) -> Any:
    return MappingProxyType(dict(item.get("internal") or {}))


def build(main: Map, results: dict[str, Any]) -> Dataset:
    """The dataset of commitments.yml (main) and the results files (id -> (path, data))."""
    org = main["organization"]
    organization = Organization(
        name=org["name"], period=org["period"], url=org.get("url"),
        min_sample=org.get("min_sample", 30), internal=_internal(org),
        year_starts=org.get("year_starts", 1),
        require_explanations=org.get("require_explanations", True),
        currency=org.get("currency"),
        languages=tuple(dict.fromkeys(org.get("languages") or ("en",))))
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
