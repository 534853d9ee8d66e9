from __future__ import annotations

from pathlib import Path

import pytest

from generator.load import MAX_FILE_BYTES, Map, Seq, load_file, load_text
from tests.helpers import located


def test_positions_of_keys_values_and_items() -> None:
    data, problems = load_text("a: 1\nlist:\n  - x\n  - {b: 2}\n", "f.yml")
    assert problems == []
    assert isinstance(data, Map) and data.key_pos["list"] == (2, 1)
    assert data.val_pos["a"] == (1, 4)
    seq = data["list"]
    assert isinstance(seq, Seq) and seq.item_pos == [(3, 5), (4, 5)]
    assert seq[1].val_pos["b"] == (4, 9)


def test_dates_stay_text_and_numbers_are_numbers() -> None:
    data, _ = load_text("d: 2026-02-30\nn: 1000\nf: 2.5\nb: true\nz: null\n", "f.yml")
    assert data == {"d": "2026-02-30", "n": 1000, "f": 2.5, "b": True, "z": None}


def test_numbers_are_what_every_yaml_reader_reads_the_same() -> None:
    numbers = ["0", "-0", "+1", "12", "-4.5", "1.", ".5", "1.5e+3", "-2.0E-2", "1" + "0" * 400]
    text = "".join(f"n{i}: {n}\n" for i, n in enumerate(numbers))
    data, problems = load_text(text, "f.yml")
    assert problems == [] and list(data.values()) == [
        0, 0, 1, 12, -4.5, 1.0, 0.5, 1500.0, -0.02, 10**400]
    assert all(type(v) is int for v in list(data.values())[:4])
    # What only YAML 1.1 reads as a number or a boolean is the text written, as YAML 1.2 has it.
    texts = ["2:30", "190:20:30", "0100", "0x10", "0b101", "1_000", "00.5", "1_0.5", "1e5",
             "yes", "No", "on", "OFF", "=", "2026-01-01 10:00:00"]
    data, problems = load_text("".join(f"t{i}: {t}\n" for i, t in enumerate(texts)), "f.yml")
    assert problems == [] and list(data.values()) == texts
    data, _ = load_text("a: .inf\nb: -.Inf\nc: .NaN\nd: TRUE\ne: False\n", "f.yml")
    assert data["a"] == float("inf") and data["b"] == float("-inf") and data["c"] != data["c"]
    assert (data["d"], data["e"]) == (True, False)


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    _, problems = load_text("title: a\nother: 1\ntitle: b\n", "f.yml")
    assert [(p.line, p.col) for p in problems] == [(3, 1)]
    assert "duplicate key 'title' (first at line 1)" in problems[0].message


def test_alias_bomb_is_stopped() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [{', '.join('*' + prev for _ in range(10))}]\n"
    _, problems = load_text(bomb, "f.yml")
    assert len(problems) == 1 and "expands to more than" in problems[0].message


def test_recursive_alias_is_stopped() -> None:
    _, problems = load_text("a: &a\n  b: *a\n", "f.yml")
    assert len(problems) == 1 and "nests deeper" in problems[0].message


def test_unsupported_tag() -> None:
    _, problems = load_text("a: !!python/object:os.system x\n", "f.yml")
    assert "unsupported YAML tag" in problems[0].message and (problems[0].line, problems[0].col) == (1, 4)


def test_empty_and_multi_document_files() -> None:
    assert load_text("# only a comment\n", "f.yml")[1][0].message == "the file is empty"
    assert "more than one YAML document" in load_text("a: 1\n---\nb: 2\n", "f.yml")[1][0].message


def test_not_utf8_is_located(tmp_path: Path) -> None:
    (tmp_path / "f.yml").write_bytes(b"a: 1\nb: caf\xe9\n")
    _, problems = load_file(tmp_path, "f.yml")
    assert (problems[0].line, problems[0].col) == (2, 7)
    assert "not UTF-8" in problems[0].message


