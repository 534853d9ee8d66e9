"""Material's search box finds a commitment by a word of its promise."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from tests.browser.support import Site, open_page

pytestmark = pytest.mark.browser

_WORD = re.compile(r"[a-z]{5,}")


def _rarest_promise_word(site: Site) -> tuple[str, str]:
    """A commitment of the newest public edition and the word of its promise that the fewest
    documents of the edition's search index contain (ideally only its own page)."""
    index = json.loads(site.file("public", "search/search_index.json").read_text("utf-8"))
    frequency: Counter[str] = Counter()
    for doc in index["docs"]:
        text = re.sub(r"<[^>]+>", " ", f"{doc['title']} {doc['text']}").lower()
        frequency.update(set(_WORD.findall(text)))
    best = None
    for c in site.latest("public").commitments:
        for word in sorted(set(_WORD.findall(c.promise.lower()))):
            if frequency[word] and (best is None or frequency[word] < best[0]):
                best = (frequency[word], c.id, word)
    assert best is not None
    return best[1], best[2]


def test_search_finds_a_commitment_by_a_word_of_its_promise(site: Site, page: Any) -> None:
    cid, word = _rarest_promise_word(site)
    open_page(page, site.page("public"))
    page.locator(".md-search__input").click()
    page.keyboard.type(word, delay=20)
    page.wait_for_selector(".md-search-result__item")
    meta = page.locator(".md-search-result__meta").inner_text()
    assert "matching" in meta, meta
    hrefs = page.eval_on_selector_all(".md-search-result__item > a",
                                      "links => links.map(a => new URL(a.href).pathname)")
    target = site.page("public", f"commitments/{cid}/").removeprefix(site.url.rstrip("/"))
    assert target in hrefs, f"searching {word!r}: {meta}; results {hrefs}"
    # The result opens the commitment's page.
    page.locator(f'.md-search-result__item > a[href*="commitments/{cid}/"]').first.click()
    page.wait_for_url(re.compile(re.escape(site.page("public", f"commitments/{cid}/"))))
    assert page.locator("article svg.kept-chart, article h1").count() >= 1
