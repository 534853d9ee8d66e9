"""JSON Schema 2020-12 documents for the data files, from the declarations in `schema`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from generator import files, schema

MAX_SCHEMA_BYTES = 1 << 20  # a schema file bigger than this is not ours: written anew
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
    """Write the schemas into folder, leaving alone those that are already as they should be.

    A schema file that is a link (out of the repository, say) is replaced by the file, never
    written through; one that is not a regular file is not read."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = folder / name
        data = (json.dumps(document(name), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        if path.is_symlink() or _current(folder, name) != data:
            partial = folder / f".{name}.kept-{os.getpid()}"
            try:
                partial.write_bytes(data)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
        written.append(path)
    return written


def _current(folder: Path, name: str) -> bytes | None:
    try:
        return files.read_bytes(folder, name, MAX_SCHEMA_BYTES)
    except files.Refused:
        return None
