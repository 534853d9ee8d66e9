"""Reading a helpdesk's CSV export for `kept import`: its columns, rows and figures, each
checked against the commitments of the period it is imported into.

The export names its columns on its first line, in any case and order: `commitment` and
`value`, and optionally `sample` and `location` (a row without a location is the commitment's
headline figure). It is read whole and checked before anything is written: every bad row is
reported at its line and column, with a "did you mean" for a near miss.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator import files
from generator.edit import _BOM, _results_path
from generator.errors import DataError, Problem
from generator.hints import listing, suggest
from generator.kinds import MAX_NUMBER
from generator.load import MAX_FILE_BYTES, NUMBER_RE
from generator.model import Commitment, Dataset, out_of_force

COLUMNS = ("commitment", "value", "sample", "location")
REQUIRED = ("commitment", "value")
MAX_CSV_BYTES = MAX_FILE_BYTES  # what one results file can hold, and then some
_DELIMITERS = (",", ";", "\t")  # a spreadsheet set to a comma-decimal language writes ';'
_DECIMAL_COMMA = re.compile(r"[-+]?[0-9]+,[0-9]+")
# Thousands separated: 1,234,567 or 1 234 (in a figure, 92.500 is a decimal; in a sample, 1.234
# can only be a thousand and more).
_SEPARATED = re.compile(r"[-+]?[0-9]{1,3}(?:[, '\u00a0\u202f][0-9]{3})+(?:\.[0-9]+)?")
_SEPARATED_WHOLE = re.compile(r"[0-9]{1,3}(?:[,. '\u00a0\u202f][0-9]{3})+")
_NOT_MEASURED = ("a figure that was not measured is written by hand (value: null, with an "
                 "explanation), or its row left out")


@dataclass(frozen=True)
class Figure:
    """A figure of the export: its value and sample as written, and where it was read."""

    value: str
    sample: str | None
    line: int


@dataclass
class Figures:
    """A commitment's figures in the export: the headline one, and those by location."""

    headline: Figure | None = None
    locations: dict[str, Figure] = field(default_factory=dict)


def _shown(text: str, limit: int = 60) -> str:
    """A cell as a message quotes it: a long one is cut (the export may hold anything)."""
    return text if len(text) <= limit else text[:limit] + "…"


