"""Nothing internal leaks to the public site, and no text from the YAML runs as markup."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from generator.build import build_site
from tests.helpers import write_project
from tests.htmlcheck import live_markup

pytestmark = pytest.mark.slow

# Every internal place of the format holds a marker of its own.
MARKED_COMMITMENTS = """\
organization:
  name: Marker Org
  period: quarter
  internal: {note: MK-ORG-INTERNAL}
values:
  - id: open
    title: Open value
    internal: {note: MK-VALUE-INTERNAL}
  - id: hidden-value
    title: MK-VALUE-ENTITY
    visibility: internal
locations:
  - id: town
    name: Town office
    internal: {note: MK-LOCATION-INTERNAL}
  - id: lab
    name: MK-LOCATION-ENTITY
    visibility: internal
commitments:
  - id: reply
    title: We reply fast
    promise: Replies within a day.
    value: open
    metric: {name: Reply time, unit: hours, direction: lower, target: 24}
    since: 2026-01-01
    locations: [town, lab]
    revisions:
      - date: 2026-04-01
        reason: Faster now.
        previous: {target: 48}
        internal: {note: MK-REVISION-INTERNAL}
    internal:
      owner: MK-COMMITMENT-INTERNAL
      nested: {deep: [MK-NESTED-INTERNAL]}
  - id: mk-commitment-entity
    title: MK-COMMITMENT-ENTITY
    promise: MK-COMMITMENT-PROMISE
    value: hidden-value
    visibility: internal
    metric: {name: Queue, unit: tickets, direction: lower, target: 5}
    since: 2026-01-01
"""

MARKED_RESULTS = {
    "2026-Q1": """\
period: 2026-Q1
published: 2026-04-07
summary: First quarter.
internal: {note: MK-RESULTS-INTERNAL}
measurements:
  reply:
    value: 20
    locations:
      town: {value: 19, sample: 100}
      lab: {value: 21, sample: 100}
    internal: {action: MK-MEASUREMENT-INTERNAL}
  mk-commitment-entity: {value: 3, explanation: MK-INTERNAL-EXPLANATION}
improvements:
  - id: public-one
    date: 2026-02-01
    title: A public improvement
    you_said: Faster.
    we_did: We did it.
    internal: {ticket: MK-IMPROVEMENT-INTERNAL}
  - id: mk-improvement-entity
    date: 2026-02-02
    title: MK-IMPROVEMENT-ENTITY
    you_said: x
    we_did: y
    visibility: internal
corrections:
  - date: 2026-04-20
    note: A public correction.
    internal: {who: MK-CORRECTION-INTERNAL}
  - date: 2026-04-21
    note: MK-CORRECTION-ENTITY
    visibility: internal
""",
    "2026-Q2": """\
period: 2026-Q2
summary: MK-DRAFT-SUMMARY
highlights: [MK-DRAFT-HIGHLIGHT]
measurements:
  reply: {value: 30, explanation: MK-DRAFT-EXPLANATION}
improvements:
  - id: mk-draft-improvement
    date: 2026-05-01
    title: MK-DRAFT-IMPROVEMENT
    you_said: x
    we_did: y
