"""The shape of Kept's data files, declared once.

The validator walks these declarations to check a loaded document, and the same declarations
give the JSON Schema and the field reference, so the three cannot drift apart. Checks that
span fields or files (references, dates inside periods, ...) live in `validate`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import decimal
import difflib
import functools
import itertools
import math
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.errors import Problem
from generator.load import NUMBER_RE, Map, Pos, PythonObject, Seq
from generator.markup import MAX_NESTING, nesting
from generator.model import PERIOD_RE
from generator.model import YEAR as _YEAR

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 64
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The dates Kept handles: a site's files carry their time as seconds since 1970 in 32 bits
# (gzip, the sitemap's compression), which end on 2106-02-07; 2105 is the last whole year.
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2105, 12, 31)
PERIOD_SHAPE_RE = re.compile(r"^\d{4}-(?:Q[1-4]|0[1-9]|1[0-2])$")  # any year
DAYS = f"{FIRST_DAY} to {LAST_DAY}"
YEARS = f"{FIRST_DAY.year} to {LAST_DAY.year}"
# The longest text of each kind: a one-line text (a title, a name, a unit) needs far less than
# a Markdown field, and Markdown's work grows faster than a text's length.
MAX_LINE = 200
MAX_MARKDOWN = 5_000
MAX_TEXT = 20_000  # a text in an `internal:` mapping (shown as Markdown on the internal site)
_YAML_STR, _YAML_INT, _YAML_FLOAT = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float"))
# The largest figure, count or sample, either way: past it no customer-service figure makes
# sense, and below it every figure is exact in a JSON reader's floats and draws on a chart.
MAX_NUMBER = 10**12


class Sink:
    """Collects problems for one file."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, pos: Pos, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], message, hint))

    def warning(self, pos: Pos, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], message, hint, "warning"))


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


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """'did you mean ...?' for the choice closest to word, if one is close."""
    close = _index(tuple(choices)).closest(word)
    return f"did you mean '{close}'?" if close else None


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

    def closest(self, word: str) -> str | None:
        if len(word) > self.LONGEST:
            return None
        if word not in self.found:
            choices = self.choices if len(self.choices) <= self.SMALL else self._candidates(word)
            close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
            self.found[word] = close[0] if close else None
        return self.found[word]


@functools.lru_cache(maxsize=16)
def _index(choices: tuple[str, ...]) -> _Index:
    return _Index(choices)


def parse_date(text: str) -> dt.date | None:
    """The date written YYYY-MM-DD, when it is a real one that Kept handles (see LAST_DAY)."""
    if not isinstance(text, str) or not DATE_RE.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def period_out_of_range(text: str) -> str | None:
    """For a text shaped like a period id of a year Kept does not handle, why; else None."""
    if PERIOD_SHAPE_RE.fullmatch(text) and not PERIOD_RE.fullmatch(text):
        return f"is in the year {text[:4]}, outside the years Kept handles ({YEARS})"
    return None


class Type:
    """A kind of value: knows how to check one and how to describe itself as JSON Schema."""

    label = "value"
    kinds: tuple[type, ...] = (object,)  # what the loader gives for this kind (see Either)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kinds) and (bool in self.kinds or not isinstance(value, bool))

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Type):
    kinds = (str,)
    markdown: bool = False
    max_length: int | None = None  # default: MAX_MARKDOWN for Markdown, else MAX_LINE

    @property
    def label(self) -> str:  # type: ignore[override]
        return "Markdown text" if self.markdown else "text"

    @property
    def limit(self) -> int:
        if self.max_length is not None:
            return self.max_length
        return MAX_MARKDOWN if self.markdown else MAX_LINE

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, str):
            hint = "put it in quotes" if isinstance(value, (int, float, bool, dt.date)) else None
            sink.error(pos, f"'{name}' must be {self.label}, not {describe(value)}", hint)
        elif not value.strip():
            sink.error(pos, f"'{name}' is empty", "write some text or remove the key")
        else:
            self.check_size(value, pos, name, sink)

    def check_size(self, value: str, pos: Pos, name: str, sink: Sink) -> None:
        if len(value) > self.limit:
            hint = ("say it in fewer words, and link to a longer page if needed" if self.markdown
                    else "keep it to one short line; details belong in a Markdown field")
            sink.error(pos, f"'{name}' is {len(value)} characters long, over the limit of "
                            f"{self.limit:,}", hint)
        elif self.markdown and (depth := nesting(value)) > MAX_NESTING:
            sink.error(pos, f"'{name}' has a line that opens {depth} lists or quotes inside "
                            f"each other, over the limit of {MAX_NESTING}",
                       "start each list item on a line of its own")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": self.limit}


