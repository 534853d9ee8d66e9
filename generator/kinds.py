"""The kinds of value in Kept's files, each knowing how to check a value and how to describe
itself as JSON Schema; `shapes` makes mappings and lists of them, and `schema` declares the
files with both."""

from __future__ import annotations

import datetime as dt
import math
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from generator import i18n
from generator.errors import Problem
from generator.hints import _yaml11_reading, describe, number_hint, short_number, suggest
from generator.load import Map, Pos
from generator.markup import MAX_NESTING, nesting
from generator.periods import DAYS, FIRST_DAY, LAST_DAY, SHAPE_RE, YEAR, YEARS

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 64
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The longest text of each kind: a one-line text (a title, a name, a unit) needs far less than
# a Markdown field, and Markdown's work grows faster than a text's length.
MAX_LINE = 200
MAX_MARKDOWN = 5_000
MAX_TEXT = 20_000  # a text in an `internal:` mapping (shown as Markdown on the internal site)
# The largest figure, count or sample, either way: past it no customer-service figure makes
# sense, and below it every figure is exact in a JSON reader's floats and draws on a chart.
MAX_NUMBER = 10**12


class Sink:
    """Collects problems for one file."""

    def __init__(self, path: str, languages: tuple[str, ...] | None = None):
        self.path = path
        self.problems: list[Problem] = []
        # The site's languages, the main one first, where a text may be given in each of them
        # (see Text); None in files that are not the organisation's data (mkdocs.yml).
        self.languages = languages

    def error(self, pos: Pos, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], message, hint))

    def warning(self, pos: Pos, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], message, hint, "warning"))


def parse_date(text: str) -> dt.date | None:
    """The date written YYYY-MM-DD, when it is a real one that Kept handles (see LAST_DAY)."""
    if not isinstance(text, str) or not DATE_RE.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


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

    def resolved(self, value: Any, language: str, main: str) -> Any:
        """A checked value with each of its texts in one language (see Text.resolved)."""
        return value


