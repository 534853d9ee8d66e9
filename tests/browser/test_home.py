"""The public home lists every public commitment of the newest edition with its status."""

from __future__ import annotations

from typing import Any

import pytest

from generator.compute import Status
from tests.browser.support import Site, open_page

pytestmark = pytest.mark.browser


def _rows(page: Any) -> dict[str, dict[str, str]]:
    """The home's results tables: commitment path -> {title, status}."""
    return page.evaluate("""() => {
      const rows = {};
      for (const tr of document.querySelectorAll("article table tbody tr")) {
        const link = tr.querySelector("td:first-child a");
        if (!link) continue;
        const path = new URL(link.href).pathname;
        rows[path] = {title: link.textContent.trim(),
                      status: tr.querySelector(".kept-status")?.textContent.trim() ?? ""};
      }
      return rows;
    }""")


def test_public_home_lists_every_public_commitment_with_its_status(site: Site, page: Any) -> None:
    edition = site.latest("public")
    statuses = site.statuses(edition)
    open_page(page, site.page("public"))
    rows = _rows(page)
    base = site.page("public").removeprefix(site.url.rstrip("/"))
    expected = {}
    for c in edition.commitments:
        if statuses[c.id] not in (Status.RETIRED, Status.NOT_YET):  # listed apart, below
            expected[f"{base}commitments/{c.id}/"] = {"title": c.title,
                                                       "status": statuses[c.id].value}
    shown = {path: {"title": row["title"], "status": row["status"].split(" ", 1)[-1]}
             for path, row in rows.items()}
    assert shown == expected
    # Status words come with a symbol, so that the status is not told by colour alone.
    assert all(row["status"][0] in "✓✗–·⏹" for row in rows.values())
    # Retired and coming promises are listed apart, still linked; internal commitments never
    # appear.
    apart = [c for c in edition.commitments if statuses[c.id] in (Status.RETIRED, Status.NOT_YET)]
    for c in apart:
        link = page.locator(f'article a[href$="commitments/{c.id}/"]')
        assert link.count() >= 1 and c.title in link.first.inner_text()
    public_ids = {c.id for c in edition.commitments}
    hidden = [c for c in site.dataset.commitments if c.id not in public_ids
              and c.visibility.value == "internal"]
    text = page.locator("article").inner_text()
    for c in hidden:
        assert c.title not in text
        assert page.locator(f'a[href*="commitments/{c.id}/"]').count() == 0


def test_internal_home_marks_internal_commitments(example_site: Site, page: Any) -> None:
    site = example_site
    edition = site.latest("internal")
    statuses = site.statuses(edition)
    open_page(page, site.page("internal"))
    rows = _rows(page)
    assert edition.title in page.locator(".md-version__current").inner_text()
    shown = {path.rsplit("/", 2)[-2]: row["status"].split(" ", 1)[-1] for path, row in rows.items()}
    assert shown == {c.id: statuses[c.id].value for c in edition.commitments
                     if statuses[c.id] not in (Status.RETIRED, Status.NOT_YET)}
    internal = [c for c in edition.commitments if c.visibility.value == "internal"]
    assert internal, "the example should have an internal commitment"
    for c in internal:
        row = page.locator("article table tbody tr", has=page.locator(
            f'a[href$="commitments/{c.id}/"]'))
        assert "(internal)" in row.inner_text()
