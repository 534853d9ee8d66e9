"""End-to-end builds with the real MkDocs and Material."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import generator.build
import generator.engine.config
import generator.render
from generator.build import build_site
from generator.engine import internals
from generator.errors import DataError, KeptError
from generator.render import render_page
from tests.helpers import RESULTS, run_kept, write_project
from tests.htmlcheck import page

pytestmark = pytest.mark.slow


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(built_site: Path) -> Path:
    return built_site


def test_versions_and_redirects(built: Path) -> None:
    public = json.loads((built / "public" / "versions.json").read_text())
    assert public == [{"version": "2025-Q3", "title": "2025-Q3", "aliases": ["latest"]},
                      {"version": "2025-Q2", "title": "2025-Q2", "aliases": []}]
    internal = json.loads((built / "internal" / "versions.json").read_text())
    assert [v["version"] for v in internal] == ["2025-Q4", "2025-Q3", "2025-Q2"]
    assert internal[0]["title"] == "2025-Q4 (draft)" and internal[0]["aliases"] == ["latest"]
    for audience in ("public", "internal"):
        root_page = (built / audience / "index.html").read_text()
        assert 'url=latest/' in root_page
    # latest/ is the newest edition with full pages where it has redirects to the edition
    # where a page first appeared, and with the open data of every period.
    latest, newest = built / "public" / "latest", built / "public" / "2025-Q3"
    assert sorted(tree(latest)) == sorted(tree(newest))
    moved = {"reports/2025-Q2/index.html", "improvements/weekend-email/index.html"}
    whole = {"api/commitments.json", "api/improvements.json", "api/results.csv"}
    for rel in tree(latest):
        if rel in moved:
            assert (latest / rel).samefile(built / "public" / "2025-Q2" / rel)
            assert "http-equiv" in (newest / rel).read_text()
        elif rel in whole:
            assert not (latest / rel).samefile(newest / rel)
        else:
            assert (latest / rel).samefile(newest / rel), rel
    results = (latest / "api/results.csv").read_text()
    assert ",2025-Q2," in results and ",2025-Q3," in results
    assert ",2025-Q2," not in (newest / "api/results.csv").read_text()


def test_layout_of_each_edition(built: Path) -> None:
    expected = {
        ("public", "2025-Q2"): ({"email-reply", "satisfaction", "callback"}, {"weekend-email"}),
        ("public", "2025-Q3"): ({"email-reply", "satisfaction", "callback"},
                               {"weekend-email", "status-page"}),
        ("internal", "2025-Q4"): ({"email-reply", "satisfaction", "callback", "secret-queue"},
                                  {"weekend-email", "status-page", "hidden-tooling"}),
    }
    for (audience, edition), (commitments, improvements) in expected.items():
        base = built / audience / edition
        assert (base / "index.html").is_file() and (base / "improvements/index.html").is_file()
        found = {p.parent.name for p in base.glob("commitments/*/index.html")}
        assert found == commitments, (audience, edition)
        found = {p.parent.name for p in base.glob("improvements/*/index.html")}
        assert found == improvements, (audience, edition)
    assert not (built / "public" / "2025-Q4").exists()
    assert (built / "internal" / "2025-Q4" / "reviews" / "index.html").is_file()
    assert material_version_provider(built / "public" / "2025-Q3" / "index.html") == "mike"


# The files of the public 2025-Q2 edition (Material's assets are in the site's store).
EDITION_FILES = [
    "404.html", "announce.html", "announce.md",
    "api/commitments.json", "api/improvements.json", "api/results.csv",
    "badges/callback.svg", "badges/email-reply.svg", "badges/satisfaction.svg",
    "commitments/callback/feed.xml", "commitments/callback/index.html",
    "commitments/email-reply/feed.xml", "commitments/email-reply/index.html",
    "commitments/index.html",
    "commitments/satisfaction/feed.xml", "commitments/satisfaction/index.html",
    "feed.xml", "improvements/index.html", "improvements/weekend-email/index.html",
    "index.html", "kept/kept.css", "kept/kept.js",
    "locations/north/feed.xml", "locations/south/feed.xml",
    "reports/2025-Q2/index.html", "reports/index.html",
    "search/search_index.json", "sitemap.xml", "sitemap.xml.gz", "values/speed/feed.xml",
]


def test_the_files_of_one_edition(built: Path) -> None:
    """Every file of an edition, exactly: Kept's pages, announcement, feeds, badges, open
    data, stylesheet and script, the engine's search index, sitemap and error page. The
    theme's assets (all of Material's, whose names change with its versions) are stored
    once per site, in a folder named by their digest, and pages name them relatively."""
    edition = built / "public" / "2025-Q2"
    found = [str(p.relative_to(edition)) for p in edition.rglob("*") if p.is_file()]
    assert sorted(found) == sorted(EDITION_FILES)
    # The next edition: its own pages, and the pages about 2025-Q2 as redirects.
    later = built / "public" / "2025-Q3"
    assert sorted(str(p.relative_to(later)) for p in later.rglob("*") if p.is_file()) == sorted(
        [name for name in EDITION_FILES if name != "improvements/weekend-email/index.html"]
        + ["improvements/status-page/index.html", "improvements/weekend-email/index.html",
           "reports/2025-Q3/index.html"])
    theme = internals.material_templates()
    assets = sorted(str(p.relative_to(theme)) for p in (theme / "assets").rglob("*") if p.is_file())
    assert any(name.startswith("assets/stylesheets/main.") for name in assets)
    for audience in ("public", "internal"):
        [digest] = [p.name for p in (built / audience / "theme").iterdir()]
        store = built / audience / "theme" / digest
        assert sorted(str(p.relative_to(store)) for p in store.rglob("*") if p.is_file()) == assets
    [stylesheet] = [name for name in assets
                    if re.fullmatch(r"assets/stylesheets/main\.\w+\.min\.css", name)]
    for built_page, up in (("index.html", ""), ("commitments/email-reply/index.html", "../../")):
        html = (edition / built_page).read_text()
        assert f'href="{up}../theme/{digest}/{stylesheet}"' in html
        assert (edition / built_page).parent.joinpath(
            f"{up}../theme/{digest}/{stylesheet}").resolve().is_file()
        assert '"assets/' not in html and "/assets/" not in html.replace(f"/theme/{digest}/assets/", "")


def material_version_provider(path: Path) -> str:
    config = re.search(r'id="__config"[^>]*>(.*?)</script>', path.read_text(), re.S)
    assert config is not None
    return json.loads(config.group(1))["version"]["provider"]


def test_editions_show_the_target_in_force(built: Path) -> None:
    old = page(built / "public/2025-Q3/commitments/email-reply/index.html").text
    new = page(built / "internal/2025-Q4/commitments/email-reply/index.html").text
    assert "We reply to every email within 8 hours" in old and "4 hours or less" not in old
    assert "We reply to every email within 4 hours" in new
    assert "8 hours or less → 4 hours or less" in new
    assert "We hired two more agents" in new
    for word in ("Met", "Retired"):
        assert word in page(built / "internal/2025-Q4/commitments/index.html").text


def test_a_badge_both_sites_show_alike_is_written_once(built: Path) -> None:
    public = built / "public/2025-Q3/badges/email-reply.svg"
    internal = built / "internal/2025-Q3/badges/email-reply.svg"
    assert public.read_bytes() == internal.read_bytes()
    assert public.samefile(internal)


def test_statuses_and_explanations(built: Path) -> None:
    sat = page(built / "public/2025-Q3/commitments/satisfaction/index.html").text
    assert "88% 90% or more ✗ Missed" in sat and "91% 90% or more ✓ Met" in sat
    assert "A new phone system confused callers." in sat
    retired = page(built / "internal/2025-Q4/commitments/callback/index.html").text
    assert "This promise applied until 30 September 2025" in retired


def test_internal_pages_are_marked_and_public_ones_not(built: Path) -> None:
    for path in (built / "internal" / "2025-Q4").rglob("*.html"):
        if path.name == "404.html":
            continue
        parsed = page(path)
        assert parsed.metas.get("robots") == "noindex, nofollow", path
        if redirect(path):
            assert '<div class="kept-internal-banner" role="note"><strong>Internal</strong>: ' in path.read_text()
            continue
        assert "Internal: for the team only" in parsed.text, path
    for path in (built / "public").rglob("*.html"):
        text = path.read_text()
        assert "kept-internal-banner" not in text, path
        # Redirects to the edition where a page first appeared are not indexed: the page is.
        moved = redirect(path) and path != built / "public" / "index.html"
        assert ("noindex" in text) == moved, path


def redirect(path: Path) -> bool:
    return 'http-equiv="refresh"' in path.read_text()


def test_no_internal_data_in_public_output(built: Path) -> None:
    markers = ("Head of Support", "secret-queue", "Pilot team", "hidden-tooling",
               "morning triage", "Real care", "2025-Q4", "The survey closes")
    for path in (built / "public").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            text = path.read_text(encoding="utf-8")
            for marker in markers:
                assert marker not in text, (marker, path)


def test_failed_build_leaves_previous_output_intact(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data")
    out = tmp_path / "out"
    build_site(root, out, audiences=("public",), jobs=1)
    before = tree(out)
    broken = RESULTS["2025-Q2"].replace("value: 6.5", "value: six")
    (root / "results" / "2025-Q2.yml").write_text(broken)
    with pytest.raises(DataError):
        build_site(root, out, audiences=("public",), jobs=1)
    (root / "results" / "2025-Q2.yml").write_text(RESULTS["2025-Q2"])
    (root / "mkdocs.yml").write_text("site_name: X\ntheme:\n  name: no-such-theme\n")
    with pytest.raises(KeptError):
        build_site(root, out, audiences=("public",), jobs=1)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data")
    (tmp_path / "out" / "public").mkdir(parents=True)
    (tmp_path / "out" / "public" / "precious.txt").write_text("mine")
    with pytest.raises(KeptError, match="out exists and was not written by Kept; move it away"):
        build_site(root, tmp_path / "out", audiences=("public",), jobs=1)
    assert (tmp_path / "out" / "public" / "precious.txt").read_text() == "mine"


def test_builds_are_deterministic(tmp_path: Path, built: Path) -> None:
    root = write_project(tmp_path / "data")
    build_site(root, tmp_path / "again", jobs=1)
    assert tree(tmp_path / "again") == tree(built)


def test_site_src_pages_join_the_site(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data")
    (root / "site_src").mkdir()
    # A link to a page of an earlier period, which later editions serve as a redirect.
    (root / "site_src" / "about.md").write_text(
        "# About these promises\n\nWritten by hand. [Our first change](improvements/weekend-email.md)"
        "\n")
    (root / "site_src" / "internal").mkdir()
    (root / "site_src" / "internal" / "playbook.md").write_text("# Playbook\n\nTeam only.\n")
    result = build_site(root, tmp_path / "out", jobs=1)
    assert result.mkdocs_warnings == []
    assert "Written by hand." in page(tmp_path / "out/public/2025-Q3/about/index.html").text
    for edition in ("2025-Q2", "2025-Q3"):  # the page, then the redirect to it
        about = (tmp_path / "out/public" / edition / "about/index.html").read_text()
        assert '<a href="../improvements/weekend-email/">Our first change</a>' in about
    assert not (tmp_path / "out/public/2025-Q3/team").exists()
    assert "Team only." in page(tmp_path / "out/internal/2025-Q4/team/playbook/index.html").text
    shutil.rmtree(root / "site_src" / "internal")


MONTHLY = """\
organization: {name: Monthly Help, period: month}
commitments:
  - id: chat-wait
    title: We answer chats within 2 minutes
    promise: A person answers your chat within two minutes.
    metric: {name: Median chat wait, unit: minutes, direction: lower, target: 2}
    since: 2026-01-01
