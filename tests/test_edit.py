"""kept new-period, kept publish and kept init, from the library side."""

from __future__ import annotations

import datetime as dt
import email.message
import importlib.metadata
import re
from pathlib import Path

import pytest
import yaml

from generator import edit
from generator.build import build_site
from generator.edit import new_period, publish, record
from generator.errors import DataError, KeptError, Problem, UsageError
from generator.init import ACTION_RE, UNKNOWN_ACTION, init, installed_action
from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, write_project

SCHEMA_LINE = "# yaml-language-server: $schema=../results.schema.json\n"

# A draft with comments and uneven formatting: publishing must leave every byte of it alone.
Q4_READY = """\
# Our last quarter of 2025.
period: 2025-Q4   # the quarter
summary: >
  A quiet quarter.

measurements:
  # replies
  email-reply: {value: 3.5, sample: 900}
  satisfaction:
    value: null
    explanation: The survey closes in January.   # follow up
  secret-queue:   {value: 0}
"""


def results_of(root: Path, period: str) -> Path:
    return root / "results" / f"{period}.yml"


def file_problems(root: Path, rel: str) -> list[Problem]:
    return [p for p in check(root).problems if p.path == rel]


# --- new-period -------------------------------------------------------------------------------


def test_new_period_lists_every_active_commitment_with_empty_values(project: Path) -> None:
    path = new_period(project, "2026-Q1")
    text = path.read_text(encoding="utf-8")
    assert path == results_of(project, "2026-Q1")
    assert text.startswith(SCHEMA_LINE) and text.splitlines()[1].startswith("# ")
    data = yaml.safe_load(text)
    assert data["period"] == "2026-Q1" and "published" not in data
    # callback retired on 2025-09-30, before the quarter began
    assert list(data["measurements"]) == ["email-reply", "satisfaction", "secret-queue"]
    assert all(m == {"value": None} for m in data["measurements"].values())
    assert "Target 4 (in force on 2026-03-31); lower is better." in text
    assert "#   north: ..." in text and "#   pilot: ..." in text
    assert "(internal: shown on the internal site only)" in text  # secret-queue


def test_new_period_validates_as_a_draft(project: Path) -> None:
    new_period(project, "2026-Q1")
    report = check(project)
    assert not report.errors
    assert report.dataset is not None and report.dataset.periods[-1].draft
    assert {p.severity for p in file_problems(project, "results/2026-Q1.yml")} == {"warning"}


def test_new_period_leaves_out_commitments_not_yet_begun(project: Path) -> None:
    text = new_period(project, "2025-Q1").read_text(encoding="utf-8")
    assert list(yaml.safe_load(text)["measurements"]) == ["email-reply"]
    # judged against the promise as it stood then, before the 2025-10-01 revision
    assert "# We reply to every email within 8 hours" in text
    assert "Target 8 (in force on 2025-03-31)" in text
    assert not check(project).errors


def test_new_period_before_any_commitment_began(project: Path) -> None:
    text = new_period(project, "2024-Q4").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["measurements"] == {}
    assert not check(project).errors


def test_new_period_of_a_monthly_organisation(tmp_path: Path) -> None:
    root = write_project(tmp_path / "m", COMMITMENTS.replace("period: quarter", "period: month"),
                         results={})
    assert list(yaml.safe_load(new_period(root, "2025-02").read_text())["measurements"]) == [
        "email-reply"]
    assert not check(root).errors


def test_new_period_never_overwrites(project: Path) -> None:
    path = results_of(project, "2025-Q4")
    before = path.read_bytes()
    with pytest.raises(KeptError, match="already exists"):
        new_period(project, "2025-Q4")
    assert path.read_bytes() == before


@pytest.mark.parametrize("period", ["2026-Q5", "2026-9", "26-Q1", "2026-09", "../2026-Q1"])
def test_new_period_refuses_a_bad_period_id(project: Path, period: str) -> None:
    before = sorted((project / "results").iterdir())
    with pytest.raises(UsageError, match="2026-Q3"):
        new_period(project, period)
    assert sorted((project / "results").iterdir()) == before


def test_new_period_refuses_invalid_data(project: Path) -> None:
    (project / "commitments.yml").write_text(COMMITMENTS.replace("target: 4", "target: four"))
    with pytest.raises(DataError, match="'target' must be a number"):
        new_period(project, "2026-Q1")
    assert not results_of(project, "2026-Q1").exists()


