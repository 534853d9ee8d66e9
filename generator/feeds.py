"""Atom feeds of an edition: its improvements, and each commitment's results.

Entry ids are permanent (the same improvement has the same id in every edition), and every
date comes from the data: a feed never says "now". Feeds are written as text: an edition has
one per commitment, and building them as XML trees cost more than the commitment's page.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator import __version__
from generator.compute import Row
from generator.i18n import current, tr
from generator.markup import NOT_XML
from generator.model import Commitment, Correction, Improvement, Period
from generator.words import plain, qty, target_text

Link = Callable[[str], str]  # a path inside the edition -> the URL readers follow

# Characters XML 1.0 does not allow, even escaped: shown as the replacement character.
_NOT_XML = NOT_XML


def _text(value: str) -> str:
    """Element text: escaped, and carriage returns kept (an XML reader would drop them)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_XML.sub("\ufffd", value.replace("\r", "&#13;"))


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _moment(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


def _urn(org: str, *parts: str) -> str:
    return ":".join(("urn", "kept", _slug(org), *parts))


@functools.lru_cache(maxsize=16)
def _slug(org: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in org.lower()).strip("-") or "kept"


@dataclass(frozen=True)
class _Entry:
    id: str
    title: str
    day: dt.date
    content: str
    link: str
    published: bool = False

    def xml(self) -> str:
        published = (f"    <published>{_moment(self.day)}</published>\n"
                     if self.published else "")
        return (f"  <entry>\n"
                f"    <id>{_text(self.id)}</id>\n"
                f"    <title>{_text(self.title)}</title>\n"
                f"    <updated>{_moment(self.day)}</updated>\n"
                f'    <content type="text">{_text(self.content)}</content>\n'
                f'    <link href="{_attr(self.link)}"/>\n'
                f"{published}"
                f"  </entry>\n")


def _feed(feed_id: str, title: str, home: str, self_link: str, updated: dt.date,
          subtitle: str, entries: list[_Entry]) -> str:
    return ("<?xml version='1.0' encoding='UTF-8'?>\n"
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_attr(current().code)}">\n'
            f"  <id>{_text(feed_id)}</id>\n"
            f"  <title>{_text(title)}</title>\n"
            f"  <updated>{_moment(updated)}</updated>\n"
            f'  <link href="{_attr(home)}" rel="alternate" type="text/html"/>\n'
            f'  <link href="{_attr(self_link)}" rel="self" type="application/atom+xml"/>\n'
            f'  <generator version="{_attr(__version__)}">Kept</generator>\n'
            f"  <subtitle>{_text(subtitle)}</subtitle>\n"
            + "".join(entry.xml() for entry in entries)
            + "</feed>\n")


# A correction with what it changed: (the period, the correction, rows of (what, was, now)).
Corrected = tuple[Period, Correction, list[tuple[str, str, str]]]


def _correction(org: str, fix: Corrected, link: Link) -> tuple[tuple[dt.date, str], _Entry]:
    period, correction, rows = fix
    changed = "".join("\n\n" + tr("{field}: published as {then}, now {now}.", field=what, then=was,
                                   now=now) for what, was, now in rows)
    # Permanent ids: a correction is known by its period, its date and its place among that
    # day's corrections (a later correction does not renumber it).
    at = period.corrections.index(correction)
    index = sum(c.date == correction.date for c in period.corrections[:at])
    entry = _Entry(_urn(org, "correction", period.id, correction.date.isoformat(), str(index)),
                   tr("Correction to the report for {period}", period=period.label), correction.date,
                   plain(correction.note, 2000) + changed,
                   link(f"reports/{period.id}/#corrections"), published=True)
    return (correction.date, f"~{period.id}-{at}"), entry


