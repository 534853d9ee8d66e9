"""On a phone (390x844), pages fit the screen: no horizontal scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import PHONE, Site, open_page

pytestmark = pytest.mark.browser

OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > root.clientWidth + 1) {
      // report the outermost offenders only
      if (!wide.some(w => w.element.contains(element))) wide.push({element, right: box.right});
    }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth,
          wide: wide.slice(0, 5).map(w => w.element.tagName.toLowerCase()
            + (w.element.className && typeof w.element.className === "string"
               ? "." + w.element.className.trim().split(/\\s+/).join(".") : "")
            + " right=" + Math.round(w.right))};
}"""


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_phone_has_no_horizontal_scrolling(site: Site, audience: str, browsing: Any) -> None:
    edition = site.latest(audience)
    page = browsing.new_page(viewport=PHONE, is_mobile=True, has_touch=True,
                             device_scale_factor=2)
    problems = []
    for path in ("", f"commitments/{edition.commitments[0].id}/", "improvements/"):
        open_page(page, site.page(audience, path))
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["client"]:
            problems.append(f"{path or 'home'}: scrollWidth {found['scroll']} > clientWidth "
                            f"{found['client']}; too wide: {found['wide']}")
    assert not problems, "\n".join(problems)


SECTION_FITS = """selector => [...document.querySelectorAll(selector)].map(e => {
  const box = e.getBoundingClientRect();
  return {visible: box.width > 0 && box.height > 0,
          inside: box.left >= 0 && box.right <= document.documentElement.clientWidth + 1};
})"""


def test_accountability_sections_read_on_a_phone(example_site: Site, browsing: Any) -> None:
    """What guarantees cost, what comes next, a promise's guarantee and its ledger, and the
    team page: each visible and inside the screen at phone width."""
    site = example_site
    page = browsing.new_page(viewport=PHONE, is_mobile=True, has_touch=True,
                             device_scale_factor=2)
    checks = [("", ".kept-paid"), ("", ".kept-plans"),
              ("commitments/bill-correction/", ".kept-guarantee"),
              ("commitments/bill-correction/", "table.kept-ledger"),
              ("commitments/phone-answer/", ".kept-recovery"),
              ("improvements/", ".kept-plans"), ("team/", "article h1")]
    problems = []
    for path, selector in checks:
        open_page(page, site.page("internal", path))
        found = page.evaluate(SECTION_FITS, selector)
        if not found:
            problems.append(f"{path or 'home'}: no {selector}")
        elif not all(f["visible"] and f["inside"] for f in found):
            problems.append(f"{path or 'home'}: {selector} hidden or wider than the screen")
    assert not problems, "\n".join(problems)
