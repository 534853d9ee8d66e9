"""Records of published editions: what each edition stated never changes silently."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from generator import records
from generator.build import build_site
from generator.diff import summary_against
from generator.edit import publish, record
from generator.errors import DataError, KeptError, UsageError
from generator.project import editions
from generator.project import project as projected
from generator.render import render_edition
from generator.validate import check
from tests.gitrepo import commit_all, edit, make_repo
from tests.helpers import run_kept, write_project

Q3 = "results/2025-Q3.yml"


def at(root: Path, rel: str, needle: str, offset: int = 0) -> str:
    """'LINE:COL' of the character `offset` into the only occurrence of needle in a file."""
    text = (root / rel).read_text(encoding="utf-8")
    assert text.count(needle) == 1, needle
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def said(root: Path, strict: bool = False) -> list[str]:
    return [p.format() for p in check(root, strict=strict).problems]


def errors(root: Path) -> list[str]:
    return [p for p in said(root) if ": error: " in p]


def correct(period: str, names: str) -> str:
    return (f"to correct what {period} said, add to results/{period}.yml a `corrections` entry "
            f"whose `changes` names {names}, saying what changed and why")


# --- writing records ----------------------------------------------------------------------------


def test_a_record_holds_every_fact_of_the_public_edition(project: Path) -> None:
    data = json.loads((project / "results/records/2025-Q2.json").read_text(encoding="utf-8"))
    assert data["published"] == "2025-07-08" and data["format"] == 1
    assert data["summary"] == "Our first quarter with published results."
    assert data["highlights"] == ["Replies got faster every month."]
    # Public commitments that applied, as they stood on the period's last day (the target
    # before the revision of 2025-10-01); the internal commitment is not on the public site.
    assert sorted(data["commitments"]) == ["callback", "email-reply", "satisfaction"]
    email = data["commitments"]["email-reply"]
    assert email == {
        "title": "We reply to every email within 8 hours",
        "promise": "Every email gets a reply from a person within **4 business hours**.",
        "target": 8, "unit": "hours", "direction": "lower", "status": "met", "value": 6.5,
        "measure": "Median first reply time",
        "definition": "Business hours from receipt to first human reply.",
        "since": "2025-01-01", "retired": None, "threshold": None, "guarantee": None,
        "guarantee_figures": None, "recovery": None,
        "sample": 1200, "explanation": None,
        # south was measured on 20 cases, fewer than min_sample: not published, not recorded
        "locations": {"north": {"value": 6.0, "sample": 700}}}
    assert data["commitments"]["satisfaction"]["status"] == "missed"
    assert data["improvements"] == {"weekend-email": {
        "date": "2025-05-10", "title": "We now answer email on Saturdays",
        "you_said": "You wanted answers at the weekend.",
        "we_did": "We staff the inbox on Saturday mornings.", "commitments": ["email-reply"],
        "feedback": {"source": "survey", "count": 140}, "delivers": None}}
    assert data["planned"] == {}
    assert "2025-Q4.json" not in {p.name for p in (project / "results/records").iterdir()}


def test_a_record_is_the_same_bytes_when_written_again(project: Path) -> None:
    path = project / "results/records/2025-Q3.json"
    first = path.read_bytes()
    path.unlink()
    assert record(project) == [path]
    assert path.read_bytes() == first
    assert first.decode() == records.canonical(json.loads(first))


def test_kept_record_never_overwrites(project: Path) -> None:
    path = project / "results/records/2025-Q3.json"
    before = path.read_bytes()
    with pytest.raises(KeptError, match="exists, and a record is never overwritten"):
        record(project, ["2025-Q3"])
    assert path.read_bytes() == before
    assert record(project) == []  # nothing missing: nothing written
    with pytest.raises(KeptError, match="2025-Q4 is not published"):
        record(project, ["2025-Q4"])
    with pytest.raises(KeptError, match="there is no results/2024-Q1.yml"):
        record(project, ["2024-Q1"])
    with pytest.raises(UsageError, match="is not a period id"):
        record(project, ["../2025-Q3"])
    result = run_kept("record", "2025-Q3", "--root", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "a record is never overwritten" in result.stderr


def test_kept_record_writes_all_or_nothing(project: Path) -> None:
    for name in ("2025-Q2.json", "2025-Q3.json"):
        (project / "results/records" / name).unlink()
    with pytest.raises(KeptError, match="2025-Q4 is not published"):
        record(project, ["2025-Q2", "2025-Q4"])
    assert list((project / "results/records").iterdir()) == []
    result = run_kept("record", "--root", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("wrote ") == 2


Q4_READY = """\
period: 2025-Q4
summary: Replies stayed fast.
measurements:
  email-reply: {value: 3.5, sample: 900}
  satisfaction: {value: 92}
  secret-queue: {value: 0}
