"""The MkDocs plugin Kept adds to every build: safe links, and the internal site's markings."""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import os
import pkgutil
import posixpath
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import markdown
import markdown.extensions
import material
import mkdocs
from mkdocs.plugins import BasePlugin
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from generator import files
from generator.markup import page_html
from generator.render import BYTECODE, Rendered

# The address given to a site whose real one is unknown (the internal site, or a public site
# without organization.url): MkDocs writes page addresses into sitemap.xml only when it has
# one, and Material's version selector needs them to stay on the same page across editions.
PLACEHOLDER_URL = "https://kept.invalid/"

_CANONICAL = '<link rel="canonical" href="' + PLACEHOLDER_URL
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.I)
_HEAD_END = re.compile(r"</head>", re.I)


def head_tags(page: Any, config: Any) -> str:
    """Feed discovery on every page, and share cards (Open Graph) for links pasted elsewhere."""
    url = page.url or ""
    to_root = "../" * url.count("/")
    site_url = config.get("site_url") or ""
    # One feed is announced: Material looks for a sitemap.xml beside every alternate link,
    # and only the edition's root has one. Commitment feeds are linked from their pages.
    tags = [f'<link rel="alternate" type="application/atom+xml" title="You said, we did" '
            f'href="{to_root}feed.xml">']
    meta = page.meta or {}
    title = html.escape(str(meta.get("title") or page.title or ""), quote=True)
    description = html.escape(str(meta.get("description") or ""), quote=True)
    site_name = html.escape(str(config.get("site_name") or ""), quote=True)
    tags += ['<meta property="og:type" content="website">',
             f'<meta property="og:site_name" content="{site_name}">',
             f'<meta property="og:title" content="{title}">',
             f'<meta property="og:description" content="{description}">',
             '<meta name="twitter:card" content="summary">']
    if site_url and not site_url.startswith(PLACEHOLDER_URL):
        tags.append(f'<meta property="og:url" content="{html.escape(site_url + url, quote=True)}">')
    return "\n".join(tags) + "\n"

BANNER = (
    '<div class="kept-internal-banner" role="note"><strong>Internal</strong>: for the team '
    "only. Do not share with customers.</div>\n"
)


# Theme file listings by (theme folders, filter, static templates), with the modification
# time of every folder of the theme when they were made.
_LISTINGS: dict[tuple[Any, ...], tuple[dict[str, int], list[str]]] = {}


def _cache_listing(env: jinja2.Environment, static_templates: tuple[str, ...]) -> None:
    """MkDocs lists every file of the theme (Material ships thousands of icons) and matches
    each against a dozen patterns, once per build. The filtered list is kept for the life of
    the process, and on disk beside the compiled templates, for as long as no folder of the
    theme changed (a file added, removed or renamed changes its folder's time)."""
    paths = tuple(getattr(env.loader, "searchpath", ()))
    listing = env.list_templates

    def cached(extensions: Any = None, filter_func: Any = None) -> list[str]:
        code = getattr(filter_func, "__code__", None)
        if not paths or (filter_func is not None and code is None):
            return listing(extensions=extensions, filter_func=filter_func)
        key = (paths, tuple(extensions or ()), code, static_templates)
        known = _LISTINGS.get(key)
        if known is None or not _unchanged(known[0]):
            known = _LISTINGS[key] = _stored_listing(
                key, lambda: listing(extensions=extensions, filter_func=filter_func))
        return list(known[1])

    env.list_templates = cached  # type: ignore[method-assign]


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _unchanged(folders: dict[str, int]) -> bool:
    return all(_mtime(folder) == when for folder, when in folders.items())


def _folders(paths: tuple[str, ...]) -> dict[str, int]:
    """Every folder under paths (as Jinja walks them: not through links), with its time."""
    found = {}
    for top in paths:
        found[top] = _mtime(top)
        for folder, _, _ in os.walk(top):
            found[folder] = _mtime(folder)
    return found


