"""On a phone (320 and 390 CSS px wide) and a tablet (768), pages fit the screen: no
horizontal scrolling, every promise's status within the screen, and the organisation's name
in the header whole."""

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

# Each status of the article, where it is on the screen: inside it, not scrolled out of sight
# in a table, nor cut by one.
STATUSES = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("article .kept-status")].map(status => {
    const box = status.getBoundingClientRect();
    let clipped = false;
    for (let node = status.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX === "visible") continue;
      const edge = node.getBoundingClientRect();
      if (box.left < edge.left - 1 || box.right > edge.right + 1) clipped = true;
    }
    const row = status.closest("tr");
    return {text: status.textContent.trim(), row: row ? row.textContent.trim().slice(0, 40) : "",
            shown: box.width > 0 && box.height > 0, inside: box.left >= 0 && box.right <= width + 1,
            clipped};
  });
}"""

# The organisation's name in the header, as shown: all of it (no ellipsis, no line cut).
HEADER = """() => {
  const name = document.querySelector(".md-header__topic:first-child .md-ellipsis");
  return {text: name.textContent.trim(), scroll: [name.scrollWidth, name.scrollHeight],
          client: [name.clientWidth, name.clientHeight]};
}"""

WIDTHS = {"320": {"width": 320, "height": 640}, "390": PHONE, "768": {"width": 768, "height": 1024}}


def _pages(site: Site, audience: str) -> dict[str, str]:
    edition = site.latest(audience)
    return {"home": "", "commitment": f"commitments/{edition.commitments[0].id}/",
            "report": f"reports/{edition.period.id}/", "commitments": "commitments/",
            "changelog": "improvements/"}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_pages_fit_the_screen(site: Site, audience: str, width: str, browsing: Any) -> None:
    page = browsing.new_page(viewport=WIDTHS[width], is_mobile=width != "768", has_touch=True,
                             device_scale_factor=2)
    problems, statuses = [], 0
    for kind, path in _pages(site, audience).items():
        open_page(page, site.page(audience, path))
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["client"]:
            problems.append(f"{kind}: scrollWidth {found['scroll']} > clientWidth "
                            f"{found['client']}; too wide: {found['wide']}")
        for status in page.evaluate(STATUSES) if kind != "changelog" else []:
            statuses += 1
            if not (status["shown"] and status["inside"]) or status["clipped"]:
                problems.append(f"{kind}: status {status['text']!r} of {status['row']!r} is "
                                "not within the screen")
        header = page.evaluate(HEADER)
        if header["scroll"][0] > header["client"][0] or header["scroll"][1] > header["client"][1]:
            problems.append(f"{kind}: the header cuts {header['text']!r}: {header}")
    # every commitment of the home, the list and the report, and the commitment's periods
    assert statuses >= 3 * len(site.latest(audience).commitments)
    assert not problems, f"{width} px:\n" + "\n".join(problems)


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
