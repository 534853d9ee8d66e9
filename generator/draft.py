"""A draft results file as Kept starts it, and its header once the period is published.

`kept new-period` (and `kept import`, starting a file) writes every commitment active in the
period with empty values, and comments that say what each figure is judged by. It and the
starter of `kept init` open a draft's file with a line saying it is a draft until `kept publish
PERIOD`; `kept publish` makes that line, and only that line as Kept wrote it, say the period is
published. A comment the user wrote, or Kept's line as the user changed it, is never touched.
"""

from __future__ import annotations

import datetime as dt

from generator.compute import as_of
from generator.model import Commitment, Dataset, Direction, Visibility
from generator.periods import Calendar

_BREAKS = "\r\n\x85\u2028\u2029"  # what YAML counts as a line break



def draft_header(calendar: Calendar, period: str) -> str:
    return f"# Results for {calendar.label(period)}: a draft until `kept publish {period}`."


def _draft_headers(calendar: Calendar, period: str) -> set[str]:
    """Every draft header Kept has written for the period: new-period's, and the starter's."""
    return {draft_header(calendar, period),
            f"# Results for {calendar.label(period)}: a draft (internal site only) until "
            f"`kept publish {period}`."}


def published_header(calendar: Calendar, period: str) -> str:
    return (f"# Results for {calendar.label(period)}, published: this edition is on the public "
            "site.")


def mark_published(text: str, calendar: Calendar, period: str) -> str:
    """text with Kept's own draft header of the period, if it is there as Kept wrote it among
    the comments that open the file, saying the period is published; all else as it was."""
    lines = text.splitlines(keepends=True)
    drafts = _draft_headers(calendar, period)
    for index, line in enumerate(lines):
        body = line.rstrip(_BREAKS)
        if body and not body.startswith("#"):
            break  # past the comments that open the file
        if body.rstrip() in drafts:
            lines[index] = published_header(calendar, period) + line[len(body):]
            return "".join(lines)
    return text


def _one_line(text: str) -> str:
    """Free text made safe for a YAML comment, which ends at the first line break."""
    return " ".join(text.split())


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _measurement_stub(commitment: Commitment, end: dt.date) -> list[str]:
    """A measurement to fill in: value null, and comments that say what the figure is judged by.

    Only comments explain; nothing is a placeholder that would reach the site if forgotten."""
    stood = as_of(commitment, end)
    metric = stood.metric
    internal = ("  (internal: shown on the internal site only)"
                if commitment.visibility is Visibility.INTERNAL else "")
    if metric is None:  # a promise in words
        return [
            f"  {commitment.id}:",
            f"    # {_one_line(stood.title)}{internal}",
            "    # A promise in words: was it kept? met, missed, or not-measured with an "
            "explanation.",
            "    status: not-measured",
            "    # explanation: >          # needed when it was missed or not measured",
            "    #   What happened, and what is being done about it.",
        ]
    better = "lower" if metric.direction is Direction.LOWER else "higher"
    judged = (f"{_one_line(metric.name)}, in {_one_line(metric.unit) or 'a count'}. Target "
              f"{_number(metric.target)} (in force on {end}); {better} is better.")
    lines = [
        f"  {commitment.id}:",
        f"    # {_one_line(stood.title)}{internal}",
        f"    # {judged}",
        "    # Write the figure; if it was not measured, keep null and add an explanation.",
        "    value: null",
        "    # sample: ...              # cases measured (optional)",
    ]
    if commitment.locations:
        lines.append("    # locations:              # figures per location; leave out any not known")
        lines += [f"    #   {lid}: ..." for lid in commitment.locations]
    lines += [
        "    # explanation: >          # needed when the target is missed or the value is null",
        "    #   What happened, and what is being done about it.",
    ]
    return lines


def new_period_text(dataset: Dataset, period: str) -> str:
    """The draft results file of a period: every commitment active in it, with empty values."""
    calendar = dataset.organization.calendar
    start, end = calendar.bounds(period)
    active = [c for c in dataset.commitments if c.active_during(start, end)]
    lines = [
        "# yaml-language-server: $schema=../results.schema.json",
        draft_header(calendar, period),
        f"period: {period}",
        "# summary: >",
        "#   The period in a few sentences, for customers.",
        "",
    ]
    if active:
        lines.append("measurements:")
        for commitment in active:
            lines += _measurement_stub(commitment, end)
    else:
        lines.append("measurements: {}  # no commitment applies in this period")
    lines += [
        "",
        "# highlights:            # successes to celebrate",
        "#   - ...",
        "# improvements:          # you said, we did: see the format reference",
        "#   - id: ...",
        "",
    ]
    return "\n".join(lines)
