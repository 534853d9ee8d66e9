"""Check every data file, report all problems at once, and build the model from valid data
(see `checks` for the checks of each file, `dataset` for the model's building)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator import catalogs, files, i18n, published, records, schema, siteconfig
from generator.checks import COMMITMENTS, RESULTS, FileChecks, Unreadable, _check_unique, _items
from generator.compute import Status, status
from generator.dataset import build
from generator.errors import DataError, Problem
from generator.kinds import Sink
from generator.load import Map, Pos, Seq, load_file, position
from generator.manifest import SITE_SRC
from generator.model import (
    DEFAULT_CALENDAR,
    Dataset,
)
from generator.parsecache import ParseCache
from generator.periods import KINDS, SHAPE_RE, Calendar


@dataclass(frozen=True)
class Report:
    """The outcome of validation: the model when there are no errors, and every problem.

    `data` is the model whenever the files themselves are valid, even when what they say
    differs from a published record: what `kept diff` and `--base` compare, so that a reviewer
    sees what such a change does."""

    dataset: Dataset | None
    problems: list[Problem]
    data: Dataset | None = None
    # The model in each other language of the site (organization.languages), by language.
    translations: dict[str, Dataset] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]



class _Validator(FileChecks):
    """Reads every data file, checks each (see `checks.FileChecks`) and collects problems."""

    def __init__(self, root: Path, cache: ParseCache | None = None, today: dt.date | None = None):
        super().__init__(today)
        self.root = root
        self.cache = cache
        self.main: Any = None  # commitments.yml as loaded, when it could be

    def run(self) -> tuple[Any, dict[str, Any]]:
        main = self.main = self._commitments_file()
        results = self._results_files()
        self.problems += self.skipped_notes()
        # Not data, but published with it: a file there that Kept will not read stops the build.
        self.problems += files.walk(self.root, SITE_SRC).problems
        self.problems += self._catalogs()
        if (self.root / SITE_SRC / "templates").is_dir():
            from generator.render import check_templates

            self.problems += check_templates(self.root)
        return main, results

    def _shape(self, data: Any, rel: str) -> list[Problem]:
        """The problems of a results file's shape; from the parse cache when neither the file
        nor Kept changed."""
        if self.cache is None:
            return _shape_problems(data, rel, self.languages)
        # The languages of the site decide which texts by language are right.
        return self.cache.checked(data, "results-file:" + ",".join(self.languages),
                                  lambda: _shape_problems(data, rel, self.languages))

    def site_config(self, python_tags: bool) -> None:
        self.problems += siteconfig.check(self.root, python_tags)

    def _commitments_file(self) -> Any:
        if not os.path.lexists(self.root / COMMITMENTS):
            self.problems.append(Problem(COMMITMENTS, 1, 1, "file not found",
                                         f"is {self.root} the root of a Kept repository?"))
            return None
        data, problems = load_file(self.root, COMMITMENTS, self.cache)
        self.problems += problems
        if data is None:
            return None
        self.languages, self.languages_at = _languages(data)
        sink = Sink(COMMITMENTS, self.languages)
        _repeated_languages(data, sink)
        schema.COMMITMENTS_FILE.check(data, getattr(data, "pos", (1, 1)), COMMITMENTS, sink)
        if isinstance(data, Map):
            for key, kind in (("values", "value"), ("locations", "location"),
                              ("commitments", "commitment")):
                if (key in data and not isinstance(data[key], Seq)) or (
                        key == "commitments" and key not in data):
                    self.unreadable[kind] = Unreadable(
                        COMMITMENTS, data.val_pos.get(key, data.pos),
                        f"reference(s) to {key} were", f"the {key}")
            org = data.get("organization")
            if isinstance(org, Map) and org.get("require_explanations") is False:
                self.require_explanations = False
            self.currency = isinstance(org, Map) and "currency" in org
            self.org_pos = data.key_pos.get("organization")
            if isinstance(org, Map) and org.get("period") in KINDS:
                starts = org.get("year_starts", 1)
                if isinstance(starts, int) and not isinstance(starts, bool) and 1 <= starts <= 12:
                    self.calendar = Calendar(org["period"], starts)
            self.values = _check_unique(_items(data, "values"), "value", sink)
            self.locations = _check_unique(_items(data, "locations"), "location", sink)
            self.location_ids = tuple(self.locations)
            self.commitments = _check_unique(_items(data, "commitments"), "commitment", sink)
            for item in _items(data, "commitments"):
                self._commitment(item, sink)
        self.problems += sink.problems
        return data

    def _results_files(self) -> dict[str, Any]:
        folder = self.root / RESULTS
        found: dict[str, Any] = {}
        if not folder.is_dir():
            return found
        if not files.within(os.path.realpath(self.root), os.path.realpath(folder)):
            self.problems.append(Problem(RESULTS, 1, 1, "the folder is a link to a folder outside "
                                         "the repository", "put the results files themselves here"))
            return found
        for path in sorted(folder.iterdir()):
            rel = f"{RESULTS}/{path.name}"
            if path.name.startswith(".") or path.is_dir():
                continue
            if path.suffix not in (".yml", ".yaml"):
                continue
            stem = path.stem
            calendar = self.calendar or DEFAULT_CALENDAR
            if path.suffix == ".yml" and (why := calendar.out_of_range(stem)):
                self.problems.append(Problem(rel, 1, 1, f"'{path.name}' names a period that {why}"))
                continue
            if path.suffix == ".yaml" or not SHAPE_RE.fullmatch(stem):
                self.problems.append(Problem(
                    rel, 1, 1, f"'{path.name}' is not named after a period",
                    f"name results files after {calendar.words}: results/{calendar.example.split()[0]}.yml"))
                continue
            data, problems = load_file(self.root, rel, self.cache)
            self.problems += problems
            planned = data.get("planned") if isinstance(data, Map) else None
            if not isinstance(data, Map) or not isinstance(planned, (Seq, type(None))):
                self.unreadable.setdefault("planned", Unreadable(
                    rel, data.val_pos["planned"] if isinstance(data, Map) else
                    problems[0].line_col if problems else getattr(data, "pos", (1, 1)),
                    "'delivers' reference(s) were",
                    f"the planned items of {rel}" if isinstance(data, Map) else rel))
            if data is None:
                continue
            sink = Sink(rel, self.languages)
            sink.problems += self._shape(data, rel)
            if isinstance(data, Map):
                self._results(stem, data, sink)
                found[stem] = (rel, data)
            self.problems += sink.problems
        self._unique_improvements(found)
        if self.calendar is None and found:
            # Each results file is judged by the organisation's calendar and against its
            # commitments: without them, only its own shape is checked.
            readable = isinstance(self.main, Map)
            what = "the organisation's calendar" if readable else "commitments.yml"
            # beside the error that says why (sorted after it, at the same place)
            where = min((p.line_col for p in self.problems
                         if p.path == COMMITMENTS and p.severity == "error"), default=(1, 1))
            self.problems.append(Problem(
                COMMITMENTS, *where, f"the results files were not checked against {what}, "
                                     "which could not be read", "fix it, then check again",
                "warning"))
        if self.first_amount is not None and not self.currency and self.org_pos is not None:
            rel, figures = self.first_amount
            pos = figures.val_pos["amount"]
            self.problems.append(Problem(
                COMMITMENTS, *self.org_pos, "guarantee amounts are given (the first in "
                f"{rel} at line {pos[0]}), but the organisation has no currency",
                "add `currency:` to organization, for example currency: GBP"))
        return found


    def _catalogs(self) -> list[Problem]:
        """The repository's catalogs, each checked, and words for every language of the site:
        a catalog Kept ships, or the repository's own."""
        problems: list[Problem] = []
        own = set()
        found_catalogs, others = catalogs.paths(self.root)
        problems += [Problem(rel, 1, 1, f"'{Path(rel).name}' is not a catalog: Kept neither "
                             f"reads nor publishes a file in {catalogs.FOLDER}/",
                             "move a page to site_src/, name a catalog LANG.po, or remove the "
                             "file", "warning") for rel in others]
        for rel in found_catalogs:
            catalog, found = catalogs.read(self.root, rel, i18n.messages())
            problems += found
            code = Path(rel).stem
            own.add(code)
            if catalog is not None and code not in self.languages:
                problems.append(Problem(rel, 1, 1, f"a catalog of '{code}', which is not a "
                                        "language of the site", "add it to organization."
                                        "languages, or remove the catalog", "warning"))
        for code, pos in zip(self.languages, self.languages_at, strict=True):
            if code not in own and i18n.shipped(code) is None:
                problems.append(Problem(COMMITMENTS, *pos, f"Kept has no words in "
                                        f"{i18n.english_name(code)} ('{code}')",
                                        f"add {catalogs.FOLDER}/{code}.po with its translations "
                                        "(see docs/languages.md), or use one of "
                                        f"{', '.join(i18n.SHIPPED)}"))
        return problems


