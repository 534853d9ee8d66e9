"""The MkDocs plugin Kept adds to every build: safe links, and the internal site's markings."""

from __future__ import annotations

import html
import re
from typing import Any

from mkdocs.plugins import BasePlugin

_URL_ATTR = re.compile(r'(\s(?:href|src|action|formaction|xlink:href|srcset)\s*=\s*)"([^"]*)"', re.I)
_EVENT_ATTR = re.compile(r"""(<[a-zA-Z][^<>]*?)\s+on[a-zA-Z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""")
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.I)

BANNER = (
    '<div class="kept-internal-banner" role="note"><strong>Internal</strong>: for the team '
    "only. Do not share with customers.</div>\n"
)


def safe_url(url: str) -> bool:
    """Relative links and http(s), mailto and tel links are safe; other schemes may run code."""
    plain = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    scheme = re.match(r"^[a-z][a-z0-9+.\-]*:", plain)
    return scheme is None or plain.startswith(_SAFE_SCHEMES)


def sanitize(content: str) -> str:
    """Drop URLs with unsafe schemes and event-handler attributes from rendered page content."""
    content = _URL_ATTR.sub(
        lambda m: m.group(0) if safe_url(m.group(2)) else f'{m.group(1)}"#"', content)
    while True:
        cleaned = _EVENT_ATTR.sub(r"\1", content)
        if cleaned == content:
            return content
        content = cleaned


class KeptPlugin(BasePlugin):  # type: ignore[type-arg]
    def __init__(self, audience: str, live_reload: bool = False):
        super().__init__()
        self.audience = audience
        self.live_reload = live_reload

    def on_page_content(self, html_text: str, **kwargs: Any) -> str:
        html_text = sanitize(html_text)
        if self.audience == "internal":
            html_text = BANNER + html_text
        return html_text

    def on_post_page(self, output: str, **kwargs: Any) -> str:
        if self.live_reload:
            from generator.serve import RELOAD_SCRIPT

            output = output.replace("</body>", RELOAD_SCRIPT + "</body>", 1)
        if self.audience != "internal":
            return output
        meta = '\n<meta name="robots" content="noindex, nofollow">'
        return _HEAD.sub(lambda m: m.group(0) + meta, output, count=1)
