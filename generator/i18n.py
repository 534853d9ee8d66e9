"""Kept's own words in the reader's language: message catalogs (gettext, compiled with Babel),
and numbers, dates, money and period names as the locale writes them (CLDR, through Babel).

A build renders each edition in one language at a time: `use(language)` makes it the current
one for the code that runs inside it (a ContextVar: templates, charts, feeds and open data ask
`current()`, and nothing passes the language down by hand). Messages are written in the code
as `tr("...")` and `ntr("...", "...", n)` (templates: `_()` and `ngettext()`), with `{name}`
placeholders filled after translation.

Catalogs ship for SHIPPED in `generator/locales/LANG/LC_MESSAGES/kept.po` (and `.mo`); a
repository may add or override one in `site_src/locales/LANG.po` (see `catalogs`). A language
is a BCP 47 tag, `cy` or `fr-CA`: its words come from the catalog of the whole tag, else of
its language; its formats from CLDR's data for the tag (a bare `en` writes as British English
does, `5 September 2026`, as Kept always has).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import functools
import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import babel
import babel.core
import babel.dates
import babel.numbers

SHIPPED = ("en", "cy", "de", "es", "fr", "nl")
DEFAULT = "en"
DOMAIN = "kept"
LOCALES = Path(__file__).parent / "locales"
# The formats a bare language code means (Babel's own default for `en` is American).
_REGION = {"en": "en_GB", "cy": "cy_GB"}
TAG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")


class Foreign(str):
    """A text in another language than the page's (a translation not given: the main
    language's text is shown), which the page marks with its `lang`."""

    lang: str

    def __new__(cls, text: str, lang: str) -> Foreign:
        made = super().__new__(cls, text)
        made.lang = lang
        return made

    def __reduce__(self) -> tuple[object, ...]:  # kept through pickling (worker processes)
        return (Foreign, (str(self), self.lang))


def english_name(code: str) -> str:
    """A language's name in English, for messages to the team: 'Welsh'."""
    try:
        return locale_of(code).get_language_name("en") or code
    except ValueError:
        return code


