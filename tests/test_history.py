"""A long history: each edition holds what is new in it (pages about earlier periods are
redirects to the edition where they first appeared; latest/ holds full pages), commitment
pages and feeds are bounded, the theme's files are stored once per site, and every address
ever published keeps working."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import generator.render
from generator.build import build_site
from generator.engine import store
from generator.project import editions, project
from generator.render import render_edition
from generator.synthetic import Size, generate
from generator.validate import load_dataset
from tests.htmlcheck import live_markup

pytestmark = pytest.mark.slow

# A small monthly history: two years, the newest month a draft.
SHAPE = Size(commitments=5, locations=3, periods=24, improvements=2, monthly=True, measured_at=3)
REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]*)">')


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def addresses(out: Path) -> list[str]:
    """Every address the output publishes, as a reader would ask for it (folders for pages)."""
    found = []
    for audience in ("public", "internal"):
        for path in (out / audience).rglob("*"):
            if path.is_file():
                rel = path.relative_to(out).as_posix()
                found.append(rel[:-len("index.html")] if path.name == "index.html" else rel)
    return sorted(found)


def answer(out: Path, address: str) -> tuple[Path, int]:
    """The file that answers an address, following redirects the way a browser does (each
    relative to the page it is on), and how many it followed. Fails on an address that
    answers nothing or leads out of the site."""
    hops = 0
    while True:
        path = out / address
        path = path / "index.html" if address.endswith("/") or path.is_dir() else path
        assert path.is_file(), f"{address} answers nothing"
        if path.suffix != ".html":
            return path, hops
        found = REFRESH.search(path.read_text(encoding="utf-8"))
        if found is None:
            return path, hops
        target = html.unescape(found.group(1))
        assert "://" not in target and not target.startswith("/"), target  # relative: any host
        base = address if address.endswith("/") else address.rsplit("/", 1)[0] + "/"
        resolved = (Path("/") / base / target).resolve()
        assert resolved.parts[1] == address.split("/")[0], f"{address} leads out of its site"
        address = resolved.relative_to("/").as_posix() + ("/" if target.endswith("/") else "")
        hops += 1
        assert hops <= 1, f"{address}: a redirect to a redirect"


def continue_history(root: Path, later: list[Path]) -> None:
    """The next months of the history, as they are published."""
    for path in later:
        shutil.move(str(path), root / "results" / path.name)


def test_every_address_ever_published_keeps_working(tmp_path: Path) -> None:
    """Twelve months built and every address recorded; then twelve more: each recorded
    address answers with a page, or with a redirect (one, relative, inside its site) to one.
    The build that added them is the build from nothing, byte for byte."""
    root = generate(tmp_path / "data", SHAPE)
    months = sorted((root / "results").glob("*.yml"))
    aside = tmp_path / "later"
    aside.mkdir()
    for path in months[12:]:
        shutil.move(str(path), aside / path.name)
    out = tmp_path / "out"
    build_site(root, out, jobs=2)
    published = addresses(out)
    assert "public/2024-12/improvements/improvement-00002/" in published
    continue_history(root, sorted(aside.iterdir()))
    build_site(root, out, jobs=2)
    moved = 0
    for address in published:
        path, hops = answer(out, address)
        moved += hops
        if path.suffix == ".html":
            assert 'http-equiv="refresh"' not in path.read_text(encoding="utf-8")
    assert moved > 100  # the pages about earlier months in each edition
    # A page about an earlier month, in a later edition: a redirect to its own month's.
    path, hops = answer(out, "public/2025-06/improvements/improvement-00002/")
    assert hops == 1 and path == out / "public/2024-01/improvements/improvement-00002/index.html"
    build_site(root, tmp_path / "cold", jobs=1)
    assert tree(out) == tree(tmp_path / "cold")


def test_an_edition_that_gains_or_loses_a_page_matches_a_cold_build(tmp_path: Path) -> None:
    """The draft gains an improvement (a page in its edition, and in latest/), then loses
    it; and a month is published: each incremental build is byte-identical to a cold one."""
    root = generate(tmp_path / "data", SHAPE)
    out = tmp_path / "out"
    build_site(root, out, jobs=2)
    draft = sorted((root / "results").glob("*.yml"))[-1]
    before = draft.read_text()
    added = before.replace("improvements:\n", "improvements:\n- id: added-late\n"
                           "  date: 2025-12-02\n  title: Added late\n  you_said: Something.\n"
                           "  we_did: Something else.\n", 1)
    assert added != before
    steps = [(added, "gained"), (before, "lost"),
             (before.replace("period: 2025-12\n", "period: 2025-12\npublished: 2026-01-07\n"),
              "published")]
    for text, step in steps:
        draft.write_text(text)
        build_site(root, out, jobs=2)
        cold = tmp_path / f"cold-{step}"
        build_site(root, cold, jobs=1)
        assert tree(out) == tree(cold), step
        page = out / "internal/latest/improvements/added-late/index.html"
        assert page.is_file() == (step == "gained"), step
    # The month just published: the public site's newest edition, and its older pages'
    # full versions in latest/.
    newest = out / "public/2025-12"
    assert (newest / "improvements/improvement-00047/index.html").stat().st_size > 5000
    assert (out / "public/latest/improvements/improvement-00002/index.html").samefile(
        out / "public/2024-01/improvements/improvement-00002/index.html")


def test_a_redirect_is_safe_and_says_where_the_page_is(tmp_path: Path) -> None:
    """A redirect holds nothing from the data but the title, escaped: no script, a relative
    address in the refresh, the canonical link and a plain link, and it is not indexed."""
    root = generate(tmp_path / "data", Size(commitments=3, locations=2, periods=3,
                                             improvements=2, monthly=True))
    first = sorted((root / "results").glob("*.yml"))[0]
    first.write_text(first.read_text().replace(
        "title: Improvement 2 to chat",
        "title: '<script>alert(''xss'')</script>\"><b>Improvement 2 to chat'"))
    out = tmp_path / "out"
    build_site(root, out, jobs=1)
    for audience, robots in (("public", "noindex"), ("internal", "noindex, nofollow")):
        text = (out / audience / "2025-02/improvements/improvement-00002/index.html").read_text()
        assert text == (
            '<!doctype html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
            "<title>&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;&quot;&gt;&lt;b&gt;"
            "Improvement 2 to chat</title>\n"
            f'<meta name="robots" content="{robots}">\n'
            '<meta http-equiv="refresh" content="0; url=../../../2025-01/improvements/improvement-00002/">\n'
            '<link rel="canonical" href="../../../2025-01/improvements/improvement-00002/">\n'
            "</head>\n<body>\n"
            + ('<div class="kept-internal-banner" role="note"><strong>Internal</strong>: '
               "for the team only. Do not share with customers.</div>\n"
               if audience == "internal" else "")
            + '<p>This page is in the edition of 2025-01: <a href="../../../2025-01/improvements/'
            'improvement-00002/">&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;&quot;&gt;'
            "&lt;b&gt;Improvement 2 to chat</a></p>\n</body>\n</html>\n")
        assert live_markup(text, page=True) == []
        assert answer(out, f"{audience}/2025-02/improvements/improvement-00002/")[1] == 1


def test_an_edition_holds_what_is_new_in_it(tmp_path: Path) -> None:
    """Each edition's full pages are those of its own month and the summaries; its search
    index covers them, not the whole history; latest/ has them all in full."""
    root = generate(tmp_path / "data", SHAPE)
    out = tmp_path / "out"
    build_site(root, out, jobs=2, audiences=("public",))
    edition = out / "public/2025-11"
    full = sorted(p.parent.relative_to(edition).as_posix() + "/"
                  for p in edition.rglob("index.html")
                  if 'http-equiv="refresh"' not in p.read_text())
    assert full == sorted(["./", "commitments/", "improvements/", "reports/",
                           "improvements/improvement-00045/", "improvements/improvement-00046/",
                           "reports/2025-11/"]
                          + [f"commitments/{p.name}/" for p in (edition / "commitments").iterdir()
                             if p.is_dir()])
    index = (edition / "search/search_index.json").read_text()
    assert "improvement-00045" in index and "improvement-00002" not in index
    assert "reports/2025-10/" not in index
    latest = out / "public/latest"
    assert not any('http-equiv="refresh"' in p.read_text() for p in latest.rglob("index.html"))
    assert len(list(latest.glob("improvements/*/index.html"))) == 40  # 6 of 46 are internal


def test_commitment_pages_and_feeds_are_bounded(tmp_path: Path) -> None:
    """A commitment's tables show the last twelve months (the newest with the cases measured
    at each location) and say where the earlier ones are; the chart has them all; feeds
    hold the last three months; the changelog lists older months' improvements by title."""
    root = generate(tmp_path / "data", SHAPE)
    data, _ = load_dataset(root)
    newest = editions(project(data, "public"), "public")[0]
    assert newest.id == "2025-11"
    rendered = render_edition(newest)
    cid = newest.commitments[0].id
    page = rendered.expanded(f"commitments/{cid}.md")
    results, by_location = re.findall(r"<table[^>]*>.*?</table>", page, re.S)[:2]
    months = [f"2024-{m:02d}" for m in range(12, 13)] + [f"2025-{m:02d}" for m in range(1, 12)]
    assert re.findall(r">(20\d\d-\d\d)</a>", results) == months[::-1]
    assert re.findall(r"<tr><td>(20\d\d-\d\d)</td>", by_location) == months[::-1]
    rows = by_location.split("<tr>")[2:]
    assert "<small>(" in rows[0] and not any("<small>(" in row for row in rows[1:])
    assert ('<p class="kept-earlier">The results of the earlier 11 periods are in the chart and '
            'in the open data: <a href="../../../latest/api/results.csv">every result, for '
            "spreadsheets</a> (CSV).</p>") in page
    assert ("<p class=\"kept-earlier\">Earlier periods&#x27; figures by location are in the open data: "
            '<a href="../../../latest/api/results.csv">every result, for spreadsheets</a> '
            "(CSV).</p>") in page
    # The chart: every month.
    [chart] = re.findall(r'<svg class="kept-chart kept-chart--wide".*?</svg>', page, re.S)
    assert chart.count('class="kept-met"') + chart.count('class="kept-missed"') == 23 + 2  # legend
    assert "<desc id=\"chart-desc\">2024-01: " in page
    feed = rendered.assets[f"commitments/{cid}/feed.xml"]
    assert re.findall(r"<title>(\w+ 20\d\d): ", feed) == ["November 2025", "October 2025",
                                                           "September 2025"]
    location = next(path for path in rendered.assets if path.startswith("locations/"))
    assert len(re.findall(r"<entry>", rendered.assets[location])) == 3
    # Two a month, one of the six internal (improvement-00041).
    assert len(re.findall(r"<entry>", rendered.assets["feed.xml"])) == 5
    changelog = rendered.expanded("improvements/index.md")
    assert "### Improvement 46 to" in changelog and "### Improvement 23 to" in changelog
    assert "### Improvement 22 to" not in changelog
    assert ('<li id="improvement-00022"><a href="../improvements/improvement-00022/">Improvement 22 to '
            in changelog)


