"""Change results files for the editor: start a period's file, and publish a period.

Both edit files that people also edit by hand and review line by line in pull requests, so they
work on the text, never through a YAML round-trip that would drop comments and reflow the rest.
Each one checks the whole repository first, writes once, and checks again after writing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from generator import files, records
from generator.draft import mark_published, new_period_text
from generator.errors import DataError, KeptError, Problem, UsageError
from generator.kinds import parse_date
from generator.load import MAX_FILE_BYTES, Map, Pos, load_file, load_text
from generator.manifest import SITE_SRC
from generator.model import DEFAULT_CALENDAR
from generator.periods import KINDS, SHAPE_RE, Calendar
from generator.validate import COMMITMENTS, RESULTS, check, load_dataset

_BOM = "\ufeff"


@dataclass(frozen=True)
class Publication:
    """What `publish` did: the file, its publication date, and whether the file changed."""

    path: Path
    date: dt.date
    changed: bool
    record: Path | None = None  # the record written, if one was


# --- shared -----------------------------------------------------------------------------------


def _results_path(period: str) -> str:
    return f"{RESULTS}/{period}.yml"


def _require_period(period: str, calendar: Calendar | None) -> None:
    """A period id from the command line: bad usage, not bad data, when it is malformed or
    not a period of the organisation's calendar (when it is known)."""
    example = (calendar or DEFAULT_CALENDAR).example
    if not SHAPE_RE.fullmatch(period):
        raise UsageError(f"'{period}' is not a period id; write it like {example}")
    if why := (calendar or DEFAULT_CALENDAR).out_of_range(period):
        raise UsageError(f"'{period}' {why}")
    if calendar is not None and calendar.kind_of(period) is None:
        raise UsageError(f"'{period}' is not one of the organisation's periods, which are "
                         f"{calendar.words}")


def _blocking(root: Path, rel: str) -> list[Problem]:
    """What stops a period being published: any error in the data, and anything that
    `kept validate --strict` reports in the period's own file. Warnings in other files (an old
    period's unexplained miss) are not this period's business and do not block it."""
    report = check(root)
    return [replace(p, severity="error") for p in report.problems
            if (p.severity == "error" or p.path == rel) and not _site_file(p.path)]


def _site_file(path: str) -> bool:
    """Whether a problem is about site_src/: the site's files, checked by validate and build,
    are not the data a period is published from (and the check of a copy has none)."""
    return path == SITE_SRC or path.startswith(SITE_SRC + "/")


def _refusal(rel: str, pos: Pos, message: str, hint: str) -> DataError:
    """A refusal about a place in a file, reported like any other problem with the data."""
    return DataError([Problem(rel, pos[0], pos[1], message, hint)])


def _calendar(root: Path) -> Calendar | None:
    """The organisation's calendar when commitments.yml states it well enough: only to judge
    a period id from the command line before the data is checked."""
    data, _ = load_file(root, COMMITMENTS)
    org = data.get("organization") if isinstance(data, Map) else None
    kind = org.get("period") if isinstance(org, Map) else None
    starts = org.get("year_starts", 1) if isinstance(org, Map) else 1
    if kind not in KINDS or not isinstance(starts, int) or not 1 <= starts <= 12:
        return None
    return Calendar(kind, starts)


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace path in one step, so a crash leaves the old file or the new one, never half.

    The temporary file is hidden, so the validator ignores it if it is ever left behind.
    A link (checked to stay inside the repository when the file was read) stays a link: its
    file is the one replaced."""
    path = Path(os.path.realpath(path))
    tmp = path.with_name(f".{path.name}.kept-{uuid.uuid4().hex[:12]}")
    try:
        tmp.write_bytes(data)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_record(root: Path, period: str, data: bytes) -> Path:
    """Write a period's record (see _write_new), into the repository's own records folder:
    not through a link to a folder elsewhere."""
    outside = records.folder_outside(root)
    if outside is not None:
        raise DataError([outside])
    path = root / records.record_path(period)
    _write_new(path, data)
    return path


def _write_new(path: Path, data: bytes) -> None:
    """Create path with data in one step, never replacing a file that is already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kept-{uuid.uuid4().hex[:12]}")
    try:
        tmp.write_bytes(data)
        os.link(tmp, path)  # fails if path exists, unlike a rename
    except FileExistsError:
        raise KeptError(f"{path.name} appeared while Kept was writing it; nothing was "
                        "overwritten") from None
    finally:
        tmp.unlink(missing_ok=True)