# An address a page may print in an attribute: http or https, a host, and none of the
# characters that end an attribute or a URL (quotes, spaces, angle brackets, controls).
_NOT_IN_URL = r'\s\x00-\x1f\x7f-\x9f"' + r"'<>\\^`{|}"
URL_RE = re.compile(rf"^https?://[^{_NOT_IN_URL}]+$", re.I)
_BAD_URL_CHARACTER = re.compile(rf"[{_NOT_IN_URL}]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_URL_EXAMPLE = "for example 'https://promises.example.com/'"


@dataclass(frozen=True)
class Url(Type):
    label = "web address"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, str) or not value.strip():
            sink.error(pos, f"'{name}' must be a web address, not {describe(value)}", _URL_EXAMPLE)
            return
        scheme = _SCHEME.match(value)
        if scheme is None or "://" not in value:
            sink.error(pos, f"'{name}' must start with http:// or https://, not {describe(value)}",
                       f"write 'https://{value.strip()}'" if scheme is None else _URL_EXAMPLE)
        elif scheme.group(1).lower() not in ("http", "https"):
            sink.error(pos, f"'{name}' must start with http:// or https://, not "
                            f"'{scheme.group(0)}'", _URL_EXAMPLE)
        elif len(value) > MAX_LINE:
            sink.error(pos, f"'{name}' is {len(value)} characters long, over the limit of "
                            f"{MAX_LINE}")
        elif _BAD_URL_CHARACTER.search(value):
            sink.error(pos, f"'{name}' has a space, a quote, an angle bracket, a backslash or a "
                            f"control character in it: {describe(value)}",
                       "write such a character %-encoded (a space as %20)")
        elif not _has_host(value):
            sink.error(pos, f"'{name}' has no host name (or a wrong port): {describe(value)}",
                       _URL_EXAMPLE)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "pattern": URL_RE.pattern,
                "maxLength": MAX_LINE}


def _has_host(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
        return bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:  # a port that is not a number, a bracketed host that is not an address
        return False


@dataclass(frozen=True)
class Slug(Type):
    kinds = (str,)
    label = "id"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, str) or not SLUG_RE.fullmatch(value) or len(value) > SLUG_MAX:
            sink.error(
                pos,
                f"'{name}' must be an id (lower-case letters, digits and single hyphens, at most "
                f"{SLUG_MAX} characters), not {describe(value)}",
                f"for example '{slugify(str(value))}'" if isinstance(value, str) and slugify(value)
                else None,
            )

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG_RE.pattern, "maxLength": SLUG_MAX}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:SLUG_MAX].strip("-")


