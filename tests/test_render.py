from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from pathlib import Path

from generator.pages import relative_url as _relative
from generator.project import editions
from generator.project import project as project_for
from generator.render import render_edition
from generator.validate import load_dataset
from generator.words import num, qty

SVG = "{http://www.w3.org/2000/svg}"


def test_numbers() -> None:
    assert num(4.0) == "4" and num(3.25) == "3.25" and num(12453) == "12,453"
    assert qty(92, "%") == "92%" and qty(3.6, "hours") == "3.6 hours" and qty(None, "%") == "—"


def test_figures_at_the_limits_render(tmp_path: Path) -> None:
    """The largest and smallest figures validation lets through draw and print."""
    from tests.helpers import RESULTS, write_project

    q2 = RESULTS["2025-Q2"].replace("value: 6.5", "value: 1000000000000").replace(
        "sample: 1200", "sample: 1000000000000").replace("{value: 6.0,", "{value: -1000000000000,")
    q3 = RESULTS["2025-Q3"].replace("{value: 5.0,", "{value: 0.0000000000001,")
    data, _ = load_dataset(write_project(tmp_path, results={**RESULTS, "2025-Q2": q2, "2025-Q3": q3}))
    for audience in ("public", "internal"):
        for edition in editions(project_for(data, audience), audience):
            render_edition(edition)
    page = render_edition(editions(project_for(data, "internal"), "internal")[0]).expanded(
        "commitments/email-reply.md")
    assert "1,000,000,000,000 hours" in page and "-1,000,000,000,000" in page


def test_commitment_page_of_an_edition(project: Path) -> None:
    data, _ = load_dataset(project)
    q3 = editions(project_for(data, "public"), "public")[0]
    rendered = render_edition(q3)
    assert sorted(p for p in rendered.files if p.endswith(".md")) == [
        "commitments/callback.md", "commitments/email-reply.md", "commitments/index.md",
        "commitments/satisfaction.md", "improvements/index.md", "improvements/status-page.md",
        "index.md", "reports/2025-Q3.md", "reports/index.md"]
    # The pages about 2025-Q2 are in its edition: here, redirects to it.
    assert sorted(p for p in rendered.assets if p.endswith(".html")) == [
        "announce.html", "improvements/weekend-email/index.html", "reports/2025-Q2/index.html"]
    page = rendered.expanded("commitments/email-reply.md")
    assert "# We reply to every email within 8 hours" in page
    assert ('<tr role="row"><td role="cell"><a href="../../reports/2025-Q3/">2025-Q3</a></td>'
            '<td role="cell">5 hours <small>(1,300 cases)</small></td><td role="cell" '
            'data-label="Target:">8 hours or less</td><td role="cell"><span class="kept-status '
            'kept-status--met">✓ Met</span></td><td role="cell" data-label="Change:">▼ 1.5 hours '
            'better</td></tr>') in page
    assert "How this promise has changed" not in page  # the revision came after 2025-Q3
    assert "Head of Support" not in page


def test_structured_internal_notes_keep_their_lines(project: Path) -> None:
    """Nested internal values are shown as YAML in a <pre>; the block holding them is put on
    one line, and the line breaks and indentation of the <pre> must survive that."""
    commitments = project / "commitments.yml"
    commitments.write_text(commitments.read_text().replace(
        "    internal:\n", "    internal:\n      plan:\n        steps: [call back, write up]\n"
                          "        owner: Support lead\n", 1))
    data, _ = load_dataset(project)
    newest = editions(project_for(data, "internal"), "internal")[0]
    rendered = render_edition(newest)
    pages = [rendered.expanded(path) for path in rendered.files if path.startswith("commitments/")]
    assert any("<pre><code>steps:&#10;- call back&#10;- write up&#10;owner: Support lead</code></pre>"
               in page for page in pages)


def test_relative_links_are_those_of_posixpath() -> None:
    folders = ["", "a", "a/b", "commitments/c1", "reports"]
    paths = ["", "x/", "feed.xml", "a/", "a/b/", "a/b/c", "a/c/", "commitments/c1/",
             "commitments/c1/feed.xml", "commitments/c2.md", "reports/2025-Q3/", "./a.md",
             "../x.md", "a/../b/"]
    for folder in folders:
        for path in paths:
            expected = posixpath.relpath(path or ".", folder or ".") + ("/" if path.endswith("/") else "")
            assert _relative(path, folder) == expected, (path, folder)


def test_markdown_converters_are_reused_only_with_known_extensions() -> None:
    """Kept converts generated pages with one Markdown converter, reset between pages; an
    extension that might keep state from page to page (one it does not know) means a new
    converter per page, as MkDocs does."""
    from generator.engine.speedups import resettable

    assert all(map(resettable, ["toc", "tables", "attr_list", "markdown.extensions.abbr",
                                 "pymdownx.superfences", "material.extensions.emoji.twemoji"]))
    assert not any(map(resettable, ["mdx_math", "my_package.ext:Extension", "footnotes2",
                                     "footnotes", "markdown.extensions.footnotes"]))


def _drawings(svg: str) -> list[ET.Element]:
    return [ET.fromstring(part + "</svg>") for part in svg.split("</svg>")[:-1]]


