"""`kept serve` rebuilds on change and survives bad YAML."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


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
        status, body = wait_for(url, "YAML syntax error")
        assert status == 500 and "results/2025-Q4.yml:" in body
        results.write_text(results.read_text().replace("value: [oops", "value: 3.0"))
        status, _ = wait_for(url, "3 hours")
        assert status == 200
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "Traceback" not in stderr