@dataclass(frozen=True)
class Date(Type):
    kinds = (str,)
    label = "date"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if isinstance(value, str) and DATE_RE.fullmatch(value):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                sink.error(pos, f"'{name}' is not a real date: '{value}'",
                           "check the month and the day")
                return
            if parse_date(value) is None:
                sink.error(pos, f"'{name}' is {value}, outside the dates Kept handles ({DAYS})",
                           "a site's files carry their time as seconds from 1970, and those "
                           "run out in 2106")
        else:
            sink.error(pos, f"'{name}' must be a date written YYYY-MM-DD, not {describe(value)}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date",
                "pattern": rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$"}


@dataclass(frozen=True)
class Number(Type):
    kinds = (int, float)
    minimum: float | None = None
    integer: bool = False
    nullable: bool = False

    @property
    def label(self) -> str:  # type: ignore[override]
        return "a whole number" if self.integer else "a number"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if value is None and self.nullable:
            return
        ok_type = int if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            hint = None
            if isinstance(value, str):
                hint = _yaml11_reading(value) or "write digits only, without units or quotes"
            if self.nullable:
                hint = (hint + "; " if hint else "") + "use null when it was not measured"
            sink.error(pos, f"'{name}' must be {self.label}, not {describe(value)}", hint)
        elif isinstance(value, float) and not math.isfinite(value):
            sink.error(pos, f"'{name}' must be a finite number, not {value}",
                       f"figures lie between -{MAX_NUMBER:,} and {MAX_NUMBER:,}"
                       if math.isinf(value) else None)
        elif self.minimum is not None and value < self.minimum:
            sink.error(pos, f"'{name}' must be at least {self.minimum:g}, not {short_number(value)}")
        elif abs(value) > MAX_NUMBER:
            sink.error(pos, f"'{name}' is {short_number(value)}, beyond the limit of "
                            f"{'-' if value < 0 else ''}{MAX_NUMBER:,}",
                       "no figure, count or sample is that large: check the digits, or "
                       "measure in a larger unit")

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if self.integer else "number",
                                  "minimum": -MAX_NUMBER if self.minimum is None else self.minimum,
                                  "maximum": MAX_NUMBER}
        if self.nullable:
            schema = {"oneOf": [schema, {"type": "null"}]}
        return schema


@dataclass(frozen=True)
class Enum(Type):
    kinds = (str,)
    choices: tuple[str, ...] = ()

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if value not in self.choices or not isinstance(value, str):
            hint = suggest(str(value), list(self.choices)) if isinstance(value, str) else None
            sink.error(pos, f"'{name}' must be one of {', '.join(self.choices)}, "
                            f"not {describe(value)}", hint)

    def json_schema(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


@dataclass(frozen=True)
class PeriodId(Type):
    kinds = (str,)
    label = "period"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if isinstance(value, str) and (why := period_out_of_range(value)):
            sink.error(pos, f"'{name}' {value} {why}")
        elif not isinstance(value, str) or not PERIOD_RE.fullmatch(value):
            sink.error(pos, f"'{name}' must be a period such as 2026-Q3 or 2026-09, "
                            f"not {describe(value)}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": PERIOD_RE.pattern}


CHANGE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*(@[a-z0-9]+(-[a-z0-9]+)*)?$")


@dataclass(frozen=True)
class ChangeName(Type):
    """What a correction changes: a commitment id, `commitment@location`, `summary`,
    `highlights`, or an improvement id."""

    label = "change"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, str) or not CHANGE_RE.match(value) or len(value) > 2 * SLUG_MAX + 1:
            sink.error(pos, f"'{name}' must name what the correction changes (a commitment id, "
                            f"commitment@location, summary, highlights or an improvement id), "
                            f"not {describe(value)}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": CHANGE_RE.pattern, "maxLength": 2 * SLUG_MAX + 1}


@dataclass(frozen=True)
class AnyMapping(Type):
    """The free-form `internal:` mapping: any content, shown on the internal site only."""
    kinds = (Map,)

    label = "mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Map):
            sink.error(pos, f"'{name}' must be a mapping (key: value lines), not {describe(value)}")
            return
        # A text directly under the mapping is shown as Markdown (deeper ones as YAML).
        for key, item in value.items():
            if isinstance(item, str):
                _INTERNAL_TEXT.check_size(item, value.val_pos[key], f"{name}.{key}", sink)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"maxLength": MAX_TEXT}}


_INTERNAL_TEXT = Text(markdown=True, max_length=MAX_TEXT)


