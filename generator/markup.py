"""Free text from YAML on its way to a page: escaped for Markdown, or rendered to safe HTML.

Markdown passes raw HTML through, so every text field reaches a page through one of these:
`md` (Markdown with raw HTML shown as text), `inline` (literal one-line text), `meta_text`
(titles and descriptions, which Material prints unescaped), or `md_html` (Markdown rendered
here, once per distinct text, then sanitised). `sanitize` also cleans what MkDocs renders.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

import markdown

_CODE = re.compile(r"(^(?P<fence>`{3,}|~{3,})[^\n]*\n.*?(?:^(?P=fence)[ \t]*$|\Z)|(?P<ticks>`+).+?(?P=ticks))",
                   re.S | re.M)


def md(text: str | None) -> str:
    """Markdown from YAML, with raw HTML shown as text (code spans and blocks left as they are)."""
    if not text:
        return ""
    out, last = [], 0
    for match in _CODE.finditer(text):
        out.append(_inert(text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_inert(text[last:]))
    return "".join(out).strip()


def _no_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _inert(text: str) -> str:
    """No raw HTML, and no attribute lists ('{: onclick=...}') either."""
    return _no_html(text).replace("{", "&#123;")


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!])")


def inline(text: Any) -> str:
    """Plain one-line text as literal Markdown: nothing in it formats, links or runs."""
    flat = " ".join(str(text).split())
    return _INLINE_SPECIAL.sub(r"\\\1", _no_html(flat))


_META_SWAP = str.maketrans({"<": "\uff1c", ">": "\uff1e", "&": "\uff06", '"': "\u201d"})


def meta_text(text: str) -> str:
    """Text for a page title or description: Material prints page.title raw and strips tags
    after unescaping, so the characters that could form markup are replaced by look-alikes."""
    swapped = text.translate(_META_SWAP)
    return " ".join(swapped.split())



_URL_ATTR = re.compile(r'(\s(?:href|src|action|formaction|xlink:href|srcset)\s*=\s*)"([^"]*)"', re.I)
_EVENT_ATTR = re.compile(r"""(<[a-zA-Z][^<>]*?)\s+on[a-zA-Z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""")
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")


def safe_url(url: str) -> bool:
    """Relative links and http(s), mailto and tel links are safe; other schemes may run code."""
    plain = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    scheme = re.match(r"^[a-z][a-z0-9+.\-]*:", plain)
    return scheme is None or plain.startswith(_SAFE_SCHEMES)


def sanitize(content: str) -> str:
    """Drop URLs with unsafe schemes and event-handler attributes from rendered HTML."""
    content = _URL_ATTR.sub(
        lambda m: m.group(0) if safe_url(m.group(2)) else f'{m.group(1)}"#"', content)
    while True:
        cleaned = _EVENT_ATTR.sub(r"\1", content)
        if cleaned == content:
            return content
        content = cleaned


_MARKDOWN = markdown.Markdown(extensions=["tables", "admonition", "sane_lists"])


@functools.lru_cache(maxsize=65536)
def md_html(text: str | None) -> str:
    """Markdown from YAML rendered to safe HTML. The same promise or explanation appears in
    every later edition: rendering it once per process saves most of Markdown's work."""
    if not text:
        return ""
    _MARKDOWN.reset()
    return sanitize(_MARKDOWN.convert(md(text)))


# Big HTML (tables, charts, rendered text) does not go through MkDocs' Markdown: a page holds
# a one-line marker per block, and the plugin puts the block in place after Markdown ran.
BLOCK = "⟦kept-block-{}⟧"
BLOCK_RE = re.compile(r"(?:<p>)?⟦kept-block-(\d+)⟧(?:</p>)?")
