"""When a promise is broken, and closing the loop: guarantees, recovery plans, you said / we
will, the headline against last period and last year, the team page, group feeds and the
edition's announcement."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.project import Edition, editions, project
from generator.render import Rendered, render_edition
from generator.validate import check
from tests.helpers import COMMITMENTS, RESULTS, at, write_project

ATOM = "{http://www.w3.org/2005/Atom}"

# The fixture's organisation with a currency, and its email promise guaranteed from 2025-10-01.
GUARANTEED = COMMITMENTS.replace("  min_sample: 30\n", "  min_sample: 30\n  currency: GBP\n").replace(
    "      - date: 2025-10-01\n        reason: We hired two more agents, so we can promise faster replies.\n"
    "        previous:\n          target: 8\n",
    "      - date: 2025-10-01\n        reason: We hired two more agents, so we can promise faster replies.\n"
    "        previous:\n          target: 8\n          guarantee: null\n").replace(
    "    locations: [north, south, pilot]\n",
    "    locations: [north, south, pilot]\n    guarantee:\n      remedy: We pay you **£10**.\n"
    "      automatic: true\n")

Q4 = """\
period: 2025-Q4
summary: Draft.
measurements:
  email-reply:
    value: 5.0
    sample: 900
    explanation: Two agents left in November.
    guarantee: {breaches: 42, paid: 40, amount: 400}
    recovery: {action: Two new agents start in January., by: 2026-Q1}
  satisfaction: {value: 93}
  secret-queue: {value: 0}
improvements:
  - id: staff-macros
    date: 2025-11-03
    title: Faster answers from better macros
    you_said: Our agents asked for macros that fill in your account details.
    we_did: We rebuilt the macros.
    feedback: {source: staff, count: 9}
    delivers: saturday-phones
planned:
  - id: saturday-phones
    title: Phones open on Saturdays
    you_said: You wanted to call us at the weekend.
    we_will: Open the phone line on Saturday mornings.
    by: 2025-Q4
  - id: chat-at-night
    title: Chat until 10pm
    you_said: You wanted to chat in the evening.
    we_will: Keep chat open until 10pm.
    by: 2025-Q4
