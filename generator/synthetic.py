"""Synthetic organisations of any size, for benchmarks and tests on data nobody wrote by hand.

The data is random but seeded, so the same arguments always give the same files; it is valid
by construction (and checked by `kept validate` in the tests that use it).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.model import out_of_force
from generator.periods import Calendar

TOPICS = ["email", "phone", "chat", "letters", "billing", "repairs", "complaints", "refunds",
          "appointments", "deliveries", "accounts", "meters", "moves", "payments", "outages"]
MEASURES = [("Median reply time", "hours", "lower", 4.0, 1.5),
            ("Calls answered within a minute", "%", "higher", 90.0, 4.0),
            ("Satisfaction", "%", "higher", 85.0, 4.0),
            ("Resolved on first contact", "%", "higher", 75.0, 5.0),
            ("Median wait", "seconds", "lower", 120.0, 30.0),
            ("Cases reopened", "%", "lower", 5.0, 1.5)]


@dataclass(frozen=True)
class Size:
    commitments: int = 240
    locations: int = 12
    periods: int = 12
    improvements: int = 5  # per period
    internal_share: float = 0.125
    monthly: bool = False
    measured_at: int = 3  # locations each commitment is measured at


def history(months: int, shops: int = 200, improvements: int = 10,
            commitments: int = 30) -> Size:
    """A chain that publishes monthly: every commitment measured in every shop, a handful
    of improvements a month (the shape of a long history, see docs/performance.md)."""
    return Size(commitments=commitments, locations=shops, periods=months,
                improvements=improvements, monthly=True, measured_at=shops)


_CALENDARS = {False: Calendar("quarter"), True: Calendar("month")}
# The last year of a synthetic history: every period is over, and published, before the day
# any test or benchmark runs (a publication date may not be in the future).
LAST_YEAR = 2025


def _periods(size: Size) -> list[str]:
    ids: list[str] = []
    per_year = 12 if size.monthly else 4
    year, step = LAST_YEAR + 1 - -(-size.periods // per_year), 0
    while len(ids) < size.periods:
        if size.monthly:
            ids.append(f"{year + step // 12}-{step % 12 + 1:02d}")
        else:
            ids.append(f"{year + step // 4}-Q{step % 4 + 1}")
        step += 1
    return ids


# libyaml's emitter when there is one: a long history is tens of megabytes of YAML.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def generate(root: Path, size: Size = Size(), seed: int = 1) -> Path:
    """Write commitments.yml, results/ and mkdocs.yml of a synthetic organisation under root."""
    rng = random.Random(seed)
    periods = _periods(size)
    internal_every = max(1, round(1 / size.internal_share)) if size.internal_share else 0

    def internal(i: int) -> dict[str, str]:
        return {"visibility": "internal"} if internal_every and i % internal_every == 1 else {}

    locations = [{"id": f"site-{i}", "name": f"Site {i} contact centre", **internal(i)}
                 for i in range(1, size.locations + 1)]
    values = [{"id": f"value-{i}", "title": f"Value number {i}",
               "description": f"What principle {i} means for customers."} for i in range(1, 4)]
    commitments = []
    for i in range(1, size.commitments + 1):
        name, unit, direction, target, spread = MEASURES[i % len(MEASURES)]
        topic = TOPICS[i % len(TOPICS)]
        start_index = 0 if i % 5 else rng.randrange(len(periods))
        since = _CALENDARS[size.monthly].bounds(periods[start_index])[0]
        entry: dict[str, object] = {
            "id": f"c{i:04d}-{topic}",
            "title": f"Promise {i}: {name.lower()} for {topic}",
            "promise": f"We keep **promise {i}** about {topic}: {name.lower()} of "
                       f"{target:g}{unit if unit == '%' else ' ' + unit}.",
            "why": f"Customers asked for reliable {topic}.",
            "value": f"value-{i % 3 + 1}",
            "metric": {"name": name, "unit": unit, "direction": direction, "target": target,
                       "definition": f"Measured over every {topic} case in the period."},
            "since": since.isoformat(),
            "locations": [x["id"] for x in
                          rng.sample(locations, min(size.measured_at, len(locations)))],
            "review": {"every": "year", "last": (since + dt.timedelta(days=30)).isoformat()},
            **internal(i),
            "internal": {"owner": f"Owner {i}", "notes": "Synthetic."},
        }
        if i % 7 == 0 and len(periods) > 2:
            change = _CALENDARS[size.monthly].bounds(periods[len(periods) // 2])[0]
            if change > since:
                loosened = target * 1.5 if direction == "lower" else target - 10
                entry["revisions"] = [{"date": change.isoformat(), "reason": "Reviewed.",
                                       "previous": {"target": round(loosened, 2)}}]
        if i % 31 == 0 and len(periods) > 3:
            entry["retired"] = _CALENDARS[size.monthly].bounds(periods[-3])[1].isoformat()
        commitments.append(entry)
    root.mkdir(parents=True, exist_ok=True)
    (root / "commitments.yml").write_text(_dump({
        "organization": {"name": "Synthetic Support", "url": "https://promises.synthetic.example/",
                         "period": "month" if size.monthly else "quarter"},
        "values": values, "locations": locations, "commitments": commitments}), encoding="utf-8")
    results = root / "results"
    results.mkdir(exist_ok=True)
    counter = 0
    for index, pid in enumerate(periods):
        start, end = _CALENDARS[size.monthly].bounds(pid)
        measurements: dict[str, object] = {}
        for c in commitments:
            since = dt.date.fromisoformat(str(c["since"]))
            retired = dt.date.fromisoformat(str(c["retired"])) if "retired" in c else None
            if out_of_force(since, retired, start, end) is not None:
                continue
            metric = c["metric"]
            assert isinstance(metric, dict)
            base = float(metric["target"])
            spread = MEASURES[[m[0] for m in MEASURES].index(metric["name"])][4]
            value = round(max(0.0, rng.gauss(base, spread)), 1)
            if metric["unit"] == "%":
                value = min(value, 100.0)
            m: dict[str, object] = {"value": value, "sample": rng.randrange(500, 20000),
                                    "explanation": "Explained for customers."}
            locs = c["locations"]
            assert isinstance(locs, list)
            m["locations"] = {lid: {"value": round(max(0.0, value + rng.gauss(0, spread)), 1),
                                    "sample": rng.randrange(10, 4000)} for lid in locs}
            measurements[str(c["id"])] = m
        improvements = []
        for _ in range(size.improvements):
            counter += 1
            day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
            linked = rng.sample(commitments, 2)
            improvements.append({
                "id": f"improvement-{counter:05d}", "date": day.isoformat(),
                "title": f"Improvement {counter} to {TOPICS[counter % len(TOPICS)]}",
                "you_said": f"Customers said number {counter}.",
                "we_did": f"We changed thing {counter}.",
                "commitments": [str(x["id"]) for x in linked],
                "feedback": {"source": "survey", "count": rng.randrange(5, 500)},
                **internal(counter)})
        data: dict[str, object] = {"period": pid}
        if index < len(periods) - 1:
            data["published"] = (end + dt.timedelta(days=7)).isoformat()
        data.update({"summary": f"Results for {pid}.", "measurements": measurements,
                     "highlights": [f"Highlight of {pid}."], "improvements": improvements})
        (results / f"{pid}.yml").write_text(_dump(data), encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Synthetic promises\ntheme:\n  name: material\n", encoding="utf-8")
    return root
