"""The format reference, the JSON Schemas and the validator's declarations stay in step."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator import kinds, schema, shapes
from generator.jsonschema import SCHEMAS, document, write_schemas

REPO = Path(__file__).resolve().parent.parent
FORMAT = (REPO / "docs" / "format.md").read_text(encoding="utf-8")


def records(kind: kinds.Type) -> list[shapes.Record]:
    found: list[shapes.Record] = []
    if isinstance(kind, shapes.Record):
        found.append(kind)
        for spec in kind.fields.values():
            found += records(spec.type)
    elif isinstance(kind, shapes.ListOf):
        found += records(kind.item)
    elif isinstance(kind, shapes.MapOf):
        found += records(kind.value)
    elif isinstance(kind, shapes.NumberOr):
        found += records(kind.record)
    elif isinstance(kind, shapes.OrNull):
        found += records(kind.inner)
    return found


ALL = records(schema.COMMITMENTS_FILE) + records(schema.RESULTS_FILE)


def test_every_field_is_in_the_format_reference() -> None:
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", FORMAT, re.M))
    missing = {f"{r.name}.{key}" for r in ALL for key in r.fields if key not in rows}
    assert not missing


def properties(node: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(node, dict):
        names |= set(node.get("properties", {}))
        for value in node.values():
            names |= properties(value)
    elif isinstance(node, list):
        for value in node:
            names |= properties(value)
    return names


def test_every_field_is_in_the_json_schemas() -> None:
    declared = {key for r in ALL for key in r.fields}
    in_schemas = properties([document(name) for name in SCHEMAS])
    assert declared == in_schemas


def test_every_schema_property_is_described() -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                assert value.get("description"), key
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in SCHEMAS:
        walk(document(name))


def test_write_schemas(tmp_path: Path) -> None:
    paths = write_schemas(tmp_path)
    assert [p.name for p in paths] == ["commitments.schema.json", "results.schema.json"]
    data = json.loads(paths[0].read_text())
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["properties"]["commitments"]["items"]["properties"]["metric"]["properties"][
        "direction"]["enum"] == ["lower", "higher"]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schemas_are_current(name: str) -> None:
    """The schemas editors use (via the yaml-language-server line) match the validator."""
    assert json.loads((REPO / name).read_text(encoding="utf-8")) == document(name)
    first = (REPO / "commitments.yml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=commitments.schema.json"


def test_every_command_is_in_the_readme() -> None:
    import argparse

    from generator.cli import parser

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    listed = set(re.findall(r"^\| `kept ([a-z-]+)", readme, re.M))
    assert listed == set(commands.choices)


# Each slip of the editor's guide's troubleshooting section, made in the starter repository.
SLIPS = [
    ("results/2026-Q3.yml", "    sample: 4480\n", "\tsample: 4480\n"),
    ("commitments.yml", "    title: We reply to your email within one working day\n",
     '    title: "We reply to your email within one working day\n'),
    ("commitments.yml", "      target: 8\n", "      target:8\n"),
    ("results/2026-Q3.yml", "    value: 5.8\n", "    value: 5,8\n"),
    ("results/2026-Q3.yml", "  satisfaction:\n", "  satisfation:\n"),
]


def test_the_troubleshooting_section_quotes_kept_exactly(tmp_path: Path) -> None:
    from generator.init import init
    from generator.validate import check

    guide = (REPO / "docs" / "editing.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Troubleshooting: the five commonest errors"):]
    documented = re.findall(r"^   (\S+:\d+:\d+: error: .*)$", section, re.M)
    said = []
    for index, (rel, old, new) in enumerate(SLIPS):
        root = tmp_path / str(index)
        init(root, "Brightwater Support", "owner/kept@v1")
        text = (root / rel).read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        (root / rel).write_text(text.replace(old, new), encoding="utf-8")
        said += [p.format() for p in check(root).problems if p.severity == "error"]
    assert documented == said
