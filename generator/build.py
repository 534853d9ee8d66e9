"""Build every edition of each audience's site with MkDocs, then put the output in place.

All MkDocs coupling lives here: the derived config, the in-process build, the version list.
Each (audience, edition) whose inputs changed is rendered to Markdown (in memory) and built by
MkDocs with Material, in worker processes, into a temporary folder beside the output; pages
whose content did not change are linked from the previous output instead.
Only when every edition has built, and the manifests are written, are the new editions,
latest/, versions.json and the manifests renamed into place, each change journaled: a failure
at any point leaves the previous output exactly as it was. Kept changes only what it owns in
the output folder (see output.owned).
"""

from __future__ import annotations

import calendar
import contextlib
import copy
import dataclasses
import gc
import hashlib
import html
import json
import logging
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import files, manifest, output, siteconfig
from generator.errors import DataError, KeptError, Problem
from generator.load import MAX_FILE_BYTES, ParseCache
from generator.manifest import SITE_SRC, BuildResult
from generator.model import EMPTY, Period
from generator.plugin import PLACEHOLDER_URL
from generator.project import AUDIENCES, Edition, editions, project
from generator.render import Needs, Rendered, merge, meta_text, nav, outputs, page_url, pages, render_edition
from generator.validate import load_dataset

ASSETS = Path(__file__).parent / "assets"
# Folders of site_src/ that are not pages: template overrides, theme overrides, team-only pages.
NOT_PAGES = ("templates", "overrides", "internal")
RESERVED = ("index.md", "commitments", "improvements", "reports", "reviews", "locations",
            "consistency", "api", "badges", "feed.xml", "kept", "team")
# The data files as parsed by the last build, beside its output (see load.ParseCache).
PARSED = ".kept-parsed.json"
REQUIRED_EXTENSIONS = ("tables", "attr_list", "admonition", "toc")


@dataclass(frozen=True)
class Task:
    """One edition to build: rendered and built by MkDocs, all in one worker."""

    audience: str
    edition: str
    root: str
    config_file: str
    overrides: dict[str, Any]  # docs_dir and site_dir among them
    epoch: int
    site_files: tuple[tuple[str, str], ...]  # site_src/ files: (path from root, path in docs)
    live_reload: bool = False
    # What every page's HTML depends on besides its own content (see _Digests.chrome), and
    # the edition as the previous build left it.
    chrome: str = ""
    previous: str | None = None
    # The digests of the edition's frame and of all its inputs (see _Digests.edition), and
    # whether files whose inputs did not change may be taken from `previous` unrendered.
    frame: str = ""
    whole: str = ""
    skippable: bool = False
    # Each generated file as the previous build recorded it: the digest of its inputs and
    # (pages) of what its HTML was made from.
    previous_files: tuple[tuple[str, str, str], ...] = ()
    # Set by _plan_files, in the worker: each generated file with the digest of its inputs,
    # and those whose inputs did not change (taken from `previous`).
    files: tuple[tuple[str, str], ...] = ()
    skip: tuple[str, ...] = ()
    # The build writes only what changed, and the install moves it into `previous` (whose
    # chrome was this one: MkDocs writes the same files besides the pages).
    in_place: bool = False
    shares: int = 1  # processes that render the edition's pages (see _render)
    shared: str = ""  # folder for the files every edition has (see KeptPlugin.shared)


# Editions to build, by (audience, edition id), and the build's digests of their inputs. Set
# before the worker processes fork, so that workers read them from memory instead of having
# them pickled or the data loaded again.
_PLANS: dict[tuple[str, str], Edition] = {}
_DIGESTS: list[_Digests] = []


def _epoch(edition: Edition) -> int:
    """SOURCE_DATE_EPOCH when set; otherwise the edition's own date, never the clock."""
    epoch = manifest.source_date_epoch()
    if epoch is not None:
        return epoch
    day = edition.period.published or edition.period.end
    return calendar.timegm(day.timetuple())


def _user_config(root: Path) -> dict[str, Any]:
    """The user's mkdocs.yml, with the files it inherits (INHERIT), as MkDocs will read it; and
    the paths it names that MkDocs reads (the files inherited, theme.custom_dir, hooks) checked
    to be the repository's own regular files first, since MkDocs would follow them anywhere."""
    if not os.path.lexists(root / CONFIG):
        return {}
    data = _config_file(root, CONFIG, [])
    problems = _config_paths(root, data)
    if problems:
        raise DataError(problems)
    if "markdown_extensions" in data:  # their paths, in the repository (see siteconfig)
        data["markdown_extensions"] = siteconfig.anchored(root, data["markdown_extensions"])
    return data


CONFIG = "mkdocs.yml"
MAX_INHERIT = 8  # files a config may inherit from, one through another


