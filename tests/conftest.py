from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import write_project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small valid quarterly data repository."""
    return write_project(tmp_path / "data")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project built once with the real MkDocs, shared by the end-to-end tests."""
    from generator.build import build_site

    root = write_project(tmp_path_factory.mktemp("e2e") / "data")
    build_site(root, root / "site", jobs=2)
    return root / "site"


def run_kept(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line, as a user would."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