def test_kept_serve_shows_every_page_in_full(tmp_path: Path) -> None:
    """kept serve builds the newest edition alone: it has no edition to send readers to,
    so its pages about earlier months are full pages, and its open data the whole history."""
    root = generate(tmp_path / "data", Size(commitments=3, locations=2, periods=3,
                                             improvements=2, monthly=True))
    out = tmp_path / "out"
    build_site(root, out, audiences=("internal",), jobs=1, newest_only=True)
    assert [p.name for p in (out / "internal").iterdir() if p.name[0].isdigit()] == ["2025-03"]
    pages = list((out / "internal").glob("*/**/index.html"))
    assert pages and not any('http-equiv="refresh"' in p.read_text() for p in pages)
    assert (out / "internal/2025-03/improvements/improvement-00001/index.html").is_file()
    assert ",2025-01," in (out / "internal/2025-03/api/results.csv").read_text()


def test_a_promise_in_words_has_no_chart_to_point_to(tmp_path: Path) -> None:
    root = generate(tmp_path / "data", SHAPE)
    commitments = root / "commitments.yml"
    text = commitments.read_text()
    commitments.write_text(text + "- id: keep-number\n  title: We keep our number\n"
                           "  promise: Our phone number does not change.\n  kind: words\n"
                           "  since: '2024-01-01'\n")
    for path in sorted((root / "results").glob("*.yml")):
        path.write_text(path.read_text().replace("measurements:\n", "measurements:\n"
                                                 "  keep-number: {status: met}\n", 1))
    data, _ = load_dataset(root)
    page = render_edition(editions(project(data, "public"), "public")[0]).expanded(
        "commitments/keep-number.md")
    assert ('<p class="kept-earlier">The results of the earlier 11 periods are in the open '
            'data: <a href="../../../latest/api/results.csv">') in page


