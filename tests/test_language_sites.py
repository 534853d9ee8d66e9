"""A site in several languages, built: one site per language in the contracted layout, every
page linked to the same page in the others, every word of Kept's in the page's language, every
text without a translation marked with its own, and builds that stay incremental per language."""

from __future__ import annotations

import html.parser
import json
import posixpath
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from generator import i18n
from generator.build import build_site
from tests.helpers import COMMITMENTS, RESULTS, write_project

REPO = Path(__file__).resolve().parent.parent
BILINGUAL = COMMITMENTS.replace("  min_sample: 30\n", "  min_sample: 30\n  languages: [en, cy]\n", 1)
FRENCH = COMMITMENTS.replace("  min_sample: 30\n", "  min_sample: 30\n  languages: [fr]\n", 1)


class _Page(html.parser.HTMLParser):
    """A built page: its declared language, its alternates, and the text of its article with
    the language each piece of it is in (the nearest `lang` around it)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.alternates: dict[str, str] = {}
        self.selector: dict[str, str] = {}
        self.stack: list[tuple[str, str]] = []
        self.in_article = 0
        self.texts: list[tuple[str, str]] = []  # (text, language) inside the article

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = given.get("lang", "")
        if tag == "link" and given.get("rel") == "alternate" and "hreflang" in given:
            self.alternates[given["hreflang"]] = given["href"]
        if tag == "a" and "md-select__link" in given.get("class", "") and "hreflang" in given:
            self.selector[given["hreflang"]] = given["href"]
        if tag in self.VOID:
            return
        outer = self.stack[-1][1] if self.stack else self.lang
        self.stack.append((tag, given.get("lang", outer)))
        if tag == "article":
            self.in_article += 1

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            name, _ = self.stack.pop()
            if name == "article":
                self.in_article -= 1
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_article and data.strip():
            self.texts.append((" ".join(data.split()), self.stack[-1][1] if self.stack else self.lang))


def read_page(path: Path) -> _Page:
    parsed = _Page()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def pages_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("index.html") if "theme" not in p.relative_to(folder).parts)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example organisation (in English and Welsh) built once."""
    root = tmp_path_factory.mktemp("example") / "data"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "site", "tests", "*.egg-info", "__pycache__", "build",
        "dist"))
    build_site(root, root / "site", jobs=2)
    return root / "site"


def test_each_language_has_its_own_site_in_the_contracted_layout(example: Path) -> None:
    for audience in ("public", "internal"):
        main, welsh = example / audience, example / audience / "cy"
        assert json.loads((welsh / "versions.json").read_text()) == \
            json.loads((main / "versions.json").read_text()) or audience == "internal"
        for site, lang in ((main, "en"), (welsh, "cy")):
            versions = json.loads((site / "versions.json").read_text())
            assert versions[0]["aliases"] == ["latest"]
            for name in ["latest", *(v["version"] for v in versions)]:
                assert read_page(site / name / "index.html").lang == lang, (site, name)
                assert (site / name / "feed.xml").is_file() and (site / name / "api").is_dir()
            root_page = (site / "index.html").read_text()
            assert f'<html lang="{lang}" dir="ltr">' in root_page
    # the main language's site does not list the other language's folder as an edition
    assert "cy" not in [v["version"] for v in json.loads((example / "public/versions.json").read_text())]


def test_every_page_links_to_the_same_page_in_the_other_language(example: Path) -> None:
    """The language selector of every page links to the same page in each language, and each
    edition's sitemap gives every page's address in each language (hreflang); the head has
    no alternates for Material's script to send the selector elsewhere with."""
    checked = 0
    for audience in ("public", "internal"):
        for site, lang, other, other_site in (
                (example / audience, "en", "cy", example / audience / "cy"),
                (example / audience / "cy", "cy", "en", example / audience)):
            for path in pages_of(site):
                rel = path.relative_to(site)
                if rel.parts[0] in ("cy", "latest"):
                    continue
                parsed = read_page(path)
                if not parsed.selector:  # a redirect to the edition where the page first appeared
                    assert 'http-equiv="refresh"' in path.read_text()
                    continue
                assert parsed.lang == lang
                assert set(parsed.selector) == {"en", "cy"} and not parsed.alternates, path
                target = Path(posixpath.normpath(posixpath.join(str(path.parent), parsed.selector[other])))
                assert target / "index.html" == other_site / rel, (path, parsed.selector[other])
                here = posixpath.normpath(posixpath.join(str(path.parent), parsed.selector[lang]))
                assert Path(here) == path.parent
                checked += 1
            for edition in (p for p in site.iterdir() if (p / "sitemap.xml").is_file()):
                if edition.name == "latest":
                    continue
                text = (edition / "sitemap.xml").read_text()
                locs = re.findall(r"<loc>([^<]*)</loc>", text)
                links = re.findall(r'<xhtml:link rel="alternate" hreflang="([a-z]+)" href="([^"]*)"/>', text)
                assert locs and len(links) == 2 * len(locs), edition
                base = locs[0]  # the edition's home comes first
                for loc, (first, first_url), (second, second_url) in zip(
                        locs, links[0::2], links[1::2], strict=True):
                    page_path = loc[len(base):]
                    assert (first, second) == ("en", "cy")
                    own = first_url if lang == "en" else second_url
                    assert own == loc
                    other_url = second_url if lang == "en" else first_url
                    assert other_url.endswith(f"/{edition.name}/{page_path}")
                    assert (other_site / edition.name / page_path / "index.html").is_file(), other_url
    assert checked > 100


