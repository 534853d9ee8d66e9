"""kept import: a helpdesk's CSV export into a draft period, the file's comments and layout kept;
every bad row reported at its line and column, and nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.csvimport import import_csv
from generator.edit import new_period_text
from generator.errors import DataError, KeptError, UsageError
from generator.validate import check, load_dataset
from tests.helpers import COMMITMENTS, run_kept, write_project

# A draft with comments and uneven layout: only the figures may change.
COMMENTED = """\
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

# highlights to come
"""


def export(root: Path, text: str, name: str = "export.csv") -> Path:
    path = root.parent / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def imported(root: Path, text: str, period: str | None = None) -> None:
    """Import text as export.csv, errors named after it as a user would have typed it."""
    import_csv(root, export(root, text), period, label="export.csv")


def draft(root: Path) -> str:
    return (root / "results/2025-Q4.yml").read_text(encoding="utf-8")


def test_figures_go_into_the_newest_draft(project: Path) -> None:
    csv = export(project, "commitment,location,value,sample\n"
                          "email-reply,,3.2,950\n"
                          "email-reply,north,3.0,\n"
                          "email-reply,south,3.4,400\n"
                          "satisfaction,,92,\n"
                          "secret-queue,,1,\n")
    done = import_csv(project, csv)
    assert (done.path, done.created, done.figures, done.commitments) == (
        project / "results/2025-Q4.yml", False, 5, 3)
    assert draft(project) == """\
period: 2025-Q4
summary: Draft, still being measured.
measurements:
  email-reply: {value: 3.2, sample: 950, locations: {north: 3.0, south: {value: 3.4, sample: 400}}}
  satisfaction: {value: 92, explanation: The survey closes in January.}
  secret-queue:
    value: 1
"""
    assert check(project).errors == []


def test_comments_order_and_layout_are_kept(project: Path) -> None:
    (project / "results/2025-Q4.yml").write_text(COMMENTED)
    csv = export(project, "Commitment , VALUE,Sample,Location\r\n"
                          "satisfaction,93,120,\r\n"
                          "email-reply,2.9,,north\r\n"
                          "email-reply,3.1,,\r\n")
    import_csv(project, csv)
    assert draft(project) == COMMENTED.replace(
        "email-reply: {value: 3.5, sample: 900}",
        "email-reply: {value: 3.1, sample: 900, locations: {north: 2.9}}").replace(
        "    value: null\n", "    value: 93\n    sample: 120\n")


def test_block_layout_gets_block_entries(project: Path) -> None:
    (project / "results/2025-Q4.yml").write_text("""\
period: 2025-Q4
measurements:
  email-reply:
    value: 3.5   # first estimate
    locations:
      north:
        value: 3
        sample: 40
  # satisfaction follows in January
""")
    csv = export(project, "commitment,location,value,sample\n"
                          "email-reply,north,3.3,41\nemail-reply,south,3.9,77\n"
                          "email-reply,pilot,4.4,\nsatisfaction,,91,300\n")
    import_csv(project, csv)
    assert draft(project) == """\
period: 2025-Q4
measurements:
  email-reply:
    value: 3.5   # first estimate
    locations:
      north:
        value: 3.3
        sample: 41
      south: {value: 3.9, sample: 77}
      pilot: 4.4
  satisfaction:
    value: 91
    sample: 300
  # satisfaction follows in January
"""
    assert check(project).errors == []


def test_a_draft_without_measurements_gets_them(project: Path) -> None:
    (project / "results/2025-Q4.yml").write_text("period: 2025-Q4\nsummary: To come.  # soon\n")
    imported(project, "commitment,location,value\nemail-reply,north,3\nsatisfaction,,90.5\n")
    assert draft(project) == """\
period: 2025-Q4
summary: To come.  # soon
measurements:
  email-reply:
    value: null
    locations:
      north: 3
  satisfaction:
    value: 90.5
