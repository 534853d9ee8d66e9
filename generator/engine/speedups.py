"""Optimisations that reach into the internals of MkDocs (or ProperDocs), Material and Jinja.

Each is installed only when the internals it needs are there in the shape it was written for
(internals.has: otherwise the engine's stock behaviour, and a debug line in the log), and
none is installed when KEPT_SPEEDUPS=0: the output is byte-identical either way (see
tests/test_engine.py). They are:

    bytecode        Material's templates compiled once, kept in Kept's bytecode cache
    listing         the theme's file list (thousands of icons, matched against a dozen
                    patterns per build) kept while no folder of the theme changes
    partials        Material's navigation, table of contents, search box and footer rendered
                    once per build for all the pages that show them alike
    translations    Material's words looked up once per language and build
    converter       one Markdown converter for every generated page of a process
    markdown-once   a generated page whose Markdown links nowhere converted once a process
    left-out        pages whose HTML the previous build made are neither converted nor written
    search-hold     generated pages' HTML kept out of the search plugin's regular expressions
    shared-copies   theme and static files copied once per build, linked into each edition
    head-start      the engine's config loaded while other processes render (see builder)

Figures live in docs/performance.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pkgutil
import re
import shutil
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import markdown
import markdown.extensions
from mkdocs.plugins import BasePlugin
from mkdocs.structure import pages as engine_pages
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from generator.engine.config import THEME
from generator.engine.internals import LANGUAGE, PURE_PARTIALS, has
from generator.render import BYTECODE

# The template of a page left out of this build: it renders nothing.
LEFT_OUT = "kept-left-out.html"


def can_leave_out() -> bool:
    """Whether pages can be left out of a build (left-out): their metadata given to the
    engine, their HTML neither made nor written. Asked before a page is rendered."""
    return has("theme", "populate-page", "build-page")


def share_theme_work(theme: Any, memoize: bool = True) -> None:
    """Make every template environment of this build's theme reuse what was compiled and
    listed before, in this process or (compiled templates) an earlier run, and know the
    template of pages left out. Called on the new config before any plugin runs: the search
    plugin makes environments of its own. memoize: partials and translations too (only
    when no plugin but search may change what templates see, page by page)."""
    if not has("theme"):
        return
    make_env = theme.get_env
    listing = has("theme-files")
    partials = memoize and has("partials", "root-render")
    translations = memoize and has("language", "make-module")

    def get_env() -> jinja2.Environment:
        env = make_env()
        env.bytecode_cache = BYTECODE
        if listing:
            _cache_listing(env, tuple(sorted(theme.static_templates)))  # a set
        if partials or translations:
            _memoize_partials(env, theme.dirs, partials, translations)
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({LEFT_OUT: ""}), env.loader])
        return env

    theme.get_env = get_env


def _engine_version() -> str:
    import mkdocs

    return str(getattr(mkdocs, "__version__", ""))


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
        what = repr((paths, extensions, static_templates, _engine_version(),
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


def _material() -> str:
    """Material's own folder of templates."""
    import material.templates

    return str(Path(material.templates.__file__).parent)


def _memoize_partials(env: jinja2.Environment, theme_dirs: list[str], partials: bool,
                      translations: bool) -> None:
    """Serve the partials of PURE_PARTIALS, and Material's translations, from memos kept for
    the build, when they and what they include are Material's own: a custom_dir may override
    any template, icons among them, with one that shows something of the page. Kept's own
    overrides (config.THEME) show what Material's do, and count as Material's."""
    material = _material()
    custom = theme_dirs[:theme_dirs.index(material)] if material in theme_dirs else None
    if custom is not None:
        custom = [d for d in custom if d != str(THEME)]
    if custom is None or any(os.path.isdir(os.path.join(d, ".icons")) for d in custom):
        return

    def own(name: str) -> bool:
        return not any(os.path.exists(os.path.join(d, name)) for d in custom)

    # Every partial is rendered with the page's translations: overridden, they could show
    # something of the page.
    if not (own(LANGUAGE) and own("partials/languages")):
        return
    pure = {name: key for name, (key, parts) in PURE_PARTIALS.items()
            if partials and all(map(own, parts))}
    get_template = env.get_template

    def memoized_get_template(name: Any, parent: Any = None, globals: Any = None) -> Any:
        template = get_template(name, parent, globals)
        if getattr(template, "_kept_memo", False):
            return template
        key_of = pure.get(template.name or "")
        if key_of is not None:
            template.root_render_func = _memoized(template.root_render_func, key_of)
        elif template.name == LANGUAGE and translations:
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
    lookup = getattr(made, "t", None)
    if not callable(lookup):
        return made

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


