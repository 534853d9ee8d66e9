"""Golden pages: the Markdown (with its HTML blocks in place) of a home, a commitment, a report
and an improvement page of the test project, compared byte for byte with files reviewed once.

A deliberate change to a page updates them: `KEPT_UPDATE_GOLDEN=1 pytest tests/test_golden.py`,
then review the diff of tests/golden/ like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.project import editions, project
from generator.render import Rendered, render_edition
from generator.validate import check
from tests.helpers import write_project

GOLDEN = Path(__file__).parent / "golden"
PAGES = {"home": "index.md", "commitment": "commitments/email-reply.md",
         "report": "reports/2025-Q3.md", "improvement": "improvements/status-page.md"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    root = write_project(tmp_path_factory.mktemp("golden") / "data")
    data = check(root).dataset
    assert data is not None
    return {audience: render_edition(editions(project(data, audience), audience)[1 if audience == "internal" else 0])
            for audience in ("public", "internal")}


@pytest.mark.parametrize("audience", ["public", "internal"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_is_as_reviewed(rendered: dict[str, Rendered], audience: str, name: str) -> None:
    page = rendered[audience].expanded(PAGES[name])
    golden = GOLDEN / f"{audience}-{name}.md"
    if os.environ.get("KEPT_UPDATE_GOLDEN"):
        golden.write_text(page, encoding="utf-8")
    assert page == golden.read_text(encoding="utf-8"), f"{golden} differs (see the module's docstring)"
