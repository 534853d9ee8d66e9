"""The output installed: the new editions, latest/, the version lists and Kept's manifests,
written beforehand into the staging folder beside the output, are put in place by renames,
each change journaled (output.Journal), so that a failure at any point leaves the previous
output exactly as it was. Kept changes only what it owns in the output folder (see
output.owned).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from generator import i18n, latest, manifest, output
from generator.engine import store
from generator.i18n import tr
from generator.manifest import BuildResult
from generator.pages import moved
from generator.parsecache import ParseCache
from generator.plan import built, latest_folder
from generator.project import Edition
from generator.static import LATEST_FILES

# The data files as parsed by the last build, beside its output (see parsecache.ParseCache):
# a folder of entries, one a data file. Before, one file of them all.
PARSED = ".kept-parsed"
LEGACY_PARSED = ".kept-parsed.json"


def prepare(tmp: Path, sites: Mapping[str, tuple[str, i18n.Language]],
            planned: Mapping[str, list[Edition]], owned: set[str], parsed: ParseCache,
            known_pages: dict[str, str], inputs: str, cache: dict[str, str],
            result: BuildResult, latest_index: dict[str, latest.Index]) -> None:
    """Write into tmp everything the install puts in place besides the editions: each site's
    version list and root page (sites: by folder, its name and language), Kept's manifests
    and the index of latest/'s own files (see latest)."""
    for site, (site_name, language) in sites.items():
        with i18n.use(language):
            site_root_files(tmp / "root" / site, site, planned[site], site_name)
    parsed.write(tmp / PARSED)
    latest.write_index(tmp / latest.INDEX, latest_index)
    manifest.write_pages(tmp / manifest.PAGES, known_pages)
    manifest.write(tmp / manifest.CACHE, inputs, cache, result)
    after = owned_after(owned, sites, planned)
    output.write_owned(tmp / OWNED_DURING, owned | after)
    output.write_owned(tmp / output.OWNED, after)


REDIRECT = """<!doctype html>
<html lang="{lang}" dir="{dir}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url=latest/">
<link rel="canonical" href="latest/">
{robots}</head>
<body>
<p><a href="latest/">{title}: {latest}</a></p>
</body>
</html>
"""

EMPTY_SITE = """<!doctype html>
<html lang="{lang}" dir="{dir}">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
<h1>{title}</h1>
<p>{none}</p>
</body>
</html>
"""


