"""Incremental planning: which editions a build makes, and what of them it takes from the
previous output.

An edition whose inputs (its projected data, the generator, site_src/, mkdocs.yml, the derived
settings) have the digest they had when the previous output was built is reused whole. Of an
edition to build, a file whose inputs kept their digest is not rendered again (when the engine
can leave its page out: see engine.run.leaves_out), and a page whose Markdown, metadata,
blocks and chrome kept theirs is not built again (see builder). The digests are recorded
beside the output (manifest) for the next build.
"""

from __future__ import annotations

import calendar
import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import catalogs, files, i18n, latest, manifest
from generator.engine import config as engine_config
from generator.engine import store
from generator.engine.run import Job, Settings
from generator.errors import DataError, Problem
from generator.manifest import SITE_SRC
from generator.model import EMPTY, Dataset, Period
from generator.project import Edition, editions, project, site_folder
from generator.render import Needs, outputs, page_url
from generator.static import LATEST_FILES

# Folders of site_src/ that are not pages: template overrides, theme overrides, team-only
# pages, message catalogs.
NOT_PAGES = ("templates", "overrides", "internal", "locales")
RESERVED = ("index.md", "commitments", "improvements", "reports", "reviews", "locations",
            "consistency", "api", "badges", "feed.xml", "kept", "team")
# Pages to render below which one edition is not worth sharing between processes.
SHARED_RENDER = 64


@dataclass(frozen=True)
class EditionPlan:
    """One edition to build, and what the previous build left of it."""

    edition: Edition
    job: Job  # what the engine needs to build it
    chrome: str  # the digest of what every page depends on besides its content
    frame: str  # the digest of everything it is built from but its measurements
    whole: str  # the digest of all its inputs
    previous: Path | None = None  # the edition as the previous build left it
    # Each generated file as the previous build recorded it: the digest of its inputs and
    # (pages) of what its HTML was made from.
    previous_files: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # The build writes only what changed, and the install moves it into `previous` (whose
    # chrome was this one: the engine writes the same files besides the pages).
    in_place: bool = False


@dataclass(frozen=True)
class Plan:
    """What a build makes: given to every process that builds editions (see builder)."""

    settings: Settings
    templates: Path  # site_src/templates
    skippable: bool  # files whose inputs did not change may be taken unrendered
    editions: dict[str, EditionPlan]  # to build, by "site/edition" (see Edition.key)
    digests: Digests
    # Every edition of each site (newest first: by its folder, 'public' or 'public/cy'), the
    # digest of each edition's inputs by "site/edition" (latest/ too), those reused whole, and
    # what the previous build recorded of each edition's files (see manifest.read_pages).
    planned: dict[str, list[Edition]]
    cache: dict[str, str]
    reused: list[str]
    known_pages: dict[str, str]
    site_files: dict[str, list[tuple[str, str]]]  # by audience: see site_pages
    # By site: the previous build's latest/ and the index of its own files (see latest)
    latest_before: dict[str, tuple[Path | None, latest.Index]] = field(default_factory=dict)

    def makes_latest(self, key: str) -> bool:
        """Whether the edition is the newest of its site's, whose build also renders
        latest/'s own files (see static.latest_files)."""
        site, edition = split_key(key)
        newest = self.planned[site][0] if self.planned.get(site) else None
        return newest is not None and newest.id == edition and not newest.whole


def split_key(key: str) -> tuple[str, str]:
    """An edition's key (see Edition.key) as its site's folder and its id."""
    site, _, edition = key.rpartition("/")
    return site, edition


def latest_folder(shared: Path, site: str) -> Path:
    """Where the build of a site's newest edition writes latest/'s own files."""
    return shared / "latest" / site


