from __future__ import annotations

import dataclasses
from pathlib import Path

from generator.project import editions
from generator.project import project as project_for
from generator.validate import load_dataset
from tests.helpers import COMMITMENTS, RESULTS, write_project


def everything(obj: object) -> str:
    """Every value reachable from a model object, as text."""
    if dataclasses.is_dataclass(obj):
        return " ".join(everything(getattr(obj, f.name)) for f in dataclasses.fields(obj))
    if isinstance(obj, dict) or hasattr(obj, "items"):
        return " ".join(f"{k} {everything(v)}" for k, v in obj.items())  # type: ignore[union-attr]
    if isinstance(obj, (list, tuple)):
        return " ".join(everything(x) for x in obj)
    return str(obj)


def test_public_projection_drops_everything_internal(project: Path) -> None:
    data, _ = load_dataset(project)
    projected = project_for(data, "public")
    public = everything(projected)
    for marker in ("Head of Support", "secret-queue", "Pilot team", "hidden-tooling",
                   "morning triage", "Real care", "2025-Q4", "The survey closes"):
        assert marker not in public, marker
    assert "weekend-email" in public and "North office" in public
    email = projected.commitment("email-reply")
    assert email is not None and email.locations == ("north", "south")
    q2 = projected.periods[0].measurements["email-reply"]
    assert set(q2.locations) == {"north"}  # south measured on 20 cases, below min_sample


def test_internal_projection_keeps_everything(project: Path) -> None:
    data, _ = load_dataset(project)
    assert project_for(data, "internal") is data


def test_editions_show_the_world_as_of_their_period(tmp_path: Path) -> None:
    root = write_project(tmp_path, COMMITMENTS, RESULTS)
    data, _ = load_dataset(root)
    public = editions(project_for(data, "public"), "public")
    assert [e.id for e in public] == ["2025-Q3", "2025-Q2"]
    q3, q2 = public
    assert q3.commitments[0].title == "We reply to every email within 8 hours"
    assert q3.commitments[0].metric.target == 8
    assert [i.id for i in q3.improvements] == ["status-page", "weekend-email"]
    assert [i.id for i in q2.improvements] == ["weekend-email"]
    internal = editions(data, "internal")
    assert internal[0].title == "2025-Q4 (draft)"
    assert internal[0].commitments[0].metric.target == 4