def _config_file(root: Path, rel: str, chain: list[str]) -> dict[str, Any]:
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    text = _config_text(root, rel)
    try:
        data = yaml.load(text, Loader=get_yaml_loader())  # noqa: S506 - MkDocs' safe loader
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file, reported
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise KeptError(f"{rel}:{line}:{col}: error: cannot read the MkDocs config: "
                        f"{getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise KeptError(f"{rel}:1:1: error: the MkDocs config must be a mapping")
    if "INHERIT" not in data:
        return data
    import mergedeep

    inherited = data.pop("INHERIT")
    line = _line_of(text, "INHERIT")
    full = os.path.normpath(os.path.join(root, os.path.dirname(rel), str(inherited)))
    parent = os.path.relpath(full, root).replace(os.sep, "/")
    if not files.within(os.path.realpath(root), os.path.realpath(full)):
        raise DataError([Problem(rel, line, 1, "INHERIT names a file outside the repository",
                                 "keep the inherited config in the repository")])
    if parent in chain + [rel] or len(chain) >= MAX_INHERIT:
        raise DataError([Problem(rel, line, 1, f"INHERIT: '{parent}' inherits from itself, or "
                                 f"configs inherit more than {MAX_INHERIT} deep",
                                 "inherit from a config that does not inherit back")])
    if not os.path.lexists(full):
        raise DataError([Problem(rel, line, 1, f"INHERIT: '{parent}' not found", "check the name")])
    return mergedeep.merge(_config_file(root, parent, chain + [rel]), data)


def _config_text(root: Path, rel: str) -> str:
    raw = files.read_bytes(root, rel, MAX_FILE_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError([Problem(rel, 1, 1, "the MkDocs config is not UTF-8 text",
                                 "save it as UTF-8")]) from None


def _line_of(text: str, needle: str) -> int:
    """The line where the config names a setting, to point at it (1 when it cannot be told)."""
    return next((i for i, line in enumerate(text.splitlines(), 1) if needle in line), 1)


def _config_paths(root: Path, config: dict[str, Any]) -> list[Problem]:
    """Problems with the paths of the config that MkDocs reads files from: a theme override
    folder (theme.custom_dir, whose files MkDocs copies into every edition and whose templates
    it renders) and hooks (run as Python)."""
    text = _config_text(root, CONFIG)
    problems: list[Problem] = []
    real_root = os.path.realpath(root)
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    named: list[tuple[str, str, bool]] = [("custom_dir", custom, True)] if isinstance(custom, str) else []
    hooks = config.get("hooks")
    named += [("hooks", hook, False) for hook in hooks if isinstance(hook, str)] \
        if isinstance(hooks, list) else []
    for key, value, folder in named:
        full = os.path.normpath(os.path.join(root, value))
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        if not files.within(real_root, os.path.realpath(full)):
            problems.append(Problem(CONFIG, _line_of(text, value), 1,
                                    f"{key}: '{value}' is outside the repository",
                                    "keep theme overrides and hooks in the repository"))
        elif folder:
            problems += files.walk(root, rel).problems
        elif os.path.lexists(full):
            try:
                files.read_bytes(root, rel, MAX_FILE_BYTES)
            except files.Refused as exc:
                problems.append(exc.problem)
    return problems


def _extensions(user: Any) -> list[Any]:
    """The user's Markdown extensions (a list, or a mapping of names to options: checked by
    validate.site_config), with those Kept's pages need."""
    items = [{k: v} for k, v in user.items()] if isinstance(user, dict) else list(user or [])
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
    if org_url and audience == "public":
        site_url = org_url.rstrip("/") + f"/{edition.id}/"
    else:
        site_url = f"{PLACEHOLDER_URL}{audience}/{edition.id}/"
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
        "extra_javascript": list(user.get("extra_javascript") or []) + ["kept/kept.js"],
        "strict": False,
    }


def _site_pages(root: Path, audience: str) -> tuple[list[tuple[str, str]], list[Any]]:
    """Hand-written files of site_src/ for an audience (source relative to root, path in
    docs) and their nav. A file Kept will not read (a link out of the repository, a pipe) is
    an error, not left out: the site would silently miss a page."""
    listing = files.walk(root, SITE_SRC)
    if listing.problems:
        raise DataError(listing.problems)
    found: list[tuple[str, str]] = []
    nav_items: list[Any] = []
    team: list[tuple[str, str]] = []
    for source in listing.files:
        rel = source[len(SITE_SRC) + 1:]
        top = rel.split("/", 1)[0]
        if top == "internal":
            if audience == "internal":
                team.append((source, "team/" + rel.split("/", 1)[1]))
            continue
        if top in NOT_PAGES or top.startswith("."):
            continue
        if top in RESERVED or rel in RESERVED:
            raise DataError([Problem(source, 1, 1, f"'{top}' is generated by Kept",
                                     "rename or move your file")])
        found.append((source, rel))
        if rel.endswith(".md") and "/" not in rel:
            nav_items.append(rel)
    team_pages = [page for _, page in team if page.endswith(".md")]
    if team_pages:
        nav_items.append({"Team pages": team_pages})
    return found + team, nav_items


def _write(folder: Path, files: Mapping[str, str], previous: Path | None = None,
           shared: Path | None = None, in_place: bool = False) -> None:
    """Write the files; one whose bytes are those of the same file in previous is linked
    (left out, when the edition is updated in place), and so is a badge whose bytes another
    edition of this build wrote (shared: the build's folder for what editions have in
    common). A badge shows a commitment's status in the period: the same in both sites.
    Linking costs a small part of creating a file."""
    for rel, text in files.items():
        target = folder / rel
        data = text.encode("utf-8")
        if previous is not None:
            try:
                if (previous / rel).read_bytes() == data:
                    if not in_place:
                        _link(previous / rel, target)
                    continue
            except OSError:
                pass
        target.parent.mkdir(parents=True, exist_ok=True)
        if shared is None or not rel.startswith("badges/"):
            target.write_bytes(data)
            continue
        stored = shared / "files" / hashlib.sha256(data).hexdigest()
        try:
            os.link(stored, target)
            continue
        except OSError:
            pass
        target.write_bytes(data)
        try:
            stored.parent.mkdir(parents=True, exist_ok=True)
            os.link(target, stored)
        except OSError:
            pass  # another process stored the same bytes first, or no links here


def _stage(root: Path, docs: Path, site_files: Iterable[tuple[str, str]]) -> None:
    """Write an audience's docs_dir: the files of site_src/ and Kept's stylesheet and script. Generated
    pages are not written: the Kept plugin gives them to MkDocs from memory. The files are
    copies, made as every user file is read (files.copy_file): MkDocs follows links."""
    docs.mkdir(parents=True, exist_ok=True)
    for source, rel in site_files:
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        files.copy_file(root, source, target)
    (docs / "kept").mkdir(parents=True, exist_ok=True)
    for asset in ("kept.css", "kept.js"):
        shutil.copyfile(ASSETS / asset, docs / "kept" / asset)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_edition(task: Task) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """Render and build one edition in this process; return MkDocs' warnings and, for each
    generated file, the digest of its inputs and (pages) of what its HTML is made from.

    A file whose inputs did not change since the previous build of this edition (task.skip:
    see render.Needs) is not rendered again; nor is the HTML of a page whose Markdown,
    metadata and blocks, and the edition's chrome, are what they were. Both are taken from
    the previous output: linked rather than copied, or left where they are when the edition
    is updated in place.
    """
    edition = _PLANS[(task.audience, task.edition)]
    if not task.files:
        task = _plan_files(task)
    rendered = _render(task, edition)
    keys = dict(task.files)
    before = {path: (key, digest) for path, key, digest in task.previous_files}
    previous = Path(task.previous) if task.previous else None
    records: dict[str, tuple[str, str]] = {}
    reuse = set(rendered.reused)
    for path in rendered.files:
        if path in rendered.reused:
            records[path] = before[path]
            continue
        digest = _page_digest(task.chrome, path, rendered)
        records[path] = (keys[path], digest)
        if (previous is not None and before.get(path, ("", ""))[1] == digest
                and (previous / _dest(path)).is_file()):
            reuse.add(path)
    site = Path(task.overrides["site_dir"])
    warnings, reused = run_mkdocs(task, rendered, reuse)
    if previous is not None and not task.in_place:
        for path in reused:
            _link(previous / _dest(path), site / _dest(path))
    # Feeds, badges and open data are not pages: written straight into the built edition
    # rather than copied there by MkDocs (or linked, or left out, when unchanged).
    _write(site, rendered.assets, previous, Path(task.shared) if task.shared else None,
           task.in_place)
    records.update((rel, (keys[rel], "")) for rel in rendered.assets)
    for rel in task.skip:
        if rel not in rendered.files:
            assert previous is not None
            if not task.in_place:
                _link(previous / rel, site / rel)
            records[rel] = before[rel]
    return warnings, records


def _page_digest(chrome: str, path: str, rendered: Rendered) -> str:
    """Digest of what a generated page's HTML is made from, besides the chrome."""
    digest = hashlib.sha256(f"{chrome}\0{path}\0{rendered.meta[path]!r}\0".encode())
    digest.update(rendered.files[path].encode())
    for block in rendered.blocks.get(path, []):
        digest.update(b"\0" + block.encode())
    return digest.hexdigest()[:32]


def _render(task: Task, edition: Edition) -> Rendered:
    """The edition's files but those of task.skip; with task.shares > 1, rendered by that
    many processes at once (when there are fewer editions to build than processes, as after
    a change to settings or templates)."""
    templates = Path(task.root) / SITE_SRC / "templates"
    if task.shares <= 1:
        return render_edition(edition, templates, skip=set(task.skip))
    context = multiprocessing.get_context("fork")  # the helpers inherit _PLANS
    with ProcessPoolExecutor(max_workers=task.shares - 1, mp_context=context,
                             initializer=_die_with, initargs=(os.getpid(),)) as pool:
        others = [pool.submit(_render_share, task, i) for i in range(1, task.shares)]
        _prepare_mkdocs(task)  # while the others render (their share has the feeds and badges)
        parts = [render_edition(edition, templates, (0, task.shares), set(task.skip))]
        parts += [future.result() for future in others]
    return merge(parts, [page.path for page in pages(edition)])


def _prepare_mkdocs(task: Task) -> None:
    """What the MkDocs run of this process will do first, done ahead: the imports of loading
    a config, and the list of the theme's files (see plugin._cache_listing). Any problem is
    left for the real run to report."""
    from mkdocs.structure.files import Files

    logger = logging.getLogger("mkdocs")
    quiet = logging.NullHandler()
    saved_propagate = logger.propagate
    logger.addHandler(quiet)
    logger.propagate = False
    try:
        config, _ = _load_config(task)
        Files([]).add_files_from_theme(config.theme.get_env(), config)
    except Exception:  # noqa: BLE001, S110 - only a head start: the real run reports problems
        pass
    finally:
        logger.removeHandler(quiet)
        logger.propagate = saved_propagate


def _load_config(task: Task) -> tuple[Any, bool]:
    """The edition's MkDocs config, its theme set to share work between editions, and
    whether search is the only other plugin.

    MkDocs takes settings apart as it validates them (extension options among them): every
    build gets its own copy. Other plugins may make a page depend on other pages, read pages'
    HTML at any time, or change what templates see page by page: then every page is built,
    its HTML always in place, and no part of Material's template is shared between pages.
    """
    from mkdocs.config import load_config

    from generator.plugin import KeptPlugin

    config = load_config(config_file=task.config_file, **copy.deepcopy(task.overrides))
    only_search = set(config.plugins) <= {"search", "material/search"}
    KeptPlugin.read_theme_safely(config.theme, Path(task.root))
    KeptPlugin.share_theme_work(config.theme, memoize=only_search)
    return config, only_search


def _render_share(task: Task, index: int) -> Rendered:
    edition = _PLANS[(task.audience, task.edition)]
    return render_edition(edition, Path(task.root) / SITE_SRC / "templates", (index, task.shares),
                          set(task.skip))


def _dest(path: str) -> str:
    """Where MkDocs writes the page of a Markdown file: 'a/b.md' -> 'a/b/index.html'."""
    return page_url(path) + "index.html"


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def run_mkdocs(task: Task, rendered: Rendered,
               reuse: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Build one edition with MkDocs in this process; return the warnings it logged and the
    pages of `reuse` it left out (for the caller to take from the previous build)."""
    from mkdocs.commands.build import build
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
        config, only_search = _load_config(task)
        if rendered.reused and not only_search:
            # Plugins that _only_search did not foresee (they may read any page): every
            # page is rendered, and MkDocs builds every one.
            edition = _PLANS[(task.audience, task.edition)]
            rendered = render_edition(edition, Path(task.root) / SITE_SRC / "templates")
        plugin = KeptPlugin(task.audience, task.live_reload, rendered,
                            reuse if only_search else None, hold=only_search,
                            shared=Path(task.shared) if task.shared else None)
        config.plugins["kept"] = plugin
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        detail = "; ".join(collect.messages) or str(exc)
        raise KeptError(f"MkDocs failed on the {task.audience} edition {task.edition}: {detail}") from None
    except KeptError:
        raise
    except Exception as exc:  # noqa: BLE001 - see _mkdocs_failure
        raise KeptError(_mkdocs_failure(task, exc)) from None
    finally:
        logger.removeHandler(collect)
        logger.setLevel(saved_level)
        logger.propagate = saved_propagate
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    return [f"{task.audience} {task.edition}: {m}" for m in collect.messages], sorted(plugin.left_out)


def _mkdocs_failure(task: Task, exc: Exception) -> str:
    """What to say when MkDocs, its theme or an extension failed with an exception of its own:
    a setting of mkdocs.yml of a kind they did not expect, that Kept does not check (a number
    where a list or a function goes), or a template or icon the theme does not have."""
    import jinja2

    if isinstance(exc, jinja2.TemplateNotFound):
        detail = f"the theme has no template or icon '{exc.name}'"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return (f"MkDocs failed on the {task.audience} edition {task.edition}: {detail}; check the "
            f"settings of mkdocs.yml (theme, extra, markdown_extensions, plugins)")


# Pages to render below which one edition is not worth sharing between processes.
SHARED_RENDER = 64


def _plan_files(task: Task) -> Task:
    """The task with each generated file's inputs digested, and those that did not change
    since the previous build listed in skip (when their output is still there)."""
    edition = _PLANS[(task.audience, task.edition)]
    needs = outputs(edition, Path(task.root) / SITE_SRC / "templates")
    files = _DIGESTS[0].files(edition, task.frame, task.whole, needs)
    skip: list[str] = []
    if task.skippable and task.previous is not None:
        before = {path: key for path, key, _ in task.previous_files}
        previous = Path(task.previous)
        skip = [path for path, key in files.items()
                if before.get(path) == key and (previous / _built(path)).is_file()]
    return dataclasses.replace(task, files=tuple(files.items()), skip=tuple(skip))


def _to_render(task: Task) -> int:
    skip = set(task.skip)
    return sum(path.endswith(".md") and path not in skip for path, _ in task.files)


def _run(tasks: list[Task], jobs: int) -> list[tuple[list[str], dict[str, tuple[str, str]]]]:
    if jobs <= 1 or len(tasks) <= 1:
        return [build_edition(task) for task in tasks]
    context = multiprocessing.get_context("fork")  # workers inherit _PLANS
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context,
                             initializer=_die_with, initargs=(os.getpid(),)) as pool:
        return list(pool.map(_worker_build, tasks))


def _die_with(parent: int) -> None:
    """Worker initializer: end when the process that started the worker is gone (killed,
    say), instead of waiting for work forever, holding the build's staging folder."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kept-orphan-watch", daemon=True).start()


_BUILT_IN_WORKER: list[str] = []


def _worker_build(task: Task) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """build_edition in a worker process. After its first edition, what the worker keeps
    (compiled templates, converted Markdown, memos) is left out of later collections, as
    the plans are: full collections went through it after every few editions, the more so
    the larger the organisation (at four times the commitments, 3.9 s of collections in
    the workers, 2.1 to 2.8 s with this; about the same at the default size)."""
    result = build_edition(task)
    if not _BUILT_IN_WORKER:
        _BUILT_IN_WORKER.append(task.edition)
        gc.collect()
        gc.freeze()
    return result


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


def _site_root_files(folder: Path, audience: str, planned: list[Edition], site_name: str) -> None:
    """versions.json and the root page (a redirect to latest/) of one audience's site."""
    versions = [{"version": e.id, "title": e.title, "aliases": ["latest"] if i == 0 else []}
                for i, e in enumerate(planned)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "versions.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    title = html.escape(site_name)
    if not planned:
        page = EMPTY_SITE.format(title=title)
    else:
        robots = '<meta name="robots" content="noindex, nofollow">\n' if audience == "internal" else ""
        page = REDIRECT.format(title=title, robots=robots)
    (folder / "index.html").write_text(page, encoding="utf-8")


def _link_tree(source: Path, target: Path) -> None:
    """A copy of a built tree made of hard links (a plain copy where links are not possible)."""
    shutil.copytree(source, target, copy_function=lambda src, dst: _link(Path(src), Path(dst)))


def _mirror(source: Path, target: Path, journal: output.Journal) -> None:
    """Make target (a tree of links to an earlier edition) the same as source by changing
    only what differs: after an edit, an edition's files are mostly those of the build
    before, and so are the files of latest/. Each file is swapped by a rename."""
    with os.scandir(source) as entries:
        wanted = {entry.name: entry for entry in entries}
    with os.scandir(target) as entries:
        present = {entry.name: entry for entry in entries}
    for name, entry in wanted.items():
        there = present.get(name)
        path = os.path.join(target, name)
        if entry.is_dir(follow_symlinks=False):
            if there is not None and not there.is_dir(follow_symlinks=False):
                journal.keep(Path(path))
                there = None
            if there is None:
                journal.created(Path(path))
                _link_tree(Path(entry.path), Path(path))
            else:
                _mirror(Path(entry.path), Path(path), journal)
        elif there is None or there.is_dir(follow_symlinks=False) or there.inode() != entry.inode():
            if there is not None and there.is_dir(follow_symlinks=False):
                journal.keep(Path(path))
            partial = Path(f"{path}.kept-{uuid.uuid4().hex[:8]}")
            journal.created(partial)
            _link(Path(entry.path), partial)
            journal.replace_file(partial, Path(path))
    for name, there in present.items():
        if name not in wanted:
            journal.keep(Path(there.path))


def _replace(new: Path, target: Path, journal: output.Journal) -> None:
    """Put new in target's place; the old target is kept aside (deleted with the staging
    folder, or put back when the install fails)."""
    journal.keep(target)
    journal.mkdir(target.parent)
    journal.move(new, target)


def _digest(value: Any) -> str:
    """Digest of model objects by their repr: frozen dataclasses, enums, dates, numbers, text,
    tuples and read-only mappings in the order the data gave them, so the same data gives
    the same repr in every run (and different data a different one)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()


class _Digests:
    """Digests of editions' inputs. Periods, and commitments no revision touched, are the
    same objects in every later edition: each is digested once per build, not once per
    edition. (Memos are by id: each holds its object, so that no other object takes its id.)"""

    def __init__(self, common: str):
        self.common = common
        self.seen: dict[int, tuple[Any, str]] = {}
        self.periods: dict[int, tuple[Period, tuple[str, dict[str, str], str]]] = {}

    def of(self, obj: Any) -> str:
        key = id(obj)
        if key not in self.seen:
            self.seen[key] = (obj, _digest(obj))
        return self.seen[key][1]

    def period(self, period: Period) -> tuple[str, dict[str, str], str]:
        """A period's digest without its measurements, the digest of each measurement (by
        commitment), and the digest of them all."""
        key = id(period)
        if key not in self.periods:
            each = {cid: _digest(m) for cid, m in period.measurements.items()}
            self.periods[key] = (period, (
                _digest(dataclasses.replace(period, measurements=EMPTY)), each,
                _digest(tuple(each.items()))))
        return self.periods[key][1]

    def chrome(self, task: Task) -> str:
        """What every page of the edition depends on besides its own content: Kept and the
        packages it builds with, site_src/, mkdocs.yml and the settings derived from them
        (the navigation among them)."""
        settings = {k: v for k, v in task.overrides.items() if k not in ("docs_dir", "site_dir")}
        return manifest.sha([self.common, task.audience, task.edition, settings, task.epoch,
                             task.live_reload, [rel for _, rel in task.site_files]])

    def edition(self, edition: Edition, chrome: str) -> tuple[str, str]:
        """The digest of everything the edition is built from but its measurements (the
        frame), and of everything."""
        data = edition.dataset
        frame = manifest.sha([
            chrome, [self.period(p)[0] for p in edition.periods],
            [self.of(c) for c in edition.commitments],
            _digest((data.organization, data.values, data.locations)),
        ])
        return frame, manifest.sha([frame, [self.period(p)[2] for p in edition.periods]])

    def files(self, edition: Edition, frame: str, whole: str,
              needs: Mapping[str, Needs | None]) -> dict[str, str]:
        """The digest of each generated file's inputs: the edition's frame and the
        measurements the file shows (all of them for a file without Needs)."""
        periods = [self.period(p) for p in edition.periods]
        ids = [p.id for p in edition.periods]
        found = {}
        for path, need in needs.items():
            if need is None:
                parts = [whole]
            else:
                parts = [frame]
                parts += [",".join(each.get(cid, "-") for _, each, _ in periods)
                          for cid in need.commitments]
                if need.through is not None:
                    parts += [all_ for _, _, all_ in periods[:ids.index(need.through) + 1]]
            found[path] = hashlib.sha256("\0".join([path, *parts]).encode()).hexdigest()[:32]
        return found


def _only_search(user: dict[str, Any]) -> bool:
    """Whether mkdocs.yml asks for no plugin but search, as _load_config finds after MkDocs
    loaded it. Then a file whose inputs did not change is taken from the previous build
    without being rendered: MkDocs needs only its metadata. Another plugin (hooks are
    plugins) might read any page."""
    plugins = user.get("plugins", ["search"])
    if isinstance(plugins, dict):
        names = list(plugins)
    elif isinstance(plugins, list):
        names = [next(iter(p), None) if isinstance(p, dict) else p for p in plugins]
    else:
        return False
    return not user.get("hooks") and all(
        isinstance(name, str) and name.lstrip("/") in ("search", "material/search")
        for name in names)


def _built(path: str) -> str:
    """Where a generated file is in the built edition."""
    return _dest(path) if path.endswith(".md") else path


# Written into the staging folder before the install: what the output owns while the install
# runs (what it owned and what it is given), put in place first.
OWNED_DURING = "owned-during-install.json"
# Kept's files at the top of an output folder, in the order the install puts them in place,
# after the editions: the manifest of digests is moved away first and back last, so that an
# install cut short (kill -9) causes a rebuild, never the reuse of a stale edition.
TOP_FILES = (PARSED, manifest.PAGES, manifest.CACHE, output.OWNED)


def _install(tmp: Path, out: Path, audiences: Iterable[str], plans: dict[str, list[Edition]],
             built: set[tuple[str, str]], stale_latest: set[str],
             updates: Mapping[tuple[str, str], Iterable[str]], owned: set[str],
             journal: output.Journal) -> None:
    """Move the new editions, latest/, versions.json, the root page and the manifests (all
    written beforehand into tmp) into out, each change recorded in the journal.

    Unchanged editions stay where they are; editions Kept owns that no longer exist (a removed
    draft) go; an edition of `updates` is brought up to date in place (see _update), the
    others built are replaced whole. Nothing that is not in `owned` is removed or replaced.
    """
    journal.mkdir(out)
    journal.replace_file(tmp / OWNED_DURING, out / output.OWNED)
    journal.keep(out / manifest.CACHE)
    journal.keep(out / manifest.PAGES)  # it describes the editions being replaced
    for audience in audiences:
        site = out / audience
        journal.mkdir(site)
        planned = [e.id for e in plans[audience]]
        for edition in planned:
            if (audience, edition) in updates:
                _update(tmp / audience / edition, site / edition, updates[(audience, edition)],
                        journal)
            elif (audience, edition) in built:
                _replace(tmp / audience / edition, site / edition, journal)
        for rel in sorted(owned):
            where, _, name = rel.partition("/")
            if where == audience and "/" not in name and name not in planned \
                    and name not in ("latest", "versions.json", "index.html"):
                journal.keep(out / rel)
        if planned and (site / "latest").is_dir() and audience in stale_latest:
            _mirror(site / planned[0], site / "latest", journal)
        elif planned and not (site / "latest").is_dir():
            _link_tree(site / planned[0], tmp / "latest" / audience)
            _replace(tmp / "latest" / audience, site / "latest", journal)
        elif not planned:
            journal.keep(site / "latest")
        for name in ("versions.json", "index.html"):
            journal.replace_file(tmp / "root" / audience / name, site / name)
    for name in TOP_FILES:
        if (tmp / name).exists():
            journal.replace_file(tmp / name, out / name)


def _owned_after(owned: set[str], audiences: Iterable[str],
                 plans: Mapping[str, list[Edition]]) -> set[str]:
    """What the output owns once the build is in place: what this build writes, and what it
    owned of the audiences it did not build."""
    built = set(audiences)
    after = {rel for rel in owned if rel.split("/", 1)[0] not in built and rel not in TOP_FILES}
    after |= set(TOP_FILES)
    for audience in built:
        after |= {f"{audience}/versions.json", f"{audience}/index.html"}
        after |= {f"{audience}/{e.id}" for e in plans[audience]}
        if plans[audience]:
            after.add(f"{audience}/latest")
    return after


def _check_owned(out: Path, owned: set[str], audiences: Iterable[str],
                 plans: Mapping[str, list[Edition]]) -> None:
    """Refuse, before anything is built, an output where this build would replace something
    Kept does not own (a folder of the user's named like an edition)."""
    for audience in audiences:
        if os.path.lexists(out / audience) and not (out / audience).is_dir():
            raise output.not_ours(out / audience)
    for rel in sorted(_owned_after(owned, audiences, plans) - owned):
        if os.path.lexists(out / rel):
            raise output.not_ours(out / rel)


def _update(new: Path, target: Path, stale: Iterable[str], journal: output.Journal) -> None:
    """Bring an edition up to date in place: move in the files the build wrote (new), then
    remove the generated files the edition no longer has, and the folders they leave empty.
    After an edit, a few files change among a thousand: making the edition again as a tree
    of links, and deleting the old one, cost more than the rest of the build."""
    for folder, _, names in os.walk(new):
        rel = os.path.relpath(folder, new)
        here = target if rel == "." else target / rel
        if os.path.lexists(here) and not here.is_dir():
            journal.keep(here)
        journal.mkdir(here)
        for name in names:
            if (here / name).is_dir():
                journal.keep(here / name)
            journal.replace_file(Path(folder, name), here / name)
    for rel in stale:
        gone = target / _built(rel)
        journal.keep(gone)
        for parent in gone.parents:
            if parent == target or not journal.rmdir(parent):
                break  # not empty


def _shared_memory() -> Path | None:
    """Where each audience's docs_dir (site_src/ files, Kept's stylesheet) is written for
    MkDocs to read: memory when the machine offers it (it is thrown away after the build),
    else (None) beside the output."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


STAGE_PREFIX = "kept-stage-"


def _staging_prefix(out: Path) -> str:
    return f".{out.name}.kept-"


def build_site(root: Path, out: Path | None = None, audiences: Iterable[str] = AUDIENCES,
               jobs: int | None = None, newest_only: bool = False,
               live_reload: bool = False, inputs: manifest.Inputs | None = None,
               python_tags: bool = False) -> BuildResult:
    """Validate the data and mkdocs.yml at root (python_tags: accepting every Python tag in
    it, see validate.check) and build every edition of each audience's site into out.

    An edition whose inputs (its projected data, the generator, site_src/, mkdocs.yml) have
    the same digest as when the previous output was built is reused from that output.
    newest_only and live_reload serve `kept serve`: one edition, pages that reload themselves.
    inputs, when the caller has digested them already (manifest.inputs with these options).
    """
    root = root.resolve()
    audiences = tuple(audiences)
    out = (out if out is not None else root / "site").resolve()
    if out == root or out in root.parents:
        raise KeptError(f"refusing to build into {out}: it holds the data; choose another --out")
    inputs = inputs or manifest.inputs(root, audiences, newest_only, live_reload, python_tags)
    done = manifest.unchanged(out, audiences, inputs.digest)
    if done is not None:
        return done
    with _Collections() as collections:
        return _build(root, out, audiences, jobs, newest_only, live_reload, inputs, collections,
                      python_tags)


class _Collections:
    """Garbage collection during a build. Loading the data and planning the editions make
    hundreds of thousands of objects that live as long as the build, and little garbage:
    collections went through them again and again (0.13 s of a 0.75 s one-edit build, 0.5 s
    of a cold build's workers). Collections wait until the plans are made, and leave the
    plans out (gc.freeze), in this process and in the workers, which inherit them: Python's
    documentation advises freezing before fork() for another reason too, as collections
    would write to every inherited object and copy the memory the processes share."""

    def __enter__(self) -> _Collections:
        self.enabled = gc.isenabled()
        gc.disable()
        return self

    def planned(self) -> None:
        gc.freeze()
        if self.enabled:
            gc.enable()

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()  # this process may go on (kept serve)
        if self.enabled:
            gc.enable()


def _build(root: Path, out: Path, audiences: tuple[str, ...], jobs: int | None,
           newest_only: bool, live_reload: bool, inputs: manifest.Inputs,
           collections: _Collections, python_tags: bool) -> BuildResult:
    owned = output.owned(out)
    parsed = ParseCache.read(out / PARSED)
    dataset, warnings = load_dataset(root, cache=parsed, site_config=True, python_tags=python_tags)
    user = _user_config(root)
    config_file = root / "mkdocs.yml"
    result = BuildResult(out, warnings=list(warnings))
    previous = manifest.edition_digests(manifest.read(out))
    cache = {k: v for k, v in previous.items() if k.split("/", 1)[0] not in audiences}
    pages_before = manifest.read_pages(out)
    known_pages = {k: v for k, v in pages_before.items() if k.split("/", 1)[0] not in audiences}
    digests = _Digests(inputs.common)
    skippable = _only_search(user)
    shm = _shared_memory()
    out.parent.mkdir(parents=True, exist_ok=True)
    output.remove_stale(out.parent, _staging_prefix(out))
    if shm is not None:
        output.remove_stale(shm, STAGE_PREFIX)
    with contextlib.ExitStack() as staging:
        staging.callback(_DIGESTS.clear)
        staging.callback(_PLANS.clear)
        tmp = staging.enter_context(output.claimed(
            out.parent / output.staging_name(_staging_prefix(out))))
        if shm is not None:
            stage = staging.enter_context(output.claimed(shm / output.staging_name(STAGE_PREFIX)))
        else:
            stage = tmp / ".stage"
            stage.mkdir()
        if not config_file.is_file():
            config_file = stage / "mkdocs.yml"
            config_file.write_text("site_name: Kept\ntheme:\n  name: material\n", encoding="utf-8")
        plans: dict[str, list[Edition]] = {}
        tasks: list[Task] = []
        _PLANS.clear()
        _DIGESTS[:] = [digests]
        for audience in audiences:
            site_files, extra_nav = _site_pages(root, audience)
            docs = stage / audience
            _stage(root, docs, site_files)
            plans[audience] = editions(project(dataset, audience), audience)
            if newest_only:
                plans[audience] = plans[audience][:1]
            for edition in plans[audience]:
                key = f"{audience}/{edition.id}"
                overrides = _overrides(user, dataset.organization.name, dataset.organization.url,
                                       audience, edition, extra_nav, docs, tmp / key)
                task = Task(audience, edition.id, str(root), str(config_file), overrides,
                            _epoch(edition), tuple(site_files), live_reload,
                            shared=str(tmp / ".shared"))
                chrome = digests.chrome(task)
                frame, cache[key] = digests.edition(edition, chrome)
                before = (out / key) if (out / key / "index.html").is_file() else None
                if previous.get(key) == cache[key] and before is not None:
                    result.reused.append(key)
                    if key in pages_before:
                        known_pages[key] = pages_before[key]
                    continue
                _PLANS[(audience, edition.id)] = edition
                chrome_before, known = manifest.decode_edition(pages_before.get(key))
                tasks.append(dataclasses.replace(
                    task, chrome=chrome, previous=str(before) if before else None,
                    frame=frame, whole=cache[key], skippable=skippable,
                    previous_files=tuple((path, *known[path]) for path in sorted(known)),
                    in_place=before is not None and chrome_before == chrome))
        _check_owned(out, owned, audiences, plans)
        collections.planned()
        jobs = jobs or os.cpu_count() or 1
        if len(tasks) < jobs:  # idle processors: each edition's pages rendered by several
            tasks = [_plan_files(t) for t in tasks]
            tasks = [dataclasses.replace(t, shares=jobs // len(tasks))
                     if _to_render(t) >= SHARED_RENDER else t for t in tasks]
        updates: dict[tuple[str, str], list[str]] = {}
        for task, (logged, records) in zip(tasks, _run(tasks, jobs), strict=True):
            result.mkdocs_warnings += logged
            key = f"{task.audience}/{task.edition}"
            if task.in_place:
                updates[(task.audience, task.edition)] = [
                    path for path, _, _ in task.previous_files if path not in records]
            known_pages[key] = manifest.encode_edition((task.chrome, records))
        # Every edition has built: from here on, only renames put the new output in place.
        site_name = str(user.get("site_name") or dataset.organization.name)
        for audience in audiences:
            _site_root_files(tmp / "root" / audience, audience, plans[audience], site_name)
            result.editions[audience] = [e.id for e in plans[audience]]
        built = {(t.audience, t.edition) for t in tasks}
        stale_latest = set()
        for audience in audiences:
            if plans[audience]:
                newest, latest = plans[audience][0].id, f"{audience}/latest"
                cache[latest] = cache[f"{audience}/{newest}"]
                if previous.get(latest) != cache[latest] or (audience, newest) in built:
                    stale_latest.add(audience)
        # Everything the install puts in place is written before it begins.
        parsed.write(tmp / PARSED)
        manifest.write_pages(tmp / manifest.PAGES, known_pages)
        manifest.write(tmp / manifest.CACHE, inputs.digest, cache, result)
        after = _owned_after(owned, audiences, plans)
        output.write_owned(tmp / OWNED_DURING, owned | after)
        output.write_owned(tmp / output.OWNED, after)
        journal = output.Journal(tmp / "trash")
        try:
            _install(tmp, out, audiences, plans, built, stale_latest, updates, owned, journal)
        except BaseException as exc:
            if journal.rollback():
                raise KeptError(f"the build failed while putting its output in place ({exc}), "
                                f"and some changes could not be undone: {out} may be "
                                "incomplete; build again") from exc
            raise
    return result