# Markdown that can link somewhere: inline and reference links, autolinks, raw HTML; but for
# the elements that mark a text in another language than the page's (markup.in_language: a
# translation not given), which link nowhere and are on most pages of a second language.
_LINKS = re.compile(r'\]\s*[(\[:]|<(?!/?(?:span|div)(?: lang="[A-Za-z0-9-]+" dir="(?:ltr|rtl)")?>)')
# Generated pages converted by Markdown in this process, by (Markdown settings, page, source):
# their HTML, table of contents and anchors.
_CONVERTED: dict[tuple[str, str, str], tuple[str, Any, frozenset[str]]] = {}
# Markdown converters by settings, reused from page to page in this process (see _convert),
# with the sizes of their registries once MkDocs registered its processors.
_CONVERTERS: dict[str, tuple[markdown.Markdown, tuple[int, ...] | None] | None] = {}
# Extensions known to clear their state in Markdown.reset(), by the package they come from.
_RESETTABLE = ("markdown.extensions.", "pymdownx.", "material.extensions.")
# Markdown's own extensions, which MkDocs configs name by their short names ("toc").
_BUILTIN = {module.name for module in pkgutil.iter_modules(markdown.extensions.__path__)}
# Extensions whose reset() changes their output: footnotes numbers its ids by conversion.
_COUNTING = ("markdown.extensions.footnotes",)


def resettable(extension: Any) -> bool:
    """Whether a Markdown extension is one known to clear its state in Markdown.reset()."""
    if not isinstance(extension, str):
        name = type(extension).__module__
    else:
        name = extension.split(":", 1)[0]
        if name in _BUILTIN:
            name = f"markdown.extensions.{name}"
    return name.startswith(_RESETTABLE) and not name.startswith(_COUNTING)


def _converter(settings: str, config: Any) -> markdown.Markdown | None:
    """This process's converter for the settings; None when an extension might keep state
    from one page to the next, or MkDocs registered its processors anew (then each page
    gets its own converter, as MkDocs makes it)."""
    if settings not in _CONVERTERS:
        md = markdown.Markdown(extensions=config["markdown_extensions"],
                               extension_configs=config["mdx_configs"] or {})
        safe = (all(map(resettable, config["markdown_extensions"]))
                and all(map(resettable, md.registeredExtensions)))
        _CONVERTERS[settings] = (md, None) if safe else None
    known = _CONVERTERS[settings]
    return known[0] if known is not None else None


def _sizes(md: markdown.Markdown) -> tuple[int, ...]:
    return (len(md.preprocessors), len(md.inlinePatterns), len(md.treeprocessors),
            len(md.postprocessors))


class _OneConverter:
    """The `markdown` module as Page.render sees it while it renders a page: its Markdown()
    is the process's converter, reset (which Markdown's API allows), instead of a new one
    with every extension loaded and registered again, which cost as much as converting a
    generated page."""

    def __init__(self, md: markdown.Markdown):
        self._md = md

    def Markdown(self, **kwargs: Any) -> markdown.Markdown:  # noqa: N802 - markdown's name
        return self._md.reset()

    def __getattr__(self, name: str) -> Any:
        return getattr(markdown, name)


@contextmanager
def _rendering_with(md: markdown.Markdown) -> Iterator[None]:
    engine_pages.markdown = _OneConverter(md)
    try:
        yield
    finally:
        engine_pages.markdown = markdown


def _convert(page: Page, settings: str, config: Any, files: Files) -> None:
    """Page.render, MkDocs' own, with this process's converter for the settings. MkDocs
    registers its per-page processors under their own names, which replaces the previous
    page's: should their number grow, the converter is dropped and the page made again."""
    md = _converter(settings, config)
    if md is None:
        Page.render(page, config, files)
        return
    with _rendering_with(md):
        Page.render(page, config, files)
    known = _CONVERTERS[settings]
    if known is not None and known[1] is None:
        _CONVERTERS[settings] = (md, _sizes(md))
    elif known is not None and known[1] != _sizes(md):
        _CONVERTERS[settings] = None
        Page.render(page, config, files)


