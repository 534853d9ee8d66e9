"""The plugin Kept adds to every build: the hooks that change the engine's output.

Generated pages from memory, in the order the engine would have found them; their HTML blocks
put in place and their search words indexed; share cards and the feed in every head; the
internal site's markings; the live-reload script of `kept serve`. Nothing here is only for
speed (see speedups): the output depends on all of it.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from generator import files, live_reload_script
from generator.engine import store as theme_store
from generator.engine.config import PLACEHOLDER_URL
from generator.engine.internals import has
from generator.errors import KeptError
from generator.i18n import current, tr
from generator.markup import page_html
from generator.render import Rendered
from generator.static import internal_banner as banner

_CANONICAL = '<link rel="canonical" href="' + PLACEHOLDER_URL
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.I)
_HEAD_END = re.compile(r"</head>", re.I)
# The language Material's template declares is that of its own words (config.theme_language):
# for a language it has no words for, or a region of one, not the page's.
_HTML_LANG = re.compile(r'<html lang="[^"]*"')

def head_tags(page: Any, config: Any) -> str:
    """Feed discovery on every page, and share cards (Open Graph) for links pasted elsewhere."""
    url = page.url or ""
    to_root = "../" * url.count("/")
    site_url = config.get("site_url") or ""
    # One feed is announced: Material looks for a sitemap.xml beside every alternate link,
    # and only the edition's root has one. Commitment feeds are linked from their pages.
    feed = html.escape(tr("You said, we did"), quote=True)
    tags = [f'<link rel="alternate" type="application/atom+xml" title="{feed}" '
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


def _own_language(text: str) -> str:
    """A page (or its head) declaring the edition's language (see _HTML_LANG)."""
    return _HTML_LANG.sub(f'<html lang="{html.escape(current().code)}"', text, count=1)


def _walk_order(src_uri: str) -> tuple[tuple[int, Any], ...]:
    """Where os.walk, as MkDocs runs it, meets a file: a folder's files (index first) before
    its subfolders, both sorted by name."""
    *folders, name = src_uri.split("/")
    stem = name.rsplit(".", 1)[0]
    return (*((1, folder) for folder in folders), (0, (stem not in ("index", "README"), name)))


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


def read_theme_safely(theme: Any, root: Path) -> None:
    """Make every template environment of this build's theme read the templates of folders
    inside the repository (theme.custom_dir) as every user file is read. Not a speed-up:
    without the internal it needs, the build stops rather than read the folder unchecked."""
    if not has("theme"):
        raise KeptError("this version of MkDocs makes its theme's templates in a way Kept does "
                        "not know: theme.custom_dir cannot be read safely (see "
                        "generator/engine/internals.py)")
    make_env = theme.get_env

    def get_env() -> jinja2.Environment:
        env = make_env()
        if isinstance(env.loader, jinja2.FileSystemLoader):
            env.loader = _RepositoryLoader(env.loader.searchpath, root)
        return env

    theme.get_env = get_env


class KeptPlugin(BasePlugin):
    """Adds an edition's generated pages (from memory) to the build, puts their HTML blocks in
    place, indexes them, makes links safe and marks the internal site."""

    def __init__(self, audience: str, live_reload: bool = False, rendered: Rendered | None = None,
                 store: Path | None = None):
        super().__init__()
        self.audience = audience
        self.reload_script = live_reload_script() if live_reload else ""
        self.rendered = rendered or Rendered({}, {}, {}, {})
        self.search: Any = None
        self.store = store  # where the build stores the theme's files (see engine.store)
        self.stored: theme_store.Stored | None = None

    def on_config(self, config: Any, **kwargs: Any) -> Any:
        self.search = config.plugins.get("material/search") or config.plugins.get("search")
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        """Add the generated pages, in the order MkDocs would have found them in docs_dir
        (the order of the search index and the sitemap), before the theme's files."""
        docs = [f for f in files if f.src_dir == config.docs_dir]
        docs += [File.generated(config, path, content=markdown)
                 for path, markdown in self.rendered.files.items()]
        # The pages the edition serves as redirects: excluded, so that the engine builds
        # nothing for them, and links to them (from hand-written pages too) go to their
        # address, where the redirect is.
        docs += [File.generated(config, path, content="", inclusion=InclusionLevel.EXCLUDED)
                 for path in self.rendered.moved]
        docs.sort(key=lambda f: _walk_order(f.src_uri))
        theme = [f for f in files if f.src_dir != config.docs_dir]
        if self.store is not None:
            theme, self.stored = theme_store.take(theme)
            if self.stored is not None:
                theme_store.write(self.stored, self.store)
        return Files(docs + theme)

    def on_env(self, env: jinja2.Environment, *, config: Any, files: Files) -> jinja2.Environment:
        if self.stored is not None:
            theme_store.rewrite_urls(env, self.stored)
        return env

    def _index(self) -> list[Any] | None:
        """The search plugin's entries, when Kept can add generated pages' words to them."""
        entries = getattr(getattr(self.search, "search_index", None), "entries", None)
        return entries if isinstance(entries, list) and has("search-index") else None

    def on_page_markdown(self, markdown: str, *, page: Any, **kwargs: Any) -> str:
        meta = self.rendered.meta.get(page.file.src_uri)
        if meta is not None:
            page.meta = dict(meta)
            if self._index() is None:
                page.meta.pop("search", None)  # then the search plugin indexes the page itself
        return markdown

    def on_page_context(self, context: Any, page: Any = None, **kwargs: Any) -> Any:
        """Index generated pages from the text Kept gave them, instead of parsing their HTML:
        the search plugin's HTML parser costs more than rendering the page."""
        text = (page.meta or {}).get("kept_search") if page is not None else None
        index = self._index() if text is not None else None
        if index is not None and text is not None:
            index.append({"location": page.url, "title": html.escape(page.title or ""),
                          "text": html.escape(str(text))})
        return context

    def on_page_content(self, html_text: str, page: Any = None, **kwargs: Any) -> str:
        if page is not None and page.file.src_uri in self.rendered.meta:
            # What MkDocs' Markdown made of a generated page: text from the data is literal
            # there already (markup.inline); its blocks are sanitised or escaped apart.
            html_text = page_html(html_text, self.rendered.blocks.get(page.file.src_uri, []))
        if self.audience == "internal":
            html_text = banner() + html_text
        return html_text

    def on_post_template(self, output_content: str, template_name: str = "",
                         config: Any = None, **kwargs: Any) -> str:
        return _own_language(output_content) if template_name.endswith(".html") else output_content

    def on_post_page(self, output: str, page: Any = None, config: Any = None,
                     **kwargs: Any) -> str:
        if not output or output.isspace():
            return output  # a page left out of the build (see speedups): MkDocs writes none
        # Only the head changes: work on it alone, not on the whole page.
        end = output.find("</head>")
        if end < 0:
            match = _HEAD_END.search(output)
            end = match.start() if match else 0
        head, body = output[:end], output[end:]
        if page is not None and config is not None:
            head += head_tags(page, config)
        head = _own_language(head)
        start = head.find(_CANONICAL)
        if start >= 0:
            stop = head.index(">", start) + 1
            head = head[:start].rstrip() + head[stop:]
        if self.audience == "internal":
            meta = '\n<meta name="robots" content="noindex, nofollow">'
            head = _HEAD.sub(lambda m: m.group(0) + meta, head, count=1)
        if self.reload_script:
            body = body.replace("</body>", self.reload_script + "</body>", 1)
        return head + body
