"""What the browser tests share: the sites built and served, the browser session watched,
a crawler of built sites and colour arithmetic (the fixtures are in conftest)."""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from generator.build import build_site
from generator.compute import Status, status
from generator.model import Dataset
from generator.project import Edition, editions, project
from generator.synthetic import Size
from generator.validate import load_dataset

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KEPT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "tests" / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SYNTHETIC = Size(commitments=12, locations=3, periods=4, improvements=2)
AUDIENCES = ("public", "internal")


def unavailable(reason: str) -> None:
    """Skip for lack of a browser tool; under CI=true, fail: CI must run the browser tests."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}. CI=true: the browser tests must run in CI, not be skipped.",
                    pytrace=False)
    pytest.skip(reason)


# --- the sites under test ---------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server API
        return


def serve_folder(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve folder on 127.0.0.1 on a free port from a daemon thread; return the server, URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name=f"http {folder}").start()
    return server, f"http://127.0.0.1:{server.server_port}/"


@dataclass
class Site:
    """One data set, built into `out` and served at `url` (`url + "public/"` is the public site)."""

    name: str
    root: Path
    out: Path
    dataset: Dataset
    url: str = ""  # set once served
    servers: list[http.server.ThreadingHTTPServer] = field(default_factory=list)

    @functools.cached_property
    def _editions(self) -> dict[str, list[Edition]]:
        return {a: editions(project(self.dataset, a), a) for a in AUDIENCES}

    def editions(self, audience: str) -> list[Edition]:
        """The audience's editions, newest first, as the generator plans them."""
        return self._editions[audience]

    def latest(self, audience: str) -> Edition:
        return self.editions(audience)[0]

    def versions(self, audience: str) -> list[dict[str, Any]]:
        return json.loads((self.out / audience / "versions.json").read_text(encoding="utf-8"))

    def base(self, audience: str) -> str:
        return f"{self.url}{audience}/"

    def page(self, audience: str, path: str = "", edition: str = "latest") -> str:
        """The URL of a page of an edition: page("public", "commitments/x/")."""
        return f"{self.base(audience)}{edition}/{path}"

    def file(self, audience: str, path: str, edition: str = "latest") -> Path:
        return self.out / audience / edition / path

    @property
    def org_url(self) -> str | None:
        url = self.dataset.organization.url
        return url.rstrip("/") + "/" if url else None

    def localize(self, url: str) -> str:
        """A URL on the organisation's public address (canonical links, feeds) as served here."""
        if self.org_url and url.startswith(self.org_url):
            return self.base("public") + url[len(self.org_url):]
        return url

    def is_local(self, url: str) -> bool:
        return url.startswith(self.url)

    def statuses(self, edition: Edition) -> dict[str, Status]:
        return {c.id: status(c, edition.period) for c in edition.commitments}

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _build(name: str, root: Path, out: Path) -> Site:
    build_site(root, out, jobs=2)
    dataset, _ = load_dataset(root)
    return Site(name, root, out, dataset)


# --- the browser ------------------------------------------------------------------------------


