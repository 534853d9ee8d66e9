"""A repository's own message catalogs: `site_src/locales/LANG.po`, which add a language Kept
does not ship, or change some of the words of one it does.

A catalog comes with a pull request like any file, so it is read as hostile: its syntax is
checked line by line (Babel's reader passes an unclosed quote or a keyword without its string
in silence), each translation must keep the placeholders of its message and may hold no markup
(a translation is printed into pages as it is), and its plural rule must be one gettext reads.
Every problem is located at its line and column.

What Kept takes from a catalog is its translations and its plural rule: the file is read as
UTF-8 and names its language by its name, whatever its header says of either.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
import string
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from generator import files, i18n
from generator.errors import Problem
from generator.hints import suggest
from generator.kinds import CONTROL

FOLDER = "site_src/locales"
MAX_CATALOG_BYTES = 1024 * 1024
# What a translation may not hold: it is printed into Markdown and HTML as it is.
MARKUP = re.compile(r"[<>&`\[\]\\]")
_KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[[0-9]+\])?)(?:[ \t]+|$)')
_ESCAPE = re.compile(r'\\(?:[\\"ntrabfv]|[0-7]{1,3}|x[0-9a-fA-F]+)')
_HEADER_LINE = re.compile(r'^\s*(?:msgstr\s+)?"([A-Za-z][A-Za-z0-9-]*)\s*:')
# A plural rule divides n only by a number (n%10, n%100): anything else may be zero for some n,
# and gettext would fail on that count in the middle of a build.
_DIVISION = re.compile(r"[/%](?!\s*[1-9])")
# A translation is words for a message: longer than this, it is something else (a page's worth
# of text printed wherever the message is, on every page).
_LONGER = 4
_MORE = 40


@dataclass(frozen=True)
class Catalog:
    """A repository's catalog, read and checked: its translations, ready for gettext."""

    code: str
    path: str
    translations: gettext.GNUTranslations


def paths(root: Path) -> tuple[list[str], list[str]]:
    """The catalogs of the repository (relative paths), sorted, and the other files of their
    folder, which Kept neither reads nor publishes (a page there was published before Kept
    had catalogs)."""
    folder = root / FOLDER
    if not folder.is_dir():
        return [], []
    found = sorted(files.walk(root, FOLDER).files)
    return [rel for rel in found if rel.endswith(".po")], [rel for rel in found if not rel.endswith(".po")]


