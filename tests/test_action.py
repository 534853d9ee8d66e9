"""Kept's GitHub Action (action.yml), run as a data repository's workflow runs it.

The jobs of the workflow that `kept init` writes are played for the events that start them:
each step of the action is run as GitHub would run it (its `if:` evaluated, its inputs and
`${{ }}` expressions put in), its `kept` calls against a copy of the example in a git
repository, its comment against a stand-in for `gh` that records what it was asked. Steps
that use other actions (checkout, artifacts, Pages) are recorded, with their inputs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.init import starter_files
from tests.gitrepo import git

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
# The starter's workflow, with the action where a data repository names it.
WORKFLOW = yaml.safe_load(starter_files()[".github/workflows/kept.yml"].replace(
    "@KEPT_ACTION@", "acme/kept@v1"))
EXAMPLE = ["commitments.yml", "results", "mkdocs.yml", "site_src", "commitments.schema.json",
           "results.schema.json"]


# --- GitHub's expressions, as far as the action and the workflow use them ----------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|"
                    r"(?P<name>[A-Za-z_][\w.-]*))")


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The value of an expression made of names (inputs.deploy, github.event.pull_request...),
    'strings', ==, !=, !, && and || (anything else fails the test)."""
    python: list[str] = []
    rest = expression.strip()
    while rest:
        match = _TOKEN.match(rest)
        assert match and match.group(), f"not understood: {rest!r} in {expression!r}"
        rest = rest[match.end():].lstrip()
        if match["str"] is not None:
            python.append(repr(match["str"][1:-1].replace("''", "'")))
        elif match["op"] is not None:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"]))
        elif match["name"] in ("true", "false", "null"):
            python.append({"true": "True", "false": "False", "null": "None"}[match["name"]])
        else:
            value: Any = context
            for part in match["name"].split("."):
                value = value.get(part) if isinstance(value, dict) else None
            python.append(repr(value))
    return eval("".join(python), {"__builtins__": {}})  # noqa: S307 (test code, tokens above)


def substitute(text: str, context: dict[str, Any]) -> str:
    """text with every ${{ expression }} replaced by its value, as GitHub does."""
    def value(match: re.Match[str]) -> str:
        found = evaluate(match.group(1), context)
        return "" if found is None else str(found).lower() if isinstance(found, bool) else str(found)
    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


# --- running the action -----------------------------------------------------------------------


@dataclass
class Run:
    """What a run of the action did: the steps run and the actions used (name, inputs)."""

    ran: list[str] = field(default_factory=list)
    used: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    installs: list[str] = field(default_factory=list)


@dataclass
class Runner:
    data: Path  # the data repository's checkout
    tmp: Path
    event: dict[str, Any]

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        github = self.event
        return {
            **os.environ,
            "PATH": f"{self.tmp / 'bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
                    f"{os.environ['PATH']}",
            "GITHUB_EVENT_NAME": github["event_name"],
            "GITHUB_BASE_REF": github.get("base_ref", ""),
            "GITHUB_REPOSITORY": github["repository"],
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_STEP_SUMMARY": str(self.tmp / "step-summary.md"),
            "RUNNER_TEMP": str(self.tmp / "runner"),
            **extra,
        }

    def job(self, name: str) -> Run | None:
        """Run a job of the workflow for the event, if its `if:` lets it run."""
        job = WORKFLOW["jobs"][name]
        context = {"github": self.event, "steps": {}}
        if "if" in job and not evaluate(job["if"], context):
            return None
        (step,) = job["steps"]  # one step a job: the action
        assert step["uses"] == "acme/kept@v1"
        return self.action({k: str(v).lower() if isinstance(v, bool) else str(v)
                            for k, v in step.get("with", {}).items()})

    def action(self, given: dict[str, str]) -> Run:
        assert set(given) <= set(ACTION["inputs"]), "the workflow gives inputs the action has"
        context: dict[str, Any] = {"github": {**self.event, "token": "token-of-the-run",
                                              "action_path": str(REPO)}, "steps": {}}
        context["inputs"] = {name: substitute(str(spec.get("default", "")), context)
                             for name, spec in ACTION["inputs"].items()} | given
        (self.tmp / "runner").mkdir(exist_ok=True)
        run = Run()
        for step in ACTION["runs"]["steps"]:
            if "if" in step and not evaluate(step["if"], context):
                continue
            label = step.get("name") or step["uses"]
            if "uses" in step:
                run.used.append((step["uses"].split("@")[0], {
                    k: substitute(str(v), context) for k, v in step.get("with", {}).items()}))
                continue
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs reach scripts through env, never as code"
            if "pip install" in step["run"]:  # installing is the wheel test's business
                run.installs.append(step["run"])
                continue
            cwd = self.data / substitute(step.get("working-directory", "."), context)
            env = self.env({k: substitute(str(v), context) for k, v in step.get("env", {}).items()})
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                     step["run"]], cwd=cwd, env=env, capture_output=True, text=True)
            assert result.returncode == 0, f"{label}:\n{result.stdout}\n{result.stderr}"
            run.ran.append(label)
        return run


