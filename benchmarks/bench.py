"""Kept's benchmark: a synthetic organisation built side by side with plain MkDocs.

    python benchmarks/bench.py [--commitments 240] [--locations 12] [--periods 12]
                               [--improvements 5] [--scales 1,2,4] [--jobs N] [--repeat 2]
                               [--history 36,72] [--shops 200] [--per-month 10]
                               [--history-commitments 30] [--languages en,cy]

Prints one table: the MkDocs floor (Material building as many trivial pages, no navigation),
Kept's cold build, a no-op rebuild, a rebuild after one edit to the draft period, peak memory,
page sizes, and how the cold build scales with the number of commitments. Then a long
history (--history: months of it, each a size to measure; an empty list measures none): a
chain publishing monthly, every commitment measured in every shop, --per-month improvements
a month; of its public site, the size and files as deployed (a file linked twice counts
twice), the cold build, and publishing the next month (the draft month, then kept build).
And the cost of a second language (--languages MAIN,SECOND): the organisation built in each
alone and in both.
Every figure is measured in this run, on this machine; nothing is asserted. Beside each
time, the processor time its processes used: on a shared machine, it moves far less than
the time on the clock. KEPT_SPEEDUPS=0 in the environment measures Kept without its
speed-ups.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.synthetic import Size, generate, history  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


class Seconds(float):
    """A time on the clock, with the processor time (user and system, every process) of the
    same measure."""

    cpu = 0.0


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(command: list[str]) -> Seconds:
    # Start each measure with the disk idle: the previous step's writes (and deletions) are
    # flushed first, so that no measure pays for another.
    os.sync()
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run(command, check=True, env=ENV, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    seconds = Seconds(time.perf_counter() - start)
    seconds.cpu = _cpu() - cpu
    return seconds


def kept_build(root: Path, out: Path, jobs: int | None, audience: str = "all") -> Seconds:
    command = [sys.executable, "-m", "generator", "build", "--root", str(root), "--out", str(out),
               "--audience", audience]
    return timed(command + (["--jobs", str(jobs)] if jobs else []))


def pages(out: Path) -> list[Path]:
    """The HTML pages a build made, not counting the latest/ copies nor the redirects to the
    edition where a page first appeared (Kept writes them, not MkDocs)."""
    return [p for p in out.rglob("*.html")
            if "latest" not in p.relative_to(out).parts[:3] and p.name != "404.html"
            and p.parent not in (out / "public", out / "internal") and not _redirect(p)]


def _redirect(page: Path) -> bool:
    return b'http-equiv="refresh"' in page.read_bytes()[:400]


def floor(count: int, work: Path, site: Path) -> Seconds:
    """MkDocs with Material building `count` trivial pages with no navigation, into site."""
    docs = work / "floor" / "docs"
    if not docs.is_dir():
        docs.mkdir(parents=True)
        for i in range(count):
            (docs / f"page-{i}.md").write_text(f"# Page {i}\n\nA trivial page.\n")
    config = work / "floor" / "mkdocs.yml"
    # A nav of one page: an empty nav would make MkDocs list every page in it, which is the
    # quadratic cost this floor is meant to leave out.
    config.write_text("site_name: Floor\ntheme:\n  name: material\n  font: false\n"
                      "nav:\n  - page-0.md\n")
    return timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)])


def _all(times: list[Seconds]) -> str:
    """The processor time of the fastest run, and every run's time."""
    runs = f"; runs: {', '.join(f'{t:.1f}' for t in times)} s" if len(times) > 1 else ""
    return f" (CPU {min(times).cpu:.1f} s{runs})"


def edit_draft(root: Path) -> None:
    """Change one value in the newest period, which is the draft."""
    newest = sorted((root / "results").glob("*.yml"))[-1]
    text = newest.read_text()
    newest.write_text(re.sub(r"value: ([0-9.]+)", lambda m: f"value: {float(m.group(1)) + 0.5}",
                             text, count=1))


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def deployed(folder: Path) -> tuple[int, int]:
    """Bytes and files of a site as a host receives it: a file linked twice counts twice."""
    sizes = [os.lstat(os.path.join(where, name)).st_size
             for where, _, names in os.walk(folder) for name in names]
    return sum(sizes), len(sizes)


def full_pages(site: Path) -> list[int]:
    """The sizes of an edition's pages, not counting latest/ nor the redirects to the
    edition where a page first appeared."""
    return [p.stat().st_size for p in site.glob("*/**/*.html")
            if p.relative_to(site).parts[0] != "latest" and p.name != "404.html"
            and not _redirect(p)]