# --- publish ----------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_publish_sets_the_date_and_keeps_every_other_byte(tmp_path: Path, newline: str) -> None:
    root = write_project(tmp_path / "d", results={**RESULTS, "2025-Q4": ""})
    path = results_of(root, "2025-Q4")
    path.write_bytes(Q4_READY.replace("\n", newline).encode())  # as a Windows editor saves it
    record(root)  # the periods published before
    result = publish(root, "2025-Q4", dt.date(2026, 1, 9))
    assert result.changed and result.date == dt.date(2026, 1, 9) and result.path == path
    assert result.record == root / "results" / "records" / "2025-Q4.json"
    expected = Q4_READY.replace("the quarter\n", "the quarter\npublished: 2026-01-09\n")
    assert path.read_bytes() == expected.replace("\n", newline).encode()
    report = check(root, strict=True)
    assert not file_problems(root, "results/2025-Q4.yml") and report.dataset is not None
    assert report.dataset.periods[-1].published == dt.date(2026, 1, 9)


def test_publish_fills_an_empty_published_line_and_keeps_its_comment(tmp_path: Path) -> None:
    root = write_project(tmp_path / "d", results={**RESULTS, "2025-Q4": ""})
    path = results_of(root, "2025-Q4")
    text = Q4_READY.replace("summary:", "published:    # kept publish fills this in\nsummary:")
    path.write_text(text)
    publish(root, "2025-Q4", dt.date(2026, 1, 9))
    assert path.read_text() == text.replace("published:    #", "published: 2026-01-09 #")


def test_publish_refuses_an_unexplained_miss_and_leaves_the_file_alone(tmp_path: Path) -> None:
    root = write_project(tmp_path / "d", results={**RESULTS, "2025-Q4": ""})
    path = results_of(root, "2025-Q4")
    path.write_text(Q4_READY.replace("{value: 3.5,", "{value: 5.5,"))  # target 4, lower is better
    before = path.read_bytes()
    with pytest.raises(DataError) as caught:
        publish(root, "2025-Q4", dt.date(2026, 1, 9))
    assert path.read_bytes() == before
    [problem] = caught.value.problems
    # placed on the file as it is, not as it would have been with the published line
    assert (problem.path, problem.line, problem.severity) == ("results/2025-Q4.yml", 8, "error")
    assert "'email-reply' missed its target and has no explanation" in problem.message


def test_publish_refuses_a_period_that_leaves_out_a_commitment(project: Path) -> None:
    path = results_of(project, "2025-Q4")  # the fixture's draft has no secret-queue
    before = path.read_bytes()
    with pytest.raises(DataError, match="no measurement for commitment 'secret-queue'"):
        publish(project, "2025-Q4", dt.date(2026, 1, 9))
    assert path.read_bytes() == before


def test_publish_never_changes_a_published_date(project: Path) -> None:
    path = results_of(project, "2025-Q3")
    before = path.read_bytes()
    with pytest.raises(DataError, match="already published on 2025-10-07.*edit it by hand"):
        publish(project, "2025-Q3", dt.date(2025, 10, 8))
    assert path.read_bytes() == before
    again = publish(project, "2025-Q3", dt.date(2025, 10, 7))
    assert not again.changed and path.read_bytes() == before


def test_publish_refuses_bad_arguments(project: Path) -> None:
    with pytest.raises(UsageError, match=r"before the period ends \(2025-12-31\)"):
        publish(project, "2025-Q4", dt.date(2025, 12, 30))
    with pytest.raises(UsageError, match="in the future"):
        publish(project, "2025-Q4", dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(UsageError, match="not one of the organisation's periods, which are "
                                         "quarters such as 2026-Q3"):
        publish(project, "2025-11", dt.date(2025, 12, 1))
    with pytest.raises(KeptError, match="kept new-period 2026-Q2"):
        publish(project, "2026-Q2", dt.date(2026, 7, 1))


def test_publish_puts_the_file_back_when_the_check_after_writing_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "d", results={**RESULTS, "2025-Q4": Q4_READY})
    path = results_of(root, "2025-Q4")
    before = path.read_bytes()
    real, calls = edit._blocking, []

    def blocking_after_write(where: Path, rel: str) -> list[Problem]:
        calls.append(where)
        if where == root:  # the check of the real repository, after writing
            return [Problem(rel, 3, 1, "changed under our feet")]
        return real(where, rel)

    monkeypatch.setattr(edit, "_blocking", blocking_after_write)
    with pytest.raises(DataError, match="changed under our feet"):
        publish(root, "2025-Q4", dt.date(2026, 1, 9))
    assert path.read_bytes() == before and len(calls) == 2
    assert [p.name for p in (root / "results").iterdir() if p.name.startswith(".")] == []


# --- init -------------------------------------------------------------------------------------

STARTER = [".github/workflows/kept.yml", ".gitignore", "README.md", "commitments.schema.json",
           "commitments.yml", "mkdocs.yml", "results.schema.json", "results/2026-Q2.yml",
           "results/2026-Q3.yml", "results/records/2026-Q2.json", "site_src/how-we-work.md"]
ACTION = "acme/kept@v0.1.0"


