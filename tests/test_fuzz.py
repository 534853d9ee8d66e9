"""Property tests: whatever an editor does to a valid file, Kept answers with its own errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from helpers import COMMITMENTS, RESULTS, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import Problem
from generator.project import editions, project
from generator.render import render_edition
from generator.validate import check

pytestmark = pytest.mark.slow

SNIPPETS = ["", " ", "-", ":", "- x", "{", "}", "[", "]", "&a", "*a", "!!str", "null", "~",
            "2026-02-30", "2026-13-01", ".nan", "-.inf", "1e400", "-5", "0", "true", "'", '"',
            "\t", "\ufeff", "\x00", "é", "<script>", "{value: 1}", "[1, 2]", "2026-Q9", "? x",
            "<<: *a", "id: x", "  extra: 1", "period: 2025-Q2", "published: 2025-01-01",
            "commitments: [nope]", "target: four", "direction: sideways", "1_000", "0x1F"]


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
