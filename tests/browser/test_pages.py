"""Every page of an edition loads in the browser cleanly: no console error, no script error,
no failed request, and no request leaving 127.0.0.1 (such requests are blocked and recorded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.support import Browsing, Crawler, Site, open_page

pytestmark = pytest.mark.browser

MAX_PAGES = 120  # a bound on the browser's work; the example's editions have 30 to 60 pages


def _load_all(browsing: Browsing, urls: list[str], what: str) -> None:
    assert len(urls) <= MAX_PAGES, f"{len(urls)} pages: raise MAX_PAGES if that is expected"
    page: Any = browsing.new_page()
    for url in urls:
        if url.endswith("/announce.html"):  # an email, not a page of the site: loaded plain
            page.goto(url)
            continue
        open_page(page, url)
    page.wait_for_load_state("networkidle")
    problems = browsing.watch.problems()
    assert not problems, (f"{len(problems)} problem(s) on {len(urls)} pages of {what}:\n"
                          + "\n".join(problems[:40]))


def test_every_page_of_the_newest_public_edition_loads_cleanly(
        example_site: Site, browsing: Browsing, crawler: Callable[[Site], Crawler]) -> None:
    site = example_site
    edition = site.latest("public").id
    urls = [p.url for p in crawler(site).edition("public", edition)]
    _load_all(browsing, urls, f"public/{edition}")


def test_each_kind_of_internal_page_loads_cleanly(
        example_site: Site, browsing: Browsing, crawler: Callable[[Site], Crawler]) -> None:
    """One page of each kind (folder and depth) of the newest internal edition: the internal
    site adds reviews, locations, consistency and team pages to the public kinds."""
    site = example_site
    edition = site.latest("internal").id
    prefix = site.page("internal", "", edition)
    kinds: dict[tuple[str, int], str] = {}
    for crawled in crawler(site).edition("internal", edition):
        parts = crawled.url.removeprefix(prefix).strip("/").split("/")
        kinds.setdefault((parts[0], len(parts)), crawled.url)
    assert len(kinds) >= 8, sorted(kinds)
    _load_all(browsing, sorted(kinds.values()), f"internal/{edition} (one page of each kind)")
