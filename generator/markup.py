"""Free text from YAML on its way to a page: escaped for Markdown, or rendered to safe HTML.

No text from the data reaches MkDocs' Markdown but as `inline` (literal one-line text, for
headings and link texts) or `meta_text` (titles and descriptions, which Material prints
unescaped). Markdown fields are rendered here by `md_html`, with a Markdown that has raw HTML
turned off, then sanitised by a real HTML parser on an allow-list (nh3), once per distinct
text; the page holds a block marker in their place (see `BLOCK`). `h` escapes text for HTML.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

import markdown
import nh3
from markdown.extensions.tables import TableExtension

# Kept's block markers are made of this character, which no text from the data may bring into
# a page's Markdown: there it is written as a character reference.
_MARK = "\u27e6"
_MARK_REF = "&#10214;"


def _no_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(_MARK, _MARK_REF)


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!])")


def inline(text: Any) -> str:
    """Plain one-line text as literal Markdown: nothing in it formats, links, runs or stands
    for one of Kept's block markers (marked with its language when it is not the page's)."""
    flat = " ".join(str(text).split())
    return in_language(text, _no_html(_INLINE_SPECIAL.sub(r"\\\1", flat)))


# Characters XML 1.0 does not allow, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text inside XML (an SVG badge or chart): escaped, and what XML does not allow shown as
    the replacement character, so that the file stays XML whatever the data holds."""
    return NOT_XML.sub("\ufffd", html.escape(text, quote=True))


def h(text: str) -> str:
    """Text inside HTML: escaped, block markers included (fit for an attribute's value)."""
    return html.escape(text, quote=True).replace(_MARK, _MARK_REF)


def in_language(text: Any, made: str, block: bool = False) -> str:
    """HTML made of a text, in an element that says the text's language when it is not the
    page's (a translation not given: see i18n.Foreign); made as it is otherwise."""
    lang = getattr(text, "lang", None)
    if lang is None or not made:
        return made
    tag = "div" if block else "span"
    return f'<{tag} lang="{h(lang)}" dir="{_direction(lang)}">{made}</{tag}>'


@functools.lru_cache(maxsize=64)
def _direction(lang: str) -> str:
    from generator import i18n

    return "rtl" if i18n.locale_of(lang).character_order == "right-to-left" else "ltr"


def content(text: Any) -> str:
    """Text as an element's content: escaped, and marked with its language when it is not
    the page's."""
    return in_language(text, h(str(text)))


_META_SWAP = str.maketrans({"<": "\uff1c", ">": "\uff1e", "&": "\uff06", '"': "\u201d"})


def meta_text(text: str) -> str:
    """Text for a page title or description: Material prints page.title raw and strips tags
    after unescaping, so the characters that could form markup are replaced by look-alikes."""
    swapped = text.translate(_META_SWAP)
    return " ".join(swapped.split())


# What Kept's Markdown makes of a text field, and nothing else: the sanitiser keeps these tags
# and attributes, and drops every other (with the content of script and style).
_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
         "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "div",
         "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
               "th": {"align"}, "td": {"align"}}
# Material's admonition types (and their aliases), the only classes a text may give.
_ADMONITIONS = {"note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important",
                "success", "check", "done", "question", "help", "faq", "warning", "caution",
                "attention", "failure", "fail", "missing", "danger", "error", "bug", "example",
                "quote", "cite"}
_CLASSES = {"div": {"admonition", *_ADMONITIONS}, "p": {"admonition-title"}}
# An image of another site loads with the page: it does not tell that site which page
# (an internal one, say) its reader was on.
_SET_ATTRIBUTES = {"img": {"referrerpolicy": "no-referrer"}}
# Links may be relative, or to a web page, an address or a telephone number: any other scheme
# (javascript:, data:, vbscript:...) may run code.
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize(fragment: str) -> str:
    """HTML rendered from a text field, parsed and rebuilt with only the tags, attributes,
    classes and URL schemes that Kept's Markdown produces."""
    return nh3.clean(fragment, tags=_TAGS, attributes=_ATTRIBUTES, allowed_classes=_CLASSES,
                     url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True,
                     set_tag_attribute_values=_SET_ATTRIBUTES)


