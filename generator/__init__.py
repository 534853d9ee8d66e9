"""Kept: publish customer-service commitments as a versioned MkDocs site."""

from pathlib import Path

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)
DISTRIBUTION = "kept-promises"  # the name it installs as (pyproject.toml); the command is `kept`
# What Kept adds to the sites it builds: its stylesheet and script, and the script of
# `kept serve`'s pages.
ASSETS = Path(__file__).parent / "assets"


def live_reload_script() -> str:
    """The script `kept serve` puts in every page it serves: the page reloads itself when a
    new build is in place (see serve)."""
    return "<script>\n" + (ASSETS / "live-reload.js").read_text(encoding="utf-8") + "</script>"
