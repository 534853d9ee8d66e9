"""`kept diff`: what a change does to the data, in customers' terms, for a pull request.

`summary` compares two validated `Dataset`s (the base and the working tree); what a change may
not do is checked by `guard` (`kept validate --base`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from generator import catalogs, compute, i18n, records
from generator.history import dataset_at, default_base
from generator.i18n import N_, tr
from generator.markup import inline as markdown_inline
from generator.model import (
    Commitment,
    Dataset,
    Improvement,
    Measurement,
    Metric,
    Period,
    Visibility,
)
from generator.validate import as_written
from generator.words import date_text, excerpts, qty, target_text

NO_CHANGES = N_("No changes to commitments, results, improvements or corrections.")

# What GitHub's Markdown makes of text that Kept's does not: strikethrough (~~), math ($) and
# addresses written out (https://, www., name@host), which it turns into links. A word joiner
# after the scheme, 'www' or '@' leaves the text as it reads.
_GFM_SPECIAL = re.compile(r"([~$])")
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp)(?=:)|www(?=\.)|@(?=[A-Za-z0-9])")


def inline(text: Any) -> str:
    """Text from the data as literal GitHub Markdown, on one line (see markup.inline)."""
    escaped = _GFM_SPECIAL.sub(r"\\\1", markdown_inline(text))
    return _AUTOLINK.sub(lambda m: m.group(0) + "\u2060", escaped)

# --- kept diff ----------------------------------------------------------------------------------

ARROW = " → "


def _name(commitment: Commitment) -> str:
    internal = " *" + tr("(internal only)") + "*" if commitment.visibility is Visibility.INTERNAL else ""
    return f"{inline(commitment.title)} (`{commitment.id}`){internal}"


def _added(base: Dataset, head: Dataset) -> list[str]:
    return ["- " + tr("{promise}, from {day}", promise=_name(c), day=date_text(c.since))
            for c in head.commitments if base.commitment(c.id) is None]


def _retired(base: Dataset, head: Dataset) -> list[str]:
    return ["- " + tr("{promise}, last day {day}", promise=_name(c), day=date_text(c.retired))
            for c in head.commitments
            if c.retired and (old := base.commitment(c.id)) is not None and not old.retired]


def _removed(base: Dataset, head: Dataset) -> list[str]:
    return [f"- {_name(c)}" for c in base.commitments if head.commitment(c.id) is None]


def target_change(old: Metric | None, new: Metric | None) -> str | None:
    """'4 hours or less → 3 hours or less (**tightened**)', judged by the metric's direction;
    no verdict when the unit, the direction or the threshold changed too, since the numbers
    no longer compare (nor for a promise in words, which has no target)."""
    before, after = target_text(old), target_text(new)
    if before == after:
        return None
    verdict = ""
    if (old is not None and new is not None and old.unit == new.unit
            and old.direction is new.direction and old.threshold == new.threshold
            and old.target != new.target):
        better = compute.improved(new, new.target - old.target)
        verdict = " (**" + (tr("tightened") if better else tr("loosened")) + "**)"
    return tr("Target: {change}", change=f"{inline(before)}{ARROW}{inline(after)}{verdict}")


def _commitment_changes(old: Commitment, new: Commitment) -> list[str]:
    changes = []
    if old.title != new.title:
        changes.append(tr("Title: {change}", change=f"{inline(old.title)}{ARROW}{inline(new.title)}"))
    if old.promise != new.promise:
        changes.append(tr("Promise: {change}",
                          change=f"{inline(old.promise)}{ARROW}{inline(new.promise)}"))
    if (target := target_change(old.metric, new.metric)) is not None:
        changes.append(target)
    if changes:
        known = {r.date for r in old.revisions}
        changes += [tr("Why, from {day}: {reason}", day=date_text(r.date), reason=inline(r.reason))
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
    draft = " " + tr("(draft, not on the public site yet)") if period.draft else ""
    return f"**{period.id}**{draft}"


def _result(commitment: Commitment, period: Period, old: Measurement | None,
            was: compute.Status | None) -> str:
    """'Title (`id`): 3.5 hours (was 3.9 hours; target 4 hours or less): **Met** (was Missed)'."""
    state = compute.status(commitment, period)
    value = period.measurements[commitment.id].value
    changed = (" " + tr("(was {status})", status=was.label)
               if was is not None and was is not state else "")
    if value is None:
        return f"{_name(commitment)}: **{state.label}**{changed}"
    unit = commitment.metric.unit if commitment.metric else ""  # free text, like a title
    target = inline(target_text(compute.as_of(commitment, period.end).metric))
    if old is not None and old.value is not None:
        against = tr("was {result}; target {target}", result=inline(qty(old.value, unit)),
                     target=target)
    else:
        against = tr("target {target}", target=target)
    return (f"{_name(commitment)}: {inline(qty(value, unit))} ({against}): "
            f"**{state.label}**{changed}")


def _figure(value: float | None, unit: str) -> str:
    return tr("not measured") if value is None else inline(qty(value, unit))


def _cases(sample: int | None) -> str:
    return str(sample) if sample is not None else tr("none")


def _by_location(head: Dataset, commitment: Commitment, old: Measurement | None,
                 new: Measurement) -> list[str]:
    """'at Leeds: 80% → 81%' for each location figure that changed."""
    lines = []
    before = old.locations if old is not None else {}
    unit = commitment.metric.unit if commitment.metric else ""
    for lid in dict.fromkeys([*new.locations, *before]):
        a, b = before.get(lid), new.locations.get(lid)
        if a is not None and b is not None and (a.value, a.sample) == (b.value, b.sample):
            continue
        location = head.location(lid)
        place = inline(location.name) if location else f"`{lid}`"
        if a is None and b is not None:
            lines.append(tr("at {place}: {result} (new)", place=place, result=_figure(b.value, unit)))
        elif b is None and a is not None:
            lines.append(tr("at {place}: {result} removed", place=place,
                            result=_figure(a.value, unit)))
        elif a is not None and b is not None:
            change = f"{_figure(a.value, unit)}{ARROW}{_figure(b.value, unit)}"
            if a.sample != b.sample:
                change += " " + tr("(cases: {change})", change=f"{_cases(a.sample)}{ARROW}{_cases(b.sample)}")
            lines.append(tr("at {place}: {change}", place=place, change=change))
    return lines


def _results(base: Dataset, head: Dataset) -> list[str]:
    """New results, and figures that changed (headline and by location), period by period."""
    before = {p.id: p for p in base.periods}
    lines = []
    for period in head.periods:
        old_period = before.get(period.id)
        rows = []
        for commitment in head.commitments:
            new = period.measurements.get(commitment.id)
            old = old_period.measurements.get(commitment.id) if old_period else None
            if new is None:
                continue
            was = _status(base, commitment.id, old_period)
            places = _by_location(head, commitment, old, new)
            if old is None or old.value != new.value:
                rows.append(f"  - {_result(commitment, period, old, was)}")
            elif places:
                rows.append("  - " + tr("{promise}: figures by location", promise=_name(commitment)))
            rows += [f"    - {place}" for place in places]
        if rows:
            lines += [f"- {_period_name(period)}", *rows]
    return lines


def _status(data: Dataset, cid: str, period: Period | None) -> compute.Status | None:
    commitment = data.commitment(cid)
    return compute.status(commitment, period) if commitment and period else None


def _statuses(base: Dataset, head: Dataset) -> list[str]:
    """Statuses that change without their figure changing: a target or a revision changed,
    a promise began or retired earlier or later. (Changed figures list theirs above.)"""
    before = {p.id: p for p in base.periods}
    lines = []
    for period in head.periods:
        old_period = before.get(period.id)
        if old_period is None:
            continue
        for commitment in head.commitments:
            new = period.measurements.get(commitment.id)
            old = old_period.measurements.get(commitment.id)
            if new is not None and (old is None or old.value != new.value):
                continue  # listed with its new figure
            was, now = _status(base, commitment.id, old_period), compute.status(commitment, period)
            if was is not None and was is not now:
                lines.append(f"- {_period_name(period)} {_name(commitment)}: "
                             f"{was.label}{ARROW}**{now.label}**")
    return lines


# Facts of a published period listed elsewhere: figures with the results, statuses apart.
_LISTED = {"value", "sample", "status", "locations"}


def _fact(value: Any) -> str:
    if value is records.ABSENT or value is None:
        return tr("none")
    if isinstance(value, dict):
        return tr("shown")
    return inline(str(value))


def _published_facts(base: Dataset, head: Dataset) -> list[str]:
    """What else published periods state that changes: summaries, highlights, explanations,
    improvements, and commitments as they stood then (a revision's `previous` or date)."""
    before, after = records.published_facts(base), records.published_facts(head)
    lines = []
    for pid, facts in after.items():
        if pid not in before:
            continue
        for d in records.differences(before[pid], facts):
            if _LISTED & set(d.keys[2:3]) or d.keys[0] in ("published", "period"):
                continue
            what = " ".join(str(k).replace("_", " ") for k in d.keys
                            if k not in ("commitments", "improvements"))
            old, new = d.old, d.new
            if isinstance(old, list) and isinstance(new, list) and d.keys[0] == "highlights":
                at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                          min(len(old), len(new)))
                what += " " + tr("(item {number})", number=at + 1)
                old = old[at] if at < len(old) else ""
                new = new[at] if at < len(new) else ""
            if isinstance(old, str) and isinstance(new, str):
                a, b = excerpts(old, new)
                change = f"“{inline(a)}”{ARROW}“{inline(b)}”"
            else:
                change = f"{_fact(old)}{ARROW}{_fact(new)}"
            lines.append(f"- **{pid}** {inline(what)}: {change}")
    return lines


