"""Screenshots of the main pages, desktop (1280x900) and phone (390x844), for people to look
at: tests/artifacts/<site>-<audience>-<page>-<viewport>.png (git-ignored; CI may keep them)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, DESKTOP, PHONE, Site, open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_screenshots_of_the_main_pages(example_site: Site, viewport: str,
                                       browsing: Any) -> None:
    site = example_site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if viewport == "phone":
        page = browsing.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    else:
        page = browsing.new_page(viewport=DESKTOP)
    written = []
    for audience in ("public", "internal"):
        edition = site.latest(audience)
        pages = {"home": "", "commitment": f"commitments/{edition.commitments[0].id}/",
                 "changelog": "improvements/",
                 "improvement": f"improvements/{edition.improvements[0].id}/"}
        for name, path in pages.items():
            open_page(page, site.page(audience, path))
            target = ARTIFACTS / f"{site.name}-{audience}-{name}-{viewport}.png"
            page.screenshot(path=str(target), full_page=True, animations="disabled")
            written.append(target)
    for target in written:
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", target