def test_init_gives_a_repository_that_validates(tmp_path: Path) -> None:
    root = tmp_path / "promises"
    started = init(root, action=ACTION)
    assert sorted(p.relative_to(root).as_posix() for p in started.files) == STARTER
    report = check(root, strict=True)
    assert report.problems == [] and report.dataset is not None
    assert len(report.dataset.commitments) == 2 and len(report.dataset.values) == 1
    assert [(p.id, p.published) for p in report.dataset.periods] == [
        ("2026-Q2", dt.date(2026, 7, 7)), ("2026-Q3", None)]
    assert (root / "commitments.yml").read_text().startswith(
        "# yaml-language-server: $schema=commitments.schema.json\n# ")
    for name in ("2026-Q2", "2026-Q3"):
        assert results_of(root, name).read_text().startswith(SCHEMA_LINE + "# ")
    workflow = (root / ".github/workflows/kept.yml").read_text()
    assert "uses: acme/kept@v0.1.0" in workflow
    assert "site/" in (root / ".gitignore").read_text().splitlines()
    written = "".join(p.read_text() for p in started.files)
    assert "@KEPT_VERSION@" not in written and "@KEPT_ACTION@" not in written


def test_init_writes_the_organisation_and_no_example_branding(tmp_path: Path) -> None:
    """The sites are named after the organisation: mkdocs.yml sets no site_name, and nothing
    says the starter's example name."""
    root = tmp_path / "acme_customer-support"
    started = init(root, action=ACTION)
    assert started.name == "Acme Customer Support"
    report = check(root, strict=True)
    assert report.dataset is not None
    assert report.dataset.organization.name == "Acme Customer Support"
    assert "site_name" not in yaml.safe_load((root / "mkdocs.yml").read_text())
    for path in started.files:
        assert "Brightwater" not in path.read_text(), path


@pytest.mark.parametrize("name", ["Café & Co: Support", "yes", "2026", "#1 Help", "'Quoted'",
                                  "  Padded  ", "Ünïcode — support"])
def test_init_writes_any_name_as_text(tmp_path: Path, name: str) -> None:
    root = tmp_path / "r"
    init(root, name=name, action=ACTION)
    report = check(root, strict=True)
    assert report.problems == [] and report.dataset is not None
    assert report.dataset.organization.name == name.strip()


@pytest.mark.parametrize(("name", "message"), [
    ("", "the organisation's name is empty"),
    ("Acme\nSupport", "has a line break or a control character"),
    ("Acme\x1b[31m", "has a line break or a control character"),
    ("A" * 201, "201 characters long, over the limit of 200"),
])
def test_init_refuses_a_bad_name_before_writing(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        init(tmp_path / "r", name=name, action=ACTION)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("action", ["acme/kept", "acme@v1", "<owner>/kept@v1", "acme/kept@v1 x",
                                    "-acme/kept@v1", "acme/kept@"])
def test_init_refuses_a_bad_action_reference(tmp_path: Path, action: str) -> None:
    with pytest.raises(UsageError, match="is not an action reference"):
        init(tmp_path / "r", action=action)
    assert not (tmp_path / "r").exists()


class _Dist:
    def __init__(self, direct: str | None, urls: list[str]):
        self.direct = direct
        self.metadata = email.message.Message()
        for url in urls:
            self.metadata["Project-URL"] = url

    def read_text(self, name: str) -> str | None:
        return self.direct if name == "direct_url.json" else None


@pytest.mark.parametrize(("direct", "urls", "expected"), [
    # pip install "git+https://github.com/acme/kept@v0.2.0"
    ('{"url": "https://github.com/acme/kept.git", "vcs_info": {"vcs": "git", '
     '"requested_revision": "v0.2.0", "commit_id": "0123abc"}}', [], "acme/kept@v0.2.0"),
    # pip install "git+https://github.com/acme/kept" (no ref asked for: the commit installed)
    ('{"url": "https://github.com/acme/kept", "vcs_info": {"vcs": "git", "commit_id": "0123abc"}}',
     [], "acme/kept@0123abc"),
    # a release's wheel, by its address
    ('{"url": "https://github.com/acme/kept/releases/download/v0.2.0/kept_promises-0.2.0-py3-none-any.whl", '
     '"archive_info": {}}', [], "acme/kept@v0.2.0"),
    ('{"url": "https://github.com/acme/kept/archive/refs/tags/v0.2.0.zip", "archive_info": {}}', [],
     "acme/kept@v0.2.0"),
    # a wheel file, or a checkout: the source repository the distribution declares, if any
    ('{"url": "file:///tmp/kept_promises-0.1.0-py3-none-any.whl", "archive_info": {}}',
     ["Homepage, https://kept.example/", "Source, https://github.com/acme/kept"], "acme/kept@v0.1.0"),
    ('{"url": "file:///src/kept", "dir_info": {"editable": true}}', [], None),
    (None, ["Source, https://gitlab.com/acme/kept"], None),
    ("not json", [], None),
    ('{"url": "https://github.com/acme/kept.git", "vcs_info": {"requested_revision": "v1;rm -rf"}}',
     [], None),
])
def test_init_uses_the_action_kept_was_installed_from(
        monkeypatch: pytest.MonkeyPatch, direct: str | None, urls: list[str], expected: str | None) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: _Dist(direct, urls))
    assert installed_action() == expected


