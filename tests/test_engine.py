"""The adapter over MkDocs, ProperDocs and Material: the internals it relies on, the speed-ups
behind KEPT_SPEEDUPS, and the engines, through the seams a user has (the switch, --engine)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import re
import shutil
import sys
from pathlib import Path

import pytest

from generator.build import build_site
from generator.engine import internals
from tests.helpers import COMMITMENTS, run_kept, write_project

pytestmark = pytest.mark.slow

MATERIAL = importlib.metadata.version("mkdocs-material")
MKDOCS_TAG = f"mkdocs-{importlib.metadata.version('mkdocs')}, mkdocs-material-{MATERIAL}"
PROPERDOCS_TAG = f"mkdocs-ProperDocs {importlib.metadata.version('properdocs')}, mkdocs-material-{MATERIAL}"


def tree(folder: Path, generator_tag: bool = True) -> dict[str, str]:
    """Each built file with the digest of its bytes (Kept's manifests left out: they name
    the engine). Without generator_tag, HTML pages are taken without their generator tag."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if not path.is_file() or rel.startswith(".kept-"):
            continue
        data = path.read_bytes()
        if not generator_tag and path.suffix == ".html":
            data = re.sub(rb'<meta name="generator" content="[^"]*">', b"", data)
        found[rel] = hashlib.sha256(data).hexdigest()
    return found


def generator_tags(folder: Path) -> set[str]:
    return {tag for path in folder.rglob("*.html")
            for tag in re.findall(r'<meta name="generator" content="([^"]*)">', path.read_text())}


def test_the_internals_relied_on(caplog: pytest.LogCaptureFixture) -> None:
    """The canary: every private internal of MkDocs, Material and Jinja that Kept relies on,
    each still there in the shape it was written for. After an upgrade, the one that fails
    names what to read again (its speed-up is off meanwhile; the output is the same)."""
    assert [(i.key, i.name) for i in internals.INTERNALS] == [
        ("events", "mkdocs.plugins: EVENTS has startup and shutdown; PluginCollection.events"),
        ("theme", "mkdocs.theme.Theme: get_env, dirs, static_templates"),
        ("search-index", "material.plugins.search: SearchPlugin.search_index.entries"),
        ("page-render", "mkdocs.structure.pages.Page.render: a converter from markdown.Markdown"),
        ("populate-page", "mkdocs.commands.build._populate_page: calls page.render"),
        ("build-page", "mkdocs.commands.build._build_page: writes no empty page"),
        ("copy-file", "mkdocs.structure.files: Files.copy_static_files calls File.copy_file"),
        ("theme-files", "mkdocs.structure.files: Files.add_files_from_theme lists templates"),
        ("search-content", "material.plugins.search: SearchPlugin reads HTML in on_page_context"),
        ("partials", "material/templates: the partials of PARTIALS, as reviewed"),
        ("language", "material/templates/partials/language.html, as reviewed"),
        ("root-render", "jinja2.Template.root_render_func: called to render a template"),
        ("theme-urls", "material/templates: assets named through MkDocs' url filter, which "
                       "gives the way to the edition's root followed by the path"),
        ("make-module", "jinja2: `import ... with context` calls Template.make_module"),
    ]
    internals.holds.cache_clear()
    with caplog.at_level(logging.DEBUG, logger="kept.engine"):
        missing = [i.key for i in internals.INTERNALS if not internals.has(i.key)]
    assert missing == [] and caplog.records == []
    # The partials rendered once per build are all reviewed, and only those.
    included = {name for _, parts in internals.PURE_PARTIALS.values() for name in parts}
    assert included == set(internals.PARTIALS)


def test_a_partial_that_changed_is_no_longer_the_one_reviewed(tmp_path: Path) -> None:
    material = Path(internals.material_templates())
    copy = tmp_path / "templates"
    shutil.copytree(material / "partials", copy / "partials")
    assert internals.same_bytes(internals.PARTIALS, copy)
    nav = copy / "partials" / "toc.html"
    nav.write_text(nav.read_text() + "{{ page.url }}")
    assert not internals.same_bytes(internals.PARTIALS, copy)


def test_a_template_naming_an_asset_another_way_is_seen(tmp_path: Path) -> None:
    """The theme's assets are stored once per site only while Material names each through
    MkDocs' url filter (which the store rewrites)."""
    copy = tmp_path / "templates"
    shutil.copytree(internals.material_templates(), copy,
                    ignore=shutil.ignore_patterns("assets", ".icons", "__pycache__"))
    assert internals.theme_names_assets_through_url(copy)
    base = copy / "base.html"
    original = base.read_text()
    for named in ('<script src="{{ base_url }}/assets/extra.js"></script>',
                  "<img src=\"{{ 'assets/images/logo.png' }}\">"):
        base.write_text(original + named)
        assert not internals.theme_names_assets_through_url(copy), named
    base.write_text(original)
    logo = copy / "partials" / "logo.html"
    logo.write_text(logo.read_text().replace("config.theme.logo | url", "config.theme.logo"))
    assert not internals.theme_names_assets_through_url(copy)


# A look and feel that shows more of Material: footer links, a second palette, a language.
RICH_MKDOCS = """\
site_name: Acme Help promises
copyright: Acme Ltd
theme:
  name: material
  language: fr
  features: [navigation.footer, navigation.top, toc.follow, search.highlight]
  palette:
    - scheme: default
      toggle: {icon: material/weather-night, name: Dark}
    - scheme: slate
      toggle: {icon: material/weather-sunny, name: Light}
markdown_extensions:
  - toc:
      permalink: true
"""


