"""A file whose inputs keep their digest keeps its content: what render.Needs declares a page
shows of the measurements must cover all it shows, or an incremental build would keep a stale
page. Every kind of measurement edit is tried, in the newest, a middle and the oldest period."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from generator.model import Dataset, LocationFigure, Measurement
from generator.plan import Digests
from generator.project import AUDIENCES, editions, project
from generator.render import outputs, render_edition
from generator.synthetic import Size, generate
from generator.validate import load_dataset

Edit = Callable[[Measurement], Measurement | None]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    # Enough commitments that one edit concerns a small share of the files.
    root = generate(tmp_path_factory.mktemp("needs") / "data", Size(16, 3, 4, 2))
    data, _ = load_dataset(root)
    return data


def generated(data: Dataset, templates: Path | None = None) -> dict[tuple[str, ...], tuple[str, Any]]:
    """Every file of every edition, with the digest of its inputs and its content."""
    digests = Digests("common")
    found = {}
    for audience in AUDIENCES:
        for edition in editions(project(data, audience), audience):
            frame, whole = digests.edition(edition, "chrome")
            keys = digests.files(edition, frame, whole, outputs(edition, templates))
            rendered = render_edition(edition, templates)
            content: dict[str, Any] = {
                path: (body, rendered.meta[path], rendered.blocks.get(path))
                for path, body in rendered.files.items()}
            content.update(rendered.assets)
            assert set(keys) == set(content)
            for path, key in keys.items():
                found[(audience, edition.id, path)] = (key, content[path])
    return found


def edited(data: Dataset, period_index: int, cid: str, edit: Edit) -> Dataset:
    periods = list(data.periods)
    period = periods[period_index]
    measurements = dict(period.measurements)
    changed = edit(measurements[cid])
    if changed is None:
        del measurements[cid]
    else:
        measurements[cid] = changed
    periods[period_index] = dataclasses.replace(period, measurements=MappingProxyType(measurements))
    return dataclasses.replace(data, periods=tuple(periods))


def _first_location(m: Measurement) -> Measurement:
    lid, figure = next(iter(m.locations.items()))
    assert figure.value is not None
    locations = {**m.locations, lid: LocationFigure(figure.value + 7, figure.sample)}
    return dataclasses.replace(m, locations=MappingProxyType(locations))


EDITS: dict[str, Edit] = {
    "value": lambda m: dataclasses.replace(m, value=(m.value or 0) + 1000),
    "sample": lambda m: dataclasses.replace(m, sample=(m.sample or 0) + 1),
    "location figure": _first_location,
    "explanation": lambda m: dataclasses.replace(m, explanation="Another explanation."),
    "internal note": lambda m: dataclasses.replace(m, internal=MappingProxyType({"note": "New."})),
    "removed": lambda m: None,
}


@pytest.mark.parametrize("name", EDITS)
def test_a_file_whose_inputs_kept_their_digest_kept_its_content(dataset: Dataset,
                                                               name: str) -> None:
    before = generated(dataset)
    newest = len(dataset.periods) - 1
    for period_index in (newest, newest // 2, 0):
        period = dataset.periods[period_index]
        # A commitment an improvement links to, so that improvement pages are tried too.
        linked = [cid for i in period.improvements for cid in i.commitments]
        cid = next(c for c in linked if c in period.measurements)
        after = generated(edited(dataset, period_index, cid, EDITS[name]))
        assert set(after) == set(before)
        changed = {where for where in before if before[where][1] != after[where][1]}
        assert changed, "the edit changed nothing: it tests nothing"
        for where in changed:
            assert before[where][0] != after[where][0], f"{where} changed, its digest did not"
        # And the digests single out the files the edit concerns: not every page of the
        # editions that show the period.
        rekeyed = {where for where in before if before[where][0] != after[where][0]}
        showing = {where for where in before if where[1] >= period.id}
        assert len(rekeyed) < len(showing) / 2


def test_an_overridden_template_makes_its_pages_depend_on_everything(
        dataset: Dataset, tmp_path: Path) -> None:
    (tmp_path / "commitment.md.j2").write_text(
        '{% extends "default:commitment.md.j2" %}\n')
    edition = editions(project(dataset, "public"), "public")[0]
    needs = outputs(edition, tmp_path)
    assert all(needs[f"commitments/{c.id}.md"] is None for c in edition.commitments)
    assert needs[f"badges/{edition.commitments[0].id}.svg"] is not None  # not a template
    (tmp_path / "macros.md.j2").write_text("")
    assert all(need is None for path, need in outputs(edition, tmp_path).items()
               if path.endswith(".md"))


def test_a_figure_is_digested_by_every_field() -> None:
    """The build digests every figure by its repr, which LocationFigure writes itself (for
    speed): a field it left out would be a change no digest sees."""
    import dataclasses

    figure = LocationFigure(91.5, 1200)
    fields = ", ".join(f"{f.name}={getattr(figure, f.name)!r}" for f in dataclasses.fields(figure))
    assert repr(figure) == f"LocationFigure({fields})" == "LocationFigure(value=91.5, sample=1200)"