"""
    assert [p.message for p in check(project).problems] == [
        "'email-reply' was not measured and has no explanation"]


def test_a_missing_period_is_started_as_a_draft(project: Path) -> None:
    csv = export(project, "commitment,value,sample\nemail-reply,2.75,1000\n")
    data, _ = load_dataset(project)
    done = import_csv(project, csv, "2026-Q1")
    assert done.created
    text = (project / "results/2026-Q1.yml").read_text()
    stub = new_period_text(data, "2026-Q1")
    # The figure in place of null, and its sample in place of the hint for it.
    assert text == stub.replace(
        "    value: null\n    # sample: ...              # cases measured (optional)\n",
        "    value: 2.75\n    sample: 1000\n", 1)
    assert "period: 2026-Q1\n" in text and "published" not in text
    # The other commitments stay to fill in: the warnings say so.
    assert [p.message for p in done.warnings] == [
        "'satisfaction' was not measured and has no explanation",
        "'secret-queue' was not measured and has no explanation"]
    assert check(project).errors == []


def test_a_new_period_loses_the_hints_for_what_was_imported(project: Path) -> None:
    imported(project, "commitment,location,value\nemail-reply,north,3\n", "2026-Q1")
    text = (project / "results/2026-Q1.yml").read_text()
    start = text.index("  email-reply:")
    block = text[start:text.index("  satisfaction:")]
    assert block.splitlines()[4:] == [
        "    value: null",
        "    locations:",
        "      north: 3",
        "    # sample: ...              # cases measured (optional)",
        "    # explanation: >          # needed when the target is missed or the value is null",
        "    #   What happened, and what is being done about it."]


def test_a_published_period_is_never_written(project: Path) -> None:
    before = (project / "results/2025-Q3.yml").read_bytes()
    csv = export(project, "commitment,value\nemail-reply,4\n")
    with pytest.raises(DataError) as refused:
        import_csv(project, csv, "2025-Q3")
    assert [p.format() for p in refused.value.problems] == [
        "results/2025-Q3.yml:2:1: error: 2025-Q3 was published on 2025-10-07: kept import writes "
        "only into a draft period; to change a published figure, edit it and add a correction"]
    assert (project / "results/2025-Q3.yml").read_bytes() == before


BAD_ROWS = [
    ("commitment,value\nemial-reply,3\n",
     "export.csv:2:1: error: unknown commitment 'emial-reply'; did you mean 'email-reply'?"),
    ("commitment,value,location\nemail-reply,3,nort\n",
     "export.csv:2:15: error: unknown location 'nort'; did you mean 'north'?"),
    ("commitment,value,location\nemail-reply,3,North office\n",
     "export.csv:2:15: error: unknown location 'North office'; did you mean 'north'? (the "
     "location's id, not its name)"),
    ("commitment,value,location\nsatisfaction,90,north\n",
     "export.csv:2:17: error: location 'north' is not listed by commitment 'satisfaction'; "
     "'satisfaction' has no locations: write its figure without one"),
    ('commitment,value\nemail-reply,"3,5"\n',
     "export.csv:2:13: error: '3,5' is written with a decimal comma; write the figure with a "
     "decimal point: 3.5"),
    ("commitment;value\nemail-reply;3,5\n",
     "export.csv:2:13: error: '3,5' is written with a decimal comma; write the figure with a "
     "decimal point: 3.5"),
    ("commitment,value\nemail-reply,3,5\n",
     "export.csv:2:13: error: the row has 3 cells, and the header 2: is '3,5' a figure written "
     "with a decimal comma?; write it with a decimal point: 3.5"),
    ("commitment\tvalue\tsample\nemail-reply\t3\t1,200\n",
     "export.csv:2:15: error: '1,200' has a thousands separator; write the digits alone: 1200"),
    ("commitment,value\nsatisfaction,\"1,234,567.5\"\n",
     "export.csv:2:14: error: '1,234,567.5' has a thousands separator; write the digits alone: 1234567.5"),
    ("commitment,value,sample\nemail-reply,3,1.200\n",
     "export.csv:2:15: error: '1.200' has a thousands separator; write the digits alone: 1200"),
    ("commitment,value,sample\nemail-reply,3,12.5\n",
     "export.csv:2:15: error: the sample '12.5' is not a whole number; write the number of cases "
     "measured, in digits, like 4210"),
    ("commitment,value\nsatisfaction,92%\n",
     "export.csv:2:14: error: '92%' is not a number; write digits with a decimal point, without "
     "units, '%' or spaces, like 92.5"),
    ("commitment,value\nsatisfaction, \n",
     "export.csv:2:14: error: the value is empty; a figure that was not measured is written by "
     "hand (value: null, with an explanation), or its row left out"),
    ("commitment,value\nsatisfaction,2000000000000\n",
     "export.csv:2:14: error: '2000000000000' is out of range; figures lie between "
     "-1,000,000,000,000 and 1,000,000,000,000"),
    ("commitment,value\ncallback,95\n",
     "export.csv:2:1: error: commitment 'callback' does not apply in 2025-Q4: it was retired on "
     "2025-09-30; leave its row out"),
    ("commitment,value,location\nemail-reply,3,north\nemail-reply,4,\nemail-reply,5,north\n",
     "export.csv:4:1: error: a second figure for 'email-reply' at 'north'; the first is on line "
     "2; keep one"),
    ("commitment,valeu\nemail-reply,3\n",
     "export.csv:1:12: error: unknown column 'valeu'; did you mean 'value'?"),
    ("Commitment,Value,Commitment\n",
     "export.csv:1:18: error: the column 'commitment' is named twice; keep one of them"),
    ('commitment,value\n"email-reply,3\n',
     'export.csv:2:1: error: a quoted cell is never closed; end it with a double quote (")'),
    ("", "export.csv:1:1: error: the file is empty; the first line names the columns: "
         "commitment,value"),
    ("commitment,value\n\n", "export.csv:1:1: error: the file has no figures; write one row a "
                             "figure under the header"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_ROWS, ids=range(len(BAD_ROWS)))
def test_bad_rows_are_reported_where_they_are(project: Path, text: str, expected: str) -> None:
    before = draft(project)
    with pytest.raises(DataError) as refused:
        imported(project, text)
    assert [p.format() for p in refused.value.problems] == [expected]
    assert draft(project) == before


def test_trailing_zeros_are_a_decimal(project: Path) -> None:
    imported(project, "commitment,value\nsatisfaction,92.500\n")
    assert "satisfaction: {value: 92.500, explanation" in draft(project)


def test_long_cells_are_cut_in_messages(project: Path) -> None:
    with pytest.raises(DataError) as refused:
        imported(project, "commitment,value\n" + "x" * 100_000 + ",3\nsatisfaction," + "9" * 5000 + "\n")
    assert [p.format() for p in refused.value.problems] == [
        f"export.csv:2:1: error: unknown commitment '{'x' * 60}…'; the commitments are: "
        "email-reply, satisfaction, callback, secret-queue",
        f"export.csv:3:14: error: '{'9' * 60}…' is out of range; figures lie between "
        "-1,000,000,000,000 and 1,000,000,000,000"]


WORDS = COMMITMENTS + """\
  - id: contact-number
    title: We keep our phone number the same
    promise: Our phone number does not change.
    kind: words
    since: 2025-01-01
