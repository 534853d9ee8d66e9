"""JSON Schema 2020-12 documents for the data files, from the declarations in `schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator import schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS = {
    "commitments.schema.json": schema.COMMITMENTS_FILE,
    "results.schema.json": schema.RESULTS_FILE,
}


def document(name: str) -> dict[str, Any]:
    record = SCHEMAS[name]
    body = record.json_schema()
    return {"$schema": DIALECT, "$id": name, "title": record.doc or record.name, **body}


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = folder / name
        text = json.dumps(document(name), indent=2, ensure_ascii=False) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