def test_the_theme_is_stored_once_and_the_old_one_goes(tmp_path: Path) -> None:
    """Every edition of a site uses the site's one store of the theme's files; when the
    theme changes (here: its store renamed as an older version's would be), the editions
    are built again with the new one and the old one goes."""
    root = generate(tmp_path / "data", Size(commitments=3, locations=2, periods=3,
                                             improvements=1, monthly=True))
    out = tmp_path / "out"
    build_site(root, out, jobs=1)
    [digest] = store.digests(out / "public" / store.FOLDER)
    for audience in ("public", "internal"):
        pages = list((out / audience).glob("*/commitments/*/index.html"))
        assert pages and all(f"../../../{store.FOLDER}/{digest}/assets/" in p.read_text()
                             for p in pages)
    old = out / "public" / store.FOLDER / "0123456789abcdef"
    (out / "public" / store.FOLDER / digest).rename(old)
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text() + "copyright: Acme\n")
    build_site(root, out, jobs=1)
    assert store.digests(out / "public" / store.FOLDER) == [digest]
    build_site(root, tmp_path / "cold", jobs=1)
    assert tree(out) == tree(tmp_path / "cold")


def test_without_the_internal_it_relies_on_the_theme_stays_in_each_edition(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When Material no longer names its assets as the store was written for, each edition
    keeps its own copy of them, as before: the site works, only larger."""
    monkeypatch.setattr(store, "has", lambda *keys: False)
    root = generate(tmp_path / "data", Size(commitments=3, locations=2, periods=3,
                                             improvements=1, monthly=True))
    out = tmp_path / "out"
    build_site(root, out, jobs=1)
    assert not (out / "public" / store.FOLDER).exists()
    page = (out / "public/2025-02/commitments/index.html").read_text()
    [stylesheet] = re.findall(r'href="\.\./(assets/stylesheets/main\.\w+\.min\.css)"', page)
    assert (out / "public/2025-02" / stylesheet).is_file()
    # An edition whose theme is there is reused by the next build.
    assert sorted(build_site(root, tmp_path / "out", jobs=1).reused) == [
        "internal/2025-01", "internal/2025-02", "internal/2025-03", "public/2025-01",
        "public/2025-02"]


def test_publishing_a_month_makes_latests_own_files_in_another_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """latest/'s own files (every period's open data) cost as much as the new edition's pages:
    with a processor to spare, another process makes them, once, while the edition builds;
    the output is the cold build's, byte for byte."""
    root = generate(tmp_path / "data", SHAPE)
    out = tmp_path / "out"
    build_site(root, out, audiences=("public",), jobs=2)
    draft = sorted((root / "results").glob("*.yml"))[-1]
    draft.write_text(draft.read_text().replace("period: 2025-12\n",
                                               "period: 2025-12\npublished: 2026-01-07\n"))
    makers = tmp_path / "makers"
    making = generator.render.latest_files

    def recorded(view: Any, *rest: Any) -> dict[str, str]:
        with makers.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return making(view, *rest)

    monkeypatch.setattr(generator.render, "latest_files", recorded)
    assert build_site(root, out, audiences=("public",), jobs=2).editions["public"][0] == "2025-12"
    assert len(makers.read_text().split()) == 1 and makers.read_text() != f"{os.getpid()}\n"
    monkeypatch.undo()
    build_site(root, tmp_path / "cold", audiences=("public",), jobs=1)
    assert tree(out) == tree(tmp_path / "cold")


