"""Text from the data on its way to a page: Markdown fields rendered with raw HTML off and
sanitised on an allow-list, one-line texts literal, and Kept's block markers out of reach."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from generator.markup import (
    BLOCK,
    _Brackets,
    h,
    inline,
    md_html,
    meta_text,
    nesting,
    page_html,
    sanitize,
)
from tests.htmlcheck import live_markup

# The findings: each of these reached the public site as live markup.
FINDINGS = {
    "tilde fence": "~~~\n<script>alert(1)</script>\n~~~",
    "unterminated fence": "```\ncode\n\n<script>alert(1)</script>",
    "code span across blank lines": "`a\n\n<script>alert(1)</script>\n\nb`",
    "escaped backtick": "\\`x <svg/onload=alert(1)>`",
}


@pytest.mark.parametrize("text", FINDINGS.values(), ids=FINDINGS.keys())
def test_markdown_structure_never_lets_html_through(text: str) -> None:
    html = md_html(text)
    assert live_markup(html) == []
    assert "&lt;" in html and "<script" not in html and "<svg" not in html


def test_raw_html_in_markdown_is_text() -> None:
    assert md_html('Hello <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n'
                   "<div>\n*block*\n</div>") == (
        "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=\"alert(2)\"&gt;</p>\n"
        "<p>&lt;div&gt;\n<em>block</em>\n&lt;/div&gt;</p>")


def test_markdown_keeps_its_formatting() -> None:
    text = ("**bold** and `<b>code</b>` & [a link](https://x.example/ \"t\") "
            "![logo](https://x.example/a.png) <https://x.example/?a=1&b=2>\n\n"
            "1. one\n2. two\n\n> quoted\n\n| A | B |\n|:--|--:|\n| 1 | 2 |\n\n"
            '!!! warning "Careful"\n    Body.\n\n        code\n')
    assert md_html(text) == (
        '<p><strong>bold</strong> and <code>&lt;b&gt;code&lt;/b&gt;</code> &amp; '
        '<a href="https://x.example/" title="t">a link</a> '
        '<img alt="logo" src="https://x.example/a.png" referrerpolicy="no-referrer"> '
        '<a href="https://x.example/?a=1&amp;b=2">https://x.example/?a=1&amp;b=2</a></p>\n'
        "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        '<table>\n<thead>\n<tr>\n<th align="left">A</th>\n<th align="right">B</th>\n</tr>\n'
        '</thead>\n<tbody>\n<tr>\n<td align="left">1</td>\n<td align="right">2</td>\n</tr>\n'
        "</tbody>\n</table>\n"
        '<div class="admonition warning">\n<p class="admonition-title">Careful</p>\n'
        "<p>Body.</p>\n<pre><code>code\n</code></pre>\n</div>")


def test_links_keep_only_safe_schemes() -> None:
    text = ("[a](javascript:alert(1)) [b]( JaVaScRiPt:x) [c](&#106;avascript:x) "
            "[d](data:text/html,x) [e][r] [f](mailto:a@b.example) [g](../x/) [h](#top)\n\n"
            "[r]: vbscript:x")
    assert md_html(text) == (
        '<p><a>a</a> <a>b</a> <a>c</a> <a>d</a> <a>e</a> <a href="mailto:a@b.example">f</a> '
        '<a href="../x/">g</a> <a href="#top">h</a></p>')


def test_attribute_lists_and_classes_are_text() -> None:
    html = md_html('A paragraph\n{: onclick="alert(1)" }\n\n!!! md-header evil "T"\n    x')
    assert live_markup(html) == []
    assert "onclick" not in html.replace("{: onclick", "")
    assert '<div class="admonition">' in html  # the type that is no admonition is dropped


def test_sanitize_parses_html() -> None:
    """The sanitiser itself: what regular expressions missed."""
    assert sanitize("<script>alert(1)</script><svg onload=alert(1)><circle/></svg>"
                    "<a href='javascript:alert(1)'>x</a><p onclick=\"y\" class=\"c\">z</p>"
                    "<img src=x onerror=alert(1)><iframe src=//x.example></iframe>"
                    "<a href=\"&#106;avascript:x\">j</a><style>*{}</style><!-- c -->") == (
        '<a>x</a><p class="">z</p><img src="x" referrerpolicy="no-referrer"><a>j</a>')


def test_deep_nesting_never_crashes() -> None:
    """Python-Markdown recurses once per level: a line opening a thousand lists ran out of
    stack. Validation refuses it (see test_limits); rendered all the same, it is text."""
    text = "1. " * 2000 + "<script>x</script>"
    assert md_html(text) == "<p>" + text.replace("<", "&lt;").replace(">", "&gt;") + "</p>"
    assert md_html("after *that*") == "<p>after <em>that</em></p>"  # the converter still works


def test_nesting_counts_what_opens_on_one_line() -> None:
    assert [nesting(t) for t in ["plain", "- a", "- 1. > x", "* * *", "- - - -", "-x", ">>> x",
                                 "a\n    - - x\n1.5 is a number"]] == [0, 1, 3, 0, 0, 0, 3, 2]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]a(!", max_size=80), st.text(alphabet="[]ab", max_size=10))
def test_bracket_matching_is_python_markdowns(data: str, prefix: str) -> None:
    """Kept's one-pass bracket matching answers as Python-Markdown's scan does, also for a
    text changed before the place it goes on from (what Python-Markdown does to it)."""
    brackets = _Brackets()
    for text in (data, prefix + data[len(data) // 2:]):
        for index in [i + 1 for i, char in enumerate(text) if char == "["]:
            want = LinkInlineProcessor.getText(None, text, index)  # type: ignore[arg-type]
            got = brackets.get_text(text, index)
            assert got == want


def test_many_brackets_render() -> None:
    """19,000 '[' took half a minute (each scanned to the end of the text, four times)."""
    assert md_html("[" * 5000) == "<p>" + "[" * 5000 + "</p>"
    assert md_html("[a](b) [" * 500 + "c]") == "<p>" + '<a href="b">a</a> [' * 500 + "c]</p>"


def test_inline_is_literal() -> None:
    converted = markdown.markdown(inline("*Not* [a link](http://x) <b>#1</b> | pipe ⟦kept-block-0⟧"),
                                  extensions=["attr_list", "tables"])
    assert converted == ("<p>*Not* [a link](http://x) &lt;b&gt;#1&lt;/b&gt; | pipe "
                         "&#10214;kept-block-0⟧</p>")


def test_h_escapes_markers() -> None:
    assert h('<a href="x">⟦kept-block-1⟧</a>') == (
        "&lt;a href=&quot;x&quot;&gt;&#10214;kept-block-1⟧&lt;/a&gt;")


def test_meta_text_has_no_markup_characters() -> None:
    assert not set(meta_text('</title><script>"x" & y')) & set('<>&"')


def test_page_html_puts_only_kept_markers_in_place() -> None:
    """A marker written in a text is escaped there: it stays text, whether or not a block of
    that number exists; a marker Kept placed gets its block."""
    page = markdown.markdown(f"# {inline('Title ⟦kept-block-0⟧ ⟦kept-block-999⟧')}\n\n"
                             f"{BLOCK.format(0)}\n\n- {BLOCK.format(1)}\n\n{BLOCK.format(7)}\n",
                             extensions=["toc", "attr_list"])
    html = page_html(page, ['<svg role="img"><title>Chart</title></svg>', "<p>Item</p>"])
    assert html == ('<h1 id="title-kept-block-0-kept-block-999">Title ⟦kept-block-0⟧ '
                    '⟦kept-block-999⟧</h1>\n<svg role="img"><title>Chart</title></svg>\n'
                    "<ul>\n<li><p>Item</p></li>\n</ul>\n⟦kept-block-7⟧")


def test_page_html_sanitises_what_a_template_let_through() -> None:
    html = page_html('<h2 id="x">A<a class="headerlink" href="#x" title="Permanent link">¶</a>'
                     '</h2><p><img src=x onerror=alert(1)><a href="javascript:x">y</a></p>'
                     "<script>alert(1)</script>", [])
    assert html == ('<h2 id="x">A<a class="headerlink" href="#x" title="Permanent link">¶</a>'
                    '</h2><p><img src="x"><a>y</a></p>')
