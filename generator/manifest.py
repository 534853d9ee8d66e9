"""What the last build was made from, kept beside its output in `.kept-cache.json`.

Two levels of reuse read it. Each edition's inputs have a digest: an edition whose digest is
unchanged is kept as it is (see `build`). And all the inputs together have one digest: when it
is unchanged and the output is still there, `kept build` has nothing to do, and says so
without loading MkDocs or the data. This module is light on purpose: a build that has
nothing to do should not pay for importing what a real build needs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator import engine, files, output
from generator.errors import Problem, UsageError

CACHE = ".kept-cache.json"
PAGES = ".kept-pages.json"  # what each edition was made from, file by file (see read_pages)
PAGES_FORMAT = 3
FORMAT = 2
SITE_SRC = "site_src"
GENERATOR = Path(__file__).parent
# The latest time a built file can carry: gzip (the sitemap) holds it in 32 bits.
LATEST_EPOCH = 2**32 - 1


@dataclass
class BuildResult:
    out: Path
    editions: dict[str, list[str]] = field(default_factory=dict)  # site -> newest first
    warnings: list[Problem] = field(default_factory=list)
    mkdocs_warnings: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # "site/edition" taken from before


def sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def tree_digest(*folders: Path) -> str:
    """Digest of every file under the folders (Kept's own): names and bytes."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _user_tree_digest(root: Path, folder: str) -> str:
    """Digest of the files under a folder of the repository: names and bytes, read as the
    build reads them (files.walk), with what it will not read marked by its problem."""
    listing = files.walk(root, folder)
    return sha([[(rel, files.digest(root, rel)) for rel in listing.files],
                [p.format() for p in listing.problems]])


def _file_digest(root: Path, rel: str) -> str:
    return files.digest(root, rel) if os.path.lexists(root / rel) else ""


def _versions(engine_name: str) -> dict[str, str]:
    found = {}
    for name in engine.packages(engine_name):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = ""
    return found


def common_digest(root: Path, engine_name: str = engine.DEFAULT) -> str:
    """What every edition depends on besides its own data: the generator, the engine and the
    packages it builds with, site_src/, mkdocs.yml and what it names (see config_paths)."""
    named = [(rel, _user_tree_digest(root, rel) if folder else _file_digest(root, rel))
             for rel, folder in config_paths(root)]
    return sha([tree_digest(GENERATOR), engine_name, _versions(engine_name),
                _user_tree_digest(root, SITE_SRC),
                _file_digest(root, "mkdocs.yml"), named])


# What mkdocs.yml may name that the build reads: parsed only when one of them is written.
_NAMING = (b"INHERIT", b"custom_dir", b"hooks")
MAX_CONFIG_BYTES = 2 * 1024 * 1024


def config_paths(root: Path) -> list[tuple[str, bool]]:
    """The paths inside root, besides site_src/, that mkdocs.yml makes part of the build (and
    whether each is a folder): the configs it inherits (INHERIT), the theme's custom_dir and
    hooks. One outside the repository is left out: the build refuses it."""
    found: list[tuple[str, bool]] = []
    real_root = os.path.realpath(root)

    def inside(value: Any, base: str = "") -> str | None:
        if not isinstance(value, str):
            return None
        full = os.path.normpath(os.path.join(root, base, value))
        if not files.within(real_root, os.path.realpath(full)):
            return None
        return os.path.relpath(full, root).replace(os.sep, "/")

    rel: str | None = "mkdocs.yml"
    seen: set[str] = set()
    while rel is not None and rel not in seen and len(seen) <= 8:
        seen.add(rel)
        try:
            raw = files.read_bytes(root, rel, MAX_CONFIG_BYTES)
        except files.Refused:
            break
        config = _loose_yaml(raw) if any(name in raw for name in _NAMING) else None
        if not isinstance(config, dict):
            break
        theme = config.get("theme")
        hooks = config.get("hooks")
        named = [(theme.get("custom_dir") if isinstance(theme, dict) else None, True)]
        named += [(hook, False) for hook in hooks] if isinstance(hooks, list) else []
        found += [(path, folder) for value, folder in named
                  if (path := inside(value)) is not None]
        rel = inside(config.get("INHERIT"), os.path.dirname(rel))
        if rel is not None:
            found.append((rel, False))
    return found


def _loose_yaml(raw: bytes) -> Any:
    """A MkDocs config as plain data, its tags (!ENV, !!python/name:...) read as nothing;
    None when it cannot be read (validation says why)."""
    import yaml

    from generator.load import nests_too_deeply

    if nests_too_deeply(raw):  # libyaml's composer would crash the process
        return None

    class Loose(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loose.add_multi_constructor("!", lambda loader, suffix, node: None)
    Loose.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    try:
        return yaml.load(raw, Loader=Loose)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH, the time of every built file, when it is set (and not empty).
    Anything but a whole number of seconds a built file can carry is bad usage, said before
    anything is built: it used to be ignored when not digits, and to fail inside MkDocs when
    past LATEST_EPOCH."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,10}", text) or int(text) > LATEST_EPOCH:
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, from "
                         f"0 to {LATEST_EPOCH} (2106-02-07), not {text[:40]!r}")
    return int(text)


