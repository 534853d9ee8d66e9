"""Files from outside the repository, and files that are not files: never read, never quoted.

A link may lead anywhere on the machine that validates or builds the repository (a CI runner),
a named pipe blocks whoever reads it, and /dev/zero never ends. Each is refused where it is,
with a located error that does not quote the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import files, history
from generator.edit import new_period, publish
from generator.errors import DataError, Problem
from generator.history import InvalidBase, dataset_at
from generator.load import MAX_FILE_BYTES, load_file
from generator.validate import check
from tests.gitrepo import commit_all, make_repo
from tests.helpers import RESULTS, kept_bounded, write_project

SECRET = "SECRET-MARKER"
OUTSIDE_HINT = "Kept reads only files inside the repository: put the file itself here"
REGULAR_HINT = "Kept reads only regular files: remove it, or replace it with a file"


def outside(tmp_path: Path, name: str = "secret.yml", text: str = f"{SECRET}: the password file\n") -> Path:
    """A file outside the repository, whose text an error message would quote if it read it."""
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def refused(rel: str, message: str, hint: str = OUTSIDE_HINT) -> str:
    return f"{rel}:1:1: error: {message}; {hint}"


def swap(path: Path, make: str | Path) -> None:
    """Replace a file of the repository with a named pipe ('fifo') or a link to make."""
    path.unlink()
    if make == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(make)


# --- the data files ------------------------------------------------------------------------------


def test_a_named_pipe_among_the_results_is_refused_without_waiting(project: Path) -> None:
    swap(project / "results" / "2025-Q4.yml", "fifo")
    result = kept_bounded("validate", "--root", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        refused("results/2025-Q4.yml", "the file is a named pipe, not a regular file", REGULAR_HINT)]


def test_a_link_to_the_zero_device_is_refused_without_reading_it(project: Path) -> None:
    swap(project / "results" / "2025-Q4.yml", "/dev/zero")
    result = kept_bounded("validate", "--root", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        refused("results/2025-Q4.yml", "the file is a link to a file outside the repository")]


def test_a_link_out_of_the_repository_is_refused_and_never_quoted(tmp_path: Path,
                                                                   project: Path) -> None:
    swap(project / "results" / "2025-Q4.yml", outside(tmp_path))
    swap(project / "commitments.yml", outside(tmp_path, "org.yml"))
    result = kept_bounded("validate", "--root", str(project))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == refused("commitments.yml", "the file is a link to a file outside the repository")
    assert refused("results/2025-Q4.yml", "the file is a link to a file outside the repository") in lines
    assert SECRET not in result.stdout + result.stderr


def test_a_results_folder_linked_out_of_the_repository_is_refused(tmp_path: Path,
                                                                  project: Path) -> None:
    (project / "results").rename(tmp_path / "elsewhere")
    (project / "results").symlink_to(tmp_path / "elsewhere")
    assert [p.format() for p in check(project).problems] == [
        "results:1:1: error: the folder is a link to a folder outside the repository; "
        "put the results files themselves here"]


def test_a_link_inside_the_repository_is_read(project: Path) -> None:
    drafts = project / "drafts"
    drafts.mkdir()
    (drafts / "q4.yml").write_text(RESULTS["2025-Q4"])
    swap(project / "results" / "2025-Q4.yml", "../drafts/q4.yml")
    report = check(project)
    assert report.errors == [] and [p.id for p in report.dataset.periods][-1] == "2025-Q4"


def test_the_size_limit_holds_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that says it is small (the kernel's own files say 0 bytes) is read no further
    than the limit."""
    (tmp_path / "f.yml").write_bytes(b"a: 1\n" * 10)
    real_fstat = os.fstat

    def says_empty(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = 0  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(files.os, "fstat", says_empty)
    with pytest.raises(files.Refused) as caught:
        files.read_bytes(tmp_path, "f.yml", 20)
    assert caught.value.problem == Problem("f.yml", 1, 1, "the file holds more than the limit of 20 bytes",
                                           "split it or remove what does not belong in it")


def test_refusals_cross_process_boundaries() -> None:
    """Templates are read in worker processes: a refusal there reaches the parent whole."""
    import pickle

    problem = Problem("site_src/templates/x.j2", 1, 1, "m", "h")
    again = pickle.loads(pickle.dumps(files.Refused(problem)))
    assert isinstance(again, files.Refused) and again.problems == [problem]


def test_site_src_is_checked_by_validate(tmp_path: Path, project: Path) -> None:
    (project / "site_src" / "assets").mkdir(parents=True)
    (project / "site_src" / "assets" / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(project / "site_src" / "pipe.md")
    (project / "site_src" / "inside.md").symlink_to("../mkdocs.yml")
    (project / "site_src" / "gone.md").symlink_to("nothing-here.md")  # as an editor's lock file
    assert [p.format() for p in check(project).problems] == [
        refused("site_src/assets/passwd", "the file is a link to a file outside the repository"),
        refused("site_src/pipe.md", "the file is a named pipe, not a regular file", REGULAR_HINT)]


# --- publish and new-period ----------------------------------------------------------------------


def test_publish_refuses_a_results_file_linked_out_of_the_repository(tmp_path: Path,
                                                                      project: Path) -> None:
    elsewhere = outside(tmp_path, "q4.yml", RESULTS["2025-Q4"].replace("Draft", SECRET))
    swap(project / "results" / "2025-Q4.yml", elsewhere)
    with pytest.raises(DataError) as caught:
        publish(project, "2025-Q4", date=__import__("datetime").date(2026, 1, 10))
    assert [p.format() for p in caught.value.problems] == [
        refused("results/2025-Q4.yml", "the file is a link to a file outside the repository")]
    assert (project / "results" / "2025-Q4.yml").is_symlink()
    assert "published" not in elsewhere.read_text()


def test_publish_does_not_wait_on_a_named_pipe_among_the_results(project: Path) -> None:
    os.mkfifo(project / "results" / "2024-Q4.yml")
    result = kept_bounded("publish", "2025-Q4", "--date", "2026-01-10", "--root", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert refused("results/2024-Q4.yml", "the file is a named pipe, not a regular file",
                   REGULAR_HINT) in result.stdout.splitlines()
    assert "published" not in (project / "results" / "2025-Q4.yml").read_text()


def test_new_period_never_writes_through_a_link_out_of_the_repository(tmp_path: Path,
                                                                      project: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (project / "results").rename(elsewhere)
    (project / "results").symlink_to(elsewhere)
    with pytest.raises(DataError):
        new_period(project, "2026-Q1")
    assert not (elsewhere / "2026-Q1.yml").exists()


def test_new_period_never_writes_through_a_broken_link(project: Path) -> None:
    (project / "results" / "2026-Q1.yml").symlink_to("nowhere.yml")
    with pytest.raises(DataError) as caught:
        new_period(project, "2026-Q1")
    assert [p.format() for p in caught.value.problems] == [refused(
        "results/2026-Q1.yml", "the file is a link to a file that does not exist",
        "point the link at a file of the repository, or remove it")]
    assert not (project / "results" / "nowhere.yml").exists()


# --- the base of a comparison --------------------------------------------------------------------


def test_an_oversized_file_at_the_base_is_not_read(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Git hands over a blob whole, in memory: one over the loader's limit is not asked for,
    and the loader refuses it by its size."""
    root = make_repo(tmp_path / "repo")
    big = root / "results" / "2025-Q4.yml"
    big.write_text(RESULTS["2025-Q4"] + "#" * MAX_FILE_BYTES + "\n")
    commit_all(root)
    asked: list[int] = []
    read_blobs = history._read_blobs

    def counted(root: Path, oids: list[str]) -> list[bytes]:
        contents = read_blobs(root, oids)
        asked.extend(len(c) for c in contents)
        return contents

    monkeypatch.setattr(history, "_read_blobs", counted)
    with pytest.raises(InvalidBase) as caught:
        dataset_at(root, "HEAD")
    size = big.stat().st_size
    assert caught.value.problems == [Problem(
        "results/2025-Q4.yml", 1, 1, f"the file is {size} bytes, more than the limit of {MAX_FILE_BYTES}",
        "split it or remove what does not belong in it")]
    assert asked and max(asked) < MAX_FILE_BYTES


def test_load_file_reports_a_missing_file(tmp_path: Path) -> None:
    assert load_file(tmp_path, "nothing.yml") == (
        None, [Problem("nothing.yml", 1, 1, "file not found", "check the name")])


def test_a_small_project_still_validates(tmp_path: Path) -> None:
    assert check(write_project(tmp_path / "data")).errors == []


# --- the site's files ----------------------------------------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def published(out: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A project built once (public site only), and its output."""
    from generator.build import build_site

    root = write_project(tmp_path / "data")
    build_site(root, tmp_path / "out", audiences=("public",), jobs=1)
    return root, tmp_path / "out"


def fails_to_build(root: Path, out: Path) -> list[str]:
    """The problems of a build that must fail and leave the previous output as it was."""
    from generator.build import build_site

    before = tree(out)
    with pytest.raises(DataError) as caught:
        build_site(root, out, audiences=("public",), jobs=1)
    assert tree(out) == before
    assert SECRET not in str(caught.value)
    return [p.format() for p in caught.value.problems]


@pytest.mark.slow
def test_a_page_linked_out_of_the_repository_is_not_published(tmp_path: Path,
                                                              built: tuple[Path, Path]) -> None:
    root, out = built
    (root / "site_src").mkdir()
    (root / "site_src" / "about.md").symlink_to(outside(tmp_path, "notes.md", f"# Notes\n\n{SECRET}\n"))
    assert fails_to_build(root, out) == [
        refused("site_src/about.md", "the file is a link to a file outside the repository")]
    assert SECRET not in published(out)


@pytest.mark.slow
def test_a_page_linked_inside_the_repository_is_published(tmp_path: Path) -> None:
    from generator.build import build_site

    root = write_project(tmp_path / "data")
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# About\n\nWritten once, linked from site_src.\n")
    (root / "site_src").mkdir()
    (root / "site_src" / "about.md").symlink_to("../docs/about.md")
    build_site(root, tmp_path / "out", audiences=("public",), jobs=1)
    page = (tmp_path / "out" / "public" / "latest" / "about" / "index.html").read_text()
    assert "Written once, linked from site_src." in page


@pytest.mark.slow
def test_a_template_linked_out_of_the_repository_is_not_rendered(tmp_path: Path,
                                                                 built: tuple[Path, Path]) -> None:
    root, out = built
    (root / "site_src" / "templates").mkdir(parents=True)
    (root / "site_src" / "templates" / "improvements.md.j2").symlink_to(
        outside(tmp_path, "t.j2", f"# Changes\n\n{SECRET}\n"))
    assert fails_to_build(root, out) == [refused(
        "site_src/templates/improvements.md.j2", "the file is a link to a file outside the repository")]


def test_the_template_loader_refuses_a_link_out_of_the_repository(tmp_path: Path) -> None:
    """Should a link appear after validation, the renderer does not follow it either."""
    from generator.render import environment

    templates = tmp_path / "data" / "site_src" / "templates"
    templates.mkdir(parents=True)
    (templates / "page.md.j2").symlink_to(outside(tmp_path, "t.j2", SECRET))
    (templates / "own.md.j2").write_text("mine\n")
    env = environment(templates)
    assert env.get_template("own.md.j2").render() == "mine\n"
    with pytest.raises(files.Refused) as caught:
        env.get_template("page.md.j2")
    assert caught.value.problem.path == "site_src/templates/page.md.j2"


CUSTOM_DIR = "site_name: Acme\ntheme:\n  name: material\n  custom_dir: {}\n"


@pytest.mark.slow
def test_a_theme_folder_outside_the_repository_is_refused(tmp_path: Path,
                                                          built: tuple[Path, Path]) -> None:
    root, out = built
    outside(tmp_path, "secret.txt", SECRET)
    (root / "mkdocs.yml").write_text(CUSTOM_DIR.format("../elsewhere"))
    assert fails_to_build(root, out) == [
        "mkdocs.yml:4:15: error: 'custom_dir' leads out of the repository: '../elsewhere'; "
        "name a folder inside the repository"]


@pytest.mark.slow
def test_a_theme_file_linked_out_of_the_repository_is_refused(tmp_path: Path,
                                                              built: tuple[Path, Path]) -> None:
    """MkDocs copies every file of the theme's folders into each edition."""
    root, out = built
    (root / "mkdocs.yml").write_text(CUSTOM_DIR.format("overrides"))
    (root / "overrides").mkdir()
    (root / "overrides" / "terms.txt").symlink_to(outside(tmp_path, "secret.txt", SECRET))
    assert fails_to_build(root, out) == [
        refused("overrides/terms.txt", "the file is a link to a file outside the repository")]


@pytest.mark.slow
def test_a_config_linked_or_inherited_from_outside_is_refused(tmp_path: Path,
                                                              built: tuple[Path, Path]) -> None:
    """MkDocs names the settings it does not know in its warnings: a config read from
    anywhere would print that file's lines."""
    root, out = built
    config = root / "mkdocs.yml"
    swap(config, outside(tmp_path, "config.yml", f"site_name: x\n{SECRET}: 1\n"))
    assert fails_to_build(root, out) == [
        refused("mkdocs.yml", "the file is a link to a file outside the repository")]
    config.unlink()
    config.write_text("site_name: Acme\nINHERIT: ../elsewhere/config.yml\n")
    assert fails_to_build(root, out) == [
        "mkdocs.yml:2:10: error: 'INHERIT' leads out of the repository: "
        "'../elsewhere/config.yml'; name a file inside the repository"]
    config.write_text("site_name: Acme\nINHERIT: base.yml\n")
    (root / "base.yml").write_text("theme: {name: material}\nINHERIT: mkdocs.yml\n")
    assert fails_to_build(root, out) == [
        "base.yml:2:10: error: 'INHERIT' leads back to mkdocs.yml; inherit from a config that "
        "does not inherit back"]


@pytest.mark.slow
def test_an_inherited_config_inside_the_repository_is_used(tmp_path: Path) -> None:
    from generator.build import build_site

    root = write_project(tmp_path / "data", mkdocs="INHERIT: config/base.yml\nsite_name: Acme\n")
    (root / "config").mkdir()
    (root / "config" / "base.yml").write_text("theme:\n  name: material\ncopyright: Acme Ltd 2025\n")
    build_site(root, tmp_path / "out", audiences=("public",), jobs=1)
    assert "Acme Ltd 2025" in (tmp_path / "out" / "public" / "latest" / "index.html").read_text()


@pytest.mark.slow
def test_a_hook_outside_the_repository_is_refused(tmp_path: Path, built: tuple[Path, Path]) -> None:
    root, out = built
    outside(tmp_path, "hook.py", f"{SECRET} = 1\n")
    (root / "mkdocs.yml").write_text("site_name: Acme\nhooks:\n  - ../elsewhere/hook.py\n")
    assert fails_to_build(root, out) == [
        "mkdocs.yml:3:1: error: hooks: '../elsewhere/hook.py' is outside the repository; "
        "keep theme overrides and hooks in the repository"]


def test_a_loop_of_links_and_a_folder_named_like_a_file(project: Path) -> None:
    results = project / "results"
    (results / "2024-Q1.yml").symlink_to("2024-Q2.yml")
    (results / "2024-Q2.yml").symlink_to("2024-Q1.yml")
    (results / "2024-Q3.yml").mkdir()  # a folder: not a results file, as before
    assert [p.format() for p in check(project).problems] == [
        refused(f"results/{name}.yml", "the file is a link to a loop of links, not a regular file",
                REGULAR_HINT) for name in ("2024-Q1", "2024-Q2")]


def test_schemas_replace_a_link_instead_of_writing_through_it(tmp_path: Path, project: Path) -> None:
    from generator.jsonschema import document

    elsewhere = outside(tmp_path, "profile", "export PATH=/usr/bin\n")
    (project / "commitments.schema.json").symlink_to(elsewhere)
    os.mkfifo(project / "results.schema.json")
    result = kept_bounded("schema", "--root", str(project))
    assert result.returncode == 0, result.stderr
    assert elsewhere.read_text() == "export PATH=/usr/bin\n"
    for name in ("commitments.schema.json", "results.schema.json"):
        path = project / name
        assert not path.is_symlink() and path.is_file()
        assert __import__("json").loads(path.read_text()) == document(name)


@pytest.mark.slow
def test_a_theme_template_reached_through_a_linked_folder_is_read_safely(
        tmp_path: Path, built: tuple[Path, Path]) -> None:
    """The check of theme.custom_dir does not walk into linked folders; MkDocs' templates
    loader would, and render what the link leads to into every page."""
    root, out = built
    (root / "mkdocs.yml").write_text(CUSTOM_DIR.format("overrides"))
    (root / "overrides").mkdir()
    (root / "shared").mkdir()
    (root / "overrides" / "partials").symlink_to("../shared")
    (root / "shared" / "footer.html").symlink_to(outside(tmp_path, "footer.html", f"<p>{SECRET}</p>"))
    assert fails_to_build(root, out) == [
        refused("overrides/partials/footer.html", "the file is a link to a file outside the repository")]


@pytest.mark.slow
def test_theme_overrides_inside_the_repository_are_used(tmp_path: Path) -> None:
    from generator.build import build_site

    root = write_project(tmp_path / "data", mkdocs=CUSTOM_DIR.format("overrides"))
    (root / "overrides" / "partials").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "shared" / "copyright.html").write_text('<div class="md-copyright">Our own footer</div>\n')
    (root / "overrides" / "partials" / "copyright.html").symlink_to("../../shared/copyright.html")
    build_site(root, tmp_path / "out", audiences=("public",), jobs=1)
    assert "Our own footer" in (tmp_path / "out" / "public" / "latest" / "index.html").read_text()


@pytest.mark.slow
def test_files_named_by_the_config_are_inputs_of_the_build(tmp_path: Path) -> None:
    """A theme folder outside site_src/ and an inherited config are read by the build: a
    change to either is a change of its inputs (a build does not take the old site for new),
    and kept serve watches them."""
    from generator.build import build_site
    from generator.serve import snapshot

    root = write_project(tmp_path / "data", mkdocs="INHERIT: config/base.yml\nsite_name: Acme\n")
    (root / "config").mkdir()
    (root / "config" / "base.yml").write_text(
        "theme:\n  name: material\n  custom_dir: overrides\nmarkdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    (root / "overrides" / "extra").mkdir(parents=True)
    out = tmp_path / "out"
    build_site(root, out, audiences=("public",), jobs=1)
    (root / "overrides" / "extra" / "terms.txt").write_text("Terms.\n")
    build_site(root, out, audiences=("public",), jobs=1)
    assert (out / "public" / "latest" / "extra" / "terms.txt").read_text() == "Terms.\n"
    base = root / "config" / "base.yml"
    base.write_text(base.read_text() + "copyright: Acme Ltd 2025\n")
    build_site(root, out, audiences=("public",), jobs=1)
    assert "Acme Ltd 2025" in (out / "public" / "latest" / "index.html").read_text()
    watched = snapshot(root)
    assert str(base) in watched and str(root / "overrides" / "extra" / "terms.txt") in watched