def _records(base: Dataset, head: Dataset) -> list[str]:
    return [f"- {pid} (`{records.record_path(pid)}`)" for pid in head.records
            if pid not in base.records]


def _records_changed(base: Dataset, head: Dataset) -> list[str]:
    return [f"- {pid} (`{records.record_path(pid)}`): "
            + ("**" + (tr("removed") if pid not in head.records else tr("changed")) + "**")
            for pid, old in base.records.items() if head.records.get(pid) != old]


def _corrections_gone(base: Dataset, head: Dataset) -> list[str]:
    now = {p.id: Counter((c.date, c.note) for c in p.corrections) for p in head.periods}
    lines = []
    for period in base.periods:
        left = now.get(period.id, Counter())
        for correction in period.corrections:
            if left[(correction.date, correction.note)]:
                left[(correction.date, correction.note)] -= 1
            else:
                lines.append(f"- {period.id}, {date_text(correction.date)}: "
                             f"{inline(correction.note)}")
    return lines


# A pull-request comment is read on GitHub: no mention may call anyone, and no control
# character may turn text around.
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


_MENTION = re.compile(r"(?<![\w`])@(?=[A-Za-z0-9])")


def _quiet(text: str) -> str:
    return _MENTION.sub("@\u2060", text.translate(_BIDI))


