"""The `kept` command: parse arguments, call the library, map errors to exit codes.

Exit status: 0 success, 1 invalid data or a failed build, 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from generator import __version__
from generator.engine import DEFAULT, ENGINES
from generator.errors import DataError, KeptError, Problem, UsageError, printable
from generator.project import AUDIENCES


def _audiences(value: str) -> tuple[str, ...]:
    return AUDIENCES if value == "all" else (value,)


def _escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property (file=...), escaped as GitHub's toolkit does
    (escapeProperty): a ',' or ':' in a file name must not end the value and start another."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _print_problems(problems: list[Problem], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([
            {"file": p.path, "line": p.line, "column": p.col, "severity": p.severity,
             "message": p.message, "hint": p.hint} for p in problems], indent=2))
        return
    for p in problems:
        if fmt == "github":
            kind = "error" if p.severity == "error" else "warning"
            print(f"::{kind} file={_escape_property(p.path)},line={p.line},col={p.col}::"
                  f"{_escape_data(p.text())}")
        else:
            print(p.format())  # findings go to standard output, as linters do


def cmd_validate(args: argparse.Namespace) -> int:
    from generator.validate import check

    report = check(args.root, strict=args.strict, site_config=True,
                   python_tags=args.allow_python_tags)
    problems = report.problems
    if args.base and report.data is not None:
        from generator.guard import check_against_base

        # What differs from a record and from the base is one error, said once (a warning at
        # the same place does not stand for the error).
        said = {(p.path, p.line, p.col) for p in problems if p.severity == "error"}
        problems = sorted(problems + [p for p in check_against_base(args.root, args.base, report.data)
                                      if (p.path, p.line, p.col) not in said])
    _print_problems(problems, args.format)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if args.format == "text":
        if errors:
            print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
        else:
            data = report.data
            assert data is not None
            drafts = sum(p.draft for p in data.periods)
            print(f"ok: {len(data.commitments)} commitments, {len(data.periods)} periods "
                  f"({drafts} draft), {warnings} warning(s)")
    return 1 if errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from generator import manifest

    root = args.root.resolve()
    out = (args.out or root / "site").resolve()
    audiences = _audiences(args.audience)
    # Nothing changed since the last build: say so without loading MkDocs or the data.
    inputs = manifest.inputs(root, audiences, python_tags=args.allow_python_tags,
                             engine_name=args.engine)
    result = manifest.unchanged(out, audiences, inputs.digest)
    if result is None:
        from generator.build import build_site

        result = build_site(root, out, audiences, args.jobs, inputs=inputs,
                            python_tags=args.allow_python_tags, engine=args.engine)
    for problem in result.warnings:
        print(problem.format())
    for message in result.mkdocs_warnings:
        print(printable(f"mkdocs: warning: {message}"), file=sys.stderr)
    for site, built in result.editions.items():
        shown = ", ".join(built) if built else "none published yet"
        reused = sum(key.rpartition("/")[0] == site for key in result.reused)
        print(f"built {site}: {len(built)} edition(s) ({shown}) in {result.out / site}"
              + (f"; {reused} unchanged" if reused else ""))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from generator.diff import summary_against

    print(summary_against(args.root, args.base), end="")
    return 0


def cmd_new_period(args: argparse.Namespace) -> int:
    from generator.edit import new_period

    path = new_period(args.root, args.period)
    print(f"wrote {path}: fill in the values, then `kept publish {args.period}`")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from generator.edit import publish

    result = publish(args.root, args.period, args.date)
    if result.changed:
        print(f"published {args.period} on {result.date} in {result.path}")
    else:
        print(f"{args.period} was already published on {result.date}")
    if result.record is not None:
        print(f"wrote its record, {result.record}: commit it with the results file")
    elif not result.changed:
        print("nothing changed")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    from generator.edit import record

    written = record(args.root, args.periods)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("every published period has its record; nothing to write")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from generator.csvimport import import_csv

    done = import_csv(args.root, args.csv, args.period)
    state = "started as a draft" if done.created else "a draft"
    print(f"wrote {done.figures} figure(s) of {done.commitments} commitment(s) into {done.path} "
          f"({state}); review them, then `kept validate`")
    for problem in done.warnings:
        print(problem.format())
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from generator.init import UNKNOWN_ACTION, init

    started = init(args.dir, args.name, args.action)
    for path in started.files:
        print(f"wrote {path}")
    print(f"organisation: {started.name} (commitments.yml says it; it names the sites too)")
    if started.action is None:
        print(f"kept init: warning: this Kept was not installed from GitHub, so the workflow "
              f"cannot tell which repository its action comes from; in "
              f"{args.dir / '.github/workflows/kept.yml'}, replace {UNKNOWN_ACTION} with the "
              "GitHub repository of Kept and the release to use (or give --action "
              "OWNER/REPO@TAG to kept init)", file=sys.stderr)
    else:
        print(f"CI: .github/workflows/kept.yml uses the Kept action {started.action}")
    print(f"next: cd {args.dir} && kept validate && kept build")
    return 0


def _date(text: str) -> dt.date:
    from generator.kinds import parse_date
    from generator.periods import DAYS

    day = parse_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(
            f"not a date written YYYY-MM-DD from {DAYS}: '{text}'")
    return day


def _dev_addr(text: str) -> str:
    from generator.serve import address

    try:
        address(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.build import build_site
    from generator.serve import serve

    def build(out: Path) -> None:
        build_site(args.root, out, (args.audience,), jobs=1, newest_only=True, live_reload=True,
                   python_tags=args.allow_python_tags, engine=args.engine)

    serve(args.root, build, args.audience, args.dev_addr)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.jsonschema import write_schemas

    for path in write_schemas(args.out or args.root):
        print(f"wrote {path}")
    return 0


class _Help(argparse.HelpFormatter):
    """Descriptions wrapped paragraph by paragraph; an example (an indented line) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if len(lines) > 1 and all(line.startswith("  ") for line in lines[1:]):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(textwrap.fill(" ".join(paragraph.split()), width,
                                                initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(paragraphs)


def _command(sub: Any, name: str, summary: str, details: str, examples: list[str],
             parents: list[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """A subcommand whose --help opens with its summary in one line and ends with examples."""
    return sub.add_parser(
        name, parents=parents, help=summary, formatter_class=_Help,
        description=f"{summary[0].upper()}{summary[1:]}." + (f"\n\n{details}" if details else ""),
        epilog="examples:\n" + "\n".join(f"  {example}" for example in examples))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kept", formatter_class=_Help,
        description="Publish customer-service commitments, their results and the improvements "
                    "made for customers as a versioned MkDocs site.",
        epilog="examples:\n  kept init acme-support\n  kept validate --strict\n  kept build\n\n"
               "Run kept COMMAND --help for what a command does, with examples.")
    top.add_argument("--version", action="version", version=f"kept {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path("."),
                        help="the data repository (default: current directory)")
    engines = argparse.ArgumentParser(add_help=False)
    engines.add_argument("--engine", choices=ENGINES, default=DEFAULT,
                         help="what builds the sites: MkDocs, or ProperDocs, its maintained "
                              "fork (the same site but for the generator tag; default: "
                              f"{DEFAULT}); KEPT_SPEEDUPS=0 in the environment turns off the "
                              "optimisations that reach into their internals")
    trust = argparse.ArgumentParser(add_help=False)
    trust.add_argument("--allow-python-tags", action="store_true",
                       help="accept every Python tag (!!python/...) in mkdocs.yml, which makes "
                            "MkDocs run the code it names: only for a trusted mkdocs.yml")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _command(sub, "validate", "check every data file",
                 "Check commitments.yml, results/*.yml and mkdocs.yml and print every problem as "
                 "PATH:LINE:COL: error: MESSAGE.",
                 ["kept validate", "kept validate --strict --base origin/main",
                  "kept validate --format github"], [common, trust])
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--format", choices=("text", "json", "github"), default="text",
                   help="text (default), json, or github workflow annotations")
    p.add_argument("--base", metavar="REF",
                   help="also check the change against git ref REF: published figures changed "
                        "without a correction, or published pages removed, are errors")
    p.set_defaults(func=cmd_validate)

    p = _command(sub, "build", "build every edition of the sites",
                 "Validate, then build every edition for each audience into OUT/public and "
                 "OUT/internal. The previous output is replaced only when every edition has "
                 "built.",
                 ["kept build", "kept build --audience public --out /tmp/site"],
                 [common, trust, engines])
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: ROOT/site); an existing one must have been "
                        "written by Kept, which changes only what it wrote there")
    p.add_argument("--audience", choices=(*AUDIENCES, "all"), default="all")
    p.add_argument("--jobs", type=int, default=None,
                   help="editions built at once (default: the number of CPUs)")
    p.set_defaults(func=cmd_build)

    p = _command(sub, "serve", "live preview of the newest edition",
                 "Serve the newest edition and rebuild it when the YAML, site_src/ or mkdocs.yml "
                 "change.",
                 ["kept serve", "kept serve --audience public --dev-addr 127.0.0.1:8001"],
                 [common, trust, engines])
    p.add_argument("--audience", choices=AUDIENCES, default="internal")
    p.add_argument("--dev-addr", type=_dev_addr, default="127.0.0.1:8000", metavar="HOST:PORT",
                   help="address to serve on, HOST:PORT (default: 127.0.0.1:8000)")
    p.set_defaults(func=cmd_serve)

    p = _command(sub, "diff", "summarise what the working tree changes, for a pull request",
                 "Print a Markdown summary, in customers' terms, of what the working tree "
                 "changes against git ref BASE.",
                 ["kept diff", "kept diff main"], [common])
    p.add_argument("base", nargs="?", metavar="BASE",
                   help="git ref to compare with (default: origin/main, else HEAD)")
    p.set_defaults(func=cmd_diff)

    p = _command(sub, "new-period", "start the results file of a period",
                 "Write results/PERIOD.yml listing every commitment active in the period with "
                 "empty values. Never overwrites.",
                 ["kept new-period 2026-Q4", "kept new-period 2026-10"], [common])
    p.add_argument("period", metavar="PERIOD", help="e.g. 2026-Q4 (quarterly) or 2026-10 (monthly)")
    p.set_defaults(func=cmd_new_period)

    p = _command(sub, "publish", "publish a period after strict checks",
                 "Check the period strictly (every active commitment measured or explained, "
                 "every miss explained), then set published: in its file, leaving the rest of "
                 "the file as it was, and write the period's record "
                 "(results/records/PERIOD.json).",
                 ["kept publish 2026-Q3", "kept publish 2026-Q3 --date 2026-10-06"], [common])
    p.add_argument("period", metavar="PERIOD")
    p.add_argument("--date", type=_date, default=None,
                   help="publication date, from the period's last day to today (default: today)")
    p.set_defaults(func=cmd_publish)

    p = _command(sub, "record", "write the records of published periods that have none",
                 "Write results/records/PERIOD.json, the record of what a published edition "
                 "states, for the periods named (default: every published period without one). "
                 "Records let `kept validate` refuse silent changes to published editions. A "
                 "record is never overwritten.",
                 ["kept record", "kept record 2026-Q2 2026-Q3"], [common])
    p.add_argument("periods", nargs="*", metavar="PERIOD", help="e.g. 2026-Q3 (default: all)")
    p.set_defaults(func=cmd_record)

    p = _command(sub, "import", "read a CSV export into a draft period",
                 "Write the figures of a CSV export (a helpdesk's report, saved from a "
                 "spreadsheet) into results/PERIOD.yml, leaving its comments and everything "
                 "else as they are; the file is started as a draft when missing. The first line "
                 "names the columns, in any case and order: commitment, value, and optionally "
                 "sample and location (a row without a location is the commitment's own "
                 "figure). A published period is never written. Nothing is written unless every "
                 "row is right.",
                 ["kept import november.csv --period 2026-Q4", "kept import export.csv"],
                 [common])
    p.add_argument("csv", type=Path, metavar="CSV", help="the export (UTF-8; separated by "
                                                         "commas, or semicolons or tabs)")
    p.add_argument("--period", metavar="PERIOD",
                   help="the period to write into (default: the newest draft)")
    p.set_defaults(func=cmd_import)

    p = _command(sub, "init", "start a new data repository",
                 "Write a small example data repository (commitments, a published quarter and "
                 "a draft), MkDocs config, JSON Schemas and a CI workflow that uses Kept's "
                 "GitHub Action into DIR (new or empty).",
                 ["kept init acme-support", 'kept init promises --name "Acme Support"'], [])
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--name", help="the organisation's name, shown as the sites' name "
                                  "(default: from DIR, 'acme-support' giving 'Acme Support')")
    p.add_argument("--action", metavar="OWNER/REPO@TAG",
                   help="the Kept action the workflow uses, pinned to a release (default: the "
                        "GitHub repository and release this Kept was installed from)")
    p.set_defaults(func=cmd_init)

    p = _command(sub, "schema", "write the JSON Schemas of the data files",
                 "Write commitments.schema.json and results.schema.json (JSON Schema 2020-12), "
                 "which editors such as VS Code use to check the files as you type.",
                 ["kept schema", "kept schema --out schemas"], [common])
    p.add_argument("--out", type=Path, default=None, help="folder to write to (default: ROOT)")
    p.set_defaults(func=cmd_schema)
    return top


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a name that is not UTF-8 must not stop a report
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = parser().parse_args(argv)
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        parser().error("--jobs must be at least 1")
    try:
        return int(args.func(args))
    except DataError as exc:
        _print_problems(exc.problems, getattr(args, "format", "text"))
        errors = sum(p.severity == "error" for p in exc.problems)
        outcome = "nothing was built" if args.command in ("build", "serve") else "nothing was changed"
        print(f"{errors} error(s): {outcome}", file=sys.stderr)
        return 1
    # One line each, its line breaks escaped: a message may quote a name or a text from the
    # data, whose own line could otherwise read to CI as a command (::error ..., ::add-mask::).
    except UsageError as exc:
        print(printable(f"kept: error: {exc}"), file=sys.stderr)
        return 2
    except KeptError as exc:
        print(printable(f"kept: error: {exc}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(printable(f"kept: error: {exc.strerror or exc}{where}"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
