"""Render an edition: Markdown pages with Jinja2 templates, then feeds, badges and open data.

Templates ship in the package (`generator/templates/`) and can be overridden from
`site_src/templates/`; an override may extend the shipped one as `default:NAME`.

Free text from YAML reaches a page only through these filters: `md` and `mdblock` for
Markdown fields (rendered by `markup.md_html`, raw HTML shown as text, and kept out of MkDocs'
Markdown behind a marker), `inline` for plain one-line text, `h` inside HTML, `meta_text` for
titles and descriptions. Big HTML (tables, charts) is kept out of MkDocs' Markdown with
`stash`, which leaves a marker the plugin replaces.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import html
import os
import posixpath
import re
import traceback
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.sandbox
import yaml

from generator import files, opendata, tables
from generator.compute import Status
from generator.errors import DataError, Problem
from generator.i18n import ntr, tr
from generator.markup import BLOCK, MARKER_RE, h, in_language, inline, md_html, meta_text, put_blocks
from generator.model import Commitment, Period
from generator.pages import (
    EDITION_FILES,
    Needs,
    Page,
    moved,
    moved_to,
    nav,
    outputs,
    page_meta,
    page_url,
    pages,
    relative_url,
)
from generator.project import Edition
from generator.static import latest_files, static_files
from generator.view import EditionView
from generator.words import (
    change_text,
    date_text,
    difference_text,
    num,
    plain,
    qty,
    review_every,
    target_text,
)

# What the build takes from the rendering stage (pages lists them; rendering makes them).
__all__ = ["BYTECODE", "EDITION_FILES", "Needs", "Rendered", "environment", "merge", "meta_text",
           "nav", "outputs", "page_url", "pages", "render_edition", "render_latest", "render_page"]

TEMPLATES = Path(__file__).parent / "templates"


def internal_items(mapping: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """An `internal:` mapping as (key, text, is_block) rows; nested values become YAML blocks."""
    rows = []
    for key, value in mapping.items():
        if isinstance(value, (dict, list)):
            rows.append((key, yaml.safe_dump(_plain_data(value), sort_keys=False,
                                             allow_unicode=True).rstrip(), True))
        else:
            rows.append((key, "" if value is None else str(value), False))
    return rows


def _plain_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    return value


@functools.lru_cache(maxsize=8)
class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates (Kept's and the theme's), kept in memory for the life of the
    process and on disk (in Jinja's per-user temporary folder) between runs.

    MkDocs makes a new template environment for every build, so Material's templates would
    otherwise be compiled again for every edition; and every worker process, and every
    `kept build`, would compile Kept's own again.
    """

    def __init__(self, kind: str = "") -> None:
        self.kind = kind
        self.store: dict[str, bytes] = {}
        try:
            super().__init__()
            self.on_disk = True
        except (OSError, RuntimeError):  # no private temporary folder: memory only
            self.on_disk = False

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """The key of a template's code; a sandbox compiles a template to other code than a
        plain environment (its calls are checked), under other keys."""
        key = super().get_cache_key(name, filename)
        return key if not self.kind else hashlib.sha1(f"{self.kind}|{key}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is None and self.on_disk:
            super().load_bytecode(bucket)
            if bucket.code is not None:
                self.store[bucket.key] = bucket.bytecode_to_string()
        elif data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()
        if self.on_disk:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass  # a cache that cannot be written only costs time


BYTECODE = _BytecodeCache()
SANDBOXED_BYTECODE = _BytecodeCache("sandboxed")


def environment(user_templates: Path | None) -> jinja2.Environment:
    """The template environment, compiled once per process and reused by every edition."""
    return _environment(user_templates)


class _UserTemplates(jinja2.BaseLoader):
    """The templates of site_src/templates, read as every user file is (files.read_bytes):
    Jinja's FileSystemLoader follows a link anywhere, and would render what it finds into
    every page. The repository's root is the folder above site_src/."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.root = folder.parent.parent

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Any]:
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not path.is_file() and not path.is_symlink():
            raise jinja2.TemplateNotFound(template)
        rel = path.relative_to(self.root).as_posix()
        raw = files.read_bytes(self.root, rel, files.MAX_SITE_FILE_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise files.Refused(Problem(rel, 1, 1, "the template is not UTF-8 text",
                                        "save it as UTF-8")) from None
        mtime = path.stat().st_mtime_ns
        return text, str(path), lambda: path.exists() and path.stat().st_mtime_ns == mtime

    def list_templates(self) -> list[str]:
        folder = self.folder.relative_to(self.root).as_posix()
        return [rel[len(folder) + 1:] for rel in files.walk(self.root, folder).files]


def _environment(user_templates: Path | None) -> jinja2.Environment:
    package = jinja2.FileSystemLoader(str(TEMPLATES))
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None and user_templates.is_dir():
        loaders.append(_UserTemplates(user_templates))
    loaders += [jinja2.PrefixLoader({"default": package}, delimiter=":"), package]
    # The user's templates run in a sandbox: they come with pull requests, and a plain
    # environment lets a template reach any Python function (cycler.__init__.__globals__.os),
    # so run any command on the machine that builds, CI's among them. Immutable: no template
    # changes the data. Kept's own templates, alone, render faster without it (see
    # docs/performance.md).
    sandboxed = len(loaders) > 2
    kind = jinja2.sandbox.ImmutableSandboxedEnvironment if sandboxed else jinja2.Environment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is Markdown: free text is escaped by the filters below
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=SANDBOXED_BYTECODE if sandboxed else BYTECODE,
    )
    env.filters.update(md=_md, mdblock=_mdblock, inline=inline, num=num, date=date_text,
                       status=tables.status_badge, plain=plain, h=tables.cell, attr=h)
    env.globals.update(_=tr, ngettext=ntr, url=_url, href=_href, stash=_stash, asset=_asset,
                       results_table=_results_table, location_table=_location_table,
                       figure=tables.figure,
                       consistency_table=_consistency_table,
                       md_with_lead=md_with_lead, qty=qty, target_text=target_text, change_text=change_text,
                       difference_text=difference_text,
                       internal_items=internal_items, Status=Status, review_every=review_every,
                       period_label=lambda p: p.label)
    return env


@dataclass(frozen=True)
class Rendered:
    """An edition's generated files, and the HTML blocks its pages stand in for.

    The pages go to MkDocs in memory, with their metadata beside them rather than as front
    matter (which MkDocs would parse with PyYAML's pure-Python loader). Big HTML (tables,
    charts) does not go through Markdown: a page holds a one-line marker per block, and the
    build puts the block in place after Markdown ran (see `plugin`). Parsing that HTML inside
    Markdown, twice, cost more than everything else in a page.
    """

    files: dict[str, str]  # Markdown pages, by path in docs_dir
    meta: dict[str, dict[str, Any]]  # each page's metadata (title, description, search)
    blocks: dict[str, list[str]]
    assets: dict[str, str]  # feeds, badges, open data: written beside the built pages
    # Pages not rendered, whose HTML the build takes from its previous output (no Markdown).
    reused: set[str] = field(default_factory=set)
    # Of the newest edition: what latest/ holds instead of its files (static.latest_files).
    latest: dict[str, str] = field(default_factory=dict)
    # Pages the edition serves as redirects (pages.Moved): links to them resolve, and are
    # not built (the redirects are assets).
    moved: tuple[str, ...] = ()

    def expanded(self, path: str) -> str:
        """A page's Markdown with its blocks in place, as the reader will see them."""
        return put_blocks(self.files[path], self.blocks.get(path, []), MARKER_RE)


class _PageLinks:
    """Links and HTML blocks of the page being rendered.

    Templates reach these through the globals `url`, `href` and `stash`, so that the shared
    macros can be imported once (without the page's context) instead of once per page.
    """

    def __init__(self, path: str, moved_to: Mapping[str, str] | None = None):
        self.here = posixpath.dirname(path)
        self.here_url = page_url(path)
        self.to_root = "../" * self.here_url.count("/")
        self.blocks: list[str] = []
        # The pages the edition serves as redirects, and the edition each is in, in full
        self.moved_to = moved_to or {}

    def url(self, target: str) -> str:
        """A Markdown link to another file of the edition (MkDocs resolves and checks it)."""
        target, _, anchor = target.partition("#")
        if anchor and target in self.moved_to:
            return self._where_in_full(target, anchor)
        rel = relative_url(target, self.here).rstrip("/") or "."  # as posixpath.relpath has it
        return rel + (f"#{anchor}" if anchor else "")

    def href(self, target: str) -> str:
        """The final relative URL of a page, for links inside raw HTML (tables)."""
        target, _, anchor = target.partition("#")
        if anchor and target in self.moved_to:
            return self._where_in_full(target, anchor)
        # Up to the edition's root, then down: cheaper than posixpath.relpath, and as good.
        rel = self.to_root + page_url(target) or "./"
        return rel + (f"#{anchor}" if anchor else "")

    def _where_in_full(self, target: str, anchor: str) -> str:
        """A place in a page the edition serves as a redirect: in the edition where the page
        is in full (a redirect loses the place)."""
        return f"{self.to_root}../{self.moved_to[target]}/{page_url(target)}#{anchor}"

    def asset(self, target: str) -> str:
        """The relative URL of a file that is not a page (feed, badge, JSON)."""
        return self.to_root + target

    def stash(self, html_block: str) -> str:
        """Keep trusted, escaped HTML out of Markdown; leave a marker paragraph in its place."""
        return "\n\n" + self.marker(html_block) + "\n\n"

    def marker(self, html_block: str) -> str:
        """The marker alone, for a block inside a line of Markdown (a list item)."""
        self.blocks.append(_one_line(str(html_block)))
        return BLOCK.format(len(self.blocks) - 1)


_PRE = re.compile(r"<pre[\s>].*?</pre>", re.S | re.I)


def _one_line(block: str) -> str:
    """A block of HTML on one line, without the templates' indentation; the line breaks of
    preformatted text (code in Markdown fields, structured internal notes) stay, written as
    character references."""
    if "<pre" in block:
        block = _PRE.sub(lambda m: m.group(0).replace("\n", "&#10;"), block)
    return " ".join(text for line in block.splitlines() if (text := line.strip()))


# The page being rendered: templates reach its links and blocks through the globals below,
# so that the shared macros are imported once, not once per page.
_PAGE: contextvars.ContextVar[_PageLinks] = contextvars.ContextVar("kept_page")


def _url(target: str) -> str:
    return _PAGE.get().url(target)


def _href(target: str) -> str:
    return _PAGE.get().href(target)


def _stash(html_block: str) -> str:
    return _PAGE.get().stash(html_block)


def _asset(target: str) -> str:
    return _PAGE.get().asset(target)


def _results_table(view: EditionView, commitment: Commitment) -> str:
    return tables.results(view, commitment, _href) + tables.earlier(view, commitment, _history())


def _location_table(view: EditionView, commitment: Commitment) -> str:
    return tables.by_location(view, commitment, _history())


def _history() -> str:
    """The open data with every result of every period, from the page being rendered:
    latest/'s (an edition's holds its own period's: see static.latest_files)."""
    return _PAGE.get().to_root + "../latest/api/results.csv"


def _consistency_table(view: EditionView, period: Period) -> str:
    return tables.consistency(view, period, _href)


def md_with_lead(text: str | None, lead: str | None = None) -> str:
    """A Markdown field as HTML (rendered once per process), optionally led by a bold label
    in its first paragraph ("You said: ...")."""
    rendered = in_language(text, md_html(text), block=True)
    if not lead or not rendered:
        return rendered
    label = f"<strong>{html.escape(lead)}</strong> "
    if rendered.startswith("<p>"):
        return rendered.replace("<p>", "<p>" + label, 1)
    return f"<p>{label}</p>{rendered}"


def _mdblock(text: str | None, lead: str | None = None) -> str:
    """A Markdown field as a block of HTML kept out of MkDocs' Markdown."""
    return _stash(md_with_lead(text, lead)) if text else ""


def _md(text: str | None, lead: str | None = None) -> str:
    """A Markdown field where a line of Markdown has room for it (a list item): its marker,
    which the rendered HTML replaces. The field never reaches MkDocs' Markdown."""
    return _PAGE.get().marker(md_with_lead(text, lead)) if text else ""


# A marker paragraph with the blank lines around it: Python-Markdown spends more on a run of
# blank lines than on a paragraph, and stash() adds its own on top of the template's.
_MARKER_GAP = re.compile(r"\n{3,}(⟦kept-block-\d+⟧)(?=\n)|(?<=⟧)\n{3,}")


def _tidy(body: str) -> str:
    return _MARKER_GAP.sub(lambda m: f"\n\n{m.group(1)}" if m.group(1) else "\n\n", body.strip())


def render_page(env: jinja2.Environment, view: EditionView,
                page: Page) -> tuple[str, dict[str, Any], list[str]]:
    """A page's Markdown, its metadata (what front matter would hold) and its HTML blocks."""
    links = _PageLinks(page.path, moved_to(view.edition))
    token = _PAGE.set(links)
    try:
        body = env.get_template(page.template).render(
            edition=view.edition, view=view, org=view.organization, period=view.period,
            page=page, **page.context)
    except Exception as exc:
        problem = _template_problem(env, exc)
        if problem is None:
            raise
        raise DataError([problem]) from None
    finally:
        _PAGE.reset(token)
    return _tidy(body) + "\n", page_meta(page), links.blocks


def _user_loader(env: jinja2.Environment) -> _UserTemplates | None:
    loader = env.loader
    found = loader.loaders[0] if isinstance(loader, jinja2.ChoiceLoader) and loader.loaders else None
    return found if isinstance(found, _UserTemplates) else None


def _template_problem(env: jinja2.Environment, exc: Exception) -> Problem | None:
    """What went wrong in a template of site_src/templates, located at the line of the
    user's template where it happened (a template that the sandbox stopped, a syntax error, a
    name that does not exist, a function given the wrong values); None for anything else."""
    user = _user_loader(env)
    if user is None or isinstance(exc, DataError):
        return None
    folder = str(user.folder) + os.sep
    where: tuple[str, int] | None = None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename and exc.lineno:
        where = (exc.filename, exc.lineno)
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.startswith(folder) and frame.lineno:
                where = (frame.filename, frame.lineno)
    if where is None or not where[0].startswith(folder):
        return None
    rel = Path(where[0]).relative_to(user.root).as_posix()
    detail = (exc.message if isinstance(exc, jinja2.TemplateError) and exc.message
              else str(exc)).rstrip(".")
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return Problem(rel, where[1], 1, f"the template does what a template may not: {detail}",
                       "a template reaches the data and Kept's filters and functions only")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(rel, where[1], 1, f"template syntax error: {detail}",
                       "see Jinja's template documentation")
    return Problem(rel, where[1], 1, f"the template failed: {type(exc).__name__}: {detail}",
                   "compare it with Kept's own template of the same name")


def check_templates(root: Path) -> list[Problem]:
    """Syntax errors in the templates of site_src/templates, each at its line (what a
    template does is known only when it renders)."""
    env = _environment(root / "site_src" / "templates")
    user = _user_loader(env)
    problems: list[Problem] = []
    for name in user.list_templates() if user is not None else []:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problem = _template_problem(env, exc)
            if problem is not None:
                problems.append(problem)
        except (jinja2.TemplateError, DataError):
            continue  # not UTF-8, or refused: said by the check of site_src/
    return problems


def render_edition(edition: Edition, user_templates: Path | None = None,
                   part: tuple[int, int] = (0, 1), skip: Collection[str] = (),
                   latest: bool = False) -> Rendered:
    """Every generated file of the edition: Markdown pages, feeds, badges and open data;
    with latest, latest/'s own files too (the newest edition's: see static.latest_files).

    part=(i, n) renders the i-th of n interleaved shares of the pages (the last share has
    the feeds, badges and open data), for rendering one edition in several processes. The
    files in skip are not rendered (the build takes them from its previous output): such a
    page gets its metadata and no Markdown, and is listed in `reused`.
    """
    index, shares = part
    env = environment(user_templates)
    view = EditionView(edition)
    rendered = Rendered({}, {}, {}, {}, moved=tuple(m.path for m in moved(edition)))
    todo = []
    for page in pages(edition):
        if page.path in skip:
            rendered.files[page.path] = ""
            rendered.meta[page.path] = page_meta(page)
            rendered.reused.add(page.path)
        else:
            todo.append(page)
    for page in todo[index::shares]:
        body, meta, blocks = render_page(env, view, page)
        rendered.files[page.path] = body
        rendered.meta[page.path] = meta
        if blocks:
            rendered.blocks[page.path] = blocks
    if index == shares - 1:
        rendered.assets.update(static_files(view, skip))
        if latest:
            rendered.latest.update(latest_files(view))
    return rendered


def render_latest(edition: Edition, reuse: opendata.Reuse = opendata.made) -> dict[str, str]:
    """latest/'s own files, made apart from the edition's (see builder), with what did not
    change taken from before (see latest.Reuse)."""
    return latest_files(EditionView(edition), reuse)


def merge(parts: list[Rendered], order: list[str]) -> Rendered:
    """One Rendered of the shares of an edition, its pages in the order given."""
    merged = Rendered({}, {}, {}, {}, moved=parts[0].moved if parts else ())
    for part in parts:
        merged.meta.update(part.meta)
        merged.blocks.update(part.blocks)
        merged.assets.update(part.assets)
        merged.reused.update(part.reused)
        merged.latest.update(part.latest)
    files = {path: body for part in parts for path, body in part.files.items()}
    merged.files.update((path, files[path]) for path in order)
    return merged
