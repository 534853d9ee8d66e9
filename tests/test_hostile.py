"""Inputs made to crash, slow down or leak through Kept, found by an attack review of issue 14:
each is refused with its location, or handled within bounded work."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_kept
from helpers import COMMITMENTS, RESULTS, write_project

from generator.validate import check


def errors_of(root: Path) -> list[str]:
    return [p.format() for p in check(root).problems if p.severity == "error"]


# -- YAML nested past what libyaml's composer survives (it recursed in C and crashed) --------

DEEP = 40_000


@pytest.mark.parametrize("rel, old, new, where", [
    ("commitments.yml", "  min_sample: 30\n", "  min_sample: " + "[" * DEEP + "]" * DEEP + "\n", "5:78"),
    ("results/2025-Q4.yml", "", "{a: " * 100_000 + "\n", "1:261"),
    ("results/2025-Q4.yml", "", "- " * DEEP + "x\n", "1:131"),
])
def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path, rel: str, old: str, new: str,
                                              where: str) -> None:
    root = write_project(tmp_path / "data", records=False)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1) if old else new, encoding="utf-8")
    result = run_kept("validate", "--root", str(root))
    assert (result.returncode, result.stdout) == (1, (
        f"{rel}:{where}: error: the document nests deeper than 64 levels; write lists "
        "and mappings a few levels deep\n"))


@pytest.mark.slow
def test_deep_nesting_in_mkdocs_yml_fails_the_build_cleanly(tmp_path: Path) -> None:
    """validate read mkdocs.yml with PyYAML's own parser; the build's first look at it
    (manifest.config_paths) used libyaml's and crashed."""
    root = write_project(tmp_path / "data", mkdocs=(
        "site_name: X\ntheme: {name: material, custom_dir: " + "[" * 50_000 + "]" * 50_000
        + "}\n"))
    result = run_kept("build", "--root", str(root), "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stdout) == (1, (
        "mkdocs.yml:2:100: error: the document nests deeper than 64 levels; write lists and "
        "mappings a few levels deep\n"))
    assert not (tmp_path / "out").exists()
