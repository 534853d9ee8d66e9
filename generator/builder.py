"""The planned editions built: each rendered to Markdown (in memory) and built by the engine,
in worker processes that get the plan from their initializer, into its folder of the staging
area; files whose content did not change are linked from the previous output instead.

Workers are forked when this process can hand them the engine (they read the plan from the
memory they share with it); otherwise (ProperDocs after MkDocs ran here: one process holds
one engine) they are started afresh and the plan is sent to them.
"""

from __future__ import annotations

import contextvars
import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from types import MappingProxyType
from typing import Any

from generator import ASSETS, catalogs, engine, files, i18n, latest, output
from generator.engine import run as engine_run
from generator.plan import FilePlan, Plan, Task, dest, file_plan, latest_folder
from generator.render import Rendered, merge, pages, render_edition, render_latest

# What building an edition gives back: the engine's warnings and, for each generated file,
# the digest of its inputs and (pages) of what its HTML is made from.
Outcome = tuple[list[str], dict[str, tuple[str, str]]]


def stage(root: Path, docs: Path, site_files: Iterable[tuple[str, str]]) -> None:
    """Write an audience's docs_dir: the files of site_src/ and Kept's stylesheet and script.
    Generated pages are not written: the Kept plugin gives them to the engine from memory. The files
    are copies, made as every user file is read (files.copy_file): the engine follows links."""
    docs.mkdir(parents=True, exist_ok=True)
    for source, rel in site_files:
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        files.copy_file(root, source, target)
    (docs / "kept").mkdir(parents=True, exist_ok=True)
    for asset in ("kept.css", "kept.js"):
        shutil.copyfile(ASSETS / asset, docs / "kept" / asset)


def run(plan: Plan, tasks: list[Task], jobs: int) -> list[Outcome]:
    """Build the tasks' editions, in this process or in up to `jobs` workers."""
    if (jobs <= 1 or len(tasks) <= 1) and engine.runs_here(plan.settings.engine):
        return [build_edition(plan, task) for task in tasks]
    if not tasks:
        return []
    with _workers(plan, min(max(jobs, 1), len(tasks)), plan.settings.engine) as pool:
        return list(pool.map(_worker_build, tasks))


def build_edition(plan: Plan, task: Task) -> Outcome:
    """Render and build one edition in this process, in its site's language (see i18n.use:
    Kept's words on its pages, in the engine's plugin and in its feeds and open data).

    A file whose inputs did not change since the previous build of this edition (the file
    plan's skip: see render.Needs) is not rendered again; nor is the HTML of a page whose
    Markdown, metadata and blocks, and the edition's chrome, are what they were. Both are
    taken from the previous output: linked rather than copied, or left where they are when
    the edition is updated in place. With task.latest_apart, latest/'s own files are made by
    a helper meanwhile (see plan.tasks).
    """
    with i18n.use(_language(plan, task.key)):
        return _with_latest(plan, task)


def _language(plan: Plan, key: str) -> i18n.Language:
    return catalogs.language(plan.settings.root, plan.editions[key].edition.language)


def _with_latest(plan: Plan, task: Task) -> Outcome:
    shared = plan.settings.shared
    if not plan.makes_latest(task.key) or shared is None:
        return _build_edition(plan, task)
    folder = latest_folder(shared, plan.editions[task.key].edition.site)
    if not task.latest_apart:
        outcome = _build_edition(plan, task)
        write_latest(plan, task.key, folder)
        return outcome
    context = multiprocessing.get_context("fork")  # a helper renders only: any engine will do
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_helper,
                             initargs=(plan, os.getpid())) as pool:
        apart = pool.submit(_write_latest, task.key, folder)
        outcome = _build_edition(plan, task)
        apart.result()
    return outcome


def write_latest(plan: Plan, key: str, folder: Path) -> None:
    """latest/'s own files written into folder, with what did not change taken from the
    previous build's (see latest.Reuse), and the index of where each part is."""
    planned = plan.editions[key]
    site = planned.edition.site
    before, index = plan.latest_before.get(site, (None, {}))
    reuse = latest.Reuse(plan.digests, site, planned.edition, before, index)
    texts = render_latest(planned.edition, reuse)
    _write(folder, texts)
    (folder / latest.MADE).write_text(json.dumps(reuse.made(texts)), encoding="utf-8")


def _write_latest(key: str, folder: Path) -> None:
    """write_latest in a helper (see plan.tasks), in the edition's language."""
    plan = _WORKER.get().plan
    with i18n.use(_language(plan, key)):
        write_latest(plan, key, folder)


def _build_edition(plan: Plan, task: Task) -> Outcome:
    """build_edition without latest/'s own files (see write_latest)."""
    planned = plan.editions[task.key]
    leaves_out = engine_run.leaves_out(plan.settings)
    planned_files = task.files or file_plan(plan, task.key, leaves_out)
    if not leaves_out:
        planned_files = FilePlan(planned_files.keys)
    rendered = _render(plan, task, planned_files)
    keys = planned_files.keys
    before = planned.previous_files
    previous = planned.previous
    records: dict[str, tuple[str, str]] = {}
    reuse = set(rendered.reused)
    for path in rendered.files:
        if path in rendered.reused:
            records[path] = before[path]
            continue
        digest = _page_digest(planned.chrome, path, rendered)
        records[path] = (keys[path], digest)
        if (leaves_out and previous is not None and before.get(path, ("", ""))[1] == digest
                and (previous / dest(path)).is_file()):
            reuse.add(path)
    site = Path(planned.job.overrides["site_dir"])
    warnings, reused = engine_run.build(
        plan.settings, planned.job, rendered, reuse,
        render_all=lambda: render_edition(planned.edition, plan.templates))
    if previous is not None and not planned.in_place:
        for path in reused:
            output.link(previous / dest(path), site / dest(path))
    # Feeds, badges and open data are not pages: written straight into the built edition
    # rather than copied there by the engine (or linked, or left out, when unchanged).
    shared = plan.settings.shared
    _write(site, rendered.assets, previous, shared, planned.in_place)
    records.update((rel, (keys[rel], "")) for rel in rendered.assets)
    for rel in planned_files.skip:
        if rel not in rendered.files:
            assert previous is not None
            if not planned.in_place:
                output.link(previous / rel, site / rel)
            records[rel] = before[rel]
    return warnings, records


