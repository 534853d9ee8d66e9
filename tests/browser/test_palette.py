"""The commitment chart stays legible in the dark palette (and the light one), in its wide
drawing and in the narrow one phones show: its lines and markers have at least 3:1 contrast
with the page (WCAG 1.4.11), its labels 4.5:1."""

from __future__ import annotations

from typing import Any

import pytest

from generator.compute import Status, history
from tests.browser.support import DESKTOP, PHONE, Site, contrast, open_page, over, parse_colour

pytestmark = pytest.mark.browser

# Chart parts: CSS selector inside svg.kept-chart, property, minimum contrast.
PARTS = [
    (".kept-line", "stroke", 3.0),
    ("circle.kept-met", "stroke", 3.0),
    ("circle.kept-met", "fill", 3.0),
    ("polygon.kept-missed", "stroke", 3.0),
    ("path.kept-target", "stroke", 3.0),
    ("text.kept-axis", "fill", 4.5),
]

COLOURS = """svg => {
  let node = svg, background = "rgba(0, 0, 0, 0)";
  while (node && node.nodeType === 1) {
    const colour = getComputedStyle(node).backgroundColor;
    if (!/rgba\\(.*,\\s*0\\)$/.test(colour) && colour !== "transparent") { background = colour; break; }
    node = node.parentElement;
  }
  const parts = {};
  for (const [selector, property] of PARTS) {
    const element = svg.querySelector(selector);
    parts[selector + " " + property] = element ? getComputedStyle(element)[property] : null;
  }
  return {background, parts, scheme: document.body.dataset.mdColorScheme};
}"""


def _commitment_with_met_and_missed(site: Site) -> str:
    edition = site.latest("public")
    for c in edition.commitments:
        states = {r.status for r in history(c, edition.periods)}
        if {Status.MET, Status.MISSED} <= states:
            return c.id
    return edition.commitments[0].id


def _check_chart(page: Any, scheme: str | None) -> None:
    svg = page.locator("article svg.kept-chart >> visible=true")
    assert svg.count() == 1
    pairs = [[sel, prop] for sel, prop, _ in PARTS]
    found = svg.evaluate(COLOURS.replace("PARTS", str(pairs)))
    assert found["scheme"] == scheme or (scheme == "default" and found["scheme"] is None)
    background = parse_colour(found["background"])
    assert background[3] == 1.0, found["background"]
    weak = []
    for selector, prop, minimum in PARTS:
        value = found["parts"][f"{selector} {prop}"]
        assert value not in (None, "none"), f"{selector} has no {prop}"
        ratio = contrast(over(parse_colour(value), background[:3]), background[:3])
        if ratio < minimum:
            weak.append(f"{selector} {prop} {value}: {ratio:.2f}:1 < {minimum}:1 "
                        f"on {found['background']}")
    assert not weak, f"{scheme} palette: " + "; ".join(weak)


SCREENS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("how", ["prefers-color-scheme", "toggle"])
def test_chart_is_legible_in_the_dark_palette(example_site: Site, how: str, screen: str,
                                              browsing: Any) -> None:
    """The example's mkdocs.yml offers the slate palette, by system preference or toggle (the
    synthetic site's mkdocs.yml has no palette, so it has no dark mode)."""
    site = example_site
    cid = _commitment_with_met_and_missed(site)
    url = site.page("public", f"commitments/{cid}/")
    if how == "prefers-color-scheme":
        page = browsing.new_page(SCREENS[screen], color_scheme="dark")
        open_page(page, url)
    else:
        page = browsing.new_page(SCREENS[screen], color_scheme="light")
        open_page(page, url)
        assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
        page.locator('label[title="Switch to dark mode"]').click()
        page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        open_page(page, url)  # the choice is remembered on the next page
    _check_chart(page, "slate")


@pytest.mark.parametrize("screen", list(SCREENS))
def test_chart_is_legible_in_the_light_palette(site: Site, browsing: Any, screen: str) -> None:
    """The default palette: the example's light scheme, and Material's default (no palette)."""
    page = browsing.new_page(SCREENS[screen], color_scheme="light")
    open_page(page, site.page("public", f"commitments/{_commitment_with_met_and_missed(site)}/"))
    _check_chart(page, "default")