def _languages(data: Any) -> tuple[tuple[str, ...], tuple[Pos, ...]]:
    """The site's languages as commitments.yml declares them (those well written: the schema
    check says what is wrong with the others), where each is; English when none is."""
    org = data.get("organization") if isinstance(data, Map) else None
    declared = org.get("languages") if isinstance(org, Map) else None
    found: dict[str, Pos] = {}
    if isinstance(declared, Seq):
        for code, pos in zip(declared, declared.item_pos, strict=True):
            if isinstance(code, str) and i18n.known(code) and code not in found:
                found[code] = pos
    if not found:
        return (i18n.DEFAULT,), ((1, 1),)
    return tuple(found), tuple(found.values())


def _repeated_languages(data: Any, sink: Sink) -> None:
    org = data.get("organization") if isinstance(data, Map) else None
    declared = org.get("languages") if isinstance(org, Map) else None
    seen: set[str] = set()
    for code, pos in zip(declared, declared.item_pos, strict=True) if isinstance(declared, Seq) else ():
        if not isinstance(code, str):
            continue
        if code in seen:
            sink.error(pos, f"language '{code}' is listed twice", "list each language once")
        seen.add(code)


def _shape_problems(data: Any, rel: str, languages: tuple[str, ...]) -> list[Problem]:
    sink = Sink(rel, languages)
    schema.RESULTS_FILE.check(data, getattr(data, "pos", (1, 1)), rel, sink)
    return sink.problems