@dataclass(frozen=True)
class FilePlan:
    """An edition's generated files with the digest of each one's inputs, and those whose
    inputs did not change since the previous build (taken from it unrendered)."""

    keys: dict[str, str]
    skip: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Task:
    """One edition for a process to build: with shares > 1, its pages are rendered by that
    many processes at once; with latest_apart, latest/'s own files (see Plan.makes_latest) by
    a process of their own; files, when planned already (see tasks)."""

    key: str
    shares: int = 1
    files: FilePlan | None = None
    latest_apart: bool = False


def epoch(edition: Edition) -> int:
    """SOURCE_DATE_EPOCH when set; otherwise the edition's own date, never the clock."""
    set_epoch = manifest.source_date_epoch()
    if set_epoch is not None:
        return set_epoch
    day = edition.period.published or edition.period.end
    return calendar.timegm(day.timetuple())


def site_pages(root: Path, audience: str) -> tuple[list[tuple[str, str]], list[Any]]:
    """Hand-written files of site_src/ for an audience (source relative to root, path in
    docs) and their nav. A file Kept will not read (a link out of the repository, a pipe) is
    an error, not left out: the site would silently miss a page."""
    listing = files.walk(root, SITE_SRC)
    if listing.problems:
        raise DataError(listing.problems)
    found: list[tuple[str, str]] = []
    nav_items: list[Any] = []
    team: list[tuple[str, str]] = []
    for source in listing.files:
        rel = source[len(SITE_SRC) + 1:]
        top = rel.split("/", 1)[0]
        if top == "internal":
            if audience == "internal":
                team.append((source, "team/" + rel.split("/", 1)[1]))
            continue
        if top in NOT_PAGES or top.startswith("."):
            continue
        if top in RESERVED or rel in RESERVED:
            raise DataError([Problem(source, 1, 1, f"'{top}' is generated by Kept",
                                     "rename or move your file")])
        found.append((source, rel))
        if rel.endswith(".md") and "/" not in rel:
            nav_items.append(rel)
    team_pages = [page for _, page in team if page.endswith(".md")]
    if team_pages:
        nav_items.append({"Team pages": team_pages})
    return found + team, nav_items


def dest(path: str) -> str:
    """Where the engine writes the page of a Markdown file: 'a/b.md' -> 'a/b/index.html'."""
    return page_url(path) + "index.html"


def built(path: str) -> str:
    """Where a generated file is in the built edition."""
    return dest(path) if path.endswith(".md") else path


@dataclass(frozen=True)
class Previous:
    """What the previous build in the output recorded: each edition's digest, and what each
    edition's files were made from."""

    digests: dict[str, str]
    pages: dict[str, str]
    latest: dict[str, latest.Index] = field(default_factory=dict)  # see latest.read_index

    @classmethod
    def read(cls, out: Path) -> Previous:
        digests = manifest.edition_digests(manifest.read(out))
        # The index of latest/'s files only beside the manifest of a build put in place whole
        # (an install cut short leaves none: see install.TOP_FILES).
        return cls(digests, manifest.read_pages(out), latest.read_index(out) if digests else {})


