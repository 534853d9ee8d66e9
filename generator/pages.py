"""The generated pages of an edition, what each shows, and where each is.

`pages` lists an edition's pages (path, template, title, description, what a search finds
them by, and the measurements they show); `outputs` adds the other files (feeds, badges, open
data) with theirs, so that a build renders again only the files whose inputs changed.
"""

from __future__ import annotations

import functools
import posixpath
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import compute
from generator.i18n import tr
from generator.markup import meta_text
from generator.project import Edition
from generator.words import plain


@dataclass(frozen=True)
class Needs:
    """The measurements a generated file shows: those of some commitments, in every period
    of the edition, and those of every commitment in the periods up to `through`. Besides
    them it may show anything of its edition but measurements (commitments, improvements,
    the periods' other fields, the organisation, the settings). A file with no Needs (None)
    may show any measurement.

    A build renders again only the files whose inputs changed: after one value is edited,
    its commitment's page, the period's report and the edition's summaries, not every page.
    """

    commitments: tuple[str, ...] = ()
    through: str | None = None


@dataclass(frozen=True)
class Page:
    path: str  # inside docs_dir, e.g. "commitments/email-reply.md"
    template: str
    title: str
    description: str
    context: Mapping[str, Any]
    search: str = ""  # the words a search should find this page by
    needs: Needs | None = None  # what the shipped template shows of the measurements


@functools.lru_cache(maxsize=1 << 14)
def relative_url(path: str, folder: str) -> str:
    """The relative URL of a path inside the edition, seen from a folder of it (both plain
    paths from the edition's root: what posixpath.relpath gives, without its system calls)."""
    target = [part for part in path.split("/") if part]
    here = [part for part in folder.split("/") if part]
    if path.startswith("/") or {".", ".."} & {*target, *here}:  # not plain: let posixpath say
        return posixpath.relpath(path or ".", folder or ".") + ("/" if path.endswith("/") else "")
    common = 0
    while common < min(len(target), len(here)) and target[common] == here[common]:
        common += 1
    relative = "/".join([".."] * (len(here) - common) + target[common:]) or "."
    return relative + ("/" if path.endswith("/") else "")


def _words(*texts: str | None) -> str:
    return " ".join(plain(t, 10_000) for t in texts if t)


@dataclass(frozen=True)
class Moved:
    """A page about an earlier period (an improvement, a report, a consistency page) as a
    later edition serves it: a small redirect to the edition where it
    first appeared, that of its period. So that each edition's size is in proportion to what
    is new in it, not to the whole history; latest/ holds the full page (see install)."""

    path: str  # the page's Markdown file, as a full page would have it
    edition: str  # the edition it first appeared in
    title: str

    @property
    def file(self) -> str:
        """The redirect's file in the built edition."""
        return page_url(self.path) + "index.html"


# The pages of the edition listed last: a build lists them to digest their inputs, then to
# render them. Kept as long as the edition is, and no longer: its pages hold its periods (in a
# long history, every figure of every month), which a process that keeps them to its end
# frees at its end, where collections go through them first (0.15 s at 72 months).
_LISTED: list[tuple[weakref.ref[Edition], tuple[Page, ...], tuple[Moved, ...], dict[str, str]]] = []


def _listed(edition: Edition) -> tuple[tuple[Page, ...], tuple[Moved, ...], dict[str, str]]:
    if not _LISTED or _LISTED[0][0]() is not edition:
        found, moved = _pages(edition)
        _LISTED[:] = [(weakref.ref(edition, _forget), tuple(found), tuple(moved),
                       {m.path: m.edition for m in moved})]
    return _LISTED[0][1], _LISTED[0][2], _LISTED[0][3]


def _forget(gone: weakref.ref[Edition]) -> None:
    if _LISTED and _LISTED[0][0] is gone:
        _LISTED.clear()


def pages(edition: Edition) -> tuple[Page, ...]:
    """Every generated page of an edition."""
    return _listed(edition)[0]