def _page_digest(chrome: str, path: str, rendered: Rendered) -> str:
    """Digest of what a generated page's HTML is made from, besides the chrome."""
    digest = hashlib.sha256(f"{chrome}\0{path}\0{rendered.meta[path]!r}\0".encode())
    digest.update(rendered.files[path].encode())
    for block in rendered.blocks.get(path, []):
        digest.update(b"\0" + block.encode())
    return digest.hexdigest()[:32]


def _render(plan: Plan, task: Task, planned_files: FilePlan) -> Rendered:
    """The edition's files but those skipped; with task.shares > 1, rendered by that many
    processes at once (when there are fewer editions to build than processes, as after a
    change to settings or templates)."""
    planned = plan.editions[task.key]
    if task.shares <= 1:
        return render_edition(planned.edition, plan.templates, skip=planned_files.skip)
    context = multiprocessing.get_context("fork")  # helpers render only: any engine will do
    with ProcessPoolExecutor(max_workers=task.shares - 1, mp_context=context,
                             initializer=_start_helper, initargs=(plan, os.getpid())) as pool:
        others = [pool.submit(_render_share, task.key, (i, task.shares), planned_files.skip)
                  for i in range(1, task.shares)]
        # While the others render (their share has the feeds and badges).
        engine_run.prepare(plan.settings, planned.job)
        parts = [render_edition(planned.edition, plan.templates, (0, task.shares),
                                planned_files.skip)]
        parts += [future.result() for future in others]
    return merge(parts, [page.path for page in pages(planned.edition)])


def _write(folder: Path, written: Mapping[str, str], previous: Path | None = None,
           shared: Path | None = None, in_place: bool = False) -> None:
    """Write the files; one whose bytes are those of the same file in previous is linked
    (left out, when the edition is updated in place), and so is a badge whose bytes another
    edition of this build wrote (shared: the build's folder for what editions have in
    common). A badge shows a commitment's status in the period: the same in both sites.
    Linking costs a small part of creating a file."""
    for rel, text in written.items():
        target = folder / rel
        data = text.encode("utf-8")
        if previous is not None:
            try:
                if (previous / rel).read_bytes() == data:
                    if not in_place:
                        output.link(previous / rel, target)
                    continue
            except OSError:
                pass
        target.parent.mkdir(parents=True, exist_ok=True)
        if shared is None or not rel.startswith("badges/"):
            target.write_bytes(data)
            continue
        stored = shared / "files" / hashlib.sha256(data).hexdigest()
        try:
            os.link(stored, target)
            continue
        except OSError:
            pass
        target.write_bytes(data)
        try:
            stored.parent.mkdir(parents=True, exist_ok=True)
            os.link(target, stored)
        except OSError:
            pass  # another process stored the same bytes first, or no links here


@dataclass
class _Worker:
    """What a worker process holds: the plan, and how many editions it built."""

    plan: Plan
    built: int = 0


_WORKER: contextvars.ContextVar[_Worker] = contextvars.ContextVar("kept_worker")


def _mapping(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _send_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    """A read-only mapping (the model holds them) sent to a process that was not forked."""
    return (_mapping, (dict(mapping),))


def _workers(plan: Plan, processes: int, engine_name: str) -> ProcessPoolExecutor:
    context: Any = multiprocessing.get_context("fork")  # the workers share the plan's memory
    if not engine.forks_for(engine_name):
        context = multiprocessing.get_context("spawn")
        ForkingPickler.register(MappingProxyType, _send_mapping)
    return ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_start,
                               initargs=(plan, engine_name, os.getpid()))


def _start(plan: Plan, engine_name: str, parent: int) -> None:
    """Worker initializer: the engine chosen before anything imports it, the plan held."""
    engine.use(engine_name)
    _start_helper(plan, parent)


def _start_helper(plan: Plan, parent: int) -> None:
    gc.freeze()  # the plan lives as long as the process: collections need not go through it
    _WORKER.set(_Worker(plan))
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End when the process that started this worker is gone (killed, say), instead of
    waiting for work forever, holding the build's staging folder."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kept-orphan-watch", daemon=True).start()


def _worker_build(task: Task) -> Outcome:
    """build_edition in a worker process. After its first edition, what the worker keeps
    (compiled templates, converted Markdown, memos) is left out of later collections, as
    the plan is: full collections went through it after every few editions, the more so
    the larger the organisation (figures in docs/performance.md)."""
    worker = _WORKER.get()
    result = build_edition(worker.plan, task)
    worker.built += 1
    if worker.built == 1:
        gc.collect()
        gc.freeze()
    return result


def _render_share(key: str, part: tuple[int, int], skip: frozenset[str]) -> Rendered:
    plan = _WORKER.get().plan
    with i18n.use(_language(plan, key)):
        return render_edition(plan.editions[key].edition, plan.templates, part, skip)