def test_the_welsh_site_is_in_welsh(example: Path) -> None:
    home = (example / "public/cy/latest/index.html").read_text()
    assert "Ein haddewidion a sut y gwnaethom" in home or "addewid" in home.lower()
    english = (example / "public/latest/index.html").read_text()
    assert home != english
    feed = (example / "public/cy/latest/feed.xml").read_text()
    assert 'xml:lang="cy"' in feed


def _english_fragments() -> list[str]:
    """The words of Kept's catalog that French writes otherwise: each message's text between
    its placeholders, where it has words."""
    with open(REPO / "generator/locales/fr/LC_MESSAGES/kept.po", encoding="utf-8") as f:
        french = {m.id if isinstance(m.id, str) else m.id[0]:
                  m.string if isinstance(m.string, str) else m.string[0] for m in read_po(f) if m.id}
    found = set()
    for message in i18n.messages():
        if french.get(message) == message:
            continue
        for part in re.split(r"\{[a-z_]+\}", message):
            part = part.strip(" :;,.()")
            if re.search(r"[A-Za-z]{3}", part):
                found.add(part)
    return sorted(found, key=len, reverse=True)


def _visible_text(path: Path) -> list[str]:
    """Every piece of text a reader sees on a page or in a feed, and every attribute that is
    read out (titles, labels, alternative texts)."""
    texts: list[str] = []

    class Collect(html.parser.HTMLParser):
        skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style", "generator"):  # a feed's generator: Kept's name
                self.skip += 1
            for name, value in attrs:
                if name in ("title", "aria-label", "alt", "data-label", "content") and value:
                    texts.append(" ".join(value.split()))

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "generator"):
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip and data.strip():
                texts.append(" ".join(data.split()))

    Collect(convert_charrefs=True).feed(path.read_text(encoding="utf-8"))
    return texts


def test_a_french_site_has_no_english_word_of_kept(tmp_path: Path) -> None:
    """Every page, feed and badge of a French-only build: none of Kept's English messages
    appears (the data's own texts aside: they are the organisation's)."""
    root = write_project(tmp_path / "data", FRENCH)
    out = tmp_path / "out"
    build_site(root, out, jobs=2)
    assert not (out / "public/fr").exists()  # one language: the usual layout
    fragments = _english_fragments()
    data_texts = (root / "commitments.yml").read_text() + "".join(RESULTS.values())
    short = {f for f in fragments if " " not in f}
    long_ = [f for f in fragments if " " in f and f not in data_texts]
    found = []
    files = [p for p in out.rglob("*") if p.suffix in (".html", ".xml", ".svg")
             and "theme" not in p.parts and p.name != "sitemap.xml"]
    assert len(files) > 50
    for path in files:
        for text in _visible_text(path):
            if text in data_texts:
                continue
            found += [f"{path.relative_to(out)}: {text!r} has {f!r}" for f in long_ if f in text]
            found += [f"{path.relative_to(out)}: {text!r}" for f in short if text == f]
    assert found == [], "\n".join(sorted({f.split(': ', 1)[1] for f in found}))
    assert read_page(out / "public/latest/index.html").lang == "fr"


def test_a_text_without_translation_is_marked_with_its_language(tmp_path: Path) -> None:
    """A Welsh page shows the English text of a text given only in English, marked with
    lang="en" wherever Kept writes it in the page."""
    root = write_project(tmp_path / "data", BILINGUAL)
    out = tmp_path / "out"
    build_site(root, out, jobs=2)
    english = {"We reply to every email within 8 hours", "North office", "South office",
               "Quick answers"}
    seen, unmarked = set(), []
    for path in pages_of(out / "public/cy"):
        for text, lang in read_page(path).texts:
            if text in english:
                seen.add(text)
                if lang != "en":
                    unmarked.append(f"{path.relative_to(out)}: {text} ({lang})")
    assert unmarked == [] and seen == english