def moved_to(edition: Edition) -> dict[str, str]:
    """The pages the edition serves as redirects, with the edition where each is in full."""
    return _listed(edition)[2]


def moved(edition: Edition) -> tuple[Moved, ...]:
    """The pages about earlier periods that the edition serves as redirects (see Moved)."""
    return _listed(edition)[1]


def _pages(edition: Edition) -> tuple[list[Page], list[Moved]]:
    org = edition.dataset.organization.name
    label = edition.period.label
    result = [
        Page("index.md", "home.md.j2", tr("{organisation}: our commitments", organisation=org),
             tr("What {organisation} promises its customers, and how it did in {period}.",
                organisation=org, period=label), {}),
        Page("commitments/index.md", "commitments.md.j2", tr("Commitments"),
             tr("Every promise {organisation} makes its customers, with its results.",
                organisation=org), {}),
        Page("improvements/index.md", "improvements.md.j2", tr("You said, we did"),
             tr("What {organisation} changed because customers asked.", organisation=org), {}),
        Page("reports/index.md", "reports.md.j2", tr("Reports"),
             tr("{organisation}'s results, period by period.", organisation=org), {}),
    ]
    for commitment in edition.commitments:
        result.append(Page(
            f"commitments/{commitment.id}.md", "commitment.md.j2", commitment.title,
            plain(commitment.promise), {"commitment": commitment},
            _words(commitment.promise, commitment.why,
                   *((commitment.metric.name, commitment.metric.definition)
                     if commitment.metric else ())),
            Needs(commitments=(commitment.id,))))
    moved: list[Moved] = []

    def own(period: str, path: str, title: str) -> bool:
        """Whether the edition shows a page about the period in full: its own period's."""
        if edition.whole or period == edition.id:
            return True
        moved.append(Moved(path, period, title))
        return False

    for improvement in edition.improvements:
        if not own(improvement.period, f"improvements/{improvement.id}.md", improvement.title):
            continue
        result.append(Page(
            f"improvements/{improvement.id}.md", "improvement.md.j2", improvement.title,
            plain(improvement.we_did), {"improvement": improvement},
            _words(tr("You said: {feedback}", feedback=improvement.you_said),
                   tr("We did: {change}", change=improvement.we_did)),
            Needs(commitments=improvement.commitments)))  # their statuses
    for period in edition.periods:
        # A plan's page says whether it is done, late or expected: as of each edition, in
        # every edition (a handful a year; an improvement or report says what it said then).
        for planned in period.planned:
            result.append(Page(
                f"planned/{planned.id}.md", "planned.md.j2", planned.title, plain(planned.we_will),
                {"planned": planned},
                _words(tr("You said: {feedback}", feedback=planned.you_said),
                       tr("We will: {change}", change=planned.we_will)),
                Needs(commitments=planned.commitments)))  # their statuses
    for period in edition.periods:
        if not own(period.id, f"reports/{period.id}.md", tr("Report for {period}", period=period.label)):
            continue
        # A row shows its change from the period before: every period up to this one.
        result.append(Page(f"reports/{period.id}.md", "report.md.j2",
                           tr("Report for {period}", period=period.label),
                           plain(period.summary) or tr("Results for {period}.", period=period.label),
                           {"report": period}, _words(period.summary, *period.highlights),
                           Needs(through=period.id)))
    if edition.internal:
        result.append(Page("reviews/index.md", "reviews.md.j2", tr("Reviews due"),
                           tr("Commitments whose review is due."),
                           {"reviews": compute.reviews(edition.dataset, edition.period.end)}))
        result.append(Page("locations/index.md", "locations.md.j2", tr("Locations"),
                           tr("Where results are measured."), {}))
        result.append(Page("team/index.md", "team.md.j2", tr("The team behind the promises"),
                           tr("Promises kept, by the people who keep them; ideas from the team."),
                           {}))
        result.append(Page("consistency/index.md", "consistency.md.j2", tr("Consistency"),
                           tr("How locations compare, period by period."), {}))
        for period in edition.periods:
            if not own(period.id, f"consistency/{period.id}.md",
                       tr("Consistency in {period}", period=period.label)):
                continue
            result.append(Page(f"consistency/{period.id}.md", "consistency-period.md.j2",
                               tr("Consistency in {period}", period=period.label),
                               tr("How locations compared in {period}.", period=period.label),
                               {"report": period},
                               needs=Needs(through=period.id)))
    return result, moved


