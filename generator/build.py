"""Build every edition of each audience's site with MkDocs, then swap the output in atomically.

All MkDocs coupling lives here: the derived config, the in-process build, the version list.
Each (audience, edition) is rendered to Markdown in a staging folder, built by MkDocs with
Material into a temporary output beside the real one, and only when every edition has built
does the new output replace the old. A failure leaves the previous output exactly as it was.
"""

from __future__ import annotations

import calendar
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import KeptError, Problem
from generator.project import AUDIENCES, Edition, editions, project
from generator.render import meta_text, nav, render_edition
from generator.validate import load_dataset

ASSETS = Path(__file__).parent / "assets"
SITE_SRC = "site_src"
# Folders of site_src/ that are not pages: template overrides, theme overrides, team-only pages.
NOT_PAGES = ("templates", "overrides", "internal")
RESERVED = ("index.md", "commitments", "improvements", "reports", "reviews", "locations", "kept")
REQUIRED_EXTENSIONS = ("tables", "attr_list", "admonition", "toc")


@dataclass(frozen=True)
class Task:
    """One MkDocs build: an audience's edition, staged and ready."""

    audience: str
    edition: str
    config_file: str
    overrides: dict[str, Any]
    epoch: int
    live_reload: bool = False
    blocks: str | None = None  # JSON file of the HTML blocks the pages stand in for


@dataclass
class BuildResult:
    out: Path
    editions: dict[str, list[str]] = field(default_factory=dict)  # audience -> newest first
    warnings: list[Problem] = field(default_factory=list)
    mkdocs_warnings: list[str] = field(default_factory=list)


def _epoch(edition: Edition) -> int:
    """SOURCE_DATE_EPOCH when set; otherwise the edition's own date, never the clock."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    day = edition.period.published or edition.period.end
    return calendar.timegm(day.timetuple())


def _user_config(root: Path) -> dict[str, Any]:
    from mkdocs.utils.yaml import yaml_load

    path = root / "mkdocs.yml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as stream:
            data = yaml_load(stream)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file, reported
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise KeptError(f"mkdocs.yml:{line}:{col}: error: cannot read the MkDocs config: "
                        f"{getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise KeptError("mkdocs.yml:1:1: error: the MkDocs config must be a mapping")
    return data


def _extensions(user: Any) -> list[Any]:
    items = list(user or [])
    names = {next(iter(x)) if isinstance(x, dict) else x for x in items}
    return items + [name for name in REQUIRED_EXTENSIONS if name not in names]


def _overrides(user: dict[str, Any], org_name: str, org_url: str | None, audience: str,
               edition: Edition, extra_nav: list[Any], docs: Path, site: Path) -> dict[str, Any]:
    """The settings the generator owns; the user's mkdocs.yml keeps the look and feel."""
    theme = user.get("theme") or {"name": "material"}
    if isinstance(theme, str):
        theme = {"name": theme}
    theme = {**theme, "font": False}  # offline: no web fonts
    extra = dict(user.get("extra") or {})
    extra["version"] = {**dict(extra.get("version") or {}), "provider": "mike"}
    site_url = None
    if org_url and audience == "public":
        site_url = org_url.rstrip("/") + f"/{edition.id}/"
    return {
        "site_name": user.get("site_name") or meta_text(org_name),
        "docs_dir": str(docs),
        "site_dir": str(site),
        "site_url": site_url,
        "nav": nav(edition, extra_nav),
        "use_directory_urls": True,
        "theme": theme,
        "extra": extra,
        "markdown_extensions": _extensions(user.get("markdown_extensions")),
        "extra_css": list(user.get("extra_css") or []) + ["kept/kept.css"],
        "strict": False,
    }


def _site_pages(root: Path, audience: str) -> tuple[list[tuple[Path, str]], list[Any]]:
    """Hand-written files of site_src/ for an audience (source, path in docs) and their nav."""
    src = root / SITE_SRC
    files: list[tuple[Path, str]] = []
    nav_items: list[Any] = []
    if not src.is_dir():
        return files, nav_items
    for path in sorted(src.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(src).as_posix()
        top = rel.split("/", 1)[0]
        if top in NOT_PAGES or top.startswith("."):
            continue
        if top in RESERVED or rel in RESERVED:
            raise KeptError(f"{SITE_SRC}/{rel}:1:1: error: '{top}' is generated by Kept; "
                            f"rename or move your file")
        files.append((path, rel))
        if rel.endswith(".md") and "/" not in rel:
            nav_items.append(rel)
    team = src / "internal"
    if audience == "internal" and team.is_dir():
        team_pages = []
        for path in sorted(team.rglob("*")):
            if path.is_file():
                rel = "team/" + path.relative_to(team).as_posix()
                files.append((path, rel))
                if rel.endswith(".md"):
                    team_pages.append(rel)
        if team_pages:
            nav_items.append({"Team pages": team_pages})
    return files, nav_items


def _stage(edition: Edition, root: Path, docs: Path, site_files: list[tuple[Path, str]]) -> Path:
    """Write the edition's docs_dir; return the file of its HTML blocks (beside docs_dir)."""
    rendered = render_edition(edition, root / SITE_SRC / "templates")
    for rel, text in rendered.files.items():
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for source, rel in site_files:
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (docs / "kept").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / "kept.css", docs / "kept" / "kept.css")
    blocks = docs.parent / f"{docs.name}.blocks.json"
    blocks.write_text(json.dumps(rendered.blocks, ensure_ascii=False), encoding="utf-8")
    return blocks


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(task: Task) -> list[str]:
    """Build one edition with MkDocs in this process; return the warnings MkDocs logged."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.plugin import KeptPlugin

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    saved_level, saved_propagate = logger.level, logger.propagate
    logger.addHandler(collect)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(task.epoch)
    try:
        config = load_config(config_file=task.config_file, **task.overrides)
        config.plugins["kept"] = KeptPlugin(task.audience, task.live_reload, task.blocks)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        detail = "; ".join(collect.messages) or str(exc)
        raise KeptError(f"MkDocs failed on the {task.audience} edition {task.edition}: {detail}") from None
    finally:
        logger.removeHandler(collect)
        logger.setLevel(saved_level)
        logger.propagate = saved_propagate
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    return [f"{task.audience} {task.edition}: {m}" for m in collect.messages]


def _run(tasks: list[Task], jobs: int) -> list[str]:
    if jobs <= 1 or len(tasks) <= 1:
        return [w for task in tasks for w in run_mkdocs(task)]
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        return [w for warnings in pool.map(run_mkdocs, tasks) for w in warnings]


REDIRECT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url=latest/">
<link rel="canonical" href="latest/">
{robots}</head>
<body>
<p><a href="latest/">{title}: the latest edition</a></p>
</body>
</html>
"""