# --- new-period (the file's text: see draft) -----------------------------------------------------


def new_period(root: Path, period: str) -> Path:
    """Write results/PERIOD.yml listing every commitment active in the period; never overwrite.

    Raises UsageError for a malformed period id or one of the wrong kind, KeptError when the file
    exists, and DataError (every problem) when the data does not validate."""
    _require_period(period, None)
    dataset, _ = load_dataset(root)
    _require_period(period, dataset.organization.calendar)
    rel = _results_path(period)
    path = root / rel
    if os.path.lexists(path):
        raise KeptError(f"{rel} already exists; new-period never overwrites a results file")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not files.within(os.path.realpath(root), os.path.realpath(path.parent)):
        raise DataError([Problem(RESULTS, 1, 1, "the folder is a link to a folder outside the "
                                 "repository", "put the results files themselves here")])
    with path.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(new_period_text(dataset, period))
    problems = [p for p in check(root).errors if p.path == rel]
    if problems:  # a bug in this module, not the user's data: take the file back
        path.unlink()
        raise DataError(problems)
    return path


# --- publish ----------------------------------------------------------------------------------

# After the colon of `published:`: an old value on the same line (a date, null, nothing), then
# whatever comment followed it, which is kept.
_OLD_VALUE = re.compile(
    r"""^[ \t]*(?:"[^"]*"|'[^']*'|[^\s#'"][^#]*?)?(?P<rest>(?:[ \t]+#.*)?[ \t]*)$""")
_BREAKS = "\r\n\x85\u2028\u2029"  # what YAML counts as a line break


@dataclass(frozen=True)
class _Edit:
    """The new text, and the line (1-based) that was inserted, if one was."""

    text: str
    inserted: int | None = None


def _top_key_line(lines: list[str], data: Map, key: str, rel: str) -> int:
    """The 0-based line of a top-level key written in block style at the start of its line."""
    line, col = data.key_pos[key]
    text = lines[line - 1]
    if text[: col - 1].strip() or not text[col - 1:].startswith(key):
        raise _refusal(rel, (line, col), "cannot set 'published' in this layout",
                       "write it by hand under 'period:'")
    return line - 1


def _replace_published(lines: list[str], data: Map, day: dt.date, rel: str) -> _Edit:
    """Put day in place of the value of an existing `published:` line, keeping its comment."""
    index = _top_key_line(lines, data, "published", rel)
    line = lines[index]
    body = line.rstrip(_BREAKS)
    colon = body.index(":", data.key_pos["published"][1] - 1 + len("published")) + 1
    match = _OLD_VALUE.match(body[colon:])
    if data.val_pos["published"][0] != index + 1 or match is None:
        raise _refusal(rel, data.key_pos["published"], "cannot read the value of 'published'",
                       f"write published: {day} by hand")
    lines[index] = f"{body[:colon]} {day}{match['rest']}{line[len(body):]}"
    return _Edit("".join(lines))


def _insert_published(lines: list[str], data: Map, day: dt.date, rel: str) -> _Edit:
    """Add a `published:` line right after the period, where a reader looks for it."""
    index = _top_key_line(lines, data, "period", rel)
    after = data.val_pos["period"][0] - 1  # the value may sit on a line of its own
    ending = lines[after][len(lines[after].rstrip(_BREAKS)):]
    if not ending:  # the period is the file's last line, without a line break
        ending = next((ln[len(ln.rstrip(_BREAKS)):] for ln in lines if ln.rstrip(_BREAKS) != ln),
                      "\n")
        lines[after] += ending
    indent = lines[index][: data.key_pos["period"][1] - 1]
    lines.insert(after + 1, f"{indent}published: {day}{ending}")
    return _Edit("".join(lines), inserted=after + 2)


