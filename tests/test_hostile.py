"""Inputs made to crash, slow down or leak through Kept, found by an attack review of issue 14:
each is refused with its location, or handled within bounded work."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, run_kept, write_project


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
    note = (f"{rel}:{where}: warning: the results files were not checked against {rel}, which "
            "could not be read; fix it, then check again\n") if rel == "commitments.yml" else ""
    assert (result.returncode, result.stdout) == (1, (
        f"{rel}:{where}: error: the document nests deeper than 64 levels; write lists "
        "and mappings a few levels deep\n" + note))


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


# -- Markdown extensions that read files ---------------------------------------------------------

def config_errors(root: Path, extensions: str) -> list[str]:
    (root / "mkdocs.yml").write_text(f"site_name: X\ntheme:\n  name: material\n"
                                     f"markdown_extensions:\n{extensions}")
    return [p.format() for p in check(root, site_config=True).problems]


SNIPPETS_HINT = "name a folder that holds only what pages may include"


@pytest.mark.parametrize("extensions, expected", [
    ("  - pymdownx.snippets\n",
     "mkdocs.yml:5:5: error: 'pymdownx.snippets' reads files from 'base_path', by default the "
     "whole repository (its data and git's folder among them); set base_path to a folder that "
     "holds only what pages may include, such as snippets"),
    ("  - pymdownx.b64\n",
     "mkdocs.yml:5:5: error: 'pymdownx.b64' reads files from 'base_path', by default the "
     "whole repository (its data and git's folder among them); set base_path to a folder that "
     "holds only what pages may include, such as snippets"),
    ("  - pymdownx.snippets: {base_path: ., check_paths: true}\n",
     "mkdocs.yml:5:36: error: 'pymdownx.snippets' option base_path is or holds the data file "
     f"commitments.yml, which is not for the site; {SNIPPETS_HINT}"),
    ("  - pymdownx.snippets:\n      base_path: [clean, .git]\n",
     "mkdocs.yml:6:26: error: 'pymdownx.snippets' option base_path is or holds git's folder "
     f"(.git), which is not for the site; {SNIPPETS_HINT}"),
    ("  - pymdownx.snippets:SnippetExtension: {base_path: results}\n",
     "mkdocs.yml:5:53: error: 'pymdownx.snippets' option base_path is or holds the data "
     f"folder results/, which is not for the site; {SNIPPETS_HINT}"),
    ("  - pymdownx.snippets: {base_path: ../outside}\n",
     "mkdocs.yml:5:36: error: 'pymdownx.snippets' option base_path leads out of the repository: "
     "'../outside'; name a folder inside the repository"),
    ("  - pymdownx.snippets: {base_path: clean, url_download: true}\n",
     "mkdocs.yml:5:57: error: 'pymdownx.snippets' with url_download: true downloads what a "
     "page names, at build time; remove url_download (Kept needs it false)"),
    ("  - pymdownx.snippets: {base_path: clean, restrict_base_path: false}\n",
     "mkdocs.yml:5:63: error: 'pymdownx.snippets' with restrict_base_path: false reads files "
     "outside the paths it is given; remove restrict_base_path (Kept needs it true)"),
    ("  - pymdownx.snippets: {base_path: [snippets/p.txt]}\n",
     "mkdocs.yml:5:37: error: 'pymdownx.snippets' option base_path leads out of the repository: "
     "'snippets/p.txt'; name a folder inside the repository"),
    ("  - pymdownx.emoji: {options: {custom_icons: [snippets]}}\n",
     "snippets/p.txt:1:1: error: the file is a link to a file outside the repository; Kept "
     "reads only files inside the repository: put the file itself here"),
])
def test_extensions_read_files_only_from_folders_of_their_own(tmp_path: Path, extensions: str,
                                                              expected: str) -> None:
    """A page of site_src/ names the file pymdownx.snippets includes: with the default base
    path (the current folder), or one holding a link, /etc/passwd was published."""
    root = private_project(tmp_path)
    (root / "snippets").mkdir()
    (root / "snippets" / "p.txt").symlink_to("/etc/passwd")
    (root / "clean").mkdir()
    (root / "clean" / "terms.txt").write_text("Terms.\n")
    assert config_errors(root, extensions) == [expected]


def test_a_snippets_folder_of_its_own_passes(tmp_path: Path) -> None:
    root = private_project(tmp_path)
    (root / "snippets").mkdir()
    (root / "snippets" / "terms.txt").write_text("Terms.\n")
    assert config_errors(root, "  - pymdownx.snippets: {base_path: [snippets]}\n"
                               "  - pymdownx.b64: {base_path: snippets}\n") == []


@pytest.mark.slow
def test_snippets_are_read_from_the_repository_not_the_current_folder(tmp_path: Path) -> None:
    """pymdownx.snippets reads base_path relative to the current folder: a build run from
    elsewhere (--root) would read another folder than the one validate checked."""
    root = write_project(tmp_path / "data", mkdocs=(
        "site_name: X\ntheme:\n  name: material\nmarkdown_extensions:\n"
        "  - pymdownx.snippets: {base_path: [snippets], check_paths: true}\n"))
    (root / "snippets").mkdir()
    (root / "snippets" / "terms.txt").write_text("Included from the repository.\n")
    (root / "site_src").mkdir()
    (root / "site_src" / "terms.md").write_text('# Terms\n\n--8<-- "terms.txt"\n')
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "snippets").mkdir(parents=True)
    (elsewhere / "snippets" / "terms.txt").write_text("Included from the current folder.\n")
    result = run_kept("build", "--root", str(root), "--out", str(tmp_path / "out"),
                      "--audience", "public", "--jobs", "1", cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "out/public/latest/terms/index.html").read_text()
    assert "Included from the repository." in page and "current folder" not in page


# -- nothing printed lets data forge a line (a CI workflow command) -------------------------------

FORGED = "x\n::error file=commitments.yml,line=1::INJECTED\n::add-mask::x.md"


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_file_name_cannot_forge_output_lines(tmp_path: Path, command: str) -> None:
    root = write_project(tmp_path / "data")
    (root / "site_src" / "commitments").mkdir(parents=True)
    (root / "site_src" / "commitments" / FORGED).write_text("# x\n")
    result = run_kept(command, "--root", str(root),
                      *(["--out", str(tmp_path / "out")] if command == "build" else []))
    assert result.returncode == 1
    assert result.stdout == (
        "site_src/commitments/x\\n::error file=commitments.yml,line=1::INJECTED\\n::add-mask::x.md"
        ":1:1: error: the name holds a control character (\\n); rename it\n")
    assert not any(line.startswith("::") for line in (result.stdout + result.stderr).splitlines())


def test_a_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """MkDocs' navigation failed on it with a UnicodeEncodeError."""
    import os

    root = write_project(tmp_path / "data")
    (root / "site_src").mkdir()
    with open(os.path.join(os.fsencode(root / "site_src"), b"\xff.md"), "w") as page:
        page.write("# x\n")
    result = run_kept("validate", "--root", str(root))
    assert (result.returncode, result.stdout) == (
        1, "site_src/\\xff.md:1:1: error: the name is not UTF-8 text; rename it\n")