EMPTY_SITE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
<h1>{title}</h1>
<p>No edition has been published yet. Editions appear here once a reporting period is
published.</p>
</body>
</html>
"""


def _finish_audience(folder: Path, audience: str, built: list[Edition], site_name: str) -> None:
    """versions.json, latest/ and the root redirect of one audience's site."""
    import html

    versions = [{"version": e.id, "title": e.title, "aliases": ["latest"] if i == 0 else []}
                for i, e in enumerate(built)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "versions.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    title = html.escape(site_name)
    if not built:
        (folder / "index.html").write_text(EMPTY_SITE.format(title=title), encoding="utf-8")
        return
    shutil.copytree(folder / built[0].id, folder / "latest")
    robots = '<meta name="robots" content="noindex, nofollow">\n' if audience == "internal" else ""
    (folder / "index.html").write_text(REDIRECT.format(title=title, robots=robots), encoding="utf-8")


def _looks_like_ours(folder: Path) -> bool:
    return not folder.exists() or (folder / "versions.json").is_file() or not any(folder.iterdir())


def _swap(tmp: Path, out: Path, audiences: Iterable[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for audience in audiences:
        target, new = out / audience, tmp / audience
        old = tmp / f".old-{audience}"
        if target.exists():
            os.rename(target, old)
        os.rename(new, target)


def build_site(root: Path, out: Path | None = None, audiences: Iterable[str] = AUDIENCES,
               jobs: int | None = None, newest_only: bool = False,
               live_reload: bool = False) -> BuildResult:
    """Validate the data at root and build every edition of each audience's site into out.

    newest_only and live_reload serve `kept serve`: one edition, pages that reload themselves.
    """
    root = root.resolve()
    audiences = tuple(audiences)
    dataset, warnings = load_dataset(root)
    user = _user_config(root)
    out = (out if out is not None else root / "site").resolve()
    if out == root or out in root.parents:
        raise KeptError(f"refusing to build into {out}: it holds the data; choose another --out")
    for audience in audiences:
        if not _looks_like_ours(out / audience):
            raise KeptError(f"refusing to replace {out / audience}: it is not a site built by "
                            "kept (no versions.json); move it away or choose another --out")
    config_file = root / "mkdocs.yml"
    result = BuildResult(out, warnings=list(warnings))
    tmp = out.parent / f".{out.name}.kept-{uuid.uuid4().hex[:12]}"
    try:
        stage = tmp / ".stage"
        if not config_file.is_file():
            stage.mkdir(parents=True)
            config_file = stage / "mkdocs.yml"
            config_file.write_text("site_name: Kept\ntheme:\n  name: material\n", encoding="utf-8")
        plans: dict[str, list[Edition]] = {}
        tasks: list[Task] = []
        for audience in audiences:
            site_files, extra_nav = _site_pages(root, audience)
            plans[audience] = editions(project(dataset, audience), audience)
            if newest_only:
                plans[audience] = plans[audience][:1]
            for edition in plans[audience]:
                docs = stage / audience / edition.id
                blocks = _stage(edition, root, docs, site_files)
                overrides = _overrides(user, dataset.organization.name, dataset.organization.url,
                                       audience, edition, extra_nav, docs,
                                       tmp / audience / edition.id)
                tasks.append(Task(audience, edition.id, str(config_file), overrides,
                                  _epoch(edition), live_reload, str(blocks)))
        result.mkdocs_warnings = _run(tasks, jobs or os.cpu_count() or 1)
        site_name = user.get("site_name") or dataset.organization.name
        for audience in audiences:
            _finish_audience(tmp / audience, audience, plans[audience], str(site_name))
            result.editions[audience] = [e.id for e in plans[audience]]
        _swap(tmp, out, audiences)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result