def shadow_copy(root: Path, shadow: Path) -> list[Problem]:
    """Copy the data files (commitments.yml, the results files and their records) into the
    folder shadow, as the validator reads them; return a problem for each it will not read.
    The copy is checked in place of the repository, so that nothing is written before the
    data as it would be passes."""
    (shadow / RESULTS).mkdir(exist_ok=True)
    (shadow / records.RECORDS).mkdir(exist_ok=True)
    refused = []
    sources = [COMMITMENTS]
    if (root / RESULTS).is_dir():
        sources += [f"{RESULTS}/{p.name}" for p in (root / RESULTS).iterdir()
                    if not p.name.startswith(".") and not p.is_dir() and p.suffix in (".yml", ".yaml")]
    if (root / records.RECORDS).is_dir():
        sources += [f"{records.RECORDS}/{p.name}" for p in (root / records.RECORDS).iterdir()
                    if not p.name.startswith(".") and not p.is_dir()]
    for source in sources:
        try:  # as the validator reads them: a link out of the repository is not followed
            cap = records.MAX_RECORD_BYTES if source.startswith(records.RECORDS) else MAX_FILE_BYTES
            (shadow / source).write_bytes(files.read_bytes(root, source, cap))
        except files.Refused as exc:
            refused.append(exc.problem)
    return refused


def _shadow_check(root: Path, rel: str, text: str, period: str) -> tuple[list[Problem], str | None]:
    """The blocking problems of the repository as it would be with rel holding text and the
    period's record written; and that record's text, when the period has none yet.

    Checks a copy of the data files, so nothing is written before the edition passes; this
    also catches what only a published period is checked for (a commitment left out)."""
    with tempfile.TemporaryDirectory(prefix="kept-publish-") as tmp:
        shadow = Path(tmp)
        refused = shadow_copy(root, shadow)
        if any(p.path == COMMITMENTS for p in refused):
            return refused, None  # the copy has no commitments.yml: nothing else can be checked
        (shadow / rel).write_bytes(text.encode("utf-8"))
        record = shadow / records.record_path(period)
        written = None
        if not record.exists():
            report = check(shadow)
            if report.dataset is None:
                return sorted(set(_blocking(shadow, rel) + refused)), None
            written = records.canonical(records.published_facts(report.dataset)[period])
            record.write_text(written, encoding="utf-8")
        return sorted(set(_blocking(shadow, rel) + refused)), written


def _unshift(problems: list[Problem], rel: str, edit: _Edit | None, data: Map) -> list[Problem]:
    """Problems placed on the lines of the file as it is on disk, without the inserted line."""
    if edit is None or edit.inserted is None:
        return problems
    moved = []
    for p in problems:
        if p.path == rel and p.line == edit.inserted:
            p = replace(p, line=data.key_pos["period"][0], col=data.key_pos["period"][1])
        elif p.path == rel and p.line > edit.inserted:
            p = replace(p, line=p.line - 1)
        moved.append(p)
    return moved


def _published_date(data: Map) -> dt.date | None:
    value = data.get("published")
    return parse_date(value) if isinstance(value, str) else None


def _unreadable(root: Path, rel: str) -> DataError:
    """The validator's own account of a file this module cannot edit."""
    return DataError(_blocking(root, rel) or [Problem(rel, 1, 1, "cannot read the file")])


@dataclass(frozen=True)
class _Source:
    """A results file as read: its bytes (to restore), its text and its located data."""

    original: bytes
    bom: str
    text: str
    data: Map


def _read(root: Path, rel: str) -> _Source:
    original = files.read_bytes(root, rel, MAX_FILE_BYTES)
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable(root, rel) from None
    bom = _BOM if text.startswith(_BOM) else ""
    data, problems = load_text(text[len(bom):], rel)  # as load_file does, on these very bytes
    if problems or not isinstance(data, Map) or "period" not in data:
        raise _unreadable(root, rel)
    return _Source(original, bom, text[len(bom):], data)


def _plan(source: _Source, period: str, day: dt.date, rel: str) -> _Edit | None:
    """The edit that publishes the period on day; None when it already is."""
    data = source.data
    current = _published_date(data)
    if current == day:
        return None
    if current is not None:
        raise _refusal(rel, data.key_pos["published"],
                       f"{period} was already published on {current}, and a published edition "
                       "must not change silently", "if the date really must change, edit it by hand")
    lines = source.text.splitlines(keepends=True)
    if "published" in data:  # written but empty or not a date yet
        return _replace_published(lines, data, day, rel)
    return _insert_published(lines, data, day, rel)