def test_init_without_a_known_action_names_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never an action under a made-up name that someone else could publish: a reference that
    GitHub refuses, and a warning."""
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: _Dist(None, []))
    started = init(tmp_path / "r")
    assert started.action is None
    workflow = (tmp_path / "r/.github/workflows/kept.yml").read_text()
    assert workflow.count("uses: <owner>/<repository>@v0.1.0") == 2
    assert not ACTION_RE.fullmatch(UNKNOWN_ACTION)


def test_init_then_new_period_and_publish(tmp_path: Path) -> None:
    root = tmp_path / "promises"
    init(root, action=ACTION)
    assert publish(root, "2026-Q3", dt.date(2026, 10, 8)).changed
    new_period(root, "2026-Q4")
    assert not check(root).errors


def test_publish_updates_the_starter_s_draft_header_and_nothing_else(tmp_path: Path) -> None:
    root = tmp_path / "promises"
    init(root, action=ACTION)
    path = root / "results/2026-Q3.yml"
    before = path.read_text().splitlines(keepends=True)
    assert before[1] == ("# Results for July to September 2026: a draft (internal site only) "
                         "until `kept publish 2026-Q3`.\n")
    publish(root, "2026-Q3", dt.date(2026, 10, 8))
    after = path.read_text().splitlines(keepends=True)
    assert after[1] == ("# Results for July to September 2026, published: this edition is on "
                        "the public site.\n")  # as the starter's published quarter says
    assert after == [before[0], after[1], before[2], "published: 2026-10-08\n", *before[3:]]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_publish_updates_new_period_s_draft_header(project: Path, newline: str) -> None:
    (project / "results/2025-Q4.yml").unlink()
    path = new_period(project, "2025-Q4")
    text = path.read_text()
    for figure in ("3", "95", "0"):  # email-reply, satisfaction, secret-queue: all met
        text = text.replace("    value: null\n", f"    value: {figure}\n", 1)
    text = text.replace("\n", newline)
    path.write_bytes(text.encode())
    assert f"# Results for October to December 2025: a draft until `kept publish 2025-Q4`.{newline}" in text
    publish(project, "2025-Q4", dt.date(2026, 1, 8))
    assert path.read_bytes().decode() == text.replace(
        f": a draft until `kept publish 2025-Q4`.{newline}period: 2025-Q4{newline}",
        f", published: this edition is on the public site.{newline}period: 2025-Q4{newline}"
        f"published: 2026-01-08{newline}")


def test_publish_leaves_a_header_the_user_wrote_or_changed(project: Path) -> None:
    path = project / "results/2025-Q4.yml"
    mine = ("# Results for October to December 2025: a draft until `kept publish 2025-Q4`. "
            "Ask Sam first.\n# Results for October to December 2025: a draft until `kept "
            "publish 2025-Q3`.\n")
    path.write_text(mine + Q4_READY)
    publish(project, "2025-Q4", dt.date(2026, 1, 8))
    assert path.read_text().startswith(mine)


def test_init_is_deterministic_and_accepts_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    first = init(tmp_path / "a", "Acme", ACTION).files
    second = init(tmp_path / "b", "Acme", ACTION).files
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(KeptError, match="not an empty folder"):
        init(tmp_path, action=ACTION)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(KeptError, match="not an empty folder"):
        init(tmp_path / "notes.txt", action=ACTION)


@pytest.mark.slow
def test_init_builds(tmp_path: Path) -> None:
    root = tmp_path / "promises"
    init(root, action=ACTION)
    result = build_site(root, tmp_path / "site")
    assert result.editions == {"public": ["2026-Q2"], "internal": ["2026-Q3", "2026-Q2"]}
    assert (tmp_path / "site/public/2026-Q2/commitments/email-reply/index.html").is_file()
    assert (tmp_path / "site/public/2026-Q2/improvements/find-order-by-number/index.html").is_file()
    assert (tmp_path / "site/public/2026-Q2/how-we-work/index.html").is_file()
    # No site_name in mkdocs.yml: the sites are named after the organisation.
    home = (tmp_path / "site/public/2026-Q2/index.html").read_text()
    assert "<title>Promises: our commitments - Promises</title>" in home
    assert "<title>Promises</title>" in (tmp_path / "site/public/index.html").read_text()
