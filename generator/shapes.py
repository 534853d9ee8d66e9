"""Kinds of value made of other kinds: mappings with known keys (Record), lists, mappings by
id, a number or its longer form, a value or null, and the free-form `internal:` mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.hints import describe, suggest
from generator.kinds import MAX_TEXT, Number, Sink, Slug, Text, Type
from generator.load import Map, Pos, Seq


def split_figure(mapping: Map, key: str) -> str | None:
    """Between braces a comma separates entries, so `{value: 88,5}` reads as value 88 and a
    key '5' with no value: the hint for such a key (what was meant), else None."""
    if not key.isdigit() or mapping[key] is not None:
        return None
    keys = list(mapping)
    before = keys[keys.index(key) - 1] if keys.index(key) else None
    figure = mapping[before] if before is not None else None
    if (before is None or isinstance(figure, bool) or not isinstance(figure, int)
            or mapping.val_pos[before][0] != mapping.key_pos[key][0]):
        return None
    return (f"between braces a comma separates entries: for the figure {figure},{key}, use a "
            f"decimal point: {figure}.{key}")


@dataclass(frozen=True)
class AnyMapping(Type):
    """The free-form `internal:` mapping: any content, shown on the internal site only."""
    kinds = (Map,)

    label = "mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Map):
            sink.error(pos, f"'{name}' must be a mapping (key: value lines), not {describe(value)}")
            return
        # A text directly under the mapping is shown as Markdown (deeper ones as YAML).
        for key, item in value.items():
            if isinstance(item, str):
                _INTERNAL_TEXT.check_size(item, value.val_pos[key], f"{name}.{key}", sink)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"maxLength": MAX_TEXT}}


_INTERNAL_TEXT = Text(markdown=True, max_length=MAX_TEXT)


@dataclass(frozen=True)
class Field:
    type: Type
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Record(Type):
    """A mapping with known keys."""
    kinds = (Map,)

    name: str = "record"
    fields: dict[str, Field] = field(default_factory=dict)
    doc: str = ""
    open: bool = False  # other keys are allowed, and not checked (MkDocs' and its plugins')

    label = "mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Map):
            sink.error(pos, f"'{name}' must be a mapping ({self.name}), not {describe(value)}")
            return
        for key in value:
            spec = self.fields.get(key)
            if spec is None and self.open:
                continue
            if spec is None:
                hint = split_figure(value, key) or suggest(key, list(self.fields))
                sink.error(value.key_pos[key], f"unknown key '{key}' in {self.name}",
                           hint or f"allowed keys: {', '.join(self.fields)}")
                continue
            spec.type.check(value[key], value.val_pos[key], key, sink)
        for key, spec in self.fields.items():
            if spec.required and key not in value:
                ident = value.get("id")
                who = f"{self.name} '{ident}'" if isinstance(ident, str) else self.name
                sink.error(value.pos, f"{who} is missing required key '{key}'", spec.doc or None)

    def resolved(self, value: Any, language: str, main: str) -> Any:
        if not isinstance(value, Map):
            return value
        items = {key: (spec.type.resolved(item, language, main) if (spec := self.fields.get(key))
                       else item) for key, item in value.items()}
        return _same_or_made(value, items)

    def json_schema(self) -> dict[str, Any]:
        props = {}
        for key, spec in self.fields.items():
            sub = dict(spec.type.json_schema())
            sub["description"] = spec.doc
            props[key] = sub
        schema: dict[str, Any] = {
            "type": "object",
            "properties": props,
            "additionalProperties": self.open,
        }
        required = [k for k, s in self.fields.items() if s.required]
        if required:
            schema["required"] = required
        if self.doc:
            schema["description"] = self.doc
        return schema


@dataclass(frozen=True)
class ListOf(Type):
    kinds = (Seq,)
    item: Type = field(default_factory=Text)

    label = "list"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Seq):
            sink.error(pos, f"'{name}' must be a list (lines starting with '- '), "
                            f"not {describe(value)}")
            return
        for item, item_pos in zip(value, value.item_pos, strict=True):
            self.item.check(item, item_pos, name, sink)

    def resolved(self, value: Any, language: str, main: str) -> Any:
        if not isinstance(value, Seq):
            return value
        items = [self.item.resolved(item, language, main) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value  # no text in it changed: the same data, its marks not decoded
        made = Seq(value.pos)
        made.extend(items)
        made.item_pos.extend(value.item_pos)
        return made

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.json_schema()}


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping from ids (checked as slugs) to values of one type."""
    kinds = (Map,)

    value: Type = field(default_factory=Text)
    key_label: str = "id"

    label = "mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if not isinstance(value, Map):
            sink.error(pos, f"'{name}' must be a mapping of {self.key_label} to values, "
                            f"not {describe(value)}")
            return
        for key, item in value.items():
            if (split := split_figure(value, key)) is not None:
                sink.error(value.key_pos[key], f"'{key}' stands where a {self.key_label} is "
                                               "expected", split)
                continue
            Slug().check(key, value.key_pos[key], f"{name} {self.key_label}", sink)
            self.value.check(item, value.val_pos[key], f"{name}.{key}", sink)

    def resolved(self, value: Any, language: str, main: str) -> Any:
        if not isinstance(value, Map):
            return value
        return _same_or_made(value, {key: self.value.resolved(item, language, main)
                                     for key, item in value.items()})

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": Slug().json_schema(),
            "additionalProperties": self.value.json_schema(),
        }


@dataclass(frozen=True)
class NumberOr(Type):
    """A plain number, or a record for the longer form ({value, sample})."""

    number: Number = field(default_factory=Number)
    record: Record = field(default_factory=Record)

    label = "number or mapping"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if isinstance(value, Map):
            self.record.check(value, pos, name, sink)
        else:
            self.number.check(value, pos, name, sink)

    def resolved(self, value: Any, language: str, main: str) -> Any:
        return self.record.resolved(value, language, main) if isinstance(value, Map) else value

    def json_schema(self) -> dict[str, Any]:
        return {"oneOf": [self.number.json_schema(), self.record.json_schema()]}


@dataclass(frozen=True)
class OrNull(Type):
    """A value of another kind, or null, which means something of its own (no guarantee)."""

    inner: Type = field(default_factory=Type)

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"{self.inner.label} or null"

    def check(self, value: Any, pos: Pos, name: str, sink: Sink) -> None:
        if value is not None:
            self.inner.check(value, pos, name, sink)

    def resolved(self, value: Any, language: str, main: str) -> Any:
        return None if value is None else self.inner.resolved(value, language, main)

    def json_schema(self) -> dict[str, Any]:
        return {"oneOf": [self.inner.json_schema(), {"type": "null"}]}


def _same_or_made(value: Map, items: dict[str, Any]) -> Map:
    """A mapping with its items resolved (see Type.resolved): the same mapping when none
    changed (a site in one language: its marks, which a long history's cache decodes only
    when asked, are not asked for), else a new one at the same places."""
    if all(items[key] is item for key, item in value.items()):
        return value
    made = Map(value.pos)
    for key, item in items.items():
        made[key] = item
        made.key_pos[key], made.val_pos[key] = value.key_pos[key], value.val_pos[key]
    return made
