"""One edition built by the engine (MkDocs or ProperDocs), in this process.

As mkdocs' own `commands/build.py` is driven by its CLI: a fresh config per build, loaded from
the user's mkdocs.yml with the settings Kept owns on top, the plugins' startup and shutdown
events fired around the build (guarded as mike's `mkdocs_utils.py` guards them). The engine
is imported inside the functions: a process chooses its engine before anything imports
`mkdocs` (see engine.use).
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.engine import NAMES
from generator.errors import KeptError
from generator.render import Rendered

# The loggers of the engine, Material and plugins: ProperDocs logs under its own name, and
# Material and plugins under "mkdocs.*" whichever engine runs them.
LOGGERS = ("mkdocs", "properdocs")


@dataclass(frozen=True)
class Settings:
    """What every edition's engine run of a build shares."""

    engine: str
    root: Path
    config_file: Path
    live_reload: bool = False
    shared: Path | None = None  # a folder for the files every edition has (see speedups)
    speedups: bool = True  # see engine.speedups_wanted


@dataclass(frozen=True)
class Job:
    """One edition's run: its audience and id, the settings Kept owns (docs_dir and site_dir
    among them: see config.overrides) and the time of its files."""

    audience: str
    edition: str
    overrides: dict[str, Any]
    epoch: int


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _logged(handler: logging.Handler, level: int | None) -> Iterator[None]:
    """The engine's log records go to handler alone (not to the root logger, nor stderr)."""
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.addHandler(handler)
        if level is not None:
            logger.setLevel(level)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, level_before, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level_before)
            logger.propagate = propagate


def leaves_out(settings: Settings) -> bool:
    """Whether pages whose HTML the previous build made can be left out of this one (see
    speedups.can_leave_out): otherwise every page is rendered and built."""
    if not settings.speedups:
        return False
    from generator.engine import speedups

    return speedups.can_leave_out()


def load(settings: Settings, job: Job) -> tuple[Any, bool]:
    """The edition's config, and whether search is the only other plugin.

    MkDocs takes settings apart as it validates them (extension options among them): every
    build gets its own copy. Other plugins may make a page depend on other pages, read pages'
    HTML at any time, or change what templates see page by page: then every page is built,
    its HTML always in place, and no part of Material's template is shared between pages.
    """
    from mkdocs.config import load_config

    from generator.engine import config as engine_config
    from generator.engine import plugin, speedups

    config = load_config(config_file=str(settings.config_file), **copy.deepcopy(job.overrides))
    only_search = set(config.plugins) <= {"search", "material/search"}
    engine_config.add_theme(config.theme)
    plugin.read_theme_safely(config.theme, settings.root)
    if settings.speedups:
        speedups.share_theme_work(config.theme, memoize=only_search)
    return config, only_search


def prepare(settings: Settings, job: Job) -> None:
    """What the run will do first, done ahead (speed-up head-start): the imports of loading a
    config, and the list of the theme's files (see speedups: listing). Any problem is left
    for the real run to report."""
    if not settings.speedups:
        return
    from mkdocs.structure.files import Files

    try:
        with _logged(logging.NullHandler(), None):
            config, _ = load(settings, job)
            Files([]).add_files_from_theme(config.theme.get_env(), config)
    except Exception:  # noqa: BLE001, S110 - only a head start: the real run reports problems
        pass


def build(settings: Settings, job: Job, rendered: Rendered, reuse: set[str],
          render_all: Callable[[], Rendered]) -> tuple[list[str], list[str]]:
    """Build the edition into its site_dir; return the warnings the engine logged and the
    pages of `reuse` it left out (for the caller to take from the previous build).
    render_all: every page of the edition, for when a plugin other than search may read any
    page but some were not rendered."""
    from mkdocs import plugins
    from mkdocs.commands.build import build as engine_build
    from mkdocs.exceptions import MkDocsException

    from generator.engine import plugin, speedups
    from generator.engine import store as theme_store

    collect = _Collect()
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(job.epoch)
    try:
        with _logged(collect, logging.WARNING):
            config, only_search = load(settings, job)
            if rendered.reused and not only_search:
                # Plugins that config.only_search did not foresee (they may read any page):
                # every page is rendered, and the engine builds every one.
                rendered = render_all()
            store = settings.shared / theme_store.FOLDER if settings.shared is not None else None
            config.plugins["kept"] = plugin.KeptPlugin(job.audience, settings.live_reload, rendered,
                                                       store)
            faster = None
            if settings.speedups:
                faster = speedups.Speedups(rendered.meta, reuse if only_search else (),
                                           hold=only_search, shared=settings.shared)
                config.plugins["kept-speedups"] = faster
            events = getattr(plugins, "EVENTS", ())
            if "startup" in events:
                config.plugins.on_startup(command="build", dirty=False)
            try:
                engine_build(config)
            finally:
                if "shutdown" in events:
                    config.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        detail = "; ".join(collect.messages) or str(exc)
        raise KeptError(f"{NAMES[settings.engine]} failed on the {job.audience} edition "
                        f"{job.edition}: {detail}") from None
    except KeptError:
        raise
    except Exception as exc:  # noqa: BLE001 - see _failure
        raise KeptError(_failure(settings, job, exc)) from None
    finally:
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    left_out = sorted(faster.left_out) if faster is not None else []
    return [f"{job.audience} {job.edition}: {m}" for m in collect.messages], left_out


def _failure(settings: Settings, job: Job, exc: Exception) -> str:
    """What to say when the engine, its theme or an extension failed with an exception of its
    own: a setting of mkdocs.yml of a kind they did not expect, that Kept does not check (a
    number where a list or a function goes), or a template or icon the theme does not have."""
    import jinja2

    if isinstance(exc, jinja2.TemplateNotFound):
        detail = f"the theme has no template or icon '{exc.name}'"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return (f"{NAMES[settings.engine]} failed on the {job.audience} edition {job.edition}: "
            f"{detail}; check the settings of mkdocs.yml (theme, extra, markdown_extensions, "
            "plugins)")
