"""Read the repository's files as untrusted input: only regular files that resolve inside the
repository, never more than a cap, and never in a way that can block.

A repository comes from a pull request as much as from its owner. A link in it may lead to any
file of the machine that builds it (the password file, a key), whose content would then be
published, or printed in a CI log by an error message; a named pipe blocks whoever opens it for
reading; a link to /dev/zero never ends. Every reader of the user's files goes through this
module, and each file it will not read is a located `Problem` that never quotes the file.
A link that stays inside the repository is followed: it is the repository's own file, unless
it leads into one of the places whose files are not for the site (see `private`): git's folder,
whose config may hold the token CI checked the repository out with; the data, with its
`internal:` notes; a site Kept built, the internal one among them; the internal site's own
pages. A file of the site that links there would publish it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import DataError, Problem

# Any one file of site_src/ or a theme override (an image, a PDF); GitHub refuses larger files.
MAX_SITE_FILE_BYTES = 100 * 1024 * 1024
_CHUNK = 1024 * 1024
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
_HINT_COPY = "Kept reads only files inside the repository: put the file itself here"
_HINT_REGULAR = "Kept reads only regular files: remove it, or replace it with a file"
_HINT_PRIVATE = "link only to files meant for the site, or put here a copy of what may be published"
# The files that mark a folder as a site Kept built (see output.OWNED), the older one first
# used before it.
OUTPUT_MARKS = (".kept-site.json", ".kept-cache.json")


class Refused(DataError):
    """A file Kept will not read, with the problem located at it."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__([problem])

    def __reduce__(self) -> tuple[Any, ...]:  # raised in worker processes, pickled to the parent
        return (Refused, (self.problem,))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a loop of links"
    return "something other than a file"