class Language:
    """One language of a site: its words (translations) and its formats (locale)."""

    def __init__(self, code: str, translations: gettext.NullTranslations):
        self.code = code
        self.locale = locale_of(code)
        self.translations = translations
        self.rtl = self.locale.character_order == "right-to-left"
        # Caches keyed by the figure (or day) alone: the same figures recur in every edition,
        # and Babel's formatting cost more than the rest of a page's words.
        self.number = functools.lru_cache(maxsize=8192)(self._number)
        self.percent = functools.lru_cache(maxsize=8192)(self._percent)
        self.date = functools.lru_cache(maxsize=1024)(self._date)
        self.month_year = functools.lru_cache(maxsize=1024)(self._month_year)

    def __repr__(self) -> str:
        return f"Language({self.code!r})"

    @property
    def name(self) -> str:
        """The language's name in itself, as a language selector shows it: 'Cymraeg'; with
        its region or script when the tag gives one: 'English (United States)'."""
        name = ((self.locale.get_display_name(self.locale) if "-" in self.code else None)
                or self.locale.get_language_name(self.locale) or self.code)
        return name[:1].upper() + name[1:]

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    # --- words ---------------------------------------------------------------------------

    def tr(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def ntr(self, singular: str, plural: str, count: int, **values: object) -> str:
        text = self.translations.ngettext(singular, plural, count)
        return text.format(count=self.number(count), **values)

    # --- numbers ---------------------------------------------------------------------------

    def _number(self, value: float, digits: int = 2) -> str:
        """A figure with at most `digits` decimals, grouped as the locale groups: 1,234.5
        (en), 1 234,5 (fr)."""
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return babel.numbers.format_decimal(_exact(value), format=pattern, locale=self.locale,
                                            decimal_quantization=True)

    def _percent(self, value: float) -> str:
        """A figure that is a percentage already (97.2 -> 97.2%, 97,2 % in French)."""
        pattern = self.locale.percent_formats[None].pattern.split(";")[0]
        pattern = pattern.replace("0", "0.##", 1) if "." not in pattern else pattern
        return babel.numbers.format_percent(_exact(value) / 100, format=pattern,
                                            locale=self.locale, decimal_quantization=True)

    def money(self, value: float, currency: str, symbol: str | None = None) -> str:
        """An amount of a currency (ISO 4217), as the locale writes it: £1,260.00; with the
        symbol given (the data wrote $, not USD), that symbol in the locale's place for it."""
        if symbol is None:
            return babel.numbers.format_currency(_exact(value), currency, locale=self.locale)
        pattern = self.locale.currency_formats["standard"].pattern.split(";")[0]
        literal = "'" + symbol.replace("'", "''") + "'"
        digits = babel.numbers.get_currency_precision(currency)
        pattern = re.sub(r"0(?:\.0+)?", "0" + ("." + "0" * digits if digits else ""), pattern, count=1)
        return babel.numbers.format_decimal(_exact(value), format=pattern.replace("¤", literal),
                                            locale=self.locale)

    # --- dates and periods -------------------------------------------------------------------

    def _date(self, day: dt.date) -> str:
        """A day in words: 5 September 2026, 5 septembre 2026."""
        return babel.dates.format_date(day, "long", locale=self.locale)

    def _month_year(self, day: dt.date) -> str:
        """September 2026, septembre 2026, septiembre de 2026."""
        return babel.dates.format_skeleton("yMMMM", day, locale=self.locale)

    def month(self, day: dt.date) -> str:
        """The month's name standing alone: September, septembre."""
        return self.locale.months["stand-alone"]["wide"][day.month]

    def quarter(self, number: int) -> str:
        """A quarter's short name: Q3, T3 (fr, es), K3 (nl), Ch3 (cy)."""
        return self.locale.quarters["format"]["abbreviated"][number]


def _exact(value: float) -> decimal.Decimal:
    """A float as the decimal it was written as (97.2, not 97.2000000000000028...)."""
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def locale_of(code: str) -> babel.Locale:
    """The CLDR locale of a language tag (ValueError when CLDR has none)."""
    name = _REGION.get(code, code.replace("-", "_"))
    try:
        return babel.Locale.parse(name)
    except (babel.UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"no locale data for {code!r}") from exc


def script(code: str) -> str | None:
    """The script a language tag is written in: its own (sr-Latn), else the likeliest for it
    (CLDR's likely subtags: Cyrl for sr, Hant for zh-TW); None for a tag CLDR does not know."""
    try:
        locale = locale_of(code)
    except ValueError:
        return None
    if locale.script:
        return locale.script
    likely = babel.core.get_global("likely_subtags")
    for key in (f"{locale.language}_{locale.territory}", locale.language):
        if key in likely:
            return babel.core.parse_locale(likely[key])[2]
    return None


def canonical(code: str) -> str:
    """A tag with its language as CLDR names it: 'cy' for 'cym' or 'wel' (ISO 639-2), 'he'
    for 'iw' (an old code); the tag itself when CLDR has no data for it."""
    try:
        language = locale_of(code).language
    except ValueError:
        return code
    return "-".join([language, *code.split("-")[1:]])


def known(code: str) -> bool:
    """Whether a tag is well formed and CLDR has data for it."""
    if not TAG_RE.fullmatch(code):
        return False
    try:
        locale_of(code)
    except ValueError:
        return False
    return True


def shipped(code: str) -> str | None:
    """The shipped catalog a tag takes its words from (its own, or its language's), or None."""
    for candidate in (code, code.split("-", 1)[0]):
        if candidate in SHIPPED:
            return candidate
    return None


@functools.lru_cache(maxsize=32)
def _shipped_translations(code: str) -> gettext.NullTranslations:
    if code == DEFAULT:
        return gettext.NullTranslations()  # the messages are English
    with open(LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as f:
        return gettext.GNUTranslations(f)


def language(code: str, own: gettext.NullTranslations | None = None) -> Language:
    """A language, its words from `own` (a repository's catalog) where it has them, else from
    the shipped catalog of the tag (else English)."""
    base = shipped(code)
    fallback = _shipped_translations(base) if base else gettext.NullTranslations()
    if own is None:
        return _plain(code, fallback)
    own.add_fallback(fallback)
    return Language(code, own)


@functools.lru_cache(maxsize=32)
def _plain(code: str, translations: gettext.NullTranslations) -> Language:
    return Language(code, translations)


ENGLISH = language(DEFAULT)
_CURRENT: contextvars.ContextVar[Language] = contextvars.ContextVar("kept_language", default=ENGLISH)


def current() -> Language:
    return _CURRENT.get()


@contextlib.contextmanager
def use(lang: Language) -> Iterator[Language]:
    """Make lang the language of what runs inside (a page, an edition's files)."""
    token = _CURRENT.set(lang)
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


def tr(message: str, **values: object) -> str:
    """A message in the current language, its {placeholders} filled."""
    return _CURRENT.get().tr(message, **values)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a message marked, not translated
    """A message marked for the catalog where it is written, translated where it is shown
    (`tr(message)`)."""
    return message


def ntr(singular: str, plural: str, count: int, **values: object) -> str:
    """A message that depends on a count ({count}, formatted), in the current language."""
    return _CURRENT.get().ntr(singular, plural, count, **values)


@functools.lru_cache(maxsize=1)
def messages() -> set[str]:
    """Every message Kept writes (the msgids of its catalog template, kept.pot)."""
    return set(_template())


def plurals() -> dict[str, str]:
    """The plural of each message Kept writes that depends on a count, by its msgid."""
    return {message: plural for message, plural in _template().items() if plural is not None}


@functools.lru_cache(maxsize=1)
def _template() -> dict[str, str | None]:
    from babel.messages.pofile import read_po

    with open(LOCALES / f"{DOMAIN}.pot", encoding="utf-8") as f:
        catalog = read_po(f)
    return {m.id if isinstance(m.id, str) else m.id[0]: None if isinstance(m.id, str) else m.id[1]
            for m in catalog if m.id}
