"""`kept import`: a helpdesk's CSV export into a draft period's measurements.

The export is read and checked by `csvread` before anything is written; a bad row is reported
at its line and column and the results file is left alone. The figures go into
`results/PERIOD.yml` as text edits, like `kept publish` makes, so its comments, order and layout
stay; a missing file is started as `kept new-period` starts it. A published period is never
written: its figures change through corrections.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import files
from generator.csvread import Figure, Figures, read_export, read_file
from generator.draft import new_period_text
from generator.edit import (
    _BOM,
    _require_period,
    _results_path,
    _write_atomic,
    _write_new,
    shadow_copy,
)
from generator.errors import DataError, KeptError, Problem, UsageError
from generator.load import MAX_FILE_BYTES, Map, load_text
from generator.model import Dataset
from generator.validate import RESULTS, check, load_dataset


@dataclass(frozen=True)
class Imported:
    """What `import_csv` did: the file written, whether it was created, the figures."""

    path: Path
    created: bool
    figures: int
    commitments: int
    warnings: list[Problem]


class Flow(dict[str, str]):
    """A location's figure with its sample, written on one line: {value: 3.1, sample: 310}."""


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return str(value)


class _Editor:
    """Text edits of a YAML file at the places its nodes were read from, made all at once, so
    that everything else stays byte for byte."""

    def __init__(self, text: str):
        self.text = text
        self.nl = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[tuple[int, int, int, str]] = []  # start, order, end, new text

    def _edit(self, start: int, end: int, new: str) -> None:
        self.edits.append((start, len(self.edits), end, new))

    def result(self) -> str:
        """The text with every edit made, in one pass (edits at one place in the order made)."""
        pieces, at = [], 0
        for start, _, end, new in sorted(self.edits):
            if start < at:
                raise _Layout(None)  # two edits of one place: never guess which wins
            pieces += [self.text[at:start], new]
            at = end
        return "".join(pieces) + self.text[at:]

    def _line_end(self, index: int) -> int:
        found = [i for i in (self.text.find("\n", index), self.text.find("\r", index)) if i >= 0]
        return min(found) if found else len(self.text)

    def _content_end(self, node: yaml.Node) -> int:
        """Where the text of a node ends, on its last line (a block collection's end mark is
        the next token's place, past comments)."""
        if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
            return self._content_end(node.value[-1][1])
        if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            return self._content_end(node.value[-1])
        end = node.end_mark.index
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            end = len(self.text[:end].rstrip("\r\n"))
        return end

    def _after_entry(self, node: yaml.Node, indent: int) -> int:
        """Where a line after an entry goes: the end of the entry's last line, and of the
        comment lines after it that are indented as its contents (a stub's hints)."""
        at = self._line_end(self._content_end(node))
        while at < len(self.text):
            start = at + (2 if self.text.startswith("\r\n", at) else 1)
            end = self._line_end(start)
            line = self.text[start:end]
            if not line.lstrip().startswith("#") or len(line) - len(line.lstrip()) <= indent:
                break
            at = end
        return at

    def replace(self, node: yaml.ScalarNode, new: str) -> None:
        start, end = node.start_mark.index, node.end_mark.index
        self._edit(start, end, f" {new}" if start == end else new)  # `value:` with nothing

    def put(self, mapping: yaml.MappingNode, key: str, value: Any, after: tuple[str, ...] = ()) -> None:
        """Set key to value (a figure's text, a Flow, or a dict of them written as a block)
        in mapping: in place if it is there, else as a new entry after the last of the keys
        named in after that is there (else after the mapping's last entry)."""
        entries = {k.value: (k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode)}
        if key in entries:
            self._update(entries[key][1], value)
            return
        anchor = next((entries[k] for k in reversed(after) if k in entries),
                      mapping.value[-1] if mapping.value else None)
        if mapping.flow_style or anchor is None:
            if anchor is None:  # {}: the first entry
                self._edit(mapping.start_mark.index + 1, mapping.start_mark.index + 1,
                           f"{key}: {_flow(value)}")
            else:
                at = anchor[1].end_mark.index
                self._edit(at, at, f", {key}: {_flow(value)}")
            return
        indent = anchor[0].start_mark.column
        at = self._after_entry(anchor[1], indent)
        self._edit(at, at, "".join(self.nl + line for line in self._block(key, value, indent)))

    def _block(self, key: str, value: Any, indent: int) -> list[str]:
        pad = " " * indent
        if isinstance(value, dict) and not isinstance(value, Flow):
            lines = [f"{pad}{key}:"]
            for k, v in value.items():
                lines += self._block(k, v, indent + 2)
            return lines
        return [f"{pad}{key}: {_flow(value)}"]

    def _update(self, node: yaml.Node, value: Any) -> None:
        if isinstance(value, dict) and isinstance(node, yaml.MappingNode):
            for k, v in value.items():
                self.put(node, k, v, after=tuple(value)[:list(value).index(k)] + ("value",))
        elif isinstance(node, yaml.ScalarNode):
            self.replace(node, _flow(value))
        else:
            raise _Layout(node)


