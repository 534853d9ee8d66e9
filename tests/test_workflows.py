"""The CI workflows, the action and the pre-commit hook parse, and every kept command they run
exists (tests/test_action.py runs the action's)."""

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
                          r"new-period|publish|init|import|record)\b[^>|&;]*)", line)
        if match:
            calls.append(shlex.split(match.group(1)))
    return calls


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_parses_and_its_commands_exist(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text().replace("@KEPT_ACTION@", "acme/kept@v1"))
    assert workflow["jobs"]
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(step.get("uses") in ("./", "acme/kept@v1") for step in steps), "it uses Kept's action"
    runs = [step.get("run", "") for step in steps]
    for call in (call for run in runs for call in kept_calls(run)):
        parser().parse_args(call)  # exits 2 on an unknown command or flag
    makefile = (REPO / "Makefile").read_text()
    for run in runs:
        for target in re.findall(r"\bmake (\w[\w-]*)", run):
            assert re.search(rf"^{target}:", makefile, re.M), target


def test_the_action_runs_kept_commands_that_exist() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    runs = [step.get("run", "") for step in action["runs"]["steps"]]
    runs = [re.sub(r"<!--.*?-->", "", run.replace('"${args[@]}"', "")) for run in runs]
    calls = [call for run in runs for call in kept_calls(run)]
    assert [call[0] for call in calls] == ["validate", "diff", "build"]
    for call in calls:
        parser().parse_args(call)


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["entry"] == "kept validate"
    parser().parse_args(hooks[0]["entry"].split()[1:])
    assert re.match(hooks[0]["files"], "results/2026-Q3.yml")
    assert re.match(hooks[0]["files"], "commitments.yml")