# Shipped templates that every page template imports: overriding one may change any page.
_SHARED_TEMPLATES = ("macros.md.j2",)


def outputs(edition: Edition, user_templates: Path | None = None) -> dict[str, Needs | None]:
    """Every file render_edition makes (pages, then feeds, badges and open data), with the
    measurements it shows. A page whose template, or a template it imports, is overridden
    in site_src/templates may show anything: it has no Needs."""
    overridden = set()
    if user_templates is not None and user_templates.is_dir():
        overridden = {p.name for p in user_templates.iterdir()}
    shared_overridden = any(name in overridden for name in _SHARED_TEMPLATES)
    found: dict[str, Needs | None] = {
        page.path: None if shared_overridden or page.template in overridden else page.needs
        for page in pages(edition)}
    found.update(dict.fromkeys(EDITION_FILES))
    found.update((m.file, Needs()) for m in moved(edition))  # the title alone
    found.update(group_feeds(edition))
    for c in edition.commitments:
        found.update(dict.fromkeys(commitment_files(c.id), Needs(commitments=(c.id,))))
    return found


def nav(edition: Edition, extra: list[Any]) -> list[Any]:
    """A short nested navigation: index pages only, never a page per commitment."""
    items: list[Any] = [
        {tr("Home"): "index.md"},
        {tr("Commitments"): "commitments/index.md"},
        {tr("You said, we did"): "improvements/index.md"},
        {tr("Reports"): "reports/index.md"},
    ]
    if edition.internal:
        items += [{tr("Team"): [{tr("The team"): "team/index.md"},
                                {tr("Reviews due"): "reviews/index.md"},
                                {tr("Consistency"): "consistency/index.md"},
                                {tr("Locations"): "locations/index.md"}]}]
    return items + extra


def page_url(path: str) -> str:
    """The directory URL MkDocs gives a Markdown file: 'a/b.md' -> 'a/b/', 'a/index.md' -> 'a/'."""
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
    return stem.rstrip("/") + "/" if stem else ""


def page_meta(page: Page) -> dict[str, Any]:
    """What front matter would hold for the page."""
    return {"title": meta_text(page.title), "description": meta_text(page.description),
            "search": {"exclude": True}, "kept_search": page.search or page.description}


# The files of an edition that are neither pages nor a commitment's own.
EDITION_FILES = ("feed.xml", "api/commitments.json", "api/improvements.json", "api/results.csv",
                 "announce.md", "announce.html")


def group_feeds(edition: Edition) -> dict[str, Needs]:
    """The feeds of each value and each location of an edition, by path inside docs_dir,
    with the measurements each shows (those of the value's promises, or of the promises
    reported at the location)."""
    found = {}
    for value in edition.dataset.values:
        members = tuple(c.id for c in edition.commitments if c.value == value.id)
        found[f"values/{value.id}/feed.xml"] = Needs(commitments=members)
    for location in edition.dataset.locations:
        members = tuple(c.id for c in edition.commitments if location.id in c.locations)
        if members:
            found[f"locations/{location.id}/feed.xml"] = Needs(commitments=members)
    return found


def commitment_files(cid: str) -> tuple[str, str]:
    """A commitment's badge and feed, by path inside docs_dir."""
    return f"badges/{cid}.svg", f"commitments/{cid}/feed.xml"