def test_a_build_keeps_no_edition_once_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edition holds its periods (in a long history, every figure of every month): a
    process that kept the last one listed to its end freed it there, where collections went
    through it first."""
    import gc
    import weakref

    import generator.pages

    listed: list[weakref.ref[Any]] = []
    listing = generator.pages._pages

    def recorded(edition: Any) -> Any:
        listed.append(weakref.ref(edition))
        return listing(edition)

    monkeypatch.setattr(generator.pages, "_pages", recorded)
    root = generate(tmp_path / "data", SHAPE)
    build_site(root, tmp_path / "out", audiences=("public",), jobs=1)
    gc.collect()
    assert len(listed) > 20 and [ref for ref in listed if ref() is not None] == []


def _counting_parts(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The parts of latest/'s files made (not taken from before), by file: 'commitment period'."""
    import generator.latest

    made: dict[str, list[str]] = {"api/results.csv": [], "api/commitments.json": []}
    reusing = generator.latest.Reuse.__call__

    def counted(self: Any, path: str, commitment: Any, row: Any, make: Any) -> str:
        def making() -> str:
            made[path].append(f"{commitment.id} {row.period.id}")
            return make()
        return reusing(self, path, commitment, row, making)

    monkeypatch.setattr(generator.latest.Reuse, "__call__", counted)
    return made


