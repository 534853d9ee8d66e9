"""`kept serve`: build the newest edition, serve it on localhost, rebuild when the data changes.

A build that fails (bad YAML, say) does not stop the server: every page shows the problems
until the next good build. Pages reload themselves after each build.
"""

from __future__ import annotations

import functools
import html
import http.server
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from generator.errors import DataError, KeptError

WATCHED = ("commitments.yml", "results", "site_src", "mkdocs.yml")
SERVED = "kept-serve-"  # the prefix of the temporary folder a serve builds into
POLL_SECONDS = 0.5

RELOAD_SCRIPT = """<script>
(function () {
  var seen = null;
  function poll() {
    fetch("/__kept/build", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (id) { if (seen !== null && id !== seen) { location.reload(); } seen = id; })
      .catch(function () {}).finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kept: the build failed</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em}}
pre{{background:#fff3f3;border-left:4px solid #c62828;padding:1em;white-space:pre-wrap}}</style>
</head><body><h1>The site could not be built</h1>
<p>Fix the problems below and save: this page reloads by itself.</p>
<pre>{problems}</pre>{script}</body></html>
"""


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every watched file: the data, site_src/, mkdocs.yml and what it
    names (the configs it inherits, the theme's custom_dir, hooks). Only their times are read."""
    from generator.manifest import config_paths

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
        self.lock = threading.Lock()


def _handler(site: Path, state: State) -> Any:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path.startswith("/__kept/build"):
                self._send(200, str(state.build_id), "text/plain")
                return
            with state.lock:
                error = state.error
            if error is not None:
                page = ERROR_PAGE.format(problems=html.escape(error), script=RELOAD_SCRIPT)
                self._send(500, page, "text/html; charset=utf-8")
                return
            super().do_GET()

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


def rebuild(root: Path, out: Path, audience: str, state: State) -> None:
    from generator.build import build_site

    try:
        build_site(root, out, (audience,), jobs=1, newest_only=True, live_reload=True)
        error = None
        print(f"kept serve: built {time.strftime('%H:%M:%S')}", file=sys.stderr)
    except DataError as exc:
        error = "\n".join(p.format() for p in exc.problems)
    except KeptError as exc:
        error = str(exc)
    if error:
        print(error, file=sys.stderr)
    with state.lock:
        state.error = error
        state.build_id += 1


def serve(root: Path, audience: str = "internal", addr: str = "127.0.0.1:8000",
          stop: threading.Event | None = None) -> None:
    from generator import output

    host, _, port = addr.rpartition(":")
    if not port.isdigit():
        raise KeptError(f"--dev-addr must be HOST:PORT, not '{addr}'")
    temp = Path(tempfile.gettempdir())
    for prefix in (SERVED, f".{SERVED}"):  # the site of a killed serve, and its build's staging
        output.remove_stale(temp, prefix)
    state = State()
    with output.claimed(temp / output.staging_name(SERVED)) as out:
        rebuild(root, out, audience, state)
        server = http.server.ThreadingHTTPServer((host or "127.0.0.1", int(port)),
                                                 _handler(out / audience, state))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        print(f"kept serve: http://{host or '127.0.0.1'}:{server.server_port}/latest/ "
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
                    rebuild(root, out, audience, state)
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
            server.server_close()
