"""mkdocs.yml, as Kept reads it: the keys Kept relies on and their types (MkDocs checks the
rest), and where the paths it names may lead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Problem
from generator.hints import describe
from generator.kinds import AnyMapping, Field, Flag, ListOf, Record, Sink, Text, Type
from generator.load import Map, Pos, Seq, load_file

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


# --- the declarations ---------------------------------------------------------------------

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
            inside(root, MKDOCS, theme["custom_dir"], theme.val_pos["custom_dir"], "custom_dir",
                   sink, folder=True)
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
    return target.relative_to(top).as_posix()