@pytest.mark.parametrize(("mkdocs", "languages"), [(None, ""), (RICH_MKDOCS, ""), (None, "[en, cy]")],
                         ids=["plain", "rich", "bilingual"])
def test_the_speedups_change_no_byte(tmp_path: Path, mkdocs: str | None, languages: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """KEPT_SPEEDUPS=0 turns off every optimisation that reaches into MkDocs' or Material's
    internals (a Markdown converter made for every page, pages converted once, Material's
    navigation, table of contents, search box, footer and translations rendered once for
    the pages that show them alike, pages left out, files linked): the same bytes, cold and
    after an edit. In two languages too (the Welsh pages mark the English texts they show)."""
    commitments = COMMITMENTS.replace(
        "  min_sample: 30\n", f"  min_sample: 30\n  languages: {languages}\n", 1) if languages else COMMITMENTS
    root = write_project(tmp_path / "data", commitments, mkdocs=mkdocs)
    build_site(root, tmp_path / "on", jobs=1)
    monkeypatch.setenv("KEPT_SPEEDUPS", "0")
    build_site(root, tmp_path / "off", jobs=1)
    assert tree(tmp_path / "off") == tree(tmp_path / "on")
    draft = root / "results" / "2025-Q4.yml"
    draft.write_text(draft.read_text().replace("value: 3.5", "value: 3.75"))
    build_site(root, tmp_path / "off", jobs=1)
    monkeypatch.delenv("KEPT_SPEEDUPS")
    build_site(root, tmp_path / "on", jobs=1)
    assert tree(tmp_path / "off") == tree(tmp_path / "on")
    assert "3.75 hours" in (tmp_path / "on/internal/latest/commitments/email-reply/index.html").read_text()


def test_an_internal_not_as_expected_means_stock_behaviour(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """As after an upgrade of MkDocs that changed how it renders pages: the speed-ups that
    replace a page's rendering are not installed (a debug line says so), and an incremental
    build still matches a cold one."""
    from mkdocs.commands import build as mkdocs_build

    populate = mkdocs_build._populate_page
    monkeypatch.setattr(mkdocs_build, "_populate_page",
                        lambda *args, **kwargs: populate(*args, **kwargs))
    internals.holds.cache_clear()
    try:
        root = write_project(tmp_path / "data")
        with caplog.at_level(logging.DEBUG, logger="kept.engine"):
            build_site(root, tmp_path / "out", jobs=1)
        assert [r.getMessage() for r in caplog.records] == [
            "kept: not as expected: mkdocs.commands.build._populate_page: calls page.render; "
            "stock behaviour for speed-ups converter, markdown-once, left-out"]
        draft = root / "results" / "2025-Q4.yml"
        draft.write_text(draft.read_text().replace("value: 3.5", "value: 3.75"))
        build_site(root, tmp_path / "out", jobs=1)
        build_site(root, tmp_path / "cold", jobs=1)
        assert tree(tmp_path / "out") == tree(tmp_path / "cold")
    finally:
        monkeypatch.undo()
        internals.holds.cache_clear()


def test_properdocs_builds_the_same_site(tmp_path: Path, built_site: Path) -> None:
    """`kept build --engine properdocs`: ProperDocs, with Material found through its mkdocs
    entry points, gives the site MkDocs gives but for the generator tag. The command's
    process has loaded no engine: its workers are forked and take ProperDocs."""
    root = write_project(tmp_path / "data")
    result = run_kept("build", "--root", str(root), "--out", str(tmp_path / "site"),
                      "--engine", "properdocs", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "site", generator_tag=False) == tree(built_site, generator_tag=False)
    assert generator_tags(built_site) == {MKDOCS_TAG}
    assert generator_tags(tmp_path / "site") == {PROPERDOCS_TAG}


def test_properdocs_after_mkdocs_in_one_process(tmp_path: Path, built_site: Path) -> None:
    """A process that has run MkDocs (this one) cannot load ProperDocs: the build runs in a
    fresh process, and this one keeps its MkDocs."""
    import mkdocs

    root = write_project(tmp_path / "data")
    result = build_site(root, tmp_path / "site", jobs=1, engine="properdocs")
    assert result.editions == {"public": ["2025-Q3", "2025-Q2"],
                               "internal": ["2025-Q4", "2025-Q3", "2025-Q2"]}
    assert tree(tmp_path / "site", generator_tag=False) == tree(built_site, generator_tag=False)
    assert generator_tags(tmp_path / "site") == {PROPERDOCS_TAG}
    assert sys.modules["mkdocs"] is mkdocs and mkdocs.__name__ == "mkdocs"
    # Another engine is another build: every edition is made again.
    again = build_site(root, tmp_path / "site", jobs=1)
    assert again.reused == [] and generator_tags(tmp_path / "site") == {MKDOCS_TAG}


def test_an_unknown_engine_is_bad_usage(project: Path) -> None:
    result = run_kept("build", "--root", str(project), "--engine", "hugo")
    assert result.returncode == 2
    assert "invalid choice: 'hugo' (choose from 'mkdocs', 'properdocs')" in result.stderr
