"""The internal site says it is internal on every page; the public site never does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.support import Crawler, Site, contrast, open_page, over, parse_colour

pytestmark = pytest.mark.browser

BANNER = "kept-internal-banner"


def test_every_internal_page_has_the_banner_and_no_public_page_has_it(
        site: Site, crawler: Callable[[Site], Crawler]) -> None:
    """Over HTTP, every page of every edition of both audiences."""
    crawl = crawler(site)
    missing: list[str] = []
    leaked: list[str] = []
    for audience, wrong in (("internal", missing), ("public", leaked)):
        for version in site.versions(audience):
            for page in crawl.edition(audience, version["version"]):
                if (BANNER in page.classes) != (audience == "internal"):
                    wrong.append(page.url)
    assert not missing, f"internal pages without the banner: {missing[:20]}"
    assert not leaked, f"public pages with the internal banner: {leaked[:20]}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_banner_is_visible_and_legible(example_site: Site, scheme: str, browsing: Any) -> None:
    """In the browser, on each kind of page: shown at the top of the article, readable."""
    site = example_site
    edition = site.latest("internal")
    page = browsing.new_page(color_scheme=scheme)
    paths = ["", f"commitments/{edition.commitments[0].id}/",
             f"improvements/{edition.improvements[0].id}/", "how-we-work/"]
    for path in paths:
        open_page(page, site.page("internal", path))
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.dataset.mdColorScheme") == expected
        banner = page.locator(f"article .{BANNER}")
        assert banner.count() == 1, path
        assert banner.is_visible(), path
        assert "Internal" in banner.inner_text() and "customers" in banner.inner_text()
        colours = banner.evaluate("""b => { const s = getComputedStyle(b);
            return [s.color, s.backgroundColor]; }""")
        fg, bg = (parse_colour(c) for c in colours)
        ratio = contrast(over(fg, bg[:3]), bg[:3])
        assert ratio >= 4.5, f"{path}: banner text contrast {ratio:.2f} ({colours})"
        # The first thing in the article, above the page's title.
        first = page.locator("article > *:not(a.md-content__button)").first
        assert BANNER in (first.get_attribute("class") or ""), path
    open_page(page, site.page("public"))
    assert page.locator(f".{BANNER}").count() == 0
