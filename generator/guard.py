"""`kept validate --base REF`: what a change may not do to what customers were already shown.

A published edition's facts change only with a correction made in the same change that names
them, a record never changes, and nothing that had a page goes away, because customers are
sent links to those pages. Only the located problems read the working tree again, for the
line and column of what they point at.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from generator import records
from generator.errors import Problem
from generator.history import dataset_at
from generator.load import Pos, load_file, position
from generator.model import Commitment, Correction, Dataset, Period, Visibility
from generator.published import Checker
from generator.validate import COMMITMENTS, RESULTS, as_written
from generator.words import excerpts

# --- positions in the working tree --------------------------------------------------------------


class _Files:
    """The working tree's files, each loaded once and only when a problem needs a position."""

    def __init__(self, root: Path):
        self.root = root
        self.loaded: dict[str, Any] = {}

    def data(self, path: str) -> Any:
        if path not in self.loaded:
            exists = (self.root / path).is_file()  # a removed file is pointed at, at 1:1
            self.loaded[path] = load_file(self.root, path)[0] if exists else None
        return self.loaded[path]

    def locate(self, path: str, keys: Sequence[str | int], on_key: bool = False) -> Pos:
        return position(self.data(path), keys, on_key)

    def problem(self, path: str, keys: Sequence[str], message: str, hint: str,
                on_key: bool = False) -> Problem:
        line, col = self.locate(path, keys, on_key)
        return Problem(path, line, col, message, hint)


def _results_path(period_id: str) -> str:
    return f"{RESULTS}/{period_id}.yml"


# --- kept validate --base -----------------------------------------------------------------------


def _new_corrections(old: Period, new: Period) -> tuple[list[Correction], list[Correction]]:
    """The corrections of new that old did not have, and those it had (by date and note)."""
    known = Counter((c.date, c.note) for c in old.corrections)
    fresh, earlier = [], []
    for correction in new.corrections:
        if known[(correction.date, correction.note)]:
            known[(correction.date, correction.note)] -= 1
            earlier.append(correction)
        else:
            fresh.append(correction)
    return fresh, earlier


def _names(corrections: Iterable[Correction]) -> set[str]:
    """What corrections customers can read name: an internal note does not explain a public
    change."""
    return {n for c in corrections if c.visibility is Visibility.PUBLIC for n in c.changes}


def _gone_elsewhere(d: records.Difference, head: Dataset) -> bool:
    """A commitment or improvement that left a published edition because it was removed or
    made internal: said by the checks of pages below, in their words."""
    if len(d.keys) != 2 or d.new is not records.ABSENT:
        return False
    if d.keys[0] == "improvements":
        return True
    commitment = head.commitment(d.keys[1])
    return commitment is None or commitment.visibility is Visibility.INTERNAL


def _published_periods(base: Dataset, head: Dataset, files: _Files) -> list[Problem]:
    """A published edition stays readable, and what it states changes only with a correction
    made for the change: one that is new in it and names what changed."""
    problems = []
    now = {p.id: p for p in head.periods}
    before, after = records.published_facts(base), records.published_facts(head)
    uncovered: dict[str, list[records.Difference]] = {}
    earlier: dict[str, set[str]] = {}
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
        else:
            fresh, kept = _new_corrections(old, new)
            names = _names(fresh)
            earlier[old.id] = _names(kept)
            uncovered[old.id] = [d for d in records.differences(before[old.id], after[old.id])
                                 if not d.names() & names and not _gone_elsewhere(d, head)]
    checker = Checker(head, files.locate, files.data(COMMITMENTS), earlier)
    for pid, diffs in uncovered.items():
        checker.uncovered(pid, diffs)
    checker.commitment_facts(uncovered)
    return problems + checker.problems


def _kept_records(base: Dataset, head: Dataset, files: _Files) -> list[Problem]:
    """A record is written once and never changes: it is what the edition said."""
    problems = []
    for pid, old in base.records.items():
        path = records.record_path(pid)
        new = head.records.get(pid)
        if new is None:
            problems.append(Problem(path, 1, 1, f"the record of {pid} was removed",
                                    f"restore {path} (git checkout -- {path}): it keeps what the "
                                    "published edition said"))
        elif new != old:
            first = records.differences(old, new)[0]
            line, col = records.located(files.root, path, first.keys)
            problems.append(Problem(path, line, col, f"the record of {pid} was changed",
                                    f"a record never changes: restore it (git checkout -- {path}), "
                                    "then correct the data with a correction naming what changed"))
    return problems


def _had_page(commitment: Commitment, periods: Iterable[Period]) -> bool:
    """A commitment has a page in every edition from the first period it applied in."""
    return any(commitment.shown_by(p.end) for p in periods)


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


def _kept_improvements(base: Dataset, head: Dataset, files: _Files) -> list[Problem]:
    """A published improvement keeps its page: support staff send customers links to it."""
    problems = []
    now = head.improvements_by_id()
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
            elif new.period != period.id:
                problems.append(files.problem(
                    _results_path(new.period), ("improvements", old.id, "date"),
                    f"published improvement '{old.id}' moved from {period.id} to {new.period}, "
                    f"which takes its page out of the editions of {period.id}",
                    f"customer links to it must never break: put it back in "
                    f"{_results_path(period.id)} (to fix its date, add a correction naming "
                    f"'{old.id}')"))
    return problems


def _kept_corrections(base: Dataset, head: Dataset, files: _Files) -> list[Problem]:
    """A published period's corrections are part of what it says: they stay as they were
    (a correction's own mistake is corrected by a new one)."""
    problems = []
    now = {p.id: p for p in head.periods}
    for old in base.periods:
        new = now.get(old.id)
        if old.published is None or new is None:
            continue
        left = Counter((c.date, c.note) for c in new.corrections)
        for correction in old.corrections:
            if left[(correction.date, correction.note)]:
                left[(correction.date, correction.note)] -= 1
                continue
            problems.append(files.problem(
                _results_path(old.id), ("corrections",),
                f"the correction of {old.id} dated {correction.date} was changed or removed "
                f"(“{excerpts(correction.note, correction.note)[0]}”)",
                "a correction stays as it was published: put it back as it was; to correct it, "
                "add a new correction", on_key=True))
    return problems


def published_problems(root: Path, base: Dataset, head: Dataset) -> list[Problem]:
    """Everything the working tree at root (validated as head) breaks of what base published."""
    files = _Files(root)
    return sorted(_published_periods(base, head, files) + _kept_commitments(base, head, files)
                  + _kept_improvements(base, head, files) + _kept_records(base, head, files)
                  + _kept_corrections(base, head, files))


def check_against_base(root: Path, ref: str, head: Dataset | None = None) -> list[Problem]:
    """`kept validate --base REF`: the problems of the working tree's change against ref.

    head is the working tree's dataset when the caller has validated it already; without it
    the working tree is validated here (DataError when it is invalid). Raises KeptError for an
    unusable ref (see `history.dataset_at`).
    """
    if head is None:
        head = as_written(root)
    return published_problems(root, dataset_at(root, ref), head)
