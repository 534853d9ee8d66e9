"""Small data repositories written into a temporary folder, for tests."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

COMMITMENTS = """\
organization:
  name: Acme Help
  url: https://help.acme.example/
  period: quarter
  min_sample: 30
values:
  - id: speed
    title: Quick answers
    description: We do not keep you waiting.
  - id: care
    title: Real care
    visibility: internal
locations:
  - id: north
    name: North office
  - id: south
    name: South office
  - id: pilot
    name: Pilot team
    visibility: internal
commitments:
  - id: email-reply
    title: We reply to every email within 4 hours
    promise: Every email gets a reply from a person within **4 business hours**.
    why: You can plan your day.
    value: speed
    metric:
      name: Median first reply time
      unit: hours
      direction: lower
      target: 4
      definition: Business hours from receipt to first human reply.
    since: 2025-01-01
    locations: [north, south, pilot]
    review: {every: quarter, last: 2025-10-01}
    revisions:
      - date: 2025-10-01
        reason: We hired two more agents, so we can promise faster replies.
        previous:
          target: 8
          title: We reply to every email within 8 hours
    internal:
      owner: Head of Support
  - id: satisfaction
    title: Nine in ten customers are happy with our help
    promise: At least 90% of customers rate our help good or very good.
    value: care
    metric:
      name: Satisfaction
      unit: "%"
      direction: higher
      target: 90
    since: 2025-04-01
    review: {every: year, last: 2025-04-01}
  - id: callback
    title: We call you back the same day
    promise: If you ask for a call back, you get it the same day.
    metric:
      name: Same-day callbacks
      unit: "%"
      direction: higher
      target: 95
    since: 2025-04-01
    retired: 2025-09-30
  - id: secret-queue
    title: Internal queue hygiene
    promise: No ticket sits unassigned for more than a day.
    visibility: internal
    metric:
      name: Unassigned over a day
      unit: tickets
      direction: lower
      target: 0
    since: 2025-04-01
"""

RESULTS = {
    "2025-Q2": """\
period: 2025-Q2
published: 2025-07-08
summary: Our first quarter with published results.
measurements:
  email-reply:
    value: 6.5
    sample: 1200
    locations:
      north: {value: 6.0, sample: 700}
      south: {value: 7.1, sample: 20}
  satisfaction: {value: 88, explanation: A new phone system confused callers.}
  callback: {value: 97}
  secret-queue: {value: 3, explanation: Two agents were off sick., internal: {action: Add a morning triage rota.}}
highlights:
  - Replies got faster every month.
improvements:
  - id: weekend-email
    date: 2025-05-10
    title: We now answer email on Saturdays
    you_said: You wanted answers at the weekend.
    we_did: We staff the inbox on Saturday mornings.
    commitments: [email-reply]
    feedback: {source: survey, count: 140}
""",
    "2025-Q3": """\
period: 2025-Q3
published: 2025-10-07
measurements:
  email-reply: {value: 5.0, sample: 1300}
  satisfaction: {value: 91}
  callback: {value: 93, explanation: Summer holidays.}
  secret-queue: {value: 0}
improvements:
  - id: status-page
    date: 2025-08-01
    title: A status page for outages
    you_said: You could not tell whether we knew about an outage.
    we_did: We publish outages on a status page.
  - id: hidden-tooling
    date: 2025-08-15
    title: New internal tooling
    you_said: Agents asked for better macros.
    we_did: We rebuilt the macros.
    visibility: internal
corrections:
  - date: 2025-10-20
    note: The satisfaction figure was 91, not 89.
""",
    "2025-Q4": """\
period: 2025-Q4
summary: Draft, still being measured.
measurements:
  email-reply: {value: 3.5, sample: 900}
  satisfaction: {value: null, explanation: The survey closes in January.}
""",
}


def write_project(root: Path, commitments: str = COMMITMENTS,
                  results: dict[str, str] | None = None, mkdocs: str | None = None,
                  records: bool = True) -> Path:
    """Write a data repository into root and return root. With records, the published periods
    get their records (as `kept record` writes them) when the data is valid."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "commitments.yml").write_text(textwrap.dedent(commitments), encoding="utf-8")
    (root / "results").mkdir(exist_ok=True)
    for period, text in (RESULTS if results is None else results).items():
        (root / "results" / f"{period}.yml").write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        mkdocs or "site_name: Acme Help promises\ntheme:\n  name: material\n", encoding="utf-8")
    if records:
        from generator.edit import record
        from generator.errors import DataError

        try:
            record(root)
        except DataError:
            pass  # invalid data, written to test what Kept says of it
    return root


def at(root: Path, rel: str, needle: str, offset: int = 0) -> str:
    """'LINE:COL' of the character `offset` into the only occurrence of needle in a file."""
    text = (root / rel).read_text(encoding="utf-8")
    assert text.count(needle) == 1, needle
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def run_kept(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line, as a user would."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def kept_bounded(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line in a process that cannot hold up the suite or take the machine's
    memory: a read that blocks ends in TimeoutExpired, one that never ends in MemoryError."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, preexec_fn=limit)


def located(value: object) -> object:
    """Loaded data with every mark in it, to compare two loads exactly."""
    from generator.load import Map, Seq

    if isinstance(value, Map):
        return ("map", value.pos, [(k, value.key_pos[k], value.val_pos[k], located(v))
                                   for k, v in value.items()])
    if isinstance(value, Seq):
        return ("seq", value.pos, value.item_pos, [located(v) for v in value])
    return (type(value).__name__, value)