class _Layout(Exception):
    """A layout that kept import does not edit (it never guesses)."""

    def __init__(self, node: yaml.Node | None):
        self.node = node


def _figure(figure: Figure) -> Any:
    return Flow(value=figure.value, sample=figure.sample) if figure.sample is not None else figure.value


def _planned(figures: Figures) -> dict[str, Any]:
    """A measurement's keys to write, in the order a new one is written."""
    keys: dict[str, Any] = {}
    if figures.headline is not None:
        keys["value"] = figures.headline.value
        if figures.headline.sample is not None:
            keys["sample"] = figures.headline.sample
    if figures.locations:
        keys["locations"] = {lid: _figure(f) for lid, f in figures.locations.items()}
    return keys


def _write_location(editor: _Editor, node: yaml.Node, figure: Figure) -> None:
    """A location figure in place: a plain figure stays plain unless a sample comes with it;
    a mapping gets its value (and sample)."""
    if isinstance(node, yaml.MappingNode):
        editor.put(node, "value", figure.value)
        if figure.sample is not None:
            editor.put(node, "sample", figure.sample, after=("value",))
    else:
        editor._update(node, _figure(figure))


def _no_aliases(root: yaml.Node) -> None:
    """An alias is its anchor's very node, in two places: writing one would change the other."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            raise _Layout(node)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pending += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            pending += node.value


def edited_text(text: str, found: dict[str, Figures], order: list[str]) -> str:
    """The results file's text with the figures written in (order: the commitments' order,
    for measurements that are new)."""
    editor = _Editor(text)
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # its marks count characters, as str does
    if not isinstance(root, yaml.MappingNode):
        raise _Layout(root)
    _no_aliases(root)
    entries = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    measurements = entries.get("measurements")
    if measurements is None or (isinstance(measurements, yaml.ScalarNode) and not measurements.value):
        new = {cid: {"value": "null", **_planned(found[cid])} for cid in sorted(found, key=order.index)}
        if measurements is None:
            editor.put(root, "measurements", new)
        else:
            raise _Layout(measurements)
        return editor.result()
    if not isinstance(measurements, yaml.MappingNode):
        raise _Layout(measurements)
    present = {k.value: v for k, v in measurements.value if isinstance(k, yaml.ScalarNode)}
    for cid in sorted(found, key=order.index):
        figures = found[cid]
        node = present.get(cid)
        if node is None:
            planned = _planned(figures)
            editor.put(measurements, cid, {"value": "null", **planned})
            continue
        if not isinstance(node, yaml.MappingNode):
            raise _Layout(node)
        keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        if figures.headline is not None:
            editor.put(node, "value", figures.headline.value)
            if figures.headline.sample is not None:
                editor.put(node, "sample", figures.headline.sample, after=("value",))
        if not figures.locations:
            continue
        located = keys.get("locations")
        if located is None:
            editor.put(node, "locations", {lid: _figure(f) for lid, f in figures.locations.items()},
                       after=("value", "sample"))
            continue
        if not isinstance(located, yaml.MappingNode):
            raise _Layout(located)
        there = {k.value: v for k, v in located.value if isinstance(k, yaml.ScalarNode)}
        for lid, figure in figures.locations.items():
            if lid in there:
                _write_location(editor, there[lid], figure)
            else:
                editor.put(located, lid, _figure(figure))
    return editor.result()


def _written_as_read(original: str, text: str, rel: str, found: dict[str, Figures]) -> bool:
    """Whether the edited text reads back with every figure where it belongs, and everything
    else as it was."""
    before, _ = load_text(original, rel)
    data, problems = load_text(text, rel)
    if problems or not isinstance(data, Map) or not isinstance(before, Map):
        return False
    if {k: v for k, v in data.items() if k != "measurements"} != \
            {k: v for k, v in before.items() if k != "measurements"}:
        return False
    now, then = data.get("measurements"), before.get("measurements") or {}
    if not isinstance(now, Map) or not isinstance(then, dict):
        return False

    def number(read: Any, figure: Figure) -> bool:
        return isinstance(read, (int, float)) and not isinstance(read, bool) \
            and float(read) == float(figure.value)

    def same(read: Any, figure: Figure) -> bool:
        if isinstance(read, Map):
            return number(read.get("value"), figure) and (
                figure.sample is None or read.get("sample") == int(figure.sample))
        return number(read, figure) and figure.sample is None

    def rest(mapping: Any, left_out: set[str]) -> dict[str, Any]:
        return {k: v for k, v in mapping.items() if k not in left_out} if isinstance(mapping, dict) else {}

    for cid in set(now) | set(then):
        measurement, earlier = now.get(cid), then.get(cid)
        figures = found.get(cid)
        if figures is None:
            if measurement != earlier:
                return False
            continue
        if not isinstance(measurement, Map):
            return False
        written = {"value", "sample"} if figures.headline is not None else set()
        if earlier is None:  # new: what was imported, and value null if it had no headline
            if set(measurement) - {"value", "sample", "locations"} or (
                    figures.headline is None and measurement.get("value") is not None):
                return False
        elif rest(measurement, written | {"locations"}) != rest(earlier, written | {"locations"}):
            return False
        if figures.headline is not None and not same(measurement, figures.headline):
            return False
        located = measurement.get("locations")
        if rest(located, set(figures.locations)) != rest(
                earlier.get("locations") if isinstance(earlier, dict) else None, set(figures.locations)):
            return False
        for lid, figure in figures.locations.items():
            if not isinstance(located, Map) or not same(located.get(lid), figure):
                return False
    return True


# --- kept import ------------------------------------------------------------------------------


def _draft_period(dataset: Dataset) -> str:
    drafts = [p.id for p in dataset.periods if p.draft]
    if not drafts:
        raise UsageError("there is no draft period to import into; name the period with "
                         "--period (its results file is started as a draft)")
    return drafts[-1]


def import_csv(root: Path, export: Path, period: str | None = None,
               label: str | None = None) -> Imported:
    """Write the figures of a CSV export into results/PERIOD.yml (default: the newest draft),
    starting the file as a draft when there is none. label is how errors name the export
    (default: its path as given).

    Raises UsageError for a bad period, DataError with every problem of the data (which must
    validate first), of the export, or of the period (published); KeptError when the file's
    layout cannot take the figures. Nothing is written unless everything passes."""
    label = label or str(export)
    if period is not None:
        _require_period(period, None)
    text = read_file(export, label)
    dataset, _ = load_dataset(root)
    period = period or _draft_period(dataset)
    _require_period(period, dataset.organization.calendar)
    rel = _results_path(period)
    path = root / rel
    existing = next((p for p in dataset.periods if p.id == period), None)
    found = read_export(text, label, dataset, period)
    if not found:
        raise DataError([Problem(label, 1, 1, "the file has no figures",
                                 "write one row a figure under the header")])
    if existing is not None and existing.published is not None:
        data, _ = load_text(_source_text(root, rel), rel)
        pos = data.key_pos["published"] if isinstance(data, Map) and "published" in data else (1, 1)
        raise DataError([Problem(rel, *pos, f"{period} was published on {existing.published}: kept "
                                 "import writes only into a draft period",
                                 "to change a published figure, edit it and add a correction")])
    created = existing is None
    if created and os.path.lexists(path):
        raise KeptError(f"{rel} is not a results file Kept reads; kept import never overwrites it")
    bom = ""
    if created:
        original = _without_hints(new_period_text(dataset, period), found)
    else:
        raw = _source_text(root, rel)
        bom = _BOM if raw.startswith(_BOM) else ""
        original = raw[len(bom):]
    order = [c.id for c in dataset.commitments]
    try:
        new = edited_text(original, found, order)
    except (_Layout, yaml.YAMLError):
        new = None
    if new is None or not _written_as_read(original, new, rel, found):
        raise KeptError(f"kept import cannot write the figures into {rel} as it is laid out; "
                        "nothing was changed: write them by hand")
    warnings = _checked(root, rel, new)
    if created:
        _write_new(path, new.encode("utf-8"))
    else:
        _write_atomic(path, (bom + new).encode("utf-8"))
    count = sum((f.headline is not None) + len(f.locations) for f in found.values())
    return Imported(path, created, count, len(found), warnings)


# The hints of a new period's measurement (edit.new_period_text) for what an import writes.
_STUB_KEY = re.compile(r"  (?P<cid>[a-z0-9-]+):")
_SAMPLE_HINT = re.compile(r"    # sample: \.\.\. .*")
_LOCATION_HINT = re.compile(r"    # locations: .*|    #   [a-z0-9-]+: \.\.\.")


def _without_hints(stub: str, found: dict[str, Figures]) -> str:
    """A new period's text without the commented hints for the samples and locations the
    import writes (the figures take their place)."""
    kept, cid = [], None
    for line in stub.split("\n"):
        if match := _STUB_KEY.fullmatch(line):
            cid = match["cid"]
        figures = found.get(cid or "")
        if figures is not None and (
                (figures.headline is not None and figures.headline.sample is not None
                 and _SAMPLE_HINT.fullmatch(line))
                or (figures.locations and _LOCATION_HINT.fullmatch(line))):
            continue
        kept.append(line)
    return "\n".join(kept)


def _source_text(root: Path, rel: str) -> str:
    return files.read_bytes(root, rel, MAX_FILE_BYTES).decode("utf-8")


def _checked(root: Path, rel: str, text: str) -> list[Problem]:
    """The repository as it would be with rel holding text, checked on a copy: its errors
    stop the import (nothing is written); the warnings of rel are returned, to be told."""
    with tempfile.TemporaryDirectory(prefix="kept-import-") as tmp:
        shadow = Path(tmp)
        refused = shadow_copy(root, shadow)
        (shadow / RESULTS).mkdir(exist_ok=True)
        (shadow / rel).write_text(text, encoding="utf-8")
        report = check(shadow)
    errors = refused + report.errors
    if errors:
        raise DataError(errors)
    return [p for p in report.problems if p.path == rel and p.severity == "warning"]
