"""What a change does to the data, compared with a base: guards and a summary.

`check_against_base` protects what customers were already shown (`kept validate --base`): a
published figure changes only with a correction on record, and nothing that had a page goes
away, because customers are sent links to those pages. `summary` tells a reviewer what a pull
request changes, in customers' terms (`kept diff`).

Both compare two validated `Dataset`s; only the located problems read the working tree again,
for the line and column of what they point at.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import compute
from generator.errors import Problem
from generator.history import dataset_at, default_base
from generator.load import Map, Pos, Seq, load_file
from generator.markup import inline
from generator.model import (
    Commitment,
    Dataset,
    Improvement,
    Measurement,
    Metric,
    Period,
    Visibility,
)
from generator.validate import COMMITMENTS, RESULTS, load_dataset
from generator.words import date_text, qty, target_text

NO_CHANGES = "No changes to commitments, results, improvements or corrections."
CORRECTION_HINT = "add a `corrections` entry saying what changed and why"

# --- positions in the working tree --------------------------------------------------------------


def position(data: Any, keys: Sequence[str], on_key: bool = False) -> Pos:
    """Where a path of keys leads in loaded data, for pointing at what a problem is about.

    A name under a list picks the item with that `id`. When the path ends early, the deepest
    key that exists is the answer (the mapping that lacks the rest); a plain number where a
    mapping was expected (`leeds: 3.1` for `leeds: {value: ...}`) is its own answer.
    """
    node, here, key_here = data, (1, 1), (1, 1)
    for name in keys:
        if isinstance(node, Seq):
            index = _index_of(node, name)
            if index is None:
                return key_here
            here = key_here = node.item_pos[index]
            node = node[index]
            continue
        if not isinstance(node, Map):
            return here
        if name not in node:
            return key_here
        here, key_here, node = node.val_pos[name], node.key_pos[name], node[name]
    return key_here if on_key else here


def _index_of(items: Seq, ident: str) -> int | None:
    return next((i for i, item in enumerate(items)
                 if isinstance(item, Map) and item.get("id") == ident), None)


class _Files:
    """The working tree's files, each loaded once and only when a problem needs a position."""

    def __init__(self, root: Path):
        self.root = root
        self.loaded: dict[str, Any] = {}

    def problem(self, path: str, keys: Sequence[str], message: str, hint: str,
                on_key: bool = False) -> Problem:
        if path not in self.loaded:
            exists = (self.root / path).is_file()  # a removed file is pointed at, at 1:1
            self.loaded[path] = load_file(self.root, path)[0] if exists else None
        line, col = position(self.loaded[path], keys, on_key)
        return Problem(path, line, col, message, hint)


def _results_path(period_id: str) -> str:
    return f"{RESULTS}/{period_id}.yml"


# --- published figures --------------------------------------------------------------------------


class _Absent(enum.Enum):
    NOTHING = "nothing"


Figure = float | int | None | _Absent  # None: written as null, "not measured"


def _shown(value: Figure) -> str:
    """A figure in full, not rounded like the site's `num`: 3.61 -> 3.614 is a change."""
    if isinstance(value, _Absent):
        return value.value
    if value is None:
        return "not measured"
    return repr(value)


@dataclass(frozen=True)
class FigureChange:
    """One published number that differs: keys lead to it under the file's `measurements:`."""

    keys: tuple[str, ...]
    what: str  # "figure", "sample" or "result" (a whole measurement added or removed)
    where: str  # "" or " at 'leeds'"
    old: Figure
    new: Figure

    def describe(self, period_id: str) -> str:
        return (f"the published {self.what} for '{self.keys[0]}'{self.where} in {period_id} "
                f"changed from {_shown(self.old)} to {_shown(self.new)}")


def _pair(keys: tuple[str, ...], where: str, old: tuple[Figure, int | None],
          new: tuple[Figure, int | None]) -> list[FigureChange]:
    """Changes between two (value, sample) pairs."""
    changes = []
    if old[0] != new[0]:
        changes.append(FigureChange((*keys, "value"), "figure", where, old[0], new[0]))
    if old[1] != new[1]:
        changes.append(FigureChange((*keys, "sample"), "sample", where,
                                    _Absent.NOTHING if old[1] is None else old[1],
                                    _Absent.NOTHING if new[1] is None else new[1]))
    return changes


