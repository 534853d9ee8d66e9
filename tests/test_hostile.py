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


# -- links that stay in the repository but lead to what is not for the site ------------------

PRIVATE_HINT = "link only to files meant for the site, or put here a copy of what may be published"


def private_project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "data")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(
        '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic SECRETTOKEN\n')
    (root / "site").mkdir()
    (root / "site" / ".kept-site.json").write_text('{"format": 1, "owned": []}\n')
    (root / "site" / "internal").mkdir()
    (root / "site" / "internal" / "secret.html").write_text("<p>internal</p>\n")
    (root / "site_src" / "internal").mkdir(parents=True)
    (root / "site_src" / "internal" / "plan.md").write_text("# Team plan\n")
    return root


@pytest.mark.parametrize("link, target, place", [
    ("site_src/gitconfig.txt", "../.git/config", "git's folder (.git)"),
    ("site_src/data.txt", "../commitments.yml", "the data file commitments.yml"),
    ("site_src/q2.txt", "../results/2025-Q2.yml", "the data folder results/"),
    ("site_src/leak.html", "../site/internal/secret.html", "a site Kept built (site/)"),
    ("site_src/plan.md", "internal/plan.md", "the internal site's pages (site_src/internal/)"),
    ("site_src/templates/home.md.j2", "../../commitments.yml", "the data file commitments.yml"),
])
def test_site_files_may_not_link_to_private_places(tmp_path: Path, link: str, target: str,
                                                   place: str) -> None:
    root = private_project(tmp_path)
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(target)
    assert errors_of(root) == [
        f"{link}:1:1: error: the file is a link to {place}, which is not for the site; "
        f"{PRIVATE_HINT}"]


def test_links_between_site_files_still_work(tmp_path: Path) -> None:
    root = private_project(tmp_path)
    (root / "site_src" / "a.md").write_text("# A\n")
    (root / "site_src" / "b.md").symlink_to("a.md")
    (root / "site_src" / "internal" / "copy.md").symlink_to("plan.md")
    assert errors_of(root) == []


@pytest.mark.parametrize("target, place", [
    (".git", "git's folder (.git)"),
    ("site/internal", "a site Kept built (site/)"),
])
def test_site_src_may_not_be_a_link_to_a_private_place(tmp_path: Path, target: str,
                                                       place: str) -> None:
    root = private_project(tmp_path)
    (root / "site_src" / "internal" / "plan.md").unlink()
    (root / "site_src" / "internal").rmdir()
    (root / "site_src").rmdir()
    (root / "site_src").symlink_to(target)
    assert errors_of(root) == [
        f"site_src:1:1: error: the folder links to {place}, which is not for the site; "
        f"{PRIVATE_HINT}"]


@pytest.mark.parametrize("custom_dir, place", [
    (".", "the data file commitments.yml"),
    ("results", "the data folder results/"),
    ("site", "a site Kept built (site/)"),
    ("site_src", "the internal site's pages (site_src/internal/)"),
])
def test_custom_dir_may_not_hold_a_private_place(tmp_path: Path, custom_dir: str,
                                                 place: str) -> None:
    """MkDocs publishes every file of a theme's folder that is not a template."""
    root = private_project(tmp_path)
    (root / "mkdocs.yml").write_text(f"site_name: X\ntheme:\n  name: material\n"
                                     f"  custom_dir: {custom_dir}\n")
    assert [p.format() for p in check(root, site_config=True).problems] == [
        f"mkdocs.yml:4:15: error: 'custom_dir' is or holds {place}, which is not for the site; "
        "keep theme overrides in a folder of their own, such as site_src/overrides"]


def test_custom_dir_files_are_checked_by_validate(tmp_path: Path) -> None:
    root = private_project(tmp_path)
    (root / "mkdocs.yml").write_text("site_name: X\ntheme:\n  name: material\n"
                                     "  custom_dir: overrides\n")
    (root / "overrides").mkdir()
    (root / "overrides" / "token.txt").symlink_to("../.git/config")
    assert [p.format() for p in check(root, site_config=True).problems] == [
        f"overrides/token.txt:1:1: error: the file is a link to git's folder (.git), which is "
        f"not for the site; {PRIVATE_HINT}"]