"""


def test_publish_writes_the_record_after_its_checks(project: Path) -> None:
    q4 = project / "results/2025-Q4.yml"
    q4.write_text(Q4_READY)
    result = publish(project, "2025-Q4", dt.date(2026, 1, 9))
    assert result.record == project / "results/records/2025-Q4.json"
    data = json.loads(result.record.read_text(encoding="utf-8"))
    assert data["published"] == "2026-01-09"
    assert data["commitments"]["email-reply"]["value"] == 3.5
    assert said(project, strict=True) == []


def test_a_publish_that_fails_changes_no_file(project: Path) -> None:
    q4 = project / "results/2025-Q4.yml"
    q4.write_text(Q4_READY.replace("{value: 3.5, sample: 900}", "{value: 5.5, sample: 900}"))
    before = q4.read_bytes()
    with pytest.raises(DataError, match="missed its target and has no explanation"):
        publish(project, "2025-Q4", dt.date(2026, 1, 9))
    assert q4.read_bytes() == before
    assert not (project / "results/records/2025-Q4.json").exists()


def test_publish_refuses_a_record_that_says_otherwise(project: Path) -> None:
    q4 = project / "results/2025-Q4.yml"
    q4.write_text(Q4_READY)
    stale = json.loads((project / "results/records/2025-Q3.json").read_text())
    stale.update(period="2025-Q4", published="2026-01-09")
    (project / "results/records/2025-Q4.json").write_text(records.canonical(stale))
    before = q4.read_bytes()
    with pytest.raises(DataError, match="the published result of 'email-reply' in 2025-Q4"):
        publish(project, "2025-Q4", dt.date(2026, 1, 9))
    assert q4.read_bytes() == before


# --- validation against records ------------------------------------------------------------------


def test_a_target_changed_without_a_revision_is_reported_at_the_commitment(project: Path) -> None:
    edit(project / "commitments.yml", "      target: 90\n", "      target: 87\n")  # loosened
    assert said(project) == [
        f"commitments.yml:{at(project, 'commitments.yml', 'target: 87', 8)}: error: the target of "
        "'satisfaction' changed from 90 to 87 for published periods 2025-Q2 (Missed → Met), "
        "2025-Q3; to change the promise from a day on, add to 'satisfaction' a `revisions` entry "
        "dated that day, after 2025-09-30 (the end of 2025-Q3), with the reason and `previous: "
        "{target: 90}`; if what was published was wrong, add to 2025-Q2, 2025-Q3 a correction "
        "naming 'satisfaction'"]
    # Dated after the last published period, the new target leaves published editions alone.
    edit(project / "commitments.yml", "    review: {every: year, last: 2025-04-01}\n",
         "    review: {every: year, last: 2025-04-01}\n    revisions:\n      - date: 2025-10-01\n"
         "        reason: Our new survey asks a harder question.\n"
         "        previous: {target: 90}\n")
    assert said(project) == []


def test_a_tightened_target_names_every_period_it_re_judges(project: Path) -> None:
    edit(project / "commitments.yml", "      target: 4\n", "      target: 5\n")
    edit(project / "commitments.yml", "          target: 8\n", "          target: 6\n")
    [problem] = [p for p in said(project) if ": error: " in p]
    assert problem == (
        f"commitments.yml:{at(project, 'commitments.yml', 'target: 6', 8)}: error: the revision of "
        "'email-reply' dated 2025-10-01 now gives the target before it as 6, but published "
        "periods 2025-Q2 (Met → Missed), 2025-Q3 stated 8; put back `target: 8` under its "
        "`previous`; if what was published was wrong, add to 2025-Q2, 2025-Q3 a correction "
        "naming 'email-reply'")


def test_a_title_changed_without_a_revision(project: Path) -> None:
    edit(project / "commitments.yml", "title: We call you back the same day",
         "title: We call you back within the day")
    assert said(project) == [
        f"commitments.yml:{at(project, 'commitments.yml', 'We call you back within')}: error: the "
        "title of 'callback' changed from 'We call you back the same day' to 'We call you back "
        "within the day' for published periods 2025-Q2, 2025-Q3; to change the promise from a "
        "day on, add to 'callback' a `revisions` entry dated that day, after 2025-09-30 (the end "
        "of 2025-Q3), with the reason and `previous: {title: \"We call you back the same day\"}`;"
        " if what was published was wrong, add to 2025-Q2, 2025-Q3 a correction naming "
        "'callback'"]


def test_published_words_change_only_with_a_correction_naming_them(project: Path) -> None:
    q2 = project / "results/2025-Q2.yml"
    edit(q2, "summary: Our first quarter with published results.",
         "summary: Our first quarter with public results.")
    edit(q2, "  - Replies got faster every month.", "  - Replies got much faster every month.")
    edit(q2, "    we_did: We staff the inbox on Saturday mornings.",
         "    we_did: We staff the inbox on Saturdays.")
    rel = "results/2025-Q2.yml"
    assert said(project) == [
        f"{rel}:{at(project, rel, 'Our first')}: error: the published summary of 2025-Q2 changed "
        "from 'Our first quarter with published results.' to 'Our first quarter with public "
        "results.'; "
        + correct("2025-Q2", "'summary'"),
        f"{rel}:{at(project, rel, 'Replies got much')}: error: the published highlights of "
        "2025-Q2 changed: highlight 1 changed from 'Replies got faster every month.' to "
        "'Replies got much faster every month.'; " + correct("2025-Q2", "'highlights'"),
        f"{rel}:{at(project, rel, 'We staff the inbox on Saturdays.')}: error: the published “we "
        "did” of improvement 'weekend-email' in 2025-Q2 changed from 'We staff the inbox on "
        "Saturday mornings.' to 'We staff the inbox on Saturdays.'; " + correct("2025-Q2", "'weekend-email'"),
    ]
    q2.write_text(q2.read_text() + "corrections:\n  - date: 2025-08-01\n    note: Reworded.\n"
                  "    changes: [summary, highlights, weekend-email]\n")
    assert said(project) == []


def test_a_published_figure_changes_only_with_a_correction_naming_it(project: Path) -> None:
    q3 = project / Q3
    edit(q3, "email-reply: {value: 5.0, sample: 1300}", "email-reply: {value: 9.0, sample: 1300}")
    refused = [f"{Q3}:{at(project, Q3, '9.0')}: error: the published result of 'email-reply' in "
               f"2025-Q3 changed from 5.0 to 9.0 (Met → Missed); "
               + correct("2025-Q3", "'email-reply'")]
    assert errors(project) == refused
    # The fixture's correction names no change; an internal one is not read by customers.
    q3.write_text(q3.read_text() + "  - date: 2025-11-02\n    note: Fixed.\n"
                  "    visibility: internal\n    changes: [email-reply]\n")
    assert errors(project) == [refused[0].split("; ")[0] + "; the correction of 2025-11-02 that "
                               "names 'email-reply' is internal, and customers cannot read it: "
                               "make it public (remove `visibility: internal`)"]
    q3.write_text(q3.read_text() + "  - date: 2025-11-03\n    note: Replies took 9 hours.\n"
                  "    changes: [email-reply]\n")
    assert errors(project) == []


def test_what_a_correction_names_must_exist(project: Path) -> None:
    q3 = project / Q3
    q3.write_text(q3.read_text() + "  - date: 2025-11-03\n    note: Oops.\n"
                  "    changes: [email-replies, email-reply@east, satisfaction]\n")
    assert said(project) == [
        f"{Q3}:{at(project, Q3, 'email-replies')}: error: correction names 'email-replies', which "
        "is not a commitment, commitment@location, summary, highlights or an improvement of "
        "2025-Q3; did you mean 'email-reply'?",
        f"{Q3}:{at(project, Q3, 'email-reply@east')}: error: correction names 'email-reply@east', "
        "but 'email-reply' has no location 'east'; did you mean 'email-reply@south'?",
        f"{Q3}:{at(project, Q3, 'satisfaction]')}: warning: correction names 'satisfaction', "
        "which is as 2025-Q3 published it (results/records/2025-Q3.json); remove the name, or "
        "make the change it announces",
    ]


def test_a_published_period_without_a_record_is_a_warning(tmp_path: Path) -> None:
    root = write_project(tmp_path / "d", records=False)
    warning = (f"{Q3}:{at(root, Q3, '2025-10-07')}: warning: published period 2025-Q3 has no "
               "record (results/records/2025-Q3.json); run `kept record 2025-Q3` and commit the "
               "file: it keeps what this edition said, so that it never changes silently")
    assert warning in said(root)
    assert warning.replace(": warning: ", ": error: ") in said(root, strict=True)


def test_publication_dates_are_after_the_period_and_not_in_the_future(project: Path) -> None:
    edit(project / Q3, "published: 2025-10-07", "published: 2025-09-15")
    later = dt.date.today() + dt.timedelta(days=3)
    q4 = project / "results/2025-Q4.yml"
    q4.write_text(q4.read_text().replace("period: 2025-Q4\n", f"period: 2025-Q4\npublished: {later}\n"))
    assert errors(project) == [
        f"{Q3}:{at(project, Q3, '2025-09-15')}: error: 'published' (2025-09-15) is before the "
        "period ends (2025-09-30); a period is published once it is over: on 2025-09-30 or later",
        f"results/2025-Q4.yml:2:12: error: 'published' ({later}) is in the future (today is "
        f"{dt.date.today()}); write the day it was published; `kept publish` writes today's date",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ('{"format": 1,\n  "period": "2025-Q3"\n  "x": 1}', "3:3: error: the record is not valid JSON: "
     "Expecting ',' delimiter"),
    ("[1, 2]", "1:1: error: the record must be a mapping"),
    ("RECORD", "1:1: error: the record lacks the key 'summary'"),
    ('{"format": 1, "format": 1}', "1:1: error: the record is not valid: the key 'format' "
     "appears twice in one object"),
])
def test_a_malformed_record_is_located(project: Path, text: str, message: str) -> None:
    path = project / "results/records/2025-Q3.json"
    if text == "RECORD":
        data = json.loads(path.read_text())
        del data["summary"]
        text = records.canonical(data)
    path.write_text(text)
    problems = [p for p in said(project) if p.startswith("results/records/")]
    assert len(problems) == 1 and problems[0].startswith(f"results/records/2025-Q3.json:{message}")
    result = run_kept("validate", "--root", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout


MANY = '"many"'


def test_a_wrong_value_in_a_record_is_located_at_it(project: Path) -> None:
    path = project / "results/records/2025-Q3.json"
    data = json.loads(path.read_text())
    data["commitments"]["email-reply"]["sample"] = "many"
    path.write_text(records.canonical(data))
    rel = "results/records/2025-Q3.json"
    assert [p for p in said(project) if p.startswith("results/records/")] == [
        f"{rel}:{at(project, rel, MANY)}: error: commitments.email-reply.sample must be a "
        "whole number; a record is written by `kept publish` or `kept record`; restore "
        f"{rel} from git (git checkout -- FILE)"]


def test_records_of_periods_that_are_not_published(project: Path) -> None:
    records_dir = project / "results/records"
    (records_dir / "2025-Q3.json").rename(records_dir / "2025-Q4.json")
    data = json.loads((records_dir / "2025-Q4.json").read_text())
    data["period"] = "2025-Q4"
    (records_dir / "2025-Q4.json").write_text(records.canonical(data))
    (records_dir / "2024-Q1.json").write_text(records.canonical({**data, "period": "2024-Q1"}))
    (records_dir / "notes.txt").write_text("hello")
    errors = [p for p in said(project) if ": error: " in p]
    assert errors == [
        "results/2025-Q4.yml:1:9: error: 2025-Q4 has a record (results/records/2025-Q4.json), so "
        "it was published, and it is not now; put back its `published:` date: a published "
        "edition stays readable",
        "results/records/2024-Q1.json:1:1: error: record of 2024-Q1, but there is no "
        "results/2024-Q1.yml; a record belongs to a published period: restore "
        "results/2024-Q1.yml, or remove this record if the period never was published",
        "results/records/notes.txt:1:1: error: 'notes.txt' is not a record; results/records/ "
        "holds only records named PERIOD.json, written by `kept publish` and `kept record`: move "
        "it away",
    ]


# --- corrections shown with what they changed ----------------------------------------------------


def corrected(project: Path) -> Path:
    q3 = project / Q3
    edit(q3, "email-reply: {value: 5.0, sample: 1300}", "email-reply: {value: 5.5, sample: 1300}")
    q3.write_text(q3.read_text() + "  - date: 2025-11-03\n    note: Replies *took* 5.5 hours.\n"
                  "    changes: [email-reply]\n")
    return project


def test_an_edition_shows_each_correction_with_the_old_and_new_value(project: Path) -> None:
    data = check(corrected(project)).dataset
    assert data is not None
    [edition, _] = editions(projected(data, "public"), "public")
    rendered = render_edition(edition)
    report = rendered.expanded("reports/2025-Q3.md")
    shown = ("<li>We reply to every email within 8 hours: result: published as <del>5 hours</del>"
             ", now <ins>5.5 hours</ins></li>")
    assert shown in report
    page = rendered.expanded("commitments/email-reply.md")
    assert "<strong>Corrected 3 November 2025</strong>" in page and shown in page
    assert '<a href="../../reports/2025-Q3/#corrections">(corrected)</a>' in page
    feed = rendered.assets["feed.xml"]
    assert "<title>Correction to the report for July to September 2025</title>" in feed
    assert ("We reply to every email within 8 hours: result: published as 5 hours, now 5.5 hours."
            in feed)
    assert "Correction to the report" in rendered.assets["commitments/email-reply/feed.xml"]
    opendata = json.loads(rendered.assets["api/commitments.json"])
    [q3] = [p for p in opendata["periods"] if p["id"] == "2025-Q3"]
    assert q3["corrections"][-1]["amended"] == [{
        "subject": "email-reply", "field": "value", "commitment": "email-reply",
        "location": None, "improvement": None, "published": 5.0, "now": 5.5}]


@pytest.mark.slow
def test_the_built_site_shows_corrections(tmp_path: Path) -> None:
    root = corrected(write_project(tmp_path / "d"))
    build_site(root, tmp_path / "site", audiences=("public",), jobs=1)
    page = (tmp_path / "site/public/latest/reports/2025-Q3/index.html").read_text()
    assert 'id="corrections"' in page
    assert "published as <del>5 hours</del>, now <ins>5.5 hours</ins>" in page


# --- kept diff --------------------------------------------------------------------------------


def test_kept_diff_tells_the_reviewer_everything(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    q3, q4 = root / Q3, root / "results/2025-Q4.yml"
    edit(q3, "email-reply: {value: 5.0, sample: 1300}",
         "email-reply:\n    value: 5.0\n    sample: 1300\n    locations: {north: {value: 4.5, sample: 900}}")
    edit(q3, "callback: {value: 93, explanation: Summer holidays.}",
         "callback: {value: 93, explanation: Summer holidays and a heatwave.}")
    q3.write_text(q3.read_text() + "  - date: 2025-11-03\n    note: Added the north figure.\n"
                  "    changes: [email-reply@north, callback]\n")
    edit(q4, "satisfaction: {value: null, explanation: The survey closes in January.}",
         "satisfaction: {value: 95}")
    edit(root / "commitments.yml", "      target: 4\n", "      target: 3\n")
    edit(root / "commitments.yml", "    revisions:\n", "    revisions:\n      - date: 2025-11-01\n"
         "        reason: Faster.\n        previous: {target: 4}\n")
    edit(q4, "email-reply: {value: 3.5, sample: 900}", "email-reply: {value: 3.5, sample: 900}")
    summary = summary_against(root)
    assert "### Statuses that change\n\n- **2025-Q4** (draft, not on the public site yet) We reply " \
           "to every email within 4 hours (`email-reply`): Met → **Missed**\n" in summary
    assert ("- **2025-Q3**\n  - We reply to every email within 4 hours (`email-reply`): figures "
            "by location\n    - at North office: 4.5 hours (new)\n") in summary
    assert ("### What else changes in published periods\n\n- **2025-Q3** callback explanation: "
            "“Summer holidays.” → “Summer holidays and a heatwave.”\n") in summary
    assert ("### Corrections added\n\n- 2025-Q3, 3 November 2025, changes `email-reply@north`, "
            "`callback`: Added the north figure.\n") in summary
    assert "(was Not measured)" in summary  # the draft's satisfaction, now met
    # A newly published period brings its record.
    q4.write_text(q4.read_text().replace("period: 2025-Q4\n", "period: 2025-Q4\npublished: 2026-01-09\n"))
    q4.write_text(q4.read_text().replace("satisfaction: {value: 95}",
                                         "satisfaction: {value: 95}\n  secret-queue: {value: 0}"))
    record(root)
    assert "### Records added\n\n- 2025-Q4 (`results/records/2025-Q4.json`)\n" in summary_against(root)


def test_base_refuses_a_changed_or_removed_record(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    path = root / "results/records/2025-Q3.json"
    data = json.loads(path.read_text())
    data["summary"] = "Rewritten."
    path.write_text(records.canonical(data))
    (root / "results/records/2025-Q2.json").unlink()
    result = run_kept("validate", "--base", "HEAD", "--root", str(root))
    assert result.returncode == 1
    assert ("results/records/2025-Q2.json:1:1: error: the record of 2025-Q2 was removed; restore "
            "results/records/2025-Q2.json (git checkout -- results/records/2025-Q2.json): it "
            "keeps what the published edition said") in result.stdout
    assert "results/records/2025-Q3.json:" in result.stdout
    assert "error: the record of 2025-Q3 was changed; a record never changes" in result.stdout
    commit_all(root)  # merged by mistake: validation still sees the data and record disagree
    assert run_kept("validate", "--root", str(root)).returncode == 1


def test_records_in_the_example_and_the_starter() -> None:
    repo = Path(__file__).resolve().parent.parent
    for root in (repo, repo / "generator" / "starter"):
        report = check(root, strict=True)
        assert report.problems == [], root
        assert report.dataset is not None
        published = {p.id for p in report.dataset.periods if p.published}
        assert set(report.dataset.records) == published


def test_the_example_shows_its_correction() -> None:
    repo = Path(__file__).resolve().parent.parent
    data = check(repo).dataset
    assert data is not None
    [q4] = [p for p in data.periods if p.id == "2025-Q4"]
    amended = {(a.field, a.old, a.new) for c in q4.corrections for a in c.amended}
    assert ("value", 87.4, 89.1) in amended


# --- found by attacking the records -------------------------------------------------------------


def legacy(tmp_path: Path) -> Path:
    """A repository whose 2025-Q2 was published before Kept kept records."""
    root = make_repo(tmp_path / "repo")
    (root / "results/records/2025-Q2.json").unlink()
    commit_all(root)
    return root


def test_base_errors_are_said_where_a_warning_stands(tmp_path: Path) -> None:
    root = legacy(tmp_path)
    edit(root / "results/2025-Q2.yml", "    value: 6.5\n", "    value: null\n")
    result = run_kept("validate", "--base", "HEAD", "--root", str(root))
    assert result.returncode == 1
    assert "error: the published result of 'email-reply' in 2025-Q2 changed from 6.5 to " \
           "nothing (null)" in result.stdout


def test_base_keeps_published_corrections_as_they_were(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    edit(root / Q3, "note: The satisfaction figure was 91, not 89.",
         "note: The satisfaction figure was 50, not 89.")
    result = run_kept("validate", "--base", "HEAD", "--root", str(root))
    assert result.returncode == 1
    assert (f"{Q3}:{at(root, Q3, 'corrections:')}: error: the correction of 2025-Q3 dated "
            "2025-10-20 was changed or removed (“The satisfaction figure was 91, not 89.”); a "
            "correction stays as it was published: put it back as it was; to correct it, add a "
            "new correction") in result.stdout
    assert "### Corrections changed or removed\n\n- 2025-Q3, 20 October 2025: The satisfaction " \
           "figure was 91, not 89." in summary_against(root)


def test_base_refuses_a_published_improvement_moved_to_another_period(tmp_path: Path) -> None:
    root = legacy(tmp_path)
    q2, q4 = root / "results/2025-Q2.yml", root / "results/2025-Q4.yml"
    text = q2.read_text()
    moved = text[text.index("  - id: weekend-email"):]
    q2.write_text(text[:text.index("improvements:")])
    q4.write_text(q4.read_text() + "improvements:\n" + moved.replace("2025-05-10", "2025-11-10"))
    result = run_kept("validate", "--base", "HEAD", "--root", str(root))
    assert result.returncode == 1
    assert "error: published improvement 'weekend-email' moved from 2025-Q2 to 2025-Q4, which " \
           "takes its page out of the editions of 2025-Q2" in result.stdout


def test_what_is_measured_is_a_published_fact_revised_like_a_target(project: Path) -> None:
    commitments = project / "commitments.yml"
    edit(commitments, "      name: Satisfaction\n", "      name: Happy customers\n")
    assert errors(project) == [
        f"commitments.yml:{at(project, 'commitments.yml', 'Happy customers')}: error: the "
        "measure of 'satisfaction' changed from 'Satisfaction' to 'Happy customers' for "
        "published periods 2025-Q2, 2025-Q3; to change the promise from a day on, add to "
        "'satisfaction' a `revisions` entry dated that day, after 2025-09-30 (the end of "
        "2025-Q3), with the reason and `previous: {name: \"Satisfaction\"}`; if what was "
        "published was wrong, add to 2025-Q2, 2025-Q3 a correction naming 'satisfaction'"]
    edit(commitments, "    review: {every: year, last: 2025-04-01}\n",
         "    review: {every: year, last: 2025-04-01}\n    revisions:\n"
         "      - {date: 2025-10-01, reason: A new survey., previous: {name: Satisfaction}}\n")
    assert errors(project) == []
    edit(commitments, "    since: 2025-04-01\n    review: {every: year",
         "    since: 2025-03-01\n    review: {every: year")
    assert "error: the since of 'satisfaction' changed from '2025-04-01' to '2025-03-01'" \
           in errors(project)[0]


def test_a_revision_dated_too_early_is_named(project: Path) -> None:
    edit(project / "commitments.yml", "      - date: 2025-10-01\n        reason: We hired",
         "      - date: 2025-09-30\n        reason: We hired")
    where = f"commitments.yml:{at(project, 'commitments.yml', '- date: 2025-09-30', 8)}"
    advice = ("a revision takes effect on the day the change did: date it after 2025-09-30 (the "
              "end of 2025-Q3); if what was published was wrong, add to 2025-Q3 a correction "
              "naming 'email-reply'")
    assert sorted(errors(project)) == [
        f"{where}: error: the revision of 'email-reply' dated 2025-09-30 changes the target from "
        f"8 to 4 for published period 2025-Q3 (Met → Missed); {advice}",
        f"{where}: error: the revision of 'email-reply' dated 2025-09-30 changes the title from "
        "'We reply to every email within 8 hours' to 'We reply to every email within 4 hours' "
        f"for published period 2025-Q3; {advice}"]


def test_figures_the_public_site_stops_showing_are_said_where_the_reason_is(project: Path) -> None:
    edit(project / "commitments.yml", "  min_sample: 30\n", "  min_sample: 800\n")
    assert errors(project) == [
        f"commitments.yml:{at(project, 'commitments.yml', '800')}: error: the published figure "
        "at 'north' of 'email-reply' in 2025-Q2 (6.0 (700 cases)) is gone from the public site: "
        "min_sample (800) is now above its sample (700); put min_sample back; or correct "
        "2025-Q2 with a correction naming 'email-reply@north'"]
    edit(project / "commitments.yml", "  min_sample: 800\n", "  min_sample: 30\n")
    edit(project / "commitments.yml", "    name: North office\n",
         "    name: North office\n    visibility: internal\n")
    assert errors(project)[0].endswith(
        "is gone from the public site: location 'north' is now internal; keep it public; or "
        "correct 2025-Q2 with a correction naming 'email-reply@north'")


def test_the_same_words_written_another_way_are_the_same_fact(project: Path) -> None:
    edit(project / "commitments.yml", "    promise: If you ask for a call back, you get it the same day.\n",
         "    promise: >\n      If you ask for a call back,\n      you get it the same day.\n")
    assert errors(project) == []


def test_public_open_data_names_no_internal_ids(project: Path) -> None:
    q3 = project / Q3
    edit(q3, "{value: 5.0, sample: 1300}", "{value: 5.5, sample: 1300}")
    q3.write_text(q3.read_text() + "  - date: 2025-11-03\n    note: Replies took 5.5 hours.\n"
                  "    changes: [email-reply, email-reply@pilot, secret-queue, hidden-tooling]\n")
    data = check(project).dataset
    assert data is not None
    public = projected(data, "public")
    [correction] = [c for p in public.periods for c in p.corrections if c.changes]
    assert correction.changes == ("email-reply",)


def test_a_record_with_text_that_is_not_unicode(project: Path) -> None:
    path = project / "results/records/2025-Q3.json"
    path.write_text(path.read_text().replace('"summary": null', '"summary": "bad \\ud800 text"'))
    result = run_kept("validate", "--root", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert "summary holds a character that is not Unicode text (a lone surrogate)" in result.stdout


def test_record_keys_are_ids(project: Path) -> None:
    path = project / "results/records/2025-Q2.json"
    data = json.loads(path.read_text())
    data["commitments"]["email-reply"]["locations"]["no\n::error::x"] = {"value": 1, "sample": None}
    path.write_text(records.canonical(data))
    [problem] = [p for p in said(project) if p.startswith("results/records/")]
    assert "is not an id" in problem and "\n" not in problem


def test_dates_of_corrections_and_revisions(project: Path) -> None:
    later = dt.date.today() + dt.timedelta(days=2)
    (project / Q3).write_text((project / Q3).read_text().replace("date: 2025-10-20", f"date: {later}"))
    edit(project / "commitments.yml", "    retired: 2025-09-30\n",
         "    retired: 2025-09-30\n    revisions:\n"
         "      - {date: 2025-10-05, reason: Late., previous: {target: 90}}\n")
    assert [p for p in errors(project) if "correction dated" in p or "revision date" in p] == [
        f"commitments.yml:{at(project, 'commitments.yml', '2025-10-05')}: error: revision date "
        "2025-10-05 is after 'retired' (2025-09-30); a retired promise no longer changes: remove "
        "the revision, or retire the commitment later",
        f"{Q3}:{at(project, Q3, str(later))}: error: correction dated {later}, in the future "
        f"(today is {dt.date.today()}); write the day it was made"]


def test_a_correction_quotes_what_readers_saw(project: Path) -> None:
    q2 = project / "results/2025-Q2.yml"
    edit(q2, "  - Replies got faster every month.", "  - Replies got <b>slower</b> every month.")
    q2.write_text(q2.read_text() + "corrections:\n  - date: 2025-08-01\n    note: Oops.\n"
                  "    changes: [highlights]\n")
    data = check(project).dataset
    assert data is not None
    edition = editions(projected(data, "public"), "public")[-1]  # 2025-Q2's, where its report is
    report = render_edition(edition).expanded("reports/2025-Q2.md")
    assert ("What went well: published as <del>Replies got faster every month.</del>, now "
            "<ins>Replies got &lt;b&gt;slower&lt;/b&gt; every month.</ins>") in report


def test_kept_diff_names_what_a_revision_changes_in_published_periods(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    edit(root / "commitments.yml", "          title: We reply to every email within 8 hours\n",
         "          title: We reply to every email within 8 days\n")
    summary = summary_against(root)
    assert ("- **2025-Q2** email-reply title: “We reply to every email within 8 hours” → “We "
            "reply to every email within 8 days”") in summary
    path = root / "results/records/2025-Q3.json"
    path.write_text(path.read_text().replace('"summary": null', '"summary": "@acme/board"'))
    assert "### Records changed or removed\n\n- 2025-Q3 (`results/records/2025-Q3.json`): " \
           "**changed**" in summary_against(root)


def test_a_large_synthetic_history_is_valid(tmp_path: Path) -> None:
    from generator.synthetic import Size, generate

    root = generate(tmp_path / "s", Size(commitments=4, locations=2, periods=40, monthly=True))
    assert check(root).errors == []


def test_only_the_periods_with_a_record_have_their_facts_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long history's facts are every figure of every month: those of a period without a
    record are compared with nothing, and not made."""
    import generator.published

    root = write_project(tmp_path / "data")
    (root / "results" / "records" / "2025-Q3.json").unlink()
    made: list[str] = []
    making = records.period_facts

    def counted(data: object, period: object) -> object:
        made.append(period.id)  # type: ignore[attr-defined]
        return making(data, period)  # type: ignore[arg-type]

    monkeypatch.setattr(records, "period_facts", counted)
    monkeypatch.setattr(generator.published, "period_facts", counted, raising=False)
    report = check(root)
    assert [p.format() for p in report.problems] == [
        "results/2025-Q3.yml:2:12: warning: published period 2025-Q3 has no record "
        "(results/records/2025-Q3.json); run `kept record 2025-Q3` and commit the file: it keeps "
        "what this edition said, so that it never changes silently"]
    assert made == ["2025-Q2"]


