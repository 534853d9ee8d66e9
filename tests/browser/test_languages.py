"""A site in two languages (the example: English and Welsh): the same page in each, and the
language selector that goes from one to the other without losing the page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.validate import load_languages
from tests.browser.support import Site, open_page

pytestmark = pytest.mark.browser


def _switch(page: Any, lang: str) -> None:
    """Choose a language in Material's language selector (shown on hover)."""
    page.locator(".md-header__option .md-select").hover()
    page.locator(f'.md-select__link[hreflang="{lang}"]').click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_language_selector_keeps_the_page(example_site: Site, audience: str, page: Any) -> None:
    """From a commitment's page in English, choosing Cymraeg opens the same commitment's page
    in Welsh, in the same edition; choosing English again comes back to it."""
    datasets, _ = load_languages(example_site.root)
    assert list(datasets) == ["en", "cy"]
    edition = example_site.latest(audience)
    commitment = edition.commitments[0]
    english = example_site.page(audience, f"commitments/{commitment.id}/", edition.id)
    open_page(page, english)
    assert page.locator("html").get_attribute("lang") == "en"
    _switch(page, "cy")
    welsh = f"{example_site.base(audience)}cy/{edition.id}/commitments/{commitment.id}/"
    page.wait_for_url(re.compile(re.escape(welsh) + "$"))
    assert page.locator("html").get_attribute("lang") == "cy"
    shown = page.locator("article h1").first.inner_text().strip().rstrip("¶")
    welsh_title = next(c.title for c in datasets["cy"].commitments if c.id == commitment.id)
    assert shown == welsh_title.split(" (")[0] or shown.startswith(welsh_title[:20])
    page.wait_for_selector(".md-version__current", state="attached")
    assert page.locator(".md-version__current").inner_text().strip() == edition.title \
        or edition.period.draft
    _switch(page, "en")
    page.wait_for_url(re.compile(re.escape(english) + "$"))
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_same_page_in_two_languages(example_site: Site, page: Any) -> None:
    """The home of the latest edition in English and in Welsh: each declares its language,
    and Kept's words differ while the figures are the same page's."""
    open_page(page, example_site.page("public"))
    english = page.locator("article").inner_text()
    open_page(page, f"{example_site.base('public')}cy/latest/")
    assert page.locator("html").get_attribute("lang") == "cy"
    welsh = page.locator("article").inner_text()
    assert welsh != english
    assert "Our promises" not in welsh
    # every language of the selector is a page that answers
    links = page.locator(".md-select__link[hreflang]").element_handles()
    assert len(links) == 2
    for link in links:
        href = page.evaluate("l => l.href", link)
        response = page.request.get(href)
        assert response.ok, href
