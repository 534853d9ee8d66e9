"""No broken internal link in any edition: plain HTTP requests, no browser needed.

Every page of every edition (and of latest/) of both audiences is fetched by following links
from the edition's home; every <a>, <link>, <script> and <img> URL on it that stays on the site
must answer 200, and a link's #fragment must name an element of the page it leads to. Links to
the organisation's public address (canonical links) are checked where they are served here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.support import AUDIENCES, Crawler, Site

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_broken_internal_link(site: Site, audience: str,
                                 crawler: Callable[[Site], Crawler]) -> None:
    crawl = crawler(site)
    editions = [v["version"] for v in site.versions(audience)] + ["latest"]
    problems: list[str] = []
    counts = {}
    for edition in editions:
        pages = crawl.edition(audience, edition)
        counts[edition] = len(pages)
        for page in pages:
            problems += crawl.broken_links(page)
    # Each edition has at least its home, the indexes and a page per commitment.
    for edition in site.editions(audience):
        assert counts[edition.id] >= 4 + len(edition.commitments), (edition.id, counts)
    assert counts["latest"] == counts[editions[0]]
    assert not problems, f"{len(problems)} broken link(s):\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_generated_page_is_reachable(site: Site, audience: str,
                                           crawler: Callable[[Site], Crawler]) -> None:
    """Every commitment and improvement of the newest edition has a page that is linked to."""
    edition = site.latest(audience)
    urls = {page.url for page in crawler(site).edition(audience, "latest")}
    expected = ({site.page(audience, f"commitments/{c.id}/") for c in edition.commitments}
                | {site.page(audience, f"improvements/{i.id}/") for i in edition.improvements})
    assert sorted(expected - urls) == []
