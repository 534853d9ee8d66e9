from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from tests.helpers import run_kept, write_project


def test_validate_ok(project: Path) -> None:
    result = run_kept("validate", "--root", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 4 commitments, 3 periods (1 draft)")


def test_validate_reports_every_problem_without_traceback(project: Path) -> None:
    (project / "results" / "2025-Q3.yml").write_text("period: 2025-Q3\nmeasurements: [\n")
    (project / "results" / "2025-Q2.yml").write_bytes(b"period: 2025-Q2\nsummary: \xff\n")
    result = run_kept("validate", "--root", str(project))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "results/2025-Q2.yml:2:10: error: the file is not UTF-8 text" in result.stdout
    assert "results/2025-Q3.yml:" in result.stdout
    assert result.stderr.strip().endswith("error(s), 0 warning(s)")


def test_json_and_github_formats(project: Path) -> None:
    text = (project / "commitments.yml").read_text().replace("unit: hours", "unit: [hours]")
    (project / "commitments.yml").write_text(text)
    result = run_kept("validate", "--root", str(project), "--format", "json")
    assert result.returncode == 1
    import json

    problem = json.loads(result.stdout)[0]
    assert (problem["file"], problem["line"], problem["severity"]) == ("commitments.yml", 29, "error")
    result = run_kept("validate", "--root", str(project), "--format", "github")
    assert result.stdout.startswith("::error file=commitments.yml,line=29,col=13::'unit' must be text")


@pytest.mark.parametrize("args", [["frobnicate"], ["build", "--audience", "everyone"],
                                  ["build", "--jobs", "0"], []])
def test_bad_usage_exits_2(args: list[str]) -> None:
    result = run_kept(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.slow
def test_build_exit_codes(project: Path, tmp_path: Path) -> None:
    result = run_kept("build", "--root", str(project), "--out", str(tmp_path / "o"),
                      "--audience", "public")
    assert result.returncode == 0, result.stderr
    assert "built public: 2 edition(s) (2025-Q3, 2025-Q2)" in result.stdout
    (project / "commitments.yml").write_text("organization: {name: X}\n")
    result = run_kept("build", "--root", str(project), "--out", str(tmp_path / "o"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "missing required key 'period'" in result.stdout
    assert "nothing was built" in result.stderr


@pytest.mark.slow
def test_a_build_with_nothing_changed_does_nothing(tmp_path: Path) -> None:
    # Without records, so that a published figure may change below (and warnings are said).
    project = write_project(tmp_path / "data", records=False)
    out = tmp_path / "o"
    q2 = project / "results" / "2025-Q2.yml"  # a missed target left unexplained: a warning
    q2.write_text(q2.read_text().replace(", explanation: A new phone system confused callers.", ""))
    args = ("build", "--root", str(project), "--out", str(out), "--audience", "public")
    first = run_kept(*args)
    assert first.returncode == 0, first.stderr
    assert ": warning: " in first.stdout
    page = out / "public" / "2025-Q3" / "index.html"
    before = page.stat().st_mtime_ns
    again = run_kept(*args)
    assert again.returncode == 0, again.stderr
    assert "built public: 2 edition(s) (2025-Q3, 2025-Q2)" in again.stdout
    assert "2 unchanged" in again.stdout
    # Warnings about the data are said again, as a build would.
    assert [line for line in again.stdout.splitlines() if ": warning: " in line] == [
        line for line in first.stdout.splitlines() if ": warning: " in line]
    assert page.stat().st_mtime_ns == before
    # A changed value, or an edition gone from the output, means building again.
    draft = project / "results" / "2025-Q3.yml"
    draft.write_text(draft.read_text().replace("value: 93", "value: 94"))
    assert "1 unchanged" in run_kept(*args).stdout
    shutil.rmtree(out / "public" / "2025-Q2")
    rebuilt = run_kept(*args)
    assert "1 unchanged" in rebuilt.stdout and (out / "public" / "2025-Q2" / "index.html").is_file()


@pytest.mark.parametrize("value", ["4294967296", "-5", "tomorrow", "1e9", "²"])
def test_source_date_epoch_out_of_range_is_bad_usage(project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run_kept("build", "--root", str(project), "--out", str(tmp_path / "o"),
                      "--audience", "public")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "kept: error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, from 0 to "
        f"4294967295 (2106-02-07), not {value!r}\n")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, message", [
    (["new-period", "0000-Q1"],
     "kept: error: '0000-Q1' is in the year 0000, outside the years Kept handles (1970 to 2105)"),
    (["publish", "2025-Q4", "--date", "9999-12-31"],
     "kept publish: error: argument --date: not a date written YYYY-MM-DD from 1970-01-01 to "
     "2105-12-31: '9999-12-31'"),
    (["publish", "2025-Q4", "--date", "20260101"],
     "kept publish: error: argument --date: not a date written YYYY-MM-DD from 1970-01-01 to "
     "2105-12-31: '20260101'"),
])
def test_periods_and_dates_on_the_command_line(project: Path, args: list[str], message: str) -> None:
    result = run_kept(*args, "--root", str(project))
    assert result.returncode == 2 and result.stderr.strip().endswith(message), result.stderr
    assert not (project / "results" / "0000-Q1.yml").exists()


def test_a_hostile_file_name_cannot_forge_annotations_or_lines(project: Path) -> None:
    """The name is GitHub's `file=` property: a ',' or ':' in it ended the value, a newline
    the command; in text output a newline forged another PATH:LINE:COL line."""
    name = "x,line=999\n::error file=forged.yml,line=1::forged\r%.yml"
    (project / "results" / name).write_text("period: 2025-Q3\n")
    result = run_kept("validate", "--root", str(project), "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=results/x%2Cline=999%0A%3A%3Aerror file=forged.yml%2Cline=1%3A%3Aforged%0D%25"
        ".yml,line=1,col=1::'x,line=999%0A::error file=forged.yml,line=1::forged%0D%25.yml' is not "
        "named after a period; name results files after quarters such as 2026-Q3: "
        "results/2026-Q3.yml"]
    result = run_kept("validate", "--root", str(project))
    assert result.stdout.splitlines() == [
        "results/x,line=999\\n::error file=forged.yml,line=1::forged\\r%.yml:1:1: error: "
        "'x,line=999\\n::error file=forged.yml,line=1::forged\\r%.yml' is not named after a "
        "period; name results files after quarters such as 2026-Q3: results/2026-Q3.yml"]


def test_text_from_the_data_cannot_forge_a_line(project: Path) -> None:
    text = (project / "commitments.yml").read_text().replace(
        "direction: lower", 'direction: "lower\\ncommitments.yml:1:1: error: \\e[2Jforged"', 1)
    (project / "commitments.yml").write_text(text)
    result = run_kept("validate", "--root", str(project))
    assert result.stdout.splitlines() == [
        "commitments.yml:30:18: error: 'direction' must be one of lower, higher, not the text "
        "'lower\\ncommitments.yml:1:1: error: \\x1b[2Jforged'"]


@pytest.mark.parametrize("addr", ["127.0.0.1:99999", "foo", "127.0.0.1:0", "::1", "host:80:80",
                                  "127.0.0.1:８０", "é..:8000", "a..b:8000", "\udcff:8000",
                                  "x" * 70 + ":8000"])
def test_serve_address_is_checked_before_building(project: Path, addr: str) -> None:
    result = run_kept("serve", "--root", str(project), "--dev-addr", addr)
    assert result.returncode == 2 and result.stderr.splitlines()[-1] == (
        "kept serve: error: argument --dev-addr: not an address HOST:PORT with a port from 1 to "
        f"65535 (such as 127.0.0.1:8000): {addr!r}")


@pytest.mark.parametrize("config, message", [
    ("markdown_extensions: 5", "mkdocs.yml:2:22: error: 'markdown_extensions' must be a list"),
    ("theme: 5", "mkdocs.yml:2:8: error: 'theme' must be the name of a theme"),
    ("extra: [1, 2]", "mkdocs.yml:2:8: error: 'extra' must be a mapping"),
    ("extra: {version: 5}", "mkdocs.yml:2:18: error: 'version' must be a mapping"),
    ("extra_css: 5", "mkdocs.yml:2:12: error: 'extra_css' must be a list"),
    ("markdown_extensions: [{}]", "mkdocs.yml:2:23: error: an item of 'markdown_extensions'"),
    ("extra: {x: !!python/object/apply:os.system [touch pwned]}",
     "mkdocs.yml:2:12: error: the Python tag '!!python/object/apply:os.system'"),
])
def test_validate_and_build_check_mkdocs_config(project: Path, tmp_path: Path, config: str,
                                                 message: str) -> None:
    (project / "mkdocs.yml").write_text(f"site_name: Acme\n{config}\n")
    for command in (["validate"], ["build", "--out", str(tmp_path / "o")]):
        result = run_kept(*command, "--root", str(project), cwd=project)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stdout.startswith(message), result.stdout
    assert not (tmp_path / "o").exists() and not (project / "pwned").exists()


def test_init_says_which_action_its_workflow_uses(tmp_path: Path) -> None:
    result = run_kept("init", str(tmp_path / "a"), "--name", "Acme Support", "--action", "acme/kept@v1.2.0")
    assert result.returncode == 0, result.stderr
    assert "organisation: Acme Support (" in result.stdout
    assert "CI: .github/workflows/kept.yml uses the Kept action acme/kept@v1.2.0" in result.stdout
    # Installed from a checkout (as here), Kept cannot tell where its action lives: it says so.
    result = run_kept("init", str(tmp_path / "b"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("kept init: warning: this Kept was not installed from GitHub")
    assert "<owner>/<repository>@v0.1.0" in result.stderr
    result = run_kept("init", str(tmp_path / "c"), "--action", "acme/kept")
    assert result.returncode == 2 and "is not an action reference" in result.stderr
    assert not (tmp_path / "c").exists()


HELP = {
    "validate": ("Check every data file.", "kept validate --strict --base origin/main"),
    "build": ("Build every edition of the sites.", "kept build --audience public --out /tmp/site"),
    "serve": ("Live preview of the newest edition.", "kept serve"),
    "diff": ("Summarise what the working tree changes, for a pull request.", "kept diff main"),
    "new-period": ("Start the results file of a period.", "kept new-period 2026-Q4"),
    "publish": ("Publish a period after strict checks.", "kept publish 2026-Q3 --date 2026-10-06"),
    "record": ("Write the records of published periods that have none.",
               "kept record 2026-Q2 2026-Q3"),
    "import": ("Read a CSV export into a draft period.", "kept import november.csv --period 2026-Q4"),
    "init": ("Start a new data repository.", "kept init acme-support"),
    "schema": ("Write the JSON Schemas of the data files.", "kept schema --out schemas"),
}


@pytest.mark.parametrize("command", sorted(HELP))
def test_every_command_s_help_has_a_summary_and_an_example(
        command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.cli import parser

    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exited:
        parser().parse_args([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    summary, example = HELP[command]
    assert text.split("\n\n")[1] == summary  # after the usage, the summary on a line of its own
    assert f"\nexamples:\n  kept {command}" in text and f"\n  {example}\n" in text


def test_every_command_is_in_the_help_test() -> None:
    from generator.cli import parser

    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == set(HELP)
