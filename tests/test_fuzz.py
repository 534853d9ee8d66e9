"""Property tests: whatever an editor does to a valid file, Kept answers with its own errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from helpers import COMMITMENTS, RESULTS, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import charts
from generator.compute import Row, Status
from generator.errors import Problem
from generator.model import Commitment, Direction, Measurement, Metric, Period
from generator.project import editions, project
from generator.render import render_edition
from generator.schema import MAX_NUMBER
from generator.validate import check

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
        if report.dataset is not None:  # valid after all: every edition must render
            for audience in ("public", "internal"):
                for edition in editions(project(report.dataset, audience), audience):
                    render_edition(edition)
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
    assert charts.chart(commitment, rows).count('class="kept-grid"') <= 12
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
    from generator.build import _extensions, _only_search, _overrides, _user_config

    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), mkdocs=text)
        report = check(root, site_config=True)
        for problem in report.problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message
        if report.dataset is None:
            assert any(p.path == "mkdocs.yml" and p.severity == "error" for p in report.problems)
            return
        user = _user_config(root)
        edition = editions(project(report.dataset, "public"), "public")[0]
        overrides = _overrides(user, "Acme", None, "public", edition, [], root, root / "out")
        assert isinstance(overrides["theme"], dict) and overrides["extra"]["version"]["provider"] == "mike"
        assert {"tables", "toc"} <= {next(iter(x)) if isinstance(x, dict) else x
                                     for x in _extensions(user.get("markdown_extensions"))}
        _only_search(user)
