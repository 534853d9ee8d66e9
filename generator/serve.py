"""`kept serve`: build the newest edition, serve it on localhost, rebuild when the data changes.

A build that fails (bad YAML, say, or an exception inside MkDocs or a plugin) does not stop
the server: the last good build is still served, each page with the problems on top, until
the next good build; before any build succeeded, every page shows the problems. Pages reload
themselves after each build.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator import live_reload_script, output
from generator.errors import DataError, KeptError, UsageError, printable
from generator.manifest import config_paths, source_date_epoch

WATCHED = ("commitments.yml", "results", "site_src", "mkdocs.yml")
SERVED = "kept-serve-"  # the prefix of the temporary folder a serve builds into
POLL_SECONDS = 0.5

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kept: the build failed</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em}}
pre{{background:#fff3f3;border-left:4px solid #c62828;padding:1em;white-space:pre-wrap}}</style>
</head><body><h1>The site could not be built</h1>
<p>Fix the problems below and save: this page reloads by itself.</p>
<pre>{problems}</pre>{script}</body></html>
"""


BANNER = """<div role="alert" style="position:sticky;top:0;z-index:1000;margin:0;padding:.5em 1em;
background:#fff3f3;color:#000;border-bottom:4px solid #c62828;font:14px/1.4 system-ui,sans-serif">
<strong>The last change could not be built</strong>: this is the last good build. Fix the
problems below and save.<pre style="white-space:pre-wrap;margin:.5em 0 0">{problems}</pre></div>"""
_BODY = re.compile(r"<body\b[^>]*>", re.I)
_ADDRESS = re.compile(r"(?:\[([0-9A-Fa-f:.]+)\]|([^\s:\[\]]*)):([0-9]{1,5})")


def address(text: str) -> tuple[str, int]:
    """HOST:PORT ([::1]:8000 for IPv6) as a host and a port from 1 to 65535; an empty host is
    127.0.0.1. UsageError for anything else."""
    match = _ADDRESS.fullmatch(text.strip())
    port = int(match.group(3)) if match else 0
    if match and match.group(2):
        try:  # as the socket will encode it: 'a..b' or a byte that is not UTF-8 failed there
            match.group(2).encode("idna")
        except UnicodeError:
            match = None
    if not match or not 1 <= port <= 65535:
        raise UsageError(f"not an address HOST:PORT with a port from 1 to 65535 (such as "
                         f"127.0.0.1:8000): {text[:80]!r}")
    return match.group(1) or match.group(2) or "127.0.0.1", port


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every watched file: the data, site_src/, mkdocs.yml and what it
    names (the configs it inherits, the theme's custom_dir, hooks). Only their times are read."""
    stamps: dict[str, float] = {}
    for name in [*WATCHED, *(rel for rel, _ in config_paths(root))]:
        path = root / name
        paths = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for item in paths:
            try:
                stamps[str(item)] = item.stat().st_mtime_ns
            except OSError:
                continue
    return stamps


class State:
    def __init__(self) -> None:
        self.build_id = 0
        self.error: str | None = None
        self.built = False  # a build has succeeded: its output is there to serve
        self.lock = threading.Lock()


def _handler(site: Path, state: State) -> Any:
    script = live_reload_script()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path.startswith("/__kept/build"):
                self._send(200, str(state.build_id), "text/plain")
                return
            with state.lock:
                error, built = state.error, state.built
            if error is not None and not built:
                self._send(500, ERROR_PAGE.format(problems=html.escape(error), script=script),
                           "text/html; charset=utf-8")
                return
            if error is not None and (last_good := self._page()) is not None:
                banner = BANNER.format(problems=html.escape(error))
                body = _BODY.search(last_good)
                at = body.end() if body else 0
                self._send(200, last_good[:at] + banner + last_good[at:], "text/html; charset=utf-8")
                return
            super().do_GET()

        def _page(self) -> str | None:
            """The HTML of the page asked for, when it is one (not a folder to redirect)."""
            path = self.translate_path(self.path)
            if self.path.split("?", 1)[0].split("#", 1)[0].endswith("/"):
                path = os.path.join(path, "index.html")
            if not path.endswith(".html") or not os.path.isfile(path):
                return None
            with open(path, encoding="utf-8", errors="replace") as page:
                return page.read()

        def _send(self, code: int, body: str, kind: str) -> None:
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return functools.partial(Handler, directory=str(site))


def rebuild(build: Callable[[Path], object], out: Path, state: State) -> None:
    """Build into out (with build), and say how it went: on the terminal, and to the pages
    served (the next request shows the problems; see _handler)."""
    try:
        build(out)
        error = None
        print(f"kept serve: built {time.strftime('%H:%M:%S')}", file=sys.stderr)
    except DataError as exc:
        error = "\n".join(p.format() for p in exc.problems)
    except KeptError as exc:
        error = printable(f"kept: error: {exc}")  # one line: see cli.main
    except Exception as exc:  # noqa: BLE001 - a plugin, hook or theme of the user's failed:
        # the preview says so and goes on serving the last good build
        error = printable(f"kept serve: the build failed: {type(exc).__name__}: {exc}")
    if error:
        print(printable(error, lines=True), file=sys.stderr)
    with state.lock:
        state.error = error
        state.built = state.built or error is None
        state.build_id += 1


class _Server6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve(root: Path, build: Callable[[Path], object], audience: str = "internal",
          addr: str = "127.0.0.1:8000", stop: threading.Event | None = None) -> None:
    """Serve the newest edition of an audience's site at addr (HOST:PORT), rebuilding it as
    the data at root changes, until stop is set (or Ctrl-C). build(out) builds the site into
    out (the newest edition of the audience, its pages reloading themselves: see cli). The
    address and SOURCE_DATE_EPOCH are checked, and the port taken, before anything is built."""
    host, port = address(addr)
    source_date_epoch()
    temp = Path(tempfile.gettempdir())
    for prefix in (SERVED, f".{SERVED}"):  # the site of a killed serve, and its build's staging
        output.remove_stale(temp, prefix)
    state = State()
    with output.claimed(temp / output.staging_name(SERVED)) as out:
        kind = _Server6 if ":" in host else http.server.ThreadingHTTPServer
        server = kind((host, port), _handler(out / audience, state))
        try:
            rebuild(build, out, state)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            shown = f"[{host}]" if ":" in host else host
            print(f"kept serve: http://{shown}:{server.server_port}/latest/ "
                  f"({audience}); Ctrl-C to stop", file=sys.stderr)
            stamps = snapshot(root)
            stop = stop or threading.Event()
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                while not stop.wait(POLL_SECONDS):
                    now = snapshot(root)
                    if now != stamps:
                        stamps = now
                        rebuild(build, out, state)
            except KeyboardInterrupt:
                pass
            finally:
                server.shutdown()
        finally:
            server.server_close()
