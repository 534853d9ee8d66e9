"""The Atom feed of improvements is discoverable from the home and parses as Atom."""

from __future__ import annotations

import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from generator.static import FEED_PERIODS
from tests.browser.support import Site, open_page

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_home_advertises_an_atom_feed_of_improvements(site: Site, audience: str,
                                                      page: Any) -> None:
    edition = site.latest(audience)
    open_page(page, site.page(audience))
    links = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert links.count() >= 1
    href = links.first.evaluate("link => link.href")  # resolved against the page
    assert href == site.page(audience, "feed.xml")
    response = page.request.get(href)
    assert response.ok
    assert "xml" in response.headers.get("content-type", "")
    root = ET.fromstring(response.body())
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{child}") or "").strip(), child
    every = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") or "" for e in every]
    assert len(set(ids)) == len(ids)
    entries = [e for e, i in zip(every, ids, strict=True) if ":improvement:" in i]
    # the improvements of the edition's last periods (a feed reader wants what is new)
    recent = {p.id for p in edition.periods[-FEED_PERIODS:]}
    improvements = [i for i in edition.improvements if i.period in recent]
    assert improvements and [e.findtext(f"{ATOM}title") for e in entries] == [i.title for i in improvements]
    # Each entry links to the improvement's permalink, which exists.
    for entry, improvement in zip(entries, improvements, strict=True):
        link = entry.find(f"{ATOM}link")
        assert link is not None
        target = site.localize(urllib.parse.urljoin(href, link.get("href", "")))
        assert target.endswith(f"/improvements/{improvement.id}/"), target
        assert site.is_local(target), target
        with urllib.request.urlopen(target, timeout=10) as answer:
            assert answer.status == 200
    # The corrections are announced too, each linking to the report that lists it.
    fixes = [e for e, i in zip(every, ids, strict=True) if ":correction:" in i]
    # those made in the edition's last periods
    since = edition.periods[-FEED_PERIODS].start if len(edition.periods) > FEED_PERIODS else None
    assert len(fixes) == sum(1 for p in edition.periods for c in p.corrections
                             if since is None or c.date >= since)
    for entry in fixes:
        assert (entry.findtext(f"{ATOM}title") or "").startswith("Correction to the report for ")
        link = entry.find(f"{ATOM}link")
        assert link is not None
        target = site.localize(urllib.parse.urljoin(href, link.get("href", "")))
        assert target.endswith("/#corrections") and site.is_local(target), target
        with urllib.request.urlopen(target, timeout=10) as answer:
            assert answer.status == 200


def test_commitment_page_links_its_own_feed(example_site: Site, page: Any) -> None:
    """The edition's feed is announced in the head (Material looks for a sitemap beside every
    announced feed, so only the root one is); the commitment's own feed is a visible link."""
    site = example_site
    commitment = site.latest("public").commitments[0]
    url = site.page("public", f"commitments/{commitment.id}/")
    open_page(page, url)
    hrefs = page.eval_on_selector_all('head link[rel~="alternate"][type="application/atom+xml"]',
                                      "links => links.map(l => l.href)")
    assert hrefs == [site.page("public", "feed.xml")]
    own = url + "feed.xml"
    links = page.eval_on_selector_all("article a", "links => links.map(l => l.href)")
    assert own in links
    root = ET.fromstring(page.request.get(own).body())
    assert root.tag == f"{ATOM}feed" and root.findall(f"{ATOM}entry")
