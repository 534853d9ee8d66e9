"""The CI workflows and pre-commit hook parse, and every kept command they run exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from generator.cli import parser

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml")) + \
    sorted((REPO / "generator" / "starter" / "dot-github" / "workflows").glob("*.yml"))


def kept_calls(text: str) -> list[list[str]]:
    calls = []
    for line in text.splitlines():
        line = re.sub(r"\$\{\{[^}]*\}\}", "main", line)
        match = re.search(r"(?:^|\s)(?:\.venv/bin/)?kept ((?:validate|build|diff|serve|schema|"
                          r"new-period|publish|init)\b[^>|&;]*)", line)
        if match:
            calls.append(shlex.split(match.group(1)))
    return calls


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_parses_and_its_commands_exist(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text())
    assert workflow["jobs"]
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    calls = [call for run in runs for call in kept_calls(run)]
    assert calls, "the workflow runs kept"
    for call in calls:
        parser().parse_args(call)  # exits 2 on an unknown command or flag
    makefile = (REPO / "Makefile").read_text()
    for run in runs:
        for target in re.findall(r"\bmake (\w[\w-]*)", run):
            assert re.search(rf"^{target}:", makefile, re.M), target


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["entry"] == "kept validate"
    parser().parse_args(hooks[0]["entry"].split()[1:])
    assert re.match(hooks[0]["files"], "results/2026-Q3.yml")
    assert re.match(hooks[0]["files"], "commitments.yml")
