"""Property tests: whatever an editor does to a valid file, Kept answers with its own errors."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import markdown
import markdown.extensions.toc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import charts
from generator.compute import Row, Status
from generator.engine.config import REQUIRED_EXTENSIONS
from generator.errors import Problem
from generator.kinds import MAX_NUMBER
from generator.markup import md_html, page_html
from generator.model import Commitment, Direction, Measurement, Metric, Period
from generator.project import Edition, editions, project
from generator.render import render_edition
from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, write_project
from tests.htmlcheck import live_markup

pytestmark = pytest.mark.slow

SNIPPETS = ["", " ", "-", ":", "- x", "{", "}", "[", "]", "&a", "*a", "!!str", "null", "~",
            "2026-02-30", "2026-13-01", ".nan", "-.inf", "1e400", "-5", "0", "true", "'", '"',
            "\t", "\ufeff", "\x00", "é", "<script>", "{value: 1}", "[1, 2]", "2026-Q9", "? x",
            "<<: *a", "id: x", "  extra: 1", "period: 2025-Q2", "published: 2025-01-01",
            "commitments: [nope]", "target: four", "direction: sideways", "1_000", "0x1F",
            # numbers YAML 1.1 reads its own way, and numbers out of range
            "2:30", "190:20:30", "0100", "0b11", "+1", ".5", "1.", "1e5", "1.7e+308", "-1.7e+308",
            "1" + "0" * 400, "1" + "0" * 5000, "1000000000001", "-1000000000000", "0.0000001",
            "yes", "no", "off", "=", "!!set {a}", "!!python/name:os.system", "!ENV HOME",
            # dates and periods at and past the edges Kept handles
            "9999-12-31", "0000-01-01", "1969-12-31", "1970-01-01", "2105-12-31", "2106-02-08",
            "0000-Q1", "2105-Q4", "2106-Q1", "1970-01", "period: 0000-Q1",
            "review: {every: year, last: 9999-12-31}", "published: 2106-02-08"]

# Pieces of Markdown structure that made Kept and Markdown disagree about what is code, and
# the markup they hid; joined at random into a text.
MARKDOWN = ["```\n", "~~~\n", "\n```\n", "\n~~~ x\n", "`", "``", "\\`", "\n", "\n\n", "    ",
            "[", "]", "(", "![", "](", "<", "&", "&lt;", "&#60;", "&#x3c;", "*", "\\", "|-|\n",
            "> ", "- ", "1. ", "!!! note \"t\"\n    ", "\n[r]: javascript:alert('xss')\n", "[r]",
            "<script>alert('xss')</script>", "<svg/onload=alert('xss')>",
            "<img src=x onerror=alert('xss')>", "<a href='javascript:alert(1)'>a</a>",
            "[a](javascript:alert('xss'))", "\n{: onclick=\"alert('xss')\" }\n", "<!--", "-->",
            "<div>\n", "⟦kept-block-0⟧", "⟦kept-block-99⟧", "x"]
markdown_texts = st.lists(st.sampled_from(MARKDOWN), min_size=1, max_size=16).map("".join)
SNIPPETS += [json.dumps(text) for text in (
    "~~~\n<script>alert('xss')</script>\n~~~", "```\nx\n\n<script>alert('xss')</script>",
    "`a\n\n<svg/onload=alert('xss')>\n\nb`", "\\`x <svg/onload=alert('xss')>`",
    "⟦kept-block-0⟧ ⟦kept-block-999⟧", "[" * 300, "1. " * 30 + "x")]
# MkDocs' Markdown, as a build sets it up (the default mkdocs.yml adds permalinks).
MKDOCS_EXTENSIONS = [*REQUIRED_EXTENSIONS[:-1], markdown.extensions.toc.TocExtension(permalink=True)]


def live_pages(edition: Edition) -> list[str]:
    """Every page of the edition as the plugin leaves it (Markdown converted as MkDocs does,
    sanitised, blocks in place), with the markup in it that would run."""
    rendered = render_edition(edition)
    found = []
    for path, text in rendered.files.items():
        converted = markdown.markdown(text, extensions=MKDOCS_EXTENSIONS)
        found += [f"{path}: {live}" for live in
                  live_markup(page_html(converted, rendered.blocks.get(path, [])))]
    return found


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["replace_value", "delete", "insert", "indent", "garble"]))
        line = lines[index]
        if action == "replace_value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(st.sampled_from(SNIPPETS))}"
        elif action == "delete":
            del lines[index]
            if not lines:
                lines = [""]
        elif action == "insert":
            lines.insert(index, draw(st.sampled_from(SNIPPETS)))
        elif action == "indent":
            lines[index] = " " * draw(st.integers(0, 6)) + line.lstrip()
        else:
            pos = draw(st.integers(0, len(line)))
            lines[index] = line[:pos] + draw(st.text(max_size=3)) + line[pos:]
    return "\n".join(lines) + "\n"


def outcome(commitments: str, results: dict[str, str]) -> list[Problem]:
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), commitments, results)
        report = check(root)
        if report.dataset is not None:  # valid after all: every edition must render, safely
            for audience in ("public", "internal"):
                for edition in editions(project(report.dataset, audience), audience):
                    assert live_pages(edition) == []
        for problem in report.problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message
            assert problem.path == "commitments.yml" or problem.path.startswith("results/")
        return report.problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(COMMITMENTS))
def test_mutated_commitments_file(text: str) -> None:
    outcome(text, RESULTS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(RESULTS)).flatmap(lambda p: st.tuples(st.just(p), mutated(RESULTS[p]))))
def test_mutated_results_file(case: tuple[str, str]) -> None:
    period, text = case
    outcome(COMMITMENTS, {**RESULTS, period: text})


@settings(max_examples=300, deadline=None)
@given(markdown_texts)
def test_markdown_structure_never_lets_markup_through(text: str) -> None:
    assert live_markup(md_html(text)) == []


def _everywhere(text: str, title: str) -> tuple[str, dict[str, str]]:
    """A project with text in every Markdown field and title in every one-line text."""
    m, t = json.dumps(text), json.dumps(title)
    commitments = f"""\
