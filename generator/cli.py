"""The `kept` command: parse arguments, call the library, map errors to exit codes.

Exit status: 0 success, 1 invalid data or a failed build, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator import __version__
from generator.errors import DataError, KeptError, Problem, UsageError
from generator.project import AUDIENCES


def _audiences(value: str) -> tuple[str, ...]:
    return AUDIENCES if value == "all" else (value,)


def _print_problems(problems: list[Problem], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([
            {"file": p.path, "line": p.line, "column": p.col, "severity": p.severity,
             "message": p.message, "hint": p.hint} for p in problems], indent=2))
        return
    for p in problems:
        if fmt == "github":
            kind = "error" if p.severity == "error" else "warning"
            text = p.text().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(f"::{kind} file={p.path},line={p.line},col={p.col}::{text}")
        else:
            print(p.format(), file=sys.stderr if p.severity == "error" else sys.stdout)


def cmd_validate(args: argparse.Namespace) -> int:
    from generator.validate import check

    report = check(args.root, strict=args.strict)
    _print_problems(report.problems, args.format)
    errors, warnings = len(report.errors), len(report.warnings)
    if args.format == "text":
        if errors:
            print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
        else:
            data = report.dataset
            assert data is not None
            drafts = sum(p.draft for p in data.periods)
            print(f"ok: {len(data.commitments)} commitments, {len(data.periods)} periods "
                  f"({drafts} draft), {warnings} warning(s)")
    return 1 if errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import build_site

    result = build_site(args.root, args.out, _audiences(args.audience), args.jobs)
    for problem in result.warnings:
        print(problem.format())
    for message in result.mkdocs_warnings:
        print(f"mkdocs: warning: {message}", file=sys.stderr)
    for audience, built in result.editions.items():
        shown = ", ".join(built) if built else "none published yet"
        print(f"built {audience}: {len(built)} edition(s) ({shown}) in {result.out / audience}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    serve(args.root, args.audience, args.dev_addr)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.jsonschema import write_schemas

    for path in write_schemas(args.out or args.root):
        print(f"wrote {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kept",
        description="Publish customer-service commitments, their results and the improvements "
                    "made for customers as a versioned MkDocs site.")
    top.add_argument("--version", action="version", version=f"kept {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path("."),
                        help="the data repository (default: current directory)")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", parents=[common], help="check every data file",
                       description="Check commitments.yml and results/*.yml and print every "
                                   "problem as PATH:LINE:COL: error: MESSAGE.")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--format", choices=("text", "json", "github"), default="text",
                   help="text (default), json, or github workflow annotations")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", parents=[common], help="build every edition of the sites",
                       description="Validate, then build every edition for each audience into "
                                   "OUT/public and OUT/internal. The previous output is replaced "
                                   "only when every edition has built.")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: ROOT/site)")
    p.add_argument("--audience", choices=(*AUDIENCES, "all"), default="all")
    p.add_argument("--jobs", type=int, default=None,
                   help="editions built at once (default: the number of CPUs)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", parents=[common], help="live preview of the newest edition",
                       description="Serve the newest edition and rebuild it when the YAML, "
                                   "site_src/ or mkdocs.yml change.")
    p.add_argument("--audience", choices=AUDIENCES, default="internal")
    p.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("schema", parents=[common], help="write the JSON Schemas of the data files")
    p.add_argument("--out", type=Path, default=None, help="folder to write to (default: ROOT)")
    p.set_defaults(func=cmd_schema)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        parser().error("--jobs must be at least 1")
    try:
        return int(args.func(args))
    except DataError as exc:
        _print_problems(exc.problems, getattr(args, "format", "text"))
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"{errors} error(s): nothing was built", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"kept: error: {exc}", file=sys.stderr)
        return 2
    except KeptError as exc:
        print(f"kept: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"kept: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
