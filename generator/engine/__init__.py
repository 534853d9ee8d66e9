"""The adapter: everything that knows MkDocs, ProperDocs or Material lives in this package.

    config    mkdocs.yml as the engine reads it, and the settings Kept derives for each edition
    run       one edition built by the engine, in this process
    plugin    the hooks that change the engine's output (Kept's pages, links, markings, search)
    speedups  optimisations that reach into the engine's, Material's and Jinja's internals,
              each checked before use, all behind KEPT_SPEEDUPS

This module is light: it imports no engine, so that a process can choose one before any
module imports `mkdocs` (ProperDocs answers to that name once `properdocs.replacement` is
imported: one process can hold one engine only).
"""

from __future__ import annotations

import os
import sys

ENGINES = ("mkdocs", "properdocs")
NAMES = {"mkdocs": "MkDocs", "properdocs": "ProperDocs"}
DEFAULT = "mkdocs"
# Installed distributions whose version changes what a build writes, besides the engine.
PACKAGES = ("mkdocs-material", "pymdown-extensions", "markdown", "jinja2", "pyyaml")
SWITCH = "KEPT_SPEEDUPS"


def packages(engine: str) -> tuple[str, ...]:
    """The distributions whose versions a build's output depends on."""
    return (engine, *PACKAGES)


def speedups_wanted() -> bool:
    """Whether the optimisations that reach into the engine's internals may run: unless
    KEPT_SPEEDUPS is 0 (the output is the same either way)."""
    return os.environ.get(SWITCH, "").strip() != "0"


def _loaded() -> str | None:
    """The engine this process has loaded: the module answering to `mkdocs` names it."""
    module = sys.modules.get("mkdocs")
    if module is None:
        return None
    return "properdocs" if module.__name__ == "properdocs" else "mkdocs"


def runs_here(engine: str) -> bool:
    """Whether this process can build with the engine without loading another one. MkDocs
    is imported on demand; ProperDocs must take the name `mkdocs` before anything imports
    it, which the processes that build with it do first (see use)."""
    loaded = _loaded()
    if engine == "mkdocs":
        return loaded in (None, "mkdocs")
    return loaded == engine


def forks_for(engine: str) -> bool:
    """Whether a process forked from this one can take the engine (see use): Material and
    plugins import `mkdocs` before they bind to it, so a process that has not can still
    choose."""
    return runs_here(engine) or _loaded() is None


def use(engine: str) -> None:
    """Make this process build with the engine: for ProperDocs, every later import of
    `mkdocs` (Material's, plugins') gets ProperDocs. Called first in a worker process."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    if engine == "properdocs" and _loaded() is None:
        import properdocs.replacement  # noqa: F401 - installs the alias
    if not runs_here(engine):
        raise RuntimeError(f"this process has loaded {_loaded()}: it cannot build with {engine}")
