"""mkdocs.yml as the engine reads it, and the settings Kept derives from it for each edition.

The generator owns docs_dir, site_dir, site_url, nav and the version settings; the user's
mkdocs.yml owns the look and feel. The paths mkdocs.yml names that the engine reads (configs
it inherits, theme.custom_dir, hooks) are checked to be the repository's own regular files
first, since the engine would follow them anywhere.
"""

from __future__ import annotations

import importlib
import os
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator import files, i18n
from generator.engine import DEFAULT
from generator.engine.internals import material_templates
from generator.errors import DataError, KeptError, Problem
from generator.extensions import anchored
from generator.i18n import DEFAULT as DEFAULT_LANGUAGE
from generator.load import MAX_FILE_BYTES
from generator.project import Edition
from generator.render import meta_text, nav

# The address given to a site whose real one is unknown (the internal site, or a public site
# without organization.url): MkDocs writes page addresses into sitemap.xml only when it has
# one, and Material's version selector needs them to stay on the same page across editions.
PLACEHOLDER_URL = "https://kept.invalid/"
REQUIRED_EXTENSIONS = ("tables", "attr_list", "admonition", "toc")
# Kept's overrides of Material's templates (an accessible search box and version selector,
# scripts that do not hold up the first paint), between the user's custom_dir and the theme.
THEME = Path(__file__).parent / "theme"


def user_config(root: Path, engine: str = DEFAULT) -> dict[str, Any]:
    """The user's mkdocs.yml, with the files it inherits (INHERIT), as MkDocs will read it; and
    the paths it names that MkDocs reads (the files inherited, theme.custom_dir, hooks) checked
    to be the repository's own regular files first, since MkDocs would follow them anywhere."""
    if not os.path.lexists(root / CONFIG):
        return {}
    data = _config_file(root, CONFIG, [], engine)
    problems = _config_paths(root, data)
    if problems:
        raise DataError(problems)
    if "markdown_extensions" in data:  # their paths, in the repository (see siteconfig)
        data["markdown_extensions"] = anchored(root, data["markdown_extensions"])
    return data


CONFIG = "mkdocs.yml"
MAX_INHERIT = 8  # files a config may inherit from, one through another