@functools.cache
def missing_tools() -> str | None:
    """Why the browser cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("Playwright for Python is not installed "
                "(.venv/bin/pip install -r requirements-dev.txt)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"Chromium is not installed at {CHROMIUM} "
                "(apt-get install -y chromium; or set KEPT_CHROMIUM)")
    return None


@dataclass
class Watch:
    """What a browser context did: console errors, page errors, failed requests, and every
    request that tried to leave 127.0.0.1 (blocked)."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        context.route(lambda url: not _local_or_inline(url), self._block)
        context.on("page", self._page)
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)

    def _block(self, route: Any) -> None:
        self.external.append(route.request.url)
        route.abort("blockedbyclient")

    def _page(self, page: Any) -> None:
        def console(message: Any) -> None:
            if message.type == "error":
                where = (message.location or {}).get("url")
                self.console_errors.append(f"{page.url}: {message.text}"
                                           + (f" ({where})" if where else ""))

        page.on("console", console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def _request_failed(self, request: Any) -> None:
        failure = request.failure or ""
        # A request the browser abandons because the test navigated away is not a failure of
        # the site; blocked external requests are recorded in `external`.
        if "ERR_ABORTED" in failure or "ERR_BLOCKED_BY_CLIENT" in failure:
            return
        self.failed.append(f"{request.url}: {failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status} "
                               f"(requested by {response.frame.url if response.frame else '?'})")

    def problems(self) -> list[str]:
        """Every problem once: a console error that only reports a failed request listed
        below is left out."""
        failed = {x.split(": HTTP ", 1)[0] for x in self.failed}
        console = [x for x in self.console_errors
                   if not ("Failed to load resource" in x and x.endswith(")")
                           and x.rsplit(" (", 1)[-1][:-1] in failed)]
        return ([f"console error: {x}" for x in console]
                + [f"script error: {x}" for x in self.page_errors]
                + [f"failed request: {x}" for x in self.failed]
                + [f"request leaving 127.0.0.1: {x}" for x in self.external])


def _local_or_inline(url: str) -> bool:
    scheme, _, rest = url.partition(":")
    if scheme in ("data", "blob", "about"):
        return True
    host = urllib.parse.urlsplit(url).hostname
    return host == "127.0.0.1"


class Browsing:
    """New pages in fresh contexts, each watched; contexts are closed at the test's end."""

    def __init__(self, browser: Any):
        self.browser = browser
        self.contexts: list[Any] = []
        self.watch = Watch()

    def new_page(self, viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = self.browser.new_context(viewport=viewport or DESKTOP,
                                           service_workers="block", **options)
        context.set_default_timeout(15_000)
        self.watch.attach(context)
        self.contexts.append(context)
        return context.new_page()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def open_page(page: Any, url: str) -> Any:
    """Go to a page of a built site and wait until Material's scripts have set it up (the
    version selector appears once versions.json has been read)."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_selector(".md-version__current", state="attached")
    return response


# --- crawling built sites over HTTP (no browser) ----------------------------------------------


class _Parse(html.parser.HTMLParser):
    URL_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                 ("iframe", "src"), ("source", "src"), ("form", "action")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url as written)
        self.classes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name == "class":
                self.classes.update(value.split())
            elif (tag, name) in self.URL_ATTRS:
                self.links.append((tag, value))


@dataclass
class Crawled:
    """One HTML page of a crawl."""

    url: str
    ids: set[str]
    links: list[tuple[str, str]]
    classes: set[str]


def _get(url: str, method: str = "GET") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


class Crawler:
    """Fetches every page of an edition by following links, and checks every link it sees.

    Links to the organisation's public address (canonical links, feed entries) are checked
    where they are served here. Results are cached."""

    def __init__(self, site: Site):
        self.site = site
        self.pages: dict[str, Crawled | None] = {}  # URL -> parsed page (None: not HTML)
        self.status: dict[str, int] = {}

    def fetch(self, url: str, html_wanted: bool) -> int:
        if url in self.status and (not html_wanted or url in self.pages):
            return self.status[url]
        code, kind, body = _get(url, "GET" if html_wanted else "HEAD")
        self.status[url] = code
        if html_wanted:
            if code == 200 and kind.startswith("text/html"):
                parser = _Parse()
                parser.feed(body.decode("utf-8"))
                self.pages[url] = Crawled(url, parser.ids, parser.links, parser.classes)
            else:
                self.pages[url] = None
        return code

    def edition(self, audience: str, edition: str, limit: int = 2000) -> list[Crawled]:
        """Every page reachable from the edition's home without leaving the edition."""
        prefix = self.site.page(audience, "", edition)
        queue, seen, found = deque([prefix]), {prefix}, []
        while queue:
            url = queue.popleft()
            self.fetch(url, html_wanted=True)
            crawled = self.pages.get(url)
            if crawled is None:
                continue
            found.append(crawled)
            assert len(found) <= limit, f"more than {limit} pages under {prefix}"
            for tag, raw in crawled.links:
                target = self.resolve(url, raw)
                if (tag == "a" and target and target.startswith(prefix) and target not in seen
                        and _looks_like_page(target)):
                    seen.add(target)
                    queue.append(target)
        return found

    def resolve(self, page_url: str, raw: str) -> str | None:
        """The local URL a link leads to, without its fragment; None when it leaves the site."""
        url = self.site.localize(urllib.parse.urljoin(page_url, raw.strip()))
        url = urllib.parse.urldefrag(url)[0]
        return url if self.site.is_local(url) else None

    def broken_links(self, page: Crawled) -> list[str]:
        problems = []
        for tag, raw in page.links:
            target = self.resolve(page.url, raw)
            if target is None:
                continue
            fragment = urllib.parse.urldefrag(urllib.parse.urljoin(page.url, raw))[1]
            want_html = tag == "a" and bool(fragment)
            code = self.fetch(target, html_wanted=want_html)
            if code != 200:
                problems.append(f"{page.url}: <{tag}> {raw!r} -> {target}: HTTP {code}")
            elif want_html:
                parsed = self.pages.get(target)
                anchor = urllib.parse.unquote(fragment)
                if parsed is not None and anchor not in parsed.ids:
                    problems.append(f"{page.url}: <{tag}> {raw!r}: no id {anchor!r} in {target}")
        return problems


def _looks_like_page(url: str) -> bool:
    path = urllib.parse.urlsplit(url).path
    return path.endswith("/") or path.endswith(".html")


# --- colours ----------------------------------------------------------------------------------

_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_colour(text: str) -> tuple[float, float, float, float]:
    """A computed CSS colour ('rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)') as (r, g, b, alpha)."""
    match = _RGB.fullmatch(text.strip())
    assert match, f"cannot read the colour {text!r}"
    r, g, b, a = match.groups()
    alpha = 1.0 if a is None else float(a[:-1]) / 100 if a.endswith("%") else float(a)
    return float(r), float(g), float(b), alpha


def over(colour: tuple[float, float, float, float],
         background: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b, a = colour
    return tuple(a * c + (1 - a) * bg for c, bg in zip((r, g, b), background, strict=True))  # type: ignore[return-value]


def contrast(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two opaque sRGB colours (0-255 channels)."""
    def luminance(rgb: tuple[float, float, float]) -> float:
        def channel(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)
