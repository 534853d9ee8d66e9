"""Languages: organization.languages, texts given by language, a repository's own catalogs,
and Kept's own words and formats in each language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator import i18n
from generator.validate import check, load_languages
from tests.helpers import COMMITMENTS, at, write_project

BILINGUAL = COMMITMENTS.replace("  min_sample: 30\n", "  min_sample: 30\n  languages: [en, cy]\n", 1)
TITLE = "title: We reply to every email within 4 hours"


def problems(root: Path, strict: bool = False, needle: str = "") -> list[str]:
    return [p.format() for p in check(root, strict=strict).problems if needle in p.message]


def test_a_text_given_by_language_is_read_in_each(tmp_path: Path) -> None:
    text = BILINGUAL.replace(TITLE, "title: {en: We reply within 4 hours, cy: Rydym yn ateb o fewn 4 awr}")
    root = write_project(tmp_path / "data", text)
    datasets, _ = load_languages(root)
    assert list(datasets) == ["en", "cy"]
    assert datasets["en"].commitment("email-reply").title == "We reply within 4 hours"
    welsh = datasets["cy"].commitment("email-reply")
    assert welsh.title == "Rydym yn ateb o fewn 4 awr" and not isinstance(welsh.title, i18n.Foreign)
    # a text given once is the main language's: marked as English on the Welsh site
    assert isinstance(welsh.promise, i18n.Foreign) and welsh.promise.lang == "en"
    assert not isinstance(datasets["en"].commitment("email-reply").promise, i18n.Foreign)


def test_a_missing_translation_is_a_warning_at_the_text_and_an_error_when_strict(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", BILINGUAL)
    where = at(root, "commitments.yml", "We reply to every email within 4 hours")
    expected = (f"commitments.yml:{where}: warning: 'title' has no Welsh (cy) text: the main "
                "language's is shown; give it by language, title: {main: ..., cy: ...}")
    assert expected in problems(root, needle="has no Welsh")
    assert expected.replace("warning", "error") in problems(root, strict=True, needle="has no Welsh")


def test_a_text_without_words_needs_no_translation(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", BILINGUAL)
    warned = {int(p.split(":")[1]) for p in problems(root, needle="has no Welsh") if "'unit'" in p}
    lines = (root / "commitments.yml").read_text(encoding="utf-8").splitlines()
    units = {n: line.split(":", 1)[1].strip() for n, line in enumerate(lines, 1) if "  unit:" in line}
    # hours and tickets have words; "%" is the same in Welsh
    assert {units[n] for n in warned} == {"hours", "tickets"}
    assert '"%"' in units.values()


@pytest.mark.parametrize(("mapping", "message"), [
    ("{en: We reply, fr: Nous répondons}",
     "'fr' in 'title' is not a language of the site; the site's languages "
     "(organization.languages) are: en, cy"),
    ("{en: We reply, klingon: Qapla}", "'klingon' in 'title' is not a language tag;"),
    ("{cy: Rydym yn ateb}", "'title' has no text in the main language 'en'; add en: ..."),
    ("{en: We reply, cy: ''}", "'title.cy' is empty"),
    ("{en: We reply, cy: {en: nested}}", "'title.cy' must be text, not a mapping"),
])
def test_a_text_by_language_is_checked(tmp_path: Path, mapping: str, message: str) -> None:
    root = write_project(tmp_path / "data", BILINGUAL.replace(TITLE, f"title: {mapping}"))
    found = [p for p in problems(root) if "error" in p]
    assert any(message in p for p in found), found
    assert all(p.startswith("commitments.yml:") for p in found)


def test_a_text_by_language_needs_the_languages_declared(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data", COMMITMENTS.replace(TITLE, "title: {en: We reply, cy: Ateb}"))
    assert any("'fr'" not in p and "'cy' in 'title' is not a language of the site; the site's "
               "languages (organization.languages) are: en" in p for p in problems(root))


@pytest.mark.parametrize(("languages", "message"), [
    ("[en, klingon]", "'languages' must be a language tag, not the text 'klingon'"),
    ("[en, en_GB]", "'languages' must be a language tag, not the text 'en_GB'; write it as en-GB"),
    ("[en, pt-br]", "'languages' must be a language tag, not the text 'pt-br'; write it as pt-BR"),
    ("[en, ZH-HANT-TW]", "not the text 'ZH-HANT-TW'; write it as zh-Hant-TW"),
    ("[en, xx]", "'xx' is not a language Kept has data for"),
    ("[en, cy, en]", "language 'en' is listed twice"),
    ("[en, ar]", "Kept has no words in Arabic ('ar'); add site_src/locales/ar.po"),
    # ISO 639-2 and old codes: Kept's Welsh is found by cy, Material's Hebrew by he
    ("[en, cym]", "'cym' is another code for Welsh, whose language tag is 'cy'; write it as cy"),
    ("[eng, wel]", "'eng' is another code for English, whose language tag is 'en'; write it as en"),
    ("[en, iw]", "'iw' is another code for Hebrew, whose language tag is 'he'; write it as he"),
    ("[en, zho-TW]", "'zho-TW' is another code for Chinese, whose language tag is 'zh-TW'"),
])
def test_the_languages_are_checked(tmp_path: Path, languages: str, message: str) -> None:
    text = COMMITMENTS.replace("  min_sample: 30\n", f"  min_sample: 30\n  languages: {languages}\n", 1)
    root = write_project(tmp_path / "data", text)
    found = problems(root)
    assert any(message in p and p.startswith("commitments.yml:6:") for p in found), found


# --- a repository's own catalog ------------------------------------------------------------------

CATALOG = '''\
msgid ""
msgstr ""
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "{first} to {last} {year}"
msgstr "de {first} à {last} {year}"
'''


def with_catalog(tmp_path: Path, text: str, name: str = "fr.po", languages: str = "[en, fr]") -> Path:
    commitments = COMMITMENTS.replace("  min_sample: 30\n", f"  min_sample: 30\n  languages: {languages}\n", 1)
    root = write_project(tmp_path / "data", commitments)
    (root / "site_src" / "locales").mkdir(parents=True)
    (root / "site_src" / "locales" / name).write_text(text, encoding="utf-8")
    return root


def catalog_problems(root: Path) -> list[str]:
    return [p.format() for p in check(root).problems if "locales" in p.path]


def test_a_good_catalog_changes_the_words(tmp_path: Path) -> None:
    from generator import catalogs

    root = with_catalog(tmp_path, CATALOG)
    assert catalog_problems(root) == []
    catalog, _ = catalogs.read(root, "site_src/locales/fr.po")
    assert catalog is not None
    french = i18n.language("fr", catalog.translations)
    assert french.tr("{first} to {last} {year}", first="juillet", last="septembre",
                     year=2026) == "de juillet à septembre 2026"


@pytest.mark.parametrize(("line", "message"), [
    ('msgstr "de {first} à {last} {year}\n', "6:8: error: a quote opened here is never closed"),
    ('msgstr "de {first} à {last}" {year}\n', "6:30: error: text after the closing quote"),
    ('msgstr de\n', "6:1: error: a keyword without its string"),
    ('msgstr "de \\q"\n', "6:12: error: unknown escape '\\q'"),
    ('msgstr "de {first} à {last} {année}"\n', "error: the translation of '{first} to {last} "
     "{year}' has {année}, which the message does not give; use only the message's own "
     "placeholders: {first}, {last}, {year}"),
    ('msgstr "de {first à {last} {year}"\n', "has a brace that is not a placeholder"),
    ('msgstr "de <b>{first}</b> à {last} {year}"\n', "holds '<', which is markup in a page"),
    ('msgstr "de [{first}](javascript:x) à {last} {year}"\n', "holds '[', which is markup"),
    # Kept fills placeholders with words: a format after the name fails on them, or pads them
    ('msgstr "de {first} à {last} {year:d}"\n', "5:1: error: the translation of '{first} to "
     "{last} {year}' has {year:d}, which is not a placeholder alone; write the placeholder's "
     "name alone in braces, as in the message: {first}, {last}, {year}"),
    ('msgstr "de {first} à {last} {year:999999999}"\n', "has {year:999999999}, which is not a "
     "placeholder alone"),
    ('msgstr "de {first!r} à {last} {year}"\n', "has {first!r}, which is not a placeholder alone"),
    ('msgstr "de {first}\x00 à {last}\x1b {year}"\n', "5:1: error: the translation of '{first} to "
     "{last} {year}' holds the control character \\x00, which no page, feed or badge can show"),
    ('msgstr "de {first}\x0c à {last} {year}"\n', "5:1: error: the translation of '{first} to "
     "{last} {year}' holds the control character \\x0c"),
    ('msgstr "' + "de {first} à {last} {year} " * 8 + '"\n', "5:1: error: the translation of "
     "'{first} to {last} {year}' is 216 characters long, over the limit of 136 (4 times the "
     "message's, and 40 more); say it in fewer words"),
])
def test_a_bad_catalog_is_located(tmp_path: Path, line: str, message: str) -> None:
    text = CATALOG.replace('msgstr "de {first} à {last} {year}"\n', line)
    root = with_catalog(tmp_path, text)
    found = catalog_problems(root)
    assert any(p.startswith("site_src/locales/fr.po:") and message in p for p in found), found


def test_a_catalog_with_a_plural_rule_gettext_cannot_read(tmp_path: Path) -> None:
    root = with_catalog(tmp_path, CATALOG.replace("plural=(n > 1);", "plural=(n > 1;"))
    assert catalog_problems(root) == [
        "site_src/locales/fr.po:3:1: error: the plural rule (Plural-Forms) is not one gettext "
        "reads; copy it from the catalog Kept ships for the language, or from docs/languages.md"]


@pytest.mark.parametrize("rule", ["plural=(n%0);", "plural=(n / (n - 1));", "plural=n%(n>1);"])
def test_a_plural_rule_that_may_divide_by_zero_is_refused(tmp_path: Path, rule: str) -> None:
    """gettext would divide by zero for some count in the middle of a build."""
    root = with_catalog(tmp_path, CATALOG.replace("plural=(n > 1);", rule))
    assert catalog_problems(root) == [
        "site_src/locales/fr.po:3:1: error: the plural rule (Plural-Forms) divides by something "
        "else than a number above zero, which fails for some counts; divide n by numbers alone, "
        "as gettext's rules do: n%10, n%100"]


@pytest.mark.parametrize(("header", "message"), [
    ('"Plural-Forms: nplurals=two; plural=(n > 1);\\n"',
     "3:1: error: 'Plural-Forms' in the catalog's header cannot be read (invalid literal for "
     "int() with base 10: 'two'); correct it as gettext writes it, or remove the line: Kept "
     "needs only Plural-Forms"),
    ('"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n"PO-Revision-Date: yesterday\\n"',
     "4:1: error: 'PO-Revision-Date' in the catalog's header cannot be read"),
    ('"Language: ../fr\\n"', "3:1: error: 'Language' in the catalog's header cannot be read"),
    # a line that starts with a space continues the header before it (Babel raised AttributeError)
    ('"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n"PO-Revision-Date: 2026-11-30 04:23+0000\\n"\n'
     '" Last-Translator: Ann\\n"', "4:1: error: 'PO-Revision-Date' in the catalog's header cannot "
     "be read; correct it"),
])
def test_a_header_babel_cannot_read_is_located(tmp_path: Path, header: str, message: str) -> None:
    root = with_catalog(tmp_path, CATALOG.replace('"Plural-Forms: nplurals=2; plural=(n > 1);\\n"', header))
    found = catalog_problems(root)
    assert len(found) == 1 and found[0].startswith("site_src/locales/fr.po:" + message), found


def test_a_catalog_is_read_as_utf8_in_the_language_its_name_says(tmp_path: Path) -> None:
    """Whatever its header says: a charset Babel would write the translations in (and fail
    on a letter it does not have), a Language it does not know (an empty one, as some editors
    write, which dropped the plural rule)."""
    from generator import catalogs

    text = """\
