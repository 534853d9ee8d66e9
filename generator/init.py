"""Start a new data repository from the starter shipped in the package.

The starter is a small but real organisation (one value, two commitments, a published quarter
and a draft), so that a new repository validates and builds before anyone edits it, and every
file shows by example what goes where. Its files live in `generator/starter/` as they will be
written; names there begin with `dot-` where the written name begins with a dot, because
packaging tools leave hidden files out of a wheel.

The repository is the user's from the start: the organisation's name is theirs (it names the
sites too, as `mkdocs.yml` sets no `site_name`), and the CI workflow uses the Kept action of
the repository and release this Kept was installed from.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import urllib.parse
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import yaml

from generator import DISTRIBUTION, __version__
from generator.errors import KeptError, UsageError, printable
from generator.jsonschema import write_schemas
from generator.kinds import MAX_LINE

STARTER = "starter"
_DOT = "dot-"
_VERSION = "@KEPT_VERSION@"  # replaced by the version of Kept that wrote the repository
_ACTION = "@KEPT_ACTION@"  # replaced by the Kept action the workflow uses: OWNER/REPO@REF
_NAME_LINE = "  name: Brightwater Support\n"  # the starter's organisation, replaced by the user's
# What a workflow's `uses:` accepts for an action in another repository: an owner (a GitHub
# account name), a repository, an optional folder inside it, and a ref (tag, branch or commit).
ACTION_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}"
                       r"(?:/[A-Za-z0-9._-]+)*@[A-Za-z0-9._/-]{1,200}")
_GITHUB = re.compile(r"https://github\.com/(?P<repo>[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}?)"
                     r"(?:\.git)?(?P<rest>/.*)?$")
# A release asset or an archive of a tag: .../releases/download/TAG/FILE, .../archive/refs/tags/TAG.zip
_TAGGED = re.compile(r"/(?:releases/download/(?P<asset>[^/]+)/[^/]+|"
                     r"archive/(?:refs/tags/)?(?P<archive>.+?)\.(?:zip|tar\.gz))$")
# Written into the workflow when the action's repository is not known: never a valid reference
# (no GitHub account has '<' in its name), so that GitHub refuses the workflow instead of running
# an action that someone else published under a made-up name.
UNKNOWN_ACTION = f"<owner>/<repository>@v{__version__}"


@dataclass(frozen=True)
class Started:
    """What `init` wrote, the organisation's name, and the action its workflow uses (None
    when it could not tell, and the workflow names UNKNOWN_ACTION)."""

    files: list[Path]
    name: str
    action: str | None


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


# --- the organisation's name ------------------------------------------------------------------


def default_name(target: Path) -> str:
    """An organisation's name from the folder the repository starts in: 'acme-support' gives
    'Acme Support'. Only a start: commitments.yml says it, and the user changes it there."""
    words = re.split(r"[-_.\s]+", target.resolve().name)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "Our organisation"


def check_name(name: str) -> str:
    """The organisation's name as given on the command line, checked as the validator checks
    it (one line of text, at most MAX_LINE characters); UsageError otherwise."""
    name = name.strip()
    if not name:
        raise UsageError("the organisation's name is empty; write it like --name 'Acme Support'")
    if printable(name) != name:
        raise UsageError(f"the organisation's name {printable(name)!r} has a line break or a "
                         "control character; write it on one line")
    if len(name) > MAX_LINE:
        raise UsageError(f"the organisation's name is {len(name)} characters long, over the "
                         f"limit of {MAX_LINE}")
    return name


def _yaml_text(text: str) -> str:
    """text as a YAML value: plain when YAML reads it back as the same text, else quoted."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


# --- the action the workflow uses ---------------------------------------------------------------


def check_action(reference: str) -> str:
    if not ACTION_RE.fullmatch(reference):
        raise UsageError(f"{printable(reference)!r} is not an action reference; write it like "
                         f"--action OWNER/REPO@v{__version__} (the GitHub repository of Kept and "
                         "the release to use)")
    return reference


def _from_url(url: str, revision: str | None) -> str | None:
    """OWNER/REPO@REF for a GitHub address Kept was installed from, when it names a ref."""
    found = _GITHUB.match(url)
    if found is None:
        return None
    repo, rest = found["repo"], found["rest"] or ""
    tagged = _TAGGED.search(rest)
    ref = revision or (tagged and urllib.parse.unquote(tagged["asset"] or tagged["archive"]))
    reference = f"{repo}@{ref}" if ref else None
    return reference if reference and ACTION_RE.fullmatch(reference) else None


def installed_action() -> str | None:
    """The Kept action of the repository and release this Kept was installed from: a GitHub
    address recorded at installation (PEP 610: `pip install git+https://github.com/...@v1`, or
    a release's wheel by its address), else the source repository the distribution declares
    (`Source` in its project URLs) at this version's tag. None when neither is known."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "null")
    except ValueError:
        direct = None
    if isinstance(direct, dict) and isinstance(direct.get("url"), str):
        vcs = direct.get("vcs_info")
        revision = None
        if isinstance(vcs, dict):
            revision = vcs.get("requested_revision") or vcs.get("commit_id")
        found = _from_url(direct["url"], revision if isinstance(revision, str) else None)
        if found:
            return found
    for entry in dist.metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("source", "repository"):
            repo = _GITHUB.match(url.strip())
            if repo and not repo["rest"]:
                return f"{repo['repo']}@v{__version__}"
    return None


# --- init -------------------------------------------------------------------------------------


def init(target: Path, name: str | None = None, action: str | None = None) -> Started:
    """Write a new data repository into target (absent or empty) for the organisation named
    (default: from the folder's name), with a workflow using the Kept action given as
    OWNER/REPO@REF (default: installed_action()).

    Refuses a folder that holds anything, so that nothing of the user's is ever overwritten."""
    name = check_name(name if name is not None else default_name(target))
    action = check_action(action) if action is not None else installed_action()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KeptError(f"{target} is not an empty folder; kept init starts a new repository "
                        "only in a new or empty folder")
    files = starter_files()  # read everything before writing anything
    files["commitments.yml"] = files["commitments.yml"].replace(
        _NAME_LINE, f"  name: {_yaml_text(name)}\n", 1)
    for rel in files:
        files[rel] = files[rel].replace(_ACTION, action or UNKNOWN_ACTION)
    written: list[Path] = []
    for rel, text in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        written.append(path)
    written += write_schemas(target)
    return Started(sorted(written), name, action)
