"""An edition's files that are not pages: feeds (of improvements, of each commitment, value
and location), badges, open data and the announcement, by path inside docs_dir."""

from __future__ import annotations

import posixpath
from collections.abc import Collection

from generator import announce, charts, feeds, opendata
from generator.i18n import ntr, tr
from generator.pages import commitment_files, group_feeds
from generator.view import EditionView
from generator.words import num, qty


def static_files(view: EditionView, skip: Collection[str] = ()) -> dict[str, str]:
    """The edition's feeds, badges and open data, by path inside docs_dir; those in skip
    are left out (the build has them from before)."""
    edition = view.edition
    org = view.organization.name
    day = edition.period.published or edition.period.end
    makers = {
        "feed.xml": lambda: feeds.improvements_feed(org, day, edition.improvements,
                                                    view.link_from(""), view.all_corrections()),
        "api/commitments.json": lambda: opendata.commitments_json(edition, view.rows, view.status),
        "api/improvements.json": lambda: opendata.improvements_json(edition),
        "api/results.csv": lambda: opendata.results_csv(edition, view.rows),
        "announce.md": lambda: announce.announce_md(view),
        "announce.html": lambda: announce.announce_html(view),
    }
    made = {path: make() for path, make in makers.items() if path not in skip}
    for path in group_feeds(edition):
        if path not in skip:
            made[path] = _group_feed(view, path)
    for c in edition.commitments:
        badge, feed = commitment_files(c.id)
        if badge not in skip:
            made[badge] = charts.badge(c.title, view.status[c.id], view.attainment(c.id))
        if feed not in skip:
            made[feed] = feeds.commitment_feed(org, day, c, view.rows[c.id],
                                                view.improvements_for(c.id),
                                                view.link_from(posixpath.dirname(feed)),
                                                view.corrections(commitment=c.id))
    return made


def _group_feed(view: EditionView, path: str) -> str:
    """The feed of one value's promises, or of one location's figures."""
    kind, ident = path.split("/")[:2]
    edition = view.edition
    org = view.organization.name
    day = edition.period.published or edition.period.end
    link = view.link_from(posixpath.dirname(path))
    periods = []
    if kind == "values":
        value = edition.dataset.value(ident)
        members = {c.id for c in edition.commitments if c.value == ident}
        for period in edition.periods:
            rows = [(c, row) for c, row in view.period_rows(period) if c.id in members]
            if rows:
                score = view.score(period, ident)
                periods.append((period, tr("{met} of {count} met", met=num(score.met),
                                           count=num(score.measured)),
                                [tr("{promise}: {status}", promise=c.title, status=row.status.label)
                                 for c, row in rows]))
        name = value.title if value else ident
        improvements = [i for i in edition.improvements if members & set(i.commitments)]
        return feeds.group_feed(org, day, "value", ident, name, periods, improvements, link,
                                posixpath.dirname(path))
    location = edition.dataset.location(ident)
    for period in edition.periods:
        lines = []
        for c, row in view.period_rows(period):
            figure = row.measurement.locations.get(ident) if row.measurement else None
            if figure is not None and figure.value is not None and c.metric is not None:
                met = view.met(c, figure.value, period)
                result = qty(figure.value, c.metric.unit)
                lines.append(tr("{promise}: {result} (met)", promise=c.title, result=result) if met
                             else tr("{promise}: {result} (missed)", promise=c.title, result=result))
        if lines:
            periods.append((period, ntr("{count} result", "{count} results", len(lines)), lines))
    name = location.name if location else ident
    return feeds.group_feed(org, day, "location", ident, name, periods, [], link,
                            posixpath.dirname(path))