def publish_draft(root: Path) -> None:
    """Publish the newest period, the draft: a week after it ended."""
    newest = sorted((root / "results").glob("*.yml"))[-1]
    text = newest.read_text()
    match = re.match(r"period: (\d{4})-(\d{2})\n", text)
    assert match is not None and "published:" not in text
    year, month = int(match.group(1)), int(match.group(2))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    newest.write_text(text.replace(match.group(0), f"{match.group(0)}published: "
                                                   f"{year}-{month:02d}-07\n", 1))


def long_history(months: list[int], args: argparse.Namespace, work: Path) -> list[tuple[str, str]]:
    """The public site of a long monthly history at each length: size, files, cold build,
    and publishing the next month."""
    rows: list[tuple[str, str]] = []
    sizes = {}
    for count in months:
        shape = history(count, args.shops, args.per_month, args.history_commitments)
        root = generate(work / f"history-{count}", shape)
        out = work / f"history-{count}-out"
        cold = kept_build(root, out, args.jobs, "public")
        size, files = deployed(out / "public")
        sizes[count] = size
        pages = full_pages(out / "public")
        publish_draft(root)
        publish = kept_build(root, out, args.jobs, "public")
        name = f"{count} months ({args.history_commitments} commitments, {args.shops} shops, " \
               f"{args.per_month} improvements a month), public site"
        rows += [
            (f"{name}: size, files", f"{size / 2**20:.0f} MiB, {files:,} files"),
            (f"{name}: cold", f"{cold:.1f} s (CPU {cold.cpu:.1f} s)"),
            (f"{name}: publish the next month", f"{publish:.1f} s (CPU {publish.cpu:.1f} s), "
                                                f"{publish / cold:.1%} of cold "
                                                f"({publish.cpu / cold.cpu:.1%} in CPU)"),
            (f"{name}: median / largest page", f"{statistics.median(pages) / 1024:.1f} KiB / "
                                               f"{max(pages) / 1024:.1f} KiB"),
        ]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows.append(("peak memory so far (largest process)", f"{peak:.0f} MiB"))
    if len(sizes) > 1:
        low, high = min(sizes), max(sizes)
        rows.append((f"public site at {high} months against {low}",
                     f"{sizes[high] / sizes[low]:.2f}x the size"))
    return rows


def organisation(args: argparse.Namespace, size: Size, work: Path) -> list[tuple[str, str]]:
    """The synthetic organisation: floor, cold, no-op, one edit, memory, pages, scaling."""
    rows: list[tuple[str, str]] = []
    root = generate(work / "data", size)
    # The machine's speed drifts: cold and floor are measured in turn, --repeat times
    # each, and the fastest of each is kept. Every build writes to a new folder, and
    # nothing is deleted before the end: see "Deleting" in docs/performance.md.
    colds, floors = [], []
    for attempt in range(args.repeat):
        out = work / f"out-{attempt}"
        colds.append(kept_build(root, out, args.jobs))
        built = pages(out)
        count = len(built)
        floors.append(floor(count, work, work / "floor" / f"site-{attempt}"))
    cold, floor_time = min(colds), min(floors)
    # No-op and one edit (a different value each time), as often, the fastest kept.
    noops, edits = [], []
    for _ in range(args.repeat):
        noops.append(kept_build(root, out, args.jobs))
        edit_draft(root)
        edits.append(kept_build(root, out, args.jobs))
    noop, one_edit = min(noops), min(edits)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sizes = [p.stat().st_size for p in built]
    per_floor = floor_time / count * 1000
    per_cold = cold / count * 1000
    rows += [
        ("organisation", f"{args.commitments} commitments, {args.locations} locations, "
                         f"{args.periods} periods, {args.improvements} improvements/period"),
        ("pages built (both sites, without latest/)", f"{count}"),
        ("floor: MkDocs + Material, trivial pages", f"{floor_time:.1f} s, {per_floor:.2f} ms/page"
                                                    + _all(floors)),
        ("cold: kept build from nothing", f"{cold:.1f} s, {per_cold:.2f} ms/page, "
                                          f"{per_cold / per_floor:.2f}x the floor per page"
                                          + _all(colds)),
        ("no-op: kept build again", f"{noop:.1f} s, {noop / cold:.1%} of cold" + _all(noops)),
        ("one edit in the draft period", f"{one_edit:.1f} s, {one_edit / cold:.1%} of cold"
                                         + _all(edits)),
        ("peak memory (largest process)", f"{peak:.0f} MiB"),
        ("median page / largest page", f"{statistics.median(sizes) / 1024:.1f} KiB / "
                                       f"{max(sizes) / 1024:.1f} KiB"),
        ("total output", f"{size_of(out) / 2**20:.0f} MiB"),
    ]
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    times, runs = {}, {}
    for scale in scales:
        if scale == 1:
            times[1], runs[1] = cold, colds
            continue
        bigger = generate(work / f"data-{scale}", Size(
            args.commitments * scale, args.locations, args.periods, args.improvements))
        # Measured as often as the 1x build, so that the ratio compares like with like.
        runs[scale] = [kept_build(bigger, work / f"out-{scale}x-{attempt}", args.jobs)
                       for attempt in range(args.repeat)]
        times[scale] = min(runs[scale])
    for scale, seconds in times.items():
        rows.append((f"cold at {scale}x commitments",
                     f"{seconds:.1f} s, {seconds / times[min(times)]:.2f}x the time"
                     + _all(runs[scale])))
    return rows


