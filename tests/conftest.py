from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import write_project


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
