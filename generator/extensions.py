"""Markdown extensions named in mkdocs.yml: those that read files (from folders of the
repository only, see FILE_READERS) and the options that take a Python function."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import files
from generator.errors import Problem
from generator.hints import describe
from generator.kinds import Sink, Type
from generator.load import Map, Pos, PythonObject, Seq


@dataclass(frozen=True)
class PythonName(Type):
    """An option that MkDocs gives a Python function: written !!python/name:module.function."""

    kinds = (PythonObject,)
    label = "Python function"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, PythonObject):
            sink.error(pos, f"'{name}' must be a Python function, not {describe(value)}",
                       "write !!python/name:module.function")

    def json_schema(self) -> dict[str, Any]:
        return {}


# Markdown extensions that read files into pages: the options naming where from (a path or a
# list of them, read by the extension relative to the current folder: Kept makes them relative
# to the repository, see anchored), with the value each takes when not set; and the options
# that must keep their value for the reading to stay there. A page of site_src/ (and so a pull
# request) names the file to include: pymdownx.snippets' `--8<-- "notes/p.txt"`, an image for
# pymdownx.b64, an icon for Material's emoji.
_OUTSIDE = "reads files outside the paths it is given"
FILE_READERS: dict[str, tuple[dict[str, Any], dict[str, tuple[bool, str]]]] = {
    "pymdownx.snippets": ({"base_path": "."}, {
        "restrict_base_path": (True, _OUTSIDE),
        "url_download": (False, "downloads what a page names, at build time")}),
    "pymdownx.b64": ({"base_path": ".", "root_path": None}, {"restrict_path": (True, _OUTSIDE)}),
    "markdown_include.include": ({"base_path": "."}, {}),
    "pymdownx.emoji": ({"options.custom_icons": None}, {}),
}


# Options of Markdown extensions that take a Python function (see PythonName): anything else
# there fails inside the extension, in the middle of a build.
CALLABLE_OPTIONS = {
    "toc": ("slugify",), "markdown.extensions.toc": ("slugify",), "pymdownx.tabbed": ("slugify",),
    "pymdownx.emoji": ("emoji_index", "emoji_generator"),
}
_FENCE_CALLABLES = ("format", "validator")  # of each of pymdownx.superfences' custom_fences


def callables(extensions: Any, sink: Sink) -> None:
    for name, options, _ in _extension_items(extensions):
        if not isinstance(options, Map):
            continue
        module = name.strip().split(":", 1)[0]
        for key in CALLABLE_OPTIONS.get(module, ()):
            if options.get(key) is not None:  # None: a refused Python tag, said already
                PythonName().check(options[key], options.val_pos[key], f"{module}.{key}", sink)
        fences = options.get("custom_fences") if module == "pymdownx.superfences" else None
        for fence in fences if isinstance(fences, Seq) else ():
            for key in _FENCE_CALLABLES if isinstance(fence, Map) else ():
                if fence.get(key) is not None:
                    PythonName().check(fence[key], fence.val_pos[key],
                                       f"{module}.custom_fences.{key}", sink)


def _extension_items(value: Any) -> list[tuple[str, Any, Pos]]:
    """(name, options, where) of each Markdown extension a config lists (see Named)."""
    if isinstance(value, Map):
        return [(str(k), v, value.val_pos[k]) for k, v in value.items()]
    found: list[tuple[str, Any, Pos]] = []
    for item, pos in zip(value, value.item_pos, strict=True) if isinstance(value, Seq) else ():
        if isinstance(item, str):
            found.append((item, None, pos))
        elif isinstance(item, Map) and len(item) == 1:
            key = next(iter(item))
            found.append((str(key), item[key], item.val_pos[key]))
    return found


def _reader(name: str) -> str | None:
    """The FILE_READERS entry of an extension named as Python-Markdown takes it
    ("module" or "module:Class")."""
    module = name.strip().split(":", 1)[0]
    return module if module in FILE_READERS else None


def _option(options: Any, dotted: str) -> tuple[Any, Pos | None, bool]:
    """An extension's option by its dotted name: its value, where it is written, and whether
    it is set."""
    *parents, last = dotted.split(".")
    for key in parents:
        options = options.get(key) if isinstance(options, Map) else None
    if isinstance(options, Map) and last in options:
        return options[last], options.val_pos[last], True
    return None, None, False


def file_readers(root: Path, extensions: Any, sink: Sink) -> list[Problem]:
    """The folders that Markdown extensions read files from (FILE_READERS): each inside the
    repository, clear of what is not for the site (files.private_in) as a theme's folder is,
    its files read as every file is; and the options that keep the reading there, kept."""
    problems: list[Problem] = []
    for name, options, pos in _extension_items(extensions):
        reader = _reader(name)
        if reader is None:
            continue
        paths, fixed = FILE_READERS[reader]
        for key, (needed, why) in fixed.items():
            value, at, given = _option(options, key)
            if given and value is not needed:
                sink.error(at or pos, f"'{reader}' with {key}: {str(value)[:20].lower()} {why}",
                           f"remove {key} (Kept needs it {str(needed).lower()})")
        for key, default in paths.items():
            value, at, given = _option(options, key)
            if not given:
                if default is not None:
                    sink.error(pos, f"'{reader}' reads files from '{key}', by default the whole "
                                    "repository (its data and git's folder among them)",
                               f"set {key} to a folder that holds only what pages may include, "
                               "such as snippets")
                continue
            if value is None or value == "":  # b64's root_path: none
                continue
            written = [value] if isinstance(value, str) else value if isinstance(value, Seq) else None
            if written is None or not all(isinstance(w, str) for w in written):
                sink.error(at or pos, f"'{reader}' option {key} must be a path or a list of paths, "
                                      f"not {describe(value)}")
                continue
            where = value.item_pos if isinstance(value, Seq) else [at or pos]
            for path, path_pos in zip(written, where, strict=True):
                folder = _read_from(root, reader, key, path, path_pos, sink)
                if folder is not None:
                    problems += files.walk(root, folder).problems
    return problems


def _read_from(root: Path, reader: str, key: str, written: str, pos: Pos, sink: Sink) -> str | None:
    """A path an extension reads from: the folder (relative to the root) whose files to
    check, or None (and an error, or a file checked here)."""
    top = root.resolve()
    target = (top / written).resolve()
    if not files.within(str(top), str(target)):
        sink.error(pos, f"'{reader}' option {key} leads out of the repository: '{written[:80]}'",
                   "name a folder inside the repository")
        return None
    if target.is_file():
        place = files.private(str(top), str(target))
        if place is None:
            try:
                files.read_bytes(top, target.relative_to(top).as_posix(), files.MAX_SITE_FILE_BYTES)
            except files.Refused as exc:
                sink.problems.append(exc.problem)
            return None
    elif not target.is_dir():
        sink.error(pos, f"'{reader}' option {key} names nothing: '{written[:80]}'",
                   "the path is relative to the repository")
        return None
    else:
        place = files.private_in(str(top), str(target))
    if place is not None:
        sink.error(pos, f"'{reader}' option {key} is or holds {place}, which is not for the "
                        "site", "name a folder that holds only what pages may include")
        return None
    return target.relative_to(top).as_posix()


def anchored(root: Path, extensions: Any) -> Any:
    """The Markdown extensions of a config (as MkDocs reads it) with the paths that those of
    FILE_READERS read from made absolute, in the repository: the extensions read them
    relative to the current folder, which is not the repository's when Kept is given --root."""
    items = [{k: v} for k, v in extensions.items()] if isinstance(extensions, dict) else extensions
    if not isinstance(items, list):
        return extensions
    result: list[Any] = []
    for item in items:
        if isinstance(item, dict) and len(item) == 1:
            name, options = next(iter(item.items()))
            reader = _reader(str(name))
            if reader is not None and isinstance(options, dict):
                options = _anchor_options(root, options, FILE_READERS[reader][0])
                item = {name: options}
        result.append(item)
    return result


def _anchor_options(root: Path, options: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    """Options with the paths named in `paths` (dotted: `options.custom_icons`) made absolute."""
    options = dict(options)
    for dotted in paths:
        head, _, rest = dotted.partition(".")
        if rest:
            if isinstance(options.get(head), dict):
                options[head] = _anchor_options(root, options[head], {rest: None})
            continue
        value = options.get(head)
        if isinstance(value, str) and value:
            options[head] = str(root / value)
        elif isinstance(value, list):
            options[head] = [str(root / v) if isinstance(v, str) else v for v in value]
    return options