def publish(root: Path, period: str, date: dt.date | None = None) -> Publication:
    """Check the period strictly, then set `published: DATE` (default today) in its file.

    The file is edited as text, so comments and formatting stay byte for byte (but for the
    header comment Kept wrote saying the file is a draft: see headers); an existing
    `published:` line gets the new value, otherwise one is added right after `period:`. A date
    already published is never changed here: a published edition must not change silently.
    Publishing again on the same date changes nothing but still checks the period.
    Raises UsageError for a bad period id or date, KeptError when there is no such file, and
    DataError with every problem that stops the period being published."""
    day = date or dt.date.today()
    _require_period(period, None)
    if not os.path.lexists(root / COMMITMENTS):
        raise KeptError(f"{COMMITMENTS} not found: is {root} the root of a Kept repository?")
    _require_period(period, _calendar(root))
    rel = _results_path(period)
    path = root / rel
    if not os.path.lexists(path):
        raise KeptError(f"{rel} not found; start it with `kept new-period {period}`")
    calendar = _calendar(root) or DEFAULT_CALENDAR
    end = calendar.bounds(period)[1]
    if day < end:
        raise UsageError(f"cannot publish {period} on {day}, before the period ends ({end}): "
                         "a period is published once it is over")
    if day > dt.date.today():
        raise UsageError(f"cannot publish {period} on {day}, which is in the future")

    source = _read(root, rel)
    edit = _plan(source, period, day, rel)
    if edit is not None:  # Kept's own "a draft until `kept publish`" now says published
        edit = replace(edit, text=mark_published(edit.text, calendar, period))
    blocking, record = _shadow_check(root, rel, edit.text if edit else source.text, period)
    if blocking:
        raise DataError(_unshift(blocking, rel, edit, source.data))
    if edit is None and record is None:
        return Publication(path, day, changed=False)
    record_file = root / records.record_path(period)
    if edit is not None:
        _write_atomic(path, (source.bom + edit.text).encode("utf-8"))
    try:
        if record is not None:
            _write_record(root, period, record.encode("utf-8"))
        after = _blocking(root, rel)
    except BaseException:
        if edit is not None:
            _write_atomic(path, source.original)
        raise
    if after:  # the repository changed under us, or the edit was wrong: put the files back
        if record is not None:
            record_file.unlink(missing_ok=True)
        if edit is not None:
            _write_atomic(path, source.original)
        raise DataError(_unshift(after, rel, edit, source.data))
    return Publication(path, day, changed=edit is not None,
                       record=record_file if record is not None else None)


# --- record -----------------------------------------------------------------------------------


def record(root: Path, periods: list[str] | None = None) -> list[Path]:
    """Write the records of published periods that have none: those named, or all of them.

    For repositories whose periods were published before Kept kept records: each record holds
    what the data says of the period today. A record is never overwritten: naming a period
    that has one is an error. Raises UsageError for a malformed period id, KeptError for a
    period that is not published or already has a record, and DataError when the data does
    not validate (a record is only written from valid data). Nothing is written unless every
    named period can be."""
    for period in periods or ():
        _require_period(period, None)
    dataset, _ = load_dataset(root)
    facts = records.published_facts(dataset)
    known = {p.id for p in dataset.periods}
    for period in periods or ():
        _require_period(period, dataset.organization.calendar)
        if period not in known:
            raise KeptError(f"there is no {_results_path(period)}: {period} was never published")
        if period not in facts:
            raise KeptError(f"{period} is not published: its record is written when it is "
                            f"(`kept publish {period}`)")
        if period in dataset.records:
            raise KeptError(f"{records.record_path(period)} exists, and a record is never "
                            "overwritten: it keeps what the edition said. To change what the "
                            "edition says, edit the data and add a correction naming the change")
    wanted = list(dict.fromkeys(periods)) if periods else [p for p in facts if p not in dataset.records]
    written = []
    try:
        for period in wanted:
            written.append(_write_record(root, period,
                                         records.canonical(facts[period]).encode("utf-8")))
    except BaseException:
        for path in written:  # all or nothing
            path.unlink(missing_ok=True)
        raise
    return written