def _unexplained_misses(dataset: Dataset, results: dict[str, Any]) -> list[Problem]:
    """A missed target needs an explanation for customers: a warning, an error with --strict."""
    problems: list[Problem] = []
    if not dataset.organization.require_explanations:
        return problems
    for period in dataset.periods:
        rel, raw = results[period.id]
        for commitment in dataset.commitments:
            measurement = period.measurements.get(commitment.id)
            if measurement is None or measurement.explanation:
                continue
            if status(commitment, period) is Status.MISSED:
                line, col = raw["measurements"].key_pos[commitment.id]
                problems.append(Problem(
                    rel, line, col, f"'{commitment.id}' missed its target and has no explanation",
                    "add an explanation: what happened, and what is being done about it",
                    "warning"))
    return problems


def _recoveries(dataset: Dataset, results: dict[str, Any]) -> list[Problem]:
    """A recovery plan is for a missed target: on a met one it would promise nothing."""
    problems = []
    for period in dataset.periods:
        rel, raw = results[period.id]
        for commitment in dataset.commitments:
            measurement = period.measurements.get(commitment.id)
            if measurement is None or measurement.recovery is None:
                continue
            state = status(commitment, period)
            if state is not Status.MISSED:
                line, col = raw["measurements"][commitment.id].key_pos["recovery"]
                problems.append(Problem(
                    rel, line, col,
                    f"'{commitment.id}' has a recovery plan, but it was {state.value.lower()} "
                    f"in {period.id}", "a recovery plan is for a missed target: remove it"))
    return problems