@pytest.mark.slow
def test_a_link_into_the_built_site_fails_the_next_build(tmp_path: Path) -> None:
    """Built into the default ROOT/site, then a public page linked to an internal one."""
    root = write_project(tmp_path / "data")
    assert run_kept("build", "--root", str(root), "--jobs", "1").returncode == 0
    page = root / "site/internal/latest/commitments/secret-queue/index.html"
    assert page.is_file()
    (root / "site_src").mkdir()
    (root / "site_src" / "leak.html").symlink_to(
        "../site/internal/latest/commitments/secret-queue/index.html")
    result = run_kept("build", "--root", str(root), "--jobs", "1")
    assert (result.returncode, result.stdout) == (1, (
        "site_src/leak.html:1:1: error: the file is a link to a site Kept built (site/), which "
        f"is not for the site; {PRIVATE_HINT}\n"))
    assert not (root / "site/public/latest/leak.html").exists()


# -- templates of site_src/ run in a sandbox -----------------------------------------------------

def newest_edition(root: Path, audience: str = "public"):  # noqa: ANN201 - an Edition
    from generator.project import editions, project

    data = check(root).dataset
    assert data is not None
    return editions(project(data, audience), audience)[0]


def test_a_template_cannot_run_commands(tmp_path: Path) -> None:
    from generator.errors import DataError
    from generator.render import render_edition

    root = write_project(tmp_path / "data")
    templates = root / "site_src" / "templates"
    templates.mkdir(parents=True)
    touched = tmp_path / "RCE"
    (templates / "home.md.j2").write_text(
        '{% extends "default:home.md.j2" %}\n'
        f"{{% set x = cycler.__init__.__globals__.os.system('touch {touched}') %}}\n")
    with pytest.raises(DataError) as caught:
        render_edition(newest_edition(root), templates)
    assert [p.format() for p in caught.value.problems] == [
        "site_src/templates/home.md.j2:2:1: error: the template does what a template may not: "
        "access to attribute '__init__' of 'type' object is unsafe; a template reaches the data "
        "and Kept's filters and functions only"]
    assert not touched.exists()


def test_kept_templates_render_the_same_in_the_sandbox(tmp_path: Path) -> None:
    """With a template of the user's, every page renders in the sandbox; Kept's own templates
    give the same pages there, also after a plain environment compiled them in this process."""
    from generator.render import render_edition

    root = write_project(tmp_path / "data")
    edition = newest_edition(root, "internal")
    plain = render_edition(edition)
    templates = root / "site_src" / "templates"
    templates.mkdir(parents=True)
    (templates / "reviews.md.j2").write_text('{% extends "default:reviews.md.j2" %}\n')
    sandboxed = render_edition(edition, templates)
    assert sandboxed.files == plain.files and sandboxed.blocks == plain.blocks
    assert render_edition(edition).files == plain.files
    # A plain environment cannot run what a sandbox compiled (its calls go through the
    # sandbox): each keeps its compiled templates apart.
    from generator.render import BYTECODE, SANDBOXED_BYTECODE

    assert BYTECODE.get_cache_key("home.md.j2") != SANDBOXED_BYTECODE.get_cache_key("home.md.j2")


def test_template_errors_are_located(tmp_path: Path) -> None:
    from generator.errors import DataError
    from generator.render import render_edition

    root = write_project(tmp_path / "data")
    templates = root / "site_src" / "templates"
    templates.mkdir(parents=True)
    (templates / "reviews.md.j2").write_text("# Reviews\n\n{{ qty(None) }}\n")
    (templates / "home.md.j2").write_text('{% extends "default:home.md.j2" %}\n{% if %}\n')
    assert errors_of(root) == [
        "site_src/templates/home.md.j2:2:1: error: template syntax error: Expected an "
        "expression, got 'end of statement block'; see Jinja's template documentation"]
    (templates / "home.md.j2").unlink()
    with pytest.raises(DataError) as caught:
        render_edition(newest_edition(root, "internal"), templates)
    assert [p.format() for p in caught.value.problems] == [
        "site_src/templates/reviews.md.j2:3:1: error: the template failed: TypeError: qty() "
        "missing 1 required positional argument: 'unit'; compare it with Kept's own template "
        "of the same name"]
