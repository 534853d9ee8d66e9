"""YAML syntax errors in plain words, at the place a person would fix (issue 20)."""

from __future__ import annotations

import pytest

from generator.load import load_text

DQ_HINT = 'end the text with "; inside double quotes a quote is written \\"'

CASES = [
    # A tab in a line's indentation: at the tab, whichever parser reads the file.
    ("measurements:\n  email-reply:\n\tvalue: 3\n",
     "f.yml:3:1: error: YAML does not allow tabs for indentation; indent with spaces"),
    ("a:\n  b: 1\n  \tc: 2\n",
     "f.yml:3:3: error: YAML does not allow tabs for indentation; indent with spaces"),
    ("a: |\n\ttext\n",
     "f.yml:2:1: error: YAML does not allow tabs for indentation; indent with spaces"),
    # An unclosed quote: where it opened, not past the end of the file.
    ("a: 1\nb: \"hello\nc: 2\n", f"f.yml:2:4: error: a quote opened here is never closed; {DQ_HINT}"),
    ("a:\n  - 'x\n  - y\n", "f.yml:2:5: error: a quote opened here is never closed; end the "
     "text with '; inside single quotes an apostrophe is written twice ('')"),
    # A quote closed lines later, by the next quote in the file.
    ("name: \"Bikes\nperiod: quarter\nunit: \"%\"\n",
     "f.yml:1:7: error: the quote opened here is not closed on its line: it runs on to the \" "
     "at line 3, column 7; end the text with \" on line 1"),
    ("title: 'We don't wait'\n",
     "f.yml:1:16: error: text after the closing quote of a value; inside single quotes an "
     "apostrophe is written twice: 'don''t'; or put the whole value in the other kind of quotes"),
    ('a: "C:\\path"\n', "f.yml:1:7: error: '\\p' is not an escape that YAML knows, in double "
     "quotes; write \\\\ for a backslash, or put the text in single quotes"),
    # A missing space after a colon: at that colon, though the parser trips a line later.
    ("metric:\n  target:4\n  unit: hours\n",
     "f.yml:2:9: error: no space after the ':' of 'target'; write a space after the colon: "
     "target: 4"),
    ("metric:\n  target:8\n  definition: Hours to reply.\n",
     "f.yml:2:9: error: no space after the ':' of 'target'; write a space after the colon: "
     "target: 8"),
    ("title: Note: we reply\n",
     "f.yml:1:12: error: ': ' inside a value that is not in quotes: YAML reads it as the start "
     "of a key; put the value in quotes (\"...\"), or check this line's indentation"),
    ("a:\n  b: 1\n    c: 2\n",
     "f.yml:3:6: error: this line is indented more than line 2, whose key already has a value; "
     "indent it like line 2, or put it under a key without a value"),
    # Brackets and braces: where they opened.
    ("locations: [north, south\nsince: 2026-01-01\n",
     "f.yml:1:12: error: the list opened here with '[' is not closed; close it with ']' and "
     "separate its items with commas; the parser stopped at what follows (line 2, column 6)"),
    ("email-reply: {value: 3, sample: 40\nother: 1\n",
     "f.yml:1:14: error: the mapping opened here with '{' is not closed; close it with '}' and "
     "separate its items with commas; the parser stopped at what follows (line 2, column 6)"),
    # Indentation and the shape of blocks.
    ("a:\n  b: 1\n c: 2\n",
     "f.yml:3:2: error: this line is indented by 1 space(s), unlike the keys of its mapping "
     "(line 1, indented by 0); indent every key of a mapping by the same number of spaces"),
    ("highlights:\n  - one\n  two: 2\n",
     "f.yml:3:3: error: a list (from line 2) holds only items that start with '- '; start the "
     "line with '- ', or indent it under an item"),
    ("a: 1\nsummary\nb: 2\n",
     "f.yml:2:1: error: 'summary' stands where a key is expected, but has no ':'; write key: "
     "value, or indent text that continues the value above"),
    ("commitments: - email-reply\n",
     "f.yml:1:14: error: a list item ('- ') cannot follow a key on its line; start the list on "
     "the next line, indented under the key"),
    ("summary: > Our best quarter\n", "f.yml:1:12: error: text after '>' on its line: a '>' "
     "value starts on the next line; move the text to the next line, indented under the key (or "
     "put it in quotes without the '>')"),
    ("value: ]\n", "f.yml:1:8: error: a value cannot start with ']' unless it is in quotes; put "
     "the value in quotes: \"]\""),
    ("owner: @support\n", "f.yml:1:8: error: a value cannot start with '@' unless it is in "
     "quotes; put the value in quotes: \"@support\""),
    ("note: *important*\n", "f.yml:1:7: error: '*important*' reads as a reference to an anchor, "
     "which is not defined; a text that starts with '*' must be in quotes"),
]


@pytest.mark.parametrize("mkdocs", [False, True], ids=["libyaml", "pyyaml"])
@pytest.mark.parametrize(("text", "expected"), CASES)
def test_syntax_errors_in_plain_words(text: str, expected: str, mkdocs: bool) -> None:
    _, problems = load_text(text, "f.yml", mkdocs=mkdocs)
    assert [p.format() for p in problems] == [expected]


def test_an_unclosed_quote_near_the_end_is_reported_where_it_opened() -> None:
    lines = [f"key{i}: value {i}" for i in range(1, 61)] + ['last: "never closed', "a: 1",
                                                             "b: 2", "c: 3"]
    _, problems = load_text("\n".join(lines) + "\n", "f.yml")
    assert [p.format() for p in problems] == [
        f"f.yml:61:7: error: a quote opened here is never closed; {DQ_HINT}"]


def test_a_tab_after_a_key_is_named_where_only_mkdocs_refuses_it() -> None:
    _, problems = load_text("site_name: \t\n", "mkdocs.yml", mkdocs=True)
    assert [p.format() for p in problems] == [
        "mkdocs.yml:1:12: error: YAML does not allow a tab here; write spaces instead"]


def test_an_error_the_words_do_not_know_keeps_the_parser_s_words_inside_the_file() -> None:
    _, problems = load_text("a: &x 1\nb: &x 2\n", "f.yml")
    assert [p.format() for p in problems] == [
        "f.yml:2:4: error: YAML syntax error: found duplicate anchor; first occurrence second "
        "occurrence; check indentation and quoting"]
