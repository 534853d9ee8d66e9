"""On a phone (390x844), pages fit the screen: no horizontal scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PHONE, Site, open_page

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
