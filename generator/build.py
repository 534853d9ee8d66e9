"""Build every edition of each audience's site, then put the output in place.

One function reads as the build's steps, as mkdocs' `commands/build.py::build` does:

    gather   the data (validated), mkdocs.yml, and what the previous build left in the output
    plan     which editions to build and what of them to take from the previous output (plan)
    run      each edition rendered to Markdown and built by the engine, in workers (builder)
    install  the new editions, latest/, versions.json and the manifests renamed into place,
             each change journaled (install)

Nothing in the output changes before every edition has built: a failure at any point leaves
the previous output exactly as it was. Everything that knows MkDocs, ProperDocs or Material
is in generator.engine.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator import builder, catalogs, install, manifest, output
from generator import plan as planning
from generator.engine import DEFAULT, ENGINES, speedups_wanted
from generator.engine.config import user_config
from generator.engine.run import Settings
from generator.errors import KeptError, UsageError
from generator.latest import gather
from generator.manifest import BuildResult
from generator.parsecache import ParseCache
from generator.plan import split_key
from generator.project import AUDIENCES
from generator.validate import load_languages

STAGE_PREFIX = "kept-stage-"


def build_site(root: Path, out: Path | None = None, audiences: Iterable[str] = AUDIENCES,
               jobs: int | None = None, newest_only: bool = False,
               live_reload: bool = False, inputs: manifest.Inputs | None = None,
               python_tags: bool = False, engine: str = DEFAULT) -> BuildResult:
    """Validate the data and mkdocs.yml at root (python_tags: accepting every Python tag in
    it, see validate.check) and build every edition of each audience's site into out, with
    the engine (mkdocs or properdocs).

    An edition whose inputs (its projected data, the generator, site_src/, mkdocs.yml, the
    engine) have the same digest as when the previous output was built is reused from that
    output. newest_only and live_reload serve `kept serve`: one edition, pages that reload
    themselves. inputs, when the caller has digested them already (manifest.inputs with
    these options).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    if importlib.util.find_spec(engine) is None:
        raise KeptError(f"{engine} is not installed: install it (pip install {engine}), or "
                        f"build with another --engine")
    root = root.resolve()
    audiences = tuple(audiences)
    out = (out if out is not None else root / "site").resolve()
    if out == root or out in root.parents:
        raise KeptError(f"refusing to build into {out}: it holds the data; choose another --out")
    inputs = inputs or manifest.inputs(root, audiences, newest_only, live_reload, python_tags,
                                       engine)
    done = manifest.unchanged(out, audiences, inputs.digest)
    if done is not None:
        return done
    with _Collections() as collections:
        return _build(root, out, audiences, jobs, newest_only, live_reload, inputs, collections,
                      python_tags, engine)


class _Collections:
    """Garbage collection during a build. Loading the data and planning the editions make
    hundreds of thousands of objects that live as long as the build, and little garbage:
    collections went through them again and again (figures in docs/performance.md).
    Collections wait until the plans are made, and leave the plans out (gc.freeze), in this
    process and in the workers, which inherit them: Python's documentation advises freezing
    before fork() for another reason too, as collections would write to every inherited
    object and copy the memory the processes share."""

    def __enter__(self) -> _Collections:
        self.enabled = gc.isenabled()
        gc.disable()
        return self

    def planned(self) -> None:
        gc.freeze()
        if self.enabled:
            gc.enable()

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()  # this process may go on (kept serve)
        if self.enabled:
            gc.enable()


