"""Material's version selector lists the editions and keeps the reader on the same page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.compute import as_of
from tests.browser.support import Site, open_page

pytestmark = pytest.mark.browser


def test_selector_lists_the_editions_of_versions_json(site: Site, page: Any) -> None:
    for audience in ("public", "internal"):
        versions = site.versions(audience)
        assert [v["version"] for v in versions] == [e.id for e in site.editions(audience)]
        open_page(page, site.page(audience))
        assert page.locator(".md-version__current").inner_text().strip() == versions[0]["title"]
        links = page.locator(".md-version__list .md-version__link")
        assert [t.strip() for t in links.all_inner_texts()] == [v["title"] for v in versions]
        hrefs = [page.evaluate("a => new URL(a.href).pathname", h) for h in links.element_handles()]
        base = site.base(audience).removeprefix(site.url.rstrip("/"))
        assert hrefs == [f"{base}{v['version']}/" for v in versions]


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_switching_edition_keeps_the_commitment_page(site: Site, audience: str,
                                                     page: Any) -> None:
    """From a commitment page of the newest edition, choosing the oldest edition in the
    selector opens the same commitment's page in that edition (not that edition's home)."""
    editions = site.editions(audience)
    newest, oldest = editions[0], editions[-1]
    commitment = next(c for c in newest.commitments
                      if any(o.id == c.id for o in oldest.commitments))
    open_page(page, site.page(audience, f"commitments/{commitment.id}/"))
    page.locator(".md-version").hover()
    page.locator(".md-version__link", has_text=re.compile(f"^{re.escape(oldest.title)}$")).click()
    page.wait_for_url(re.compile(re.escape(site.page(audience, "", oldest.id)) + ".*"))
    page.wait_for_load_state("load")
    expected = site.page(audience, f"commitments/{commitment.id}/", oldest.id)
    assert page.url == expected, (
        f"switching to {oldest.id} from {commitment.id}'s page landed on {page.url}")
    page.wait_for_selector(".md-version__current")
    assert page.locator(".md-version__current").inner_text().strip() == oldest.title
    then = as_of(commitment, oldest.period.end)
    assert page.locator("article h1").first.inner_text().strip().rstrip("¶") == then.title