def test_a_change_to_one_language_rebuilds_that_language_alone(tmp_path: Path) -> None:
    text = BILINGUAL.replace("name: Acme Help", "name: {en: Acme Help, cy: Cymorth Acme}")
    root = write_project(tmp_path / "data", text)
    out = tmp_path / "out"
    build_site(root, out, jobs=2)
    english = {p: p.read_bytes() for p in pages_of(out / "public") if "cy" not in p.relative_to(out / "public").parts}
    (root / "commitments.yml").write_text(text.replace("cy: Cymorth Acme}", "cy: Help Acme}"))
    result = build_site(root, out, jobs=2)
    rebuilt = {key.rpartition("/")[0] for key in set(_all(result)) - set(result.reused)}
    assert rebuilt == {"public/cy", "internal/cy"}
    assert {p: p.read_bytes() for p in english} == english
    # and the output is the cold build's, latest/'s open data (made in parts) included
    build_site(root, tmp_path / "cold", jobs=2)
    assert _files(out) == _files(tmp_path / "cold")
    assert "Help Acme" in (out / "public/cy/latest/index.html").read_text()


def _files(out: Path) -> dict[str, bytes]:
    """The sites' files (not Kept's manifests beside them), by path."""
    return {str(p.relative_to(out)): p.read_bytes() for audience in ("public", "internal")
            for p in sorted((out / audience).rglob("*")) if p.is_file()}


def _all(result: object) -> list[str]:
    editions: dict[str, list[str]] = result.editions  # type: ignore[attr-defined]
    return [f"{site}/{e}" for site, ids in editions.items() for e in ids]


ARABIC_CATALOG = '''\
msgid ""
msgstr ""
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"

msgid "Commitments"
msgstr "الالتزامات"
'''


def test_a_right_to_left_language_reads_right_to_left(tmp_path: Path) -> None:
    """A language Kept does not ship, brought by the repository's catalog: its pages are
    right-to-left, and its charts keep their axes left to right."""
    root = write_project(tmp_path / "data", COMMITMENTS.replace(
        "  min_sample: 30\n", "  min_sample: 30\n  languages: [ar]\n", 1))
    (root / "site_src/locales").mkdir(parents=True)
    (root / "site_src/locales/ar.po").write_text(ARABIC_CATALOG, encoding="utf-8")
    out = tmp_path / "out"
    build_site(root, out, jobs=2)
    commitments = (out / "public/latest/commitments/index.html").read_text()
    assert '<html lang="ar"' in commitments and 'dir="rtl"' in commitments
    assert "الالتزامات" in commitments
    chart = (out / "public/latest/commitments/email-reply/index.html").read_text()
    assert 'class="kept-chart' in chart
    css = (out / "public/latest/kept/kept.css").read_text()
    assert ".kept-chart, .kept-spark { direction: ltr; }" in css
    assert not (out / "public/latest/locales").exists()  # catalogs are not pages


def test_a_page_declares_its_own_language_and_direction_where_material_has_other_words(
        tmp_path: Path) -> None:
    """Material has no words in Yiddish (its own are then English) nor in Canadian French (then
    French): the pages still say their language, and a right-to-left one reads right to left."""
    root = write_project(tmp_path / "data", COMMITMENTS.replace(
        "  min_sample: 30\n", "  min_sample: 30\n  languages: [en, yi, fr-CA]\n", 1))
    (root / "site_src/locales").mkdir(parents=True)
    (root / "site_src/locales/yi.po").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Commitments"\nmsgstr "התחייבויות"\n', encoding="utf-8")
    out = tmp_path / "out"
    build_site(root, out, jobs=2)
    for folder, lang, direction in (("public", "en", "ltr"), ("public/yi", "yi", "rtl"),
                                    ("public/fr-CA", "fr-CA", "ltr")):
        for name in ("latest/commitments/index.html", "latest/404.html"):
            page = (out / folder / name).read_text(encoding="utf-8")
            assert re.search(r"<html [^>]*>", page).group() == f'<html lang="{lang}" class="no-js">'  # type: ignore[union-attr]
            assert f'<body dir="{direction}"' in page


@pytest.mark.parametrize(("code", "material"), [
    ("zh-Hant-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-TW", "zh-TW"), ("zh-CN", "zh"),
    ("sr-Latn", "en"), ("uz-Arab", "en"), ("fr-CA", "fr"), ("pt-BR", "pt-BR"), ("iw", "he"),
    ("cy", "cy"), ("yi", "en"),
])
def test_material_writes_its_words_in_the_page_s_script(code: str, material: str) -> None:
    """Material's zh is in Simplified characters and its sr in Cyrillic: a site in Traditional
    Chinese or Latin Serbian takes Material's words in its own script, else English."""
    from generator.engine.config import theme_language

    assert theme_language(code) == material