def test_a_chart_is_drawn_wide_and_for_phones() -> None:
    """Two drawings (kept.css shows the one that fits): 640 wide, and 280 for phones, named by
    the first's title and description; in each, period labels that do not overlap (the newest
    always shown) and a legend inside the drawing."""
    import datetime as dt

    from generator import charts
    from generator.compute import Row, Status
    from generator.model import Commitment, Direction, Measurement, Metric, Period

    commitment = Commitment("c", "Repairs on time", "P", Metric("m", "working days", Direction.LOWER, 5),
                            dt.date(2020, 1, 1))
    ids = [f"{2020 + i // 4}-{(i // 4) % 100 + 21:02d}-Q{i % 4 + 1}" for i in range(11)]
    rows = [Row(Period(pid), Status.MET if i % 3 else Status.MISSED, 5.0, Measurement(4.5 + i / 10),
                None) for i, pid in enumerate(ids)]
    wide, narrow = _drawings(charts.chart(commitment, rows))
    assert [d.get("viewBox") for d in (wide, narrow)] == ["0 0 640 260", "0 0 280 230"]
    assert [d.get("class") for d in (wide, narrow)] == ["kept-chart kept-chart--wide",
                                                        "kept-chart kept-chart--narrow"]
    assert wide.find(f"{SVG}title") is not None and narrow.find(f"{SVG}title") is None
    assert (wide.find(f"{SVG}title").get("id"), wide.find(f"{SVG}desc").get("id")) == (  # type: ignore[union-attr]
        "chart-title", "chart-desc")
    assert narrow.get("aria-labelledby") == "chart-title chart-desc" == wide.get("aria-labelledby")
    for drawing, width in ((wide, 640), (narrow, 280)):
        texts = [(float(t.get("x", 0)), t.get("text-anchor"), t.text or "")
                 for t in drawing.iter(f"{SVG}text")]
        periods = sorted(x for x, _, text in texts if text in ids)
        assert [text for _, _, text in texts if text in ids][-1] == ids[-1]
        label = len(ids[0]) * 0.6 * 12  # the width of a label, generously
        assert all(b - a >= label for a, b in zip(periods, periods[1:], strict=False)), periods
        assert periods[0] - label / 2 >= 0 and periods[-1] + label / 2 <= width
        legend = [(x, text) for x, anchor, text in texts if text in ("Met", "Missed", "Target")]
        assert len(legend) == 3 and all(x + len(t) * 0.6 * 12 <= width for x, t in legend)
    assert len([t for t in narrow.iter(f"{SVG}text") if t.text in ids]) < len(ids)


def test_an_owner_not_given_as_text_is_not_printed_as_python(tmp_path: Path) -> None:
    """internal holds anything: an owner given by language ({en: ..., cy: ...}) or as a list is
    no name to print (it was, as Python writes a dict or a list); each promise back on track
    is an item of its own."""
    from tests.helpers import COMMITMENTS, RESULTS, write_project

    text = COMMITMENTS.replace(
        "    review: {every: year, last: 2025-04-01}\n",
        "    review: {every: year, last: 2025-04-01}\n    internal: {owner: {en: Head of Care}}\n", 1)
    text = text.replace("      target: 0\n", "      target: 0\n    internal: {owner: [Ann, Bob]}\n")
    q2 = RESULTS["2025-Q2"].replace("satisfaction: {value: 88,", "satisfaction: {value: 88, "
                                    "recovery: {action: A new survey., by: 2025-Q4},")
    data, _ = load_dataset(write_project(tmp_path, text, results={**RESULTS, "2025-Q2": q2}))
    rendered = render_edition(editions(project_for(data, "internal"), "internal")[1])
    team = rendered.expanded("team/index.md")
    assert [line for line in team.splitlines() if line.startswith("- ")] == [
        "- [Nine in ten customers are happy with our help](../commitments/satisfaction.md)",
        "- [Internal queue hygiene](../commitments/secret-queue.md)"]
    reviews = rendered.expanded("reviews/index.md")
    assert ("<td>2025-Q2</td><td>October to December 2025</td><td>Due</td>"
            "<td>none named</td>") in reviews
    assert "Head of Care" not in team + reviews


def test_each_promise_coming_soon_is_an_item_of_its_own(tmp_path: Path) -> None:
    """The line break after each was trimmed: two promises announced ran together in one."""
    from tests.helpers import COMMITMENTS, write_project

    announced = "".join(f"""\
  - id: future-{letter}
    title: Future promise {letter}
    promise: Soon.
    metric: {{name: Share, unit: "%", direction: higher, target: 90}}
    since: 2026-06-01
    announced: 2025-08-01
""" for letter in "ab")
    data, _ = load_dataset(write_project(tmp_path, COMMITMENTS + announced))
    home = render_edition(editions(project_for(data, "public"), "public")[0]).expanded("index.md")
    assert [line for line in home.splitlines() if "Future promise" in line] == [
        "- [Future promise a](commitments/future-a.md): starts on 1 June 2026 (90% or more)",
        "- [Future promise b](commitments/future-b.md): starts on 1 June 2026 (90% or more)"]
