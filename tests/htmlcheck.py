"""Reading built pages with a real HTML parser (as a browser reads them): markup that would
run, and the visible text of a page's article."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

# Elements that run code, load other documents or take input: never made from a text field.
ACTIVE = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "math",
          "template", "base", "form", "input", "button", "textarea", "select", "link", "meta",
          "noscript"}
# The theme's own page frame has these (its scripts, search form, head links).
THEME = {"script", "form", "input", "button", "link", "meta", "style", "noscript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster",
                  "background", "cite", "ping"}
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def unsafe_url(value: str) -> bool:
    """A URL with a scheme other than http(s), mailto and tel (as a browser reads it: with
    spaces and control characters dropped)."""
    plain = re.sub(r"[\x00-\x20]", "", value).lower()
    scheme = _SCHEME.match(plain)
    return scheme is not None and scheme.group(1) not in SAFE_SCHEMES


class LiveMarkup(HTMLParser):
    """Collects markup that would run. In a whole page (page=True), the theme's scripts and
    forms are expected: a script counts only when its text holds the payload's word."""

    def __init__(self, page: bool = False, word: str = "xss") -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.word = word
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag in ("script", "style")
        if tag in ACTIVE and not (self.page and tag in THEME):
            self.found.append(f"<{tag}>")
        if self.word in tag:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or self.word in name:
                self.found.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and unsafe_url(value):
                self.found.append(f"<{tag} {name}={value}>")
            if name == "style" and self.word in value:
                self.found.append(f"<{tag} style>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.in_script = False

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and self.word in data:
            self.found.append("<script> with the payload")


def live_markup(html: str, page: bool = False, word: str = "xss") -> list[str]:
    """Markup in html that would run: tags, event attributes, unsafe URLs."""
    parser = LiveMarkup(page, word)
    parser.feed(html)
    parser.close()
    return parser.found


class Text(HTMLParser):
    """The visible text of a page's article, and its metas and links."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.metas: dict[str, str] = {}
        self.in_article = 0
        self.scripts = 0

    BLOCKS = {"td", "th", "tr", "p", "li", "div", "br", "h1", "h2", "h3", "h4", "table"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in self.BLOCKS:
            self.chunks.append(" ")
        if tag == "article":
            self.in_article += 1
        if tag == "meta" and attr.get("name"):
            self.metas[attr["name"] or ""] = attr.get("content") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.chunks.append(" ")
        if tag == "article":
            self.in_article -= 1

    def handle_data(self, data: str) -> None:
        if self.in_article:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())


def page(path: Path) -> Text:
    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser
