"""`kept diff` and `kept validate --base`: comparing the working tree with a git ref."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diff import NO_CHANGES, summary_against
from generator.errors import KeptError, Problem
from generator.guard import check_against_base
from generator.history import InvalidBase, dataset_at, default_base
from tests.gitrepo import commit_all, edit, git, make_repo
from tests.helpers import COMMITMENTS, write_project

# The retired commitment's entry, as the fixture writes it.
CALLBACK = COMMITMENTS[COMMITMENTS.index("  - id: callback\n"):COMMITMENTS.index("  - id: secret-queue\n")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The test project, committed as the first commit of a git repository at its top."""
    return make_repo(tmp_path / "repo")


def problems(root: Path, ref: str = "HEAD") -> list[str]:
    return [p.format() for p in check_against_base(root, ref)]


# --- history -----------------------------------------------------------------------------------


def test_dataset_at_reads_the_ref_not_the_working_tree(root: Path) -> None:
    first = git(root, "rev-parse", "HEAD")
    edit(root / "commitments.yml", "      target: 4\n", "      target: 3\n")
    commit_all(root)
    (root / "results" / "2025-Q4.yml").unlink()
    targets = {c.id: c.metric.target for c in dataset_at(root, first).commitments}
    assert targets["email-reply"] == 4
    head = dataset_at(root, "HEAD")
    assert {c.id: c.metric.target for c in head.commitments}["email-reply"] == 3
    assert [p.id for p in head.periods] == ["2025-Q2", "2025-Q3", "2025-Q4"]