class _Brackets:
    """Where a link's text, opened by a '[', closes. Python-Markdown's link processors look for
    it by counting brackets to the end of the text, from every '[', four times over: a text of
    many '[' took time that grew with the square of its length. Here each '[' is first given
    a short scan, then the whole text is matched in one pass from its end. Where a '[' closes
    depends only on what follows it, and Python-Markdown changes a text only before the place
    it goes on from, so the passes of the last few texts answer for their changed versions."""

    NEAR = 32
    KEEP = 4

    def __init__(self) -> None:
        # (text, closes): closes[n] is how far from the end of text the ']' closing a link text
        # that starts n characters before the end is, or -1 when none does.
        self.known: list[tuple[str, list[int]]] = []

    def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        """LinkInlineProcessor.getText: the link text from index (just after its '['), the
        index after its ']', and whether it closes."""
        depth = 1
        for pos in range(index, min(index + self.NEAR, len(data))):
            char = data[pos]
            if char == "]":
                depth -= 1
                if depth == 0:
                    return data[index:pos], pos + 1, True
            elif char == "[":
                depth += 1
        if index + self.NEAR >= len(data):
            return data[index:], len(data), False
        close = self._closes(data, data[index:])
        if close < 0:
            return data[index:], len(data), False
        end = len(data) - close
        return data[index:end], end + 1, True

    def _closes(self, data: str, rest: str) -> int:
        """How far from the end the ']' that closes rest (a link text and what follows) is."""
        for text, closes in self.known:
            if text.endswith(rest):
                return closes[len(rest)]
        closes = [-1]
        unmatched: list[int] = []  # ']' not matched by a '[' after them, by distance from the end
        for back, char in enumerate(reversed(data), start=1):
            if char == "]":
                unmatched.append(back)
            elif char == "[" and unmatched:
                unmatched.pop()
            closes.append(unmatched[-1] if unmatched else -1)
        self.known = [(data, closes), *self.known[:self.KEEP - 1]]
        return closes[len(rest)]


class _TooComplex(Exception):
    """A text that would cost Python-Markdown more work than its budget (see _Work)."""


