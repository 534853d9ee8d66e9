"""Browser tests: Playwright for Python driving Debian's Chromium against built Kept sites.

Two data sets are built once (fixtures of package scope: built before the browser starts, and
everything stopped when the browser tests end) into temporary folders and served over HTTP on
127.0.0.1, each by an `http.server` thread: the repository's own example (`commitments.yml`,
`results/`) and a small synthetic organisation (`generator.synthetic`). Tests get a `Site` per
data set, which knows the data (validated and projected, as the generator sees it) and the URLs.

Chromium is Debian's (`apt-get install chromium`), never Playwright's download. Without it, or
without Playwright, browser tests are skipped with the reason; under CI=true they fail instead,
since CI must run them. axe-core comes from npm (`npm ci`, see package.json).

Every browser context blocks requests that leave 127.0.0.1 (and records them), so no test
depends on, or talks to, the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from generator.synthetic import generate
from tests.browser.support import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    SYNTHETIC,
    Browsing,
    Crawler,
    Site,
    _build,
    missing_tools,
    serve_folder,
    unavailable,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: browser tests (tests/browser): Playwright with Debian's Chromium")


@pytest.fixture(scope="package")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    """Both data sets, built (before any server or browser thread starts: builds fork workers)
    and then served."""
    base = tmp_path_factory.mktemp("browser-sites")
    data = generate(base / "synthetic-data", SYNTHETIC)
    built = {"example": _build("example", REPO, base / "example-site"),
             "synthetic": _build("synthetic", data, base / "synthetic-site"),
             # a housing association's standards, by quarters of years from April
             "fiscal": _build("fiscal", REPO / "docs" / "examples" / "housing",
                              base / "fiscal-site")}
    for site in built.values():
        server, site.url = serve_folder(site.out)
        site.servers.append(server)
    yield built
    for site in built.values():
        site.stop()


@pytest.fixture(scope="package")
def example_site(sites: dict[str, Site]) -> Site:
    return sites["example"]


@pytest.fixture(scope="package")
def synthetic_site(sites: dict[str, Site]) -> Site:
    return sites["synthetic"]


@pytest.fixture(scope="package", params=["example", "synthetic", "fiscal"])
def site(request: pytest.FixtureRequest, sites: dict[str, Site]) -> Site:
    """Each data set in turn."""
    return sites[request.param]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or under CI, fail) a test that needs the browser before its fixtures build
    anything."""
    if "browser" in getattr(item, "fixturenames", ()) and (reason := missing_tools()):
        unavailable(reason)


@pytest.fixture(scope="package")
def browser_tools() -> str:
    if reason := missing_tools():
        unavailable(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="package")
def browser(browser_tools: str, sites: dict[str, Site]) -> Iterator[Any]:
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=browser_tools,
                                                  args=CHROMIUM_ARGS)
        except Error as exc:
            unavailable(f"Chromium at {browser_tools} does not start: {exc}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"axe-core is not installed ({AXE.relative_to(REPO)} is missing: run npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def browsing(browser: Any) -> Iterator[Browsing]:
    session = Browsing(browser)
    yield session
    session.close()


@pytest.fixture
def page(browsing: Browsing) -> Any:
    """A desktop-sized page (1280x900) in a fresh, watched context."""
    return browsing.new_page()


@pytest.fixture(scope="package")
def crawler(sites: dict[str, Site]) -> Callable[[Site], Crawler]:
    """One crawler per site, shared by the browser tests."""
    crawlers: dict[str, Crawler] = {}

    def get(site: Site) -> Crawler:
        if site.name not in crawlers:
            crawlers[site.name] = Crawler(site)
        return crawlers[site.name]

    return get