@pytest.mark.parametrize("error", ["KeptError", "UsageError", "OSError"])
def test_error_messages_are_printed_on_one_line(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str],
                                                error: str) -> None:
    from generator import cli, errors

    def fail(args: object) -> int:
        if error == "OSError":
            raise OSError(2, "No such file or directory", FORGED)
        raise getattr(errors, error)(f"cannot read {FORGED}")

    monkeypatch.setattr(cli, "cmd_validate", fail)
    assert cli.main(["validate"]) in (1, 2)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "\\n::error file=" in err


@pytest.mark.parametrize("raised", ["KeptError", "RuntimeError"])
def test_serve_prints_a_failed_build_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 raised: str) -> None:
    from generator import errors, serve

    def build(out: Path) -> None:
        raise (errors.KeptError if raised == "KeptError" else RuntimeError)(FORGED)

    state = serve.State()
    serve.rebuild(build, tmp_path / "out", state)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "\\n::error file=" in err
    assert state.error is not None and "\n" not in state.error


# -- records read and written as every file: inside the repository --------------------------------

OUTSIDE_HINT = "Kept reads only files inside the repository: put the file itself here"


def test_a_records_folder_linked_outside_is_refused(tmp_path: Path) -> None:
    import shutil

    root = write_project(tmp_path / "data")
    elsewhere = tmp_path / "elsewhere"
    shutil.move(root / "results" / "records", elsewhere)
    (root / "results" / "records").symlink_to(elsewhere)
    assert errors_of(root) == [
        "results/records:1:1: error: the folder is a link to a folder outside the repository; "
        "put the records themselves here"]