def _stored_listing(key: tuple[Any, ...], compute: Any) -> tuple[dict[str, int], list[str]]:
    """compute() with the theme's folders, read from the disk when they did not change."""
    paths, extensions, code, static_templates = key
    where = None
    if BYTECODE.on_disk:
        # The filter is MkDocs' own: its version, place and bytecode name it.
        what = repr((paths, extensions, static_templates, mkdocs.__version__,
                     code and (code.co_filename, code.co_firstlineno, code.co_code)))
        name = f"kept-listing-{hashlib.sha256(what.encode()).hexdigest()[:32]}.json"
        where = Path(BYTECODE.directory) / name
        try:
            data = json.loads(where.read_text(encoding="utf-8"))
            folders = {str(k): int(v) for k, v in data["folders"].items()}
            if _unchanged(folders):
                return folders, [str(n) for n in data["names"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    folders = _folders(paths)  # before listing: a change meanwhile shows next time
    names = list(compute())
    if where is not None:
        partial = where.with_name(f"{where.name}.{os.getpid()}")
        try:
            partial.write_text(json.dumps({"folders": folders, "names": names}), encoding="utf-8")
            os.replace(partial, where)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return folders, names


# Material's own folder of templates.
MATERIAL = str(Path(material.__file__).parent / "templates")


def _nav_key(context: Any) -> str | None:
    """What Material's navigation depends on for a page outside it: the page's folder, which
    its relative links (to pages, the logo, the home page) start from; the rest is the same
    for every page of the build. None for a page in the navigation, which marks itself and
    its section there, or one whose folder holds a target of those links."""
    page, nav = context.get("page"), context.get("nav")
    if page is None or nav is None or not page.url or getattr(page, "parent", None) is not None:
        return None
    config = context.get("config")
    if config is None:
        return None
    theme = config.get("theme")
    logo = theme["logo"] if theme is not None and "logo" in theme else None
    homepage = (config.get("extra") or {}).get("homepage")
    urls = [*_nav_urls(nav.items), str(logo or ""), str(homepage or "")]
    if page in nav.pages or any(url.startswith(page.url) for url in urls):
        return None  # from a page's own folder, links into it would be written differently
    return posixpath.dirname(page.url.rstrip("/"))


def _nav_urls(items: Any) -> list[str]:
    urls = []
    for item in items:
        urls.append(getattr(item, "url", None) or "")
        urls += _nav_urls(getattr(item, "children", None) or [])
    return urls


def _toc_shape(links: Any) -> tuple[Any, ...] | None:
    shape = []
    for link in links:
        if hasattr(link, "typeset"):
            return None
        children = _toc_shape(link.children)
        if children is None:
            return None
        shape.append((link.title, link.url, link.level, children))
    return tuple(shape)


def _toc_key(context: Any) -> tuple[Any, ...] | None:
    """What Material's table of contents depends on: the page's headings, without the page
    title (a first heading of level 1 stands for the page: its children are shown)."""
    page = context.get("page")
    if page is None or page.toc is None:
        return None
    links = list(page.toc)
    if links and links[0].level == 1:
        links = links[0].children
    return _toc_shape(links)


def _same_for_all(context: Any) -> str:
    """For a partial that shows only the build's settings and words (the search box)."""
    return ""


def _footer_key(context: Any) -> str | None:
    """The footer links to the previous and next pages of the navigation, when the page has
    them; otherwise it shows only the build's settings."""
    page = context.get("page")
    if page is None or page.previous_page is not None or page.next_page is not None:
        return None
    return ""


# Material partials rendered once per build for all the pages that would render them alike,
# by what they depend on, with the partials they include. Commitment pages are most of a site,
# all outside the navigation and most with the same headings; the navigation cost them more
# than Kept's own rendering.
_PURE_PARTIALS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "partials/nav.html": (_nav_key, ("partials/nav.html", "partials/nav-item.html",
                                     "partials/logo.html", "partials/source.html")),
    "partials/toc.html": (_toc_key, ("partials/toc.html", "partials/toc-item.html")),
    "partials/search.html": (_same_for_all, ("partials/search.html",)),
    "partials/footer.html": (_footer_key, ("partials/footer.html", "partials/copyright.html",
                                           "partials/social.html")),
}
# Material's translations: lang.t(key) depends on the key and the site's language only.
_LANGUAGE = "partials/language.html"


def _memoize_partials(env: jinja2.Environment, theme_dirs: list[str]) -> None:
    """Serve the partials of _PURE_PARTIALS, and Material's translations, from memos kept for
    the build, when they and what they include are Material's own: a custom_dir may override
    any template, icons among them, with one that shows something of the page."""
    custom = theme_dirs[:theme_dirs.index(MATERIAL)] if MATERIAL in theme_dirs else None
    if custom is None or any(os.path.isdir(os.path.join(d, ".icons")) for d in custom):
        return

    def own(name: str) -> bool:
        return not any(os.path.exists(os.path.join(d, name)) for d in custom)

    # Every partial is rendered with the page's translations: overridden, they could show
    # something of the page.
    if not (own(_LANGUAGE) and own("partials/languages")):
        return
    pure = {name: key for name, (key, parts) in _PURE_PARTIALS.items() if all(map(own, parts))}
    get_template = env.get_template

    def memoized_get_template(name: Any, parent: Any = None, globals: Any = None) -> Any:
        template = get_template(name, parent, globals)
        if getattr(template, "_kept_memo", False):
            return template
        key_of = pure.get(template.name or "")
        if key_of is not None:
            template.root_render_func = _memoized(template.root_render_func, key_of)
        elif template.name == _LANGUAGE:
            template.make_module = _translations(template.make_module)  # type: ignore[method-assign]
        template._kept_memo = True  # type: ignore[attr-defined]
        return template

    env.get_template = memoized_get_template  # type: ignore[method-assign]


def _translations(make_module: Any) -> Any:
    """Material imports its translations into every page (with the page's context) and looks
    up each word through a macro that builds the whole dictionary of the language. What the
    import defines depends on the site's language alone: it is made once per language and
    build, and each word is looked up once."""
    modules: dict[str, Any] = {}

    def module(values: Any = None, *args: Any, **kwargs: Any) -> Any:
        config = values.get("config") if isinstance(values, Mapping) else None
        theme = config.get("theme") if config is not None else None
        language = theme.get("language") if isinstance(theme, Mapping) else None
        if not isinstance(language, str):
            return _looked_up_once(make_module(values, *args, **kwargs), {})
        if language not in modules:
            modules[language] = _looked_up_once(make_module(values, *args, **kwargs), {})
        return modules[language]

    return module


def _looked_up_once(made: Any, words: dict[str, Any]) -> Any:
    lookup = made.t

    def t(*key: Any, **options: Any) -> Any:
        if options or len(key) != 1 or not isinstance(key[0], str):
            return lookup(*key, **options)
        if key[0] not in words:
            words[key[0]] = lookup(key[0])
        return words[key[0]]

    made.t = t
    return made


def _memoized(render: Any, key_of: Any) -> Any:
    memo: dict[Any, str] = {}

    def root(context: Any) -> Any:
        key = key_of(context)
        if key is None:
            yield from render(context)
            return
        if key not in memo:
            memo[key] = "".join(render(context))
        yield memo[key]

    return root


def _walk_order(src_uri: str) -> tuple[tuple[int, Any], ...]:
    """Where os.walk, as MkDocs runs it, meets a file: a folder's files (index first) before
    its subfolders, both sorted by name."""
    *folders, name = src_uri.split("/")
    stem = name.rsplit(".", 1)[0]
    return (*((1, folder) for folder in folders), (0, (stem not in ("index", "README"), name)))


# Markdown that can link somewhere: inline and reference links, autolinks, raw HTML.
_LINKS = re.compile(r"\]\s*[(\[:]|<")
# Generated pages converted by Markdown in this process, by (Markdown settings, page, source).
_CONVERTED: dict[tuple[str, str, str], tuple[str, Any, str | None, frozenset[str]]] = {}


# The template of a page left out of this build: it renders nothing.
_LEFT_OUT = "kept-left-out.html"


def _render_nothing(page: Page, config: Any, files: Files) -> None:
    page.content = ""
    page.toc = get_toc([])
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


class _RepositoryLoader(jinja2.FileSystemLoader):
    """The theme's template folders, those inside the repository read through files.read_bytes:
    Jinja follows a link anywhere, through a linked folder too (which the check of the
    folder's files does not walk), and would render what it finds into every page."""

    def __init__(self, searchpath: Any, root: Path):
        super().__init__(searchpath)
        self.root = root
        real_root = os.path.realpath(root)
        self.inside = [files.within(real_root, os.path.realpath(folder)) for folder in self.searchpath]

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder, inside in zip(self.searchpath, self.inside, strict=True):
            path = os.path.join(folder, *pieces)
            if not os.path.isfile(path):
                continue
            if not inside:
                return super().get_source(environment, template)  # a package's own templates
            break
        else:
            raise jinja2.TemplateNotFound(template)
        rel = os.path.relpath(path, self.root)
        text = files.read_bytes(self.root, rel, files.MAX_SITE_FILE_BYTES).decode("utf-8")
        mtime = os.path.getmtime(path)
        return text, os.path.normpath(path), lambda: os.path.isfile(path) and os.path.getmtime(path) == mtime


def _link_shared(file: File, shared: Path, dirty: bool = False) -> None:
    """File.copy_file, through one copy per build of each source file."""
    source = str(file.abs_src_path)
    target = Path(file.abs_dest_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    stored = shared / hashlib.sha256(source.encode()).hexdigest()
    if not stored.exists():
        shared.mkdir(parents=True, exist_ok=True)
        partial = stored.with_name(f"{stored.name}.{os.getpid()}")
        shutil.copyfile(source, partial)
        os.replace(partial, stored)  # workers copying the same file at once: either wins
    try:
        os.link(stored, target)
    except OSError:
        shutil.copyfile(source, target)


def _copy_link(link: AnchorLink) -> AnchorLink:
    copied = AnchorLink(link.title, link.id, link.level)
    copied.children = [_copy_link(child) for child in link.children]
    if hasattr(link, "active"):
        copied.active = link.active  # type: ignore[attr-defined]
    return copied


# Markdown converters by settings, reused from page to page in this process (see _convert).
_CONVERTERS: dict[str, markdown.Markdown | None] = {}
# Extensions known to clear their state in Markdown.reset(), by the package they come from.
_RESETTABLE = ("markdown.extensions.", "pymdownx.", "material.extensions.")
# Markdown's own extensions, which MkDocs configs name by their short names ("toc").
_BUILTIN = {module.name for module in pkgutil.iter_modules(markdown.extensions.__path__)}


# Extensions whose reset() changes their output: footnotes numbers its ids by conversion.
_COUNTING = ("markdown.extensions.footnotes",)


def _resettable(extension: Any) -> bool:
    if not isinstance(extension, str):
        name = type(extension).__module__
    else:
        name = extension.split(":", 1)[0]
        if name in _BUILTIN:
            name = f"markdown.extensions.{name}"
    return name.startswith(_RESETTABLE) and not name.startswith(_COUNTING)


def _converter(settings: str, config: Any) -> markdown.Markdown | None:
    """This process's converter for the settings, reset for a new page; None when an
    extension might keep state from one page to the next (then each page gets its own)."""
    if settings not in _CONVERTERS:
        md = markdown.Markdown(extensions=config["markdown_extensions"],
                               extension_configs=config["mdx_configs"] or {})
        safe = (all(map(_resettable, config["markdown_extensions"]))
                and all(map(_resettable, md.registeredExtensions)))
        _CONVERTERS[settings] = md if safe else None
    md = _CONVERTERS[settings]
    return md.reset() if md is not None else None


def _convert(page: Page, settings: str, config: Any, files: Files) -> None:
    """Page.render with one Markdown converter for every generated page of the process:
    MkDocs builds a converter per page (every extension loaded and registered again), which
    cost as much as converting a generated page. Markdown's API allows reuse after reset(),
    and MkDocs' per-page processors are registered again under their own names."""
    md = _converter(settings, config)
    if md is None:
        Page.render(page, config, files)
        return
    raw_html = mkdocs_pages._RawHTMLPreprocessor()
    raw_html._register(md)
    anchors = mkdocs_pages._ExtractAnchorsTreeprocessor(page.file, files, config)
    anchors._register(md)
    relative = mkdocs_pages._RelativePathTreeprocessor(page.file, files, config)
    relative._register(md)
    title = mkdocs_pages._ExtractTitleTreeprocessor()
    title._register(md)
    page.content = md.convert(page.markdown or "")
    page.toc = get_toc(getattr(md, "toc_tokens", []))
    page._title_from_render = title.title
    page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
    if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = relative.links_to_anchors


def _render_once(page: Page, key: tuple[str, str, str], config: Any, files: Files) -> None:
    """Page.render for a generated page whose Markdown links nowhere, so that its HTML
    depends on nothing but its source and the Markdown settings. A commitment's page has
    the same Markdown (headings and block markers) in every edition: Markdown runs once."""
    done = _CONVERTED.get(key)
    if done is None:
        _convert(page, key[0], config, files)
        done = (page.content or "", page.toc, page._title_from_render,
                frozenset(page.present_anchor_ids or ()))
        _CONVERTED[key] = done
    page.content, toc, page._title_from_render, anchors = done
    page.toc = TableOfContents([_copy_link(link) for link in toc])
    page.present_anchor_ids = set(anchors)
    page.links_to_anchors = {}


class KeptPlugin(BasePlugin):
    """Adds an edition's generated pages (from memory) to the build, puts their HTML blocks in
    place, makes links safe and marks the internal site."""

    def __init__(self, audience: str, live_reload: bool = False,
                 rendered: Rendered | None = None, reuse: set[str] | None = None,
                 hold: bool = False, shared: Path | None = None):
        super().__init__()
        self.audience = audience
        self.live_reload = live_reload
        self.rendered = rendered or Rendered({}, {}, {}, {})
        # Generated pages whose HTML the build takes from its previous output: they join the
        # site (navigation, search, sitemap) but are neither converted nor written.
        self.reuse = reuse or set()
        self.left_out: list[str] = []
        # Generated pages' HTML, held out of sight between on_page_content and on_page_context
        # (only when the search plugin is the only other plugin: see build.run_mkdocs).
        self.hold = hold
        self.held: dict[str, str] = {}
        # A folder shared by every edition of the build: theme and static files are copied
        # there once and hard-linked into each edition (Material's are 2.5 MB an edition).
        self.shared = shared

    def on_files(self, files: Files, *, config: Any) -> Files:
        """Add the generated pages, in the order MkDocs would have found them in docs_dir
        (the order of the search index and the sitemap), before the theme's files."""
        if self.shared is not None:
            for f in files:
                if f.abs_src_path and not f.is_documentation_page():
                    f.copy_file = functools.partial(_link_shared, f, self.shared)  # type: ignore[method-assign]
        docs = [f for f in files if f.src_dir == config.docs_dir]
        docs += [File.generated(config, path, content=markdown)
                 for path, markdown in self.rendered.files.items()]
        docs.sort(key=lambda f: _walk_order(f.src_uri))
        return Files(docs + [f for f in files if f.src_dir != config.docs_dir])

    def on_page_markdown(self, markdown: str, *, page: Any, **kwargs: Any) -> str:
        meta = self.rendered.meta.get(page.file.src_uri)
        if meta is not None:
            page.meta = dict(meta)
            if page.file.src_uri in self.reuse:
                page.meta["template"] = _LEFT_OUT
                page.render = functools.partial(_render_nothing, page)
            elif not _LINKS.search(markdown):
                key = (self.markdown_settings, page.file.src_uri, markdown)
                page.render = functools.partial(_render_once, page, key)
            else:
                page.render = functools.partial(_convert, page, self.markdown_settings)
        return markdown

    def on_config(self, config: Any, **kwargs: Any) -> Any:
        self.markdown_settings = repr((config.markdown_extensions, config.mdx_configs))
        self.search = config.plugins.get("material/search") or config.plugins.get("search")
        return config

    @staticmethod
    def read_theme_safely(theme: Any, root: Path) -> None:
        """Make every template environment of this build's theme read the templates of
        folders inside the repository (theme.custom_dir) as every user file is read."""
        make_env = theme.get_env

        def get_env() -> jinja2.Environment:
            env = make_env()
            if isinstance(env.loader, jinja2.FileSystemLoader):
                env.loader = _RepositoryLoader(env.loader.searchpath, root)
            return env

        theme.get_env = get_env

    @staticmethod
    def share_theme_work(theme: Any, memoize: bool = True) -> None:
        """Make every template environment of this build's theme reuse what was compiled and
        listed before, in this process or (compiled templates) an earlier run. Called on the
        new config before any plugin runs: the search plugin makes environments of its own."""
        make_env = theme.get_env

        def get_env() -> jinja2.Environment:
            env = make_env()
            env.bytecode_cache = BYTECODE
            _cache_listing(env, tuple(sorted(theme.static_templates)))  # a set
            if memoize:
                _memoize_partials(env, theme.dirs)
            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({_LEFT_OUT: ""}), env.loader])
            return env

        theme.get_env = get_env

    def on_page_context(self, context: Any, page: Any = None, **kwargs: Any) -> Any:
        """Index generated pages from the text Kept gave them, instead of parsing their HTML:
        the search plugin's HTML parser costs more than rendering the page."""
        if page is not None and page.file.src_uri in self.held:
            page.content = self.held.pop(page.file.src_uri)
        text = (page.meta or {}).get("kept_search") if page is not None else None
        index = getattr(self.search, "search_index", None)
        if text is not None and index is not None:
            index.entries.append({"location": page.url, "title": html.escape(page.title or ""),
                                  "text": html.escape(text)})
        return context

    def on_page_content(self, html_text: str, page: Any = None, **kwargs: Any) -> str:
        if page is not None and page.file.src_uri in self.rendered.meta:
            # What MkDocs' Markdown made of a generated page: text from the data is literal
            # there already (markup.inline); its blocks are sanitised or escaped apart.
            html_text = page_html(html_text, self.rendered.blocks.get(page.file.src_uri, []))
        if self.audience == "internal":
            html_text = BANNER + html_text
        if self.hold and page is not None and page.file.src_uri in self.rendered.meta:
            # Until the page is rendered (on_page_context, after the search plugin's): that
            # plugin runs a regular expression over every page's HTML, indexed or not, to
            # strip attributes that generated pages do not have.
            self.held[page.file.src_uri] = html_text
            return ""
        return html_text

    def on_post_page(self, output: str, page: Any = None, config: Any = None,
                     **kwargs: Any) -> str:
        if page is not None and page.file.src_uri in self.reuse:
            self.left_out.append(page.file.src_uri)
            return ""  # MkDocs writes no empty page
        # Only the head changes: work on it alone, not on the whole page.
        end = output.find("</head>")
        if end < 0:
            match = _HEAD_END.search(output)
            end = match.start() if match else 0
        head, body = output[:end], output[end:]
        if page is not None and config is not None:
            head += head_tags(page, config)
        start = head.find(_CANONICAL)
        if start >= 0:
            stop = head.index(">", start) + 1
            head = head[:start].rstrip() + head[stop:]
        if self.audience == "internal":
            meta = '\n<meta name="robots" content="noindex, nofollow">'
            head = _HEAD.sub(lambda m: m.group(0) + meta, head, count=1)
        if self.live_reload:
            from generator.serve import RELOAD_SCRIPT

            body = body.replace("</body>", RELOAD_SCRIPT + "</body>", 1)
        return head + body