FAKE_GH = """\
#!{python}
# Records its arguments (and a comment's body); answers the listing of comments with the id
# written in gh-existing, if any.
import json, pathlib, sys
here = pathlib.Path(__file__).parent.parent
args = sys.argv[1:]
body = next((a[len("body=@"):] for a in args if a.startswith("body=@")), None)
with (here / "gh-calls").open("a") as log:
    log.write(json.dumps({{"args": args, "body": pathlib.Path(body).read_text() if body else None}}) + "\\n")
if "--paginate" in args:
    existing = here / "gh-existing"
    print(existing.read_text() if existing.exists() else "")
"""


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """The example as a data repository: main as its base branch on origin, and a pull request
    that changes a figure of the draft period."""
    root = tmp_path / "data"
    root.mkdir()
    for name in EXAMPLE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    draft = root / "results/2026-Q4.yml"
    text = draft.read_text()
    changed = re.sub(r"(\n  email-reply:\n(?:    .*\n)*?    value: )[0-9.]+", r"\g<1>3.75", text, count=1)
    assert changed != text
    draft.write_text(changed)
    git(root, "commit", "-q", "-am", "December's email figure")
    (tmp_path / "bin").mkdir()
    gh = tmp_path / "bin/gh"
    gh.write_text(FAKE_GH.format(python=sys.executable))
    gh.chmod(0o755)
    return root


PULL_REQUEST = {"event_name": "pull_request", "base_ref": "main", "repository": "acme/promises",
                "ref": "refs/pull/7/merge",
                "event": {"pull_request": {"number": 7, "head": {"repo": {"full_name": "acme/promises"}}}}}
PUSH = {"event_name": "push", "base_ref": "", "repository": "acme/promises", "ref": "refs/heads/main",
        "event": {}}


def gh_calls(tmp: Path) -> list[dict[str, Any]]:
    import json

    path = tmp / "gh-calls"
    calls = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    path.unlink(missing_ok=True)
    return calls


@pytest.mark.slow
def test_pull_request_checks_comments_and_builds(data: Path, tmp_path: Path) -> None:
    runner = Runner(data, tmp_path, PULL_REQUEST)
    assert runner.job("deploy") is None
    run = runner.job("check")
    assert run is not None
    assert run.ran == ["Validate (annotations; records; in a pull request, against the base branch)",
                       "Summarise the change for customers",
                       "Post the summary on the pull request (edited, not repeated)", "Build"]
    assert [name for name, _ in run.used] == ["actions/checkout", "actions/setup-python",
                                              "actions/upload-artifact"]
    assert run.used[0][1] == {"fetch-depth": "0"}
    assert run.used[2][1] == {"name": "site", "path": "./site/"}
    assert (data / "site/public/latest/index.html").is_file()
    assert (data / "site/internal/2026-Q4/index.html").is_file()
    # Kept comes from the action's own files, with the pinned dependencies.
    (install,) = run.installs
    assert '--constraint "$GITHUB_ACTION_PATH/requirements.txt" "$GITHUB_ACTION_PATH"' in install
    # The summary: what the change means for customers, in the run's summary and as a comment.
    summary = (tmp_path / "step-summary.md").read_text()
    assert "2026-Q4" in summary and "3.75" in summary
    (listing, posted) = gh_calls(tmp_path)
    assert listing["args"][:3] == ["api", "--paginate", "repos/acme/promises/issues/7/comments"]
    assert posted["args"][:4] == ["api", "--method", "POST", "repos/acme/promises/issues/7/comments"]
    assert posted["body"] == "<!-- kept diff -->\n" + summary
    # On the next push, the comment found by its marker is edited, not repeated.
    (tmp_path / "gh-existing").write_text("4242\n5151\n")  # the first found
    runner.job("check")
    (listing, edited) = gh_calls(tmp_path)
    assert edited["args"][:4] == ["api", "--method", "PATCH", "repos/acme/promises/issues/comments/4242"]


@pytest.mark.slow
def test_the_checks_fail_a_pull_request_that_changes_a_published_figure(data: Path, tmp_path: Path) -> None:
    published = data / "results/2026-Q3.yml"
    published.write_text(re.sub(r"(\n    value: )([0-9.]+)", r"\g<1>99", published.read_text(), count=1))
    git(data, "commit", "-q", "-am", "a silent change")
    with pytest.raises(AssertionError) as failed:
        Runner(data, tmp_path, PULL_REQUEST).job("check")
    assert str(failed.value).startswith("Validate")
    assert "::error file=results/2026-Q3.yml," in str(failed.value)
    assert not (data / "site").exists() and gh_calls(tmp_path) == []