def _improvement_line(improvement: Improvement, period: Period | None) -> str:
    notes = [improvement.period]
    if improvement.visibility is Visibility.INTERNAL:
        notes.append("*" + tr("internal only") + "*")
    if period is not None and period.draft:
        notes.append(tr("draft"))
    return (f"- {inline(improvement.title)} (`{improvement.id}`), {date_text(improvement.date)}"
            f" ({', '.join(notes)})")


def _new_improvements(base: Dataset, head: Dataset) -> list[str]:
    known = base.improvements_by_id()
    return [_improvement_line(i, p) for p in head.periods for i in p.improvements
            if i.id not in known]


def _removed_improvements(base: Dataset, head: Dataset) -> list[str]:
    remaining = head.improvements_by_id()
    return [_improvement_line(i, None) for p in base.periods for i in p.improvements
            if i.id not in remaining]


def _published(base: Dataset, head: Dataset) -> list[str]:
    before = {p.id: p for p in base.periods}
    return ["- " + tr("{period} ({label}), published {day}", period=p.id, label=p.label,
                      day=date_text(p.published))
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
            internal = (" *" + tr("(internal only)") + "*"
                        if correction.visibility is Visibility.INTERNAL else "")
            changes = (", " + tr("changes {names}", names=", ".join(f"`{n}`" for n in correction.changes))
                       if correction.changes else ", " + tr("names no change"))
            lines.append(f"- {period.id}, {date_text(correction.date)}{changes}: "
                         f"{inline(correction.note)}{internal}")
    return lines


def summary(base: Dataset, head: Dataset, language: i18n.Language | None = None) -> str:
    """A Markdown summary of what head changes against base, for a pull-request comment.

    Sections appear only when they have something to say, in a fixed order; free text is
    escaped with `render.inline`, so a title can neither format nor inject HTML into the
    comment, and shows exactly as written. It is written in the site's main language.
    """
    with i18n.use(language or i18n.language(head.organization.languages[0])):
        sections = [
            (tr("New commitments"), _added(base, head)),
            (tr("Retired commitments"), _retired(base, head)),
            (tr("Removed commitments"), _removed(base, head)),
            (tr("Changed commitments"), _changed(base, head)),
            (tr("Statuses that change"), _statuses(base, head)),
            (tr("New and changed results"), _results(base, head)),
            (tr("What else changes in published periods"), _published_facts(base, head)),
            (tr("You said, we did: new improvements"), _new_improvements(base, head)),
            (tr("Removed improvements"), _removed_improvements(base, head)),
            (tr("Periods published"), _published(base, head)),
            (tr("Records added"), _records(base, head)),
            (tr("Records changed or removed"), _records_changed(base, head)),
            (tr("Corrections added"), _corrections(base, head)),
            (tr("Corrections changed or removed"), _corrections_gone(base, head)),
        ]
        parts = [f"### {title}\n\n" + "\n".join(lines) for title, lines in sections if lines]
        return _quiet("\n\n".join(parts) if parts else tr(NO_CHANGES)) + "\n"


def summary_against(root: Path, ref: str | None = None) -> str:
    """`kept diff [BASE]`: the working tree at root against ref (default: `default_base`)."""
    head = as_written(root)
    main = catalogs.language(root, head.organization.languages[0])
    return summary(dataset_at(root, ref or default_base(root)), head, main)
