"""Start a new data repository from the starter shipped in the package.

The starter is a small but real organisation (one value, two commitments, a published quarter
and a draft), so that a new repository validates and builds before anyone edits it, and every
file shows by example what goes where. Its files live in `generator/starter/` as they will be
written; names there begin with `dot-` where the written name begins with a dot, because
packaging tools leave hidden files out of a wheel.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from generator import __version__
from generator.errors import KeptError
from generator.jsonschema import write_schemas

STARTER = "starter"
_DOT = "dot-"
_VERSION = "@KEPT_VERSION@"  # replaced by the version of Kept that wrote the repository


def _written_name(name: str) -> str:
    return "." + name[len(_DOT):] if name.startswith(_DOT) else name


def _walk(folder: Traversable, prefix: str = "") -> dict[str, str]:
    """Every starter file, by its path in the new repository."""
    files: dict[str, str] = {}
    for entry in folder.iterdir():
        rel = prefix + _written_name(entry.name)
        if entry.is_dir():
            files.update(_walk(entry, rel + "/"))
        elif entry.is_file() and not entry.name.startswith((".", "__")):
            files[rel] = entry.read_text(encoding="utf-8").replace(_VERSION, __version__)
    return files


def starter_files() -> dict[str, str]:
    """The starter repository as text by relative path, read from the installed package."""
    return _walk(resources.files("generator") / STARTER)


def init(target: Path) -> list[Path]:
    """Write a new data repository into target (absent or empty); return the files written.

    Refuses a folder that holds anything, so that nothing of the user's is ever overwritten."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KeptError(f"{target} is not an empty folder; kept init starts a new repository "
                        "only in a new or empty folder")
    files = starter_files()  # read everything before writing anything
    written: list[Path] = []
    for rel, text in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        written.append(path)
    written += write_schemas(target)
    return sorted(written)
