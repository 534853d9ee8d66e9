"""The results chart of a commitment shows all of its labels, at 12 CSS px or more whatever
the width of the screen: none is cut off by the edge of the drawing (the SVG's viewBox clips
whatever lies outside it), and the drawing shown (wide, or narrow for phones) fits the page."""

from __future__ import annotations

from typing import Any

import pytest

from generator.model import Commitment
from tests.browser.support import DESKTOP, Site, open_page

pytestmark = pytest.mark.browser

OUTSIDE = """svg => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll("text")].map(t => {
    const b = t.getBBox();
    return {text: t.textContent, left: b.x, right: b.x + b.width};
  }).filter(t => t.left < box.x - 0.5 || t.right > box.x + box.width + 0.5)
    .map(t => `${JSON.stringify(t.text)} spans ${t.left.toFixed(1)} to ${t.right.toFixed(1)}, `
              + `outside 0 to ${box.width}`);
}"""


def _charted(site: Site) -> dict[str, Commitment]:
    """One commitment per unit of measure (labels are as long as the unit makes them)."""
    by_unit: dict[str, Commitment] = {}
    for c in site.latest("public").commitments:
        if c.metric is not None:  # a promise in words has no chart
            by_unit.setdefault(c.metric.unit, c)
    return by_unit


# The drawing shown, and the size its labels render at: their font size, in the drawing's
# units, times the drawing's scale on the screen.
SHOWN = """() => {
  const shown = [...document.querySelectorAll("article svg.kept-chart")]
    .filter(svg => svg.getClientRects().length > 0);
  return shown.map(svg => {
    const scale = svg.getScreenCTM().a;
    const box = svg.getBoundingClientRect();
    return {kind: svg.getAttribute("class"), width: box.width,
            right: box.right, page: document.documentElement.clientWidth,
            smallest: Math.min(...[...svg.querySelectorAll("text")].map(
              t => parseFloat(getComputedStyle(t).fontSize) * scale))};
  });
}"""


@pytest.mark.parametrize("width", [320, 390, 768, 1280])
def test_chart_labels_are_12px_or_larger_at_any_width(site: Site, browsing: Any, width: int) -> None:
    page = browsing.new_page(viewport={"width": width, "height": 900}, is_mobile=width < 768)
    problems, kinds = [], set()
    for unit, commitment in sorted(_charted(site).items()):
        open_page(page, site.page("public", f"commitments/{commitment.id}/"))
        shown = page.evaluate(SHOWN)
        assert len(shown) == 1, f"{commitment.id}: {len(shown)} drawings shown"
        chart = shown[0]
        kinds.add(chart["kind"])
        if chart["smallest"] < 12 - 0.01:
            problems.append(f"{commitment.id} ({unit}): {chart['kind']} {chart['width']:.0f} px "
                            f"wide, labels {chart['smallest']:.1f} px")
        if chart["right"] > chart["page"] + 1:
            problems.append(f"{commitment.id}: the chart ends at {chart['right']:.0f} px, past "
                            f"the screen ({chart['page']} px)")
    assert not problems, "\n".join(problems)
    assert kinds == {"kept-chart kept-chart--narrow" if width < 768 else "kept-chart kept-chart--wide"}


@pytest.mark.parametrize("width", [320, DESKTOP["width"]])
def test_chart_labels_fit_inside_the_chart(site: Site, browsing: Any, width: int) -> None:
    """Each drawing where it is shown: the narrow one on a phone, the wide one on a desktop."""
    page = browsing.new_page(viewport={"width": width, "height": 900})
    by_unit = _charted(site)
    problems, checked = [], []
    for unit, commitment in sorted(by_unit.items()):
        open_page(page, site.page("public", f"commitments/{commitment.id}/"))
        svg = page.locator("article svg.kept-chart >> visible=true")
        if svg.count() == 0:
            continue
        checked.append(unit)
        problems += [f"{commitment.id} ({unit}): {p}" for p in svg.evaluate(OUTSIDE)]
    # Every commitment of the newest edition has results, so a chart: a page without one
    # (a changed selector, say) would make this test pass without checking anything.
    assert checked == sorted(by_unit) and len(checked) >= 2
    assert not problems, "chart labels cut off:\n" + "\n".join(problems)
