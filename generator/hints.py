"""Words that help: how a wrong value is named, "did you mean" for a near miss, and what
YAML 1.1 would have read a number as."""

from __future__ import annotations

import bisect
import datetime as dt
import decimal
import difflib
import functools
import itertools
import re
from collections.abc import Iterable
from typing import Any

import yaml

from generator.load import NUMBER_RE, Map, PythonObject, Seq

_YAML_STR, _YAML_INT, _YAML_FLOAT = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float"))


def describe(value: Any) -> str:
    """How a wrong value is named in a message: its kind and a short rendering of it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"the number {short_number(value)}"
    if isinstance(value, (dt.date, dt.datetime)):  # in mkdocs.yml, read as MkDocs reads it
        return f"the date {value}"
    if isinstance(value, PythonObject):
        return f"a Python object ({value.tag})"
    if isinstance(value, Map):
        return "a mapping"
    if isinstance(value, Seq):
        return "a list"
    text = str(value)
    return f"the text '{text[:60]}{'…' if len(text) > 60 else ''}'"


def short_number(value: float) -> str:
    """A number as written, or in a few characters when it runs to dozens of digits."""
    if isinstance(value, int) and abs(value) >= 10**21:
        digits = len(str(abs(value)))
        return f"{'-' if value < 0 else ''}{str(abs(value))[0]}e+{digits - 1} ({digits} digits)"
    return str(value)


def _yaml11_reading(text: str) -> str | None:
    """What YAML 1.1 makes of a text that is not a number here, and what to write instead."""
    plain = text.strip()
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, plain, (True, False))
    if tag == _YAML_STR and NUMBER_RE.fullmatch(plain):  # 1e5: text to YAML 1.1
        full = f"{decimal.Decimal(plain):f}"
        if len(full) > 20:  # the same number, in the form YAML 1.1 reads too
            mantissa, _, exponent = plain.lower().partition("e")
            full = (mantissa if "." in mantissa else mantissa + ".0") + "e" + (
                exponent if exponent[0] in "+-" else "+" + exponent)
        return f"YAML 1.1 reads {plain} as text: write {full}"
    if (tag not in (_YAML_INT, _YAML_FLOAT) or NUMBER_RE.fullmatch(plain)
            or not any(c.isdigit() for c in plain)):
        return None  # not a number to YAML 1.1 either, or one in quotes
    node = yaml.ScalarNode(tag, plain)
    constructor = yaml.SafeLoader("")
    read = (constructor.construct_yaml_int(node) if tag == _YAML_INT
            else constructor.construct_yaml_float(node))
    digits = plain.lstrip("+-")
    sign = plain[:len(plain) - len(digits)]
    if ":" in plain:
        return (f"YAML 1.1 reads {plain} as {read} (base 60, as in hours:minutes): write "
                f"{read} if that is the figure")
    if digits[:2] in ("0x", "0b"):
        form = "hexadecimal" if digits[1] == "x" else "binary"
        return f"YAML 1.1 reads {plain} as {read} ({form}): write {read} if that is the figure"
    if "_" in plain:
        return f"write {plain.replace('_', '')}, without '_'"
    meant = digits.lstrip("0")
    meant = sign + ("0" + meant if meant.startswith(".") or not meant else meant)
    if tag == _YAML_INT:
        return (f"YAML 1.1 reads {plain} as {read} (octal, for the leading zero): write "
                f"{meant} if that is the figure")
    return f"write {meant}, without the leading zero"


# A figure written as many languages write it: a decimal comma (88,5), thousands separated by
# commas (1,234,567), and either with the unit after it (88,5%).
_DECIMAL_COMMA = re.compile(r"(?P<sign>[-+]?)(?P<whole>[0-9]+),(?P<part>[0-9]+)(?P<unit>[ ]?%?)")
_THOUSANDS = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?P<unit>[ ]?%?)")


def number_hint(text: str, whole: bool = False) -> str | None:
    """What to write instead of a figure written with a decimal comma or with thousands
    separators; whole when the field takes a whole number (a sample, a count), where '1,200'
    can only be a thousand and more."""
    plain = text.strip()
    comma, thousands = _DECIMAL_COMMA.fullmatch(plain), _THOUSANDS.fullmatch(plain)
    shape = comma or thousands
    if shape is None:
        return None
    unit = " (without the unit)" if shape["unit"] else ""
    digits = re.sub(r"[^-+0-9.]", "", plain)
    if comma and len(comma["part"]) == 3:  # 1,200: a thousand and more, or 1.2 written 1,200
        return (f"write the digits alone{unit}: {digits}" if whole else
                f"use a decimal point{unit}: {comma['sign']}{comma['whole']}.{comma['part']} "
                f"(or {digits}, if the comma separates thousands)")
    if comma:
        return None if whole else (
            f"use a decimal point{unit}: {comma['sign']}{comma['whole']}.{comma['part']}")
    return f"write the digits alone{unit}: {digits}"


def suggest(word: str, choices: Iterable[str], within: tuple[str, ...] | None = None) -> str | None:
    """'did you mean ...?' for the choice closest to word, if one is close (see closest)."""
    close = closest(word, choices, within)
    return f"did you mean '{close}'?" if close else None


def closest(word: str, choices: Iterable[str], within: tuple[str, ...] | None = None,
            prefix: str = "") -> str | None:
    """The choice closest to word, if one is close. within: all the names the choices are
    taken from (the organisation's locations, for the few a commitment lists), the same
    tuple each time: many choices are then looked up in one index of them, rather than an
    index made for each set of choices (thirty commitments, each listing a different 4,999
    of 5,000 locations, made an index for every measurement). prefix: what the word and every choice
    are written after ('email-reply@' for a location), compared with them."""
    listed = tuple(choices)
    if within is None or len(listed) <= _Index.SMALL:
        return _index(listed).closest(word, prefix=prefix)
    return _index(within).closest(word, frozenset(listed), prefix)


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Names for a hint, the first few of a long list: a hint is read, not searched."""
    shown = list(itertools.islice(names, limit + 1))
    if len(shown) <= limit:
        return ", ".join(shown)
    return ", ".join(shown[:limit]) + ", ..."


class _Index:
    """The choices a word may be a slip of the keyboard for, found without comparing it with
    every choice: a thousand unknown ids against five thousand commitments made five million
    difflib comparisons.

    Up to SMALL choices, difflib looks at them all. Past that, it looks only at the choices
    that are a typo away (a letter deleted, added, changed or two swapped: a deletion of one
    letter at most from each side gives the same text) or that start with the word, or that
    it starts with ('email' for 'email-reply')."""

    SMALL = 200
    PREFIXED = 20  # choices taken that start with the word
    LONGEST = 200  # a longer word is no slip of the keyboard

    def __init__(self, choices: tuple[str, ...]):
        self.choices = choices
        self.known = set(choices)
        self.deletions: dict[str, list[str]] = {}
        self.ordered: list[str] = []
        self.found: dict[str, str | None] = {}
        if len(choices) > self.SMALL:
            for choice in choices:
                for key in self._deleted(choice):
                    self.deletions.setdefault(key, []).append(choice)
            self.ordered = sorted(self.known)

    @staticmethod
    def _deleted(word: str) -> set[str]:
        return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}

    def _candidates(self, word: str) -> list[str]:
        found: dict[str, None] = {}
        for key in self._deleted(word):
            found.update(dict.fromkeys(self.deletions.get(key, ())))
        start = bisect.bisect_left(self.ordered, word)
        for choice in self.ordered[start:start + self.PREFIXED]:
            if not choice.startswith(word):
                break
            found[choice] = None
        found.update(dict.fromkeys(word[:i] for i in range(1, len(word))
                                   if word[:i] in self.known))
        return list(found)

    def closest(self, word: str, among: frozenset[str] | None = None,
                prefix: str = "") -> str | None:
        """The choice closest to word; with among, the closest of those in among; each
        compared as written after prefix."""
        if len(word) > self.LONGEST:
            return None
        key = prefix + word
        if among is None and key in self.found:
            return self.found[key]
        choices = self.choices if len(self.choices) <= self.SMALL else self._candidates(word)
        if among is not None:
            choices = [c for c in choices if c in among]
        close = difflib.get_close_matches(key, [prefix + c for c in choices], n=1, cutoff=0.6)
        found = close[0][len(prefix):] if close else None
        if among is None:
            self.found[key] = found
        return found


@functools.lru_cache(maxsize=16)
def _index(choices: tuple[str, ...]) -> _Index:
    return _Index(choices)