""",
}

MARKERS = sorted(set(re.findall(r"MK-[A-Z-]+|mk-[a-z-]+", MARKED_COMMITMENTS + "".join(
    MARKED_RESULTS.values()))))


def output_texts(folder: Path) -> dict[Path, str]:
    """Every file of a built site as text, compressed ones decompressed."""
    texts = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        texts[path] = data.decode("utf-8", errors="replace")
    return texts


def test_no_internal_marker_reaches_the_public_site(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", MARKED_COMMITMENTS, MARKED_RESULTS)
    build_site(root, tmp_path / "out", jobs=2)
    public = output_texts(tmp_path / "out" / "public")
    assert any(p.name == "search_index.json" for p in public)
    assert any(p.name == "sitemap.xml.gz" for p in public)
    leaks = {(m, str(p.relative_to(tmp_path))) for p, t in public.items() for m in MARKERS
             if m in t or m.lower() in t.lower()}
    assert not leaks
    internal = "\n".join(output_texts(tmp_path / "out" / "internal").values())
    assert [m for m in MARKERS if m not in internal] == []


# One-line fields (titles, names, units) are short: the payload fits in one.
PAYLOAD = ("<script>alert('xss')</script> <img src=x onerror=\"alert('xss')\"> "
           "</title><svg/onload=alert('xss')> ⟦kept-block-0⟧ ⟦kept-block-999⟧")
# Markdown fields: each way of making Markdown and Kept disagree about what is code, and
# Kept's own block markers. The first ones reached the public site as live markup.
PAYLOADS_MD = [
    "~~~\n<script>alert('xss')</script>\n~~~\n",
    "```\ncode\n\n<script>alert('xss')</script>\n",
    "`a\n\n<script>alert('xss')</script>\n\nb`\n",
    "\\`x <svg/onload=alert('xss')>`\n",
    "⟦kept-block-0⟧ and ⟦kept-block-999⟧\n",
    PAYLOAD + " [link](javascript:alert('xss')) <a href='javascript:alert(\"xss\")'>a</a> "
    "<a href=\"javascript:alert('xss')\">a</a> &lt;script&gt;alert('xss')&lt;/script&gt;\n\n"
    "Para\n{: onclick=\"alert('xss')\" }\n\n[ref]: javascript:alert('xss')\n",
]


def quoted(text: str) -> str:
    """A YAML scalar for text, line breaks and all (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def payload_project(root: Path) -> Path:
    t = quoted(PAYLOAD)
    md = itertools.cycle(quoted(p) for p in PAYLOADS_MD)
    highlights = ", ".join(quoted(p) for p in PAYLOADS_MD)
    corrections = "".join(f"  - date: 2026-04-03\n    note: {quoted(p)}\n" for p in PAYLOADS_MD)
    commitments = f"""\
organization:
  name: {t}
  period: quarter
  internal: {{note: {next(md)}}}
values:
  - id: v
    title: {t}
    description: {next(md)}
locations:
  - id: loc
    name: {t}
commitments:
  - id: c
    title: {t}
    promise: {next(md)}
    why: {next(md)}
    value: v
    metric: {{name: {t}, unit: {t}, direction: lower, target: 5, definition: {next(md)}}}
    since: 2026-01-01
    locations: [loc]
    revisions:
      - date: 2026-02-01
        reason: {next(md)}
        previous: {{title: {t}, promise: {next(md)}, target: 9}}
    internal: {{owner: {t}, notes: {next(md)}}}
"""
    results = {"2026-Q1": f"""\
period: 2026-Q1
published: 2026-04-02
summary: {next(md)}
highlights: [{highlights}]
measurements:
  c:
    value: 6
    locations: {{loc: 4}}
    explanation: {next(md)}
    internal: {{action: {next(md)}}}
improvements:
  - id: i
    date: 2026-02-01
    title: {t}
    you_said: {next(md)}
    we_did: {next(md)}
    commitments: [c]
    feedback: {{source: {t}, count: 3}}
corrections:
{corrections}"""}
    return write_project(root, commitments, results, mkdocs="theme:\n  name: material\n")


def test_script_payloads_never_become_live_markup(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "data")
    build_site(root, tmp_path / "out", jobs=2)
    out = tmp_path / "out"
    pages = list(out.rglob("*.html"))
    assert len(pages) > 10
    shown = ""
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert live_markup(text, page=True) == [], path
        shown += text
    # Shown as text, not dropped; and a marker in a text is that text, not a block of the page.
    assert "&lt;script&gt;alert(&#39;xss&#39;)" in shown or "&lt;script&gt;alert('xss')" in shown
    assert "⟦kept-block-999⟧" in shown
    page = (out / "public" / "2026-Q1" / "commitments" / "c" / "index.html").read_text()
    assert page.count('class="kept-chart-wrap"') == 1 and page.count("<strong>Status for") == 1
    # Feeds, badges, charts and the sitemap are well-formed XML: their text is escaped.
    for path in [*out.rglob("*.xml"), *out.rglob("*.svg")]:
        for element in ElementTree.parse(path).iter():
            assert element.tag.rsplit("}", 1)[-1] != "script", path
            assert not [name for name in element.attrib if name.startswith("on")], path