class _Problems(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def read_file(path: Path, label: str) -> str:
    """The export as text: a regular file (wherever it is: the user named it), at most
    MAX_CSV_BYTES, UTF-8 with or without a byte order mark."""
    real = Path(os.path.realpath(path))
    raw = files.read_bytes(real.parent, real.name, MAX_CSV_BYTES, label=label)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line, col = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise DataError([Problem(label, line, col, f"the file is not UTF-8 text (byte "
                                 f"0x{raw[exc.start]:02x})", "export it as 'CSV UTF-8'")]) from None
    return text[1:] if text.startswith(_BOM) else text


def _records(text: str, delimiter: str, label: str) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """Each record of CSV text (RFC 4180: a field in double quotes may hold the delimiter, line
    breaks and "" for a quote), as its line and its cells, each with its column (1-based)."""
    i, line, col, n = 0, 1, 1, len(text)
    while i < n:
        record_line, cells = line, []
        while True:
            start = col
            if i < n and text[i] == '"':
                opened = (line, col)
                i, col = i + 1, col + 1
                value = []
                while True:
                    if i >= n:
                        raise _Problems([Problem(label, *opened, "a quoted cell is never closed",
                                                 'end it with a double quote (")')])
                    char = text[i]
                    if char == '"':
                        if text.startswith('""', i):
                            value.append('"')
                            i, col = i + 2, col + 2
                            continue
                        i, col = i + 1, col + 1
                        break
                    value.append(char)
                    i += 1
                    line, col = (line + 1, 1) if char == "\n" else (line, col + 1)
                cell = "".join(value)
                end = i
                while end < n and text[end] not in (delimiter, "\r", "\n"):
                    end += 1
                if text[i:end].strip():
                    raise _Problems([Problem(label, line, col, "text after the closing quote of a "
                                             "cell", "put the whole cell in the quotes")])
                col += end - i
                i = end
            else:
                end = i
                while end < n and text[end] not in (delimiter, "\r", "\n"):
                    end += 1
                cell = text[i:end]
                col += end - i
                i = end
            cells.append((start, cell))
            if i < n and text[i] == delimiter:
                i, col = i + 1, col + 1
                continue
            if text.startswith("\r\n", i):
                i += 2
            elif i < n:
                i += 1
            line, col = line + 1, 1
            break
        yield record_line, cells


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return next((d for d in _DELIMITERS if d in first), ",")


def _header(cells: list[tuple[int, str]], label: str) -> tuple[dict[str, int], list[Problem]]:
    """The columns by name (their index), matched whatever their case and surrounding spaces."""
    columns: dict[str, int] = {}
    problems = []
    meant = set()
    for index, (col, cell) in enumerate(cells):
        name = cell.strip().lower()
        if name in columns:
            problems.append(Problem(label, 1, col, f"the column '{name}' is named twice",
                                    "keep one of them"))
        elif name in COLUMNS:
            columns[name] = index
        else:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            meant.update(close)
            hint = f"did you mean '{close[0]}'?" if close else f"the columns are: {', '.join(COLUMNS)}"
            problems.append(Problem(label, 1, col, f"unknown column '{_shown(cell.strip())}'", hint))
    for name in REQUIRED:
        if name not in columns and name not in meant:
            problems.append(Problem(label, 1, 1, f"the header has no '{name}' column",
                                    "the first line names the columns: commitment,value, and "
                                    "optionally sample and location"))
    return columns, problems


def _number(text: str, label: str, line: int, col: int) -> str | Problem:
    """A figure as written, when it is one Kept reads as a number; otherwise the problem."""
    text = text.strip()
    if not text:
        return Problem(label, line, col, "the value is empty", _NOT_MEASURED)
    if _DECIMAL_COMMA.fullmatch(text):
        return Problem(label, line, col, f"'{_shown(text)}' is written with a decimal comma",
                       f"write the figure with a decimal point: {text.replace(',', '.')}")
    if _SEPARATED.fullmatch(text):
        return Problem(label, line, col, f"'{_shown(text)}' has a thousands separator",
                       f"write the digits alone: {re.sub('[^-+0-9.]', '', text)}")
    if not NUMBER_RE.fullmatch(text):
        return Problem(label, line, col, f"'{_shown(text)}' is not a number",
                       "write digits with a decimal point, without units, '%' or spaces, like 92.5")
    if abs(float(text)) > MAX_NUMBER:
        return Problem(label, line, col, f"'{_shown(text)}' is out of range",
                       f"figures lie between -{MAX_NUMBER:,} and {MAX_NUMBER:,}")
    return text


def _sample(text: str, label: str, line: int, col: int) -> str | None | Problem:
    text = text.strip()
    if not text:
        return None
    if _SEPARATED_WHOLE.fullmatch(text):
        return Problem(label, line, col, f"'{_shown(text)}' has a thousands separator",
                       f"write the digits alone: {re.sub('[^0-9]', '', text)}")
    if not re.fullmatch(r"(?:0|[1-9][0-9]*)", text):
        return Problem(label, line, col, f"the sample '{_shown(text)}' is not a whole number",
                       "write the number of cases measured, in digits, like 4210")
    if int(text) > MAX_NUMBER:
        return Problem(label, line, col, f"the sample '{_shown(text)}' is out of range",
                       f"it lies between 0 and {MAX_NUMBER:,}")
    return text


def _location_hint(dataset: Dataset, commitment: Commitment, written: str) -> str:
    """Did you mean: an id close to what was written, or the id of a location named so."""
    named = [x.id for x in dataset.locations
             if x.name.strip().lower() == written.strip().lower() and x.id in commitment.locations]
    if named:
        return f"did you mean '{named[0]}'? (the location's id, not its name)"
    return suggest(written, commitment.locations) or (
        f"its locations are: {listing(commitment.locations)}" if commitment.locations
        else f"'{commitment.id}' has no locations: write its figure without one")


def read_export(text: str, label: str, dataset: Dataset, period: str) -> dict[str, Figures]:
    """The figures of an export by commitment id, in the order of the export; DataError with
    every problem when anything is wrong."""
    delimiter = _delimiter(text)
    start, end = dataset.organization.calendar.bounds(period)
    known = {c.id: c for c in dataset.commitments}
    locations = {x.id for x in dataset.locations}
    problems: list[Problem] = []
    found: dict[str, Figures] = {}
    try:
        records = list(_records(text, delimiter, label))
    except _Problems as exc:
        raise DataError(exc.problems) from None
    if not records:
        raise DataError([Problem(label, 1, 1, "the file is empty",
                                 "the first line names the columns: commitment,value")])
    columns, problems = _header(records[0][1], label)
    if problems:
        raise DataError(problems)
    for line, cells in records[1:]:
        if all(not cell.strip() for _, cell in cells):
            continue  # a blank line
        if len(cells) != len(records[0][1]):
            problems.append(_shape(label, line, cells, records[0][1], columns))
            continue

        def cell(name: str, cells: list[tuple[int, str]] = cells) -> tuple[int, str]:
            return cells[columns[name]] if name in columns else (1, "")

        col, cid = cell("commitment")
        cid = cid.strip()
        commitment = known.get(cid)
        if commitment is None:
            hint = suggest(cid, known) or f"the commitments are: {listing(known)}"
            problems.append(Problem(label, line, col, f"unknown commitment '{_shown(cid)}'" if cid
                                    else "the commitment is empty", hint))
            continue
        outside = out_of_force(commitment.since, commitment.retired, start, end)
        if outside is not None:
            why = (f"it begins on {commitment.since}" if outside == "not yet"
                   else f"it was retired on {commitment.retired}")
            problems.append(Problem(label, line, col, f"commitment '{cid}' does not apply in "
                                    f"{period}: {why}", "leave its row out"))
            continue
        if commitment.words:
            problems.append(Problem(label, line, col, f"'{cid}' is a promise in words, kept or "
                                    "not, with no figure to import",
                                    "write its status (met, missed or not-measured) in "
                                    f"{_results_path(period)}"))
            continue
        lcol, lid = cell("location")
        lid = lid.strip()
        if lid and lid not in commitment.locations:
            what = (f"location '{lid}' is not listed by commitment '{cid}'" if lid in locations
                    else f"unknown location '{_shown(lid)}'")
            problems.append(Problem(label, line, lcol, what, _location_hint(dataset, commitment, lid)))
            continue
        value = _number(cell("value")[1], label, line, cell("value")[0])
        sample = _sample(cell("sample")[1], label, line, cell("sample")[0])
        bad = [p for p in (value, sample) if isinstance(p, Problem)]
        if bad:
            problems += bad
            continue
        assert isinstance(value, str) and not isinstance(sample, Problem)
        figures = found.setdefault(cid, Figures())
        earlier = figures.locations.get(lid) if lid else figures.headline
        if earlier is not None:
            where = f" at '{lid}'" if lid else ""
            problems.append(Problem(label, line, 1, f"a second figure for '{cid}'{where}",
                                    f"the first is on line {earlier.line}; keep one"))
            continue
        figure = Figure(value, sample, line)
        if lid:
            figures.locations[lid] = figure
        else:
            figures.headline = figure
    if problems:
        raise DataError(problems)
    return found


def _shape(label: str, line: int, cells: list[tuple[int, str]], header: list[tuple[int, str]],
           columns: dict[str, int]) -> Problem:
    """A row of the wrong length; one cell too many where a figure and the next cell are both
    digits is most likely a figure written with a decimal comma."""
    message = f"the row has {len(cells)} cells, and the header {len(header)}"
    for name in ("value", "sample"):
        index = columns.get(name)
        if (len(cells) == len(header) + 1 and index is not None
                and re.fullmatch(r"[-+]?[0-9]+", cells[index][1].strip())
                and re.fullmatch(r"[0-9]+", cells[index + 1][1].strip())):
            written = f"{cells[index][1].strip()},{cells[index + 1][1].strip()}"
            return Problem(label, line, cells[index][0], f"{message}: is '{written}' a figure "
                           "written with a decimal comma?",
                           f"write it with a decimal point: {written.replace(',', '.')}")
    return Problem(label, line, 1, message, "write one cell a column, and put a cell that "
                   "holds the separator in double quotes")