def plan(datasets: Mapping[str, Dataset], user: dict[str, Any], settings: Settings,
         audiences: tuple[str, ...], out: Path, previous: Previous, stage: Path, tmp: Path,
         inputs: manifest.Inputs, newest_only: bool = False) -> Plan:
    """The editions of each audience's site in each language (datasets: the model in each,
    the main language first), and of them those to build: into tmp/SITE/EDITION, from the
    docs staged in stage/AUDIENCE (see builder.stage)."""
    digests = Digests(inputs.common)
    cache = {k: v for k, v in previous.digests.items() if k.split("/", 1)[0] not in audiences}
    known_pages = {k: v for k, v in previous.pages.items() if k.split("/", 1)[0] not in audiences}
    planned: dict[str, list[Edition]] = {}
    to_build: dict[str, EditionPlan] = {}
    reused: list[str] = []
    site_files: dict[str, list[tuple[str, str]]] = {}
    languages = list(datasets)
    for audience in audiences:
        site_files[audience], extra_nav = site_pages(settings.root, audience)
        for language, dataset in datasets.items():
            site = site_folder(audience, language, language == languages[0])
            with i18n.use(catalogs.language(settings.root, language)):
                planned[site] = _site(dataset, audience, language, site, newest_only)
                org = dataset.organization
                for edition in planned[site]:
                    key = edition.key
                    job = Job(audience, edition.id, engine_config.overrides(
                        user, org.name, org.url, edition, extra_nav, stage / audience, tmp / key,
                        languages), epoch(edition))
                    chrome = digests.chrome(settings, job, site_files[audience])
                    frame, cache[key] = digests.edition(edition, chrome)
                    before = (out / key) if (out / key / "index.html").is_file() else None
                    if before is not None and not _theme_there(out / site, before):
                        before = None
                    if previous.digests.get(key) == cache[key] and before is not None \
                            and _latest_made(out, site, edition, planned[site], previous, cache[key]):
                        reused.append(key)
                        if key in previous.pages:
                            known_pages[key] = previous.pages[key]
                        continue
                    chrome_before, known = manifest.decode_edition(previous.pages.get(key))
                    to_build[key] = EditionPlan(edition, job, chrome, frame, cache[key], before, known,
                                                in_place=before is not None and chrome_before == chrome)
    skippable = settings.speedups and engine_config.only_search(user)
    latest_before = {site: ((out / site / "latest") if (out / site / "latest").is_dir()
                            else None, previous.latest.get(site, {}))
                     for site in planned}
    return Plan(settings, settings.root / SITE_SRC / "templates", skippable, to_build, digests,
                planned, cache, reused, known_pages, site_files, latest_before)


def _site(dataset: Dataset, audience: str, language: str, site: str,
          newest_only: bool) -> list[Edition]:
    """The editions of one site (an audience's, in one language)."""
    found = editions(project(dataset, audience), audience, language,
                     "" if site == audience else site)[:1 if newest_only else None]
    if newest_only and found:  # kept serve: one edition, every page in full
        found[0] = dataclasses.replace(found[0], whole=True)
    return found


def _theme_there(site: Path, edition: Path) -> bool:
    """Whether the theme's files an edition uses are there: in the site's store (see
    engine.store), or in the edition itself when the store could not be used."""
    return (site / store.FOLDER).is_dir() or (edition / "assets").is_dir()


def _latest_made(out: Path, site: str, edition: Edition, planned: list[Edition],
                 previous: Previous, digest: str) -> bool:
    """Whether latest/ holds its own files as the edition's build makes them, when it is the
    newest (see static.latest_files): else the edition is built again to make them."""
    if edition is not planned[0] or edition.whole:
        return True
    latest = out / site / "latest"
    return previous.digests.get(f"{site}/latest") == digest and all(
        (latest / rel).is_file() for rel in LATEST_FILES)


def file_plan(plan: Plan, key: str, leaves_out: bool = True) -> FilePlan:
    """Each generated file of an edition to build with the digest of its inputs, and those
    that did not change since the previous build (when their output is still there, and the
    engine can leave their pages out)."""
    planned = plan.editions[key]
    needs = outputs(planned.edition, plan.templates)
    keys = plan.digests.files(planned.edition, planned.frame, planned.whole, needs)
    if not (plan.skippable and leaves_out) or planned.previous is None:
        return FilePlan(keys)
    before = planned.previous_files
    return FilePlan(keys, frozenset(
        path for path, key_ in keys.items()
        if before.get(path, ("", ""))[0] == key_ and (planned.previous / built(path)).is_file()))


