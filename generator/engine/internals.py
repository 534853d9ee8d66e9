"""Every internal of MkDocs (or ProperDocs), Material and Jinja that Kept relies on, with a
check that it is still there, in the shape Kept was written for.

A speed-up (see speedups) whose internal fails its check is not installed: the engine's stock
behaviour takes its place, and a debug line says so. The checks read code, not documentation:
the names a function uses, a signature, a template's bytes (Material's partials are hashed:
the speed-ups that render them once per build rely on what each shows, which any change to
them must be read again for). tests/test_engine.py lists them all and checks each against
the installed packages, so that an upgrade shows at once what to re-check.

Under ProperDocs, `mkdocs.*` is ProperDocs (see engine.use): the same checks apply to it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("kept.engine")


def _names(function: Any) -> set[str]:
    """The global and attribute names a function's code uses."""
    code = getattr(function, "__code__", None)
    return set(code.co_names) if code is not None else set()


def material_templates() -> Path:
    """Material's folder of templates."""
    import material.templates

    return Path(material.templates.__file__).parent


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
PURE_PARTIALS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "partials/nav.html": (_nav_key, ("partials/nav.html", "partials/nav-item.html",
                                     "partials/logo.html", "partials/source.html")),
    "partials/toc.html": (_toc_key, ("partials/toc.html", "partials/toc-item.html")),
    "partials/search.html": (_same_for_all, ("partials/search.html",)),
    "partials/footer.html": (_footer_key, ("partials/footer.html", "partials/copyright.html",
                                           "partials/social.html")),
}


# The bytes of the partials above as reviewed, in Material 9.8.1 and 9.8.2 (the first 16 hex
# digits of their sha256): what a partial shows of the page must be read again when they change.
PARTIALS = {
    "partials/nav.html": "af33f6e032f632eb",
    "partials/nav-item.html": "89895208f22d68ce",
    "partials/logo.html": "e0925ef6c190174a",
    "partials/source.html": "6847616d67be4920",
    "partials/toc.html": "fde48f583563364b",
    "partials/toc-item.html": "418f31ce2e6d5599",
    "partials/search.html": "bfd556535abcddb9",
    "partials/footer.html": "50c2a75f013b7b03",
    "partials/copyright.html": "bc86bca3bf75070f",
    "partials/social.html": "e8b2f5f9d8a692ba",
}
# Material's translations: lang.t(key) depends on the key and the site's language only.
LANGUAGE = "partials/language.html"
LANGUAGE_DIGEST = "3a44516f305006ac"


def same_bytes(names: dict[str, str], folder: Path | None = None) -> bool:
    """Whether Material's templates (or those in folder) are the bytes reviewed."""
    folder = folder or material_templates()
    try:
        return all(hashlib.sha256((folder / name).read_bytes()).hexdigest()[:16] == digest
                   for name, digest in names.items())
    except OSError:
        return False


def _page_render_converter() -> bool:
    import markdown
    from mkdocs.structure import pages

    return (getattr(pages, "markdown", None) is markdown
            and {"markdown", "Markdown"} <= _names(pages.Page.render))


def _populate_page_renders() -> bool:
    from mkdocs.commands import build

    return "render" in _names(getattr(build, "_populate_page", None))


def _empty_pages_unwritten() -> bool:
    from mkdocs.commands import build

    return {"strip", "write_file"} <= _names(getattr(build, "_build_page", None))


def _static_files_copied_one_by_one() -> bool:
    from mkdocs.structure.files import File, Files

    try:
        parameters = list(inspect.signature(File.copy_file).parameters)
    except (TypeError, ValueError, AttributeError):
        return False
    return parameters == ["self", "dirty"] and "copy_file" in _names(Files.copy_static_files)


def _theme_files_listed() -> bool:
    from mkdocs.structure.files import Files

    return "list_templates" in _names(Files.add_files_from_theme)


def _theme_environment() -> bool:
    from mkdocs.theme import Theme

    return callable(getattr(Theme, "get_env", None)) and {"dirs", "static_templates"} <= _names(Theme.__init__)


def _plugin_events() -> bool:
    from mkdocs.plugins import EVENTS, PluginCollection

    return {"startup", "shutdown"} <= set(EVENTS) and "events" in _names(PluginCollection.__init__)


def _search_entries() -> bool:
    from material.plugins.search.plugin import SearchIndex, SearchPlugin

    return "entries" in _names(SearchIndex.__init__) and "search_index" in _names(SearchPlugin.on_config)


def _search_reads_content_in_page_context() -> bool:
    from material.plugins.search.plugin import SearchPlugin

    own = vars(SearchPlugin)
    return "on_page_context" in own and not any(
        name in own for name in ("on_page_markdown", "on_page_content", "on_post_page"))


def _root_render_func() -> bool:
    import jinja2

    env = jinja2.Environment(loader=jinja2.DictLoader({"part": ""}))
    code = env.compile('{% include "part" %}', raw=True)
    return callable(getattr(env.from_string(""), "root_render_func", None)) and \
        "root_render_func" in _names(jinja2.Template.render) and ".root_render_func(" in str(code)


