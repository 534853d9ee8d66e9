"""Real git repositories holding a data repository, for tests that compare with a ref."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import write_project

# The tests' git ignores the user's and the system's configuration (hooks, signing, templates),
# so that commits behave the same on every machine.
_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Kept tests", "GIT_AUTHOR_EMAIL": "tests@kept.invalid",
        "GIT_COMMITTER_NAME": "Kept tests", "GIT_COMMITTER_EMAIL": "tests@kept.invalid"}


def git(repo: Path, *args: str) -> str:
    """Run git in repo and return its output; a failure fails the test with git's message."""
    result = subprocess.run(["git", "-C", str(repo), *args], env=_ENV, capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def commit_all(repo: Path, message: str = "change") -> str:
    """Commit everything in repo's working tree; return the new commit id."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def make_repo(repo: Path, data: str = "") -> Path:
    """A git repository at repo whose first commit holds the test project in folder `data`
    (the repository's top when empty); return the data folder."""
    root = write_project(repo / data if data else repo)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "example data")
    return root


def edit(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of old in a file, so a test never edits by accident."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