"""


def test_monthly_organisation(tmp_path: Path) -> None:
    results = {
        "2026-01": "period: 2026-01\npublished: 2026-02-03\nmeasurements:\n  chat-wait: {value: 1.5}\n",
        "2026-02": "period: 2026-02\npublished: 2026-03-03\nmeasurements:\n"
                   "  chat-wait: {value: 2.5, explanation: Snow closed the office.}\n",
        "2026-03": "period: 2026-03\nmeasurements:\n  chat-wait: {value: 1.0}\n",
    }
    root = write_project(tmp_path / "data", MONTHLY, results)
    build_site(root, tmp_path / "out", jobs=1)
    public = json.loads((tmp_path / "out/public/versions.json").read_text())
    assert [v["version"] for v in public] == ["2026-02", "2026-01"]
    internal = json.loads((tmp_path / "out/internal/versions.json").read_text())
    assert [v["title"] for v in internal] == ["2026-03 (draft)", "2026-02", "2026-01"]
    text = page(tmp_path / "out/public/2026-02/commitments/chat-wait/index.html").text
    assert "2.5 minutes 2 minutes or less ✗ Missed" in text
    assert "1.5 minutes 2 minutes or less ✓ Met" in text
    assert "February 2026" in text and "Snow closed the office." in text


def test_incremental_builds_match_a_cold_build(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "data")
    out = tmp_path / "out"
    first = build_site(root, out, jobs=2)
    assert first.reused == []
    again = build_site(root, out, jobs=2)
    assert sorted(again.reused) == ["internal/2025-Q2", "internal/2025-Q3", "internal/2025-Q4",
                                    "public/2025-Q2", "public/2025-Q3"]
    draft = root / "results" / "2025-Q4.yml"
    draft.write_text(draft.read_text().replace("value: 3.5", "value: 3.75"))
    unchanged_page = out / "internal/2025-Q4/improvements/status-page/index.html"
    inode = unchanged_page.stat().st_ino
    rendering = render_page
    rendered: list[str] = []

    def counted(env: Any, view: Any, page: Any) -> Any:
        rendered.append(page.path)
        return rendering(env, view, page)

    monkeypatch.setattr(generator.render, "render_page", counted)
    edited = build_site(root, out, jobs=2)
    assert sorted(edited.reused) == ["internal/2025-Q2", "internal/2025-Q3",
                                     "public/2025-Q2", "public/2025-Q3"]
    # Only the pages that show the edited value are rendered again (the one edition to
    # rebuild is built in this process), not the edition's other pages.
    assert "commitments/email-reply.md" in rendered and "reports/2025-Q4.md" in rendered
    assert "reports/2025-Q3.md" not in rendered and "commitments/satisfaction.md" not in rendered
    monkeypatch.undo()
    assert "3.75 hours" in (out / "internal/latest/commitments/email-reply/index.html").read_text()
    # In the rebuilt edition, a page the edit did not touch is the previous build's file.
    assert unchanged_page.stat().st_ino == inode
    cold = tmp_path / "cold"
    build_site(root, cold, jobs=1)
    assert tree(out) == tree(cold)
    # A draft that goes away takes its edition (and latest/) with it.
    draft.unlink()
    build_site(root, out, jobs=1)
    build_site(root, tmp_path / "cold-again", jobs=1)
    assert not (out / "internal" / "2025-Q4").exists()
    assert tree(out) == tree(tmp_path / "cold-again")



def test_a_build_leaves_garbage_collection_as_it_found_it(tmp_path: Path) -> None:
    """A build holds collections back while it loads and freezes its plans; a process that
    goes on (kept serve) gets collections back, and nothing left frozen."""
    import gc

    root = write_project(tmp_path / "data")
    build_site(root, tmp_path / "out", jobs=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    draft = root / "results" / "2025-Q4.yml"
    draft.write_text("{}\n")  # invalid: the build fails while collections are held back
    with pytest.raises(DataError):
        build_site(root, tmp_path / "out", jobs=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def folders(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_dir())


def test_an_edition_updated_in_place_loses_what_it_no_longer_has(tmp_path: Path) -> None:
    """An edition rebuilt with the same settings is updated in place: the files that
    changed move in, and the pages (and their folders) of what is gone are removed."""
    root = write_project(tmp_path / "data")
    draft = root / "results" / "2025-Q4.yml"
    plain = draft.read_text()
    draft.write_text(plain + """\