def _change_a_figure(root: Path, month: str, value: str) -> str:
    """A public commitment's figure in a month changed; the commitment."""
    path = root / "results" / f"{month}.yml"
    text = path.read_text()
    found = re.search(r"^  (c0002-chat):\n    value: ([0-9.]+)\n", text, re.MULTILINE)
    assert found is not None  # the second commitment is public (see synthetic)
    path.write_text(text.replace(found.group(0), f"  c0002-chat:\n    value: {value}\n", 1))
    return found.group(1)


def test_latests_files_take_from_before_what_did_not_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """latest/'s own files are every figure of every month: publishing a month makes that
    month's part of them, a changed figure of an earlier month its commitment's part of that
    month, and takes the rest from the previous build's files; each build's output is the
    cold build's, byte for byte."""
    root = generate(tmp_path / "data", SHAPE)
    out = tmp_path / "out"
    build_site(root, out, audiences=("public",), jobs=1)
    made = _counting_parts(monkeypatch)
    draft = sorted((root / "results").glob("*.yml"))[-1]
    draft.write_text(draft.read_text().replace("period: 2025-12\n",
                                               "period: 2025-12\npublished: 2026-01-07\n"))
    build_site(root, out, audiences=("public",), jobs=1)
    shown = {path: sorted({part.split()[1] for part in parts}) for path, parts in made.items()}
    assert shown == {"api/results.csv": ["2025-12"], "api/commitments.json": ["2025-12"]}
    build_site(root, tmp_path / "cold", audiences=("public",), jobs=1)
    assert tree(out) == tree(tmp_path / "cold")
    for parts in made.values():
        parts.clear()
    cid = _change_a_figure(root, "2025-06", "1.5")
    build_site(root, out, audiences=("public",), jobs=1)
    assert made == {path: [f"{cid} 2025-06"] for path in made}
    build_site(root, tmp_path / "cold-again", audiences=("public",), jobs=1)
    assert tree(out) == tree(tmp_path / "cold-again")


def test_a_damaged_index_of_latests_files_makes_them_again(tmp_path: Path) -> None:
    """The output may come from anywhere: an index that cannot be read, or whose places are
    not in the file, is not taken from; the output is the cold build's."""
    root = generate(tmp_path / "data", SHAPE)
    for number, damage in enumerate(["[" * 100_000, '{"format": 2, "sites": {"public": '
                                     '{"api/results.csv": {"chars": "x", "parts": {"a": [5, 2]}}}}}',
                                     "moved"]):
        out = tmp_path / f"out-{number}"
        build_site(root, out, audiences=("public",), jobs=1)
        index = out / ".kept-latest.json"
        if damage == "moved":  # every place one character further
            data = json.loads(index.read_text())
            for entry in data["sites"]["public"].values():
                entry["parts"] = {k: [a + 1, b + 1, d] for k, (a, b, d) in entry["parts"].items()}
            index.write_text(json.dumps(data))
        else:
            index.write_text(damage)
        _change_a_figure(root, "2025-06", f"{number}.25")
        build_site(root, out, audiences=("public",), jobs=1)
        build_site(root, tmp_path / f"cold-{number}", audiences=("public",), jobs=1)
        assert tree(out) == tree(tmp_path / f"cold-{number}"), number
