"""Limits on what a text field may hold, so that no input takes long to render or crashes
it, and web addresses that a page prints in an attribute: each refused with its location."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.jsonschema import document
from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, write_project


def errors_of(root: Path) -> list[str]:
    return [p.format() for p in check(root).problems]


def with_commitments(tmp_path: Path, old: str, new: str) -> Path:
    assert old in COMMITMENTS, old
    return write_project(tmp_path, commitments=COMMITMENTS.replace(old, new, 1))


@pytest.mark.parametrize("value, message", [
    ("promises.example",
     "'url' must start with http:// or https://, not the text 'promises.example'; "
     "write 'https://promises.example'"),
    ('"https://x.example/x\\"><script>alert(1)</script>"',
     "'url' has a space, a quote, an angle bracket, a backslash or a control character in it: "
     "the text 'https://x.example/x\"><script>alert(1)</script>'; write such a character "
     "%-encoded (a space as %20)"),
    ("javascript:alert(1)",
     "'url' must start with http:// or https://, not the text 'javascript:alert(1)'; "
     "for example 'https://promises.example.com/'"),
    ("ftp://files.example/", "'url' must start with http:// or https://, not 'ftp:'; "
                             "for example 'https://promises.example.com/'"),
    ("https:///promises", "'url' has no host name (or a wrong port): the text "
                          "'https:///promises'; for example 'https://promises.example.com/'"),
    ("https://help.acme.example:99999/", "'url' has no host name (or a wrong port): the text "
     "'https://help.acme.example:99999/'; for example 'https://promises.example.com/'"),
    ("https://help.acme.example/?x=1#frag", "'url' has a query (?...) or a fragment (#...): the "
     "text 'https://help.acme.example/?x=1#frag'; write the site's address alone, such as "
     "'https://help.acme.example/'"),
    ("https://help.acme.example/#", "'url' has a query (?...) or a fragment (#...): the text "
     "'https://help.acme.example/#'; write the site's address alone, such as "
     "'https://help.acme.example/'"),
    ("'https://help.acme.example/a b'", "'url' has a space, a quote, an angle bracket, a "
     "backslash or a control character in it: the text 'https://help.acme.example/a b'; write "
     "such a character %-encoded (a space as %20)"),
])
def test_organization_url_is_a_web_address(tmp_path: Path, value: str, message: str) -> None:
    root = with_commitments(tmp_path, "  url: https://help.acme.example/\n", f"  url: {value}\n")
    assert errors_of(root) == [f"commitments.yml:3:8: error: {message}"]


def test_a_good_url_passes(tmp_path: Path) -> None:
    root = with_commitments(tmp_path, "  url: https://help.acme.example/\n",
                            "  url: HTTPS://help.acme.example:8443/promises/\n")
    assert errors_of(root) == []


@pytest.mark.parametrize("old, key, limit", [
    ("    title: We reply to every email within 4 hours\n", "title", 200),
    ("      unit: hours\n", "unit", 200),
    ("  name: Acme Help\n", "name", 200),
])
def test_one_line_texts_are_short(tmp_path: Path, old: str, key: str, limit: int) -> None:
    indent = old[: len(old) - len(old.lstrip())]
    root = with_commitments(tmp_path, old, f"{indent}{key}: {'x' * (limit + 1)}\n")
    line = COMMITMENTS[: COMMITMENTS.index(old)].count("\n") + 1
    assert errors_of(root) == [
        f"commitments.yml:{line}:{len(indent) + len(key) + 3}: error: '{key}' is {limit + 1} "
        f"characters long, over the limit of {limit}; keep it to one short line; details "
        f"belong in a Markdown field"]


def test_markdown_fields_are_capped(tmp_path: Path) -> None:
    """19,000 '[' or backticks in one field took a minute and a half to render."""
    old = "    promise: Every email gets a reply from a person within **4 business hours**.\n"
    root = with_commitments(tmp_path, old, "    promise: '" + "[" * 19_000 + "'\n")
    line = COMMITMENTS[: COMMITMENTS.index(old)].count("\n") + 1
    assert errors_of(root) == [
        f"commitments.yml:{line}:14: error: 'promise' is 19000 characters long, over the limit "
        f"of 5,000; say it in fewer words, and link to a longer page if needed"]


def test_highlights_are_capped_each(tmp_path: Path) -> None:
    text = RESULTS["2025-Q2"].replace("  - Replies got faster every month.\n",
                                      "  - Replies got faster every month.\n  - '" + "`" * 5001 + "'\n")
    root = write_project(tmp_path, results={**RESULTS, "2025-Q2": text})
    line = text[: text.index("`")].count("\n") + 1
    assert errors_of(root) == [
        f"results/2025-Q2.yml:{line}:5: error: 'highlights' is 5001 characters long, over the "
        f"limit of 5,000; say it in fewer words, and link to a longer page if needed"]


def test_markdown_may_not_nest_deeply_on_one_line(tmp_path: Path) -> None:
    """Python-Markdown recurses for every list opened inside another: '1. ' a thousand times
    on one line crashed the build."""
    text = RESULTS["2025-Q3"].replace("    note: The satisfaction figure was 91, not 89.\n",
                                      "    note: '" + "1. " * 1000 + "x'\n")
    root = write_project(tmp_path, results={**RESULTS, "2025-Q3": text})
    line = text[: text.index("1. 1.")].count("\n") + 1
    assert errors_of(root) == [
        f"results/2025-Q3.yml:{line}:11: error: 'note' has a line that opens 1000 lists or "
        f"quotes inside each other, over the limit of 20; start each list item on a line of "
        f"its own"]


def test_internal_texts_are_capped(tmp_path: Path) -> None:
    """A text directly in an `internal:` mapping is shown as Markdown on the internal site."""
    root = with_commitments(tmp_path, "      owner: Head of Support\n",
                            "      owner: Head of Support\n      plan: '" + "- " * 30 + "x'\n"
                            "      nested: {deep: '" + "- " * 30 + "x'}\n")
    line = COMMITMENTS[: COMMITMENTS.index("      owner: Head of Support\n")].count("\n") + 2
    assert errors_of(root) == [
        f"commitments.yml:{line}:13: error: 'internal.plan' has a line that opens 30 lists or "
        f"quotes inside each other, over the limit of 20; start each list item on a line of "
        f"its own"]


def test_the_json_schemas_carry_the_limits() -> None:
    commitments = document("commitments.schema.json")["properties"]
    organization = commitments["organization"]["properties"]
    commitment = commitments["commitments"]["items"]["properties"]
    # a text is a string, or a mapping by language of strings (organization.languages)
    name, by_language = organization["name"]["anyOf"]
    assert name["maxLength"] == 200 and by_language["additionalProperties"] == name
    assert organization["url"]["pattern"].startswith("^https?://")
    assert commitment["title"]["anyOf"][0]["maxLength"] == 200
    assert commitment["promise"]["anyOf"][0]["maxLength"] == 5000
    assert commitment["internal"] == {"type": "object", "additionalProperties": {"maxLength": 20000},
                                      "description": commitment["internal"]["description"]}
    results = document("results.schema.json")["properties"]
    assert results["highlights"]["items"]["anyOf"][0]["maxLength"] == 5000