def _ordered_union(*keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(k for group in keys for k in group))


def measurement_changes(cid: str, old: Measurement | None,
                        new: Measurement | None) -> list[FigureChange]:
    """Every number of one commitment's result that differs: value, sample, location figures."""
    if old is None or new is None:
        if old is new:
            return []
        return [FigureChange((cid,), "result", "", _Absent.NOTHING if old is None else old.value,
                             _Absent.NOTHING if new is None else new.value)]
    changes = _pair((cid,), "", (old.value, old.sample), (new.value, new.sample))
    for lid in _ordered_union(new.locations, old.locations):
        a, b = old.locations.get(lid), new.locations.get(lid)
        keys, where = (cid, "locations", lid), f" at '{lid}'"
        if a is None or b is None:
            changes.append(FigureChange(keys, "figure", where,
                                        _Absent.NOTHING if a is None else a.value,
                                        _Absent.NOTHING if b is None else b.value))
        else:
            changes += _pair(keys, where, (a.value, a.sample), (b.value, b.sample))
    return changes


def period_changes(old: Period, new: Period) -> list[FigureChange]:
    """Every number of a period that differs, commitment by commitment in file order."""
    return [change
            for cid in _ordered_union(new.measurements, old.measurements)
            for change in measurement_changes(cid, old.measurements.get(cid),
                                              new.measurements.get(cid))]


# --- kept validate --base -----------------------------------------------------------------------


def _public_corrections(period: Period) -> int:
    """Corrections customers can read: an internal note does not explain a public change."""
    return sum(c.visibility is Visibility.PUBLIC for c in period.corrections)


def _published_periods(base: Dataset, head: Dataset, files: _Files) -> list[Problem]:
    """A published edition stays readable, and its numbers change only with a correction."""
    problems = []
    now = {p.id: p for p in head.periods}
    for old in base.periods:
        if old.published is None:
            continue
        path, new = _results_path(old.id), now.get(old.id)
        if new is None:
            problems.append(files.problem(
                path, (), f"published period {old.id} was removed",
                f"restore {path}: a published edition stays readable at its own URL; to change "
                "what it says, edit it and add a `corrections` entry"))
        elif new.published is None:
            problems.append(files.problem(
                path, ("period",),
                f"period {old.id} was published on {old.published} and is no longer",
                f"put back 'published: {old.published}': a published edition stays readable "
                "at its own URL", on_key=True))
        elif _public_corrections(new) <= _public_corrections(old):
            problems += [files.problem(path, ("measurements", *change.keys),
                                       f"{change.describe(old.id)} without a correction",
                                       CORRECTION_HINT)
                         for change in period_changes(old, new)]
    return problems


def _had_page(commitment: Commitment, periods: Iterable[Period]) -> bool:
    """A commitment has a page in every edition from the first period it applied in."""
    return any(commitment.begun_by(p.end) for p in periods)


def _kept_commitments(base: Dataset, head: Dataset, files: _Files) -> list[Problem]:
    """A commitment that had a page keeps it: retire it instead of removing or hiding it."""
    problems = []
    published = [p for p in base.periods if p.published is not None]
    for old in base.commitments:
        new = head.commitment(old.id)
        if new is None and _had_page(old, base.periods):
            problems.append(files.problem(
                COMMITMENTS, ("commitments",), f"commitment '{old.id}' was removed",
                "its page and every link to it must keep working: put it back and retire it "
                "instead (set `retired:` to its last day)", on_key=True))
        elif (new is not None and old.visibility is Visibility.PUBLIC
              and new.visibility is Visibility.INTERNAL and _had_page(old, published)):
            problems.append(files.problem(
                COMMITMENTS, ("commitments", old.id, "visibility"),
                f"commitment '{old.id}' was public and is now internal, which takes its page off "
                "the public site", "customer links must never break: keep it public and retire "
                "it instead (set `retired:` to its last day)"))
    return problems


def _improvements(dataset: Dataset) -> dict[str, Improvement]:
    return {i.id: i for p in dataset.periods for i in p.improvements}


