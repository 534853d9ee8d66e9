"""Words on the pages that read right at their bounds and in their units (issue 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import Direction, Metric, Threshold
from generator.project import editions
from generator.project import project as project_for
from generator.render import render_edition
from generator.validate import load_dataset
from generator.words import target_text
from tests.helpers import COMMITMENTS, RESULTS, write_project


def metric(unit: str, direction: str, target: float, threshold: Threshold | None = None) -> Metric:
    return Metric("m", unit, Direction(direction), target, threshold=threshold)


@pytest.mark.parametrize("unit, direction, target, text", [
    ("%", "higher", 100, "100%"),
    ("%", "higher", 99.5, "99.5% or more"),
    ("‰", "higher", 1000, "1,000‰"),
    ("%", "lower", 0, "0%"),
    ("%", "lower", 2, "2% or less"),
    ("complaints", "lower", 0, "none"),
    ("tickets", "lower", 0, "none"),
    ("", "lower", 0, "none"),
    ("hours", "lower", 4, "4 hours or less"),
    ("score", "higher", 100, "100 score or more"),  # no most a score can be
    ("score", "higher", 0, "0 score or more"),
    ("GBP", "lower", 0, "none"),
])
def test_a_target_reads_right_at_its_bounds(unit: str, direction: str, target: float,
                                            text: str) -> None:
    assert target_text(metric(unit, direction, target)) == text


def test_a_target_of_every_case_within_a_threshold() -> None:
    within = Threshold(180, "seconds")
    assert target_text(metric("%", "higher", 100, within)) == "100% within 3 minutes"
    assert target_text(metric("%", "higher", 80, within)) == "80% or more within 3 minutes"


def test_the_pages_say_100_percent_and_none(tmp_path: Path) -> None:
    commitments = COMMITMENTS.replace("      target: 90\n", "      target: 100\n")
    data, _ = load_dataset(write_project(tmp_path, commitments=commitments))
    rendered = render_edition(editions(project_for(data, "internal"), "internal")[0])
    assert "<li><strong>Target:</strong> 100% (higher is better)</li>" in rendered.expanded(
        "commitments/satisfaction.md")
    assert "<li><strong>Target:</strong> none (lower is better)</li>" in rendered.expanded(
        "commitments/secret-queue.md")


def _consistency_project(tmp_path: Path) -> Path:
    commitments = COMMITMENTS.replace(
        "      target: 90\n    since: 2025-04-01\n",
        "      target: 90\n    since: 2025-04-01\n    locations: [north, south]\n")
    q2 = RESULTS["2025-Q2"].replace(
        "  satisfaction: {value: 88,",
        "  satisfaction: {locations: {north: 91, south: 88}, value: 88,")
    return write_project(tmp_path, commitments=commitments, results={**RESULTS, "2025-Q2": q2})


def test_consistency_gaps_are_in_their_unit_and_never_compared_across_units(
        tmp_path: Path) -> None:
    data, _ = load_dataset(_consistency_project(tmp_path))
    rendered = render_edition(editions(project_for(data, "internal"), "internal")[-1])
    index = rendered.expanded("consistency/index.md")
    assert ('<td>2</td><td>We reply to every email within 8 hours: 1.1 hours<br>Nine in ten '
            'customers are happy with our help: 3 points</td>') in index
    period = rendered.expanded("consistency/2025-Q2.md")
    rows = [line for line in period.split("<tr>") if "#commitment-" in line]
    assert [row.split("</td>")[4] for row in rows] == ["<td>1.1 hours", "<td>3 points"]


BADGE = ('To show this badge on another page, paste: <pre><code>&lt;a href=&quot;'
         'https://help.acme.example/latest/commitments/email-reply/&quot;&gt;&lt;img src=&quot;'
         'https://help.acme.example/latest/badges/email-reply.svg&quot; alt=&quot;We reply to '
         'every email within {hours} hours: status&quot;&gt;&lt;/a&gt;</code></pre></li>')
NO_ADDRESS = ("To show this badge on other pages, Kept needs the public site's address: set "
              "<code>url</code> under <code>organization</code> in commitments.yml.</li>")


def _page(root: Path, audience: str, path: str) -> str:
    data, _ = load_dataset(root)
    rendered = render_edition(editions(project_for(data, audience), audience)[0])
    return " ".join(rendered.expanded(path).split())


def test_the_badge_snippet_is_absolute_on_both_sites(project: Path) -> None:
    for audience, hours in (("public", 8), ("internal", 4)):  # the internal site's draft: 4
        assert BADGE.format(hours=hours) in _page(project, audience, "commitments/email-reply.md")


def test_an_internal_promise_has_no_public_badge_to_paste(project: Path) -> None:
    page = _page(project, "internal", "commitments/secret-queue.md")
    assert "paste" not in page
    assert ('status"><br> This promise is internal: there is no public badge to show on other '
            'pages.</li>') in page


def test_without_the_site_s_address_the_badge_has_no_snippet_and_the_team_is_told(
        tmp_path: Path) -> None:
    root = write_project(tmp_path, commitments=COMMITMENTS.replace(
        "  url: https://help.acme.example/\n", ""))
    internal = _page(root, "internal", "commitments/email-reply.md")
    assert "paste" not in internal and NO_ADDRESS in internal
    public = _page(root, "public", "commitments/email-reply.md")
    assert "paste" not in public and "url</code>" not in public
    assert 'alt="We reply to every email within 8 hours: status"></li>' in public


def test_the_team_is_told_when_the_announcement_s_links_cannot_be_absolute(
        tmp_path: Path) -> None:
    warning = ("Its links lead nowhere once sent until the public site's address is known: set "
               "url under organization in commitments.yml.</p>")
    for commitments, told in ((COMMITMENTS, False),
                              (COMMITMENTS.replace("  url: https://help.acme.example/\n", ""), True)):
        data, _ = load_dataset(write_project(tmp_path / str(told), commitments=commitments))
        internal = render_edition(editions(project_for(data, "internal"), "internal")[0])
        assert (warning in internal.assets["announce.html"]) is told
        public = render_edition(editions(project_for(data, "public"), "public")[0])
        assert "commitments.yml" not in public.assets["announce.html"]


def test_by_location_every_figure_says_its_cases_or_none_does(tmp_path: Path) -> None:
    q2 = RESULTS["2025-Q2"].replace("      south: {value: 7.1, sample: 20}", "      south: 7.1")
    data, _ = load_dataset(write_project(tmp_path / "a", results={**RESULTS, "2025-Q2": q2}))
    rendered = render_edition(editions(project_for(data, "internal"), "internal")[-1])
    assert ("<tr><td>2025-Q2</td><td>6 hours ✓ <small>(700 cases)</small></td><td>7.1 hours ✓ "
            "<small>(sample not given)</small></td></tr>") in rendered.expanded(
                "commitments/email-reply.md")
    assert ("<tr><td>South office (worst)</td><td>7.1 hours</td><td>✓ Met</td><td>not given</td>"
            "</tr>") in rendered.expanded("consistency/2025-Q2.md")

    none = q2.replace("      north: {value: 6.0, sample: 700}", "      north: 6.0")
    data, _ = load_dataset(write_project(tmp_path / "b", results={**RESULTS, "2025-Q2": none}))
    rendered = render_edition(editions(project_for(data, "internal"), "internal")[-1])
    assert ("<tr><td>2025-Q2</td><td>6 hours ✓</td><td>7.1 hours ✓</td></tr>"
            in rendered.expanded("commitments/email-reply.md"))
    consistency = rendered.expanded("consistency/2025-Q2.md")
    assert ("<tr><td>South office (worst)</td><td>7.1 hours</td><td>✓ Met</td></tr>"
            in consistency) and "<th>Cases</th>" not in consistency


def test_the_public_note_on_small_samples_is_true_of_figures_without_one(project: Path) -> None:
    page = _page(project, "public", "commitments/email-reply.md")
    assert "<p>Figures from a location measured on fewer than 30 cases are not shown.</p>" in page