def site_root_files(folder: Path, site: str, planned: list[Edition], site_name: str) -> None:
    """versions.json and the root page (a redirect to latest/) of one site, in its language
    (see i18n.use)."""
    versions = [{"version": e.id, "title": e.title, "aliases": ["latest"] if i == 0 else []}
                for i, e in enumerate(planned)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "versions.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    title = html.escape(site_name)
    language = i18n.current()
    if not planned:
        page = EMPTY_SITE.format(title=title, lang=language.code, dir=language.direction,
                                 none=html.escape(tr(
                                     "No edition has been published yet. Editions appear here "
                                     "once a reporting period is published.")))
    else:
        internal = site.split("/", 1)[0] == "internal"
        robots = '<meta name="robots" content="noindex, nofollow">\n' if internal else ""
        page = REDIRECT.format(title=title, robots=robots, lang=language.code,
                               dir=language.direction,
                               latest=html.escape(tr("the latest edition")))
    (folder / "index.html").write_text(page, encoding="utf-8")


def _link_tree(source: Path, target: Path, instead: Mapping[str, Path] | None = None) -> None:
    """A copy of a built tree made of hard links (a plain copy where links are not possible);
    the files of `instead` (by their path in the tree) are links to other files."""
    def link(src: str, dst: str) -> None:
        other = instead.get(Path(src).relative_to(source).as_posix()) if instead else None
        output.link(other or Path(src), Path(dst))

    shutil.copytree(source, target, copy_function=link)


def _mirror(source: Path, target: Path, journal: output.Journal,
            instead: Mapping[str, Path] | None = None, rel: str = "") -> None:
    """Make target (a tree of links to an earlier edition) the same as source by changing
    only what differs: after an edit, an edition's files are mostly those of the build
    before, and so are the files of latest/. Each file is swapped by a rename. The files of
    `instead` (by their path in the tree) are to be links to other files."""
    with os.scandir(source) as entries:
        wanted = {entry.name: entry for entry in entries}
    with os.scandir(target) as entries:
        present = {entry.name: entry for entry in entries}
    for name, entry in wanted.items():
        there = present.get(name)
        path = os.path.join(target, name)
        if entry.is_dir(follow_symlinks=False):
            if there is not None and not there.is_dir(follow_symlinks=False):
                journal.keep(Path(path))
                there = None
            if there is None:
                journal.created(Path(path))
                _link_tree(Path(entry.path), Path(path),
                           _below(instead, f"{rel}{name}/") if instead else None)
            else:
                _mirror(Path(entry.path), Path(path), journal, instead, f"{rel}{name}/")
            continue
        file = instead.get(rel + name) if instead else None
        inode = os.stat(file).st_ino if file is not None else entry.inode()
        if there is None or there.is_dir(follow_symlinks=False) or there.inode() != inode:
            if there is not None and there.is_dir(follow_symlinks=False):
                journal.keep(Path(path))
            partial = Path(f"{path}.kept-{uuid.uuid4().hex[:8]}")
            journal.created(partial)
            output.link(file or Path(entry.path), partial)
            journal.replace_file(partial, Path(path))
    for name, there in present.items():
        if name not in wanted:
            journal.keep(Path(there.path))


def _below(instead: Mapping[str, Path], prefix: str) -> dict[str, Path]:
    return {rel[len(prefix):]: path for rel, path in instead.items() if rel.startswith(prefix)}


def latest_files(site: Path, newest: Edition, made: Path | None) -> dict[str, Path]:
    """What latest/ holds instead of the newest edition's files, by their path in it: the
    full page of each page the edition serves as a redirect (pages.Moved), from the edition
    where it first appeared; and its own files (static.latest_files), made by this build
    (in made) or by an earlier one (in latest/ already). latest/ keeps full pages, so that
    links given to customers show the real page."""
    found = {}
    for page in moved(newest):
        full = site / page.edition / page.file
        if full.is_file():
            found[page.file] = full
    if not newest.whole:
        for rel in LATEST_FILES:
            for where in ([made] if made is not None else []) + [site / "latest"]:
                if (where / rel).is_file():
                    found[rel] = where / rel
                    break
    return found


def _replace(new: Path, target: Path, journal: output.Journal) -> None:
    """Put new in target's place; the old target is kept aside (deleted with the staging
    folder, or put back when the install fails)."""
    journal.keep(target)
    journal.mkdir(target.parent)
    journal.move(new, target)


# Written into the staging folder before the install: what the output owns while the install
# runs (what it owned and what it is given), put in place first.
OWNED_DURING = "owned-during-install.json"
# Kept's files at the top of an output folder, in the order the install puts them in place,
# after the editions: the manifest of digests is moved away first and back last, so that an
# install cut short (kill -9) causes a rebuild, never the reuse of a stale edition.
TOP_FILES = (PARSED, latest.INDEX, manifest.PAGES, manifest.CACHE, output.OWNED)


def install(tmp: Path, out: Path, sites: Iterable[str], plans: dict[str, list[Edition]],
             built: set[tuple[str, str]], stale_latest: set[str],
             updates: Mapping[tuple[str, str], Iterable[str]], owned: set[str],
             journal: output.Journal, shared: Path | None = None) -> None:
    """Move the new editions, latest/, versions.json, the root page and the manifests (all
    written beforehand into tmp: see prepare) into out, each change recorded in the journal.

    Unchanged editions stay where they are; editions Kept owns that no longer exist (a removed
    draft) go; an edition of `updates` is brought up to date in place (see _update), the
    others built are replaced whole. Nothing that is not in `owned` is removed or replaced.
    """
    journal.mkdir(out)
    journal.replace_file(tmp / OWNED_DURING, out / output.OWNED)
    journal.keep(out / manifest.CACHE)
    journal.keep(out / manifest.PAGES)  # it describes the editions being replaced
    for name in sites:
        site = out / name
        journal.mkdir(site)
        planned = [e.id for e in plans[name]]
        for edition in planned:
            if (name, edition) in updates:
                _update(tmp / name / edition, site / edition, updates[(name, edition)], journal)
            elif (name, edition) in built:
                _replace(tmp / name / edition, site / edition, journal)
        for rel in sorted(owned):
            where, _, item = rel.rpartition("/")
            if where == name and item not in planned \
                    and item not in ("latest", "versions.json", "index.html", store.FOLDER):
                journal.keep(out / rel)
        if planned and any(b[0] == name for b in built):
            _store_theme(tmp, site, name, shared, journal)
        made = latest_folder(shared, name) if shared is not None else None
        if planned and (site / "latest").is_dir() and name in stale_latest:
            _mirror(site / planned[0], site / "latest", journal,
                    latest_files(site, plans[name][0], made))
        elif planned and not (site / "latest").is_dir():
            _link_tree(site / planned[0], tmp / "latest" / name,
                       latest_files(site, plans[name][0], made))
            _replace(tmp / "latest" / name, site / "latest", journal)
        elif not planned:
            journal.keep(site / "latest")
            journal.keep(site / store.FOLDER)
        for item in ("versions.json", "index.html"):
            journal.replace_file(tmp / "root" / name / item, site / item)
    if LEGACY_PARSED in owned:
        journal.keep(out / LEGACY_PARSED)
    for name in TOP_FILES:
        if name == PARSED:
            _replace(tmp / name, out / name, journal)  # a folder
        elif (tmp / name).exists():
            journal.replace_file(tmp / name, out / name)


def _store_theme(tmp: Path, site: Path, name: str, shared: Path | None,
                 journal: output.Journal) -> None:
    """Put the theme's files stored by this build's editions (engine.store) in the site's
    store, and remove those no edition uses any more: every edition of a build uses the same
    theme, those reused from before too (the theme's version is among their inputs)."""
    made = shared / store.FOLDER if shared is not None else None
    current = store.digests(made) if made is not None else []
    if made is None or not current:
        return  # the theme's files stayed in each edition (see engine.store)
    folder = site / store.FOLDER
    journal.mkdir(folder)
    for digest in current:
        if not (folder / digest).is_dir():
            staged = tmp / store.FOLDER / name / digest
            _link_tree(made / digest, staged)
            _replace(staged, folder / digest, journal)
    for digest in store.digests(folder):
        if digest not in current:
            journal.keep(folder / digest)


def owned_after(owned: set[str], sites: Iterable[str],
                 plans: Mapping[str, list[Edition]]) -> set[str]:
    """What the output owns once the build is in place: what this build writes, and what it
    owned of the sites it did not build (another audience's, or a language's no longer on
    the list: its published editions stay where they are, Kept's)."""
    built = set(sites)
    after = {rel for rel in owned if rel.rpartition("/")[0] not in built
             and rel not in (*TOP_FILES, LEGACY_PARSED)}
    after |= set(TOP_FILES)
    for site in built:
        after |= {f"{site}/versions.json", f"{site}/index.html"}
        after |= {f"{site}/{e.id}" for e in plans[site]}
        if plans[site]:
            after |= {f"{site}/latest", f"{site}/{store.FOLDER}"}
    return after


def check_owned(out: Path, owned: set[str], sites: Iterable[str],
                 plans: Mapping[str, list[Edition]]) -> None:
    """Refuse, before anything is built, an output where this build would replace something
    Kept does not own (a folder of the user's named like an edition)."""
    for site in sites:
        if os.path.lexists(out / site) and not (out / site).is_dir():
            raise output.not_ours(out / site)
    for rel in sorted(owned_after(owned, sites, plans) - owned):
        if os.path.lexists(out / rel):
            raise output.not_ours(out / rel)


def _update(new: Path, target: Path, stale: Iterable[str], journal: output.Journal) -> None:
    """Bring an edition up to date in place: move in the files the build wrote (new), then
    remove the generated files the edition no longer has, and the folders they leave empty.
    After an edit, a few files change among a thousand: making the edition again as a tree
    of links, and deleting the old one, cost more than the rest of the build."""
    for folder, _, names in os.walk(new):
        rel = os.path.relpath(folder, new)
        here = target if rel == "." else target / rel
        if os.path.lexists(here) and not here.is_dir():
            journal.keep(here)
        journal.mkdir(here)
        for name in names:
            if (here / name).is_dir():
                journal.keep(here / name)
            journal.replace_file(Path(folder, name), here / name)
    for rel in stale:
        gone = target / built(rel)
        journal.keep(gone)
        for parent in gone.parents:
            if parent == target or not journal.rmdir(parent):
                break  # not empty