"""


def accountable(tmp_path: Path, q4: str = Q4) -> Path:
    return write_project(tmp_path / "d", GUARANTEED, {**RESULTS, "2025-Q4": q4})


def said(root: Path) -> list[str]:
    return [p.format() for p in check(root).problems]


def internal_latest(root: Path) -> tuple[Edition, Rendered]:
    data = check(root).dataset
    assert data is not None, check(root).problems
    edition = editions(project(data, "internal"), "internal")[0]
    return edition, render_edition(edition)


def edition_of(root: Path, period: str) -> Rendered:
    data = check(root).dataset
    assert data is not None
    return render_edition(next(e for e in editions(project(data, "internal"), "internal")
                               if e.id == period))


# --- validation --------------------------------------------------------------------------------


def test_the_accountable_project_is_valid(tmp_path: Path) -> None:
    assert said(accountable(tmp_path)) == []


def test_guarantee_figures_are_checked(tmp_path: Path) -> None:
    q4 = Q4.replace("{breaches: 42, paid: 40, amount: 400}", "{breaches: 42, paid: 50, amount: 400}")
    q4 = q4.replace("  satisfaction: {value: 93}",
                    "  satisfaction: {value: 93, guarantee: {breaches: 1, paid: 1}}")
    root = accountable(tmp_path, q4)
    rel = "results/2025-Q4.yml"
    assert said(root) == [
        f"{rel}:{at(root, rel, '50, amount')}: error: 'email-reply' paid 50 customers but let "
        "down only 42; payments made cannot outnumber breaches",
        f"{rel}:{at(root, rel, 'guarantee: {breaches: 1')}: error: 'satisfaction' has no "
        "guarantee, so no guarantee figures; give 'satisfaction' a `guarantee:` (its remedy) in "
        "commitments.yml, or remove these",
    ]


def test_an_amount_needs_the_organisations_currency(tmp_path: Path) -> None:
    root = write_project(tmp_path / "d", GUARANTEED.replace("  currency: GBP\n", ""),
                         {**RESULTS, "2025-Q4": Q4})
    assert said(root) == [
        "commitments.yml:1:1: error: guarantee amounts are given (the first in "
        "results/2025-Q4.yml at line 8), but the organisation has no currency; add `currency:` "
        "to organization, for example currency: GBP"]
    (root / "commitments.yml").write_text(GUARANTEED.replace("currency: GBP", "currency: gbp"))
    assert said(root)[0].endswith("(ISO 4217), not the text 'gbp'; write it in capitals: GBP")


def test_recovery_plans_name_a_later_period_and_are_for_misses(tmp_path: Path) -> None:
    root = accountable(tmp_path, Q4.replace("by: 2026-Q1}", "by: 2025-Q4}"))
    rel = "results/2025-Q4.yml"
    assert said(root) == [
        f"{rel}:{at(root, rel, '2025-Q4}')}: error: 'by' 2025-Q4 is not after 2025-Q4; a "
        "recovery plan names a later period"]
    root = accountable(tmp_path / "met", Q4.replace(
        "  satisfaction: {value: 93}",
        "  satisfaction: {value: 93, recovery: {action: Nothing., by: 2026-Q2}}"))
    assert [p for p in said(root) if ": error: " in p] == [
        f"{rel}:{at(root, rel, 'recovery: {action: Nothing')}: error: 'satisfaction' has a "
        "recovery plan, but it was met in 2025-Q4; a recovery plan is for a missed target: "
        "remove it"]


def test_planned_items_share_the_improvements_ids_and_are_delivered_once(tmp_path: Path) -> None:
    q4 = Q4.replace("  - id: chat-at-night", "  - id: weekend-email").replace(
        "    feedback: {source: staff, count: 9}\n    delivers: saturday-phones\n",
        "    feedback: {source: staff, count: 9}\n    delivers: saturday-phone\n")
    root = accountable(tmp_path, q4)
    rel = "results/2025-Q4.yml"
    assert said(root) == [
        f"{rel}:{at(root, rel, 'saturday-phone' + chr(10))}: error: 'delivers' names "
        "'saturday-phone', which is not a planned item; did you mean 'saturday-phones'?",
        f"{rel}:{at(root, rel, 'weekend-email')}: error: duplicate improvement id "
        "'weekend-email' (first in results/2025-Q2.yml line 17); improvement and planned ids "
        "are unique across all periods: rename one",
    ]


# --- pages -------------------------------------------------------------------------------------


def test_the_guarantee_and_what_it_cost(tmp_path: Path) -> None:
    _, rendered = internal_latest(accountable(tmp_path))
    page = rendered.expanded("commitments/email-reply.md")
    assert ('<div class="kept-guarantee"><p><strong>If we miss this for you:</strong> We pay you '
            "<strong>£10</strong>.</p><p>It is automatic: you do not have to ask.</p></div>") in page
    assert ("<tr><td>2025-Q4</td><td>42</td><td>40</td><td>£400.00</td></tr>") in page
    home = rendered.expanded("index.md")
    assert ('<p class="kept-paid">In October to December 2025 we paid £400.00 to 40 customers '
            "when we broke a guaranteed promise; 42 customers were let down in all.</p>") in home
    # Before the guarantee was given (2025-10-01), editions say nothing of it.
    data = check(accountable(tmp_path / "again")).dataset
    assert data is not None
    q3 = editions(project(data, "internal"), "internal")[1]
    assert "If we miss this for you" not in render_edition(q3).expanded("commitments/email-reply.md")


def test_a_recovery_plan_is_judged_in_its_period(tmp_path: Path) -> None:
    root = accountable(tmp_path)
    _, rendered = internal_latest(root)
    page = rendered.expanded("commitments/email-reply.md")
    assert "<strong>What we are doing:</strong> Two new agents start in January." in page
    assert ("We said we would be back on target by January to March 2026: due then.") in page
    reviews = rendered.expanded("reviews/index.md")
    assert ("<td>2025-Q4</td><td>January to March 2026</td><td>Due</td><td>Head of Support</td>"
            in reviews)
    for value, word in (("3.5", "done"), ("4.5", "not yet")):
        (root / "results" / "2026-Q1.yml").write_text(
            f"period: 2026-Q1\nmeasurements:\n  email-reply: {{value: {value}}}\n")
        _, rendered = internal_latest(root)
        page = rendered.expanded("commitments/email-reply.md")
        assert (f"We said we would be back on target by January to March 2026: <strong>{word}"
                f"</strong> ({value} hours).") in page
        report = rendered.expanded("reports/2026-Q1.md")
        assert "## Back on target?" in report and f"<strong>{word}</strong>" in report


def test_you_said_we_will(tmp_path: Path) -> None:
    root = accountable(tmp_path)
    (root / "results" / "2026-Q1.yml").write_text(
        "period: 2026-Q1\nmeasurements:\n  email-reply: {value: 3.5}\n")
    _, rendered = internal_latest(root)
    changelog = rendered.expanded("improvements/index.md")
    assert ('<li><a href="../planned/chat-at-night/">Chat until 10pm</a>: <strong>late</strong>: '
            "we expected it in October to December 2025</li>") in changelog
    assert ('<li><a href="../planned/saturday-phones/">Phones open on Saturdays</a>: '
            '<strong>done</strong> (<a href="../improvements/staff-macros/">3 November 2025</a>)'
            "</li>") in changelog
    planned = rendered.expanded("planned/saturday-phones.md")
    assert '<strong>Done</strong>: <a href="../../improvements/staff-macros/">' in planned
    # An improvement of an earlier period is a redirect here; its page is in its edition's.
    assert "improvements/staff-macros.md" not in rendered.files
    improvement = edition_of(root, "2025-Q4").expanded("improvements/staff-macros.md")
    assert ('We said we would do this: <a href="../../planned/saturday-phones/">Phones open on '
            "Saturdays</a>") in improvement


def test_the_headline_against_last_period_and_last_year(tmp_path: Path) -> None:
    root = accountable(tmp_path)
    (root / "results" / "2026-Q3.yml").write_text(
        "period: 2026-Q3\nmeasurements:\n  email-reply: {value: 3.5}\n  satisfaction: {value: 80}\n"
        "  secret-queue: {value: 0}\n")
    _, rendered = internal_latest(root)
    home = rendered.expanded("index.md")
    # At the top of the page, before the summary: this period's figure, the other beside it.
    assert home.index('<div class="kept-headline">') < home.index("## Our promises and how we did")
    assert ('<div class="kept-headline"> <p class="kept-headline__now"><span '
            'class="kept-headline__figure">2 of 3</span> promises kept in July to September 2026'
            '</p> <p class="kept-headline__then"><span class="kept-headline__figure">3 of 4</span> '
            "a year before (July to September 2025)</p> </div>") in home


def test_the_team_page(tmp_path: Path) -> None:
    _, rendered = internal_latest(accountable(tmp_path))
    team = rendered.expanded("team/index.md")
    assert "## Ideas from the team" in team
    assert "- [Faster answers from better macros](../improvements/staff-macros.md)" in team
    data = check(accountable(tmp_path / "p")).dataset
    assert data is not None
    public = render_edition(editions(project(data, "public"), "public")[0])
    assert "team/index.md" not in public.files


def test_feeds_per_value_and_location(tmp_path: Path) -> None:
    _, rendered = internal_latest(accountable(tmp_path))
    value = ET.fromstring(rendered.assets["values/speed/feed.xml"])
    titles = [e.findtext(f"{ATOM}title") for e in value.findall(f"{ATOM}entry")]
    assert titles[0] == "October to December 2025: 0 of 1 met"
    place = ET.fromstring(rendered.assets["locations/north/feed.xml"])
    entry = place.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}content") == "We reply to every email within 4 hours: 6 hours (met)"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.events: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.events += [name for name, _ in attrs if name.startswith("on")]


def test_the_announcement(tmp_path: Path) -> None:
    root = accountable(tmp_path)
    text = (root / "results" / "2025-Q4.yml").read_text().replace(
        "title: Faster answers from better macros", "title: Faster <script>alert(1)</script> answers")
    (root / "results" / "2025-Q4.yml").write_text(text)
    _, rendered = internal_latest(root)
    md = rendered.assets["announce.md"]
    assert md.startswith("# Acme Help: our promises in October to December 2025 (draft)\n\n"
                         "In October to December 2025 we kept 2 of 3 promises.\n")
    assert ("## Coming next\n\n- [Chat until 10pm: expected in October to December 2025]"
            "(<planned/chat-at-night/>)") in md
    page = rendered.assets["announce.html"]
    tags = _Tags()
    tags.feed(page)
    assert "script" not in tags.tags and not tags.events
    assert "Faster &lt;script&gt;alert(1)&lt;/script&gt; answers" in page
    assert 'style="' in page and "<link" not in page  # an email: styles inline


# --- records -----------------------------------------------------------------------------------


@pytest.mark.parametrize("published", [True])
def test_the_records_hold_the_new_facts(tmp_path: Path, published: bool) -> None:
    q4 = Q4.replace("period: 2025-Q4\n", "period: 2025-Q4\npublished: 2026-01-10\n").replace(
        "summary: Draft.\n", "summary: Done.\n")
    root = write_project(tmp_path / "d", GUARANTEED, {**RESULTS, "2025-Q4": q4})
    record = json.loads((root / "results/records/2025-Q4.json").read_text())
    email = record["commitments"]["email-reply"]
    assert email["guarantee"] == {"remedy": "We pay you **£10**.", "automatic": True}
    assert email["guarantee_figures"] == {"breaches": 42, "paid": 40, "amount": 400}
    assert email["recovery"] == {"action": "Two new agents start in January.", "by": "2026-Q1"}
    assert record["planned"]["chat-at-night"]["by"] == "2025-Q4"
    assert record["improvements"]["staff-macros"]["delivers"] == "saturday-phones"
    # And they change only with a correction.
    path = root / "results" / "2025-Q4.yml"
    path.write_text(path.read_text().replace("paid: 40, amount: 400", "paid: 40, amount: 300"))
    rel = "results/2025-Q4.yml"
    assert [p for p in said(root) if ": error: " in p] == [
        f"{rel}:{at(root, rel, '{breaches: 42')}: error: the published guarantee figures of "
        "'email-reply' in 2025-Q4 changed from 42 let down, 40 payments, 400 paid to 42 let "
        "down, 40 payments, 300 paid; to correct what 2025-Q4 said, add to results/2025-Q4.yml "
        "a `corrections` entry whose `changes` names 'email-reply', saying what changed and why"]
