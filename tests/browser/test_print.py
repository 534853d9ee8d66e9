"""Printed (print media emulated), an edition's home, report and commitment pages are clean
documents: no header, navigation, search, footer or screen-only links; charts and tables kept
whole; dark text on white in either palette; each link of the text followed by its address.
A report's "Print this report" link prints it. Printed from a phone, results are the full
tables, not the cards the phone shows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import PHONE, Site, contrast, open_page, over, parse_colour

pytestmark = pytest.mark.browser

# The site's chrome: none of it may take room on paper.
CHROME = [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
          ".md-search", ".md-footer", ".md-top", ".md-version", ".headerlink", ".kept-actions"]

PRINTED = """chrome => {
  const shown = selector => [...document.querySelectorAll(selector)]
    .some(element => element.getClientRects().length > 0);
  const links = [...document.querySelectorAll("article a[data-kept-href]")].map(a => ({
    href: a.href, after: getComputedStyle(a, "::after").content}));
  const whole = [...document.querySelectorAll("article table, article svg.kept-chart, article .kept-chart-wrap")]
    .map(element => getComputedStyle(element).breakInside);
  const text = document.querySelector("article p");
  return {chrome: chrome.filter(shown), article: shown("article h1"), links, whole,
          colour: getComputedStyle(text).color, background: getComputedStyle(document.body).backgroundColor};
}"""


def _pages(site: Site) -> dict[str, str]:
    edition = site.latest("public")
    return {"home": "", "report": f"reports/{edition.period.id}/",
            "commitment": f"commitments/{edition.commitments[0].id}/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", ["home", "report", "commitment"])
def test_pages_print_as_documents(example_site: Site, browsing: Any, kind: str, scheme: str) -> None:
    page = browsing.new_page(color_scheme=scheme)
    open_page(page, example_site.page("public", _pages(example_site)[kind]))
    on_screen = page.evaluate(PRINTED, CHROME)
    assert ".md-header" in on_screen["chrome"]  # the check sees chrome where there is some
    page.emulate_media(media="print", color_scheme=scheme)
    printed = page.evaluate(PRINTED, CHROME)
    assert printed["chrome"] == [], f"{kind}: still printed: {printed['chrome']}"
    assert printed["article"]
    assert printed["whole"] and set(printed["whole"]) == {"avoid"}, printed["whole"]
    assert printed["links"], "the text has links whose address is printed"
    for link in printed["links"]:
        assert link["after"] == f'" <{link["href"]}>"', link
    paper = parse_colour(printed["background"])
    assert paper[3] == 0 or paper[:3] == (255, 255, 255), printed["background"]
    ink = over(parse_colour(printed["colour"]), (255, 255, 255))
    assert contrast(ink, (255, 255, 255)) >= 7, f"{scheme}: text {printed['colour']} on paper"


def test_report_has_a_print_link(example_site: Site, browsing: Any) -> None:
    page = browsing.new_page()
    open_page(page, example_site.page("public", _pages(example_site)["report"]))
    page.evaluate("() => { window.print = () => { window.keptPrinted = (window.keptPrinted || 0) + 1; }; }")
    link = page.get_by_role("link", name="Print this report")
    assert link.is_visible()
    url = page.url
    link.click()
    assert page.evaluate("window.keptPrinted") == 1 and page.url == url
    csv = page.get_by_role("link", name="Every result, for spreadsheets")
    assert csv.get_attribute("href") == "../../api/results.csv"



# Each results table of the article: its display, its head's, and whether its head shows.
TABLES = """() => [...document.querySelectorAll("article .kept-cards table")].map(table => [
  getComputedStyle(table).display, getComputedStyle(table.tHead).display,
  table.tHead.getBoundingClientRect().height > 2])"""


@pytest.mark.parametrize("kind", ["home", "report", "commitment"])
def test_results_print_as_tables_from_a_phone(example_site: Site, browsing: Any, kind: str) -> None:
    page = browsing.new_page(viewport=PHONE)
    open_page(page, example_site.page("public", _pages(example_site)[kind]))
    cards = page.evaluate(TABLES)
    assert cards and all(table == ["block", "block", False] for table in cards), cards
    page.emulate_media(media="print")
    printed = page.evaluate(TABLES)
    assert printed == [["table", "table-header-group", True]] * len(cards), printed