@dataclass(frozen=True)
class Inputs:
    common: str  # see common_digest
    digest: str  # everything the build reads


def inputs(root: Path, audiences: Iterable[str], newest_only: bool = False,
           live_reload: bool = False, python_tags: bool = False,
           engine_name: str = engine.DEFAULT) -> Inputs:
    """Digests of what a build reads: the common inputs; and all of it, with the data files,
    the build's options and SOURCE_DATE_EPOCH (UsageError when it is not one)."""
    epoch = source_date_epoch()
    common = common_digest(root, engine_name)
    return Inputs(common, sha([common, _file_digest(root, "commitments.yml"),
                               _user_tree_digest(root, "results"), list(audiences), newest_only,
                               live_reload, epoch, python_tags]))


def read(out: Path) -> dict[str, Any]:
    """The manifest of the build in out; empty when there is none or it cannot be read."""
    try:
        data = json.loads(output.read_own(out, CACHE) or b"")
    except (ValueError, RecursionError):  # nested past what the decoder recurses through
        return {}
    return data if isinstance(data, dict) else {}


def edition_digests(data: dict[str, Any]) -> dict[str, str]:
    editions = data.get("editions")
    return {str(k): str(v) for k, v in editions.items()} if isinstance(editions, dict) else {}


def write(path: Path, inputs: str, editions: dict[str, str], result: BuildResult) -> None:
    data = {"format": FORMAT, "inputs": inputs, "editions": dict(sorted(editions.items())),
            "built": result.editions, "warnings": [asdict(p) for p in result.warnings]}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


# What the last build recorded of an edition: the digest of its chrome (what every page
# depends on besides its content), and by path each generated file's inputs' digest and
# (pages) the digest of what its HTML was made from (see build.build_edition). Kept as JSON
# text per edition: a build decodes only the editions it builds.
EditionFiles = tuple[str, dict[str, tuple[str, str]]]


def read_pages(out: Path) -> dict[str, str]:
    """What the last build recorded of each edition, by "audience/edition", as JSON text."""
    try:
        data = json.loads(output.read_own(out, PAGES) or b"")
        editions = data["editions"] if data.get("format") == PAGES_FORMAT else {}
        return {str(k): v for k, v in editions.items() if isinstance(v, str)}
    except (OSError, ValueError, KeyError, AttributeError, TypeError, RecursionError):
        return {}


def decode_edition(text: str | None) -> EditionFiles:
    """An edition's record; empty when there is none or it cannot be read."""
    try:
        data = json.loads(text or "")
        return (str(data["chrome"]),
                {str(p): (str(d[0]), str(d[1])) for p, d in data["files"].items()})
    except (ValueError, KeyError, AttributeError, TypeError, IndexError, RecursionError):
        return "", {}


def encode_edition(record: EditionFiles) -> str:
    chrome, files = record
    return json.dumps({"chrome": chrome, "files": files}, sort_keys=True, separators=(",", ":"))


def write_pages(path: Path, editions: dict[str, str]) -> None:
    path.write_text(json.dumps({"format": PAGES_FORMAT, "editions": editions}, sort_keys=True,
                               separators=(",", ":")), encoding="utf-8")


def unchanged(out: Path, audiences: Iterable[str], inputs: str) -> BuildResult | None:
    """The last build's result, when it was made from the same inputs (their digest) and its
    output is all there; else None (build)."""
    data = read(out)
    if data.get("format") != FORMAT or data.get("inputs") != inputs:
        return None
    try:
        wanted_sites = set(audiences)
        if not wanted_sites <= set(data["built"]):
            return None
        # Each audience's sites: its main language's, and each other language's below it.
        built = {str(s): [str(e) for e in data["built"][s]] for s in data["built"]
                 if str(s).split("/", 1)[0] in wanted_sites}
        warnings = [Problem(**p) for p in data["warnings"]]
    except (KeyError, TypeError, AttributeError):
        return None
    for name, editions in built.items():
        site = out / name
        wanted = ["versions.json", "index.html"] + [f"{e}/index.html" for e in editions]
        if editions:
            wanted.append("latest/index.html")
        if not all((site / name).is_file() for name in wanted):
            return None
    return BuildResult(out, built, warnings,
                       reused=[f"{a}/{e}" for a, editions in built.items() for e in editions])