def test_data_in_a_folder_of_a_larger_repository(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", data="promises")
    (tmp_path / "repo" / "commitments.yml").write_text("not: kept data\n")  # outside the data
    assert [p.id for p in dataset_at(root, "HEAD").periods] == ["2025-Q2", "2025-Q3", "2025-Q4"]
    assert summary_against(root) == NO_CHANGES + "\n"


def test_default_base_prefers_origin_main(root: Path) -> None:
    assert default_base(root) == "HEAD"
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    assert default_base(root) == "origin/main"


@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~5", "--output=x", ""])
def test_unknown_ref(root: Path, ref: str) -> None:
    with pytest.raises(KeptError, match=f"^unknown git ref '{ref}'"):
        check_against_base(root, ref)


def test_not_a_git_repository(tmp_path: Path) -> None:
    root = write_project(tmp_path / "plain")
    with pytest.raises(KeptError, match="is not in a git repository"):
        dataset_at(root, "HEAD")


def test_invalid_data_at_the_base(root: Path) -> None:
    edit(root / "commitments.yml", "  period: quarter\n", "  period: fortnight\n")
    commit_all(root)
    with pytest.raises(InvalidBase, match=r"the data at 'HEAD' is not valid") as caught:
        dataset_at(root, "HEAD")
    assert caught.value.problems[0].path == "commitments.yml"
    assert "\n  commitments.yml:4:11: error: " in str(caught.value)


# --- kept validate --base ----------------------------------------------------------------------


def correct(period: str, names: str) -> str:
    return (f"to correct what {period} said, add to results/{period}.yml a `corrections` entry "
            f"whose `changes` names {names}, saying what changed and why")


def test_silent_change_to_a_published_figure_is_refused(root: Path) -> None:
    q3 = root / "results" / "2025-Q3.yml"
    edit(q3, "email-reply: {value: 5.0, sample: 1300}", "email-reply: {value: 5.5, sample: 1300}")
    refused = [Problem("results/2025-Q3.yml", 4, 24,
                       "the published result of 'email-reply' in 2025-Q3 changed from 5.0 to 5.5",
                       correct("2025-Q3", "'email-reply'"))]
    assert check_against_base(root, "HEAD") == refused
    # Customers cannot read an internal correction; a correction of something else, or one
    # without `changes`, does not excuse this change.
    q3.write_text(q3.read_text() + "  - date: 2025-11-02\n    note: Fixed.\n    visibility: internal\n"
                  "    changes: [email-reply]\n"
                  "  - date: 2025-11-03\n    note: Satisfaction was 91.\n    changes: [satisfaction]\n"
                  "  - date: 2025-11-03\n    note: Replies took 5.5 hours.\n")
    assert check_against_base(root, "HEAD") == [Problem(
        "results/2025-Q3.yml", 4, 24,
        "the published result of 'email-reply' in 2025-Q3 changed from 5.0 to 5.5",
        "the correction of 2025-11-02 that names 'email-reply' is internal, and customers "
        "cannot read it: make it public (remove `visibility: internal`)")]
    q3.write_text(q3.read_text() + "  - date: 2025-11-04\n    note: Replies took 5.5 hours.\n"
                  "    changes: [email-reply]\n")
    assert check_against_base(root, "HEAD") == []


def test_a_correction_already_merged_does_not_cover_a_new_change(root: Path) -> None:
    q3 = root / "results" / "2025-Q3.yml"
    edit(q3, "{value: 5.0, sample: 1300}", "{value: 5.5, sample: 1300}")
    q3.write_text(q3.read_text() + "  - date: 2025-11-04\n    note: Replies took 5.5 hours.\n"
                  "    changes: [email-reply]\n")
    commit_all(root)
    edit(q3, "{value: 5.5, sample: 1300}", "{value: 6.5, sample: 1300}")
    assert problems(root) == [
        "results/2025-Q3.yml:4:24: error: the published result of 'email-reply' in 2025-Q3 "
        "changed from 5.5 to 6.5; a correction of 2025-Q3 names 'email-reply' already, but it "
        "was there before this change: add to results/2025-Q3.yml a new `corrections` entry for "
        "this change, naming 'email-reply' in its `changes`"]


def test_location_figures_and_samples_are_published_numbers(root: Path) -> None:
    q2 = root / "results" / "2025-Q2.yml"
    edit(q2, "north: {value: 6.0, sample: 700}", "north: {value: 6.2, sample: 700}")
    edit(q2, "    sample: 1200\n", "    sample: 1250\n")
    # South's figure was measured on too few cases to be published: the team may change it.
    edit(q2, "      south: {value: 7.1, sample: 20}\n", "")
    assert problems(root) == [
        "results/2025-Q2.yml:7:13: error: the published sample of 'email-reply' in 2025-Q2 "
        "changed from 1200 to 1250; " + correct("2025-Q2", "'email-reply'"),
        "results/2025-Q2.yml:9:22: error: the published figure at 'north' of 'email-reply' in "
        "2025-Q2 changed from 6.0 to 6.2; "
        + correct("2025-Q2", "'email-reply@north' or 'email-reply'"),
    ]


def test_drafts_change_freely(root: Path) -> None:
    edit(root / "results" / "2025-Q4.yml", "{value: 3.5, sample: 900}", "{value: 3.2}")
    assert problems(root) == []


def test_published_period_stays(root: Path) -> None:
    edit(root / "results" / "2025-Q3.yml", "published: 2025-10-07\n", "")
    (root / "results" / "2025-Q2.yml").unlink()
    assert problems(root) == [
        "results/2025-Q2.yml:1:1: error: published improvement 'weekend-email' was removed; "
        "customer links to it must never break: put it back (to fix what it says, edit it and "
        "add a `corrections` entry)",
        "results/2025-Q2.yml:1:1: error: published period 2025-Q2 was removed; restore "
        "results/2025-Q2.yml: a published edition stays readable at its own URL; to change what "
        "it says, edit it and add a `corrections` entry",
        "results/2025-Q3.yml:1:1: error: period 2025-Q3 was published on 2025-10-07 and is no "
        "longer; put back 'published: 2025-10-07': a published edition stays readable at its "
        "own URL",
    ]


def test_removed_published_improvement_is_named(root: Path) -> None:
    q3 = root / "results" / "2025-Q3.yml"
    text = q3.read_text()
    start, end = text.index("  - id: status-page"), text.index("  - id: hidden-tooling")
    q3.write_text(text[:start] + text[end:])
    assert problems(root) == [
        "results/2025-Q3.yml:8:1: error: published improvement 'status-page' was removed; "
        "customer links to it must never break: put it back (to fix what it says, edit it and "
        "add a `corrections` entry)"]


def test_published_improvement_made_internal(root: Path) -> None:
    edit(root / "results" / "2025-Q2.yml", "    feedback: {source: survey, count: 140}\n",
         "    feedback: {source: survey, count: 140}\n    visibility: internal\n")
    assert problems(root) == [
        "results/2025-Q2.yml:24:17: error: published improvement 'weekend-email' is now "
        "internal, which takes its page off the public site; customer links to it must never "
        "break: keep it public"]


def test_removed_commitment_must_be_retired_instead(root: Path) -> None:
    edit(root / "commitments.yml", CALLBACK, "")
    edit(root / "results" / "2025-Q2.yml", "  callback: {value: 97}\n", "")
    edit(root / "results" / "2025-Q3.yml",
         "  callback: {value: 93, explanation: Summer holidays.}\n", "")
    assert problems(root) == [
        "commitments.yml:21:1: error: commitment 'callback' was removed; its page and every link "
        "to it must keep working: put it back and retire it instead (set `retired:` to its last "
        "day)",
    ]


def test_a_commitment_that_never_had_a_page_may_go(root: Path) -> None:
    future = CALLBACK.replace("callback", "video-call").replace(
        "    since: 2025-04-01\n    retired: 2025-09-30\n", "    since: 2030-01-01\n")
    edit(root / "commitments.yml", CALLBACK, CALLBACK + future)
    commit_all(root)
    edit(root / "commitments.yml", future, "")
    assert problems(root) == []


# --- kept diff ---------------------------------------------------------------------------------


def test_nothing_changed(root: Path) -> None:
    edit(root / "commitments.yml", "owner: Head of Support", "owner: Head of Service")
    assert summary_against(root) == NO_CHANGES + "\n"


def test_target_changes_are_tightened_or_loosened_by_direction(root: Path) -> None:
    commitments = root / "commitments.yml"
    edit(commitments, "      target: 4\n", "      target: 3\n")  # lower is better
    edit(commitments, "      target: 90\n", "      target: 85\n")  # higher is better
    edit(commitments, "    revisions:\n", "    revisions:\n      - date: 2026-01-01\n"
         "        reason: Our new *routing* sends email to the right team.\n"
         "        previous: {target: 4}\n")
    assert summary_against(root) == """\
### Changed commitments

- **We reply to every email within 4 hours** (`email-reply`)
  - Target: 4 hours or less → 3 hours or less (**tightened**)
  - Why, from 1 January 2026: Our new \\*routing\\* sends email to the right team.
- **Nine in ten customers are happy with our help** (`satisfaction`)
  - Target: 90% or more → 85% or more (**loosened**)

### Statuses that change

- **2025-Q2** Nine in ten customers are happy with our help (`satisfaction`): Missed → **Met**

### What else changes in published periods

- **2025-Q2** satisfaction target: 90 → 85
- **2025-Q3** satisfaction target: 90 → 85
"""


def test_new_improvement_results_publication_and_correction(root: Path) -> None:
    q4 = root / "results" / "2025-Q4.yml"
    edit(q4, "period: 2025-Q4\n", "period: 2025-Q4\npublished: 2026-01-12\n")
    q4.write_text(q4.read_text() + "improvements:\n"
                  "  - id: sunday-chat\n    date: 2025-11-05\n    title: Chat on <Sundays> too\n"
                  "    you_said: Weekends.\n    we_did: Sundays too.\n")
    edit(q4, "satisfaction: {value: null, explanation: The survey closes in January.}",
         "satisfaction: {value: 93}")
    q3 = root / "results" / "2025-Q3.yml"
    edit(q3, "{value: 5.0, sample: 1300}", "{value: 5.5, sample: 1300}")
    q3.write_text(q3.read_text() + "  - date: 2025-11-03\n    note: Replies took 5.5 hours.\n"
                  "    changes: [email-reply]\n")
    assert problems(root) == []
    assert summary_against(root) == """\
### New and changed results

- **2025-Q3**
  - We reply to every email within 4 hours (`email-reply`): 5.5 hours (was 5 hours; target 8 hours or less): **Met**
- **2025-Q4**
  - Nine in ten customers are happy with our help (`satisfaction`): 93% (target 90% or more): **Met** (was Not measured)

### You said, we did: new improvements

- Chat on &lt;Sundays> too (`sunday-chat`), 5 November 2025 (2025-Q4)

### Periods published

- 2025-Q4 (October to December 2025), published 12 January 2026

### Corrections added

- 2025-Q3, 3 November 2025, changes `email-reply`: Replies took 5.5 hours.
"""


def test_commitments_added_retired_and_removed(root: Path) -> None:
    commitments = root / "commitments.yml"
    edit(commitments, CALLBACK, CALLBACK.replace("id: callback", "id: call-back").replace(
        "title: We call you back the same day", "title: We call *you* back [today](x)"))
    for period in ("2025-Q2", "2025-Q3"):
        edit(root / "results" / f"{period}.yml", "  callback:", "  call-back:")
    edit(commitments, "    since: 2025-04-01\n    review: {every: year",
         "    since: 2025-04-01\n    retired: 2025-12-31\n    review: {every: year")
    assert summary_against(root).startswith("""\
### New commitments

- We call \\*you\\* back \\[today\\](x) (`call-back`), from 1 April 2025

### Retired commitments

- Nine in ten customers are happy with our help (`satisfaction`), last day 31 December 2025

### Removed commitments

- We call you back the same day (`callback`)

### New and changed results

- **2025-Q2**
  - We call \\*you\\* back \\[today\\](x) (`call-back`): 97% (target 95% or more): **Met**
""")
    assert "commitment 'callback' was removed" in problems(root)[0]


def test_diff_against_an_unknown_base(root: Path) -> None:
    with pytest.raises(KeptError, match="unknown git ref 'origin/nope'"):
        summary_against(root, "origin/nope")


def test_units_are_literal_in_the_comment(root: Path) -> None:
    """A unit is free text, like a title: in the comment it neither formats, links nor runs."""
    edit(root / "commitments.yml", "      unit: hours\n",
         "      unit: \"<img src=x onerror=alert(1)> [x](https://evil.example) **h**\"\n")
    edit(root / "results" / "2025-Q3.yml", "{value: 5.0, sample: 1300}", "{value: 5.5, sample: 1300}")
    unit = "&lt;img src=x onerror=alert(1)> \\[x\\](https\u2060://evil.example) \\*\\*h\\*\\*"
    assert summary_against(root) == f"""\
### Changed commitments

- **We reply to every email within 4 hours** (`email-reply`)
  - Target: 4 hours or less → 4 {unit} or less

### New and changed results

- **2025-Q3**
  - We reply to every email within 4 hours (`email-reply`): 5.5 {unit} (was 5 {unit}; target 8 {unit} or less): **Met**

### What else changes in published periods

- **2025-Q2** email-reply unit: “hours” → “{unit}”
- **2025-Q3** email-reply unit: “hours” → “{unit}”
"""


def test_github_markdown_in_the_comment_is_literal(root: Path) -> None:
    """GitHub's Markdown strikes through ~~text~~, sets $math$ and links addresses written out:
    the comment shows them as written, a word joiner after a scheme, 'www' or '@'."""
    edit(root / "commitments.yml", "    title: We reply to every email within 4 hours\n",
         "    title: \"~~free~~ $x$ https://evil.example www.evil.example bob@evil.example\"\n")
    assert summary_against(root).splitlines()[2] == (
        "- **\\~\\~free\\~\\~ \\$x\\$ https\u2060://evil.example www\u2060.evil.example "
        "bob@\u2060evil.example** (`email-reply`)")
