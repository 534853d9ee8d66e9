"""Kept's changes to Material's templates (generator/engine/theme): the search dialog and the
version selector named as they show, the scripts run once the page is parsed; a custom_dir of
the user's comes first, and may keep them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import build_site
from generator.engine.config import THEME
from generator.engine.internals import material_templates
from tests.helpers import write_project

CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)
SEARCH = '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">'


def _body(template: str) -> str:
    """A template without its opening comment."""
    return re.sub(r"\A\{#-.*?-#\}\n", "", template, flags=re.S)


def test_the_search_box_is_materials_with_a_name() -> None:
    """Kept's search partial is Material's but for the name of its dialog: after an upgrade
    of Material that changes the partial, this fails until the copy is made again."""
    material = _body((material_templates() / "partials/search.html").read_text(encoding="utf-8"))
    ours = _body((THEME / "partials/search.html").read_text(encoding="utf-8"))
    dialog = '<div class="md-search" data-md-component="search" role="dialog">'
    assert material.count(dialog) == 1
    assert ours == material.replace(dialog, dialog[:-1] + " aria-label=\"{{ lang.t('search') }}\">")


def _scripts(page: str) -> list[str]:
    """The page's script tags, Material's bundle by its name without the digest, in the
    site's store of the theme (engine.store) named without its digest."""
    return [re.sub(r"theme/[0-9a-f]{16}/", "theme/DIGEST/",
                   re.sub(r"bundle\.[0-9a-f]+\.min\.js", "bundle.js", tag))
            for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", page)]


@pytest.mark.slow
def test_pages_name_the_search_box_and_the_version_and_defer_scripts(built_site: Path) -> None:
    for audience, title in (("public", "2025-Q3"), ("internal", "2025-Q4 (draft)")):
        for path in ("index.html", "commitments/email-reply/index.html"):
            page = (built_site / audience / "latest" / path).read_text(encoding="utf-8")
            assert page.count(SEARCH) == 1
            config = CONFIG.search(page)
            assert config is not None
            # The version button shows the edition's title: its name begins with it.
            assert json.loads(config.group(1))["translations"]["select.version"] == \
                f"{title}: Select version"
            root = "../../" if "/" in path else ""
            assert _scripts(page) == [
                f'<script defer src="{root}../theme/DIGEST/assets/javascripts/bundle.js">',
                f'<script defer src="{root}kept/kept.js">']


@pytest.mark.slow
def test_a_custom_dir_comes_first_and_may_keep_kepts_changes(tmp_path: Path) -> None:
    """The user's partials win over Kept's; a main.html of the user's that extends kept.html
    keeps Kept's changes (one that extends base.html replaces them, as in any theme)."""
    config = ("site_name: Acme\ntheme:\n  name: material\n  custom_dir: overrides\n"
              "extra_javascript: [extra.js]\n")
    root = write_project(tmp_path / "data", mkdocs=config)
    (root / "overrides/partials").mkdir(parents=True)
    (root / "overrides/partials/search.html").write_text('<div class="acme-search"></div>\n')
    (root / "overrides/main.html").write_text(
        '{% extends "kept.html" %}\n{% block announce %}Acme news{% endblock %}\n')
    (root / "site_src").mkdir()
    (root / "site_src/extra.js").write_text("// the user's\n")
    build_site(root, tmp_path / "out", jobs=1, audiences=("public",))
    page = (tmp_path / "out/public/latest/index.html").read_text(encoding="utf-8")
    assert '<div class="acme-search"></div>' in page and SEARCH not in page
    assert "Acme news" in page
    assert _scripts(page) == ['<script defer src="../theme/DIGEST/assets/javascripts/bundle.js">',
                              '<script defer src="extra.js">', '<script defer src="kept/kept.js">']
    config_json = CONFIG.search(page)
    assert config_json is not None
    assert json.loads(config_json.group(1))["translations"]["select.version"] == \
        "2025-Q3: Select version"


@pytest.mark.slow
def test_another_theme_is_left_as_it_is(tmp_path: Path) -> None:
    """Kept's overrides are Material's blocks: MkDocs' own theme keeps its scripts as they are
    (its inline scripts rely on those before them)."""
    root = write_project(tmp_path / "data", mkdocs="site_name: Acme\ntheme:\n  name: mkdocs\n")
    build_site(root, tmp_path / "out", jobs=1, audiences=("public",))
    page = (tmp_path / "out/public/latest/index.html").read_text(encoding="utf-8")
    scripts = _scripts(page)
    assert scripts and not any("defer" in tag for tag in scripts), scripts
    assert "Select version" not in page and "md-search" not in page