def _config_file(root: Path, rel: str, chain: list[str], engine: str) -> dict[str, Any]:
    import yaml

    # The engine's own loader: its tags (!ENV, !relative) read as the engine will read them.
    get_yaml_loader = importlib.import_module(f"{engine}.utils.yaml").get_yaml_loader

    text = _config_text(root, rel)
    try:
        data = yaml.load(text, Loader=get_yaml_loader())  # noqa: S506 - MkDocs' safe loader
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file, reported
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise KeptError(f"{rel}:{line}:{col}: error: cannot read the MkDocs config: "
                        f"{getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise KeptError(f"{rel}:1:1: error: the MkDocs config must be a mapping")
    if "INHERIT" not in data:
        return data
    import mergedeep

    inherited = data.pop("INHERIT")
    line = _line_of(text, "INHERIT")
    full = os.path.normpath(os.path.join(root, os.path.dirname(rel), str(inherited)))
    parent = os.path.relpath(full, root).replace(os.sep, "/")
    if not files.within(os.path.realpath(root), os.path.realpath(full)):
        raise DataError([Problem(rel, line, 1, "INHERIT names a file outside the repository",
                                 "keep the inherited config in the repository")])
    if parent in chain + [rel] or len(chain) >= MAX_INHERIT:
        raise DataError([Problem(rel, line, 1, f"INHERIT: '{parent}' inherits from itself, or "
                                 f"configs inherit more than {MAX_INHERIT} deep",
                                 "inherit from a config that does not inherit back")])
    if not os.path.lexists(full):
        raise DataError([Problem(rel, line, 1, f"INHERIT: '{parent}' not found", "check the name")])
    return mergedeep.merge(_config_file(root, parent, chain + [rel], engine), data)


def _config_text(root: Path, rel: str) -> str:
    raw = files.read_bytes(root, rel, MAX_FILE_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError([Problem(rel, 1, 1, "the MkDocs config is not UTF-8 text",
                                 "save it as UTF-8")]) from None


def _line_of(text: str, needle: str) -> int:
    """The line where the config names a setting, to point at it (1 when it cannot be told)."""
    return next((i for i, line in enumerate(text.splitlines(), 1) if needle in line), 1)


def _config_paths(root: Path, config: dict[str, Any]) -> list[Problem]:
    """Problems with the paths of the config that MkDocs reads files from: a theme override
    folder (theme.custom_dir, whose files MkDocs copies into every edition and whose templates
    it renders) and hooks (run as Python)."""
    text = _config_text(root, CONFIG)
    problems: list[Problem] = []
    real_root = os.path.realpath(root)
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    named: list[tuple[str, str, bool]] = [("custom_dir", custom, True)] if isinstance(custom, str) else []
    hooks = config.get("hooks")
    named += [("hooks", hook, False) for hook in hooks if isinstance(hook, str)] \
        if isinstance(hooks, list) else []
    for key, value, folder in named:
        full = os.path.normpath(os.path.join(root, value))
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        if not files.within(real_root, os.path.realpath(full)):
            problems.append(Problem(CONFIG, _line_of(text, value), 1,
                                    f"{key}: '{value}' is outside the repository",
                                    "keep theme overrides and hooks in the repository"))
        elif folder:
            problems += files.walk(root, rel).problems
        elif os.path.lexists(full):
            try:
                files.read_bytes(root, rel, MAX_FILE_BYTES)
            except files.Refused as exc:
                problems.append(exc.problem)
    return problems


def extensions(user: Any) -> list[Any]:
    """The user's Markdown extensions (a list, or a mapping of names to options: checked by
    validate.site_config), with those Kept's pages need."""
    items = [{k: v} for k, v in user.items()] if isinstance(user, dict) else list(user or [])
    names = {next(iter(x)) if isinstance(x, dict) else x for x in items}
    return items + [name for name in REQUIRED_EXTENSIONS if name not in names]


def overrides(user: dict[str, Any], org_name: str, org_url: str | None, edition: Edition,
              extra_nav: list[Any], docs: Path, site: Path,
              languages: Sequence[str] = (DEFAULT_LANGUAGE,)) -> dict[str, Any]:
    """The settings the generator owns; the user's mkdocs.yml keeps the look and feel.
    languages: the site's, the main one first; the edition is in one of them."""
    theme = user.get("theme") or {"name": "material"}
    if isinstance(theme, str):
        theme = {"name": theme}
    # Offline: no web fonts. kept_version: the edition's title, as the version selector shows
    # it (see theme/kept.html). The theme's own words in the edition's language, and the
    # language's direction: Material's words may be another language's (see theme_language).
    theme = {**theme, "font": False, "kept_version": edition.title}
    if theme.get("name") == "material":
        theme["language"] = theme_language(edition.language)
        theme["direction"] = i18n.language(edition.language).direction
    extra = dict(user.get("extra") or {})
    extra["version"] = {**dict(extra.get("version") or {}), "provider": "mike"}
    within = "" if edition.site == edition.audience else edition.language + "/"
    if org_url and edition.audience == "public":
        site_url = org_url.rstrip("/") + f"/{within}{edition.id}/"
    else:
        site_url = f"{PLACEHOLDER_URL}{edition.key}/"
    if len(languages) > 1:
        extra["alternate"] = alternates(edition, languages, site_url)
    else:
        extra.pop("alternate", None)
    return {
        "site_name": user.get("site_name") or meta_text(org_name),
        "docs_dir": str(docs),
        "site_dir": str(site),
        "site_url": site_url,
        "nav": nav(edition, extra_nav),
        "use_directory_urls": True,
        "theme": theme,
        "extra": extra,
        "markdown_extensions": extensions(user.get("markdown_extensions")),
        "extra_css": list(user.get("extra_css") or []) + ["kept/kept.css"],
        "extra_javascript": list(user.get("extra_javascript") or []) + ["kept/kept.js"],
        "strict": False,
    }


def theme_language(code: str) -> str:
    """The language Material writes its own words in for a site in `code`: the same, else
    the language in the same script (zh-Hant for zh-Hant-TW or zh-HK), with the same region,
    or alone, else English: never another script than the page's (Material's zh is written in
    Simplified characters, its sr in Cyrillic). Material's own words only: Kept's are in
    `code`, and pages declare it."""
    locale = i18n.locale_of(code)
    script = i18n.script(code)
    candidates = [code]
    if locale.script:
        candidates.append(f"{locale.language}-{locale.script}")
    if locale.territory:
        candidates.append(f"{locale.language}-{locale.territory}")
    candidates.append(locale.language)
    for candidate in dict.fromkeys(candidates):
        if (material_templates() / "partials" / "languages" / f"{candidate}.html").is_file() \
                and i18n.script(candidate) == script:
            return candidate
    return DEFAULT_LANGUAGE


def alternates(edition: Edition, languages: Sequence[str], site_url: str) -> list[dict[str, str]]:
    """The language selector's entries (Material's extra.alternate): each language by its own
    name, linked from the edition's root to the same edition in that language, where its
    sitemap is (Material reads it), with that edition's address (url). Kept's
    partials/alternate.html and sitemap.xml add each page's own address."""
    main = languages[0]
    up = "../" if edition.site == edition.audience else "../../"
    found = []
    for code in languages:
        if code == edition.language:
            link = "./"
        else:
            link = up + ("" if code == main else code + "/") + edition.id + "/"
        found.append({"name": i18n.language(code).name, "link": link, "lang": code,
                      "url": urllib.parse.urljoin(site_url, link)})
    return found


def add_theme(theme: Any) -> None:
    """Put Kept's template overrides (THEME) in the engine's theme, after the user's
    custom_dir and before the theme's own folders: MkDocs takes one custom_dir. They are
    Material's blocks and partials: another theme is left as it is."""
    dirs = getattr(theme, "dirs", None)
    if getattr(theme, "name", None) != "material" or not isinstance(dirs, list) or str(THEME) in dirs:
        return
    dirs.insert(1 if getattr(theme, "custom_dir", None) else 0, str(THEME))


def only_search(user: dict[str, Any]) -> bool:
    """Whether mkdocs.yml asks for no plugin but search, as run.load finds after the engine
    loaded it. Then a file whose inputs did not change can be taken from the previous build
    without being rendered: the engine needs only its metadata. Another plugin (hooks are
    plugins) might read any page."""
    plugins = user.get("plugins", ["search"])
    if isinstance(plugins, dict):
        names = list(plugins)
    elif isinstance(plugins, list):
        names = [next(iter(p), None) if isinstance(p, dict) else p for p in plugins]
    else:
        return False
    return not user.get("hooks") and all(
        isinstance(name, str) and name.lstrip("/") in ("search", "material/search")
        for name in names)