def within(real_root: str, real: str) -> bool:
    """Whether a resolved path is the resolved root or below it."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def private(real_root: str, path: str) -> str | None:
    """The place not meant for the site that a resolved path inside real_root is in, in words
    (see the module's docstring); None for anywhere else."""
    parts = [part.casefold() for part in os.path.relpath(path, real_root).split(os.sep)]
    if ".git" in parts:
        return "git's folder (.git)"
    if parts[0] == "commitments.yml":
        return "the data file commitments.yml"
    if parts[0] == "results":
        return "the data folder results/"
    if parts[:2] == ["site_src", "internal"]:
        return "the internal site's pages (site_src/internal/)"
    folder = path
    while folder != real_root and within(real_root, folder):
        if any(os.path.isfile(os.path.join(folder, mark)) for mark in OUTPUT_MARKS):
            return f"a site Kept built ({os.path.relpath(folder, real_root)}/)"
        folder = os.path.dirname(folder)
    return None


def private_in(real_root: str, folder: str) -> str | None:
    """The private place (see private) that a resolved folder inside real_root is in or holds,
    in words; None when it is clear of them. What a theme's folder holds is published."""
    place = private(real_root, folder)
    if place is not None:
        return place
    for inner in ("commitments.yml", "results", os.path.join("site_src", "internal")):
        path = os.path.join(real_root, inner)
        if within(folder, path) and os.path.lexists(path):
            return private(real_root, path)
    for inner, _, names in os.walk(folder):
        if any(mark in names for mark in OUTPUT_MARKS):
            return private(real_root, inner)
    return None


def _leads_away(real_root: str, rel: str, real: str) -> str | None:
    """The private place (see private) that rel, through a link, leads to when rel itself is
    not there; None when no link is involved or it stays where rel is."""
    lexical = os.path.normpath(os.path.join(real_root, rel))
    if real == lexical:
        return None
    place = private(real_root, real)
    return place if place is not None and place != private(real_root, lexical) else None


def _problem(label: str, message: str, hint: str) -> Refused:
    return Refused(Problem(label, 1, 1, message, hint))


def _check(real_root: str, full: str, rel: str, label: str) -> str:
    """The resolved path of full (rel under the root), when it is a regular file inside the
    root, not led by a link into a private place; else Refused. Nothing is opened: checking a
    device or a pipe must not touch it."""
    try:
        linked = stat.S_ISLNK(os.lstat(full).st_mode)
    except FileNotFoundError:
        raise _problem(label, "file not found", "check the name") from None
    except OSError as exc:
        raise _problem(label, f"cannot read the file: {exc.strerror or exc}", "check its permissions") from None
    real = os.path.realpath(full)
    if not within(real_root, real):
        if linked:
            raise _problem(label, "the file is a link to a file outside the repository", _HINT_COPY)
        raise _problem(label, "the file is in a folder that links outside the repository", _HINT_COPY)
    place = _leads_away(real_root, rel, real)
    if place is not None:
        prefix = "the file is a link" if linked else "the file is in a folder that links"
        raise _problem(label, f"{prefix} to {place}, which is not for the site", _HINT_PRIVATE)
    try:
        mode = os.lstat(real).st_mode
    except OSError:
        raise _problem(label, "the file is a link to a file that does not exist",
                       "point the link at a file of the repository, or remove it") from None
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        prefix = "the file is a link to" if linked else "the file is"
        raise _problem(label, f"{prefix} {kind}, not a regular file", _HINT_REGULAR)
    return real


def _too_big(label: str, size: int | None, cap: int) -> Refused:
    message = (f"the file is {size} bytes, more than the limit of {cap}" if size is not None
               else f"the file holds more than the limit of {cap} bytes")
    return _problem(label, message, "split it or remove what does not belong in it")


@dataclass
class _Opened:
    fd: int
    size: int


def _open(root: Path | str, rel: str, cap: int, label: str | None) -> _Opened:
    label = label or rel
    real_root = os.path.realpath(root)
    real = _check(real_root, os.path.join(root, rel), rel, label)
    try:
        # Not following a link, and not waiting for a writer: if the file was swapped for
        # either since it was checked, the open fails or fstat tells.
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise _problem(label, f"cannot read the file: {exc.strerror or exc}", "check its permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _problem(label, f"the file is {_kind(info.st_mode)}, not a regular file", _HINT_REGULAR)
        if info.st_size > cap:
            raise _too_big(label, info.st_size, cap)
    except BaseException:
        os.close(fd)
        raise
    return _Opened(fd, info.st_size)


def _chunks(opened: _Opened, cap: int, label: str) -> Iterator[bytes]:
    """The file's bytes, at most cap of them: a file that grows past its size while it is read
    (or a special file of the kernel's that says size 0) is refused once it passes the cap."""
    total = 0
    try:
        while True:
            chunk = os.read(opened.fd, min(_CHUNK, cap + 1 - total))
            if not chunk:
                return
            total += len(chunk)
            if total > cap:
                raise _too_big(label, None, cap)
            yield chunk
    finally:
        os.close(opened.fd)


def read_bytes(root: Path | str, rel: str, cap: int, label: str | None = None) -> bytes:
    """The bytes of the file at rel (relative to root), when it is a regular file that resolves
    inside root and holds at most cap bytes; otherwise Refused, located at label (default rel)."""
    opened = _open(root, rel, cap, label)
    return b"".join(_chunks(opened, cap, label or rel))


def copy_file(root: Path | str, rel: str, target: Path, cap: int = MAX_SITE_FILE_BYTES) -> None:
    """Copy the file at rel into target, as read_bytes would read it."""
    opened = _open(root, rel, cap, None)
    with open(target, "wb") as out:
        for chunk in _chunks(opened, cap, rel):
            out.write(chunk)


def digest(root: Path | str, rel: str, cap: int = MAX_SITE_FILE_BYTES) -> str:
    """The sha256 of the file at rel; for a file Kept will not read, a digest of the reason
    (the build that follows reports it)."""
    try:
        opened = _open(root, rel, cap, None)
        found = hashlib.sha256()
        for chunk in _chunks(opened, cap, rel):
            found.update(chunk)
        return found.hexdigest()
    except Refused as exc:
        return "refused:" + exc.problem.message


@dataclass(frozen=True)
class Listing:
    """The files under a folder that Kept may read (paths relative to the root, '/'-separated,
    in the order of their parts), and a problem for each entry it will not read."""

    files: list[str]
    problems: list[Problem]


def walk(root: Path | str, folder: str) -> Listing:
    """Every regular file under root/folder, and links to regular files that stay inside root.

    A link leading outside root, a named pipe, a device or a socket is a problem. A link to a
    folder is not followed, nor is a broken link (nothing there to read), as before.
    """
    real_root = os.path.realpath(root)
    top = os.path.join(root, folder)
    files: list[str] = []
    problems: list[Problem] = []
    if not os.path.lexists(top):
        return Listing(files, problems)
    if os.path.islink(top) and not within(real_root, os.path.realpath(top)):
        problems.append(Problem(folder, 1, 1, "the folder is a link to a folder outside the repository",
                                _HINT_COPY))
        return Listing(files, problems)
    place = _leads_away(real_root, folder, os.path.realpath(top))
    if place is not None:
        problems.append(Problem(folder, 1, 1, f"the folder links to {place}, which is not for "
                                              "the site", _HINT_PRIVATE))
        return Listing(files, problems)
    if not os.path.isdir(top):
        return Listing(files, problems)
    pending = [folder]
    while pending:  # a loop, not recursion: a folder may be nested thousands deep
        current = pending.pop()
        try:
            with os.scandir(os.path.join(root, current)) as found:
                entries = list(found)
        except OSError as exc:
            problems.append(Problem(current, 1, 1, f"cannot read the folder: {exc.strerror or exc}",
                                    "check its permissions"))
            continue
        for entry in entries:
            rel = f"{current}/{entry.name}"
            bad = _bad_name(entry.name)
            if bad is not None:
                problems.append(Problem(shown(rel), 1, 1, bad, "rename it"))
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(rel)
                elif entry.is_file(follow_symlinks=False):
                    files.append(rel)
                elif entry.is_symlink():
                    _linked(real_root, entry.path, rel, files, problems)
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
                    problems.append(Problem(rel, 1, 1, f"the file is {_kind(mode)}, not a regular file",
                                            _HINT_REGULAR))
            except OSError as exc:
                problems.append(Problem(rel, 1, 1, f"cannot read the file: {exc.strerror or exc}",
                                        "check its permissions"))
    files.sort(key=lambda rel: rel.split("/"))
    return Listing(files, sorted(problems))


# What a name of the site may not hold: control characters (a line break in a name forged
# lines of Kept's output, which CI reads as commands), characters that reorder or break a line
# of text, and (as lone surrogates) bytes that are not UTF-8, which MkDocs cannot write.
_BAD_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069\ud800-\udfff]")


def _bad_name(name: str) -> str | None:
    found = _BAD_NAME.search(name)
    if found is None:
        return None
    if "\ud800" <= found.group() <= "\udfff":
        return "the name is not UTF-8 text"
    return f"the name holds a control character ({repr(found.group())[1:-1]})"


def shown(rel: str) -> str:
    """A path as text that can be printed: a byte of a name that is not UTF-8 as \\xff."""
    try:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return rel.encode("utf-8", "backslashreplace").decode("utf-8")


def _linked(real_root: str, path: str, rel: str, files: list[str], problems: list[Problem]) -> None:
    real = os.path.realpath(path)
    if not within(real_root, real):
        problems.append(Problem(rel, 1, 1, "the file is a link to a file outside the repository",
                                _HINT_COPY))
        return
    place = _leads_away(real_root, rel, real)
    if place is not None:
        problems.append(Problem(rel, 1, 1, f"the file is a link to {place}, which is not for "
                                           "the site", _HINT_PRIVATE))
        return
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return  # a broken link: nothing to read
    if stat.S_ISREG(mode):
        files.append(rel)
    elif not stat.S_ISDIR(mode):
        problems.append(Problem(rel, 1, 1, f"the file is a link to {_kind(mode)}, not a regular file",
                                _HINT_REGULAR))