improvements:
  - id: chat-hours
    date: 2025-11-02
    title: Longer chat hours
    you_said: You wanted to chat in the evening.
    we_did: Chat is open until 8 pm.
    commitments: [email-reply]
""")
    out = tmp_path / "out"
    build_site(root, out, jobs=1)
    page = out / "internal/2025-Q4/improvements/chat-hours/index.html"
    assert page.is_file()
    unchanged = out / "internal/2025-Q4/commitments/satisfaction/index.html"
    inode = unchanged.stat().st_ino
    draft.write_text(plain)
    build_site(root, out, jobs=1)
    assert not page.parent.exists() and not (out / "internal/latest/improvements/chat-hours").exists()
    assert unchanged.stat().st_ino == inode
    build_site(root, tmp_path / "cold", jobs=1)
    assert tree(out) == tree(tmp_path / "cold")
    assert folders(out) == folders(tmp_path / "cold")


@pytest.mark.parametrize("kept_in", ["memory", "disk"])
def test_a_file_added_to_the_theme_is_published(tmp_path: Path, kept_in: str) -> None:
    """The list of the theme's files is kept between builds (in this process, and on disk
    for the next one: another process) only while none of its folders changed."""
    config = "site_name: Acme\ntheme:\n  name: material\n  custom_dir: site_src/overrides\n"
    root = write_project(tmp_path / "data", mkdocs=config)
    (root / "site_src/overrides/extra").mkdir(parents=True)
    out = tmp_path / "out"
    build_site(root, out, jobs=1, audiences=("public",))
    assert not (out / "public/latest/extra/terms.txt").exists()
    (root / "site_src/overrides/extra/terms.txt").write_text("Terms.\n")
    if kept_in == "disk":
        built = run_kept("build", "--root", str(root), "--out", str(out), "--jobs", "1",
                         "--audience", "public")
        assert built.returncode == 0, built.stderr
    else:
        build_site(root, out, jobs=1, audiences=("public",))
    assert (out / "public/latest/extra/terms.txt").read_text() == "Terms.\n"


# A hook that shows, on every page, something of the other pages.
HOOK = """\
def on_page_content(html, page, config, files):
    return html + f"<p>{len(files.documentation_pages())} pages</p>"