def _kept_improvements(base: Dataset, head: Dataset, files: _Files) -> list[Problem]:
    """A published improvement keeps its page: support staff send customers links to it."""
    problems = []
    now = _improvements(head)
    for period in base.periods:
        if period.published is None:
            continue
        for old in period.improvements:
            new = now.get(old.id)
            if new is None:
                problems.append(files.problem(
                    _results_path(period.id), ("improvements",),
                    f"published improvement '{old.id}' was removed",
                    "customer links to it must never break: put it back (to fix what it says, "
                    "edit it and add a `corrections` entry)", on_key=True))
            elif old.visibility is Visibility.PUBLIC and new.visibility is Visibility.INTERNAL:
                problems.append(files.problem(
                    _results_path(new.period), ("improvements", old.id, "visibility"),
                    f"published improvement '{old.id}' is now internal, which takes its page off "
                    "the public site", "customer links to it must never break: keep it public"))
    return problems


def published_problems(root: Path, base: Dataset, head: Dataset) -> list[Problem]:
    """Everything the working tree at root (validated as head) breaks of what base published."""
    files = _Files(root)
    return sorted(_published_periods(base, head, files) + _kept_commitments(base, head, files)
                  + _kept_improvements(base, head, files))


def check_against_base(root: Path, ref: str, head: Dataset | None = None) -> list[Problem]:
    """`kept validate --base REF`: the problems of the working tree's change against ref.

    head is the working tree's dataset when the caller has validated it already; without it
    the working tree is validated here (DataError when it is invalid). Raises KeptError for an
    unusable ref (see `history.dataset_at`).
    """
    if head is None:
        head = load_dataset(root)[0]
    return published_problems(root, dataset_at(root, ref), head)


# --- kept diff ----------------------------------------------------------------------------------

ARROW = " → "


def _name(commitment: Commitment) -> str:
    internal = " *(internal only)*" if commitment.visibility is Visibility.INTERNAL else ""
    return f"{inline(commitment.title)} (`{commitment.id}`){internal}"


def _added(base: Dataset, head: Dataset) -> list[str]:
    return [f"- {_name(c)}, from {date_text(c.since)}"
            for c in head.commitments if base.commitment(c.id) is None]


def _retired(base: Dataset, head: Dataset) -> list[str]:
    return [f"- {_name(c)}, last day {date_text(c.retired)}"
            for c in head.commitments
            if c.retired and (old := base.commitment(c.id)) is not None and not old.retired]


def _removed(base: Dataset, head: Dataset) -> list[str]:
    return [f"- {_name(c)}" for c in base.commitments if head.commitment(c.id) is None]


def target_change(old: Metric, new: Metric) -> str | None:
    """'4 hours or less → 3 hours or less (**tightened**)', judged by the metric's direction;
    no verdict when the unit or the direction changed too, since the numbers no longer compare."""
    before, after = target_text(old), target_text(new)
    if before == after:
        return None
    verdict = ""
    if old.unit == new.unit and old.direction is new.direction and old.target != new.target:
        better = compute.improved(new, new.target - old.target)
        verdict = " (**tightened**)" if better else " (**loosened**)"
    return f"Target: {inline(before)}{ARROW}{inline(after)}{verdict}"


def _commitment_changes(old: Commitment, new: Commitment) -> list[str]:
    changes = []
    if old.title != new.title:
        changes.append(f"Title: {inline(old.title)}{ARROW}{inline(new.title)}")
    if old.promise != new.promise:
        changes.append(f"Promise: {inline(old.promise)}{ARROW}{inline(new.promise)}")
    if (target := target_change(old.metric, new.metric)) is not None:
        changes.append(target)
    if changes:
        known = {r.date for r in old.revisions}
        changes += [f"Why, from {date_text(r.date)}: {inline(r.reason)}"
                    for r in new.revisions if r.date not in known]
    return changes


def _changed(base: Dataset, head: Dataset) -> list[str]:
    lines = []
    for new in head.commitments:
        old = base.commitment(new.id)
        changes = _commitment_changes(old, new) if old is not None else []
        if changes:
            lines.append(f"- **{inline(new.title)}** (`{new.id}`)")
            lines += [f"  - {change}" for change in changes]
    return lines


def _period_name(period: Period) -> str:
    draft = " (draft, not on the public site yet)" if period.draft else ""
    return f"**{period.id}**{draft}"


