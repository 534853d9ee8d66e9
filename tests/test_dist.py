"""The distribution: `python -m build` makes a wheel and an sdist that hold everything Kept needs,
and the wheel, installed into a fresh virtual environment outside the repository, starts, checks
and builds a data repository.

The build runs offline (--no-isolation, with the pinned setuptools of requirements-dev.txt); the
installation takes the pinned dependencies from the package index.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from generator import DISTRIBUTION, __version__

REPO = Path(__file__).resolve().parent.parent
WHEEL_NAME = DISTRIBUTION.replace("-", "_")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _tracked(folder: str) -> list[str]:
    listed = _run("git", "-C", REPO, "ls-files", "-z", folder, cwd=REPO)
    return sorted(p for p in listed.split("\0") if p)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist, built from the files git tracks (a copy: nothing untracked gets in,
    and the build leaves nothing in the repository)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs the repository's git")
    tmp = tmp_path_factory.mktemp("dist")
    source = tmp / "source"
    for rel in _tracked("."):
        if (REPO / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, source / rel)
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp / "out", source, cwd=tmp)
    return tmp / "out"


@pytest.mark.slow
def test_the_wheel_and_the_sdist_hold_the_package(dist: Path) -> None:
    wheel = dist / f"{WHEEL_NAME}-{__version__}-py3-none-any.whl"
    sdist = dist / f"{WHEEL_NAME}-{__version__}.tar.gz"
    package = _tracked("generator")  # modules, templates, assets, catalogs, the starter
    assert "generator/starter/dot-github/workflows/kept.yml" in package
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.parser.Parser().parsestr(
            archive.read(f"{WHEEL_NAME}-{__version__}.dist-info/METADATA").decode())
        scripts = archive.read(f"{WHEEL_NAME}-{__version__}.dist-info/entry_points.txt").decode()
    assert set(package) <= names, sorted(set(package) - names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert (metadata["Name"], metadata["Version"]) == (DISTRIBUTION, __version__)
    assert "kept = generator.cli:main" in scripts
    with tarfile.open(sdist) as archive:
        in_sdist = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert set(package) <= in_sdist, sorted(set(package) - in_sdist)
    assert {"pyproject.toml", "README.md"} <= in_sdist


@pytest.mark.slow
def test_the_wheel_installed_elsewhere_starts_checks_and_builds(dist: Path, tmp_path: Path) -> None:
    wheel = dist / f"{WHEEL_NAME}-{__version__}-py3-none-any.whl"
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    _run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--constraint",
         REPO / "requirements.txt", wheel, cwd=tmp_path, env=env)
    kept = venv / "bin/kept"
    assert _run(kept, "--version", cwd=tmp_path, env=env) == f"kept {__version__}\n"
    where = _run(venv / "bin/python", "-c", "import generator; print(generator.__file__)",
                 cwd=tmp_path, env=env)
    assert Path(where.strip()).is_relative_to(venv), "Kept runs from the installed wheel"

    said = _run(kept, "init", "acme-support", "--action", "acme/kept@v1.0.0", cwd=tmp_path, env=env)
    assert "organisation: Acme Support" in said
    data = tmp_path / "acme-support"
    assert "uses: acme/kept@v1.0.0" in (data / ".github/workflows/kept.yml").read_text()
    assert _run(kept, "validate", "--strict", cwd=data, env=env).startswith(
        "ok: 2 commitments, 2 periods (1 draft)")
    built = _run(kept, "build", cwd=data, env=env)
    assert "built public: 1 edition(s) (2026-Q2)" in built
    home = (data / "site/public/2026-Q2/index.html").read_text()
    assert "<title>Acme Support: our commitments - Acme Support</title>" in home
    assert (data / "site/public/2026-Q2/kept/kept.css").is_file()
    assert (data / "site/public/2026-Q2/kept/kept.js").is_file()
    assert (data / "site/public/2026-Q2/api/results.csv").is_file()
