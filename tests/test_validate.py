from __future__ import annotations

from pathlib import Path

import pytest

from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, write_project


def located(text: str, needle: str, path: str) -> str:
    """'path:line:col' of the first occurrence of needle in text."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{path}:{line}:{col}"


def problems(root: Path, strict: bool = False) -> list[str]:
    return [p.format() for p in check(root, strict).problems]


def commitments_with(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    assert old in COMMITMENTS, old
    text = COMMITMENTS.replace(old, new, 1)
    return write_project(tmp_path, commitments=text), text


def results_with(tmp_path: Path, period: str, old: str, new: str) -> tuple[Path, str]:
    assert old in RESULTS[period], old
    text = RESULTS[period].replace(old, new, 1)
    return write_project(tmp_path, results={**RESULTS, period: text}), text


def test_valid_project_has_no_problems(project: Path) -> None:
    report = check(project)
    assert report.problems == []
    assert report.dataset is not None
    assert [p.id for p in report.dataset.periods] == ["2025-Q2", "2025-Q3", "2025-Q4"]


@pytest.mark.parametrize("old, new, needle, message", [
    ("    title: We reply to every email within 4 hours\n",
     "    titel: We reply to every email within 4 hours\n", "titel",
     "unknown key 'titel' in commitment; did you mean 'title'?"),
    ("      target: 4\n", "      target: four\n", "four",
     "'target' must be a number, not the text 'four'"),
    ("      direction: lower\n", "      direction: lowest\n", "lowest",
     "'direction' must be one of lower, higher, not the text 'lowest'; did you mean 'lower'?"),
    ("  - id: email-reply\n", "  - id: Email Reply\n", "Email Reply",
     "'id' must be an id"),
    ("    since: 2025-01-01\n", "    since: 2025-02-30\n", "2025-02-30",
     "'since' is not a real date: '2025-02-30'"),
    ("    value: speed\n", "    value: sped\n", "sped",
     "unknown value 'sped'; did you mean 'speed'?"),
    ("    locations: [north, south, pilot]\n", "    locations: [north, sooth, pilot]\n", "sooth",
     "unknown location 'sooth'; did you mean 'south'?"),
    ("    locations: [north, south, pilot]\n", "    locations: north\n", "north\n    review",
     "'locations' must be a list"),
    ("      target: 4\n", "      target: .nan\n", ".nan", "'target' must be a finite number"),
    ("  - id: satisfaction\n", "  - id: email-reply\n", "email-reply\n    title: Nine",
     "duplicate commitment id 'email-reply'"),
    ("    retired: 2025-09-30\n", "    retired: 2024-09-30\n", "2024-09-30",
     "'retired' (2024-09-30) is before 'since' (2025-04-01)"),
])
def test_commitments_errors_are_located(tmp_path: Path, old: str, new: str, needle: str,
                                        message: str) -> None:
    root, text = commitments_with(tmp_path, old, new)
    found = problems(root)
    where = located(text, needle, "commitments.yml")
    assert any(p.startswith(f"{where}: error: {message}") for p in found), found


def test_missing_required_key(tmp_path: Path) -> None:
    root, text = commitments_with(
        tmp_path, "    promise: If you ask for a call back, you get it the same day.\n", "")
    found = problems(root)
    where = located(text, "id: callback", "commitments.yml")
    assert f"{where}: error: commitment 'callback' is missing required key 'promise'" in \
        [p.split(";")[0] for p in found]


@pytest.mark.parametrize("period, old, new, needle, message", [
    ("2025-Q2", "period: 2025-Q2", "period: 2025-Q3", "2025-Q3",
     "period '2025-Q3' does not match the file name"),
    ("2025-Q2", "    date: 2025-05-10", "    date: 2025-07-10", "2025-07-10",
     "improvement date 2025-07-10 is outside the period 2025-Q2"),
    ("2025-Q2", "  callback: {value: 97}", "  calback: {value: 97}", "calback",
     "unknown commitment 'calback'; did you mean 'callback'?"),
    ("2025-Q2", "      south: {value: 7.1, sample: 20}", "      east: {value: 7.1, sample: 20}",
     "east", "location 'east' is not listed by commitment 'email-reply'"),
    ("2025-Q2", "    sample: 1200", "    sample: -5", "-5", "'sample' must be at least 0, not -5"),
    ("2025-Q2", "    value: 6.5", "    value: .inf", ".inf", "'value' must be a finite number"),
    ("2025-Q2", "    value: 6.5", "    value: '6.5 hours'", "'6.5 hours'",
     "'value' must be a number, not the text '6.5 hours'"),
    ("2025-Q2", "    commitments: [email-reply]", "    commitments: [email-replies]",
     "email-replies", "unknown commitment 'email-replies'; did you mean 'email-reply'?"),
    ("2025-Q3", "  - id: status-page", "  - id: weekend-email", "weekend-email",
     "duplicate improvement id 'weekend-email' (first in results/2025-Q2.yml line 17)"),
    ("2025-Q4", "  email-reply: {value: 3.5, sample: 900}",
     "  email-reply: {value: 3.5, sample: 900}\n  callback: {value: 99}", "callback",
     "commitment 'callback' was retired on 2025-09-30, before this period began (2025-10-01)"),
    ("2025-Q2", "published: 2025-07-08", "published: 2025-07-08\npublished: 2025-07-09",
     "published: 2025-07-09", "duplicate key 'published' (first at line 2)"),
])
def test_results_errors_are_located(tmp_path: Path, period: str, old: str, new: str, needle: str,
                                    message: str) -> None:
    root, text = results_with(tmp_path, period, old, new)
    found = problems(root)
    where = located(text, needle, f"results/{period}.yml")
    assert any(p.startswith(f"{where}: error: {message}") for p in found), found


def test_measurement_before_commitment_begins(tmp_path: Path) -> None:
    results = {"2024-Q4": "period: 2024-Q4\nmeasurements:\n  satisfaction: {value: 90}\n"}
    root = write_project(tmp_path, results=results)
    assert problems(root) == [
        "results/2024-Q4.yml:3:3: error: commitment 'satisfaction' begins on 2025-04-01, after "
        "this period ends (2024-12-31); remove the measurement, or correct 'since'"]


def test_results_file_named_wrongly(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    (root / "results" / "q3.yml").write_text("period: 2025-Q3\n")
    (root / "results" / "2025-09.yml").write_text("period: 2025-09\n")
    found = problems(root)
    assert any(p.startswith("results/q3.yml:1:1: error: 'q3.yml' is not named after a period")
               for p in found)
    assert any(p.startswith("results/2025-09.yml:1:9: error: '2025-09' is not a quarter")
               for p in found)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = COMMITMENTS.replace("target: 4\n", "target: x\n").replace("unit: hours", "unitt: h")
    root = write_project(tmp_path, commitments=text,
                         results={"2025-Q2": RESULTS["2025-Q2"].replace("sample: 1200", "sample: y")})
    found = problems(root)
    assert len([p for p in found if ": error: " in p]) >= 4  # target, unitt, missing unit, sample


def test_missing_commitments_file(tmp_path: Path) -> None:
    assert problems(tmp_path)[0].startswith("commitments.yml:1:1: error: file not found")


def test_warnings_and_strict(tmp_path: Path) -> None:
    root, _ = results_with(tmp_path, "2025-Q3", "  callback: {value: 93, explanation: Summer holidays.}\n", "")
    loose = check(root)
    assert loose.dataset is not None and [p.severity for p in loose.problems] == ["warning"]
    assert "no measurement for commitment 'callback'" in loose.problems[0].message
    strict = check(root, strict=True)
    assert strict.dataset is None and strict.problems[0].severity == "error"


def test_missed_target_needs_an_explanation(tmp_path: Path) -> None:
    root, text = results_with(tmp_path, "2025-Q2",
                              "  satisfaction: {value: 88, explanation: A new phone system confused callers.}",
                              "  satisfaction: {value: 88}")
    where = located(text, "satisfaction", "results/2025-Q2.yml")
    assert problems(root) == [
        f"{where}: warning: 'satisfaction' missed its target and has no explanation; add an "
        "explanation: what happened, and what is being done about it"]
    assert check(root, strict=True).dataset is None


LIMIT = "beyond the limit of 1,000,000,000,000; no figure, count or sample is that large: " \
        "check the digits, or measure in a larger unit"


@pytest.mark.parametrize("written, message", [
    # YAML 1.1 reads these as numbers nobody wrote; they stay text, and say so.
    ("2:30", "'value' must be a number, not the text '2:30'; YAML 1.1 reads 2:30 as 150 "
             "(base 60, as in hours:minutes): write 150 if that is the figure; use null when it "
             "was not measured"),
    ("0100", "'value' must be a number, not the text '0100'; YAML 1.1 reads 0100 as 64 (octal, "
             "for the leading zero): write 100 if that is the figure; use null when it was not "
             "measured"),
    ("0x10", "'value' must be a number, not the text '0x10'; YAML 1.1 reads 0x10 as 16 "
             "(hexadecimal): write 16 if that is the figure; use null when it was not measured"),
    ("1_000", "'value' must be a number, not the text '1_000'; write 1000, without '_'; use null "
              "when it was not measured"),
    ("1e5", "'value' must be a number, not the text '1e5'; YAML 1.1 reads 1e5 as text: write "
            "100000; use null when it was not measured"),
    # Numbers out of range: charts, JSON readers and formatting all have limits.
    ("1" + "0" * 400, f"'value' is 1e+400 (401 digits), {LIMIT}"),
    ("1.7e+308", f"'value' is 1.7e+308, {LIMIT}"),
    ("-1.7e+308", "'value' is -1.7e+308, beyond the limit of -1,000,000,000,000; no figure, count "
                  "or sample is that large: check the digits, or measure in a larger unit"),
    ("1.0e+400", "'value' must be a finite number, not inf; figures lie between "
                 "-1,000,000,000,000 and 1,000,000,000,000"),
])
def test_numbers_are_decimal_and_in_range(tmp_path: Path, written: str, message: str) -> None:
    root, _ = results_with(tmp_path, "2025-Q2", "    value: 6.5", f"    value: {written}")
    assert problems(root) == [f"results/2025-Q2.yml:6:12: error: {message}"]


@pytest.mark.parametrize("old, new, needle, message", [
    ("      target: 4\n", "      target: 2:30\n", "2:30",
     "'target' must be a number, not the text '2:30'"),
    ("  min_sample: 30\n", "  min_sample: 0100\n", "0100",
     "'min_sample' must be a whole number, not the text '0100'"),
    ("      target: 4\n", "      target: 1000000000001\n", "1000000000001",
     "'target' is 1000000000001, beyond the limit"),
    ("      target: 8\n", "      target: -1000000000000.5\n", "-1000000000000.5",
     "'target' is -1000000000000.5, beyond the limit"),
])
def test_every_number_field_is_checked(tmp_path: Path, old: str, new: str, needle: str,
                                       message: str) -> None:
    root, text = commitments_with(tmp_path, old, new)
    found = problems(root)
    where = located(text, needle, "commitments.yml")
    assert len(found) == 1 and found[0].startswith(f"{where}: error: {message}"), found


def test_counts_and_samples_have_the_same_limit(tmp_path: Path) -> None:
    text = RESULTS["2025-Q2"].replace("count: 140", "count: 10000000000000").replace(
        "{value: 6.0, sample: 700}", "{value: 6.0, sample: 1000000000000000}")
    root = write_project(tmp_path, results={**RESULTS, "2025-Q2": text})
    assert [p.split(",")[0] for p in problems(root)] == [
        f"{located(text, '1000000000000000', 'results/2025-Q2.yml')}: error: "
        "'sample' is 1000000000000000",
        f"{located(text, '10000000000000}', 'results/2025-Q2.yml')}: error: "
        "'count' is 10000000000000"]


DAYS = "outside the dates Kept handles (1970-01-01 to 2105-12-31); a site's files carry their " \
       "time as seconds from 1970, and those run out in 2106"


@pytest.mark.parametrize("old, new, needle, message", [
    # The next review would fall after the last day a date can have.
    ("    review: {every: quarter, last: 2025-10-01}\n",
     "    review: {every: quarter, last: 9999-12-01}\n", "9999-12-01",
     f"'last' is 9999-12-01, {DAYS}"),
    ("    since: 2025-01-01\n", "    since: 1969-12-31\n", "1969-12-31",
     f"'since' is 1969-12-31, {DAYS}"),
    ("    retired: 2025-09-30\n", "    retired: 2106-01-01\n", "2106-01-01",
     f"'retired' is 2106-01-01, {DAYS}"),
])
def test_dates_kept_cannot_handle(tmp_path: Path, old: str, new: str, needle: str,
                                  message: str) -> None:
    root, text = commitments_with(tmp_path, old, new)
    assert problems(root) == [f"{located(text, needle, 'commitments.yml')}: error: {message}"]


def test_published_after_2106(tmp_path: Path) -> None:
    root, _ = results_with(tmp_path, "2025-Q3", "published: 2025-10-07", "published: 2106-02-08")
    assert problems(root) == [f"results/2025-Q3.yml:2:12: error: 'published' is 2106-02-08, {DAYS}"]


@pytest.mark.parametrize("period", ["0000-Q1", "1969-12", "2106-Q1", "9999-Q4"])
def test_periods_of_years_kept_cannot_handle(tmp_path: Path, period: str) -> None:
    root = write_project(tmp_path, results={period: f"period: {period}\n"})
    year = period[:4]
    assert problems(root) == [
        f"results/{period}.yml:1:1: error: '{period}.yml' names a period that is in the year "
        f"{year}, outside the years Kept handles (1970 to 2105)"]
    (root / "results" / f"{period}.yml").rename(root / "results" / "2025-Q3.yml")
    assert problems(root)[0] == (
        f"results/2025-Q3.yml:1:9: error: 'period' {period} is in the year {year}, outside the "
        "years Kept handles (1970 to 2105)")


def many_commitments(count: int) -> str:
    items = "".join(
        f"  - id: {word}-{i}\n    title: T\n    promise: P\n    since: 2025-01-01\n"
        "    metric: {name: m, unit: u, direction: lower, target: 4}\n"
        for i, word in ((i, ("email-reply", "phone-answer", "chat")[i % 3]) for i in range(count)))
    return f"organization: {{name: X, period: quarter}}\ncommitments:\n{items}"


def test_suggestions_among_many_ids_compare_few(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A thousand unknown ids against thousands of commitments took minutes: each was compared
    with every commitment. Now each is compared with the few a typo away, or sharing its start."""
    import difflib

    compared: list[int] = []
    close_matches = difflib.get_close_matches

    def counting(word: str, choices: list[str], *args: object, **kwargs: object) -> list[str]:
        compared.append(len(choices))
        return close_matches(word, choices, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    misses = ["email-replx-3", "emal-reply-3", "phone-ansewr-1", "chatt-2", "chat-5-extra",
              "email-rep", "zzz-999-zzz"]
    root = write_project(tmp_path, commitments=many_commitments(3000), results={
        "2025-Q1": "period: 2025-Q1\nmeasurements:\n" + "".join(f"  {m}: {{value: 1}}\n" for m in misses)})
    assert [p.split(": error: ", 1)[1] for p in problems(root)] == [
        "unknown commitment 'email-replx-3'; did you mean 'email-reply-3'?",
        "unknown commitment 'emal-reply-3'; did you mean 'email-reply-3'?",
        "unknown commitment 'phone-ansewr-1'; did you mean 'phone-answer-1'?",
        "unknown commitment 'chatt-2'; did you mean 'chat-2'?",
        "unknown commitment 'chat-5-extra'; did you mean 'chat-5'?",
        "unknown commitment 'email-rep'; did you mean 'email-reply-0'?",
        "unknown commitment 'zzz-999-zzz'; known: email-reply-0, phone-answer-1, chat-2, "
        "email-reply-3, phone-answer-4, chat-5, email-reply-6, phone-answer-7, chat-8, "
        "email-reply-9, phone-answer-10, chat-11, ..."]
    assert compared and max(compared) <= 40, compared


# --- mkdocs.yml -------------------------------------------------------------------------------


def config_problems(tmp_path: Path, config: str, python_tags: bool = False) -> list[str]:
    root = write_project(tmp_path, mkdocs=config)
    return [p.format() for p in check(root, site_config=True, python_tags=python_tags).problems]


@pytest.mark.parametrize("config, message", [
    ("markdown_extensions: 5", "mkdocs.yml:2:22: error: 'markdown_extensions' must be a list of "
     "Markdown extension names (lines starting with '- '), not the number 5"),
    ("theme: 5", "mkdocs.yml:2:8: error: 'theme' must be the name of a theme, or a mapping "
     "(name: material, ...), not the number 5"),
    ("extra: [1, 2]", "mkdocs.yml:2:8: error: 'extra' must be a mapping (extra), not a list"),
    ("extra: {version: 5}", "mkdocs.yml:2:18: error: 'version' must be a mapping (key: value "
     "lines), not the number 5"),
    ("extra_css: 5", "mkdocs.yml:2:12: error: 'extra_css' must be a list (lines starting with "
     "'- '), not the number 5"),
    ("markdown_extensions: [{}]", "mkdocs.yml:2:23: error: an item of 'markdown_extensions' must "
     "be a Markdown extension name, or a mapping of one name to its options, not an empty "
     "mapping; write '- NAME' or '- NAME:' with its options indented below it, one item for "
     "each Markdown extension"),
    ("markdown_extensions:\n  - toc: true", "mkdocs.yml:3:10: error: the options of Markdown "
     "extension 'toc' must be a mapping (option: value lines), not true/false (true)"),
    ("plugins: {search: [1]}", "mkdocs.yml:2:19: error: the options of plugin 'search' must be "
     "a mapping (option: value lines), not a list"),
    ("theme:\n  name: material\n  features: navigation.top", "mkdocs.yml:4:13: error: "
     "'features' must be a list (lines starting with '- '), not the text 'navigation.top'"),
    ("theme: {name: material, font: Roboto}", "mkdocs.yml:2:31: error: 'font' must be false, or "
     "a mapping of fonts, not the text 'Roboto'"),
    ("extra_javascript: [{src: a.js}]", "mkdocs.yml:2:20: error: script is missing required key "
     "'path'; the path or URL of the script"),
    ("site_name: [A]", "mkdocs.yml:1:12: error: 'site_name' must be text, not a list"),
    # As MkDocs reads it: YAML 1.1 dates, and PyYAML's parser rather than libyaml's.
    ("site_name: 2026-01-01", "mkdocs.yml:1:12: error: 'site_name' must be text, not the date "
     "2026-01-01; put it in quotes"),
    ("site_name: 2026-02-30", "mkdocs.yml:1:12: error: MkDocs cannot read '2026-02-30' as a date; "
     "put it in quotes to make it text"),
    ("site_name: \t", "mkdocs.yml:1:12: error: YAML does not allow a tab here; write spaces "
     "instead"),
    ("- a\n", "mkdocs.yml:1:1: error: the MkDocs config must be a mapping (key: value lines)"),
])
def test_mkdocs_config_types_are_located(tmp_path: Path, config: str, message: str) -> None:
    body = config if config.startswith("-") else f"site_name: Acme\n{config}\n"
    if config.startswith("site_name"):
        body = config + "\n"
    assert config_problems(tmp_path, body)[0] == message


def test_mkdocs_config_python_tags_are_refused(tmp_path: Path) -> None:
    config = ("site_name: Acme\nextra:\n  x: !!python/object/apply:os.system [touch pwned]\n"
              "markdown_extensions:\n  - pymdownx.emoji:\n"
              "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
              "      emoji_generator: !!python/name:evil.generator\n")
    hint = ("Kept refuses Python tags; if mkdocs.yml is trusted (its changes reviewed like code), "
            "run kept with --allow-python-tags")
    assert config_problems(tmp_path, config) == [
        "mkdocs.yml:3:6: error: the Python tag '!!python/object/apply:os.system' makes MkDocs "
        f"run the code it names; {hint}",
        "mkdocs.yml:7:24: error: the Python tag '!!python/name:evil.generator' makes MkDocs run "
        f"the code it names; {hint}"]
    assert config_problems(tmp_path, config, python_tags=True) == []
    assert not (tmp_path / "pwned").exists()


def test_mkdocs_config_python_tags_on_keys_are_refused(tmp_path: Path) -> None:
    """MkDocs' loader reads keys as it reads values: a Python tag on a key runs as surely."""
    config = ("site_name: Acme\nextra:\n  !!python/name:os.system x: 1\n"
              "  !!python/module:evil : 2\n!!python/name: : 3\n")
    assert config_problems(tmp_path, config) == [
        "mkdocs.yml:3:3: error: a key must be plain text, not tagged '!!python/name:os.system'; "
        "remove the tag",
        "mkdocs.yml:4:3: error: a key must be plain text, not tagged '!!python/module:evil'; "
        "remove the tag",
        "mkdocs.yml:5:1: error: a key must be plain text, not tagged '!!python/name:'; remove the tag"]


def test_mkdocs_config_tags_of_mkdocs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEPT_TEST_THEME", "5")
    monkeypatch.delenv("KEPT_TEST_UNSET", raising=False)
    config = ("site_name: !ENV [KEPT_TEST_UNSET, Acme]\ntheme: !ENV KEPT_TEST_THEME\n"
              "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: !relative $config_dir\n")
    assert config_problems(tmp_path, config) == [
        "mkdocs.yml:2:8: error: 'theme' must be the name of a theme, or a mapping (name: "
        "material, ...), not the number 5",
        "mkdocs.yml:5:18: error: Kept does not support MkDocs' '!relative' tag: the pages it "
        "generates are not files beside mkdocs.yml; write the path itself, relative to the "
        "repository"]


def test_mkdocs_config_paths_stay_in_the_repository(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", mkdocs="INHERIT: base/site.yml\ntheme:\n"
                                                   "  name: material\n  custom_dir: ../outside\n")
    (tmp_path / "outside").mkdir()
    (root / "base").mkdir()
    (root / "base" / "site.yml").write_text("INHERIT: ../mkdocs.yml\nextra_css: style.css\n")
    assert [p.format() for p in check(root, site_config=True).problems] == [
        "base/site.yml:1:10: error: 'INHERIT' leads back to mkdocs.yml; inherit from a config that "
        "does not inherit back",
        "base/site.yml:2:12: error: 'extra_css' must be a list (lines starting with '- '), not "
        "the text 'style.css'",
        "mkdocs.yml:4:15: error: 'custom_dir' leads out of the repository: '../outside'; name a "
        "folder inside the repository"]
    (root / "mkdocs.yml").write_text("INHERIT: /etc/passwd\n")
    assert [p.format() for p in check(root, site_config=True).problems] == [
        "mkdocs.yml:1:10: error: 'INHERIT' leads out of the repository: '/etc/passwd'; name a "
        "file inside the repository"]


def test_settings_kept_makes_are_warned_about(tmp_path: Path) -> None:
    assert config_problems(tmp_path, "site_name: Acme\nsite_url: https://x.example/\nnav: [a.md]\n") == [
        "mkdocs.yml:2:1: warning: 'site_url' is set by Kept for every edition: this one is not "
        "used; remove it",
        "mkdocs.yml:3:1: warning: 'nav' is set by Kept for every edition: this one is not used; "
        "remove it"]
    assert config_problems(tmp_path, "site_name: Acme\n") == []


def test_an_id_or_period_with_a_line_break_after_it_is_refused(tmp_path: Path) -> None:
    """A block scalar (`id: |`) keeps its final line break, which '$' let through: pages and
    URLs were made with a line break in their names."""
    root, text = commitments_with(tmp_path, "  - id: callback\n", "  - id: |\n      callback\n")
    assert problems(root)[0] == (
        f"{located(text, '|', 'commitments.yml')}: error: 'id' must be an id (lower-case letters, "
        "digits and single hyphens, at most 64 characters), not the text 'callback\\n'; for "
        "example 'callback'")
    root = write_project(tmp_path / "other", results={"2025-Q3": 'period: "2025-Q3\\n"\n'})
    assert problems(root)[0].startswith(
        "results/2025-Q3.yml:1:9: error: 'period' must be a period such as 2026-09, 2026-Q3, 2025, 2024-25 or 2024-25-Q3")


# A figure written as many languages write it: said in plain words, in every number field.
@pytest.mark.parametrize("period, old, new, needle, message", [
    ("2025-Q2", "  callback: {value: 97}", "  callback:\n    value: 88,5", "88,5",
     "'value' must be a number, not the text '88,5'; use a decimal point: 88.5"),
    ("2025-Q2", "    value: 6.5", "    value: 88,5%", "88,5%", "'value' must be a number, not "
     "the text '88,5%'; use a decimal point (without the unit): 88.5"),
    ("2025-Q2", "    sample: 1200", "    sample: 1,200", "1,200",
     "'sample' must be a whole number, not the text '1,200'; write the digits alone: 1200"),
    ("2025-Q2", "      north: {value: 6.0, sample: 700}", "      north: 6,25", "6,25",
     "'locations.north' must be a number, not the text '6,25'; use a decimal point: 6.25"),
    ("2025-Q3", "  email-reply: {value: 5.0, sample: 1300}",
     "  email-reply: {value: 5,25, sample: 1300}", "25, sample",
     "unknown key '25' in measurement; between braces a comma separates entries: for the figure "
     "5,25, use a decimal point: 5.25"),
    ("2025-Q2", "      south: {value: 7.1, sample: 20}", "      south: 7,1\n      pilot: 7",
     "7,1", "'locations.south' must be a number, not the text '7,1'; use a decimal point: 7.1"),
])
def test_a_decimal_comma_is_named(tmp_path: Path, period: str, old: str, new: str, needle: str,
                                  message: str) -> None:
    root, text = results_with(tmp_path, period, old, new)
    assert f"{located(text, needle, f'results/{period}.yml')}: error: {message}" in problems(root)


def test_a_decimal_comma_in_braces_is_one_error(tmp_path: Path) -> None:
    root, text = results_with(
        tmp_path, "2025-Q2", "    locations:\n      north: {value: 6.0, sample: 700}\n"
        "      south: {value: 7.1, sample: 20}\n", "    locations: {north: 6,5, south: 7}\n")
    assert [p for p in problems(root) if "error" in p] == [
        f"{located(text, '5, south', 'results/2025-Q2.yml')}: error: '5' stands where a location "
        "id is expected; between braces a comma separates entries: for the figure 6,5, use a "
        "decimal point: 6.5"]


def test_a_target_with_a_decimal_comma(tmp_path: Path) -> None:
    root, text = commitments_with(tmp_path, "      target: 4\n", "      target: 3,5\n")
    assert problems(root)[0] == (f"{located(text, '3,5', 'commitments.yml')}: error: 'target' "
                                 "must be a number, not the text '3,5'; use a decimal point: 3.5")
