"""The results chart of a commitment shows all of its labels: none is cut off by the edge of
the drawing (the SVG's viewBox clips whatever lies outside it)."""

from __future__ import annotations

from typing import Any

import pytest

from generator.model import Commitment
from tests.browser.support import Site, open_page

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


def test_chart_labels_fit_inside_the_chart(site: Site, page: Any) -> None:
    """One commitment per unit of measure (labels are as long as the unit makes them)."""
    edition = site.latest("public")
    by_unit: dict[str, Commitment] = {}
    for c in edition.commitments:
        if c.metric is not None:  # a promise in words has no chart
            by_unit.setdefault(c.metric.unit, c)
    problems, checked = [], []
    for unit, commitment in sorted(by_unit.items()):
        open_page(page, site.page("public", f"commitments/{commitment.id}/"))
        svg = page.locator("article svg.kept-chart").first
        if svg.count() == 0:
            continue
        checked.append(unit)
        problems += [f"{commitment.id} ({unit}): {p}" for p in svg.evaluate(OUTSIDE)]
    # Every commitment of the newest edition has results, so a chart: a page without one
    # (a changed selector, say) would make this test pass without checking anything.
    assert checked == sorted(by_unit) and len(checked) >= 2
    assert not problems, "chart labels cut off:\n" + "\n".join(problems)
