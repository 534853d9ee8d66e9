"""What real published reports need: fiscal years, thresholds, promises in words, announced
standards, survey context, scores, money, reports without explanations."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.compute import Status, status
from generator.edit import new_period, publish
from generator.errors import UsageError
from generator.project import editions, project
from generator.render import render_edition
from generator.validate import check
from generator.words import change_text, qty, target_text
from tests.helpers import COMMITMENTS, RESULTS, at, run_kept, write_project

HOUSING = Path(__file__).resolve().parent.parent / "docs" / "examples" / "housing"


def said(root: Path) -> list[str]:
    return [p.format() for p in check(root).problems]


def housing(tmp_path: Path) -> Path:
    root = tmp_path / "housing"
    shutil.copytree(HOUSING, root)
    return root


# --- fiscal years -------------------------------------------------------------------------------


def test_the_housing_example_is_valid_and_recorded() -> None:
    report = check(HOUSING, strict=True)
    assert report.problems == [] and report.dataset is not None
    labels = [p.label for p in report.dataset.periods]
    assert labels[2] == "2024/25 Q3, October to December 2024"
    assert labels[-1] == "2025/26 Q1, April to June 2025"


def test_a_fiscal_organisation_names_its_periods_as_its_reports_do(tmp_path: Path) -> None:
    root = housing(tmp_path)
    (root / "results" / "2024-Q4.yml").write_text("period: 2024-Q4\n")
    (root / "results" / "2024-26-Q1.yml").write_text("period: 2024-26-Q1\n")
    assert said(root) == [
        "results/2024-26-Q1.yml:1:9: error: '2024-26-Q1' is not a quarter of this organisation, "
        "which reports by quarter in years that start in April; name periods like 2026-27-Q2",
        "results/2024-Q4.yml:1:9: error: '2024-Q4' is not a quarter of this organisation, which "
        "reports by quarter in years that start in April; name periods like 2026-27-Q2",
    ]


def test_new_period_and_publish_in_a_fiscal_year(tmp_path: Path) -> None:
    root = housing(tmp_path)
    (root / "results" / "2025-26-Q1.yml").unlink()
    path = new_period(root, "2025-26-Q1")
    text = path.read_text()
    assert "# Results for 2025/26 Q1, April to June 2025: a draft until `kept publish 2025-26-Q1`." in text
    assert "  publish-contact-number:\n" in text and "    status: not-measured\n" in text
    assert "  damp-inspections:\n" in text  # it starts in April 2025
    with pytest.raises(UsageError, match="which are quarters such as 2026-27-Q2"):
        new_period(root, "2025-Q2")
    with pytest.raises(UsageError, match=r"before the period ends \(2025-06-30\)"):
        publish(root, "2025-26-Q1", dt.date(2025, 6, 1))


def test_yearly_periods(tmp_path: Path) -> None:
    commitments = COMMITMENTS.replace("  period: quarter\n", "  period: year\n  year_starts: 4\n")
    root = write_project(tmp_path / "d", commitments, {
        "2024-25": "period: 2024-25\npublished: 2025-04-10\nmeasurements:\n"
                   "  email-reply: {value: 5}\n"})  # the only promise begun by March 2025
    report = check(root, strict=True)
    assert report.problems == [] and report.dataset is not None
    period = report.dataset.periods[0]
    assert (period.start, period.end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert period.label == "2024/25, April 2024 to March 2025"
    assert json.loads((root / "results/records/2024-25.json").read_text())["period"] == "2024-25"


def test_year_starts_is_a_month(tmp_path: Path) -> None:
    root = write_project(tmp_path / "d", COMMITMENTS.replace("  period: quarter\n",
                                                             "  period: quarter\n  year_starts: 13\n"))
    assert said(root)[0] == "commitments.yml:5:16: error: 'year_starts' must be at most 12, not 13"


# --- thresholds, promises in words, announced standards -----------------------------------------


def test_a_threshold_reads_as_the_report_says_it() -> None:
    data = check(HOUSING).dataset
    assert data is not None
    calls = data.commitment("calls-answered")
    assert calls is not None and target_text(calls.metric) == "80% or more within 3 minutes"
    repairs = data.commitment("emergency-repairs")
    assert repairs is not None and target_text(repairs.metric) == "98% or more within 24 hours"


def test_a_threshold_needs_its_unit_and_is_revised_like_a_target(tmp_path: Path) -> None:
    root = housing(tmp_path)
    path = root / "commitments.yml"
    path.write_text(path.read_text().replace("threshold: {value: 180, unit: seconds}",
                                             "threshold: {value: 180}"))
    where = at(root, "commitments.yml", "{value: 180}")
    assert said(root)[0] == (f"commitments.yml:{where}: error: threshold is missing required "
                             "key 'unit'; its unit (seconds, minutes, hours, working days...)")
    path.write_text(path.read_text().replace("threshold: {value: 180}",
                                             "threshold: {value: 120, unit: seconds}"))
    assert said(root)[0].startswith(
        f"commitments.yml:{where}: error: the threshold of 'calls-answered' changed from 180 "
        "seconds to 120 seconds for published periods 2024-25-Q1, 2024-25-Q2, "
        "2024-25-Q3, 2024-25-Q4")
    path.write_text(path.read_text().replace(
        "    since: 2024-04-01\n\n  - id: repairs-satisfaction",
        "    since: 2024-04-01\n    revisions:\n      - date: 2025-04-01\n"
        "        reason: We now answer within two minutes.\n"
        "        previous: {threshold: {value: 180, unit: seconds}}\n\n"
        "  - id: repairs-satisfaction"))
    assert said(root) == []
    data = check(root).dataset
    assert data is not None
    latest = editions(project(data, "internal"), "internal")[0]
    page = render_edition(latest).expanded("commitments/calls-answered.md")
    assert "<li><strong>Counted within:</strong> 3 minutes → 2 minutes</li>" in page


def test_a_promise_in_words(tmp_path: Path) -> None:
    data = check(HOUSING).dataset
    assert data is not None
    words = data.commitment("publish-contact-number")
    assert words is not None and words.words
    assert [status(words, p) for p in data.periods] == [
        Status.MET, Status.MET, Status.MISSED, Status.MET, Status.MET]
    root = housing(tmp_path)
    q1 = root / "results" / "2025-26-Q1.yml"
    q1.write_text(q1.read_text().replace("publish-contact-number: {status: met}",
                                         "publish-contact-number: {value: 1}")
                  .replace("emergency-repairs: {value: 98.9, sample: 377}",
                           "emergency-repairs: {value: 98.9, sample: 377, status: met}"))
    rel = "results/2025-26-Q1.yml"
    assert said(root) == [
        f"{rel}:{at(root, rel, 'status: met}')}: error: 'emergency-repairs' is measured by a "
        "figure, not a status; write its figure as value (status is for promises in words)",
        f"{rel}:{at(root, rel, '{value: 1}')}: error: 'publish-contact-number' is a promise in "
        "words and its result has no status; write status: met, missed or not-measured",
        f"{rel}:{at(root, rel, 'value: 1}')}: error: 'publish-contact-number' is a promise in "
        "words: it has no value; write status: met, missed or not-measured (and an explanation)",
    ]


def test_a_promise_in_words_has_no_metric(tmp_path: Path) -> None:
    root = housing(tmp_path)
    path = root / "commitments.yml"
    path.write_text(path.read_text().replace(
        "    kind: words\n", "    kind: words\n    metric: {name: m, unit: '', direction: higher, target: 1}\n"))
    assert said(root)[0] == (
        f"commitments.yml:{at(root, 'commitments.yml', 'metric: {name: m', 0)}: error: a promise in words (kind: words) has no metric; remove "
        "'metric': each period says whether it was kept (status: met or missed)")


def test_an_announced_standard_is_shown_before_it_starts() -> None:
    data = check(HOUSING).dataset
    assert data is not None
    q4 = editions(project(data, "public"), "public")[0]
    assert q4.id == "2024-25-Q4" and "damp-inspections" in {c.id for c in q4.commitments}
    home = render_edition(q4).expanded("index.md")
    assert ("- [We inspect reports of damp and mould within 10 working days]"
            "(commitments/damp-inspections.md): starts on 1 April 2025 (95% or more within 10 "
            "working days)") in home
    opendata = json.loads(render_edition(q4).assets["api/commitments.json"])
    [damp] = [c for c in opendata["commitments"] if c["id"] == "damp-inspections"]
    assert damp["status"] == "Not yet" and damp["announced"] == "2025-02-01"
    q2 = editions(project(data, "public"), "public")[2]
    assert "damp-inspections" not in {c.id for c in q2.commitments}  # not announced yet


# --- survey context, scores, money ------------------------------------------------------------


def test_survey_figures_come_with_their_context() -> None:
    data = check(HOUSING).dataset
    assert data is not None
    q3 = editions(project(data, "public"), "public")[1]
    report = render_edition(q3).expanded("reports/2024-25-Q3.md")
    assert ('<td role="cell">33% <small class="kept-caution">small sample: only 3 cases</small>'
            "</td>" in report)
    page = render_edition(q3).expanded("commitments/repairs-satisfaction.md")
    assert ("86.3% ± 2.5% <small>(Sector median 2024: 82.5%)</small> <small>(702 cases)</small>"
            in page)
    assert "<strong>How the figures are collected:</strong> A text survey" in page
    assert "▼ 53.3 points worse" in page


def test_scores_count_not_measured_apart() -> None:
    data = check(HOUSING).dataset
    assert data is not None
    draft = editions(project(data, "internal"), "internal")[0]
    home = render_edition(draft).expanded("index.md")
    assert ('<span class="kept-headline__figure">2 of 3</span> promises kept in 2025/26 Q1, '
            "April to June 2025, 3 not measured</p>") in home
    q3 = next(e for e in editions(project(data, "internal"), "internal") if e.id == "2024-25-Q3")
    report = render_edition(q3).expanded("reports/2024-25-Q3.md")
    assert ("<li>Safe, well-kept homes: 0 of 2 met</li> <li>Listening to tenants: 1 of 3 met</li>"
            in report)


def test_money_and_points() -> None:
    assert qty(149.9, "GBP") == "£149.90" and qty(1260, "$") == "$1,260.00"
    assert qty(-3.5, "EUR") == "-€3.50" and qty(12, "") == "12"
    data = check(HOUSING).dataset
    assert data is not None
    calls = data.commitment("calls-answered")
    assert calls is not None and change_text(calls.metric, 4.8) == "▲ 4.8 points better"
    assert change_text(calls.metric, 1) == "▲ 1 point better"


def test_an_empty_unit_is_a_plain_count(tmp_path: Path) -> None:
    root = write_project(tmp_path / "d", COMMITMENTS.replace("      unit: tickets\n",
                                                             "      unit: \"\"\n"))
    assert said(root) == []


# --- reports that never explained their misses -------------------------------------------------


def test_explanations_are_not_required_when_the_reports_never_had_them(tmp_path: Path) -> None:
    root = write_project(tmp_path / "d", results={**RESULTS, "2025-Q2": RESULTS["2025-Q2"].replace(
        ", explanation: A new phone system confused callers.", "")})
    assert any("missed its target and has no explanation" in p for p in said(root))
    assert check(root, strict=True).dataset is None
    path = root / "commitments.yml"
    path.write_text(path.read_text().replace("  min_sample: 30\n",
                                             "  min_sample: 30\n  require_explanations: false\n"))
    assert not any("explanation" in p for p in said(root))


@pytest.mark.slow
def test_a_fiscal_site_builds(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(housing(tmp_path), out, jobs=1)
    versions = json.loads((out / "public" / "versions.json").read_text())
    assert [v["version"] for v in versions] == ["2024-25-Q4", "2024-25-Q3", "2024-25-Q2", "2024-25-Q1"]
    page = (out / "public" / "2024-25-Q3" / "reports" / "2024-25-Q3" / "index.html").read_text()
    assert "<h1 id=\"report-for-202425-q3-october-to-december-2024\">Report for 2024/25 Q3, October to December 2024" in page
    result = run_kept("validate", "--strict", "--root", str(HOUSING))
    assert result.returncode == 0, result.stdout


def test_kept_diff_of_a_fiscal_repository(tmp_path: Path) -> None:
    from generator.diff import summary_against
    from tests.gitrepo import commit_all, git

    root = housing(tmp_path)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "the housing association's standards")
    q1 = root / "results" / "2025-26-Q1.yml"
    q1.write_text(q1.read_text().replace("publish-contact-number: {status: met}",
                                         "publish-contact-number: {status: missed, explanation: "
                                         "A letter went out with an old number.}"))
    path = root / "commitments.yml"
    path.write_text(path.read_text().replace("      target: 95\n      threshold: {value: 10, unit: working days}",
                                             "      target: 95\n      threshold: {value: 5, unit: working days}"))
    summary = summary_against(root, "HEAD")
    assert ("- **We inspect reports of damp and mould within 10 working days** (`damp-inspections`)\n"
            "  - Target: 95% or more within 10 working days → 95% or more within 5 working days\n"
            ) in summary
    assert ("- **2025-26-Q1** (draft, not on the public site yet) We keep our contact number and "
            "publicise it (`publish-contact-number`): Met → **Missed**") in summary
