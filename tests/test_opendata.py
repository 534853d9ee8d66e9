"""api/results.csv: every result for spreadsheets, one row per commitment, period and location
(latest/'s: of every period; an edition's: of its own period); the internal site's with the
internal rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from generator.opendata import RESULTS_COLUMNS
from generator.pages import EDITION_FILES
from generator.project import editions, project
from generator.render import render_edition
from generator.validate import load_dataset
from tests.helpers import COMMITMENTS, RESULTS, write_project

HEADER = "commitment,title,period,published,location,location_name,value,sample,unit,target,direction,status,visibility"


def results_csv(root: Path, audience: str) -> str:
    """latest/api/results.csv: the whole history."""
    data, _ = load_dataset(root)
    newest = editions(project(data, audience), audience)[0]
    return render_edition(newest, latest=True).latest["api/results.csv"]


def test_an_editions_open_data_holds_its_own_period_and_latest_every_period(tmp_path: Path) -> None:
    """What is new in an edition: its own period's results and improvements. latest/ holds
    them all (each edition repeating every period made a long history's site grow with the
    square of its length)."""
    data, _ = load_dataset(write_project(tmp_path))
    q3, q2 = editions(project(data, "public"), "public")
    for edition, periods, count, improvements in ((q3, {"2025-Q3"}, 3, ["status-page"]),
                                                  (q2, {"2025-Q2"}, 4, ["weekend-email"])):
        rendered = render_edition(edition)
        rows = list(csv.DictReader(io.StringIO(rendered.assets["api/results.csv"][1:])))
        assert {r["period"] for r in rows} == periods and len(rows) == count
        found = json.loads(rendered.assets["api/commitments.json"])
        assert {r["period"] for c in found["commitments"] for r in c["results"]} == periods
        assert [c["attainment"]["measured"] for c in found["commitments"]] == (
            [2, 2, 2] if edition is q3 else [1, 1, 1])  # of every period, as the pages say
        assert [i["id"] for i in json.loads(rendered.assets["api/improvements.json"])[
            "improvements"]] == improvements
        assert rendered.latest == {}
    whole = render_edition(q3, latest=True).latest
    assert sorted(whole) == ["api/commitments.json", "api/improvements.json", "api/results.csv"]
    assert {r["period"] for r in csv.DictReader(io.StringIO(whole["api/results.csv"][1:]))} == {
        "2025-Q2", "2025-Q3"}
    assert [i["id"] for i in json.loads(whole["api/improvements.json"])["improvements"]] == [
        "status-page", "weekend-email"]


def test_public_results_csv(tmp_path: Path) -> None:
    """Public rows only: no internal commitment, no draft, no location figure on too few cases
    (south: 20 cases) or of an internal location. Each period is judged against its target."""
    text = results_csv(write_project(tmp_path), "public")
    assert text.startswith("\ufeff" + HEADER + "\r\n")
    assert text[1:].split("\r\n")[1:] == [
        "email-reply,We reply to every email within 8 hours,2025-Q2,2025-07-08,,,6.5,1200,hours,8,lower,Met,public",
        "email-reply,We reply to every email within 8 hours,2025-Q2,2025-07-08,north,North office,6,700,hours,8,lower,Met,public",
        "email-reply,We reply to every email within 8 hours,2025-Q3,2025-10-07,,,5,1300,hours,8,lower,Met,public",
        "satisfaction,Nine in ten customers are happy with our help,2025-Q2,2025-07-08,,,88,,%,90,higher,Missed,public",
        "satisfaction,Nine in ten customers are happy with our help,2025-Q3,2025-10-07,,,91,,%,90,higher,Met,public",
        "callback,We call you back the same day,2025-Q2,2025-07-08,,,97,,%,95,higher,Met,public",
        "callback,We call you back the same day,2025-Q3,2025-10-07,,,93,,%,95,higher,Missed,public",
        "",
    ]


def test_internal_results_csv_has_the_internal_rows(tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(results_csv(write_project(tmp_path), "internal")[1:])))
    assert tuple(rows[0]) == RESULTS_COLUMNS
    keyed = {(r["commitment"], r["period"], r["location"]): r for r in rows}
    assert keyed[("email-reply", "2025-Q2", "south")]["sample"] == "20"  # below min_sample
    assert keyed[("email-reply", "2025-Q4", "")]["published"] == ""  # the draft
    assert keyed[("email-reply", "2025-Q4", "")]["target"] == "4"  # revised on 2025-10-01
    assert keyed[("secret-queue", "2025-Q2", "")]["visibility"] == "internal"
    assert keyed[("satisfaction", "2025-Q4", "")]["status"] == "Not measured"
    assert keyed[("satisfaction", "2025-Q4", "")]["value"] == ""


def test_internal_location_rows_are_marked(tmp_path: Path) -> None:
    results = {**RESULTS, "2025-Q3": RESULTS["2025-Q3"].replace(
        "email-reply: {value: 5.0, sample: 1300}",
        "email-reply: {value: 5.0, sample: 1300, locations: {pilot: {value: 9, sample: 40}, north: null}}")}
    text = results_csv(write_project(tmp_path, results=results), "internal")
    rows = {(r["period"], r["location"]): r for r in csv.DictReader(io.StringIO(text[1:]))
            if r["commitment"] == "email-reply"}
    assert (rows[("2025-Q3", "pilot")]["location_name"], rows[("2025-Q3", "pilot")]["status"],
            rows[("2025-Q3", "pilot")]["visibility"]) == ("Pilot team", "Missed", "internal")
    assert (rows[("2025-Q3", "north")]["value"], rows[("2025-Q3", "north")]["status"]) == ("", "Not measured")
    assert "pilot" not in results_csv(tmp_path, "public")


def test_text_that_a_spreadsheet_would_run_is_not_a_formula(tmp_path: Path) -> None:
    """Titles, units and names come from the data: one that starts like a formula is text."""
    commitments = COMMITMENTS.replace(
        "title: We call you back the same day", 'title: "=HYPERLINK(\\"https://evil.example\\")"').replace(
        "name: North office", "name: +North office").replace('unit: "%"', 'unit: "@%"', 1)
    rows = list(csv.reader(io.StringIO(results_csv(write_project(tmp_path, commitments), "public")[1:])))
    titles = {r[1] for r in rows[1:]}
    assert "'=HYPERLINK(\"https://evil.example\")" in titles
    assert "'+North office" in {r[5] for r in rows[1:]} and "'@%" in {r[8] for r in rows[1:]}
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_figures_are_written_as_spreadsheets_read_them(tmp_path: Path) -> None:
    q2 = RESULTS["2025-Q2"].replace("value: 6.5", "value: 1000000000000").replace(
        "{value: 6.0,", "{value: -2.50,")
    q3 = RESULTS["2025-Q3"].replace("{value: 5.0,", "{value: 0.0000000000001,")
    text = results_csv(write_project(tmp_path, results={**RESULTS, "2025-Q2": q2, "2025-Q3": q3}), "public")
    values = [r["value"] for r in csv.DictReader(io.StringIO(text[1:])) if r["commitment"] == "email-reply"]
    assert values == ["1000000000000", "-2.5", "1e-13"]


def test_every_edition_lists_results_csv() -> None:
    """Incremental builds know of it (outputs), and it shows every measurement (no Needs)."""
    assert "api/results.csv" in EDITION_FILES


def test_a_promise_in_words_has_a_status_and_no_figure(tmp_path: Path) -> None:
    commitments = COMMITMENTS + """\
  - id: contact-number
    title: We keep our phone number the same
    promise: Our phone number does not change.
    kind: words
    since: 2025-07-01
"""
    results = {**RESULTS, "2025-Q3": RESULTS["2025-Q3"].replace(
        "  secret-queue: {value: 0}\n", "  secret-queue: {value: 0}\n  contact-number: {status: met}\n")}
    text = results_csv(write_project(tmp_path, commitments, results), "public")
    assert text.endswith("contact-number,We keep our phone number the same,2025-Q3,2025-10-07,,,,,,,,"
                         "Met,public\r\n")
