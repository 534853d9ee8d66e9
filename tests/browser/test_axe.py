"""axe-core finds no serious or critical accessibility violation on the main pages.

axe-core comes from npm (package.json, `npm ci`) and is injected into each page. Violations
in Material for MkDocs' own chrome, which Kept's templates and CSS do not produce, are listed
in THEME and left out; everything else, notably anything inside the article, fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import Site, open_page

pytestmark = pytest.mark.browser

# (rule, CSS target reported by axe): issues of Material for MkDocs 9.8's own markup.
THEME = {
    # The search overlay is role="dialog" without a name (Material's partials/search.html).
    ("aria-dialog-name", ".md-search"),
    # The version button's aria-label "Select version" does not contain its visible text.
    ("label-content-name-mismatch", ".md-version__current"),
    # Footer "Made with Material for MkDocs": #7f7f7f on #171717 is 4.47:1, just under 4.5.
    ("color-contrast", ".md-copyright"),
}

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .flatMap(v => v.nodes.map(n => ({rule: v.id, impact: v.impact, help: v.help,
                                      target: n.target.join(" "), html: n.html.slice(0, 160),
                                      summary: (n.failureSummary || "").replace(/\\s+/g, " ")})));
}"""


def _pages(site: Site, audience: str) -> dict[str, str]:
    edition = site.latest(audience)
    return {"home": "", "commitment": f"commitments/{edition.commitments[0].id}/",
            "changelog": "improvements/",
            "improvement": f"improvements/{edition.improvements[0].id}/"}


@pytest.mark.parametrize("target", ["example-public", "example-internal", "synthetic-public",
                                    "example-public-dark"])
def test_no_serious_accessibility_violation(target: str, sites: dict[str, Site],
                                            browsing: Any, axe_source: str) -> None:
    name, audience, *dark = target.split("-")
    site = sites[name]
    page = browsing.new_page(color_scheme="dark" if dark else "light")
    found: dict[str, list[str]] = {}  # rule and help -> where
    details: dict[str, str] = {}
    for label, path in _pages(site, audience).items():
        open_page(page, site.page(audience, path))
        page.add_script_tag(content=axe_source)
        for v in page.evaluate(RUN):
            if (v["rule"], v["target"]) in THEME:
                continue
            key = f"{v['rule']} ({v['impact']}): {v['help']}"
            found.setdefault(key, []).append(f"{label} {v['target']} {v['html']}")
            details.setdefault(key, v["summary"])
    report = [f"{key}\n  {details[key]}\n  " + "\n  ".join(where[:8])
              + (f"\n  ... {len(where) - 8} more" if len(where) > 8 else "")
              for key, where in found.items()]
    assert not found, (f"{sum(map(len, found.values()))} serious or critical violation(s) on "
                       f"{target}:\n" + "\n".join(report))