@pytest.mark.slow
def test_the_checks_compare_a_pull_request_with_its_base(data: Path, tmp_path: Path) -> None:
    """Removing a published edition (results and record) passes `kept validate` alone: only
    the comparison with the base branch sees it, and the action makes it."""
    git(data, "rm", "-q", "results/2025-Q3.yml", "results/records/2025-Q3.json")
    git(data, "commit", "-q", "-m", "an edition removed")
    with pytest.raises(AssertionError) as failed:
        Runner(data, tmp_path, PULL_REQUEST).job("check")
    assert "published period 2025-Q3 was removed" in str(failed.value)
    assert Runner(data, tmp_path, PUSH).job("deploy") is not None  # main: no base to compare


@pytest.mark.slow
def test_a_pull_request_from_a_fork_gets_no_comment(data: Path, tmp_path: Path) -> None:
    fork = {**PULL_REQUEST, "event": {"pull_request": {"number": 7, "head": {"repo": {"full_name": "x/fork"}}}}}
    run = Runner(data, tmp_path, fork).job("check")
    assert run is not None and "Summarise the change for customers" in run.ran
    assert not any(label.startswith("Post") for label in run.ran) and gh_calls(tmp_path) == []


@pytest.mark.slow
def test_main_builds_and_deploys_the_public_site(data: Path, tmp_path: Path) -> None:
    runner = Runner(data, tmp_path, PUSH)
    assert runner.job("check") is None
    run = runner.job("deploy")
    assert run is not None
    assert run.ran == ["Validate (annotations; records; in a pull request, against the base branch)",
                       "Build"]
    assert [name for name, _ in run.used] == ["actions/checkout", "actions/setup-python",
                                              "actions/upload-pages-artifact", "actions/deploy-pages"]
    path = run.used[2][1]["path"]
    assert path == "./site/public" and (data / path / "index.html").is_file()
    assert (data / path / "latest/api/commitments.json").is_file()
    assert gh_calls(tmp_path) == []


@pytest.mark.slow
def test_the_internal_site_can_go_to_a_private_pages_site(data: Path, tmp_path: Path) -> None:
    run = Runner(data, tmp_path, PUSH).action({"deploy": "true", "site": "internal"})
    assert run.used[2] == ("actions/upload-pages-artifact", {"path": "./site/internal"})
    with pytest.raises(AssertionError, match="the input site is public or internal, not '../x'"):
        Runner(data, tmp_path, PUSH).action({"deploy": "true", "site": "../x"})


def test_the_workflow_kept_init_writes() -> None:
    """One step a job, each job with the permissions its part of the action needs."""
    jobs = WORKFLOW["jobs"]
    assert set(jobs) == {"check", "deploy"}
    assert WORKFLOW["permissions"] == {"contents": "read"}
    assert jobs["check"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert jobs["deploy"]["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert jobs["deploy"]["steps"] == [{"id": "kept", "uses": "acme/kept@v1", "with": {"deploy": True}}]
    assert jobs["deploy"]["environment"]["url"] == "${{ steps.kept.outputs.page-url }}"
    assert "page-url" in ACTION["outputs"]
    assert set(WORKFLOW[True]) == {"pull_request", "push", "workflow_dispatch"}  # YAML 1.1: on


def test_the_actions_it_uses_are_pinned() -> None:
    used = [step["uses"] for step in ACTION["runs"]["steps"] if "uses" in step]
    for name in used:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+", name), name


def test_the_repository_uses_its_own_action() -> None:
    """Kept's own CI runs the action on the example, so a broken action fails Kept's checks."""
    workflow = yaml.safe_load((REPO / ".github/workflows/kept.yml").read_text())
    steps = {name: job["steps"] for name, job in workflow["jobs"].items()}
    assert {"uses": "./", "with": {"checkout": False}} in steps["check"]
    assert {"id": "kept", "uses": "./", "with": {"checkout": False, "deploy": True}} in steps["deploy"]


def test_evaluate() -> None:
    context = {"inputs": {"deploy": "true"}, "github": {"event_name": "push"}}
    assert evaluate("inputs.deploy == 'true' && github.event_name != 'pull_request'", context)
    assert not evaluate("!(inputs.deploy == 'true') || github.nothing == 'x'", context)
    assert substitute("a ${{ inputs.deploy }} ${{ github.nothing }}b", context) == "a true b"


def test_the_docs_name_every_input_and_output() -> None:
    guide = (REPO / "docs/deploying.md").read_text()
    section = guide[guide.index("Its inputs:"):guide.index("**Pin a release.**")]
    named = set(re.findall(r"`([a-z-]+)` \(", section)) | set(re.findall(r"output: `([a-z-]+)`", section))
    assert named == set(ACTION["inputs"]) | set(ACTION["outputs"])