def test_a_record_out_of_shape_is_reported_at_its_place(tmp_path: Path) -> None:
    """Deep in a record (a figure's key, an improvement's id), where and what."""
    root = write_project(tmp_path / "data")
    q2 = root / "results/records/2025-Q2.json"
    data = json.loads(q2.read_text())
    data["commitments"]["email-reply"]["locations"]["north"]["valeu"] = 1
    q2.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    q3 = root / "results/records/2025-Q3.json"
    data = json.loads(q3.read_text())
    data["improvements"]["Not An Id"] = data["improvements"].pop("status-page")
    q3.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    hint = ("a record is written by `kept publish` or `kept record`; restore {} from git "
            "(git checkout -- FILE)")
    assert [p.format() for p in check(root).problems if p.severity == "error"] == [
        "results/records/2025-Q2.json:32:20: error: commitments.email-reply.locations.north.valeu "
        "unknown key 'valeu'; " + hint.format("results/records/2025-Q2.json"),
        "results/records/2025-Q3.json:67:18: error: improvements.Not An Id is not an id; "
        + hint.format("results/records/2025-Q3.json")]


def test_a_record_that_reads_as_todays_facts_is_not_walked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records hold every figure of every month: one that equals today's facts has no
    difference to look for, figure by figure; one that does not is compared as before."""
    import generator.published

    walked: list[str] = []
    walking = generator.published.differences

    def counted(old: Any, new: Any, keys: tuple[str, ...] = ()) -> Any:
        walked.append(new["period"])
        return walking(old, new, keys)

    monkeypatch.setattr(generator.published, "differences", counted)
    root = write_project(tmp_path / "data")
    assert [p for p in check(root).problems if p.severity == "error"] == [] and walked == []
    (root / "results/2025-Q2.yml").write_text(
        (root / "results/2025-Q2.yml").read_text().replace("value: 6.5", "value: 6.25"))
    assert [p.message for p in check(root).problems if p.severity == "error"] == [
        "the published result of 'email-reply' in 2025-Q2 changed from 6.5 to 6.25"]
    assert walked == ["2025-Q2"]


def test_a_record_found_sound_is_not_checked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build reads every record, every time: one an earlier build found sound, with the
    same bytes and the same Kept, is read without its checks; a changed one is checked."""
    import generator.parsecache
    from generator.parsecache import ParseCache

    root = write_project(tmp_path / "data")
    checked: list[str] = []
    checking = records._shape

    def counted(value: Any, spec: Any) -> Any:
        if spec is records._RECORD:
            checked.append(value["period"])
        return checking(value, spec)

    monkeypatch.setattr(records, "_shape", counted)
    cache = ParseCache()
    fresh = check(root, cache=cache).problems
    assert sorted(checked) == ["2025-Q2", "2025-Q3"]
    cache.write(tmp_path / "parsed")
    checked.clear()
    assert check(root, cache=ParseCache.read(tmp_path / "parsed")).problems == fresh
    assert checked == []
    q3 = root / "results/records/2025-Q3.json"
    q3.write_text(q3.read_text().replace('"Summer holidays."', '"Summer holidays!"'))
    changed = check(root, cache=ParseCache.read(tmp_path / "parsed")).problems
    assert checked == ["2025-Q3"] and changed == check(root).problems != fresh
    checked.clear()
    monkeypatch.setattr(generator.parsecache, "_code", lambda: "another Kept")
    assert check(root, cache=ParseCache.read(tmp_path / "parsed")).problems == changed
    assert sorted(checked) == ["2025-Q2", "2025-Q3"]
