"""`kept serve` rebuilds on change and survives bad YAML."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.errors import DataError, Problem
from generator.serve import serve


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")
    except OSError:
        return 0, ""


def wait_for(url: str, needle: str, seconds: float = 60) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    status, body = 0, ""
    while time.monotonic() < deadline:
        status, body = fetch(url)
        if needle in body:
            return status, body
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} never appeared at {url} (last status {status})")


@pytest.mark.slow
def test_serve_rebuilds_and_shows_errors(project: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--root", str(project),
         "--dev-addr", f"127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/latest/commitments/email-reply/"
    try:
        status, body = wait_for(url, "3.5 hours")
        assert status == 200 and "/__kept/build" in body  # the page reloads itself
        results = project / "results" / "2025-Q4.yml"
        results.write_text(results.read_text().replace("value: 3.5", "value: 3.25"))
        wait_for(url, "3.25 hours")
        results.write_text(results.read_text().replace("value: 3.25", "value: [oops"))
        status, body = wait_for(url, "is not closed")
        # The last good build, with the problems on top.
        assert status == 200 and "results/2025-Q4.yml:" in body and "3.25 hours" in body
        results.write_text(results.read_text().replace("value: [oops", "value: 3.0"))
        status, _ = wait_for(url, "3 hours")
        assert status == 200
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "Traceback" not in stderr


def test_serve_survives_any_failed_rebuild(project: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """An exception inside a build (a plugin of the user's, say) stopped the preview; now it
    is shown, and the last good build goes on being served until the next good one."""
    outcomes: list[object] = ["first", RuntimeError("a plugin exploded"),
                              DataError([Problem("commitments.yml", 3, 4, "bad <data>")]), "second"]

    def build(out: Path) -> None:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        page = out / "internal" / "latest" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<html><body class='x'><p>{outcome} build</p></body></html>")

    port = free_port()
    url = f"http://127.0.0.1:{port}/latest/"
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(project, build, "internal", f"127.0.0.1:{port}", stop))
    thread.start()
    data = project / "commitments.yml"
    try:
        assert wait_for(url, "first build") == (200, "<html><body class='x'><p>first build</p></body></html>")
        data.write_text(data.read_text() + "\n")
        status, body = wait_for(url, "a plugin exploded")
        assert status == 200 and "kept serve: the build failed: RuntimeError: a plugin exploded" in body
        assert body.startswith("<html><body class='x'><div role=\"alert\"")
        assert body.endswith("</div><p>first build</p></body></html>")
        data.write_text(data.read_text() + "\n")
        status, body = wait_for(url, "bad &lt;data&gt;")
        assert status == 200 and "commitments.yml:3:4: error: bad &lt;data&gt;" in body
        assert "first build" in body
        data.write_text(data.read_text() + "\n")
        assert wait_for(url, "second build") == (200, "<html><body class='x'><p>second build</p></body></html>")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive() and outcomes == []
    stderr = capsys.readouterr().err
    assert "kept serve: the build failed: RuntimeError: a plugin exploded\n" in stderr
    assert "commitments.yml:3:4: error: bad <data>\n" in stderr