"""


def test_a_promise_in_words_has_no_figure_to_import(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", WORDS)
    with pytest.raises(DataError) as refused:
        imported(root, "commitment,value\ncontact-number,1\n")
    assert [p.format() for p in refused.value.problems] == [
        "export.csv:2:1: error: 'contact-number' is a promise in words, kept or not, with no "
        "figure to import; write its status (met, missed or not-measured) in results/2025-Q4.yml"]


def test_fiscal_periods(tmp_path: Path) -> None:
    commitments = COMMITMENTS.replace("  period: quarter\n", "  period: quarter\n  year_starts: 4\n")
    root = write_project(tmp_path / "data", commitments, results={})
    imported(root, "commitment,value\nemail-reply,3.5\n", "2025-26-Q3")
    text = (root / "results/2025-26-Q3.yml").read_text()
    assert "period: 2025-26-Q3\n" in text and "    value: 3.5\n" in text
    assert check(root).errors == []


def test_every_bad_row_at_once(project: Path) -> None:
    csv = export(project, "commitment,value,location\n"
                          "emial-reply,3,\n"
                          "email-reply,3.5,\n"
                          'satisfaction,"9,5",\n'
                          "email-reply,2,sout\n")
    with pytest.raises(DataError) as refused:
        import_csv(project, csv)
    assert [(p.line, p.col) for p in refused.value.problems] == [(2, 1), (4, 14), (5, 15)]


def test_a_missing_header_column(project: Path) -> None:
    with pytest.raises(DataError) as refused:
        imported(project, "commitment,sample\nemail-reply,3\n")
    assert [p.format() for p in refused.value.problems] == [
        "export.csv:1:1: error: the header has no 'value' column; the first line names the "
        "columns: commitment,value, and optionally sample and location"]


def test_not_utf8(project: Path) -> None:
    path = project.parent / "export.csv"
    path.write_bytes("commitment,value\nemail-reply,3 \u00e9\n".encode("latin-1"))
    with pytest.raises(DataError) as refused:
        import_csv(project, path, label="export.csv")
    assert [p.format() for p in refused.value.problems] == [
        "export.csv:2:15: error: the file is not UTF-8 text (byte 0xe9); export it as 'CSV UTF-8'"]


def test_a_byte_order_mark_and_crlf_in_both_files(project: Path) -> None:
    (project / "results/2025-Q4.yml").write_bytes(
        b"\xef\xbb\xbfperiod: 2025-Q4\r\nmeasurements:\r\n  email-reply:\r\n    value: 3.5\r\n")
    path = project.parent / "export.csv"
    path.write_bytes(b"\xef\xbb\xbfcommitment,value,sample\r\nemail-reply,3.25,88\r\n")
    import_csv(project, path)
    assert (project / "results/2025-Q4.yml").read_bytes() == (
        b"\xef\xbb\xbfperiod: 2025-Q4\r\nmeasurements:\r\n  email-reply:\r\n    value: 3.25\r\n"
        b"    sample: 88\r\n")


def test_the_period_is_checked(project: Path) -> None:
    csv = export(project, "commitment,value\nemail-reply,3\n")
    with pytest.raises(UsageError, match="'2025-10' is not one of the organisation's periods, "
                                         "which are quarters such as 2026-Q3"):
        import_csv(project, csv, "2025-10")
    with pytest.raises(UsageError, match="'2025-Q9' is not a period id"):
        import_csv(project, csv, "2025-Q9")
    (project / "results/2025-Q4.yml").unlink()
    with pytest.raises(UsageError, match="there is no draft period to import into"):
        import_csv(project, csv)


def test_the_export_must_be_a_readable_file(project: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        import_csv(project, tmp_path / "nothing.csv")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="the file is a named pipe, not a regular file"):
        import_csv(project, fifo)


def test_the_data_must_validate_first(project: Path) -> None:
    (project / "results/2025-Q4.yml").write_text("period: 2025-Q4\nmeasurements: [\n")
    with pytest.raises(DataError) as refused:
        import_csv(project, export(project, "commitment,value\nemail-reply,3\n"))
    assert refused.value.problems[0].path == "results/2025-Q4.yml"


def test_a_layout_it_cannot_edit_is_left_alone(project: Path) -> None:
    text = "period: 2025-Q4\nmeasurements:\n  email-reply: &same {value: 3.5}\n  satisfaction: *same\n"
    (project / "results/2025-Q4.yml").write_text(text)
    if check(project).errors:
        pytest.skip("aliases are refused by the validator")
    with pytest.raises(KeptError, match="cannot write the figures"):
        import_csv(project, export(project, "commitment,value\nsatisfaction,91\n"))
    assert draft(project) == text


def test_the_command(project: Path) -> None:
    csv = export(project, "commitment,value\nemail-reply,3.1\n")
    result = run_kept("import", str(csv), "--root", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"wrote 1 figure(s) of 1 commitment(s) into {project}/results/2025-Q4.yml "
                             "(a draft); review them, then `kept validate`\n")
    export(project, "commitment,value\nemail-reply,3;1\n", "bad.csv")
    result = run_kept("import", "bad.csv", "--root", str(project), cwd=project.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.startswith("bad.csv:2:13: error: '3;1' is not a number")
    assert result.stderr == "1 error(s): nothing was changed\n"
    result = run_kept("import", str(csv), "--root", str(project), "--period", "2025-Q3")
    assert result.returncode == 1 and "results/2025-Q3.yml:2:1: error: 2025-Q3 was published" in result.stdout
    assert run_kept("import", str(csv), "--root", str(project), "--period", "x").returncode == 2

