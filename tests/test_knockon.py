"""One slip, one error: a file or list that cannot be read is said once, the references into it
are not judged, and no suggestion names an invalid id (issue 20)."""

from __future__ import annotations

from pathlib import Path

from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, at, write_project


def problems(root: Path) -> list[str]:
    return [p.format() for p in check(root).problems]


def test_a_syntax_error_in_commitments_is_one_error_and_one_note(tmp_path: Path) -> None:
    broken = COMMITMENTS.replace("  name: Acme Help\n", '  name: "Acme Help\n')
    root = write_project(tmp_path, commitments=broken)
    assert problems(root) == [
        "commitments.yml:2:9: error: the quote opened here is not closed on its line: it runs on "
        "to the \" at line 50, column 13; end the text with \" on line 2",
        "commitments.yml:2:9: warning: the results files were not checked against "
        "commitments.yml, which could not be read; fix it, then check again",
    ]


def test_commitments_that_are_not_a_list_are_one_error_and_one_note(tmp_path: Path) -> None:
    start = COMMITMENTS.index("commitments:\n")
    broken = COMMITMENTS[:start] + "commitments: {email-reply: {}}\n"
    root = write_project(tmp_path, commitments=broken)
    where = at(root, "commitments.yml", "{email-reply")
    assert problems(root) == [
        f"commitments.yml:{where}: error: 'commitments' must be a list (lines starting with "
        "'- '), not a mapping",
        f"commitments.yml:{where}: warning: 11 reference(s) to commitments were not checked, as "
        "the commitments could not be read; fix it, then check again",
    ]


def test_locations_that_are_not_a_list_are_not_judged_in_results(tmp_path: Path) -> None:
    broken = COMMITMENTS.replace("    locations: [north, south, pilot]\n", "    locations: north\n")
    root = write_project(tmp_path, commitments=broken)
    where = at(root, "commitments.yml", "locations: north", 11)
    assert problems(root) == [
        f"commitments.yml:{where}: error: 'locations' must be a list (lines starting with '- '), "
        "not the text 'north'",
        f"commitments.yml:{where}: warning: 2 figure(s) by location were not checked, as the "
        "locations of 'email-reply' could not be read; fix it, then check again",
    ]


def test_a_list_of_values_that_cannot_be_read(tmp_path: Path) -> None:
    start, end = COMMITMENTS.index("values:\n"), COMMITMENTS.index("locations:\n")
    broken = COMMITMENTS[:start] + "values: speed, care\n" + COMMITMENTS[end:]
    root = write_project(tmp_path, commitments=broken)
    where = at(root, "commitments.yml", "speed, care")
    assert problems(root) == [
        f"commitments.yml:{where}: error: 'values' must be a list (lines starting with '- '), "
        "not the text 'speed, care'",
        f"commitments.yml:{where}: warning: 2 reference(s) to values were not checked, as the "
        "values could not be read; fix it, then check again",
    ]


PLANNED = """\
planned:
  - id: sms-updates
    title: Text updates
    you_said: Tell us by text.
    we_will: We will text you.
    by: 2025-Q3
"""


def test_delivers_into_a_results_file_that_cannot_be_read(tmp_path: Path) -> None:
    q2 = RESULTS["2025-Q2"] + PLANNED + 'oops: "never closed\n'
    q3 = RESULTS["2025-Q3"].replace("    we_did: We publish outages on a status page.\n",
                                    "    we_did: We publish outages on a status page.\n"
                                    "    delivers: sms-updates\n")
    root = write_project(tmp_path, results={**RESULTS, "2025-Q2": q2, "2025-Q3": q3})
    where = at(root, "results/2025-Q2.yml", "never closed", -1)
    assert problems(root) == [
        f"results/2025-Q2.yml:{where}: error: a quote opened here is never closed; end the text "
        "with \"; inside double quotes a quote is written \\\"",
        f"results/2025-Q2.yml:{where}: warning: 1 'delivers' reference(s) were not checked, as "
        "results/2025-Q2.yml could not be read; fix it, then check again",
    ]


def test_a_suggestion_is_never_an_invalid_id(tmp_path: Path) -> None:
    commitments = COMMITMENTS.replace("  - id: satisfaction\n", "  - id: Satis_faction\n")
    results = {p: t.replace("  satisfaction:", "  satisfactoin:") for p, t in RESULTS.items()}
    root = write_project(tmp_path, commitments=commitments, results=results)
    found = problems(root)
    assert found == [
        f"commitments.yml:{at(root, 'commitments.yml', 'Satis_faction')}: error: 'id' must be an "
        "id (lower-case letters, digits and single hyphens, at most 64 characters), not the text "
        "'Satis_faction'; for example 'satis-faction'",
        *[f"results/{p}.yml:{at(root, f'results/{p}.yml', 'satisfactoin')}: error: unknown "
          "commitment 'satisfactoin'; did you mean 'satis-faction'?"
          for p in ("2025-Q2", "2025-Q3", "2025-Q4")],
    ]


def test_a_reference_written_as_the_valid_form_of_an_invalid_id_is_not_an_error(
        tmp_path: Path) -> None:
    commitments = COMMITMENTS.replace("  - id: satisfaction\n", "  - id: Satisfaction\n")
    root = write_project(tmp_path, commitments=commitments)
    assert problems(root) == [
        f"commitments.yml:{at(root, 'commitments.yml', 'id: Satisfaction', 4)}: error: 'id' must "
        "be an "
        "id (lower-case letters, digits and single hyphens, at most 64 characters), not the text "
        "'Satisfaction'; for example 'satisfaction'"]


def test_a_location_suggestion_is_never_an_invalid_id(tmp_path: Path) -> None:
    commitments = COMMITMENTS.replace("  - id: south\n", "  - id: South_Office\n").replace(
        "[north, south, pilot]", "[north, South_Office, pilot]")
    results = {**RESULTS, "2025-Q2": RESULTS["2025-Q2"].replace("      south: {", "      south-ofice: {")}
    root = write_project(tmp_path, commitments=commitments, results=results)
    assert [p for p in problems(root) if "results/" in p] == [
        f"results/2025-Q2.yml:{at(root, 'results/2025-Q2.yml', 'south-ofice')}: error: location "
        "'south-ofice' is not listed by commitment 'email-reply'; did you mean 'south-office'?"]
