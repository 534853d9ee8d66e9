"""The data as it was at a git ref, for comparing a change with what is already published.

Git is driven through its plumbing commands (`rev-parse`, `ls-tree`, `cat-file`), whose output
is stable, and the files of the ref are written into a temporary folder so that the very same
validator reads them: the base is judged by the rules that judge the working tree.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from generator.errors import KeptError, Problem
from generator.load import MAX_FILE_BYTES
from generator.model import Dataset
from generator.records import RECORDS
from generator.validate import COMMITMENTS, RESULTS, check

GIT_TIMEOUT = 120  # seconds: reading blobs takes milliseconds, a stuck prompt forever
MAX_SHOWN = 10  # base problems quoted in an error message


class InvalidBase(KeptError):
    """The data at the base ref does not validate, so nothing can be compared with it.

    A subclass, so that a caller may choose to carry on (say, when a newer Kept is stricter
    than the one that accepted the base) instead of failing.
    """

    def __init__(self, ref: str, problems: list[Problem]):
        self.ref = ref
        self.problems = problems
        shown = "\n".join(f"  {p.format()}" for p in problems[:MAX_SHOWN])
        more = f"\n  ... and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
        super().__init__(
            f"the data at '{ref}' is not valid, so the change cannot be compared with it "
            f"({len(problems)} error(s)):\n{shown}{more}")


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git in root, never prompting; a missing git becomes a KeptError."""
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], input=stdin, capture_output=True,
            timeout=GIT_TIMEOUT, check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except FileNotFoundError as exc:
        raise KeptError("git is not installed (or not on PATH); comparing with a ref needs it"
                        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise KeptError(f"git did not answer within {GIT_TIMEOUT} seconds") from exc


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return f"git exited with status {result.returncode}"
    return lines[0].removeprefix("fatal: ")


def _require_repository(root: Path) -> None:
    result = _git(root, "rev-parse", "--show-prefix")
    if result.returncode != 0:
        raise KeptError(f"{root} is not in a git repository ({_stderr(result)}); "
                        "comparing with a ref needs the data's git history")


def _resolves(root: Path, ref: str) -> str | None:
    # A ref starting with '-' would be read as an option: no branch or tag can be named so.
    if not ref or ref.startswith("-"):
        return None
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return result.stdout.decode().strip() if result.returncode == 0 else None


def resolve(root: Path, ref: str) -> str:
    """The commit id that ref names, or a KeptError saying how to get it."""
    _require_repository(root)
    commit = _resolves(root, ref)
    if commit is None:
        raise KeptError(
            f"unknown git ref '{ref}': no branch, tag or commit of that name; in a shallow CI "
            "checkout, fetch it first (git fetch origin main)")
    return commit


def default_base(root: Path) -> str:
    """What a pull request is compared with: `origin/main` when it is known here, else `HEAD`
    (then the comparison shows the uncommitted changes)."""
    _require_repository(root)
    return "origin/main" if _resolves(root, "origin/main") else "HEAD"


def _blobs(root: Path, commit: str) -> dict[str, tuple[str, int]]:
    """Object ids and sizes of commitments.yml, the files directly in results/ and the
    records in results/records/, by path below root.

    Paths are relative to root, so a data folder inside a larger repository works too.
    Folders, symbolic links and submodules are left out: the validator ignores folders, and a
    link's blob is its target's name, not data.
    """
    result = _git(root, "ls-tree", "-z", "--long", commit, "--", COMMITMENTS, f"{RESULTS}/",
                  f"{RECORDS}/")
    if result.returncode != 0:
        raise KeptError(f"cannot list the files of {commit[:12]}: {_stderr(result)}")
    found = {}
    for entry in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, oid, size = meta.split()
        if kind == "blob" and mode in ("100644", "100755"):
            found[path] = (oid, int(size))
    return found


def _read_blobs(root: Path, oids: list[str]) -> list[bytes]:
    """The contents of many blobs in one git process (`cat-file --batch`)."""
    if not oids:
        return []
    result = _git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode())
    if result.returncode != 0:
        raise KeptError(f"cannot read files from git: {_stderr(result)}")
    out, at, contents = result.stdout, 0, []
    for _ in oids:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])  # "<oid> blob <size>"
        contents.append(out[header_end + 1: header_end + 1 + size])
        at = header_end + 1 + size + 1  # the content is followed by a newline
    return contents


def _materialise(root: Path, commit: str, folder: Path) -> None:
    """Write the data files of commit into folder. A file over the loader's limit is not read
    (git would hand all of it over, in memory): it is written as a file of its size that holds
    nothing (sparse), which the loader refuses by its size as it would in the working tree."""
    blobs = _blobs(root, commit)
    wanted = {path: oid for path, (oid, size) in blobs.items() if size <= MAX_FILE_BYTES}
    contents = dict(zip(wanted, _read_blobs(root, list(wanted.values())), strict=True))
    for path, (_, size) in blobs.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path in contents:
            target.write_bytes(contents[path])
        else:
            with target.open("wb") as stream:
                stream.truncate(size)


def dataset_at(root: Path, ref: str) -> Dataset:
    """The validated data of the repository at root as it was at git ref `ref`.

    Raises KeptError when root is not in a git repository or ref is unknown, and InvalidBase
    (a KeptError) when the data at ref does not validate. Data that differs from its records
    is taken as it is: what was merged is what a change is compared with.
    """
    commit = resolve(root, ref)
    with tempfile.TemporaryDirectory(prefix="kept-base-") as folder:
        _materialise(root, commit, Path(folder))
        if not (Path(folder) / COMMITMENTS).is_file():
            raise KeptError(f"there is no {COMMITMENTS} at '{ref}' in {root}: "
                            "nothing to compare with")
        report = check(Path(folder))
    if report.data is None:
        raise InvalidBase(ref, report.errors)
    return report.data
