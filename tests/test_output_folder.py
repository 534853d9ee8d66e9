"""The output folder: Kept changes only what it wrote, a failed build changes nothing, and a
killed build's leftovers are removed by the next one."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import manifest, output
from generator.build import build_site
from generator.errors import KeptError
from tests.helpers import REPO, write_project

pytestmark = pytest.mark.slow


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under folder."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
            for p in sorted(folder.rglob("*"))}


def foreign(out: Path) -> str:
    return f"{out} exists and was not written by Kept; move it away or choose another --out"


# --- what is Kept's ------------------------------------------------------------------------------

MIKE_VERSIONS = [{"version": "2.0", "title": "2.0", "aliases": ["latest"]},
                 {"version": "1.0", "title": "1.0", "aliases": []}]


def test_a_site_deployed_by_mike_is_refused_and_left_alone(tmp_path: Path) -> None:
    """It has public/versions.json too, but no record of Kept's: not one file of it changes."""
    root = write_project(tmp_path / "data")
    out = tmp_path / "gh-pages"
    site = out / "public"
    for version in ("1.0", "2.0", "latest"):
        (site / version).mkdir(parents=True)
        (site / version / "index.html").write_text(f"<h1>Docs {version}</h1>\n")
    (site / "versions.json").write_text(json.dumps(MIKE_VERSIONS))
    (site / "index.html").write_text('<meta http-equiv="refresh" content="0; url=latest/">\n')
    (out / "CNAME").write_text("docs.example.com\n")
    before = tree(out)
    with pytest.raises(KeptError) as caught:
        build_site(root, out, audiences=("public",), jobs=1)
    assert str(caught.value) == foreign(out)
    assert tree(out) == before


def test_a_site_built_before_the_record_keeps_what_is_not_kepts(tmp_path: Path) -> None:
    """A site built by an earlier Kept (its manifest, no record) is Kept's: its editions are
    replaced or removed, and nothing else in it is touched."""
    root = write_project(tmp_path / "data")
    out = tmp_path / "site"
    build_site(root, out, jobs=1)
    (out / output.OWNED).unlink(missing_ok=True)  # as an earlier Kept left it,
    for audience in ("public", "internal"):  # without a store of the theme's files
        shutil.rmtree(out / audience / "theme")
    shutil.rmtree(out / ".kept-parsed")  # and with its parsed files in one file,
    (out / ".kept-parsed.json").write_text('{"format": 1, "files": {}}')
    (out / ".kept-latest.json").unlink()  # and no index of latest/'s files
    (out / "public" / "downloads").mkdir()
    (out / "public" / "downloads" / "report.pdf").write_bytes(b"%PDF-1.7\n")
    (out / "public" / "CNAME").write_text("promises.acme.example\n")
    (out / "README.txt").write_text("Deployed by CI.\n")
    (root / "results" / "2025-Q4.yml").unlink()  # the draft goes: its edition with it
    build_site(root, out, jobs=1)
    assert not (out / "internal" / "2025-Q4").exists()
    assert (out / "public" / "downloads" / "report.pdf").read_bytes() == b"%PDF-1.7\n"
    assert (out / "public" / "CNAME").read_text() == "promises.acme.example\n"
    assert (out / "README.txt").read_text() == "Deployed by CI.\n"
    owned = json.loads((out / output.OWNED).read_text())["owned"]
    assert "public/downloads" not in owned and "internal/2025-Q4" not in owned
    assert {"public/2025-Q3", "public/latest", "internal/2025-Q3", ".kept-cache.json",
            ".kept-parsed", ".kept-latest.json"} <= set(owned)
    assert ".kept-parsed.json" not in owned and not (out / ".kept-parsed.json").exists()
    # Its editions use a store of the theme's files now: every one was built again.
    assert {"public/theme", "internal/theme"} <= set(owned)
    assert [p.name for p in (out / "public" / "theme").iterdir()] == [
        p.name for p in (out / "internal" / "theme").iterdir()]


