"""An edition's files that are not pages: feeds (of improvements, of each commitment, value
and location), badges, open data and the announcement, by path inside docs_dir."""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable, Collection

from generator import announce, charts, feeds, i18n, opendata
from generator.feeds import Corrected
from generator.i18n import ntr, tr
from generator.pages import Moved, commitment_files, group_feeds, moved
from generator.view import EditionView
from generator.words import num, qty

# The periods whose entries an edition's feeds hold: the newest and those before it.
FEED_PERIODS = 3


def static_files(view: EditionView, skip: Collection[str] = ()) -> dict[str, str]:
    """The edition's feeds, badges and open data, by path inside docs_dir; those in skip
    are left out (the build has them from before)."""
    edition = view.edition
    org = view.organization.name
    day = edition.period.published or edition.period.end
    # Feeds hold the entries of the edition's last FEED_PERIODS periods: a feed reader wants
    # what is new, and every edition repeating the whole history made the site grow with its
    # square (a location's feed lists every promise's figure there, period by period).
    recent = {p.id for p in edition.periods[-FEED_PERIODS:]}
    since = edition.periods[-FEED_PERIODS].start if len(edition.periods) > FEED_PERIODS else None

    def new(fixes: list[Corrected]) -> list[Corrected]:
        return [fix for fix in fixes if since is None or fix[1].date >= since]

    makers = {
        "feed.xml": lambda: feeds.improvements_feed(
            org, day, tuple(i for i in edition.improvements if i.period in recent),
            view.link_from(""), new(view.all_corrections())),
        **_open_data(view, edition.whole),
        "announce.md": lambda: announce.announce_md(view),
        "announce.html": lambda: announce.announce_html(view),
    }
    made = {path: make() for path, make in makers.items() if path not in skip}
    for page in moved(edition):
        if page.file not in skip:
            made[page.file] = moved_page(page, edition.internal)
    for path in group_feeds(edition):
        if path not in skip:
            made[path] = _group_feed(view, path)
    for c in edition.commitments:
        badge, feed = commitment_files(c.id)
        if badge not in skip:
            made[badge] = charts.badge(c.title, view.status[c.id], view.attainment(c.id))
        if feed not in skip:
            made[feed] = feeds.commitment_feed(
                org, day, c, [r for r in view.rows[c.id] if r.period.id in recent],
                [i for i in view.improvements_for(c.id) if i.period in recent],
                view.link_from(posixpath.dirname(feed)), new(view.corrections(commitment=c.id)))
    return made


# latest/'s own files: the newest edition's open data, with the whole history.
LATEST_FILES = ("api/commitments.json", "api/improvements.json", "api/results.csv")


def _open_data(view: EditionView, whole: bool,
               reuse: opendata.Reuse = opendata.made) -> dict[str, Callable[[], str]]:
    edition = view.edition
    return {
        opendata.COMMITMENTS_JSON: lambda: opendata.commitments_json(edition, view.rows,
                                                                     view.status, whole, reuse),
        "api/improvements.json": lambda: opendata.improvements_json(edition, whole),
        opendata.RESULTS_CSV: lambda: opendata.results_csv(edition, view.rows, whole, reuse),
    }


def latest_files(view: EditionView, reuse: opendata.Reuse = opendata.made) -> dict[str, str]:
    """What latest/ holds instead of the newest edition's open data: the whole history. An
    edition's open data holds what is new in it, its own period's results and improvements:
    each edition repeating every earlier period made the site grow with the square of its
    history. reuse: see opendata.Reuse."""
    return {path: make() for path, make in _open_data(view, True, reuse).items()}


def _group_feed(view: EditionView, path: str) -> str:
    """The feed of one value's promises, or of one location's figures."""
    kind, ident = path.split("/")[:2]
    edition = view.edition
    org = view.organization.name
    day = edition.period.published or edition.period.end
    link = view.link_from(posixpath.dirname(path))
    periods = []
    shown = edition.periods[-FEED_PERIODS:]  # see static_files
    recent = {p.id for p in shown}
    if kind == "values":
        value = edition.dataset.value(ident)
        members = {c.id for c in edition.commitments if c.value == ident}
        for period in shown:
            rows = [(c, row) for c, row in view.period_rows(period) if c.id in members]
            if rows:
                score = view.score(period, ident)
                periods.append((period, tr("{met} of {count} met", met=num(score.met),
                                           count=num(score.measured)),
                                [tr("{promise}: {status}", promise=c.title, status=row.status.label)
                                 for c, row in rows]))
        name = value.title if value else ident
        improvements = [i for i in edition.improvements
                        if i.period in recent and members & set(i.commitments)]
        return feeds.group_feed(org, day, "value", ident, name, periods, improvements, link,
                                posixpath.dirname(path))
    location = edition.dataset.location(ident)
    for period in shown:
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


MOVED = """<!doctype html>
<html lang="{lang}" dir="{dir}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta name="robots" content="{robots}">
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}">
</head>
<body>
{banner}<p>{where} <a href="{url}">{title}</a></p>
</body>
</html>
"""


def internal_banner() -> str:
    """The internal site's banner on every page, in the page's language."""
    internal = html.escape(tr("Internal"))
    words = html.escape(tr("for the team only. Do not share with customers."))
    return (f'<div class="kept-internal-banner" role="note"><strong>{internal}</strong>: {words}'
            "</div>\n")


def moved_page(page: Moved, internal: bool) -> str:
    """A page about an earlier period, in a later edition: a redirect to the edition where it
    first appeared. Nothing from the data but the title, escaped; no script; a relative
    address (the site works from any folder or host); never indexed: the page itself is."""
    depth = page.file.count("/")  # the redirect's folders below its edition's root
    url = html.escape("../" * (depth + 1) + page.edition + "/" + page.file[:-len("index.html")])
    banner = internal_banner() if internal else ""
    language = i18n.current()
    where = tr("This page is in the edition of {edition}:", edition=page.edition)
    return MOVED.format(title=html.escape(page.title), url=url, where=html.escape(where),
                        robots="noindex, nofollow" if internal else "noindex", banner=banner,
                        lang=language.code, dir=language.direction)
