"""`kept serve` in the browser: an open page follows the data as it is edited, with no manual
reload, and shows the build's problems while the YAML is broken."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import REPO
from tests.helpers import write_project

pytestmark = pytest.mark.browser

FEW_SECONDS = 10_000  # ms: poll 0.5 s + one-edition rebuild + the page's 1 s poll, with room


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_served(url: str, server: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"kept serve exited with {server.returncode}: "
                                 f"{server.communicate()[1]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"kept serve did not serve {url} within {seconds} s")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _shows(page: Any, hours: str) -> None:
    """Wait until the article's visible text gives the figure (across the page's reloads)."""
    from playwright.sync_api import expect  # here: without Playwright the test is skipped

    figure = re.compile(rf"(?<![\d.]){re.escape(hours)} hours")
    expect(page.locator("article")).to_contain_text(figure, use_inner_text=True,
                                                    timeout=FEW_SECONDS)


def _mark(page: Any) -> None:
    """A flag that only survives while the page is not reloaded."""
    page.evaluate("window.__keptNotReloaded = true")


def _reloaded(page: Any) -> bool:
    return page.evaluate("window.__keptNotReloaded !== true")


def test_open_page_follows_edits_and_shows_build_errors(tmp_path: Path, browsing: Any) -> None:
    project = write_project(tmp_path / "data")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--root", str(project),
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    url = f"http://127.0.0.1:{port}/latest/commitments/email-reply/"
    results = project / "results" / "2025-Q4.yml"
    try:
        _wait_until_served(url, server)
        page = browsing.new_page()
        page.goto(url)
        _shows(page, "3.5")
        # 1. A new value: the open page shows it by itself.
        _mark(page)
        started = time.monotonic()
        _edit(results, "value: 3.5", "value: 3.25")
        _shows(page, "3.25")
        took = time.monotonic() - started
        assert _reloaded(page), "the page changed without reloading?"
        assert took < FEW_SECONDS / 1000
        # 2. Broken YAML: the page keeps the last good build, under a banner naming the file
        # and line.
        _mark(page)
        _edit(results, "value: 3.25", "value: [oops")
        banner = page.get_by_role("alert").filter(has_text="The last change could not be built")
        banner.wait_for(timeout=FEW_SECONDS)
        assert _reloaded(page)
        problems = banner.locator("pre").inner_text()
        assert "results/2025-Q4.yml:4:" in problems and "is not closed" in problems, problems
        _shows(page, "3.25")
        # 3. Fixed: back to the page, with the new value.
        _mark(page)
        _edit(results, "value: [oops", "value: 3.0")
        _shows(page, "3")
        assert _reloaded(page)
        assert page.get_by_role("alert").filter(
            has_text="The last change could not be built").count() == 0
        assert not browsing.watch.external
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "Traceback" not in stderr