def _render_once(page: Page, key: tuple[str, str, str], config: Any, files: Files) -> None:
    """Page.render for a generated page whose Markdown links nowhere, so that its HTML
    depends on nothing but its source and the Markdown settings. A commitment's page has
    the same Markdown (headings and block markers) in every edition: Markdown runs once.
    (The page's title is its metadata's: what MkDocs takes from the first heading is not
    needed.)"""
    done = _CONVERTED.get(key)
    if done is None:
        _convert(page, key[0], config, files)
        done = (page.content or "", page.toc, frozenset(page.present_anchor_ids or ()))
        _CONVERTED[key] = done
    page.content, toc, anchors = done
    page.toc = TableOfContents([_copy_link(link) for link in toc])
    page.present_anchor_ids = set(anchors)
    page.links_to_anchors = {}


def _copy_link(link: AnchorLink) -> AnchorLink:
    copied = AnchorLink(link.title, link.id, link.level)
    copied.children = [_copy_link(child) for child in link.children]
    if hasattr(link, "active"):
        copied.active = link.active  # type: ignore[attr-defined]
    return copied


def _render_nothing(page: Page, config: Any, files: Files) -> None:
    page.content = ""
    page.toc = get_toc([])
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


def _link_shared(file: Any, shared: Path, dirty: bool = False) -> None:
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


class Speedups(BasePlugin):
    """The speed-ups that work through the engine's events, added after Kept's plugin.

    generated: the pages Kept gives the engine; reuse: those whose HTML the previous build
    made (left out: see can_leave_out); hold: whether no plugin but search may read pages;
    shared: a folder shared by every edition of the build (see _link_shared).
    """

    def __init__(self, generated: Collection[str], reuse: Collection[str] = (),
                 hold: bool = False, shared: Path | None = None):
        super().__init__()
        self.generated = set(generated)
        self.reuse = set(reuse) if can_leave_out() else set()
        self.hold = hold
        self.shared = shared
        self.left_out: list[str] = []
        self.held: dict[str, str] = {}
        self.convert = has("page-render", "populate-page")

    def on_config(self, config: Any, **kwargs: Any) -> Any:
        self.markdown_settings = repr((config.markdown_extensions, config.mdx_configs))
        self.hold = self.hold and self._last_to_see_pages(config)
        return config

    def _last_to_see_pages(self, config: Any) -> bool:
        """Whether the HTML of generated pages can be held from on_page_content to
        on_page_context: search is Material's, which reads it there only, before this."""
        if not has("events", "search-content"):
            return False
        from material.plugins.search.plugin import SearchPlugin

        search = config.plugins.get("material/search") or config.plugins.get("search")
        events = config.plugins.events.get("page_context") or []
        return isinstance(search, SearchPlugin) and bool(events) and \
            getattr(events[-1], "__self__", None) is self

    def on_files(self, files: Files, *, config: Any) -> Files:
        if self.shared is not None and has("copy-file"):
            for f in files:
                if f.abs_src_path and not f.is_documentation_page():
                    f.copy_file = functools.partial(_link_shared, f, self.shared)  # type: ignore[method-assign]
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, **kwargs: Any) -> str:
        path = page.file.src_uri
        if path not in self.generated:
            return markdown
        if path in self.reuse:
            page.meta["template"] = LEFT_OUT
            page.render = functools.partial(_render_nothing, page)
        elif self.convert and "title" in page.meta and not _LINKS.search(markdown):
            page.render = functools.partial(_render_once, page, (self.markdown_settings, path, markdown))
        elif self.convert:
            page.render = functools.partial(_convert, page, self.markdown_settings)
        return markdown

    def on_page_content(self, html_text: str, page: Any = None, **kwargs: Any) -> str:
        if self.hold and page is not None and page.file.src_uri in self.generated:
            # Until the page is rendered (on_page_context, after the search plugin's): that
            # plugin runs a regular expression over every page's HTML, indexed or not, to
            # strip attributes that generated pages do not have.
            self.held[page.file.src_uri] = html_text
            return ""
        return html_text

    def on_page_context(self, context: Any, page: Any = None, **kwargs: Any) -> Any:
        if page is not None and page.file.src_uri in self.held:
            page.content = self.held.pop(page.file.src_uri)
        return context

    def on_post_page(self, output: str, page: Any = None, **kwargs: Any) -> str:
        if page is not None and page.file.src_uri in self.reuse:
            self.left_out.append(page.file.src_uri)
            return ""  # MkDocs writes no empty page
        return output