def _build(root: Path, out: Path, audiences: tuple[str, ...], jobs: int | None,
           newest_only: bool, live_reload: bool, inputs: manifest.Inputs,
           collections: _Collections, python_tags: bool, engine: str) -> BuildResult:
    # Gather: the data and mkdocs.yml, checked, and what the previous build left.
    owned = output.owned(out)
    parsed = ParseCache.read(out / install.PARSED)
    datasets, warnings = load_languages(root, cache=parsed, site_config=True,
                                        python_tags=python_tags)
    user = user_config(root, engine)
    previous = planning.Previous.read(out)
    result = BuildResult(out, warnings=list(warnings))
    shm = _shared_memory()
    out.parent.mkdir(parents=True, exist_ok=True)
    output.remove_stale(out.parent, _staging_prefix(out))
    if shm is not None:
        output.remove_stale(shm, STAGE_PREFIX)
    with contextlib.ExitStack() as staging:
        tmp = staging.enter_context(output.claimed(
            out.parent / output.staging_name(_staging_prefix(out))))
        if shm is not None:
            stage = staging.enter_context(output.claimed(shm / output.staging_name(STAGE_PREFIX)))
        else:
            stage = tmp / ".stage"
            stage.mkdir()
        config_file = root / "mkdocs.yml"
        if not config_file.is_file():
            config_file = stage / "mkdocs.yml"
            config_file.write_text("site_name: Kept\ntheme:\n  name: material\n", encoding="utf-8")
        settings = Settings(engine, root, config_file, live_reload, tmp / ".shared", speedups_wanted())

        # Plan: every edition, and of them those whose inputs changed.
        plan = planning.plan(datasets, user, settings, audiences, out, previous, stage, tmp,
                             inputs, newest_only)
        sites = list(plan.planned)  # each audience's, in each language
        install.check_owned(out, owned, sites, plan.planned)
        for audience in audiences:
            builder.stage(root, stage / audience, plan.site_files[audience])
        collections.planned()

        # Run: render and build each edition to build, in this process or in workers.
        jobs = jobs or os.cpu_count() or 1
        tasks = planning.tasks(plan, jobs)
        known_pages = dict(plan.known_pages)
        updates: dict[tuple[str, str], list[str]] = {}
        for task, (logged, records) in zip(tasks, builder.run(plan, tasks, jobs), strict=True):
            result.mkdocs_warnings += logged
            planned = plan.editions[task.key]
            if planned.in_place:
                updates[split_key(task.key)] = [path for path in planned.previous_files
                                            if path not in records]
            known_pages[task.key] = manifest.encode_edition((planned.chrome, records))

        # Install: every edition has built; from here on, only renames change the output.
        result.editions = {site: [e.id for e in plan.planned[site]] for site in sites}
        result.reused = list(plan.reused)
        cache = dict(plan.cache)
        stale_latest = set()
        for site in sites:
            if plan.planned[site]:
                newest, latest = plan.planned[site][0].key, f"{site}/latest"
                cache[latest] = cache[newest]
                # latest/ links to the pages of older editions (see install.latest_files):
                # any edition built may have changed one.
                if previous.digests.get(latest) != cache[latest] or any(
                        split_key(key)[0] == site for key in plan.editions):
                    stale_latest.add(site)
        named = {site: (str(user.get("site_name") or datasets[language].organization.name),
                        catalogs.language(root, language))
                 for site, language in _languages(plan, datasets).items()}
        made = settings.shared / "latest" if settings.shared is not None else None
        install.prepare(tmp, named, plan.planned, owned, parsed, known_pages, inputs.digest,
                        cache, result, gather(made, sites, previous.latest, plan.planned))
        journal = output.Journal(tmp / "trash")
        try:
            install.install(tmp, out, sites, plan.planned, {split_key(k) for k in plan.editions},
                            stale_latest, updates, owned, journal, settings.shared)
        except BaseException as exc:
            if journal.rollback():
                raise KeptError(f"the build failed while putting its output in place ({exc}), "
                                f"and some changes could not be undone: {out} may be "
                                "incomplete; build again") from exc
            raise
    return result


def _languages(plan: planning.Plan, datasets: Mapping[str, Any]) -> dict[str, str]:
    """The language of each site of the plan."""
    main = next(iter(datasets))
    return {site: site.rpartition("/")[2] if "/" in site else main for site in plan.planned}


def _shared_memory() -> Path | None:
    """Where each audience's docs_dir (site_src/ files, Kept's stylesheet) is written for
    the engine to read: memory when the machine offers it (it is thrown away after the
    build), else (None) beside the output."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def _staging_prefix(out: Path) -> str:
    return f".{out.name}.kept-"
