"""Atom feeds are written as text: whatever the data holds, they must parse as XML and say it."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from generator.feeds import improvements_feed
from generator.model import Improvement

ATOM = "{http://www.w3.org/2005/Atom}"


def test_any_text_comes_back_from_the_feed_as_written() -> None:
    title = 'Faster <refunds> & "callbacks" \'today\'\r\nnow'
    said = "We asked for less\x01 waiting\x02 & more calling"
    feed = improvements_feed("Acme & Co <Support>", dt.date(2026, 9, 30), (
        Improvement("refunds", dt.date(2026, 9, 1), title, said, "Done.", "2026-Q3"),),
        lambda path: f"https://example.com/?a=1&b=\"2\"/{path}")
    root = ET.fromstring(feed.encode("utf-8"))
    assert root.findtext(f"{ATOM}title") == "Acme & Co <Support>: you said, we did"
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == title
    assert entry.findtext(f"{ATOM}content") == ("You said: We asked for less\ufffd waiting\ufffd & "
                                                "more calling\n\nWe did: Done.")
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == 'https://example.com/?a=1&b="2"/improvements/refunds/'
    assert entry.findtext(f"{ATOM}published") == "2026-09-01T00:00:00+00:00"


def test_a_feed_without_entries_is_dated_by_its_edition() -> None:
    root = ET.fromstring(improvements_feed("Acme", dt.date(2026, 9, 30), (), lambda p: p).encode())
    assert root.findtext(f"{ATOM}updated") == "2026-09-30T00:00:00+00:00"
    assert root.findall(f"{ATOM}entry") == []
