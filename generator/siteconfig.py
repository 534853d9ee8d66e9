"""mkdocs.yml, as Kept reads it: the keys Kept relies on and their types (MkDocs checks the
rest), and where the paths it names may lead."""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import extensions, files
from generator.errors import Problem
from generator.hints import describe, listing, suggest
from generator.kinds import Flag, Sink, Text, Type
from generator.load import Map, Pos, Seq, load_file
from generator.shapes import AnyMapping, Field, ListOf, Record

MKDOCS = "mkdocs.yml"
MAX_INHERIT = 8  # configs extending one another (INHERIT)


# --- kinds of value only mkdocs.yml has -------------------------------------------------------

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


@dataclass(frozen=True)
class Icons(Type):
    """theme.icon: the name of an icon (material/alert) for each thing the theme shows one for;
    for admonitions and tags, a mapping of their names to icons."""

    kinds = (Map,)
    label = "mapping"
    MAPPINGS = ("admonition", "tag")

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Map):
            sink.error(pos, f"'{name}' must be a mapping of icons, not {describe(value)}")
            return
        for key, item in value.items():
            at = value.val_pos[key]
            if key in self.MAPPINGS:
                if not isinstance(item, Map):
                    sink.error(at, f"'{name}.{key}' must be a mapping of {key} names to icons, "
                                   f"not {describe(item)}", "write 'note: material/pencil' lines")
                    continue
                for inner, icon in item.items():
                    if not isinstance(icon, str):
                        sink.error(item.val_pos[inner], f"'{name}.{key}.{inner}' must be the "
                                                        f"name of an icon, not {describe(icon)}")
            elif not isinstance(item, str):
                sink.error(at, f"'{name}.{key}' must be the name of an icon (such as "
                               f"material/github), not {describe(item)}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object"}


# --- the declarations ---------------------------------------------------------------------

# --- mkdocs.yml: the keys Kept relies on, and their types (MkDocs checks the rest) -------------

PALETTE = Record("palette", {
    "scheme": Field(Text(), "default or slate"),
    "primary": Field(Text(), "the primary colour"),
    "accent": Field(Text(), "the accent colour"),
    "media": Field(Text(), "the media query that selects this palette"),
    "toggle": Field(Record("toggle", {
        "icon": Field(Text(), "the icon of the switch to this palette", required=True),
        "name": Field(Text(), "what the switch says"),
    }, "The switch to this palette", open=True), "the switch to this palette"),
}, "A colour palette", open=True)
LINK = {"link": Field(Text(), "its address", required=True), "name": Field(Text(), "its name")}

THEME = Record("theme", {
    "name": Field(Either((Text(),), "the name of a theme, such as material", null=True),
                  "the theme"),
    "custom_dir": Field(Text(), "a folder of theme overrides, inside the repository"),
    "language": Field(Text(), "the language of the theme's own words"),
    "locale": Field(Text(), "the locale of the theme"),
    "features": Field(ListOf(Text()), "the theme's features to turn on"),
    "palette": Field(Either((PALETTE, ListOf(PALETTE)), "a palette mapping, or a list of them"),
                     "colours"),
    "static_templates": Field(ListOf(Text()), "templates rendered as pages of their own"),
    "font": Field(Either((Flag(), AnyMapping()), "false, or a mapping of fonts"),
                  "fonts (Kept turns web fonts off, so that builds work offline)"),
    "logo": Field(Text(), "the logo"),
    "favicon": Field(Text(), "the favicon"),
    "icon": Field(Icons(), "icons"),
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
        "social": Field(ListOf(Record("social", {
            "icon": Field(Text(), "its icon", required=True), **LINK,
        }, "A link to a social network", open=True)), "links to social networks"),
        "alternate": Field(ListOf(Record("alternate", {
            **LINK, "lang": Field(Text(), "its language"),
        }, "The site in another language", open=True)), "the site in other languages"),
    }, "Settings for the theme", open=True), "settings for the theme"),
    "extra_templates": Field(ListOf(Text()), "templates rendered as pages of their own"),
    "extra_css": Field(ListOf(Text()), "style sheets"),
    "extra_javascript": Field(ListOf(Either((Text(), SCRIPT), "a path, or a mapping (path: ..., "
                                                               "type: module)")), "scripts"),
}, "The MkDocs config: look and feel", open=True)
# Set by Kept for every edition: the same keys in mkdocs.yml are not used.
KEPT_OWNS = ("docs_dir", "site_dir", "site_url", "nav", "use_directory_urls", "strict")


def _material_templates() -> Path | None:
    """The folder of Material's templates (its languages and icons), found without importing
    it; None when Material is not installed."""
    spec = importlib.util.find_spec("material")
    folders = list(spec.submodule_search_locations or []) if spec else []
    return Path(folders[0]) / "templates" if folders else None


