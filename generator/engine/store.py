"""The theme's assets stored once per site, shared by every edition.

Material's stylesheets, scripts and search worker are 2.5 MB, the same in every edition: each
edition carried its own copy, which a long history multiplied (see docs/performance.md). They
are stored once in each audience's site, in a folder named by the digest of their names and
bytes (`public/theme/<digest>/assets/...`), and every page refers to them by a relative URL
(`../../../theme/<digest>/assets/...` from `public/2026-Q3/commitments/email-reply/`), so
that the site still works from any folder or host; a new theme version is a new folder, and
the old one goes once no edition uses it.

Only the theme's own files move: those of theme.custom_dir stay in each edition, as the user
may name them anywhere (extra_css does not go through the template filter rewritten here).
Material names every asset through the `url` filter (internals: "theme-urls"); when that no
longer holds, the assets stay in each edition, as they were.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.engine.internals import has, material_templates

# The folder of each audience's site that holds the stored themes, one folder per digest.
FOLDER = "theme"


@dataclass(frozen=True)
class Stored:
    """The theme's files taken out of an edition: by their path in the edition."""

    digest: str
    files: dict[str, str]  # path in the edition (dest_uri) -> the theme's file

    @property
    def prefix(self) -> str:
        """From an edition's root to the stored files' root."""
        return f"../{FOLDER}/{self.digest}/"


def take(files: Iterable[Any]) -> tuple[list[Any], Stored | None]:
    """The files an edition keeps, and the theme's own files that go to the store (None when
    Material's templates do not name their assets as this was written for)."""
    files = list(files)
    if not has("theme-urls"):
        return files, None
    theme = os.path.normpath(str(material_templates()))
    own = [f for f in files if f.src_dir is not None and os.path.normpath(f.src_dir) == theme
           and not f.is_documentation_page()]
    if not own:
        return files, None
    taken = {f.dest_uri: str(f.abs_src_path) for f in own}
    kept = [f for f in files if f.dest_uri not in taken]
    return kept, Stored(_digest(tuple(sorted(taken.items()))), taken)


def _stat(path: str) -> tuple[int, int]:
    found = os.stat(path)
    return found.st_mtime_ns, found.st_size


def _digest(files: tuple[tuple[str, str], ...]) -> str:
    return _digest_of(tuple((dest, src, _stat(src)) for dest, src in files))


@functools.lru_cache(maxsize=8)
def _digest_of(files: tuple[tuple[str, str, tuple[int, int]], ...]) -> str:
    """The digest of the files' names and bytes, once a process for files that did not
    change (by their time and size)."""
    digest = hashlib.sha256()
    for dest, src, _ in files:
        with open(src, "rb") as handle:
            digest.update(f"{dest}\0{hashlib.sha256(handle.read()).hexdigest()}\0".encode())
    return digest.hexdigest()[:16]


def write(stored: Stored, folder: Path) -> None:
    """Copy the stored files into folder/DIGEST, once a build: editions built at the same
    time by other processes may be writing the same folder (either copy wins)."""
    target = folder / stored.digest
    if target.is_dir():
        return
    partial = folder / f".{stored.digest}.{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    for dest, src in stored.files.items():
        path = partial / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, path)
    try:
        os.rename(partial, target)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)  # another process stored it first
        if not target.is_dir():
            raise


def digests(folder: Path) -> list[str]:
    """The themes a build stored in folder (not those being written)."""
    try:
        return sorted(name for name in os.listdir(folder) if not name.startswith("."))
    except OSError:
        return []


def rewrite_urls(env: jinja2.Environment, stored: Stored) -> None:
    """Make the theme's templates name the stored files: MkDocs' `url` filter gives the way
    from the page to the edition's root followed by the path; a stored file's path is
    reached through the site's store instead."""
    url = env.filters["url"]
    paths = frozenset(stored.files)
    prefix = stored.prefix

    @jinja2.pass_context
    def stored_url(context: Any, value: Any) -> Any:
        found = url(context, value)
        if isinstance(value, str) and value in paths and isinstance(found, str) \
                and found.endswith(value):
            return found[:len(found) - len(value)] + prefix + value
        return found

    env.filters["url"] = stored_url