def tasks(plan: Plan, jobs: int) -> list[Task]:
    """The editions to build, as tasks for `jobs` processes: when there are fewer editions
    than processes, an edition with many pages to render is rendered by several, and the
    newest edition has latest/'s own files (every period's open data: in a long history,
    published after the others were built, they cost as much as the edition's pages) made by
    another process while it builds."""
    found = [Task(key) for key in plan.editions]
    if not found or len(found) >= jobs:
        return found
    found = [dataclasses.replace(t, files=file_plan(plan, t.key)) for t in found]
    found = [dataclasses.replace(t, shares=jobs // len(found))
             if t.files is not None and _to_render(t.files) >= SHARED_RENDER else t for t in found]
    return [dataclasses.replace(t, latest_apart=True) if plan.makes_latest(t.key) else t
            for t in found]


def _to_render(planned: FilePlan) -> int:
    return sum(path.endswith(".md") and path not in planned.skip for path in planned.keys)


def _digest(value: Any) -> str:
    """Digest of model objects by their repr: frozen dataclasses, enums, dates, numbers, text,
    tuples and read-only mappings in the order the data gave them, so the same data gives
    the same repr in every run (and different data a different one)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()


class Digests:
    """Digests of editions' inputs. Periods, and commitments no revision touched, are the
    same objects in every later edition: each is digested once per build, not once per
    edition. (Memos are by id: each holds its object, so that no other object takes its id;
    they are left out when the digests are sent to another process.)"""

    def __init__(self, common: str):
        self.common = common
        self.seen: dict[int, tuple[Any, str]] = {}
        self.periods: dict[int, tuple[Period, tuple[str, dict[str, str], str]]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (Digests, (self.common,))

    def of(self, obj: Any) -> str:
        key = id(obj)
        if key not in self.seen:
            self.seen[key] = (obj, _digest(obj))
        return self.seen[key][1]

    def period(self, period: Period) -> tuple[str, dict[str, str], str]:
        """A period's digest without its measurements, the digest of each measurement (by
        commitment), and the digest of them all."""
        key = id(period)
        if key not in self.periods:
            each = {cid: _digest(m) for cid, m in period.measurements.items()}
            self.periods[key] = (period, (
                _digest(dataclasses.replace(period, measurements=EMPTY)), each,
                _digest(tuple(each.items()))))
        return self.periods[key][1]

    def chrome(self, settings: Settings, job: Job, site_files: list[tuple[str, str]]) -> str:
        """What every page of the edition depends on besides its own content: Kept and the
        packages it builds with, the engine, site_src/, mkdocs.yml and the settings derived
        from them (the navigation among them)."""
        derived = {k: v for k, v in job.overrides.items() if k not in ("docs_dir", "site_dir")}
        return manifest.sha([self.common, job.audience, job.edition, derived, job.epoch,
                             settings.live_reload, [rel for _, rel in site_files]])

    def edition(self, edition: Edition, chrome: str) -> tuple[str, str]:
        """The digest of everything the edition is built from but its measurements (the
        frame), and of everything."""
        data = edition.dataset
        frame = manifest.sha([
            chrome, [self.period(p)[0] for p in edition.periods],
            [self.of(c) for c in edition.commitments],
            _digest((data.organization, data.values, data.locations)),
        ])
        return frame, manifest.sha([frame, [self.period(p)[2] for p in edition.periods]])

    def files(self, edition: Edition, frame: str, whole: str,
              needs: Mapping[str, Needs | None]) -> dict[str, str]:
        """The digest of each generated file's inputs: the edition's frame and the
        measurements the file shows (all of them for a file without Needs)."""
        periods = [self.period(p) for p in edition.periods]
        ids = [p.id for p in edition.periods]
        found = {}
        for path, need in needs.items():
            if need is None:
                parts = [whole]
            else:
                parts = [frame]
                parts += [",".join(each.get(cid, "-") for _, each, _ in periods)
                          for cid in need.commitments]
                if need.through is not None:
                    parts += [all_ for _, _, all_ in periods[:ids.index(need.through) + 1]]
            found[path] = hashlib.sha256("\0".join([path, *parts]).encode()).hexdigest()[:32]
        return found