@dataclass(frozen=True)
class Text(Type):
    kinds = (str,)
    markdown: bool = False
    max_length: int | None = None  # default: MAX_MARKDOWN for Markdown, else MAX_LINE
    may_be_empty: bool = False  # "" is a value (a unit for plain counts)

    @property
    def label(self) -> str:  # type: ignore[override]
        return "Markdown text" if self.markdown else "text"

    @property
    def limit(self) -> int:
        if self.max_length is not None:
            return self.max_length
        return MAX_MARKDOWN if self.markdown else MAX_LINE

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if isinstance(value, Map) and sink.languages is not None:
            self._check_languages(value, pos, name, sink)
            return
        if not isinstance(value, str):
            hint = "put it in quotes" if isinstance(value, (int, float, bool, dt.date)) else None
            if isinstance(value, Map):
                hint = "a mapping by language needs organization.languages"
            sink.error(pos, f"'{name}' must be {self.label}, not {describe(value)}", hint)
        elif not value.strip() and not (self.may_be_empty and value == ""):
            sink.error(pos, f"'{name}' is empty", "write some text or remove the key")
        else:
            self.check_size(value, pos, name, sink)
            if sink.languages and len(sink.languages) > 1:
                self._untranslated(value, sink.languages[1:], pos, name, sink)

    def _check_languages(self, value: Map, pos: Pos, name: str, sink: Sink) -> None:
        """A text given by language (title: {en: ..., cy: ...}): each a language of the site,
        each a text, the main language's given; a missing one is a warning."""
        languages = sink.languages or ()
        for code, text in value.items():
            where = value.key_pos[code]
            if code not in languages:
                what = "a language of the site" if i18n.known(str(code)) else "a language tag"
                sink.error(where, f"'{code}' in '{name}' is not {what}",
                           suggest(str(code), languages)
                           or f"the site's languages (organization.languages) are: "
                              f"{', '.join(languages)}")
                continue
            inner = Sink(sink.path)  # a translation is a text, not a mapping again
            self.check(text, value.val_pos[code], f"{name}.{code}", inner)
            sink.problems += inner.problems
        if languages and languages[0] not in value:
            sink.error(pos, f"'{name}' has no text in the main language '{languages[0]}'",
                       f"add {languages[0]}: ... (the first of organization.languages)")
        missing = [code for code in languages[1:] if code not in value]
        if missing and languages[0] in value and isinstance(value[languages[0]], str):
            self._untranslated(value[languages[0]], tuple(missing), pos, name, sink)

    @staticmethod
    def _untranslated(text: str, missing: tuple[str, ...], pos: Pos, name: str,
                      sink: Sink) -> None:
        """A warning for each language a text with words in it is not given in."""
        if not any(c.isalpha() for c in text):
            return  # %, £: the same in every language
        for code in missing:
            sink.warning(pos, f"'{name}' has no {i18n.english_name(code)} ({code}) text: "
                              "the main language's is shown",
                         f"give it by language, {name}: {{main: ..., {code}: ...}}")

    def resolved(self, value: Any, language: str, main: str) -> Any:
        """The text in one language: its own, else the main language's marked as such (see
        i18n.Foreign) for pages to say which language it is in."""
        if isinstance(value, Map):
            if language in value:
                return value[language]
            value = value.get(main)
        if isinstance(value, str) and language != main:
            return i18n.Foreign(value, main)
        return value

    def check_size(self, value: str, pos: Pos, name: str, sink: Sink) -> None:
        control = CONTROL.search(value)
        if control is not None:
            sink.error(pos, f"'{name}' holds the control character "
                            f"{repr(control.group())[1:-1]}, which no page, feed or badge can show",
                       "remove it (tabs and line breaks are fine)")
        elif len(value) > self.limit:
            hint = ("say it in fewer words, and link to a longer page if needed" if self.markdown
                    else "keep it to one short line; details belong in a Markdown field")
            sink.error(pos, f"'{name}' is {len(value)} characters long, over the limit of "
                            f"{self.limit:,}", hint)
        elif self.markdown and (depth := nesting(value)) > MAX_NESTING:
            sink.error(pos, f"'{name}' has a line that opens {depth} lists or quotes inside "
                            f"each other, over the limit of {MAX_NESTING}",
                       "start each list item on a line of its own")

    def json_schema(self) -> dict[str, Any]:
        text = {"type": "string", "minLength": 0 if self.may_be_empty else 1,
                "maxLength": self.limit}
        by_language = {"type": "object", "minProperties": 1,
                       "propertyNames": {"pattern": i18n.TAG_RE.pattern},
                       "additionalProperties": text}
        return {"anyOf": [text, by_language]}


# What no text may hold: control characters but tab and line breaks, bytes that were not UTF-8
# (lone surrogates) and the two non-characters XML forbids. A badge with one is not XML, and
# a YAML file cannot hold one unescaped (kept new-period wrote titles into comments).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


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
        elif "?" in value or "#" in value:  # every page's address is made by adding to it
            sink.error(pos, f"'{name}' has a query (?...) or a fragment (#...): "
                            f"{describe(value)}", "write the site's address alone, such as "
                                                  f"'{value.split('?')[0].split('#')[0]}'")

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
        if not isinstance(value, str) or not valid_id(value):
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


def valid_id(text: str) -> bool:
    return bool(SLUG_RE.fullmatch(text)) and len(text) <= SLUG_MAX


def id_form(text: str) -> str:
    """An id as it must be written: a valid one as it is, another as the slug its error
    suggests ('Phone_Answer' -> 'phone-answer'; '' when it has no letter or digit)."""
    return text if valid_id(text) else slugify(text)


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
                "pattern": rf"^{YEAR}-[0-9]{{2}}-[0-9]{{2}}$"}


