"""Nothing internal leaks to the public site, and no text from the YAML runs as markup."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import write_project

from generator.build import build_site

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


PAYLOAD = ("<script>alert('xss')</script> <img src=x onerror=\"alert('xss')\"> "
           "[link](javascript:alert('xss')) <a href=\"javascript:alert('xss')\">a</a> "
           "</title><script>alert('xss')</script> &lt;script&gt;alert('xss')&lt;/script&gt;")
PAYLOAD_MD = PAYLOAD + "\n\nPara\n{: onclick=\"alert('xss')\" }\n\n[ref]: javascript:alert('xss')\n"


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def payload_project(root: Path) -> Path:
    t, m = quoted(PAYLOAD), quoted(PAYLOAD_MD)
    commitments = f"""\
organization:
  name: {t}
  period: quarter
  internal: {{note: {m}}}
values:
  - id: v
    title: {t}
    description: {m}
locations:
  - id: loc
    name: {t}
commitments:
  - id: c
    title: {t}
    promise: {m}
    why: {m}
    value: v
    metric: {{name: {t}, unit: {t}, direction: lower, target: 5, definition: {m}}}
    since: 2026-01-01
    locations: [loc]
    revisions:
      - date: 2026-02-01
        reason: {m}
        previous: {{title: {t}, promise: {m}, target: 9}}
    internal: {{owner: {t}, notes: {m}}}
"""
    results = {"2026-Q1": f"""\
period: 2026-Q1
published: 2026-04-02
summary: {m}
highlights: [{m}]
measurements:
  c:
    value: 6
    locations: {{loc: 4}}
    explanation: {m}
    internal: {{action: {m}}}
improvements:
  - id: i
    date: 2026-02-01
    title: {t}
    you_said: {m}
    we_did: {m}
    commitments: [c]
    feedback: {{source: {t}, count: 3}}
corrections:
  - date: 2026-04-03
    note: {m}
"""}
    return write_project(root, commitments, results, mkdocs="theme:\n  name: material\n")


class LiveMarkup(HTMLParser):
    """Collects markup that came from the payload and would run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and "xss" in value:
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action") and value.replace(" ", "").startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert('xss')" in data:
            self.found.append("<script>")


def test_script_payloads_never_become_live_markup(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "data")
    build_site(root, tmp_path / "out", jobs=2)
    pages = list((tmp_path / "out").rglob("*.html"))
    assert len(pages) > 10
    seen_text = False
    for path in pages:
        parser = LiveMarkup()
        text = path.read_text(encoding="utf-8")
        parser.feed(text)
        assert parser.found == [], path
        seen_text = seen_text or "alert(&#39;xss&#39;)" in text or "alert('xss')" in text
    assert seen_text  # the payload is shown as text, not dropped