def test_kept_record_does_not_write_through_a_link(tmp_path: Path) -> None:
    from generator.edit import record
    from generator.errors import DataError

    root = write_project(tmp_path / "data", records=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "results" / "records").symlink_to(elsewhere)
    with pytest.raises(DataError) as caught:
        record(root)
    assert [p.format() for p in caught.value.problems if p.severity == "error"] == [
        "results/records:1:1: error: the folder is a link to a folder outside the repository; "
        "put the records themselves here"]
    assert list(elsewhere.iterdir()) == []


def test_a_record_linked_outside_is_not_read(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data")
    record = root / "results" / "records" / "2025-Q2.json"
    outside = tmp_path / "2025-Q2.json"
    outside.write_bytes(record.read_bytes())
    record.unlink()
    record.symlink_to(outside)
    assert errors_of(root) == [
        f"results/records/2025-Q2.json:1:1: error: the file is a link to a file outside the "
        f"repository; {OUTSIDE_HINT}"]


# -- Markdown's work grows with a text's length, not its square ----------------------------------

@pytest.mark.parametrize("text", [
    "[](" * 1666 + ")",  # each link's destination was looked for to the end: 0.4 s, 5 s at 20,000
    "[a](<" * 1000 + ")",
    "a\n=\n" * 1250,  # each heading had every block processor test the rest of the text again
    "# a\n" * 1250,
    "text\n---\n" * 555,
])
def test_markdown_that_costs_too_much_is_shown_as_written(text: str) -> None:
    from generator.markup import md_html

    assert md_html(text) == "<p>" + html_escape(text) + "</p>"


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def test_markdown_written_to_be_read_is_rendered_within_its_budget() -> None:
    """A heading every other line of a 5,000-character text, with no blank lines, uses about
    half of the budget; links, lists and tables far less."""
    from generator.markup import md_html

    para = "We answer every call within three minutes, and say how long the wait is. "
    headed = ("## Heading\n" + para + "\n") * 55
    assert len(headed) <= 5_000 and md_html(headed).count("<h2>") == 55
    links = "[a link](https://example.com/a/(b)?c=d 'title') " * 100
    assert md_html(links).count("<a href=") == 100


# -- "did you mean" among each commitment's locations, from one index -------------------------------

def test_location_suggestions_share_one_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thirty commitments each listing a different 299 of 300 locations, each measured at the
    one it leaves out: an index of its locations was made for each measurement, as the cache
    of sixteen indexes went round (5,000 locations, 76 periods: 90 s)."""
    from generator import hints

    locations = [f"site-{i:03d}" for i in range(300)]
    commitments = "".join(
        f"  - id: c{i}\n    title: Promise {i}\n    promise: We do it.\n"
        f"    metric: {{name: Time, unit: hours, direction: lower, target: 4}}\n"
        f"    since: 2025-01-01\n"
        f"    locations: [{', '.join(x for x in locations if x != locations[i])}]\n"
        for i in range(30))
    text = ("organization: {name: Acme, period: quarter}\nlocations:\n"
            + "".join(f"  - {{id: {x}, name: Office {x}}}\n" for x in locations)
            + "commitments:\n" + commitments)
    results = {period: f"period: {period}\nmeasurements:\n" + "".join(
        f"  c{i}: {{value: 1, locations: {{{locations[i]}: 2}}}}\n" for i in range(30))
        for period in ("2025-Q1", "2025-Q2", "2025-Q3")}
    root = write_project(tmp_path / "data", commitments=text, results=results, records=False)
    made: list[int] = []
    original = hints._Index.__init__

    def counted(self: hints._Index, choices: tuple[str, ...]) -> None:
        made.append(len(choices))
        original(self, choices)

    monkeypatch.setattr(hints._Index, "__init__", counted)
    hints._index.cache_clear()
    errors = errors_of(root)
    assert len(errors) == 90
    assert errors[0] == (
        "results/2025-Q1.yml:3:30: error: location 'site-000' is not listed by commitment 'c0'; "
        "did you mean 'site-200'?")
    assert [n for n in made if n > hints._Index.SMALL] == [300]


# -- control characters in text -------------------------------------------------------------------

@pytest.mark.parametrize("escaped, shown", [
    ("\\x01", "\\x01"), ("\\0", "\\x00"), ("\\x0b", "\\x0b"), ("\\ufffe", "\\ufffe"),
    ("\\x85", "\\x85"),
])
def test_text_may_not_hold_control_characters(tmp_path: Path, escaped: str, shown: str) -> None:
    """Validated, then a badge that is not XML, and kept new-period failing at a line of the
    file it wrote (the title goes into a comment)."""
    old = "    title: Internal queue hygiene\n"
    root = write_project(tmp_path / "data", commitments=COMMITMENTS.replace(
        old, f'    title: "Internal queue{escaped}hygiene"\n'), records=False)
    line = COMMITMENTS[: COMMITMENTS.index(old)].count("\n") + 1
    assert errors_of(root) == [
        f"commitments.yml:{line}:12: error: 'title' holds the control character {shown}, which "
        f"no page, feed or badge can show; remove it (tabs and line breaks are fine)"]


def test_internal_texts_may_not_hold_control_characters(tmp_path: Path) -> None:
    old = "      owner: Head of Support\n"
    root = write_project(tmp_path / "data", commitments=COMMITMENTS.replace(
        old, '      owner: "Head of\\x1bSupport\\nand\\tdeputy"\n'), records=False)
    line = COMMITMENTS[: COMMITMENTS.index(old)].count("\n") + 1
    assert errors_of(root) == [
        f"commitments.yml:{line}:14: error: 'internal.owner' holds the control character \\x1b, "
        f"which no page, feed or badge can show; remove it (tabs and line breaks are fine)"]


def test_badges_and_charts_stay_xml_whatever_the_text() -> None:
    from xml.etree import ElementTree

    from generator.charts import badge
    from generator.compute import Attainment, Status

    svg = badge("Internal queue\x01\x00\ufffe hygiene <&>", Status.MET, Attainment(1, 2))
    title = ElementTree.fromstring(svg).find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == "Internal queue\ufffd\ufffd\ufffd hygiene <&>: Met · met 1 of 2"


# -- mkdocs.yml: values of the wrong kind are located, and MkDocs' own failures said plainly -------

@pytest.mark.parametrize("config, message", [
    ("theme: {name: material}\nextra: {social: 5}",
     "mkdocs.yml:3:17: error: 'social' must be a list (lines starting with '- '), not the number 5"),
    ("theme: {name: material}\nextra: {alternate: 5}",
     "mkdocs.yml:3:20: error: 'alternate' must be a list (lines starting with '- '), not the "
     "number 5"),
    ("theme: {name: material}\nextra: {social: [{link: 'https://x.example'}]}",
     "mkdocs.yml:3:18: error: social is missing required key 'icon'; its icon"),
    ("theme: {name: material, icon: {admonition: 5}}",
     "mkdocs.yml:2:44: error: 'icon.admonition' must be a mapping of admonition names to icons, "
     "not the number 5; write 'note: material/pencil' lines"),
    ("theme: {name: material, icon: {repo: material/nope}}",
     "mkdocs.yml:2:38: error: Material has no icon 'material/nope'; see Material's icon search, "
     "or put the SVG in custom_dir/.icons/"),
    ("theme: {name: material, static_templates: 5}",
     "mkdocs.yml:2:43: error: 'static_templates' must be a list (lines starting with '- '), not "
     "the number 5"),
    ("theme: {name: material}\nextra_templates: [5]",
     "mkdocs.yml:3:19: error: 'extra_templates' must be text, not the number 5; put it in quotes"),
    ("theme: {name: material}\nmarkdown_extensions: [{toc: {slugify: 5}}]",
     "mkdocs.yml:3:39: error: 'toc.slugify' must be a Python function, not the number 5; write "
     "!!python/name:module.function"),
    ("theme: {name: material, language: xx}",
     "mkdocs.yml:2:35: error: Material has no language 'xx'; one of af, ar, az, be, bg, bn, ca, "
     "cs, cy, da, de, el, ..."),
    ("theme: {name: material, language: fr-FR}",
     "mkdocs.yml:2:35: error: Material has no language 'fr-FR'; did you mean 'fr'?"),
    ("theme: {name: material, palette: [{toggle: 5}]}",
     "mkdocs.yml:2:44: error: 'toggle' must be a mapping (toggle), not the number 5"),
    ("theme: {name: material, palette: {toggle: {name: Dark}}}",
     "mkdocs.yml:2:43: error: toggle is missing required key 'icon'; the icon of the switch to "
     "this palette"),
])
def test_mkdocs_settings_the_build_failed_on_are_located(tmp_path: Path, config: str,
                                                         message: str) -> None:
    """Each validated, then failed the build with a traceback or only a file name."""
    root = write_project(tmp_path / "data", mkdocs=f"site_name: X\n{config}\n")
    assert [p.format() for p in check(root, site_config=True).problems] == [message]


def test_mkdocs_settings_that_work_pass(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", mkdocs=(
        "site_name: X\ntheme:\n  name: material\n  language: fr\n"
        "  icon: {repo: fontawesome/brands/github, admonition: {note: material/pencil}}\n"
        "  palette: [{scheme: slate, toggle: {icon: material/brightness-4, name: Dark}}]\n"
        "extra:\n  social: [{icon: fontawesome/brands/github, link: 'https://x.example'}]\n"
        "  alternate: [{name: English, link: /en/, lang: en}]\n"
        "markdown_extensions:\n  - toc:\n      slugify: !!python/name:pymdownx.slugs.uslugify\n"))
    assert check(root, site_config=True).problems == []


@pytest.mark.slow
def test_an_exception_inside_mkdocs_is_a_clear_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", mkdocs=(
        "site_name: X\ntheme: {name: material}\nhooks: [hooks/fail.py]\n"))
    (root / "hooks").mkdir()
    (root / "hooks" / "fail.py").write_text(
        "def on_config(config):\n    raise TypeError(\"'int' object is not iterable\")\n")
    result = run_kept("build", "--root", str(root), "--out", str(tmp_path / "out"),
                      "--audience", "public", "--jobs", "1")
    assert (result.returncode, result.stderr) == (1, (
        "kept: error: MkDocs failed on the public edition 2025-Q3: TypeError: 'int' object is "
        "not iterable; check the settings of mkdocs.yml (theme, extra, markdown_extensions, "
        "plugins)\n"))


# -- charts draw any figure validation accepts ---------------------------------------------------

@pytest.mark.parametrize("figures", [
    [2.0e-323, 0], [5e-324, 0], [2.2e-308, 0],  # tiny: 10 ** -324 is 0.0, and no step was found
    [5, 5, 5], [-3, -1, -2], [1e12, -1e12], [1e12, 1e12 + 0.001], [0.0],
])
def test_chart_scales_take_any_figure(figures: list[float]) -> None:
    from generator.charts import _scale, _ticks

    scale = _scale(figures, 24, 212)
    assert all(24 <= scale(value) <= 212 for value in figures)
    assert 1 <= len(_ticks(scale)) <= 11


def test_a_tiny_figure_renders(tmp_path: Path) -> None:
    """value: 2.0e-323 on a commitment whose target is 0 validated, then the build stopped."""
    from generator.render import render_edition

    q2 = RESULTS["2025-Q2"].replace("secret-queue: {value: 3,", "secret-queue: {value: 2.0e-323,")
    q3 = RESULTS["2025-Q3"].replace("  secret-queue: {value: 0}\n",
                                    "  secret-queue: {value: 2.0e-323}\n")
    root = write_project(tmp_path / "data", results={**RESULTS, "2025-Q2": q2, "2025-Q3": q3})
    rendered = render_edition(newest_edition(root, "internal"))
    assert "<svg" in rendered.expanded("commitments/secret-queue.md")


@pytest.mark.slow
def test_kept_files_nested_too_deeply_in_the_output_are_rebuilt(tmp_path: Path) -> None:
    """The output folder may come from anywhere (a CI cache): its manifests, nested past what
    Python's JSON decoder recurses through, stopped the build with a traceback."""
    root = write_project(tmp_path / "data")
    out = tmp_path / "out"
    assert run_kept("build", "--root", str(root), "--out", str(out), "--jobs", "1").returncode == 0
    for name in (".kept-cache.json", ".kept-pages.json"):
        (out / name).write_text("[" * 100_000)
    for entry in (out / ".kept-parsed").iterdir():  # its header as it was; its data, its marks
        header = entry.read_bytes().split(b"\n")[0]
        entry.write_bytes(header + b"\n" + b"[" * 100_000 + b"\n" + b"[" * 100_000)
    (root / "results" / "2025-Q4.yml").write_text(RESULTS["2025-Q4"] + "highlights: [More.]\n")
    result = run_kept("build", "--root", str(root), "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    (out / ".kept-site.json").write_text("[" * 100_000)
    (root / "results" / "2025-Q4.yml").write_text(RESULTS["2025-Q4"])
    result = run_kept("build", "--root", str(root), "--out", str(out), "--jobs", "1")
    assert (result.returncode, result.stderr) == (1, (
        f"kept: error: {out}/.kept-site.json cannot be read, so what in {out} is Kept's cannot be "
        "told; move the folder away or choose another --out\n"))