@dataclass(frozen=True)
class Number(Type):
    kinds = (int, float)
    minimum: float | None = None
    integer: bool = False
    nullable: bool = False
    maximum: float | None = None

    @property
    def label(self) -> str:  # type: ignore[override]
        return "a whole number" if self.integer else "a number"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if value is None and self.nullable:
            return
        ok_type = int if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            hint = None
            written = number_hint(value, self.integer) if isinstance(value, str) else None
            if isinstance(value, str):
                hint = (_yaml11_reading(value) or written
                        or "write digits only, without units or quotes")
            if self.nullable and written is None:
                hint = (hint + "; " if hint else "") + "use null when it was not measured"
            sink.error(pos, f"'{name}' must be {self.label}, not {describe(value)}", hint)
        elif isinstance(value, float) and not math.isfinite(value):
            sink.error(pos, f"'{name}' must be a finite number, not {value}",
                       f"figures lie between -{MAX_NUMBER:,} and {MAX_NUMBER:,}"
                       if math.isinf(value) else None)
        elif self.minimum is not None and value < self.minimum:
            sink.error(pos, f"'{name}' must be at least {self.minimum:g}, not {short_number(value)}")
        elif self.maximum is not None and value > self.maximum:
            sink.error(pos, f"'{name}' must be at most {self.maximum:g}, not {short_number(value)}")
        elif abs(value) > MAX_NUMBER:
            sink.error(pos, f"'{name}' is {short_number(value)}, beyond the limit of "
                            f"{'-' if value < 0 else ''}{MAX_NUMBER:,}",
                       "no figure, count or sample is that large: check the digits, or "
                       "measure in a larger unit")

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if self.integer else "number",
                                  "minimum": -MAX_NUMBER if self.minimum is None else self.minimum,
                                  "maximum": MAX_NUMBER if self.maximum is None else self.maximum}
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

    """A period id of any calendar (2026-09, 2026-Q3, 2025, 2024-25, 2024-25-Q3): which
    calendar the organisation uses, and so which ids are its periods, `validate` checks."""

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, str) or not SHAPE_RE.fullmatch(value):
            sink.error(pos, f"'{name}' must be a period such as 2026-09, 2026-Q3, 2025, 2024-25 "
                            f"or 2024-25-Q3, not {describe(value)}")
        elif not FIRST_DAY.year <= int(value[:4]) <= LAST_DAY.year:
            sink.error(pos, f"'{name}' {value} is in the year {value[:4]}, outside the years "
                            f"Kept handles ({YEARS})")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SHAPE_RE.pattern}


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
class Flag(Type):
    label = "true or false"
    kinds = (bool,)

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, bool):
            sink.error(pos, f"'{name}' must be true or false, not {describe(value)}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Currency(Type):
    """An ISO 4217 currency code: GBP, USD, EUR."""

    kinds = (str,)
    label = "currency"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, str) or not CURRENCY_RE.fullmatch(value):
            hint = (f"write it in capitals: {value.upper()}" if isinstance(value, str)
                    and CURRENCY_RE.fullmatch(value.upper()) else "for example GBP, USD or EUR")
            sink.error(pos, f"'{name}' must be a currency code of three capital letters "
                            f"(ISO 4217), not {describe(value)}", hint)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": CURRENCY_RE.pattern}


@dataclass(frozen=True)
class LanguageTag(Type):
    """A language, as a BCP 47 tag: en, cy, fr-CA."""

    kinds = (str,)
    label = "language tag"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, str) or not i18n.TAG_RE.fullmatch(value):
            parts = value.replace("_", "-").split("-") if isinstance(value, str) else [""]
            # A script is written Hant, a region GB: en_GB, pt-br, ZH-HANT-TW as BCP 47 writes them.
            fixed = parts[0].lower() + "".join(
                f"-{part.title() if len(part) == 4 else part.upper()}" for part in parts[1:])
            hint = (f"write it as {fixed}" if isinstance(value, str) and i18n.known(fixed)
                    else f"for example {', '.join(i18n.SHIPPED)} or fr-CA")
            sink.error(pos, f"'{name}' must be a language tag, not {describe(value)}", hint)
        elif not i18n.known(value):
            sink.error(pos, f"'{value}' is not a language Kept has data for",
                       suggest(value, i18n.SHIPPED) or f"for example {', '.join(i18n.SHIPPED)}")
        elif (written := i18n.canonical(value)) != value:
            # Kept's words and Material's are found by the tag: 'cym' would have neither.
            sink.error(pos, f"'{value}' is another code for {i18n.english_name(value)}, whose "
                            f"language tag is '{written}'", f"write it as {written}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": i18n.TAG_RE.pattern}