msgid ""
msgstr ""
"Language: \\n"
"Content-Type: text/plain; charset=latin-1\\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5);\\n"

msgid "{count} customer"
msgid_plural "{count} customers"
msgstr[0] "{count} cwsmer ŵ"
msgstr[1] "{count} cwsmer"
msgstr[2] "{count} gwsmer"
msgstr[3] "{count} chwsmer"
msgstr[4] "{count} chwsmer ŷ"
msgstr[5] "{count} cwsmer ŵ"
"""
    root = with_catalog(tmp_path, text, name="cy.po", languages="[en, cy]")
    assert catalog_problems(root) == []
    catalog, _ = catalogs.read(root, "site_src/locales/cy.po")
    assert catalog is not None
    welsh = i18n.language("cy", catalog.translations)
    assert [welsh.ntr("{count} customer", "{count} customers", n) for n in (0, 1, 2, 3, 6, 7)] == [
        "0 cwsmer ŵ", "1 cwsmer", "2 gwsmer", "3 chwsmer", "6 chwsmer ŷ", "7 cwsmer ŵ"]


def test_a_message_kept_does_not_write_is_a_warning(tmp_path: Path) -> None:
    root = with_catalog(tmp_path, CATALOG + '\nmsgid "{first} to {last}  {year}"\nmsgstr "x"\n')
    assert catalog_problems(root) == [
        "site_src/locales/fr.po:8:1: warning: '{first} to {last}  {year}' is not a message Kept "
        "writes; did you mean '{first} to {last} {year}'?"]


def test_a_catalog_needs_a_language_name_and_a_language_of_the_site(tmp_path: Path) -> None:
    assert catalog_problems(with_catalog(tmp_path / "a", CATALOG, name="french.po")) == [
        "site_src/locales/french.po:1:1: error: 'french.po' is not named after a language; name "
        "a catalog after its language tag: site_src/locales/fr.po, site_src/locales/fr-CA.po"]
    assert catalog_problems(with_catalog(tmp_path / "b", CATALOG, languages="[en]")) == [
        "site_src/locales/fr.po:1:1: warning: a catalog of 'fr', which is not a language of the "
        "site; add it to organization.languages, or remove the catalog"]


def test_a_catalog_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    """As Notepad saves UTF-8: the mark is not a character of the first line."""
    root = with_catalog(tmp_path, "\ufeff" + CATALOG)
    assert catalog_problems(root) == []


def test_a_plural_is_kept_s_own(tmp_path: Path) -> None:
    """gettext finds a translation by its msgid alone and fills a form left empty with the
    msgid_plural written in the catalog: one of the catalog's own put its markup in pages, and
    its placeholders passed the check, then failed the build."""
    plural = '\nmsgid "{count} customer"\nmsgid_plural "%s"\nmsgstr[0] "{count} client"\nmsgstr[1] "%s"\n'
    root = with_catalog(tmp_path / "a", CATALOG + plural % ("<img src=x onerror=alert(1)> {count}", ""))
    assert catalog_problems(root) == [
        "site_src/locales/fr.po:8:1: error: the msgid_plural of '{count} customer' is not "
        "Kept's; write msgid_plural \"{count} customers\""]
    root = with_catalog(tmp_path / "b", CATALOG + plural % ("{count} customers {evil}", "{evil}"))
    assert catalog_problems(root) == [
        "site_src/locales/fr.po:8:1: error: the msgid_plural of '{count} customer' is not "
        "Kept's; write msgid_plural \"{count} customers\"",
        "site_src/locales/fr.po:8:1: error: the translation of '{count} customer' has {evil}, "
        "which the message does not give; use only the message's own placeholders: {count}"]
    root = with_catalog(tmp_path / "c", CATALOG.replace(
        'msgstr "de {first} à {last} {year}"', 'msgid_plural "x"\nmsgstr[0] "de {first}"'))
    assert catalog_problems(root) == [
        "site_src/locales/fr.po:5:1: error: '{first} to {last} {year}' has no plural in Kept's "
        "messages; remove msgid_plural and write msgstr alone"]


def test_only_kept_s_messages_are_compiled(tmp_path: Path) -> None:
    """A msgid with a NUL in it was compiled as the plural of one of Kept's messages, with the
    placeholders it gave itself: a warning, then a KeyError in the build."""
    from generator import catalogs

    fake = '\nmsgid "{count} customer\x00{count} customers {evil}"\nmsgstr "{evil}"\n'
    root = with_catalog(tmp_path, CATALOG + fake)
    assert catalog_problems(root) == [
        "site_src/locales/fr.po:8:1: warning: '{count} customer\\x00{count} customers {evil}' "
        "is not a message Kept writes; copy the msgid from Kept's catalog of the language"]
    catalog, _ = catalogs.read(root, "site_src/locales/fr.po")
    assert catalog is not None
    french = i18n.language("fr", catalog.translations)
    assert [french.ntr("{count} customer", "{count} customers", n) for n in (1, 2)] == [
        "1 client", "2 clients"]


def test_a_file_beside_the_catalogs_is_a_warning(tmp_path: Path) -> None:
    """site_src/locales/ is not published: a page there (as it was before Kept had catalogs)
    would silently leave the site."""
    root = with_catalog(tmp_path, CATALOG)
    (root / "site_src/locales/branches.md").write_text("# Our branches\n", encoding="utf-8")
    assert catalog_problems(root) == [
        "site_src/locales/branches.md:1:1: warning: 'branches.md' is not a catalog: Kept neither "
        "reads nor publishes a file in site_src/locales/; move a page to site_src/, name a "
        "catalog LANG.po, or remove the file"]


def test_a_catalog_brings_a_language_kept_does_not_ship(tmp_path: Path) -> None:
    root = with_catalog(tmp_path, CATALOG, name="ar.po", languages="[en, ar]")
    assert not [p for p in problems(root) if "no words" in p]


# --- formats of each language --------------------------------------------------------------------


@pytest.mark.parametrize(("code", "number", "percent", "money", "day"), [
    ("en", "1,234.5", "97.2%", "£1,260.00", "5 September 2026"),
    ("fr", "1\u202f234,5", "97,2\u00a0%", "1\u202f260,00\u00a0£GB", "5 septembre 2026"),
    ("de", "1.234,5", "97,2\u00a0%", "1.260,00\u00a0£", "5. September 2026"),
    ("cy", "1,234.5", "97.2%", "£1,260.00", "5 Medi 2026"),
])
def test_numbers_and_dates_are_written_as_the_locale_writes_them(
        code: str, number: str, percent: str, money: str, day: str) -> None:
    lang = i18n.language(code)
    assert lang.number(1234.5) == number
    assert lang.percent(97.2) == percent
    assert lang.money(1260, "GBP") == money
    assert lang.date(dt.date(2026, 9, 5)) == day


# --- Kept's own catalogs ---------------------------------------------------------------------------

GENERATOR = Path(i18n.__file__).parent
KEYWORDS = {"tr": None, "ntr": (1, 2), "N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}


def extracted() -> set[str]:
    """The messages in Kept's code and templates now, as `make catalogs` finds them."""
    from babel.messages.extract import extract_from_dir

    method_map = [("templates/**.j2", "jinja2"), ("**.py", "python")]
    options = {"templates/**.j2": {"trim_blocks": "True", "lstrip_blocks": "True"}}
    return {message if isinstance(message, str) else message[0]
            for _, _, message, _, _ in extract_from_dir(str(GENERATOR), method_map, options,
                                                         keywords=KEYWORDS)}


