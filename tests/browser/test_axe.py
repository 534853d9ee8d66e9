"""axe-core finds no serious or critical accessibility violation on any kind of page of either
site, the theme's own parts included (Kept names Material's search dialog and version
selector, and darkens its footer note: see generator/engine/theme and kept.css).

axe-core comes from npm (package.json, `npm ci`) and is injected into each page.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.support import Crawler, Site, open_page

pytestmark = pytest.mark.browser

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .flatMap(v => v.nodes.map(n => ({rule: v.id, impact: v.impact, help: v.help,
                                      target: n.target.join(" "), html: n.html.slice(0, 160),
                                      summary: (n.failureSummary || "").replace(/\\s+/g, " ")})));
}"""


def _page_kinds(site: Site, audience: str, crawl: Crawler) -> dict[str, str]:
    """One page of each kind of the newest edition, found by crawling it: the home, the
    index pages, one commitment, one report, one improvement, each hand-written page..."""
    base = site.page(audience)
    kinds: dict[str, str] = {}
    for found in crawl.edition(audience, "latest"):
        path = urllib.parse.urlsplit(found.url).path[len(urllib.parse.urlsplit(base).path):]
        parts = path.strip("/").split("/")
        kind = (parts[0] + "/*" if len(parts) > 1 else parts[0]) or "home"
        kinds.setdefault(kind, path)
    return kinds


@pytest.mark.parametrize("target", ["example-public", "example-internal", "synthetic-public",
                                    "fiscal-public", "example-public-dark", "example-internal-dark"])
def test_no_serious_accessibility_violation(target: str, sites: dict[str, Site], browsing: Any,
                                            axe_source: str,
                                            crawler: Callable[[Site], Crawler]) -> None:
    name, audience, *dark = target.split("-")
    site = sites[name]
    page = browsing.new_page(color_scheme="dark" if dark else "light")
    found: dict[str, list[str]] = {}  # rule and help -> where
    details: dict[str, str] = {}
    kinds = _page_kinds(site, audience, crawler(site))
    assert {"home", "commitments/*", "reports/*", "improvements", "improvements/*"} <= set(kinds)
    for label, path in kinds.items():
        if path.endswith(".html"):  # a page of its own (the announcement), not Material's
            response = page.goto(site.page(audience, path), wait_until="load")
            assert response is not None and response.ok
        else:
            open_page(page, site.page(audience, path))
        page.add_script_tag(content=axe_source)
        for v in page.evaluate(RUN):
            key = f"{v['rule']} ({v['impact']}): {v['help']}"
            found.setdefault(key, []).append(f"{label} {v['target']} {v['html']}")
            details.setdefault(key, v["summary"])
    report = [f"{key}\n  {details[key]}\n  " + "\n  ".join(where[:8])
              + (f"\n  ... {len(where) - 8} more" if len(where) > 8 else "")
              for key, where in found.items()]
    assert not found, (f"{sum(map(len, found.values()))} serious or critical violation(s) on "
                       f"{target} ({', '.join(kinds)}):\n" + "\n".join(report))
