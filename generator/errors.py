"""The one error vocabulary of Kept: located problems, and the exceptions that carry them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that would break a line, move the cursor or reorder the text of a terminal line:
# a name or a text from the data could otherwise forge a line of the output, the line a CI
# problem matcher reads as another error.
# A lone surrogate stands for a byte of a file name that is not UTF-8: it cannot be printed.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


def printable(text: str, lines: bool = False) -> str:
    """text on one line, its control characters written as Python escapes (\\n, \\x1b);
    with lines, on the lines it has."""
    if lines:
        return "\n".join(printable(line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in the data, at a 1-based line and column of a file."""

    path: str
    line: int
    col: int
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" | "warning"

    @property
    def line_col(self) -> tuple[int, int]:
        return (self.line, self.col)

    def text(self) -> str:
        return self.message + (f"; {self.hint}" if self.hint else "")

    def format(self) -> str:
        return printable(f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.text()}")


class KeptError(Exception):
    """A failure the user can act on: printed without a traceback, exit status 1."""


class UsageError(KeptError):
    """The command line itself is wrong: exit status 2."""


class DataError(KeptError):
    """The data has problems; every one found is attached, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))