organization: {{name: {t}, url: "https://x.example/", period: quarter, internal: {{note: {m}}}}}
values:
  - {{id: v, title: {t}, description: {m}}}
locations:
  - {{id: loc, name: {t}}}
commitments:
  - id: c
    title: {t}
    promise: {m}
    why: {m}
    value: v
    metric: {{name: {t}, unit: {t}, direction: lower, target: 5, definition: {m}}}
    since: 2026-01-01
    locations: [loc]
    revisions:
      - {{date: 2026-02-01, reason: {m}, previous: {{title: {t}, promise: {m}, target: 9}}}}
    internal: {{owner: {t}, notes: {m}}}
"""
    first = f"""\
period: 2026-Q1
published: 2026-04-02
summary: {m}
highlights: [{m}, {m}]
measurements:
  c: {{value: 6, sample: 40, locations: {{loc: {{value: 4, sample: 40}}}}, explanation: {m}}}
improvements:
  - {{id: i, date: 2026-02-01, title: {t}, you_said: {m}, we_did: {m}, commitments: [c],
     feedback: {{source: {t}, count: 3}}}}
corrections:
  - {{date: 2026-04-03, note: {m}}}
"""
    draft = f"period: 2026-Q2\nsummary: {m}\nmeasurements:\n  c: {{value: null, explanation: {m}}}\n"
    return commitments, {"2026-Q1": first, "2026-Q2": draft}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_texts, markdown_texts)
def test_no_markup_goes_live_on_any_page(text: str, title: str) -> None:
    """Hostile Markdown in every text field and every title: every page of every edition, as
    the plugin leaves it, parsed as a browser would, has nothing that runs."""
    commitments, results = _everywhere("M " + text, "T " + title[:150])
    with tempfile.TemporaryDirectory() as folder:
        report = check(write_project(Path(folder), commitments, results))
        assert [p for p in report.problems if "nest" not in p.message] == [], report.problems
        if report.dataset is None:
            return
        for audience in ("public", "internal"):
            for edition in editions(project(report.dataset, audience), audience):
                assert live_pages(edition) == []


FIGURES = st.one_of(st.integers(-MAX_NUMBER, MAX_NUMBER),
                    st.floats(-MAX_NUMBER, MAX_NUMBER, allow_nan=False),
                    st.sampled_from([0.0, -0.0, 5e-324, 1e-300, float(MAX_NUMBER), -MAX_NUMBER]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.none() | FIGURES, FIGURES), min_size=1, max_size=8))
def test_every_figure_validation_accepts_draws(pairs: list[tuple[float | None, float]]) -> None:
    """Charts and sparklines take any figure and target inside the limits: no overflow, and
    a handful of grid lines."""
    import datetime as dt

    commitment = Commitment("c", "T", "P", Metric("m", "u", Direction.LOWER, 1), dt.date(2020, 1, 1))
    rows = [Row(Period(f"2020-{i + 1:02d}"), Status.MET if i % 2 else Status.MISSED, target,
                Measurement(value) if value is not None else None, None)
            for i, (value, target) in enumerate(pairs)]
    drawings = charts.chart(commitment, rows).split("</svg>")[:-1]
    assert len(drawings) == 2 and all(d.count('class="kept-grid"') <= 12 for d in drawings)
    charts.sparkline(rows, "trend")


MKDOCS = """\
site_name: Acme Help promises
theme:
  name: material
  features: [navigation.top]
  palette:
    - scheme: default
      primary: indigo
plugins:
  - search
markdown_extensions:
  - toc:
      permalink: true
  - admonition
extra:
  version: {default: latest}
  social: [{icon: x}]
extra_css: [extra.css]
extra_javascript: [a.js, {path: b.js, type: module}]
"""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(MKDOCS))
def test_mutated_mkdocs_config(text: str) -> None:
    """Whatever validate accepts in mkdocs.yml, Kept's own use of it (the settings it derives
    for every edition) takes; and what it refuses, it says where."""
    from generator.engine.config import extensions, only_search, overrides, user_config

    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), mkdocs=text)
        report = check(root, site_config=True)
        for problem in report.problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message
        if report.dataset is None:
            assert any(p.path == "mkdocs.yml" and p.severity == "error" for p in report.problems)
            return
        user = user_config(root)
        edition = editions(project(report.dataset, "public"), "public")[0]
        derived = overrides(user, "Acme", None, edition, [], root, root / "out")
        assert isinstance(derived["theme"], dict) and derived["extra"]["version"]["provider"] == "mike"
        assert {"tables", "toc"} <= {next(iter(x)) if isinstance(x, dict) else x
                                     for x in extensions(user.get("markdown_extensions"))}
        only_search(user)