@dataclass(frozen=True)
class Field:
    type: Type
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Record(Type):
    """A mapping with known keys."""
    kinds = (Map,)

    name: str = "record"
    fields: dict[str, Field] = field(default_factory=dict)
    doc: str = ""
    open: bool = False  # other keys are allowed, and not checked (MkDocs' and its plugins')

    label = "mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Map):
            sink.error(pos, f"'{name}' must be a mapping ({self.name}), not {describe(value)}")
            return
        for key in value:
            spec = self.fields.get(key)
            if spec is None and self.open:
                continue
            if spec is None:
                hint = suggest(key, list(self.fields))
                sink.error(value.key_pos[key], f"unknown key '{key}' in {self.name}",
                           hint or f"allowed keys: {', '.join(self.fields)}")
                continue
            spec.type.check(value[key], value.val_pos[key], key, sink)
        for key, spec in self.fields.items():
            if spec.required and key not in value:
                ident = value.get("id")
                who = f"{self.name} '{ident}'" if isinstance(ident, str) else self.name
                sink.error(value.pos, f"{who} is missing required key '{key}'", spec.doc or None)

    def json_schema(self) -> dict[str, Any]:
        props = {}
        for key, spec in self.fields.items():
            sub = dict(spec.type.json_schema())
            sub["description"] = spec.doc
            props[key] = sub
        schema: dict[str, Any] = {
            "type": "object",
            "properties": props,
            "additionalProperties": self.open,
        }
        required = [k for k, s in self.fields.items() if s.required]
        if required:
            schema["required"] = required
        if self.doc:
            schema["description"] = self.doc
        return schema