def test_the_catalog_template_holds_every_message_of_the_code() -> None:
    found = extracted()
    assert found == i18n.messages(), "run `make catalogs` and translate what it adds"


def test_no_message_hides_in_an_f_string() -> None:
    """The extractor does not look inside f-strings (before Python 3.12): a message there would
    never be translated."""
    import io
    import re
    import tokenize

    call = re.compile(r"\b(?:n?tr|N_)\(")
    hidden = []
    for path in sorted(GENERATOR.rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for token in tokens:
            if token.type == tokenize.STRING and re.match(r"(?i)r?f", token.string) \
                    and call.search(token.string):
                hidden.append(f"{path.relative_to(GENERATOR)}:{token.start[0]}")
    assert hidden == []


@pytest.mark.parametrize("code", [c for c in i18n.SHIPPED if c != i18n.DEFAULT])
def test_each_shipped_catalog_translates_every_message(code: str) -> None:
    from babel.messages.pofile import read_po

    from generator import catalogs

    path = GENERATOR / "locales" / code / "LC_MESSAGES" / "kept.po"
    catalog = read_po(path.open(encoding="utf-8"), locale=code)
    untranslated = []
    for message in catalog:
        if not message.id:
            continue
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        if message.fuzzy or not all(strings):
            untranslated.append(message.id)
    assert untranslated == []
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id} == i18n.messages()
    # each translation keeps its placeholders and holds no markup, as a repository's must
    problems = [p.format() for m in catalog if m.id
                for p in catalogs._message(str(path), m, None)]
    assert problems == []


