"""The parse cache: one entry a data file, written only when the file was parsed anew; the
marks of a cached file decoded only when something in it is pointed at."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

import generator.parsecache
from generator.build import build_site
from generator.load import Map, Seq, load_file
from generator.parsecache import ParseCache
from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, at, located, write_project


def _where(problems: list[object]) -> list[str]:
    return [p.format() for p in problems]  # type: ignore[attr-defined]


def test_cached_data_has_every_mark_and_copies_as_plain_located_data(tmp_path: Path) -> None:
    text = ("a: 1\nlist:\n  - x\n  - {b: 2.5, c: null}\n  - [1, [2, {z: 3}], []]\nh: {}\n"
            "top: [[q]]\n")
    (tmp_path / "f.yml").write_text(text, encoding="utf-8")
    fresh = load_file(tmp_path, "f.yml")[0]
    cache = ParseCache()
    load_file(tmp_path, "f.yml", cache)
    cache.write(tmp_path / "parsed")

    def cached() -> object:
        return load_file(tmp_path, "f.yml", ParseCache.read(tmp_path / "parsed"))[0]

    assert located(cached()) == located(fresh)
    deep = cached()
    assert isinstance(deep, Map) and deep["list"][2][1][1].val_pos["z"] == (5, 17)
    assert deep.key_pos["top"] == (7, 1)  # the top level, after what is below it
    for copied in (pickle.loads(pickle.dumps(cached())), copy.deepcopy(cached())):
        assert type(copied) is Map and type(copied["list"][2]) is Seq  # type: ignore[index]
        assert located(copied) == located(fresh)


def test_a_cached_files_marks_are_decoded_only_to_point_at_something_below_its_top(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long history's results files hold hundreds of thousands of values, and a valid file's
    are pointed at by nothing: their marks stay encoded. Those of the top level (a period
    without a record is warned of at its publication date) are kept apart."""
    root = write_project(tmp_path / "data", records=False)
    cache = ParseCache()
    assert check(root, cache=cache).errors == []
    cache.write(tmp_path / "parsed")
    decoded: list[object] = []  # the files whose marks below the top level were decoded
    below = generator.parsecache._attach_below

    def counted(value: Map, *rest: object) -> None:
        decoded.append(value.get("period", "commitments.yml"))
        below(value, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.parsecache, "_attach_below", counted)
    fresh = check(root).problems
    assert "results/2025-Q2.yml:2:12: warning: published period 2025-Q2 has no record" in (
        "\n".join(_where(fresh)))
    assert check(root, cache=ParseCache.read(tmp_path / "parsed")).problems == fresh
    assert decoded == ["commitments.yml"]  # every commitment's references are checked
    # 'south' no longer a location of email-reply: 2025-Q2's figure for it is an error, at
    # its place, and that file's marks (only that file's) are decoded to say where.
    (root / "commitments.yml").write_text(COMMITMENTS.replace(
        "locations: [north, south, pilot]", "locations: [north, pilot]"), encoding="utf-8")
    fresh = check(root).problems
    assert f"results/2025-Q2.yml:{at(root, 'results/2025-Q2.yml', 'south:')}: error: location " \
           "'south' is not listed by commitment 'email-reply'" in "\n".join(_where(fresh))
    assert check(root, cache=ParseCache.read(tmp_path / "parsed")).problems == fresh
    assert decoded == ["commitments.yml", "2025-Q2"]  # commitments.yml was parsed anew


def test_a_build_writes_the_entries_of_the_files_it_parsed_and_links_the_others(
        tmp_path: Path) -> None:
    """Publishing a month of a long history wrote the whole parse cache again (tens of
    megabytes); now the new file's entry, the others being the previous build's files."""
    root = write_project(tmp_path / "data")
    out = tmp_path / "site"
    build_site(root, out, audiences=("public",), jobs=1)
    before = {p.name: p.stat().st_ino for p in (out / ".kept-parsed").iterdir()}
    assert len(before) == 6  # commitments.yml, the three results files and two records
    (root / "results" / "2025-Q4.yml").write_text(
        RESULTS["2025-Q4"].replace("value: 3.5", "value: 3.25"), encoding="utf-8")
    build_site(root, out, audiences=("public",), jobs=1)
    after = {p.name: p.stat().st_ino for p in (out / ".kept-parsed").iterdir()}
    assert len(after) == 6 and len(set(after) - set(before)) == 1
    assert all(after[name] == before[name] for name in set(after) & set(before))


@pytest.mark.parametrize("damage", ["marks", "lists", "data", "header"])
def test_a_damaged_entry_never_stops_a_check(tmp_path: Path, damage: str) -> None:
    """The output folder may come from anywhere (a CI cache): an entry whose data, lists or
    header cannot be read is parsed again; damaged marks point at the file's start."""
    q2 = RESULTS["2025-Q2"].replace("south: {", "sourh: {")
    root = write_project(tmp_path / "data", results={**RESULTS, "2025-Q2": q2}, records=False)
    fresh = _where(check(root).problems)
    assert f"results/2025-Q2.yml:{at(root, 'results/2025-Q2.yml', 'sourh:')}: error: location " \
           "'sourh' is not listed by commitment 'email-reply'" in "\n".join(fresh)
    cache = ParseCache()
    check(root, cache=cache)
    cache.write(tmp_path / "parsed")
    for entry in (tmp_path / "parsed").iterdir():
        header, data, marks = entry.read_bytes().split(b"\n", 2)
        if damage == "marks":
            marks = b'[1, "2", 3]'
        elif damage == "lists":
            header = header.replace(b'"seqs": [', b'"seqs": [["nowhere", 7], ')
        elif damage == "data":
            data = b"[" * 100_000
        else:
            header = b"{"
        entry.write_bytes(b"\n".join([header, data, marks]))
    warm = ParseCache.read(tmp_path / "parsed")
    found = _where(check(root, cache=warm).problems)
    if damage != "marks":
        assert found == fresh and warm.added  # parsed again
        return
    assert "results/2025-Q2.yml:1:1: error: location 'sourh' is not listed by commitment " \
           "'email-reply'" in "\n".join(found)
    assert len(found) == len(fresh) and not warm.added


def test_a_cached_files_data_goes_when_nothing_holds_it(tmp_path: Path) -> None:
    """Freed as any data is, not by the cyclic garbage collector (a long history's results
    files are hundreds of megabytes in memory); a part that outlives the rest (the model
    keeps `internal:` notes) has marks at the file's start, and copies as located data."""
    import gc
    import weakref

    (tmp_path / "f.yml").write_text("a: 1\ninternal:\n  notes: [x, {y: 2}]\n", encoding="utf-8")
    cache = ParseCache()
    load_file(tmp_path, "f.yml", cache)
    cache.write(tmp_path / "parsed")
    data = load_file(tmp_path, "f.yml", ParseCache.read(tmp_path / "parsed"))[0]
    notes = data["internal"]["notes"]
    gone = weakref.ref(data)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del data
        assert gone() is None
    finally:
        if enabled:
            gc.enable()
    assert notes.pos == (1, 1) and notes.item_pos == [(1, 1), (1, 1)]
    copied = pickle.loads(pickle.dumps(notes))
    assert type(copied) is Seq and copied == ["x", {"y": 2}] and copied[1].val_pos == {"y": (1, 1)}
