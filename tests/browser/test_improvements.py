"""An improvement's permalink opens its own page, with "You said" and "We did"."""

from __future__ import annotations

from typing import Any

import pytest

from generator.words import plain
from tests.browser.support import Site, open_page

pytestmark = pytest.mark.browser


def _start(text: str, words: int = 6) -> str:
    return " ".join(plain(text, 10_000).split()[:words])


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_improvement_permalinks_show_you_said_and_we_did(site: Site, audience: str,
                                                         page: Any) -> None:
    editions = site.editions(audience)
    newest = editions[0]
    # The newest improvement, and the oldest one, which must still open in the newest edition
    # and in the edition of its own period.
    first, last = newest.improvements[0], newest.improvements[-1]
    own = next(e for e in reversed(editions) if last in e.improvements)
    for improvement, edition in ((first, "latest"), (last, "latest"), (last, own.id)):
        url = site.page(audience, f"improvements/{improvement.id}/", edition)
        open_page(page, url)
        article = page.locator("article")
        assert article.locator("h1").first.inner_text().rstrip("¶").strip() == improvement.title
        headings = [h.rstrip("¶").strip() for h in article.locator("h2").all_inner_texts()]
        assert "You said" in headings and "We did" in headings, (url, headings)
        text = " ".join(article.inner_text().split())
        assert _start(improvement.you_said) in text, url
        assert _start(improvement.we_did) in text, url
        assert text.index("You said") < text.index(_start(improvement.you_said)) \
            < text.index("We did") < text.index(_start(improvement.we_did))


def test_changelog_links_each_entry_to_its_permalink(site: Site, page: Any) -> None:
    edition = site.latest("public")
    open_page(page, site.page("public", "improvements/"))
    for improvement in edition.improvements:
        entry = page.locator(f'article [id="{improvement.id}"]')
        assert entry.count() == 1, improvement.id
        link = page.locator(f'article a[href$="{improvement.id}/"]', has_text="Permalink")
        assert link.count() == 1, improvement.id
    # Following one permalink lands on the improvement's page.
    improvement = edition.improvements[-1]
    page.locator(f'article a[href$="{improvement.id}/"]', has_text="Permalink").click()
    page.wait_for_url(site.page("public", f"improvements/{improvement.id}/"))
    assert page.get_by_role("heading", name="You said").count() == 1
