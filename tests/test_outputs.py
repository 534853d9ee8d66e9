"""Charts, badges, feeds, share cards and open data in a built site."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.htmlcheck import page

pytestmark = pytest.mark.slow
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def site(built_site: Path) -> Path:
    return built_site


def test_every_public_commitment_page_has_a_chart_and_a_table(site: Path) -> None:
    pages = sorted((site / "public/latest/commitments").glob("*/index.html"))
    assert {p.parent.name for p in pages} == {"email-reply", "satisfaction", "callback"}
    for path in pages:
        html = path.read_text()
        start = html.index('<svg class="kept-chart kept-chart--wide" role="img"')
        svg = ET.fromstring(html[start:html.index("</svg>", start) + 6])
        assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None
        assert svg.findall(f"{SVG}circle") or svg.findall(f"{SVG}polygon")
        assert '<svg class="kept-chart kept-chart--narrow" role="img"' in html
        assert '<div class="kept-cards kept-cards--periods"> <table role="table">' in html
    email = (site / "public/latest/commitments/email-reply/index.html").read_text()
    assert "2025-Q3: 5 hours, met (target 8 hours)" in email  # the chart's description


def test_chart_tells_met_from_missed_by_shape(site: Path) -> None:
    html = (site / "public/latest/commitments/satisfaction/index.html").read_text()
    start = html.index('<svg class="kept-chart ')
    svg = ET.fromstring(html[start:html.index("</svg>", start) + 6])
    classes = [(el.tag, el.get("class")) for el in svg.iter() if el.get("class") in
               ("kept-met", "kept-missed")]
    assert (f"{SVG}polygon", "kept-missed") in classes  # 88% missed in 2025-Q2
    assert (f"{SVG}circle", "kept-met") in classes  # 91% met in 2025-Q3


def test_badges_are_svg_with_status_and_attainment(site: Path) -> None:
    for audience, ids in (("public", {"email-reply", "satisfaction", "callback"}),
                          ("internal", {"email-reply", "satisfaction", "callback", "secret-queue"})):
        badges = {p.stem: p for p in (site / audience / "latest/badges").glob("*.svg")}
        assert set(badges) == ids
    svg = ET.parse(site / "public/latest/badges/email-reply.svg").getroot()
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == \
        "We reply to every email within 8 hours: Met · met 2 of 2"


def test_feed_has_an_entry_per_public_improvement_and_correction(site: Path) -> None:
    correction = ("https://help.acme.example/2025-Q3/reports/2025-Q3/#corrections",
                  "urn:kept:acme-help:correction:2025-Q3:2025-10-20:0")
    for edition, expected in (("2025-Q3", ["correction", "status-page", "weekend-email"]),
                              ("2025-Q2", ["weekend-email"])):
        feed = ET.parse(site / "public" / edition / "feed.xml").getroot()
        assert feed.tag == f"{ATOM}feed"
        entries = feed.findall(f"{ATOM}entry")
        links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert list(zip(links, ids, strict=True)) == [
            correction if i == "correction" else
            (f"https://help.acme.example/{edition}/improvements/{i}/", f"urn:kept:acme-help:improvement:{i}")
            for i in expected]
        assert feed.findtext(f"{ATOM}updated", "").startswith(
            "2025-10-20" if edition == "2025-Q3" else "2025-05-10")
    internal = ET.parse(site / "internal/latest/feed.xml").getroot()
    assert len(internal.findall(f"{ATOM}entry")) == 4
    commitment = ET.parse(site / "public/latest/commitments/email-reply/feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in commitment.findall(f"{ATOM}entry")]
    assert titles == ["July to September 2025: Met", "April to June 2025: Met",
                      "You said, we did: We now answer email on Saturdays"]


def test_pages_announce_the_feed_and_carry_share_cards(site: Path) -> None:
    home = (site / "public/latest/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" title="You said, we did" ' \
           'href="feed.xml">' in home
    improvement = page(site / "public/latest/improvements/status-page/index.html")
    html = (site / "public/latest/improvements/status-page/index.html").read_text()
    assert '<meta property="og:title" content="A status page for outages">' in html
    assert '<meta property="og:description" content="We publish outages on a status page.">' in html
    assert ('<meta property="og:url" content="https://help.acme.example/2025-Q3/improvements/'
            'status-page/">') in html
    assert '<link rel="canonical" href="https://help.acme.example/2025-Q3/improvements/' \
           'status-page/">' in html
    assert 'href="../../feed.xml"' in html
    assert "You said" in improvement.text and "We did" in improvement.text


def test_open_data(site: Path) -> None:
    data = json.loads((site / "public/latest/api/commitments.json").read_text())
    assert data["edition"] == "2025-Q3"
    by_id = {c["id"]: c for c in data["commitments"]}
    assert set(by_id) == {"email-reply", "satisfaction", "callback"}
    email = by_id["email-reply"]
    assert email["metric"]["target"] == 8 and email["status"] == "Met"
    assert [(r["period"], r["value"], r["target"], r["status"]) for r in email["results"]] == [
        ("2025-Q2", 6.5, 8, "Met"), ("2025-Q3", 5.0, 8, "Met")]
    assert "internal" not in json.dumps(data).replace('"visibility": "public"', "")
    improvements = json.loads((site / "public/latest/api/improvements.json").read_text())
    assert [i["id"] for i in improvements["improvements"]] == ["status-page", "weekend-email"]
    internal = json.loads((site / "internal/latest/api/commitments.json").read_text())
    assert "secret-queue" in {c["id"] for c in internal["commitments"]}


def test_reviews_due_and_consistency_on_the_internal_site(site: Path) -> None:
    reviews = page(site / "internal/2025-Q4/reviews/index.html").text
    # email-reply: quarterly, last 2025-10-01 -> due 2026-01-01, not yet at 2025-12-31.
    assert "We reply to every email" not in reviews
    assert "Internal queue hygiene" in reviews and "never" in reviews  # no review at all
    assert "Nine in ten customers" not in reviews  # yearly, last 2025-04-01 -> 2026-04-01
    consistency = page(site / "internal/2025-Q2/consistency/2025-Q2/index.html").text
    assert "North office (best) 6 hours ✓ Met 700 South office (worst) 7.1 hours ✓ Met 20" \
        in consistency
    # The summary first: best and worst location, the gap, and how many missed the target.
    assert "North office: 6 hours South office: 7.1 hours 1.1 hours 0 of 2" in consistency
    assert not (site / "public/latest/reviews").exists()
    assert not (site / "public/latest/consistency").exists()