class _Work:
    """What Python-Markdown may spend on one text, counted in characters looked at, so that
    its work grows with the text's length, not its square.

    Two of its loops look at the rest of a text again for every element they find: each block
    processor tests the whole rest of a block after every heading or rule written without a
    blank line before the next ('a\\n=\\n' over and over), and a link's destination is looked
    for up to its ')' ('[](' over and over): their work grew with the square of the text's
    length (see docs/performance.md). Each look is charged; a text that runs out is shown as
    written.
    The budget is far above what any text written to be read needs (a heading every few lines
    of a 5,000-character text, written without blank lines, uses half of it)."""

    BASE = 1_000_000
    PER_CHAR = 100
    SCAN = 16  # a character looked at in Python, against one a regular expression looks at

    def __init__(self) -> None:
        self.left = 0

    def start(self, text: str) -> None:
        self.left = self.BASE + self.PER_CHAR * len(text)

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise _TooComplex

    def tested(self, test: Any) -> Any:
        """A block processor's test, charged with the block it looks at."""
        def charged(parent: Any, block: str) -> Any:
            self.spend(len(block))
            return test(parent, block)
        return charged

    def link(self, get_link: Any) -> Any:
        """LinkInlineProcessor.getLink, charged with how far it looked for the ')'."""
        def charged(data: str, index: int) -> tuple[str, str | None, int, bool]:
            if data.rfind(")") < index:  # no ')' to end the destination: not a link
                self.spend((len(data) - index) // self.SCAN)
                return "", None, index, False
            href, title, end, handled = get_link(data, index)
            self.spend(self.SCAN * ((end if handled else len(data)) - index))
            return href, title, end, handled
        return charged


_WORK = _Work()


def _converter() -> markdown.Markdown:
    """Python-Markdown with raw HTML off: a '<' it does not produce itself is text. Without
    attribute lists, a text cannot set attributes either. Its work is charged (see _Work)."""
    converter = markdown.Markdown(extensions=[TableExtension(use_align_attribute=True),
                                              "admonition", "sane_lists"])
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    brackets = _Brackets()
    for name in ("link", "image_link", "reference", "image_reference", "short_reference",
                 "short_image_ref"):
        converter.inlinePatterns[name].getText = brackets.get_text
    for name in ("link", "image_link"):
        pattern = converter.inlinePatterns[name]
        pattern.getLink = _WORK.link(pattern.getLink)
    for processor in converter.parser.blockprocessors:
        processor.test = _WORK.tested(processor.test)
    return converter


_MARKDOWN = _converter()


@functools.lru_cache(maxsize=65536)
def md_html(text: str | None) -> str:
    """A Markdown field rendered to safe HTML. The same promise or explanation appears in
    every later edition: rendering it once per process saves most of Markdown's work."""
    if not text:
        return ""
    global _MARKDOWN
    _MARKDOWN.reset()
    _WORK.start(text)
    try:
        converted = _MARKDOWN.convert(text)
    except (RecursionError, _TooComplex):
        # Python-Markdown recurses once per level of nesting. Validation refuses texts that
        # nest deeply (see nesting); one that still ran out of stack, or out of its budget of
        # work (see _Work), is shown as it was written, and the converter, left mid-parse
        # (reset() does not clear its parser's state), is replaced.
        _MARKDOWN = _converter()
        converted = "<p>" + html.escape(text, quote=False) + "</p>"
    return sanitize(converted)


# The line prefixes that open a list or a quote inside another: "- 1. > " opens three.
_OPENERS = re.compile(r"^(?:[ \t]*(?:(?:[-*+]|\d{1,9}[.)])(?=[ \t])|>))+", re.M)
_OPENER = re.compile(r"[-*+>]|\d{1,9}[.)]")
_RULE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
MAX_NESTING = 20


@functools.lru_cache(maxsize=4096)
def md_text(text: str | None) -> str:
    """A Markdown field as the words a reader sees, without markup: for quoting it in a line
    of plain text (what a correction changed)."""
    if not text:
        return ""
    return " ".join(html.unescape(nh3.clean(md_html(text), tags=set())).split())


def nesting(text: str) -> int:
    """The most lists and quotes that one line of a Markdown text opens inside each other
    (a horizontal rule such as '- - -' opens none). Python-Markdown recurses for each."""
    deepest = 0
    for match in _OPENERS.finditer(text):
        prefix = match.group(0)
        end = text.find("\n", match.end())
        if _RULE.match(text, match.start(), len(text) if end < 0 else end):
            continue
        deepest = max(deepest, len(_OPENER.findall(prefix)))
    return deepest


# Big HTML (tables, charts, rendered text) does not go through MkDocs' Markdown: a page holds
# a one-line marker per block, and the plugin puts the block in place after Markdown ran.
# Text from the data never holds the marker's first character (see inline and h).
BLOCK = _MARK + "kept-block-{}\u27e7"
MARKER_RE = re.compile(r"\u27e6kept-block-(\d{1,9})\u27e7")
# A marker as Markdown leaves it (alone in a paragraph, or in a list item), and as the element
# that stands for it while the page is sanitised: text cannot make an element.
_MARKER_HTML = re.compile(r"(?:<p>)?" + MARKER_RE.pattern + "(?:</p>)?")
_BLOCK_ELEMENT = re.compile(r"<kept-block>(\d{1,9})</kept-block>")


def put_blocks(text: str, blocks: list[str], pattern: re.Pattern[str] = MARKER_RE) -> str:
    """Text with each of Kept's block markers replaced by its block, in one pass (a block is
    never searched for markers). A marker without a block is left as it is."""
    def block(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return blocks[index] if index < len(blocks) else BLOCK.format(index)

    return pattern.sub(block, text)


# What MkDocs' Markdown may make of a generated page (its headings, links, lists, notes, with
# the extensions of mkdocs.yml): the sanitiser's defaults (nh3's tags and attributes, Ammonia's
# allow-list) with ids, classes and titles, and the element that stands for a block.
_PAGE_TAGS = nh3.ALLOWED_TAGS | {"kept-block"}
_PAGE_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "*": {"id", "class", "title", "lang", "dir"}}


@functools.lru_cache(maxsize=4096)
def _sanitize_page(content: str) -> str:
    marked = _MARKER_HTML.sub(r"<kept-block>\1</kept-block>", content)
    return nh3.clean(marked, tags=_PAGE_TAGS, attributes=_PAGE_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True)


def page_html(content: str, blocks: list[str]) -> str:
    """The HTML of a generated page: what MkDocs' Markdown made of it, sanitised (a template
    may still have let text through unfiltered), with its blocks put in place. The same page
    shape recurs in every edition: it is sanitised once per process."""
    return put_blocks(_sanitize_page(content), blocks, _BLOCK_ELEMENT)