def _material(root: Path, theme: Any, sink: Sink, extra: Any) -> None:
    """The language and the icons Material is asked for, each a template it has (or the
    theme's custom_dir has): one it has not failed the build with only its file name."""
    if isinstance(theme, str) or (isinstance(theme, Map) and theme.get("name") not in
                                  (None, "material")):
        return
    templates = _material_templates()
    if templates is None:
        return
    theme = theme if isinstance(theme, Map) else Map((1, 1))
    custom = theme.get("custom_dir")
    folders = [templates] + ([root / custom] if isinstance(custom, str) else [])

    def has(rel: str) -> bool:
        return any((folder / rel).is_file() for folder in folders)

    language = theme.get("language")
    if isinstance(language, str) and not has(f"partials/languages/{language}.html"):
        known = sorted(p.stem for p in (templates / "partials" / "languages").glob("*.html"))
        base = language.split("-")[0].lower()  # fr-FR, as a browser names French
        sink.error(theme.val_pos["language"], f"Material has no language '{language[:40]}'",
                   suggest(language, known) or (f"did you mean '{base}'?" if base in known
                                                else f"one of {listing(known)}"))
    for icon, at in _icons(theme, extra):
        if not has(f".icons/{icon}.svg"):
            sink.error(at, f"Material has no icon '{icon[:80]}'",
                       "see Material's icon search, or put the SVG in custom_dir/.icons/")


def _icons(theme: Map, extra: Any) -> list[tuple[str, Pos]]:
    """The icons mkdocs.yml names, where each is written."""
    found: list[tuple[str, Pos]] = []
    icons = theme.get("icon")
    if isinstance(icons, Map):
        for key, item in icons.items():
            if isinstance(item, str):
                found.append((item, icons.val_pos[key]))
            elif isinstance(item, Map):
                found += [(icon, item.val_pos[inner]) for inner, icon in item.items()
                          if isinstance(icon, str)]
    palette = theme.get("palette")
    for scheme in (palette if isinstance(palette, Seq) else [palette]):
        toggle = scheme.get("toggle") if isinstance(scheme, Map) else None
        if isinstance(toggle, Map) and isinstance(toggle.get("icon"), str):
            found.append((toggle["icon"], toggle.val_pos["icon"]))
    social = extra.get("social") if isinstance(extra, Map) else None
    for link in social if isinstance(social, Seq) else ():
        if isinstance(link, Map) and isinstance(link.get("icon"), str):
            found.append((link["icon"], link.val_pos["icon"]))
    return found


def check(root: Path, python_tags: bool = False) -> list[Problem]:
    """mkdocs.yml, and the configs it extends (INHERIT): read without running anything, and
    the types of the keys Kept relies on checked. It may name Python code (plugins, hooks,
    extensions): it is trusted config, but a Python tag is refused unless python_tags (see
    load.SAFE_PYTHON_NAMES)."""
    problems: list[Problem] = []
    rel: str | None = MKDOCS
    seen: list[str] = []
    while rel is not None and (root / rel).is_file():
        seen.append(rel)
        data, found = load_file(root, rel, mkdocs=True, python_tags=python_tags)
        problems += found
        if not isinstance(data, Map):
            if data is not None:
                problems.append(Problem(rel, 1, 1, "the MkDocs config must be a mapping "
                                                   "(key: value lines)"))
            break
        sink = Sink(rel)
        MKDOCS_FILE.check(data, data.pos, rel, sink)
        for key in KEPT_OWNS:
            if key in data:
                sink.warning(data.key_pos[key], f"'{key}' is set by Kept for every edition: "
                                                "this one is not used", "remove it")
        theme = data.get("theme")
        if isinstance(theme, Map) and isinstance(theme.get("custom_dir"), str):
            # MkDocs merges the configs, then reads a path relative to mkdocs.yml
            custom = inside(root, MKDOCS, theme["custom_dir"], theme.val_pos["custom_dir"],
                            "custom_dir", sink, folder=True)
            if custom is not None:  # its files, as the build will read them
                problems += files.walk(root, custom).problems
        if "markdown_extensions" in data:
            problems += extensions.file_readers(root, data["markdown_extensions"], sink)
            extensions.callables(data["markdown_extensions"], sink)
        _material(root, theme, sink, data.get("extra"))
        rel = None
        inherit = data.get("INHERIT")
        if isinstance(inherit, str):
            at = data.val_pos["INHERIT"]
            rel = inside(root, seen[-1], inherit, at, "INHERIT", sink)
            if rel in seen or len(seen) >= MAX_INHERIT:
                sink.error(at, f"'INHERIT' leads back to {rel}" if rel in seen
                           else f"more than {MAX_INHERIT} configs extend one another",
                           "inherit from a config that does not inherit back")
                rel = None
        problems += sink.problems
    return problems


def inside(root: Path, rel: str, written: str, pos: Pos, key: str, sink: Sink,
           folder: bool = False) -> str | None:
    """The path written in the config file rel, relative to the root, when it names a file
    (folder: a folder) inside the repository; else None, and an error."""
    top = root.resolve()
    target = ((root / rel).parent / written).resolve()
    kind = "folder" if folder else "file"
    if top != target and top not in target.parents:
        sink.error(pos, f"'{key}' leads out of the repository: '{written[:80]}'",
                   f"name a {kind} inside the repository")
        return None
    if not (target.is_dir() if folder else target.is_file()):
        sink.error(pos, f"'{key}' names no {kind}: '{written[:80]}'",
                   f"the path is relative to {rel}")
        return None
    place = files.private_in(str(top), str(target)) if folder else None
    if place is not None:  # MkDocs publishes what a theme's folder holds
        sink.error(pos, f"'{key}' is or holds {place}, which is not for the site",
                   "keep theme overrides in a folder of their own, such as site_src/overrides")
        return None
    return target.relative_to(top).as_posix()
