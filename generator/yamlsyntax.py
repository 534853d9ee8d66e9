"""YAML syntax errors in plain words, at the place a person would fix.

The parser says where it gave up, in its own terms ("while scanning for the next token found
character that cannot start any token"), and often past the slip: an unclosed quote is found
at the end of the file, a missing space after a colon at the next line. This reads the text
around the parser's marks, names the usual slips (a tab, a quote, a colon, a bracket, an
indentation) and points at them; any other error keeps the parser's words. libyaml's and
PyYAML's parsers word their errors differently (mkdocs.yml is read by PyYAML's): both are read.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from generator.errors import Problem

Pos = tuple[int, int]  # 1-based line and column

_HINT = "check indentation and quoting"
# A line that starts a key: its indentation, an optional list dash, a plain key and its colon.
_KEY_LINE = re.compile(r"^[ ]*(?:-[ ]+)?[^\s#'\"\[\]{},:-][^#:]*:(?:[ \t]|$)")
# A key written without a space after its colon: `target:4`.
_TIGHT_KEY = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>[A-Za-z_][A-Za-z0-9_-]*):(?P<rest>[^\s:/].*)$")


def _mark(mark: Any) -> Pos | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


class _Text:
    """The file's lines, for reading around a mark."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def char(self, pos: Pos) -> str:
        line = self.line(pos[0])
        return line[pos[1] - 1] if 0 < pos[1] <= len(line) else ""

    def within(self, pos: Pos) -> Pos:
        """pos, or the end of the last line when it lies past the end of the file."""
        last = len(self.lines)
        while last > 1 and not self.lines[last - 1].strip():
            last -= 1
        if pos[0] > last:
            return (last, len(self.lines[last - 1]) + 1)
        return pos

    def indent(self, number: int) -> int:
        line = self.line(number)
        return len(line) - len(line.lstrip(" "))

    def previous_content(self, number: int) -> int | None:
        """The nearest line before line number that holds more than a comment."""
        for above in range(number - 1, 0, -1):
            stripped = self.line(above).strip()
            if stripped and not stripped.startswith("#"):
                return above
        return None


def syntax_problem(text: str, path: str, exc: yaml.MarkedYAMLError, loader: Any) -> Problem:
    """The problem a YAML parser's error stands for, in plain words where the slip is known."""
    lines = _Text(text)
    problem, context = str(exc.problem or ""), str(exc.context or "")
    at, opened = _mark(exc.problem_mark), _mark(exc.context_mark)
    found = (_tab(lines, at, opened) or _quote(lines, problem, context, at, opened)
             or _far_quote(text, lines, at, loader) or _colon(lines, problem, at)
             or _flow(problem, context, at, opened) or _block(lines, problem, context, at, opened)
             or _token(lines, problem, context, at, opened))
    if found is not None:
        pos, message, hint = found
        return Problem(path, *lines.within(pos), message, hint)
    pos = lines.within(at or opened or (1, 1))
    detail = " ".join(part for part in (context, problem) if part)
    return Problem(path, *pos, f"YAML syntax error: {detail}", _HINT)


_Found = tuple[Pos, str, str]


def _tab(lines: _Text, at: Pos | None, opened: Pos | None) -> _Found | None:
    """A tab where YAML wants spaces: in the indentation of a line, or between tokens."""
    for pos in (at, opened):
        if pos is None:
            continue
        line = lines.line(pos[0])
        before = line[: pos[1] - 1]
        if lines.char(pos) == "\t" or ("\t" in before and not before.strip(" \t")):
            lead = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in lead and (lines.char(pos) != "\t" or pos[1] <= len(lead)):
                return ((pos[0], lead.index("\t") + 1),
                        "YAML does not allow tabs for indentation", "indent with spaces")
            return pos, "YAML does not allow a tab here", "write spaces instead"
    return None


