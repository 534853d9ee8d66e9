"""The one error vocabulary of Kept: located problems, and the exceptions that carry them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in the data, at a 1-based line and column of a file."""

    path: str
    line: int
    col: int
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" | "warning"

    def text(self) -> str:
        return self.message + (f"; {self.hint}" if self.hint else "")

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.text()}"


class KeptError(Exception):
    """A failure the user can act on: printed without a traceback, exit status 1."""


class UsageError(KeptError):
    """The command line itself is wrong: exit status 2."""


class DataError(KeptError):
    """The data has problems; every one found is attached, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))