def read(root: Path, rel: str, known_messages: set[str] | None = None) -> tuple[Catalog | None, list[Problem]]:
    """One catalog, checked (see the module's docstring); None when it cannot be used."""
    code = Path(rel).stem
    if Path(rel).parent.as_posix() != FOLDER or not i18n.known(code):
        return None, [Problem(rel, 1, 1, f"'{Path(rel).name}' is not named after a language",
                              "name a catalog after its language tag: site_src/locales/fr.po, "
                              "site_src/locales/fr-CA.po")]
    try:
        raw = files.read_bytes(root, rel, MAX_CATALOG_BYTES)
    except files.Refused as exc:
        return None, [exc.problem]
    try:
        text = raw.decode("utf-8-sig")  # a mark of UTF-8 first, as some editors write
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        return None, [Problem(rel, before.count(b"\n") + 1, exc.start - before.rfind(b"\n"),
                              "the catalog is not UTF-8 text", "save it as UTF-8")]
    problems = _syntax(rel, text)
    if problems:
        return None, problems
    locale = i18n.locale_of(code)
    try:
        catalog = read_po(io.StringIO(text), locale=locale, abort_invalid=True)
    except PoFileError as exc:
        return None, [Problem(rel, max(exc.lineno, 1), 1, f"the catalog cannot be read: {exc}",
                              "see an example in docs/languages.md")]
    except Exception as exc:  # noqa: BLE001 - Babel's reading of a header's value (a date, a
        # number, a header folded onto the next line) raises whatever that reading raises
        return None, [_header_problem(rel, text, locale, exc)]
    # The file is the language its name says, in the encoding it was read in: a Language header
    # Babel does not know (an empty one, as some editors write) would drop the plural rule, a
    # charset other than UTF-8 would fail to write the translations or garble them.
    catalog.locale = locale
    catalog.charset = "utf-8"
    problems += _plural_rule(rel, text, catalog.plural_forms)
    for message in catalog:
        if message.id:
            problems += _message(rel, message, known_messages)
    if any(p.severity == "error" for p in problems):
        return None, problems
    # Only Kept's messages are compiled: gettext looks up no other, and one whose msgid holds
    # a NUL would be taken for the plural of one of Kept's (the .mo separates plurals so).
    kept = i18n.messages()
    for message in [m for m in catalog if m.id and (m.context or _msgid(m) not in kept)]:
        catalog.delete(message.id, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Catalog(code, rel, gettext.GNUTranslations(buffer)), problems


def _syntax(rel: str, text: str) -> list[Problem]:
    """Each line is blank, a comment, `keyword "string"` or a `"string"` continuing the one
    before, every string closed and its escapes ones gettext knows."""
    problems = []
    for number, line in enumerate(_lines(text), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        start = len(line) - len(line.lstrip())
        keyword = _KEYWORD.match(stripped)
        at = start + (keyword.end() if keyword else 0)
        if line[at:at + 1] != '"':
            word = stripped.split()[0]
            problems.append(Problem(rel, number, start + 1, f"'{word[:40]}' is not a line of a "
                                    "catalog" if not keyword else "a keyword without its string",
                                    'write msgid "...", msgstr "..." or a "..." line continuing '
                                    "the one before"))
            continue
        problem = _string(rel, number, line, at)
        if problem:
            problems.append(problem)
    return problems


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _lines(text: str) -> list[str]:
    """The lines of a catalog as gettext and editors count them: a form feed or a line
    separator inside a string is a character of the string (which the check of translations
    then names), not the end of a line."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _header_problem(rel: str, text: str, locale: Locale, exc: Exception) -> Problem:
    """Where the header Babel could not read is: each of its headers read alone (with the
    lines that continue it: a line that starts with a space is folded onto the one before)."""
    lines = _lines(text)
    header: list[tuple[int, str, list[str]]] = []  # (line number, name, its lines)
    seen_message = False
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith(("msgid", "msgctxt")):
            if seen_message:
                break  # past the header
            seen_message = True
        found = _HEADER_LINE.match(line)
        if found:
            header.append((number, found.group(1), [line[line.index('"'):]]))
        elif header and stripped.startswith('"'):
            header[-1][2].append(stripped)
    for number, name, parts in header:
        alone = 'msgid ""\nmsgstr ""\n' + "\n".join(parts) + "\n"
        try:
            read_po(io.StringIO(alone), locale=locale)
        except Exception as reason:  # noqa: BLE001 - as in read
            return Problem(rel, number, 1, f"'{name}' in the catalog's header cannot be "
                           f"read{_why(reason)}", "correct it as gettext writes it, or remove the "
                           "line: Kept needs only Plural-Forms")
    return Problem(rel, 1, 1, f"the catalog's header cannot be read{_why(exc)}",
                   'correct it as gettext writes it: a line "Name: value\\n" each')


def _why(exc: Exception) -> str:
    """What Babel said of a value it could not read, when it says something of the value."""
    return f" ({exc})" if isinstance(exc, (ValueError, LookupError)) else ""


def _string(rel: str, number: int, line: str, at: int) -> Problem | None:
    """The quoted string that starts at `at`: closed, with known escapes, and nothing after."""
    i = at + 1
    while i < len(line):
        char = line[i]
        if char == "\\":
            escape = _ESCAPE.match(line, i)
            if escape is None:
                return Problem(rel, number, i + 1, f"unknown escape '{line[i:i + 2]}'",
                               'write \\\\ for a backslash, \\" for a quote, \\n for a new line')
            i = escape.end()
            continue
        if char == '"':
            rest = line[i + 1:]
            if rest.strip():
                return Problem(rel, number, i + 2 + len(rest) - len(rest.lstrip()),
                               "text after the closing quote", "put the rest inside the quotes")
            return None
        i += 1
    return Problem(rel, number, at + 1, "a quote opened here is never closed",
                   'end the string with " on the same line')


def _plural_rule(rel: str, text: str, rule: str) -> list[Problem]:
    """The catalog's Plural-Forms, as gettext will evaluate it."""
    expression = rule.split("plural=", 1)[1].rstrip(";") if "plural=" in rule else ""
    line = next((n for n, text_line in enumerate(_lines(text), 1)
                 if "Plural-Forms" in text_line), 1)
    try:
        gettext.c2py(expression)
    except (ValueError, IndexError):
        return [Problem(rel, line, 1, "the plural rule (Plural-Forms) is not one gettext reads",
                        "copy it from the catalog Kept ships for the language, or from "
                        "docs/languages.md")]
    if _DIVISION.search(expression):
        return [Problem(rel, line, 1, "the plural rule (Plural-Forms) divides by something "
                        "else than a number above zero, which fails for some counts",
                        "divide n by numbers alone, as gettext's rules do: n%10, n%100")]
    return []


def _fields(text: str) -> dict[str, str] | None:
    """The {placeholders} of a message by name, each as written ('{count}', '{count:>9}'; the
    last of a name), or None when its braces are not well formed."""
    try:
        return {name: "{" + name + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "") + "}"
                for _, name, spec, conversion in string.Formatter().parse(text)
                if name is not None}
    except ValueError:
        return None


def _names(text: str) -> set[str] | None:
    """The {placeholders} of a message, or None when its braces are not well formed."""
    fields = _fields(text)
    return None if fields is None else set(fields)


def _message(rel: str, message: Message, known_messages: set[str] | None) -> list[Problem]:
    ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
    strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
    line = message.lineno or 1
    problems: list[Problem] = []
    if known_messages is not None and ids[0] not in known_messages:
        hint = suggest(ids[0], sorted(known_messages))
        problems.append(Problem(rel, line, 1, f"'{ids[0][:60]}' is not a message Kept writes",
                                hint or "copy the msgid from Kept's catalog of the language",
                                "warning"))
    elif known_messages is not None:
        # gettext finds a translation by its msgid alone, and gives the msgid_plural written
        # here for a form left empty: the placeholders and words are to be Kept's.
        plural = i18n.plurals().get(ids[0])
        if len(ids) > 1 and ids[1] != plural:
            problems.append(Problem(rel, line, 1, f"the msgid_plural of '{ids[0][:60]}' is not "
                                    "Kept's" if plural else f"'{ids[0][:60]}' has no plural in "
                                    "Kept's messages", f'write msgid_plural "{plural}"' if plural
                                    else "remove msgid_plural and write msgstr alone"))
        ids = (ids[0], plural) if plural else (ids[0],)
    allowed = set().union(*(_names(i) or set() for i in ids))
    if len(ids) > 1:
        allowed.add("count")
    limit = _LONGER * max(len(i) for i in ids) + _MORE
    for translation in strings:
        if not translation:
            continue
        fields = _fields(translation)
        formatted = [written for name, written in (fields or {}).items()
                     if written != "{" + name + "}"]
        if fields is None:
            problems.append(Problem(rel, line, 1, f"the translation of '{ids[0][:60]}' has a "
                                    "brace that is not a placeholder",
                                    "write placeholders as {name}, as in the message"))
        elif set(fields) - allowed:
            extra = ", ".join(sorted("{" + n + "}" for n in set(fields) - allowed))
            problems.append(Problem(rel, line, 1, f"the translation of '{ids[0][:60]}' has "
                                    f"{extra}, which the message does not give",
                                    "use only the message's own placeholders: "
                                    + (", ".join(sorted("{" + n + "}" for n in allowed)) or "none")))
        elif formatted:
            # Kept fills a placeholder with words already formatted for the language: a format
            # or a conversion after the name fails on them, or pads them to any width.
            problems.append(Problem(rel, line, 1, f"the translation of '{ids[0][:60]}' has "
                                    f"{formatted[0][:40]}, which is not a placeholder alone",
                                    "write the placeholder's name alone in braces, as in the "
                                    "message: " + ", ".join(sorted("{" + n + "}" for n in allowed))))
        control = CONTROL.search(translation)
        if control is not None:
            problems.append(Problem(rel, line, 1, f"the translation of '{ids[0][:60]}' holds the "
                                    f"control character {repr(control.group())[1:-1]}, which no "
                                    "page, feed or badge can show", "remove it"))
        if len(translation) > limit:
            problems.append(Problem(rel, line, 1, f"the translation of '{ids[0][:60]}' is "
                                    f"{len(translation):,} characters long, over the limit of "
                                    f"{limit:,} ({_LONGER} times the message's, and {_MORE} more)",
                                    "say it in fewer words"))
        mark = MARKUP.search(translation)
        if mark:
            problems.append(Problem(rel, line, 1, f"the translation of '{ids[0][:60]}' holds "
                                    f"'{mark.group()}', which is markup in a page",
                                    "write it in plain words"))
    return problems


def language(root: Path, code: str) -> i18n.Language:
    """A language of the site with the repository's own catalog of it, when it has one that
    reads (`kept validate` says what is wrong with one that does not). Read once a process
    while the catalog stays as it is (kept serve builds again and again)."""
    rel = f"{FOLDER}/{code}.po"
    try:
        stat = (root / rel).stat()
        seen: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        seen = None
    return _language(root, code, seen)


@functools.lru_cache(maxsize=32)
def _language(root: Path, code: str, seen: tuple[int, int] | None) -> i18n.Language:
    rel = f"{FOLDER}/{code}.po"
    if seen is not None and (root / rel).is_file():
        catalog, _ = read(root, rel)
        if catalog is not None:
            return i18n.language(code, catalog.translations)
    return i18n.language(code)