def _quote(lines: _Text, problem: str, context: str, at: Pos | None,
           opened: Pos | None) -> _Found | None:
    """A quoted text that never ends, or holds an escape that YAML does not know."""
    if "quoted scalar" not in context or opened is None:
        return None
    quote = lines.char(opened) or '"'
    if "end of stream" in problem:
        return (opened, "a quote opened here is never closed",
                f"end the text with {quote}" + (
                    "; inside single quotes an apostrophe is written twice ('')"
                    if quote == "'" else "; inside double quotes a quote is written \\\""))
    if "escape character" in problem and at is not None:
        line = lines.line(at[0])
        start = line.rfind("\\", 0, at[1])
        escape = line[start:start + 2] if start >= 0 else "\\"
        return ((at[0], start + 1 if start >= 0 else at[1]),
                f"'{escape}' is not an escape that YAML knows, in double quotes",
                "write \\\\ for a backslash, or put the text in single quotes")
    return None


def _far_quote(text: str, lines: _Text, at: Pos | None, loader: Any) -> _Found | None:
    """A quote that was not closed on its line, and ran on over lines of keys until the next
    quote closed it: the parser trips on what follows, lines below the slip."""
    if at is None:
        return None
    # The closing quote is on the line the parser stopped at or the line before: without a
    # quote mark there, the file need not be read again.
    above = lines.previous_content(at[0])
    if not any(q in lines.line(n) for n in (at[0], above or at[0]) for q in "'\""):
        return None
    last = None
    try:
        for token in yaml.scan(text, Loader=loader):
            if (token.end_mark.line + 1, token.end_mark.column + 1) > at:
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        pass
    if last is None or getattr(last, "style", None) not in ("'", '"'):
        return None
    start, end = _mark(last.start_mark), _mark(last.end_mark)
    assert start is not None and end is not None
    if start[0] == end[0] or not any(_KEY_LINE.match(lines.line(n))
                                     for n in range(start[0] + 1, end[0] + 1)):
        return None
    quote = lines.char(start)
    return (start, f"the quote opened here is not closed on its line: it runs on to the {quote} "
                   f"at line {end[0]}, column {end[1] - 1}",
            f"end the text with {quote} on line {start[0]}")


def _tight_key(lines: _Text, number: int) -> _Found | None:
    """A key written without a space after its colon on line number (`target:4`), if so."""
    tight = _TIGHT_KEY.match(lines.line(number))
    if tight is None:
        return None
    col = len(tight["lead"]) + len(tight["key"]) + 1
    return ((number, col), f"no space after the ':' of '{tight['key']}'",
            f"write a space after the colon: {tight['key']}: {tight['rest'].strip()}")


def _colon(lines: _Text, problem: str, at: Pos | None) -> _Found | None:
    """A ': ' the parser did not expect: a key written without a space after its colon (the
    parser trips a line later), a line indented under a key that has a value, or a colon and
    a space inside a value that is not in quotes."""
    if "mapping values are not allowed" not in problem or at is None:
        return None
    number = at[0]
    while number >= 1:
        if (tight := _tight_key(lines, number)) is not None:
            return tight
        if number < at[0] and _KEY_LINE.match(lines.line(number)):
            break
        number -= 1
    above = lines.previous_content(at[0])
    line = lines.line(at[0])
    if (above is not None and line.find(":") == at[1] - 1 and _KEY_LINE.match(line)
            and lines.indent(at[0]) > lines.indent(above)
            and not lines.line(above).rstrip().endswith((":", "|", ">", "-"))):
        return (at, f"this line is indented more than line {above}, whose key already has a "
                    "value", f"indent it like line {above}, or put it under a key without a value")
    return (at, "': ' inside a value that is not in quotes: YAML reads it as the start of a key",
            "put the value in quotes (\"...\"), or check this line's indentation")


