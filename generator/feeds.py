"""Atom feeds of an edition: its improvements, and each commitment's results.

Entry ids are permanent (the same improvement has the same id in every edition), and every
date comes from the data: a feed never says "now".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from feedgen.feed import FeedGenerator

from generator import __version__
from generator.compute import Row
from generator.model import Commitment, Improvement
from generator.words import plain, qty, target_text

Link = Callable[[str], str]  # a path inside the edition -> the URL readers follow


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _urn(org: str, *parts: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in org.lower()).strip("-") or "kept"
    return ":".join(("urn", "kept", slug, *parts))


def _feed(feed_id: str, title: str, home: str, self_link: str, updated: dt.date,
          subtitle: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=home, rel="alternate", type="text/html")
    feed.link(href=self_link, rel="self", type="application/atom+xml")
    feed.updated(_moment(updated))
    feed.language("en")
    feed.generator("Kept", version=__version__)
    return feed


def _text(feed: FeedGenerator) -> str:
    return feed.atom_str(pretty=True).decode("utf-8")


def improvements_feed(org: str, edition_day: dt.date, improvements: tuple[Improvement, ...],
                      link: Link) -> str:
    """The edition's "you said, we did" changelog, newest first."""
    updated = max((i.date for i in improvements), default=edition_day)
    feed = _feed(_urn(org, "improvements"), f"{org}: you said, we did",
                 link("improvements/"), link("feed.xml"), updated,
                 f"What {org} changed because customers asked.")
    for improvement in sorted(improvements, key=lambda i: (i.date, i.id), reverse=True):
        entry = feed.add_entry(order="append")
        entry.id(_urn(org, "improvement", improvement.id))
        entry.title(improvement.title)
        entry.link(href=link(f"improvements/{improvement.id}/"), rel="alternate")
        entry.updated(_moment(improvement.date))
        entry.published(_moment(improvement.date))
        entry.content(f"You said: {plain(improvement.you_said, 2000)}\n\n"
                      f"We did: {plain(improvement.we_did, 2000)}", type="text")
    return _text(feed)


def commitment_feed(org: str, edition_day: dt.date, commitment: Commitment, rows: list[Row],
                    improvements: list[Improvement], link: Link) -> str:
    """One commitment's results per period and the improvements linked to it."""
    page = f"commitments/{commitment.id}/"
    dated = [(r.period.published or r.period.end, r) for r in rows]
    updated = max([d for d, _ in dated] + [i.date for i in improvements], default=edition_day)
    feed = _feed(_urn(org, "commitment", commitment.id), f"{org}: {commitment.title}",
                 link(page), link(f"{page}feed.xml"), updated, plain(commitment.promise))
    entries: list[tuple[dt.date, str, Callable[[], None]]] = []
    unit = commitment.metric.unit
    for day, row in dated:
        def add(row: Row = row, day: dt.date = day) -> None:
            entry = feed.add_entry(order="append")
            entry.id(_urn(org, "commitment", commitment.id, row.period.id))
            entry.title(f"{row.period.label}: {row.status.value}")
            entry.link(href=link(f"reports/{row.period.id}/"), rel="alternate")
            entry.updated(_moment(day))
            value = qty(row.value, unit) if row.value is not None else "not measured"
            explanation = row.measurement.explanation if row.measurement else None
            entry.content(f"{value} against a target of "
                          f"{target_text(commitment.metric, row.target)}."
                          + (f"\n\n{plain(explanation, 2000)}" if explanation else ""),
                          type="text")
        entries.append((day, row.period.id, add))
    for improvement in improvements:
        def add_improvement(improvement: Improvement = improvement) -> None:
            entry = feed.add_entry(order="append")
            entry.id(_urn(org, "improvement", improvement.id))
            entry.title(f"You said, we did: {improvement.title}")
            entry.link(href=link(f"improvements/{improvement.id}/"), rel="alternate")
            entry.updated(_moment(improvement.date))
            entry.content(plain(improvement.we_did, 2000), type="text")
        entries.append((improvement.date, improvement.id, add_improvement))
    for _, _, add_entry in sorted(entries, key=lambda e: (e[0], e[1]), reverse=True):
        add_entry()
    return _text(feed)
