"""The output folder of a build: what in it is Kept's, the folders a build stages its work in,
and the changes that put a build in place, each of which a failure undoes.

Kept deletes only what it wrote. Every output it writes records the paths it owns in
`.kept-site.json`; a folder without that record is not Kept's (a site deployed by mike has a
versions.json too), and a build refuses it rather than take it over. Sites built before the
record existed are recognised by Kept's manifest, and own exactly the editions their
versions.json lists.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from generator import files
from generator.errors import KeptError

OWNED = files.OUTPUT_MARKS[0]
OWNED_FORMAT = 1
# Kept's own files in an output folder; one of them may be large (a big site's pages manifest).
MAX_OWN_BYTES = 1024 * 1024 * 1024
# A site built before OWNED existed: its manifest, and its audiences' folders.
_LEGACY_CACHE = files.OUTPUT_MARKS[1]
_LEGACY_FILES = (".kept-cache.json", ".kept-pages.json", ".kept-parsed.json")
_LEGACY_AUDIENCES = ("public", "internal")
_AUDIENCE_FILES = ("versions.json", "index.html", "latest")


def not_ours(path: Path) -> KeptError:
    return KeptError(f"{path} exists and was not written by Kept; move it away or choose "
                     "another --out")


def read_own(folder: Path, name: str) -> bytes | None:
    """One of Kept's files in an output folder, read as any file is (not through a link out
    of the folder, not from a pipe); None when it is missing or cannot be read."""
    try:
        return files.read_bytes(folder, name, MAX_OWN_BYTES)
    except files.Refused:
        return None


def owned(out: Path) -> set[str]:
    """The paths (relative to out, '/'-separated) that Kept owns in out: none when out does
    not exist or is empty. Raises KeptError when out is a folder Kept did not write."""
    if not os.path.lexists(out):
        return set()
    if not out.is_dir():
        raise not_ours(out)
    names = [name for name in os.listdir(out) if name != LOCK]  # kept serve's folder has one
    if not names:
        return set()
    if OWNED in names:
        try:
            data = json.loads(read_own(out, OWNED) or b"")
            if data["format"] == OWNED_FORMAT and all(isinstance(p, str) for p in data["owned"]):
                return set(data["owned"])
        except (ValueError, KeyError, TypeError, RecursionError):
            pass
        raise KeptError(f"{out / OWNED} cannot be read, so what in {out} is Kept's cannot be told; "
                        "move the folder away or choose another --out")
    if _LEGACY_CACHE in names:
        try:
            cache = json.loads(read_own(out, _LEGACY_CACHE) or b"")
        except (ValueError, RecursionError):
            cache = None
        if isinstance(cache, dict):
            return _legacy(out)
    raise not_ours(out)


def _legacy(out: Path) -> set[str]:
    """What a site built before OWNED existed owns: Kept's manifests, and in each audience's
    folder its version list, root page, latest/ and the editions the version list names."""
    found = set(_LEGACY_FILES)
    for audience in _LEGACY_AUDIENCES:
        try:
            versions = json.loads(read_own(out / audience, "versions.json") or b"")
        except (ValueError, RecursionError):
            continue
        if not isinstance(versions, list):
            continue
        found |= {f"{audience}/{name}" for name in _AUDIENCE_FILES}
        found |= {f"{audience}/{v['version']}" for v in versions
                  if isinstance(v, dict) and isinstance(v.get("version"), str)
                  and v["version"] not in ("", ".", "..") and "/" not in v["version"]}
    return found


def link(source: Path, target: Path) -> None:
    """A hard link to a built file (a copy where links are not possible): a build takes the
    files that did not change from the previous output, and latest/ is its edition's files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_owned(path: Path, paths: Iterable[str]) -> None:
    path.write_text(json.dumps({"format": OWNED_FORMAT, "owned": sorted(set(paths))}, indent=1) + "\n",
                    encoding="utf-8")