def _against_records(dataset: Dataset, main: Map, results: dict[str, Any],
                     records_found: dict[str, tuple[str, dict[str, Any]]]) -> tuple[Dataset, list[Problem]]:
    """Today's data compared with what published editions stated (see `records`)."""
    def locate(path: str, keys: Sequence[str | int], on_key: bool = False) -> Pos:
        data = main if path == COMMITMENTS else results.get(Path(path).stem, (None, None))[1]
        return position(data, keys, on_key)

    return published.check(dataset, records_found, locate, main)


def check(root: Path, strict: bool = False, cache: ParseCache | None = None,
          site_config: bool = False, python_tags: bool = False,
          today: dt.date | None = None) -> Report:
    """Validate the repository at root. With strict, warnings count as errors. A cache of
    parsed files (see `load.ParseCache`) spares parsing the files that did not change. With
    site_config, mkdocs.yml is checked too (see _Validator.site_config for python_tags).
    `today` (default: the system's date) is the latest day a period may be published on."""
    validator = _Validator(root, cache, today)
    main, results = validator.run()
    if site_config:
        validator.site_config(python_tags)
    records_found, record_problems = records.read_records(root, cache)
    problems = validator.problems + record_problems
    dataset = None
    if main is not None and not any(p.severity == "error" for p in validator.problems):
        first = validator.languages[0]
        dataset = build(schema.COMMITMENTS_FILE.resolved(main, first, first),
                        {pid: (rel, schema.RESULTS_FILE.resolved(data, first, first))
                         for pid, (rel, data) in results.items()})
        dataset, against = _against_records(dataset, main, results, records_found)
        problems = (problems + against + _unexplained_misses(dataset, results)
                    + _recoveries(dataset, results))
    if strict:
        problems = [Problem(p.path, p.line, p.col, p.message, p.hint, "error") for p in problems]
    problems = sorted(set(problems), key=lambda p: (p.path != COMMITMENTS, p.path, p.line, p.col,
                                                   p.severity, p.message))
    if any(p.severity == "error" for p in problems):
        return Report(None, problems, dataset)
    assert dataset is not None
    return Report(dataset, problems, dataset, _translations(dataset, main, results))


def _translations(dataset: Dataset, main: Map, results: dict[str, Any]) -> dict[str, Dataset]:
    """The model in each other language of the site: the same files with each text in that
    language (or the main language's, marked), and what the records say of published
    periods as the main language's model has it."""
    first, *others = dataset.organization.languages
    made = {}
    for language in others:
        other = build(schema.COMMITMENTS_FILE.resolved(main, language, first),
                      {pid: (rel, schema.RESULTS_FILE.resolved(data, language, first))
                       for pid, (rel, data) in results.items()})
        periods = tuple(
            replace(period, corrections=tuple(
                replace(correction, amended=same.amended)
                for correction, same in zip(period.corrections, main_period.corrections, strict=True)))
            for period, main_period in zip(other.periods, dataset.periods, strict=True))
        made[language] = replace(other, periods=periods, records=dataset.records,
                                 staff_ids=dataset.staff)
    return made


def as_written(root: Path) -> Dataset:
    """The data of root even where it differs from a published record (what `kept diff` and
    `--base` compare); DataError when its files are not valid."""
    report = check(root)
    if report.data is None:
        raise DataError(report.problems)
    return report.data


def load_languages(root: Path, strict: bool = False, cache: ParseCache | None = None,
                   site_config: bool = False,
                   python_tags: bool = False) -> tuple[dict[str, Dataset], list[Problem]]:
    """The validated model in each language of the site, the main one first; DataError
    carrying every problem (see check)."""
    report = check(root, strict, cache, site_config, python_tags)
    if report.dataset is None:
        raise DataError(report.problems)
    main = report.dataset.organization.languages[0]
    return {main: report.dataset, **report.translations}, report.warnings


def load_dataset(root: Path, strict: bool = False, cache: ParseCache | None = None,
                 site_config: bool = False,
                 python_tags: bool = False) -> tuple[Dataset, list[Problem]]:
    """The validated model, or DataError carrying every problem (see check)."""
    report = check(root, strict, cache, site_config, python_tags)
    if report.dataset is None:
        raise DataError(report.problems)
    return report.dataset, report.warnings