@dataclass(frozen=True)
class ListOf(Type):
    kinds = (Seq,)
    item: Type = field(default_factory=Text)

    label = "list"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Seq):
            sink.error(pos, f"'{name}' must be a list (lines starting with '- '), "
                            f"not {describe(value)}")
            return
        for item, item_pos in zip(value, value.item_pos, strict=True):
            self.item.check(item, item_pos, name, sink)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.json_schema()}


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping from ids (checked as slugs) to values of one type."""
    kinds = (Map,)

    value: Type = field(default_factory=Text)
    key_label: str = "id"

    label = "mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Map):
            sink.error(pos, f"'{name}' must be a mapping of {self.key_label} to values, "
                            f"not {describe(value)}")
            return
        for key, item in value.items():
            Slug().check(key, value.key_pos[key], f"{name} {self.key_label}", sink)
            self.value.check(item, value.val_pos[key], f"{name}.{key}", sink)

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": Slug().json_schema(),
            "additionalProperties": self.value.json_schema(),
        }


@dataclass(frozen=True)
class NumberOr(Type):
    """A plain number, or a record for the longer form ({value, sample})."""

    number: Number = field(default_factory=Number)
    record: Record = field(default_factory=Record)

    label = "number or mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if isinstance(value, Map):
            self.record.check(value, pos, name, sink)
        else:
            self.number.check(value, pos, name, sink)

    def json_schema(self) -> dict[str, Any]:
        return {"oneOf": [self.number.json_schema(), self.record.json_schema()]}


@dataclass(frozen=True)
class Flag(Type):
    label = "true or false"
    kinds = (bool,)

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, bool):
            sink.error(pos, f"'{name}' must be true or false, not {describe(value)}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Either(Type):
    """One of a few kinds of value, told apart by what was written (text, a mapping, a list):
    the first option that takes it checks it."""

    options: tuple[Type, ...] = ()
    what: str = "value"  # the options in words, for the message
    null: bool = False  # nothing (null) is allowed too

    def accepts(self, value: Any) -> bool:
        return (value is None and self.null) or any(o.accepts(value) for o in self.options)

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if value is None and self.null:
            return
        option = next((o for o in self.options if o.accepts(value)), None)
        if option is None:
            quote = all(isinstance(o, Text) for o in self.options) and isinstance(
                value, (int, float, bool, dt.date))
            sink.error(pos, f"'{name}' must be {self.what}, not {describe(value)}",
                       "put it in quotes" if quote else None)
        else:
            option.check(value, pos, name, sink)

    def json_schema(self) -> dict[str, Any]:
        options = [o.json_schema() for o in self.options] + ([{"type": "null"}] if self.null else [])
        return {"oneOf": options}


@dataclass(frozen=True)
class Named(Type):
    """MkDocs' Markdown extensions or plugins: a list of names, each alone or as a mapping of
    the name to its options; or one mapping of names to options."""

    kind: str = "plugin"
    kinds = (Seq, Map)

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if isinstance(value, Map):
            for key, options in value.items():
                self._options(key, options, value.val_pos[key], sink)
            return
        if not isinstance(value, Seq):
            sink.error(pos, f"'{name}' must be a list of {self.kind} names (lines starting with "
                            f"'- '), not {describe(value)}")
            return
        for item, item_pos in zip(value, value.item_pos, strict=True):
            if isinstance(item, str) and item.strip():
                continue
            if isinstance(item, Map) and len(item) == 1:
                key = next(iter(item))
                self._options(key, item[key], item.val_pos[key], sink)
                continue
            what = (f"a mapping of {len(item)} names" if isinstance(item, Map) and item
                    else "an empty mapping" if isinstance(item, Map) else describe(item))
            sink.error(item_pos, f"an item of '{name}' must be a {self.kind} name, or a mapping of "
                                 f"one name to its options, not {what}",
                       f"write '- NAME' or '- NAME:' with its options indented below it, one "
                       f"item for each {self.kind}")

    def _options(self, key: str, options: Any, pos: Pos, sink: Sink) -> None:
        if options is not None and not isinstance(options, Map):
            sink.error(pos, f"the options of {self.kind} '{key}' must be a mapping (option: value "
                            f"lines), not {describe(options)}")

    def json_schema(self) -> dict[str, Any]:
        options = {"oneOf": [{"type": "object"}, {"type": "null"}]}
        return {"oneOf": [
            {"type": "array", "items": {"oneOf": [
                {"type": "string"},
                {"type": "object", "minProperties": 1, "maxProperties": 1,
                 "additionalProperties": options}]}},
            {"type": "object", "additionalProperties": options}]}


# --- the declarations -------------------------------------------------------------------------

VISIBILITY = Field(Enum(("public", "internal")),
                   "public (default) or internal: internal entities appear on the internal site only")
INTERNAL = Field(AnyMapping(), "anything for the team (owner, notes, tickets...); internal site only")

ORGANIZATION = Record("organization", {
    "name": Field(Text(), "the organisation's name, shown as the site's name", required=True),
    "url": Field(Url(), "base URL of the public site (http or https), for canonical links "
                        "and feeds"),
    "period": Field(Enum(("quarter", "month")),
                    "reporting period: quarter (results/2026-Q3.yml) or month (results/2026-09.yml)",
                    required=True),
    "min_sample": Field(Number(minimum=0, integer=True),
                        "per-location figures measured on fewer cases are not published (default 30)"),
    "internal": INTERNAL,
}, "Who makes the promises")

VALUE = Record("value", {
    "id": Field(Slug(), "permanent id of the value", required=True),
    "title": Field(Text(), "the principle, in a few words", required=True),
    "description": Field(Text(markdown=True), "what it means"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A principle that commitments serve")

LOCATION = Record("location", {
    "id": Field(Slug(), "permanent id of the location", required=True),
    "name": Field(Text(), "the location's name", required=True),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A site or team whose results are reported separately")

METRIC = Record("metric", {
    "name": Field(Text(), "what is measured", required=True),
    "unit": Field(Text(), "unit of the figures, free text (%, hours, score)", required=True),
    "direction": Field(Enum(("lower", "higher")),
                       "which way is better: lower or higher", required=True),
    "target": Field(Number(), "the figure to reach", required=True),
    "definition": Field(Text(markdown=True), "how it is measured"),
}, "How a commitment is measured")

REVIEW = Record("review", {
    "every": Field(Enum(("month", "quarter", "half-year", "year")),
                   "how often the commitment is reviewed", required=True),
    "last": Field(Date(), "the day it was last reviewed"),
}, "When the commitment is reviewed")

PREVIOUS = Record("previous", {
    "target": Field(Number(), "the target before the revision"),
    "title": Field(Text(), "the title before the revision"),
    "promise": Field(Text(markdown=True), "the promise before the revision"),
    "name": Field(Text(), "the metric's name (what was measured) before the revision"),
    "definition": Field(Text(markdown=True), "how it was measured before the revision"),
}, "What applied before the revision")

REVISION = Record("revision", {
    "date": Field(Date(), "the day the change took effect", required=True),
    "reason": Field(Text(markdown=True), "why it changed", required=True),
    "previous": Field(PREVIOUS, "what applied before that day", required=True),
    "internal": INTERNAL,
}, "A change to a commitment, with its reason")

COMMITMENT = Record("commitment", {
    "id": Field(Slug(), "permanent id, part of every URL of the commitment", required=True),
    "title": Field(Text(), "the promise in one line", required=True),
    "promise": Field(Text(markdown=True), "the promise in customers' words", required=True),
    "why": Field(Text(markdown=True), "what is in it for the customer"),
    "value": Field(Slug(), "id of the value it serves"),
    "metric": Field(METRIC, "how it is measured", required=True),
    "since": Field(Date(), "first day the promise applies", required=True),
    "retired": Field(Date(), "last day the promise applies"),
    "locations": Field(ListOf(Slug()), "location ids: results are broken down by these"),
    "review": Field(REVIEW, "review schedule"),
    "revisions": Field(ListOf(REVISION), "how the promise changed, in any order"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A promise to customers")

COMMITMENTS_FILE = Record("commitments.yml", {
    "organization": Field(ORGANIZATION, "who makes the promises", required=True),
    "values": Field(ListOf(VALUE), "the principles commitments serve"),
    "locations": Field(ListOf(LOCATION), "sites or teams with results of their own"),
    "commitments": Field(ListOf(COMMITMENT), "the promises", required=True),
}, "Kept: an organisation's customer-service commitments")

LOCATION_FIGURE = NumberOr(Number(nullable=True), Record("location figure", {
    "value": Field(Number(nullable=True), "the location's figure", required=True),
    "sample": Field(Number(minimum=0, integer=True), "cases measured at the location"),
}, "A location's figure with its sample"))

MEASUREMENT = Record("measurement", {
    "value": Field(Number(nullable=True), "the figure, or null when not measured", required=True),
    "sample": Field(Number(minimum=0, integer=True), "cases measured"),
    "locations": Field(MapOf(LOCATION_FIGURE, "location id"),
                       "location id -> number or {value, sample}"),
    "explanation": Field(Text(markdown=True), "context; needed for a missed target or a null"),
    "internal": INTERNAL,
}, "A commitment's result for the period")

FEEDBACK = Record("feedback", {
    "source": Field(Text(), "where the feedback came from (survey, complaints, ...)"),
    "count": Field(Number(minimum=0, integer=True), "how many customers said it"),
}, "The feedback behind an improvement")

IMPROVEMENT = Record("improvement", {
    "id": Field(Slug(), "permanent id, unique across all periods; part of its URL", required=True),
    "date": Field(Date(), "the day it happened, inside the period", required=True),
    "title": Field(Text(), "what changed, in one line", required=True),
    "you_said": Field(Text(markdown=True), "the customers' feedback", required=True),
    "we_did": Field(Text(markdown=True), "the change made", required=True),
    "commitments": Field(ListOf(Slug()), "ids of the commitments it relates to"),
    "feedback": Field(FEEDBACK, "source and number of the feedback"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A change made because customers asked: you said, we did")

CORRECTION = Record("correction", {
    "date": Field(Date(), "the day of the correction", required=True),
    "note": Field(Text(markdown=True), "what was corrected and why", required=True),
    "changes": Field(ListOf(ChangeName()),
                     "what it changes in the published edition: commitment ids (their figures "
                     "and text in this period), commitment@location, summary, highlights, "
                     "improvement ids; the edition shows each with its published and its "
                     "corrected value"),
    "visibility": VISIBILITY,
    "internal": INTERNAL,
}, "A change made after publication")

RESULTS_FILE = Record("results file", {
    "period": Field(PeriodId(), "the period, equal to the file name (2026-Q3 or 2026-09)",
                    required=True),
    "published": Field(Date(), "the day it was published; without it the period is a draft"),
    "summary": Field(Text(markdown=True), "the period in a few sentences"),
    "measurements": Field(MapOf(MEASUREMENT, "commitment id"), "commitment id -> measurement"),
    "highlights": Field(ListOf(Text(markdown=True)), "successes to celebrate"),
    "improvements": Field(ListOf(IMPROVEMENT), "you said, we did"),
    "corrections": Field(ListOf(CORRECTION), "changes made after publication"),
    "internal": INTERNAL,
}, "Kept: the results of one reporting period")


# --- mkdocs.yml: the keys Kept relies on, and their types (MkDocs checks the rest) -------------

THEME = Record("theme", {
    "name": Field(Either((Text(),), "the name of a theme, such as material", null=True),
                  "the theme"),
    "custom_dir": Field(Text(), "a folder of theme overrides, inside the repository"),
    "language": Field(Text(), "the language of the theme's own words"),
    "locale": Field(Text(), "the locale of the theme"),
    "features": Field(ListOf(Text()), "the theme's features to turn on"),
    "palette": Field(Either((AnyMapping(), ListOf(AnyMapping())),
                            "a palette mapping, or a list of them"), "colours"),
    "font": Field(Either((Flag(), AnyMapping()), "false, or a mapping of fonts"),
                  "fonts (Kept turns web fonts off, so that builds work offline)"),
    "logo": Field(Text(), "the logo"),
    "favicon": Field(Text(), "the favicon"),
    "icon": Field(AnyMapping(), "icons"),
}, "The MkDocs theme", open=True)

SCRIPT = Record("script", {
    "path": Field(Text(), "the path or URL of the script", required=True),
    "type": Field(Text(), "its type, such as module"),
    "async": Field(Flag(), "load it asynchronously"),
    "defer": Field(Flag(), "run it after the page is read"),
}, "A script and how to load it")

MKDOCS_FILE = Record("mkdocs.yml", {
    "site_name": Field(Either((Text(),), "text", null=True),
                       "the sites' name (default: the organisation's name)"),
    "INHERIT": Field(Text(), "another MkDocs config in the repository that this one extends"),
    "theme": Field(Either((Text(), THEME), "the name of a theme, or a mapping (name: material, "
                                           "...)"), "the theme"),
    "markdown_extensions": Field(Named("Markdown extension"), "Markdown extensions"),
    "plugins": Field(Named("plugin"), "MkDocs plugins"),
    "hooks": Field(ListOf(Text()), "Python files MkDocs runs as plugins"),
    "extra": Field(Record("extra", {
        "version": Field(AnyMapping(), "the version selector's settings"),
    }, "Settings for the theme", open=True), "settings for the theme"),
    "extra_css": Field(ListOf(Text()), "style sheets"),
    "extra_javascript": Field(ListOf(Either((Text(), SCRIPT), "a path, or a mapping (path: ..., "
                                                               "type: module)")), "scripts"),
}, "The MkDocs config: look and feel", open=True)
# Set by Kept for every edition: the same keys in mkdocs.yml are not used.
KEPT_OWNS = ("docs_dir", "site_dir", "site_url", "nav", "use_directory_urls", "strict")
