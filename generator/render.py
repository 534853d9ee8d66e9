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
import html
import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import yaml

from generator import announce, charts, feeds, files, opendata, tables
from generator.compute import Status
from generator.errors import Problem
from generator.markup import BLOCK, MARKER_RE, inline, md_html, meta_text, put_blocks
from generator.model import Commitment, Period
from generator.pages import (
    EDITION_FILES,
    Needs,
    Page,
    commitment_files,
    group_feeds,
    nav,
    outputs,
    page_meta,
    page_url,
    pages,
    relative_url,
)
from generator.project import Edition
from generator.view import EditionView
from generator.words import change_text, date_text, num, plain, qty, target_text

# What the build takes from the rendering stage (pages lists them; rendering makes them).
__all__ = ["BYTECODE", "EDITION_FILES", "Needs", "Rendered", "environment", "merge", "meta_text",
           "nav", "outputs", "page_url", "pages", "render_edition", "render_page"]

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

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        try:
            super().__init__()
            self.on_disk = True
        except (OSError, RuntimeError):  # no private temporary folder: memory only
            self.on_disk = False

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
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is Markdown: free text is escaped by the filters below
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=BYTECODE,
    )
    env.filters.update(md=_md, mdblock=_mdblock, inline=inline, num=num, date=date_text,
                       status=tables.status_badge, plain=plain, h=tables.cell)
    env.globals.update(url=_url, href=_href, stash=_stash, asset=_asset,
                       results_table=_results_table, location_table=tables.by_location,
                       figure=tables.figure,
                       consistency_table=_consistency_table,
                       md_with_lead=md_with_lead, qty=qty, target_text=target_text, change_text=change_text,
                       internal_items=internal_items, Status=Status, period_label=lambda p: p.label)
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

    def expanded(self, path: str) -> str:
        """A page's Markdown with its blocks in place, as the reader will see them."""
        return put_blocks(self.files[path], self.blocks.get(path, []), MARKER_RE)


class _PageLinks:
    """Links and HTML blocks of the page being rendered.

    Templates reach these through the globals `url`, `href` and `stash`, so that the shared
    macros can be imported once (without the page's context) instead of once per page.
    """

    def __init__(self, path: str):
        self.here = posixpath.dirname(path)
        self.here_url = page_url(path)
        self.to_root = "../" * self.here_url.count("/")
        self.blocks: list[str] = []

    def url(self, target: str) -> str:
        """A Markdown link to another file of the edition (MkDocs resolves and checks it)."""
        target, _, anchor = target.partition("#")
        rel = relative_url(target, self.here).rstrip("/") or "."  # as posixpath.relpath has it
        return rel + (f"#{anchor}" if anchor else "")

    def href(self, target: str) -> str:
        """The final relative URL of a page, for links inside raw HTML (tables)."""
        target, _, anchor = target.partition("#")
        # Up to the edition's root, then down: cheaper than posixpath.relpath, and as good.
        rel = self.to_root + page_url(target) or "./"
        return rel + (f"#{anchor}" if anchor else "")

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
    return tables.results(view, commitment, _href)


def _consistency_table(view: EditionView, period: Period) -> str:
    return tables.consistency(view, period, _href)


def md_with_lead(text: str | None, lead: str | None = None) -> str:
    """A Markdown field as HTML (rendered once per process), optionally led by a bold label
    in its first paragraph ("You said: ...")."""
    rendered = md_html(text)
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
    links = _PageLinks(page.path)
    token = _PAGE.set(links)
    try:
        body = env.get_template(page.template).render(
            edition=view.edition, view=view, org=view.organization, period=view.period,
            page=page, **page.context)
    finally:
        _PAGE.reset(token)
    return _tidy(body) + "\n", page_meta(page), links.blocks


