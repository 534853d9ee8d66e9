"""mkdocs.yml, as Kept reads it: the keys Kept relies on and their types (MkDocs checks the
rest), and where the paths it names may lead."""

from __future__ import annotations

from pathlib import Path

from generator.errors import Problem
from generator.kinds import AnyMapping, Either, Field, Flag, ListOf, Named, Record, Sink, Text
from generator.load import Map, Pos, load_file

MKDOCS = "mkdocs.yml"
MAX_INHERIT = 8  # configs extending one another (INHERIT)

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