"""


@pytest.mark.parametrize("foreseen", [True, False], ids=["foreseen", "unforeseen"])
def test_other_plugins_see_every_page_rendered(tmp_path: Path, foreseen: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Another plugin (a hook, here) may read any page: every page is then rendered, and the
    incremental build still matches a cold one. Unforeseen: even when the plan expected
    search alone, MkDocs' own list of plugins decides."""
    mkdocs = "site_name: Acme\ntheme:\n  name: material\nhooks:\n  - hooks/pages.py\n"
    root = write_project(tmp_path / "data", mkdocs=mkdocs)
    (root / "hooks").mkdir()
    (root / "hooks/pages.py").write_text(HOOK)
    if not foreseen:
        monkeypatch.setattr(generator.engine.config, "only_search", lambda user: True)
    out = tmp_path / "out"
    build_site(root, out, jobs=1)
    draft = root / "results" / "2025-Q4.yml"
    draft.write_text(draft.read_text().replace("value: 3.5", "value: 3.75"))
    build_site(root, out, jobs=1)
    build_site(root, tmp_path / "cold", jobs=1)
    assert tree(out) == tree(tmp_path / "cold")
    assert "pages</p>" in (out / "internal/latest/commitments/satisfaction/index.html").read_text()


def test_a_custom_dir_navigation_is_rendered_for_every_page(tmp_path: Path) -> None:
    """A theme override of Material's navigation may show anything of the page: it is then
    rendered for each page, not once for all."""
    config = ("site_name: Acme\ntheme:\n  name: material\n  custom_dir: site_src/overrides\n")
    root = write_project(tmp_path / "data", mkdocs=config)
    partials = root / "site_src/overrides/partials"
    partials.mkdir(parents=True)
    (partials / "nav.html").write_text('<nav data-page="{{ page.url }}"></nav>\n')
    build_site(root, tmp_path / "out", jobs=1, audiences=("public",))
    for cid in ("email-reply", "satisfaction"):
        html = (tmp_path / f"out/public/2025-Q3/commitments/{cid}/index.html").read_text()
        assert f'<nav data-page="commitments/{cid}/"></nav>' in html