def static_files(view: EditionView, skip: Collection[str] = ()) -> dict[str, str]:
    """The edition's feeds, badges and open data, by path inside docs_dir; those in skip
    are left out (the build has them from before)."""
    edition = view.edition
    org = view.organization.name
    day = edition.period.published or edition.period.end
    makers = {
        "feed.xml": lambda: feeds.improvements_feed(org, day, edition.improvements,
                                                    view.link_from(""), view.all_corrections()),
        "api/commitments.json": lambda: opendata.commitments_json(edition, view.rows, view.status),
        "api/improvements.json": lambda: opendata.improvements_json(edition),
        "api/results.csv": lambda: opendata.results_csv(edition, view.rows),
        "announce.md": lambda: announce.announce_md(view),
        "announce.html": lambda: announce.announce_html(view),
    }
    made = {path: make() for path, make in makers.items() if path not in skip}
    for path in group_feeds(edition):
        if path not in skip:
            made[path] = _group_feed(view, path)
    for c in edition.commitments:
        badge, feed = commitment_files(c.id)
        if badge not in skip:
            made[badge] = charts.badge(c.title, view.status[c.id], view.attainment(c.id))
        if feed not in skip:
            made[feed] = feeds.commitment_feed(org, day, c, view.rows[c.id],
                                                view.improvements_for(c.id),
                                                view.link_from(posixpath.dirname(feed)),
                                                view.corrections(commitment=c.id))
    return made


def _group_feed(view: EditionView, path: str) -> str:
    """The feed of one value's promises, or of one location's figures."""
    kind, ident = path.split("/")[:2]
    edition = view.edition
    org = view.organization.name
    day = edition.period.published or edition.period.end
    link = view.link_from(posixpath.dirname(path))
    periods = []
    if kind == "values":
        value = edition.dataset.value(ident)
        members = {c.id for c in edition.commitments if c.value == ident}
        for period in edition.periods:
            rows = [(c, row) for c, row in view.period_rows(period) if c.id in members]
            if rows:
                score = view.score(period, ident)
                periods.append((period, f"{score.met} of {score.measured} met",
                                [f"{c.title}: {row.status.value}" for c, row in rows]))
        name = value.title if value else ident
        improvements = [i for i in edition.improvements if members & set(i.commitments)]
        return feeds.group_feed(org, day, "value", ident, name, periods, improvements, link,
                                posixpath.dirname(path))
    location = edition.dataset.location(ident)
    for period in edition.periods:
        lines = []
        for c, row in view.period_rows(period):
            figure = row.measurement.locations.get(ident) if row.measurement else None
            if figure is not None and figure.value is not None and c.metric is not None:
                met = view.met(c, figure.value, period)
                lines.append(f"{c.title}: {qty(figure.value, c.metric.unit)}"
                             f" ({'met' if met else 'missed'})")
        if lines:
            periods.append((period, f"{len(lines)} results", lines))
    name = location.name if location else ident
    return feeds.group_feed(org, day, "location", ident, name, periods, [], link,
                            posixpath.dirname(path))


def render_edition(edition: Edition, user_templates: Path | None = None,
                   part: tuple[int, int] = (0, 1), skip: Collection[str] = ()) -> Rendered:
    """Every generated file of the edition: Markdown pages, feeds, badges and open data.

    part=(i, n) renders the i-th of n interleaved shares of the pages (the last share has
    the feeds, badges and open data), for rendering one edition in several processes. The
    files in skip are not rendered (the build takes them from its previous output): such a
    page gets its metadata and no Markdown, and is listed in `reused`.
    """
    index, shares = part
    env = environment(user_templates)
    view = EditionView(edition)
    rendered = Rendered({}, {}, {}, {})
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
    return rendered


def merge(parts: list[Rendered], order: list[str]) -> Rendered:
    """One Rendered of the shares of an edition, its pages in the order given."""
    merged = Rendered({}, {}, {}, {})
    for part in parts:
        merged.meta.update(part.meta)
        merged.blocks.update(part.blocks)
        merged.assets.update(part.assets)
        merged.reused.update(part.reused)
    files = {path: body for part in parts for path, body in part.files.items()}
    merged.files.update((path, files[path]) for path in order)
    return merged