def improvements_feed(org: str, edition_day: dt.date, improvements: tuple[Improvement, ...],
                      link: Link, corrections: Sequence[Corrected] = ()) -> str:
    """The edition's "you said, we did" changelog and its corrections, newest first."""
    keyed = [((i.date, i.id), _Entry(
        _urn(org, "improvement", i.id), i.title, i.date,
        tr("You said: {feedback}", feedback=plain(i.you_said, 2000)) + "\n\n"
        + tr("We did: {change}", change=plain(i.we_did, 2000)),
        link(f"improvements/{i.id}/"), published=True)) for i in improvements]
    keyed += [_correction(org, fix, link) for fix in corrections]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    updated = max((day for (day, _), _ in keyed), default=edition_day)
    return _feed(_urn(org, "improvements"), tr("{organisation}: you said, we did", organisation=org),
                 link("improvements/"), link("feed.xml"), updated,
                 tr("What {organisation} changed because customers asked, and corrections to what "
                    "it published.", organisation=org), [entry for _, entry in keyed])


def _result(org: str, commitment: Commitment, row: Row, link: Link) -> _Entry:
    explanation = row.measurement.explanation if row.measurement else None
    if commitment.metric is None:  # a promise in words
        content = tr("{status}.", status=row.status.label)
    else:
        value = qty(row.value, commitment.metric.unit) if row.value is not None else tr("not measured")
        content = tr("{result} against a target of {target}.", result=value,
                     target=target_text(commitment.metric, row.target))
    if explanation:
        content += f"\n\n{plain(explanation, 2000)}"
    return _Entry(_urn(org, "commitment", commitment.id, row.period.id),
                  tr("{period}: {status}", period=row.period.label, status=row.status.label),
                  row.period.published or row.period.end, content,
                  link(f"reports/{row.period.id}/"))


def commitment_feed(org: str, edition_day: dt.date, commitment: Commitment, rows: list[Row],
                    improvements: list[Improvement], link: Link,
                    corrections: Sequence[Corrected] = ()) -> str:
    """One commitment's results per period, the improvements linked to it and the
    corrections of what was published about it, newest first."""
    page = f"commitments/{commitment.id}/"
    keyed = [((r.period.published or r.period.end, r.period.id), _result(org, commitment, r, link))
             for r in rows]
    keyed += [((i.date, i.id), _improvement(org, i, link)) for i in improvements]
    keyed += [_correction(org, fix, link) for fix in corrections]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    updated = max((day for (day, _), _ in keyed), default=edition_day)
    return _feed(_urn(org, "commitment", commitment.id),
                 tr("{organisation}: {promise}", organisation=org, promise=commitment.title),
                 link(page), link(f"{page}feed.xml"), updated, plain(commitment.promise),
                 [entry for _, entry in keyed])


# A group's period: (the period, its label, what each of its promises did there).
GroupPeriod = tuple[Period, str, list[str]]


def group_feed(org: str, edition_day: dt.date, kind: str, ident: str, name: str,
               periods: list[GroupPeriod], improvements: list[Improvement], link: Link,
               folder: str) -> str:
    """The results of a group of promises (a value's, or a location's figures) period by
    period, and the improvements linked to them, newest first."""
    keyed = [((p.published or p.end, p.id), _Entry(
        _urn(org, kind, ident, p.id), tr("{period}: {headline}", period=p.label, headline=headline),
        p.published or p.end, "\n".join(lines), link(f"reports/{p.id}/")))
        for p, headline, lines in periods]
    keyed += [((i.date, i.id), _improvement(org, i, link)) for i in improvements]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    updated = max((day for (day, _), _ in keyed), default=edition_day)
    about = (tr("{organisation}'s promises about {value}.", organisation=org, value=name)
             if kind == "value" else
             tr("{organisation}'s results at {place}.", organisation=org, place=name))
    return _feed(_urn(org, kind, ident), tr("{organisation}: {group}", organisation=org, group=name),
                 link(""), link(f"{folder}/feed.xml"), updated, about,
                 [entry for _, entry in keyed])


def _improvement(org: str, improvement: Improvement, link: Link) -> _Entry:
    """An improvement linked to a commitment or a group of them, as an entry of its feed."""
    return _Entry(_urn(org, "improvement", improvement.id),
                  tr("You said, we did: {improvement}", improvement=improvement.title),
                  improvement.date, plain(improvement.we_did, 2000),
                  link(f"improvements/{improvement.id}/"))