def test_each_page_links_the_logo_from_its_own_folder(tmp_path: Path) -> None:
    """Pages of site_src/ folders outside the navigation share Material's navigation with
    the pages of their folder's parent, unless a link of it (here the logo) points into
    their own folder."""
    config = "site_name: Acme\ntheme:\n  name: material\n  logo: help/logo.svg\n"
    root = write_project(tmp_path / "data", mkdocs=config)
    for folder in ("help", "guide"):
        (root / "site_src" / folder).mkdir(parents=True)
        (root / "site_src" / folder / "index.md").write_text(f"# {folder}\n")
    (root / "site_src/help/logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    build_site(root, tmp_path / "out", jobs=1, audiences=("public",))
    site = tmp_path / "out/public/2025-Q3"
    guide, help_page = (site / "guide/index.html").read_text(), (site / "help/index.html").read_text()
    # Twice each: in the header and in the navigation.
    assert guide.count('src="../help/logo.svg"') == 2 and 'src="logo.svg"' not in guide
    assert help_page.count('src="logo.svg"') == 2 and "../help/logo.svg" not in help_page


def test_a_config_warning_is_reported_once_and_not_printed(tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """After an edit, the one edition to rebuild is rendered by two processes while the
    first loads the MkDocs config ahead of its run: that head start must not print MkDocs'
    warnings, which the real run collects."""
    config = "site_name: Acme\ntheme:\n  name: material\nno_such_setting: 1\n"
    root = write_project(tmp_path / "data", mkdocs=config)
    build_site(root, tmp_path / "out", jobs=2)
    draft = root / "results" / "2025-Q4.yml"
    draft.write_text(draft.read_text().replace("value: 3.5", "value: 3.75"))
    caplog.clear()
    edited = build_site(root, tmp_path / "out", jobs=2)
    assert len([w for w in edited.mkdocs_warnings if "no_such_setting" in w]) == 1
    # Nothing of MkDocs' reaches the root logger (and from there, stderr).
    assert not [r for r in caplog.records if "no_such_setting" in r.getMessage()]


def test_extension_options_survive_several_editions_in_one_process(tmp_path: Path) -> None:
    """MkDocs empties the option mappings of markdown_extensions as it reads them; every
    edition built in the same process must still get them."""
    config = ("site_name: Acme\ntheme:\n  name: material\nmarkdown_extensions:\n"
              "  - toc:\n      permalink: true\n  - admonition\n")
    root = write_project(tmp_path / "data", mkdocs=config)
    build_site(root, tmp_path / "out", jobs=1)
    page = (tmp_path / "out/public/2025-Q2/commitments/email-reply/index.html").read_text()
    assert 'class="headerlink"' in page


def test_nothing_changed_means_the_data_is_not_even_loaded(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.build

    root = write_project(tmp_path / "data")
    first = build_site(root, tmp_path / "out", audiences=("public",), jobs=1)

    def no_loading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a build with nothing changed loaded the data")

    monkeypatch.setattr(generator.build, "load_languages", no_loading)
    again = build_site(root, tmp_path / "out", audiences=("public",), jobs=1)
    assert again.editions == first.editions and sorted(again.reused) == sorted(
        f"public/{e}" for e in first.editions["public"])
    # Any changed input, here the MkDocs config, means a real build.
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text() + "copyright: Acme\n")
    with pytest.raises(AssertionError, match="loaded the data"):
        build_site(root, tmp_path / "out", audiences=("public",), jobs=1)


def test_extension_options_written_as_a_mapping_are_kept(tmp_path: Path) -> None:
    """markdown_extensions may be a mapping of names to options, as MkDocs allows: the options
    were dropped (only the names were kept) when Kept added the extensions it needs."""
    config = ("site_name: Acme\ntheme:\n  name: material\nmarkdown_extensions:\n"
              "  toc:\n    permalink: true\n  admonition:\n")
    root = write_project(tmp_path / "data", mkdocs=config)
    build_site(root, tmp_path / "out", jobs=1, audiences=("public",))
    page = (tmp_path / "out/public/2025-Q2/commitments/email-reply/index.html").read_text()
    assert 'class="headerlink"' in page