class Journal:
    """Changes to the output, each recorded with its undo, so that a build that fails while it
    puts its output in place leaves the previous output as it was. Every change is a rename
    or a new link in the output's file system: undoing one costs what doing it did."""

    def __init__(self, trash: Path):
        self.trash = trash
        self.undo: list[Callable[[], None]] = []
        self.spares = 0

    def _spare(self) -> Path:
        if not self.spares:
            self.trash.mkdir(parents=True, exist_ok=True)
        self.spares += 1
        return self.trash / str(self.spares)

    def keep(self, path: Path) -> None:
        """Move path (if there is one) out of the way."""
        if not os.path.lexists(path):
            return
        kept = self._spare()
        os.rename(path, kept)
        self.undo.append(lambda: os.rename(kept, path))

    def created(self, path: Path) -> None:
        """Record that path is about to be made (a file or a tree): undone by moving it away."""

        def undo() -> None:
            if os.path.lexists(path):
                os.rename(path, self._spare())

        self.undo.append(undo)

    def move(self, source: Path, target: Path) -> None:
        """Rename source to target, where nothing is (see keep)."""
        self.created(target)
        os.rename(source, target)

    def replace_file(self, source: Path, target: Path) -> None:
        """Put the file source in target's place in one step (a reader sees the old file or
        the new one); the old one is kept, as a second link, to be put back."""
        if os.path.lexists(target):
            kept = self._spare()
            try:
                os.link(target, kept, follow_symlinks=False)
            except OSError:  # no links here: the old file moves away first
                os.rename(target, kept)
            self.undo.append(lambda: os.replace(kept, target))
        else:
            self.created(target)
        os.replace(source, target)

    def mkdir(self, path: Path) -> None:
        """Make a folder and its missing parents."""
        missing = []
        while not os.path.lexists(path):
            missing.append(path)
            path = path.parent
        for folder in reversed(missing):
            folder.mkdir()
            self.undo.append(lambda folder=folder: folder.rmdir())  # type: ignore[misc]

    def rmdir(self, path: Path) -> bool:
        """Remove an empty folder; False when it is not empty."""
        try:
            path.rmdir()
        except OSError:
            return False
        self.undo.append(lambda: path.mkdir())
        return True

    def rollback(self) -> int:
        """Undo every change, newest first; return how many could not be undone."""
        failed = 0
        for action in reversed(self.undo):
            try:
                action()
            except OSError:
                failed += 1
        self.undo.clear()
        return failed


# --- staging folders -------------------------------------------------------------------------------

LOCK = ".kept-lock"
# A staging folder named by a Kept that did not put its process in the name is removed once
# it is this old: no build runs for a day.
LEGACY_STALE_SECONDS = 24 * 3600


def staging_name(prefix: str) -> str:
    """A staging folder's name: the prefix, the process that owns it and a random part."""
    return f"{prefix}{os.getpid()}-{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def claimed(folder: Path) -> Iterator[Path]:
    """Create folder and hold its lock while the block runs; then remove it. The kernel
    releases the lock when the process ends however it ends (kill -9 too): a folder whose lock
    can be taken was left behind by a build that is gone (see remove_stale)."""
    folder.mkdir(mode=0o700)
    fd = os.open(folder / LOCK, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process has not made its folder yet: a folder with its number is old
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(parent: Path, prefix: str) -> None:
    """Remove the staging folders that builds killed before they could clean up left in
    parent: Kept's own by their name, and only when no living build holds their lock and the
    process that made them is gone (a build between making its folder and locking it)."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        rest = entry.name[len(prefix):]
        if "-" not in rest:  # named by an earlier Kept, without its process: by its age
            with contextlib.suppress(OSError):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > LEGACY_STALE_SECONDS:
                    shutil.rmtree(entry.path, ignore_errors=True)
            continue
        pid = rest.split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            fd = os.open(os.path.join(entry.path, LOCK), os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except FileNotFoundError:
            fd = None
        except OSError:
            continue  # not this user's, or not a lock: leave it
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue  # a living build holds it (in another PID namespace, say)
        finally:
            if fd is not None:
                os.close(fd)