def _import_with_context_makes_a_module() -> bool:
    import jinja2

    env = jinja2.Environment(loader=jinja2.DictLoader({"words": ""}))
    code = env.compile('{% import "words" as lang with context %}', raw=True)
    return ".make_module(context.get_all(), True," in str(code)


# A path of the theme's assets written in a template, and what follows it.
_ASSET = re.compile(r"""(['"])assets/[^'"]*\1(\s*\|\s*url\b)?""")


def theme_names_assets_through_url(folder: Path | None = None) -> bool:
    """Material's templates and Kept's overrides of them (or the templates in folder) name
    every asset of the theme through MkDocs' `url` filter, and that filter gives the way
    from the page to the edition's root followed by the path: the store (engine.store)
    rewrites the filter to point pages at the stored assets."""
    import jinja2
    from mkdocs.utils.templates import url_filter

    env = jinja2.Environment()
    env.filters["url"] = url_filter
    page = type("Page", (), {"url": "a/b/"})()
    shown = env.from_string("{{ 'assets/x.css' | url }}").render(page=page, base_url="../..")
    if shown != "../../assets/x.css":
        return False
    folders = [folder] if folder else [material_templates(), Path(__file__).parent / "theme"]
    for template in (t for f in folders for t in sorted(f.rglob("*.html"))):
        text = template.read_text(encoding="utf-8")
        named = [match.span() for match in _ASSET.finditer(text) if match.group(2)]
        if any(not any(start <= at.start() < end for start, end in named)
               for at in re.finditer("assets/", text)):
            return False
        printed = re.findall(r"\{\{[^}]*config\.theme\.(?:favicon|logo)[^}]*\}\}", text)
        if any(not re.search(r"config\.theme\.(?:favicon|logo)\s*\|\s*url\b", expression)
               for expression in printed):
            return False
    return True


@dataclass(frozen=True)
class Internal:
    key: str
    name: str  # what is relied on
    uses: str  # what relies on it: speed-ups, or the adapter (then the output depends on it)
    check: Callable[[], bool]


INTERNALS = (
    Internal("events", "mkdocs.plugins: EVENTS has startup and shutdown; PluginCollection.events",
             "run (firing startup and shutdown); speed-up search-hold", _plugin_events),
    Internal("theme", "mkdocs.theme.Theme: get_env, dirs, static_templates",
             "plugin (custom_dir templates read safely); speed-ups bytecode, listing, partials",
             _theme_environment),
    Internal("search-index", "material.plugins.search: SearchPlugin.search_index.entries",
             "plugin (generated pages indexed from their words)", _search_entries),
    Internal("page-render", "mkdocs.structure.pages.Page.render: a converter from markdown.Markdown",
             "speed-up converter", _page_render_converter),
    Internal("populate-page", "mkdocs.commands.build._populate_page: calls page.render",
             "speed-ups converter, markdown-once, left-out", _populate_page_renders),
    Internal("build-page", "mkdocs.commands.build._build_page: writes no empty page",
             "speed-up left-out", _empty_pages_unwritten),
    Internal("copy-file", "mkdocs.structure.files: Files.copy_static_files calls File.copy_file",
             "speed-up shared-copies", _static_files_copied_one_by_one),
    Internal("theme-files", "mkdocs.structure.files: Files.add_files_from_theme lists templates",
             "speed-up listing", _theme_files_listed),
    Internal("search-content", "material.plugins.search: SearchPlugin reads HTML in on_page_context",
             "speed-up search-hold", _search_reads_content_in_page_context),
    Internal("partials", "material/templates: the partials of PARTIALS, as reviewed",
             "speed-up partials", functools.partial(same_bytes, PARTIALS)),
    Internal("language", "material/templates/partials/language.html, as reviewed",
             "speed-up translations", functools.partial(same_bytes, {LANGUAGE: LANGUAGE_DIGEST})),
    Internal("root-render", "jinja2.Template.root_render_func: called to render a template",
             "speed-up partials", _root_render_func),
    Internal("theme-urls", "material/templates: assets named through MkDocs' url filter, "
             "which gives the way to the edition's root followed by the path",
             "plugin (the theme's assets stored once per site, see engine.store)",
             theme_names_assets_through_url),
    Internal("make-module", "jinja2: `import ... with context` calls Template.make_module",
             "speed-up translations", _import_with_context_makes_a_module),
)
_BY_KEY = {internal.key: internal for internal in INTERNALS}


@functools.cache
def holds(key: str) -> bool:
    """Whether the internal holds, checked once a process (holds.cache_clear() forgets)."""
    internal = _BY_KEY[key]
    try:
        holds = bool(internal.check())
    except Exception:  # noqa: BLE001 - a changed internal may fail in any way: then it is absent
        holds = False
    if not holds:
        log.debug("kept: not as expected: %s; stock behaviour for %s", internal.name, internal.uses)
    return holds


def has(*keys: str) -> bool:
    """Whether each internal named holds in this process (checked once a process; a debug
    line for one that does not: an engine, Material or Jinja Kept was not written for)."""
    return all([holds(key) for key in keys])