@pytest.mark.parametrize("code", [c for c in i18n.SHIPPED if c != i18n.DEFAULT])
def test_each_shipped_catalog_is_compiled(code: str) -> None:
    """The .mo that ships says what the .po says (`make catalogs` compiles it)."""
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = GENERATOR / "locales" / code / "LC_MESSAGES"
    compiled = io.BytesIO()
    write_mo(compiled, read_po((folder / "kept.po").open(encoding="utf-8"), locale=code))
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with (folder / "kept.mo").open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped._catalog == expected._catalog  # type: ignore[attr-defined]


def test_welsh_has_its_six_plural_forms() -> None:
    """CLDR's Welsh plurals: zero, one, two, few (3), many (6) and other, each its own form."""
    translations = i18n.language("cy").translations
    assert [translations.plural(n) for n in (0, 1, 2, 3, 4, 6, 7, 100)] == [0, 1, 2, 3, 5, 4, 5, 5]  # type: ignore[attr-defined]


def test_what_the_parse_cache_says_of_a_results_file_depends_on_the_languages(tmp_path: Path) -> None:
    """A results file's shape check is cached with the parsed file; a text by language in it
    is right or wrong by the site's languages, so declaring a language checks it again."""
    from generator.parsecache import ParseCache
    from tests.helpers import RESULTS

    summary = "summary: Our first quarter with published results."
    bilingual = RESULTS["2025-Q2"].replace(summary, "summary: {en: Our first quarter., cy: Ein chwarter cyntaf.}")
    root = write_project(tmp_path / "data", results={**RESULTS, "2025-Q2": bilingual})
    cache = ParseCache()
    assert any("'cy' in 'summary' is not a language of the site" in p.message
               for p in check(root, cache=cache).problems)
    (root / "commitments.yml").write_text(BILINGUAL)
    assert not [p for p in check(root, cache=cache).problems
                if p.path == "results/2025-Q2.yml" and "'summary'" in p.message]


def test_a_language_is_named_in_itself_with_its_region_when_the_tag_has_one() -> None:
    """As the language selector lists them: two Englishes of one site are told apart."""
    assert [i18n.language(code).name for code in ("en", "cy", "en-US", "fr-CA")] == [
        "English", "Cymraeg", "English (United States)", "Français (Canada)"]