def _result(commitment: Commitment, period: Period, old: Measurement | None) -> str:
    """'Title (`id`): 3.5 hours (was 3.9 hours; target 4 hours or less): **Met**'."""
    state = compute.status(commitment, period)
    value = period.measurements[commitment.id].value
    if value is None:
        return f"{_name(commitment)}: **{state.value}**"
    unit = commitment.metric.unit  # free text, like a title
    was = f"was {inline(qty(old.value, unit))}; " if old is not None and old.value is not None else ""
    target = inline(target_text(compute.as_of(commitment, period.end).metric))
    return (f"{_name(commitment)}: {inline(qty(value, unit))} ({was}target {target}): "
            f"**{state.value}**")


def _results(base: Dataset, head: Dataset) -> list[str]:
    """New results, and headline figures that changed, period by period."""
    before = {p.id: p for p in base.periods}
    lines = []
    for period in head.periods:
        old_period = before.get(period.id)
        rows = []
        for commitment in head.commitments:
            new = period.measurements.get(commitment.id)
            old = old_period.measurements.get(commitment.id) if old_period else None
            if new is not None and (old is None or old.value != new.value):
                rows.append(f"  - {_result(commitment, period, old)}")
        if rows:
            lines += [f"- {_period_name(period)}", *rows]
    return lines


def _improvement_line(improvement: Improvement, period: Period | None) -> str:
    notes = [improvement.period]
    if improvement.visibility is Visibility.INTERNAL:
        notes.append("*internal only*")
    if period is not None and period.draft:
        notes.append("draft")
    return (f"- {inline(improvement.title)} (`{improvement.id}`), {date_text(improvement.date)}"
            f" ({', '.join(notes)})")


def _new_improvements(base: Dataset, head: Dataset) -> list[str]:
    known = _improvements(base)
    return [_improvement_line(i, p) for p in head.periods for i in p.improvements
            if i.id not in known]


def _removed_improvements(base: Dataset, head: Dataset) -> list[str]:
    remaining = _improvements(head)
    return [_improvement_line(i, None) for p in base.periods for i in p.improvements
            if i.id not in remaining]


def _published(base: Dataset, head: Dataset) -> list[str]:
    before = {p.id: p for p in base.periods}
    return [f"- {p.id} ({p.label}), published {date_text(p.published)}"
            for p in head.periods
            if p.published is not None and (p.id not in before or before[p.id].draft)]


def _corrections(base: Dataset, head: Dataset) -> list[str]:
    before = {p.id: Counter((c.date, c.note) for c in p.corrections) for p in base.periods}
    lines = []
    for period in head.periods:
        known = before.get(period.id, Counter())
        for correction in period.corrections:
            if known[(correction.date, correction.note)]:
                known[(correction.date, correction.note)] -= 1
                continue
            internal = " *(internal only)*" if correction.visibility is Visibility.INTERNAL else ""
            lines.append(f"- {period.id}, {date_text(correction.date)}: "
                         f"{inline(correction.note)}{internal}")
    return lines


def summary(base: Dataset, head: Dataset) -> str:
    """A Markdown summary of what head changes against base, for a pull-request comment.

    Sections appear only when they have something to say, in a fixed order; free text is
    escaped with `render.inline`, so a title can neither format nor inject HTML into the
    comment, and shows exactly as written.
    """
    sections = [
        ("New commitments", _added(base, head)),
        ("Retired commitments", _retired(base, head)),
        ("Removed commitments", _removed(base, head)),
        ("Changed commitments", _changed(base, head)),
        ("New and changed results", _results(base, head)),
        ("You said, we did: new improvements", _new_improvements(base, head)),
        ("Removed improvements", _removed_improvements(base, head)),
        ("Periods published", _published(base, head)),
        ("Corrections added", _corrections(base, head)),
    ]
    parts = [f"### {title}\n\n" + "\n".join(lines) for title, lines in sections if lines]
    return ("\n\n".join(parts) if parts else NO_CHANGES) + "\n"


def summary_against(root: Path, ref: str | None = None) -> str:
    """`kept diff [BASE]`: the working tree at root against ref (default: `default_base`)."""
    head = load_dataset(root)[0]
    return summary(dataset_at(root, ref or default_base(root)), head)
