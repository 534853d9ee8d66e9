"""Audience projection and editions.

The public projection removes internal entities, every `internal:` mapping, draft periods and
unpublishable location figures *before* anything renders, so no public template can reach
internal data. An edition is the world as of one period's last day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

from generator.compute import as_of
from generator.i18n import DEFAULT, tr
from generator.model import (
    EMPTY,
    Commitment,
    Dataset,
    Improvement,
    Measurement,
    Period,
    Visibility,
)

AUDIENCES = ("public", "internal")


def project(dataset: Dataset, audience: str) -> Dataset:
    """The data an audience may see. The internal audience sees everything."""
    if audience == "internal":
        return dataset
    if audience != "public":
        raise ValueError(f"unknown audience {audience!r}")
    public = Visibility.PUBLIC
    locations = tuple(replace(x, internal=EMPTY) for x in dataset.locations if x.visibility is public)
    location_ids = {x.id for x in locations}
    values = tuple(replace(v, internal=EMPTY) for v in dataset.values if v.visibility is public)
    value_ids = {v.id for v in values}
    commitments = tuple(
        replace(c, internal=EMPTY, revisions=tuple(replace(r, internal=EMPTY) for r in c.revisions),
                value=c.value if c.value in value_ids else None,
                locations=tuple(x for x in c.locations if x in location_ids))
        for c in dataset.commitments if c.visibility is public)
    by_id = {c.id: c for c in commitments}
    min_sample = dataset.organization.min_sample

    listed_by_id = {cid: frozenset(c.locations) for cid, c in by_id.items()}

    def measurement(cid: str, m: Measurement) -> Measurement:
        listed = listed_by_id[cid]  # a set: a chain measures a promise in hundreds of shops
        figures = {lid: f for lid, f in m.locations.items()
                   if lid in listed and (f.sample is None or f.sample >= min_sample)}
        return replace(m, internal=EMPTY, locations=MappingProxyType(figures))

    def improvement(i: Improvement) -> Improvement:
        return replace(i, internal=EMPTY, commitments=tuple(c for c in i.commitments if c in by_id))

    def public_names(period: Period, names: tuple[str, ...]) -> tuple[str, ...]:
        """What a correction names that customers may know of: no internal ids."""
        improvements = ({i.id for i in period.improvements if i.visibility is public}
                        | {x.id for x in period.planned if x.visibility is public})
        kept = []
        for name in names:
            cid, _, lid = name.partition("@")
            if (name in ("summary", "highlights") or name in improvements
                    or cid in by_id and (not lid or lid in location_ids)):
                kept.append(name)
        return tuple(kept)

    periods = tuple(
        replace(p, internal=EMPTY,
                measurements=MappingProxyType(
                    {cid: measurement(cid, m) for cid, m in p.measurements.items() if cid in by_id}),
                improvements=tuple(improvement(i) for i in p.improvements
                                   if i.visibility is public),
                planned=tuple(replace(x, internal=EMPTY,
                                      commitments=tuple(c for c in x.commitments if c in by_id))
                              for x in p.planned if x.visibility is public),
                corrections=tuple(replace(x, internal=EMPTY, changes=public_names(p, x.changes))
                                  for x in p.corrections if x.visibility is public))
        for p in dataset.periods if not p.draft)
    organization = replace(dataset.organization, internal=EMPTY)
    return Dataset(organization, values, locations, commitments, periods)


@dataclass(frozen=True)
class Edition:
    """One audience's view of the data as of one period's last day."""

    audience: str
    period: Period
    periods: tuple[Period, ...]  # up to and including `period`, oldest first
    commitments: tuple[Commitment, ...]  # begun by the period's end, as revised by then
    improvements: tuple[Improvement, ...]  # dated up to the period's end, newest first
    dataset: Dataset  # the projected data as of the period's end, for lookups
    language: str = DEFAULT  # of the site: its words, and the texts of its dataset
    folder: str = ""  # the site's folder in the output (see site_folder): the audience's
    # Whether pages about earlier periods are full pages here (kept serve's one edition),
    # rather than redirects to the edition where each first appeared (see pages.moved).
    whole: bool = False

    @property
    def site(self) -> str:
        """The edition's site, as a folder of the output: 'public', 'public/cy'."""
        return self.folder or self.audience

    @property
    def key(self) -> str:
        """The edition's folder in the output: 'public/2026-09', 'public/cy/2026-09'."""
        return f"{self.site}/{self.id}"

    @property
    def id(self) -> str:
        return self.period.id

    @property
    def internal(self) -> bool:
        return self.audience == "internal"

    @property
    def title(self) -> str:
        """As the version selector shows it, in the site's language (see i18n.use)."""
        return self.period.id + " " + tr("(draft)") if self.period.draft else self.period.id


def site_folder(audience: str, language: str, main: bool) -> str:
    """The folder of an audience's site in one language: the main language's keeps the
    audience's folder, another's is named by its code below it ('public/cy')."""
    return audience if main else f"{audience}/{language}"


def editions(dataset: Dataset, audience: str, language: str = DEFAULT,
             folder: str = "") -> list[Edition]:
    """Every edition of an audience's site (in one language, in its folder), newest first.
    `dataset` is already projected."""
    result = []
    for index, period in enumerate(dataset.periods):
        end = period.end
        periods = dataset.periods[: index + 1]
        commitments = tuple(as_of(c, end) for c in dataset.commitments if c.shown_by(end))
        improvements = tuple(sorted(
            (i for p in periods for i in p.improvements),
            key=lambda i: (i.date, i.id), reverse=True))
        # The edition's own view of the data: nothing after its period, so that an edition's
        # inputs (and the digest that decides whether to rebuild it) stop changing once later
        # periods exist.
        as_of_then = replace(dataset, periods=periods, commitments=commitments)
        result.append(Edition(audience, period, periods, commitments, improvements, as_of_then,
                              language, folder))
    return list(reversed(result))