def _flow(problem: str, context: str, at: Pos | None, opened: Pos | None) -> _Found | None:
    """A list in brackets or a mapping in braces that is not closed where the parser looked."""
    for kind, close in (("sequence", "]"), ("mapping", "}")):
        if f"flow {kind}" in context and f"',' or '{close}'" in problem and opened is not None:
            what = "list" if kind == "sequence" else "mapping"
            where = f" (line {at[0]}, column {at[1]})" if at is not None else ""
            return (opened, f"the {what} opened here with '{'[' if close == ']' else '{'}' is "
                            f"not closed",
                    f"close it with '{close}' and separate its items with commas; the parser "
                    f"stopped at what follows{where}")
    return None


def _block(lines: _Text, problem: str, context: str, at: Pos | None,
           opened: Pos | None) -> _Found | None:
    """A line that does not fit the block around it: indented unlike its neighbours, text
    after a value's closing quote, a key inside a list, a line without ':'."""
    if at is None:
        return None
    expected_key = "did not find expected key" in problem or "expected <block end>" in problem
    if "block mapping" in context and expected_key:
        line = lines.line(at[0])
        before = line[: at[1] - 1]
        if before.strip(" -"):
            quote = before.rstrip()[-1:]
            if quote in ("'", '"'):
                written = ("an apostrophe is written twice: 'don''t'" if quote == "'"
                           else "a quote is written \\\": \"say \\\"hi\\\"\"")
                return (at, "text after the closing quote of a value",
                        f"inside {'single' if quote == chr(39) else 'double'} quotes {written}; "
                        "or put the whole value in the other kind of quotes")
            return (at, "text after a value, where the line should end",
                    "put the whole value in quotes, or start a new key on its own line")
        where = f"line {opened[0]}" if opened is not None else "the lines above"
        return (at, f"this line is indented by {at[1] - 1} space(s), unlike the keys of its "
                    f"mapping ({where}, indented by {(opened or (1, 1))[1] - 1})",
                "indent every key of a mapping by the same number of spaces")
    if "block collection" in context and ("'-' indicator" in problem or "<block end>" in problem):
        return (at, f"a list (from line {(opened or at)[0]}) holds only items that start with '- '",
                "start the line with '- ', or indent it under an item")
    if "could not find expected ':'" in problem and opened is not None:
        if (tight := _tight_key(lines, opened[0])) is not None:
            return tight
        word = lines.line(opened[0])[opened[1] - 1:].strip()
        return (opened, f"'{word[:40]}' stands where a key is expected, but has no ':'",
                "write key: value, or indent text that continues the value above")
    if "block scalar" in context and ("comment or line break" in problem
                                      or "comment or a line break" in problem) and opened is not None:
        sign = lines.char(opened)
        return (at, f"text after '{sign}' on its line: a '{sign}' value starts on the next line",
                f"move the text to the next line, indented under the key (or put it in quotes "
                f"without the '{sign}')")
    if "sequence entries are not allowed" in problem:
        return (at, "a list item ('- ') cannot follow a key on its line",
                "start the list on the next line, indented under the key")
    return None


def _token(lines: _Text, problem: str, context: str, at: Pos | None,
           opened: Pos | None) -> _Found | None:
    """A value that starts with a character YAML keeps for itself, or an alias never defined."""
    start = (opened if "scanning an anchor" in context or "scanning a tag" in context
             else at if "cannot start any token" in problem or "node content" in problem
             else None)
    if start is not None and lines.char(start):
        at, char = start, lines.char(start)
        return (at, f"a value cannot start with '{char}' unless it is in quotes",
                f"put the value in quotes: \"{lines.line(at[0])[at[1] - 1:].strip()[:40]}\"")
    alias = opened if "scanning an alias" in context else at if "undefined alias" in problem else None
    if alias is not None:
        words = lines.line(alias[0])[alias[1] - 1:].split()
        word = words[0] if words else "*"
        return (alias, f"'{word}' reads as a reference to an anchor, which is not defined",
                "a text that starts with '*' must be in quotes")
    return None