def test_a_folder_of_the_users_named_like_a_new_edition_is_refused(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data")
    out = tmp_path / "site"
    build_site(root, out, audiences=("public",), jobs=1)
    notes = out / "public" / "2025-Q4"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine\n")
    draft = root / "results" / "2025-Q4.yml"
    draft.write_text(draft.read_text().replace("period: 2025-Q4\n", "period: 2025-Q4\npublished: 2026-01-10\n"))
    before = tree(out)
    with pytest.raises(KeptError) as caught:
        build_site(root, out, audiences=("public",), jobs=1)
    assert str(caught.value) == foreign(notes)
    assert tree(out) == before


def test_an_unreadable_record_is_refused(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data")
    out = tmp_path / "site"
    build_site(root, out, audiences=("public",), jobs=1)
    (out / output.OWNED).write_text("{not json")
    with pytest.raises(KeptError, match="cannot be read, so what in .* is Kept's cannot be told"):
        build_site(root, out, audiences=("internal",), jobs=1)


# --- a failed build changes nothing --------------------------------------------------------------


def built_then_edited(tmp_path: Path) -> tuple[Path, Path]:
    """A project built, then edited so that the next build updates an edition in place,
    mirrors latest/ and rewrites the version list."""
    root = write_project(tmp_path / "data")
    out = tmp_path / "site"
    build_site(root, out, jobs=1)
    draft = root / "results" / "2025-Q4.yml"
    draft.write_text(draft.read_text().replace("value: 3.5", "value: 3.75").replace(
        "Draft, still", "Draft (revised), still"))
    return root, out


def test_a_failure_writing_the_manifests_leaves_the_output_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = built_then_edited(tmp_path)
    before = tree(out)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(manifest, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        build_site(root, out, jobs=1)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]


JOURNALED = ("keep", "move", "replace_file", "mkdir", "rmdir", "created")


def failing_at(step: int, counted: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the install fail just before its change number `step` (counting from 0)."""
    for name in JOURNALED:
        original = getattr(output.Journal, name)

        def change(self: output.Journal, *args: object, original: Callable[..., object] = original,
                   name: str = name) -> object:
            if len(counted) == step:
                raise OSError(errno.EIO, f"failure injected before change {step} ({name})")
            counted.append(name)
            return original(self, *args)

        monkeypatch.setattr(output.Journal, name, change)


@pytest.mark.parametrize("edit", ["in place", "draft removed"])
def test_a_failure_at_any_step_of_the_install_leaves_the_output_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str) -> None:
    root, out = built_then_edited(tmp_path)
    if edit == "draft removed":
        (root / "results" / "2025-Q4.yml").unlink()
    before = tree(out)
    # A copy that keeps the hard links between an edition and latest/, as the install sees them.
    subprocess.run(["cp", "-a", str(out), str(tmp_path / "dry-run")], check=True)
    with monkeypatch.context() as patched:
        counted: list[str] = []
        failing_at(-1, counted, patched)  # never: counts the changes of the whole install
        build_site(root, tmp_path / "dry-run", jobs=1)
    total = len(counted)
    assert {"keep", "replace_file", "mkdir"} <= set(counted)
    steps = {0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, total // 2, total - 2, total - 1}
    for step in sorted(s for s in steps if 0 <= s < total):
        with monkeypatch.context() as patched:
            counted = []
            failing_at(step, counted, patched)
            with pytest.raises(OSError, match=f"failure injected before change {step} "):
                build_site(root, out, jobs=1)
        assert tree(out) == before, f"changed by a failure before change {step} of {total}"
    build_site(root, out, jobs=1)  # and the build goes through afterwards
    build_site(root, tmp_path / "cold", jobs=1)
    assert tree(out) == tree(tmp_path / "cold")


# --- leftovers of a killed build -----------------------------------------------------------------


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def leftover(parent: Path, name: str, locked: bool | None) -> Path:
    """A staging folder as a build leaves it; locked: its lock file held (by this process, as
    a build would), unlocked, or None for no lock file."""
    folder = parent / name
    (folder / "public").mkdir(parents=True)
    (folder / "public" / "index.html").write_text("half built\n")
    if locked is not None:
        fd = os.open(folder / output.LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        if locked:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            HELD.append(fd)
        else:
            os.close(fd)
    return folder


HELD: list[int] = []  # lock files this test holds, as a living build would


@pytest.fixture
def held_locks() -> Iterator[None]:
    yield
    while HELD:
        os.close(HELD.pop())


def test_the_next_build_removes_what_a_killed_build_left(tmp_path: Path, held_locks: None) -> None:
    root = write_project(tmp_path / "data")
    dead = dead_pid()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        gone = [leftover(tmp_path, f".site.kept-{dead}-0123456789ab", locked=False),
                leftover(tmp_path, f".site.kept-{dead}-123456789abc", locked=None)]
        kept = [leftover(tmp_path, f".site.kept-{dead}-23456789abcd", locked=True),  # another namespace's
                leftover(tmp_path, f".site.kept-{sleeper.pid}-3456789abcde", locked=None),  # not locked yet
                leftover(tmp_path, f".other.kept-{dead}-456789abcdef", locked=False)]  # another output's
        shm = Path("/dev/shm")
        if shm.is_dir() and os.access(shm, os.W_OK):
            gone.append(leftover(shm, f"kept-stage-{dead}-56789abcdef0", locked=False))
        build_site(root, tmp_path / "site", audiences=("public",), jobs=1)
        assert [p for p in gone if p.exists()] == []
        assert [p for p in kept if not p.exists()] == []
    finally:
        sleeper.kill()
        sleeper.wait()


SLOW_HOOK = """\
import pathlib, time

def on_config(config):
    pathlib.Path(__file__).with_name("started").touch()
    time.sleep(120)
    return config
"""


def can_lock(folder: Path) -> bool:
    fd = os.open(folder / output.LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60  # a guard against waiting for ever, not a measurement
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_killed_midway_is_cleaned_up_by_the_next(tmp_path: Path, jobs: str) -> None:
    """kill -9 while MkDocs runs: the staging folders stay behind, and so would the worker
    processes, holding them; the workers end with the build, and the next build removes
    the folders."""
    config = "site_name: Acme\ntheme:\n  name: material\nhooks:\n  - hooks/slow.py\n"
    root = write_project(tmp_path / "data", mkdocs=config)
    (root / "hooks").mkdir()
    (root / "hooks" / "slow.py").write_text(SLOW_HOOK)
    build = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root),
                              "--out", str(tmp_path / "site"), "--jobs", jobs],
                             cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        until(lambda: (root / "hooks" / "started").exists(), "MkDocs started")
    finally:
        build.kill()
        build.wait()
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".site.kept-")]
    shm = list(Path("/dev/shm").glob(f"kept-stage-{build.pid}-*"))
    assert len(left) == 1
    assert len(shm) == (1 if os.access("/dev/shm", os.W_OK) else 0)
    until(lambda: can_lock(left[0]), "the killed build's workers ended")
    (root / "hooks" / "slow.py").write_text("")
    build_site(root, tmp_path / "site", audiences=("public",), jobs=1)
    assert not left[0].exists() and not any(p.exists() for p in shm)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]


def test_kept_serve_killed_leaves_nothing_the_next_serve_keeps(tmp_path: Path) -> None:
    root = write_project(tmp_path / "data")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}

    def serve() -> subprocess.Popen[str]:
        with socket.socket() as probe:  # a port free now
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root),
                                 "--dev-addr", f"127.0.0.1:{port}"], cwd=REPO, env=env, text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

    first = serve()
    assert first.stderr is not None
    try:
        until(lambda: "Ctrl-C to stop" in first.stderr.readline(), "the first serve started")
    finally:
        first.kill()
        first.wait()
        first.stderr.close()
    killed = [p.name for p in temp.iterdir() if "kept-serve-" in p.name]
    assert len(killed) == 1 and killed[0].startswith(f"kept-serve-{first.pid}-")
    second = serve()
    assert second.stderr is not None
    try:
        until(lambda: "Ctrl-C to stop" in second.stderr.readline(), "the second serve started")
        assert [p.name for p in temp.iterdir() if p.name in killed] == []
    finally:
        second.terminate()
        second.communicate(timeout=30)
    assert [p.name for p in temp.iterdir() if "kept-" in p.name] == []


def test_kepts_own_files_in_the_output_are_read_as_any_file(tmp_path: Path) -> None:
    """The output folder may hold anything: a pipe in the place of a manifest is not waited on
    (the build starts afresh and writes its manifest in its place)."""
    from tests.helpers import kept_bounded

    root = write_project(tmp_path / "data")
    out = tmp_path / "site"
    build_site(root, out, audiences=("public",), jobs=1)
    for name in (manifest.CACHE, manifest.PAGES, *[f".kept-parsed/{entry.name}" for entry in
                                                    (out / ".kept-parsed").iterdir()]):
        (out / name).unlink()
        os.mkfifo(out / name)
    result = kept_bounded("build", "--root", str(root), "--out", str(out), "--audience", "public",
                          "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert json.loads((out / manifest.CACHE).read_text())["built"] == {"public": ["2025-Q3", "2025-Q2"]}