def test_oversized_file(tmp_path: Path) -> None:
    (tmp_path / "f.yml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    _, problems = load_file(tmp_path, "f.yml")
    assert "more than the limit" in problems[0].message


def test_parse_cache_gives_back_what_parsing_gives(tmp_path: Path) -> None:
    from generator.parsecache import ParseCache

    text = ("a: 1\nlist:\n  - x\n  - {b: 2.5, c: null, d: true, e: 2026-02-30}\n"
            "f: .inf\ng: 'é \\ud7ff'\ntitle: one\ntitle: two\n")
    (tmp_path / "f.yml").write_text(text, encoding="utf-8")
    fresh = load_file(tmp_path, "f.yml")
    cache = ParseCache()
    load_file(tmp_path, "f.yml", cache)
    cache.write(tmp_path / "parsed")
    again = ParseCache.read(tmp_path / "parsed")
    cached = load_file(tmp_path, "f.yml", again)
    assert again.used and not again.added  # read from the cache, not parsed
    assert located(cached[0]) == located(fresh[0]) and cached[1] == fresh[1] != []
    # A changed file is parsed again.
    (tmp_path / "f.yml").write_text(text.replace("a: 1", "a: 2"), encoding="utf-8")
    assert load_file(tmp_path, "f.yml", again)[0]["a"] == 2 and again.added


def test_what_the_shape_check_found_is_kept_with_the_parsed_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A results file's shape is checked again only when the file or Kept's code changed:
    what the check says is the same, from the cache or not."""
    import generator.parsecache
    from generator.parsecache import ParseCache
    from generator.validate import check
    from tests.helpers import RESULTS, write_project

    bad = RESULTS["2025-Q3"].replace("satisfaction: {value: 91}", "satisfaction: {value: 91, sampel: 3}")
    root = write_project(tmp_path / "data", results={**RESULTS, "2025-Q3": bad})
    fresh = check(root).problems
    assert [(p.path, p.line, p.col, p.severity) for p in fresh] == [
        ("results/2025-Q3.yml", 5, 29, "error")]  # the unknown key
    cache = ParseCache()
    assert check(root, cache=cache).problems == fresh
    cache.write(tmp_path / "parsed")
    calls: list[str] = []
    checking = generator.validate._shape_problems

    def counted(data: object, rel: str, languages: tuple[str, ...]) -> list[object]:
        calls.append(rel)
        return checking(data, rel, languages)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.validate, "_shape_problems", counted)
    again = ParseCache.read(tmp_path / "parsed")
    assert check(root, cache=again).problems == fresh and calls == []
    (root / "results/2025-Q2.yml").write_text(RESULTS["2025-Q2"] + "\n")
    assert check(root, cache=again).problems == fresh and calls == ["results/2025-Q2.yml"]
    monkeypatch.setattr(generator.parsecache, "_code", lambda: "another Kept")
    assert check(root, cache=again).problems == fresh and len(calls) == 1 + 3


def test_tags_on_mappings_and_lists_are_refused_too() -> None:
    data, problems = load_text("a: !!set {x, y}\nb: !!omap [c: 1]\nd: !!python/object/apply:os.system [ls]\n"
                               "e: !custom {f: 1}\n", "f.yml")
    assert data == {"a": None, "b": None, "d": None, "e": None}
    assert [(p.line, p.col, p.message) for p in problems] == [
        (1, 4, "unsupported YAML tag '!!set'"), (2, 4, "unsupported YAML tag '!!omap'"),
        (3, 4, "unsupported YAML tag '!!python/object/apply:os.system'"),
        (4, 4, "unsupported YAML tag '!custom'")]


def test_mkdocs_config_is_read_as_mkdocs_reads_it_without_running_anything(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.load import PythonObject

    monkeypatch.setenv("KEPT_TEST_VAR", "0100")
    text = ("a: yes\nb: 0100\nc: !ENV KEPT_TEST_VAR\nd: !ENV [KEPT_TEST_NONE, {x: 1}]\n"
            "e: !!python/name:pymdownx.superfences.fence_code_format\n"
            "f: !!python/name:os.system\n")
    data, problems = load_text(text, "mkdocs.yml", mkdocs=True)
    assert data == {"a": True, "b": 64, "c": 64, "d": {"x": 1},
                    "e": PythonObject("!!python/name:pymdownx.superfences.fence_code_format"),
                    "f": None}
    assert [(p.line, p.col) for p in problems] == [(6, 4)]
    data, problems = load_text(text, "mkdocs.yml", mkdocs=True, python_tags=True)
    assert problems == [] and data["f"] == PythonObject("!!python/name:os.system")