def _in_languages(root: Path, languages: list[str]) -> None:
    """Make the organisation's site be in these languages (its texts stay as they are: in the
    main language, shown marked on the other language's pages, at the same cost)."""
    path = root / "commitments.yml"
    text = path.read_text()
    text = re.sub(r"\n  languages: \[[^\]]*\]", "", text)
    path.write_text(text.replace("organization:\n", "organization:\n  languages: ["
                                 + ", ".join(languages) + "]\n", 1))


def second_language(args: argparse.Namespace, size: Size, work: Path) -> list[tuple[str, str]]:
    """The cost of a second language: the organisation built in its main language alone, in
    the second alone, and in both; what both cost beyond the first, against the second alone."""
    first, second = [x.strip() for x in args.languages.split(",")][:2]
    runs: dict[str, list[Seconds]] = {}
    for name, languages in ((first, [first]), (second, [second]), ("both", [first, second])):
        root = generate(work / f"lang-{name}", size)
        _in_languages(root, languages)
        runs[name] = [kept_build(root, work / f"lang-{name}-out-{attempt}", args.jobs)
                      for attempt in range(args.repeat)]
    alone, other, both = (min(runs[k]) for k in (first, second, "both"))
    extra = both - alone
    return [
        (f"cold, {first} alone", f"{alone:.1f} s" + _all(runs[first])),
        (f"cold, {second} alone", f"{other:.1f} s" + _all(runs[second])),
        (f"cold, {first} and {second}", f"{both:.1f} s" + _all(runs["both"])),
        (f"a second language ({second}): its cost beside {first}",
         f"{extra:.1f} s, {extra / other:.2f}x building {second} alone "
         f"(CPU {(both.cpu - alone.cpu) / other.cpu:.2f}x)"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commitments", type=int, default=240)
    ap.add_argument("--locations", type=int, default=12)
    ap.add_argument("--periods", type=int, default=12)
    ap.add_argument("--improvements", type=int, default=5)
    ap.add_argument("--scales", default="1,2,4", help="multiples of --commitments to time cold")
    ap.add_argument("--jobs", type=int, default=None, help="kept build --jobs (default: CPUs)")
    ap.add_argument("--repeat", type=int, default=2,
                    help="times each build is measured (cold and floor in turn); the fastest "
                         "counts")
    ap.add_argument("--history", default="36,72",
                    help="months of a long monthly history to measure, each once ('' for none)")
    ap.add_argument("--shops", type=int, default=200, help="locations of the long history")
    ap.add_argument("--per-month", type=int, default=10, help="improvements a month")
    ap.add_argument("--history-commitments", type=int, default=30)
    ap.add_argument("--history-only", action="store_true",
                    help="measure the long history alone, not the organisation above")
    ap.add_argument("--languages", default="en,cy",
                    help="a main language and a second to measure the second's cost ('' for none)")
    ap.add_argument("--languages-only", action="store_true",
                    help="measure the cost of a second language alone")
    args = ap.parse_args()
    size = Size(args.commitments, args.locations, args.periods, args.improvements)
    work = Path(tempfile.mkdtemp(prefix="kept-bench-"))
    rows: list[tuple[str, str]] = []
    try:
        if not (args.history_only or args.languages_only):
            rows += organisation(args, size, work)
        if args.languages and not args.history_only:
            rows += second_language(args, size, work)
        if not args.languages_only:
            rows += long_history([int(m) for m in args.history.split(",") if m.strip()], args,
                                 work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Kept benchmark on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    width = max(len(k) for k, _ in rows)
    print("-" * (width + 40))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
