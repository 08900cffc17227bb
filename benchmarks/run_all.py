"""Every benchmark in one run, one table: each figure beside its baseline
measured in the same run, the ratio, and whether the issue's target is met.

    .venv/bin/python benchmarks/run_all.py --quick                  # small sizes, about 10 minutes on 2 quiet cores
    .venv/bin/python benchmarks/run_all.py                          # the issues' sizes (1,000,000 cases: hours)
    .venv/bin/python benchmarks/run_all.py --quick --write-results  # … and the table into RESULTS.md
    .venv/bin/python benchmarks/run_all.py --only bench_lifecycle,bench_sweep --databases sqlite

Each benchmark runs as a subprocess, on SQLite and, when it answers, on
PostgreSQL (``--postgres-url``; the scripts create and drop their own test
database ``test_<name>``). The scripts report their headline figures through
``reporting.report``, which appends JSON lines to the file named by
``MINSHENG_BENCH_RESULTS``; the runner sets it, collects the lines and prints
them as one table. A benchmark that fails or runs out of time shows as such in
the table with its exit code, and the runner exits 1; one that reports nothing
(``bench_dispatch`` without ``../shared/data``) shows as "no figures". The
scripts' own output goes to ``var/bench_logs/``.

``--write-results`` replaces the section between the markers
``<!-- run_all:begin -->`` and ``<!-- run_all:end -->`` of RESULTS.md
(inserted at the top when absent) with the table, the date, the machine,
Python and database versions and the preset."""

import argparse
import datetime
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOGS = ROOT / "var" / "bench_logs"
RESULTS = HERE / "RESULTS.md"
BEGIN, END = "<!-- run_all:begin -->", "<!-- run_all:end -->"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/minsheng_bench"

SQLITE, POSTGRES = "SQLite", "PostgreSQL"
BOTH, LITE, NONE = (SQLITE, POSTGRES), (SQLITE,), ("none",)


@dataclass
class Benchmark:
    script: str
    quick: list
    full: list
    quick_databases: tuple = LITE
    full_databases: tuple = BOTH
    quick_timeout: int = 900
    full_timeout: int = 6 * 3600

    @property
    def name(self):
        return Path(self.script).stem


# Sizes: quick keeps the whole run near 10 minutes on 2 quiet cores; full is what the issues ask.
BENCHMARKS = [
    Benchmark("generate_cases.py", ["--cases", "20000"], ["--cases", "1000000", "--fresh"], quick_databases=BOTH),
    Benchmark("bench_lifecycle.py", ["--cases", "30"], ["--cases", "300"], quick_databases=BOTH),
    Benchmark("bench_imports.py", ["--repeat", "1"], ["--repeat", "5"]),
    Benchmark("bench_case_import.py", ["--rows", "5000", "--formats", "csv", "--default-rows", "500"], [],
              quick_databases=BOTH),
    Benchmark("bench_inbox.py", ["--cases", "5000", "--runs", "3"], ["--cases", "100000", "--runs", "7"]),
    Benchmark("bench_graphql.py", ["--cases", "2000", "--runs", "3"], ["--cases", "20000", "--runs", "15"]),
    Benchmark("bench_sweep.py", ["--cases", "20000", "--open", "2000", "--runs", "3"], ["--runs", "7"]),
    Benchmark("bench_ranking.py", ["--cases", "20000", "--runs", "3", "--direct-runs", "1"], ["--runs", "15"]),
    Benchmark("bench_similar.py", ["--cases", "20000", "--queries", "50"], ["--queries", "300"]),
    Benchmark("bench_dispatch.py", ["--folds", "2"], ["--folds", "5"]),
    Benchmark("bench_dispatch_scale.py", ["--items", "100", "--cases", "1000", "--keep", "0.9"], [],
              quick_databases=NONE, full_databases=NONE),
    Benchmark("bench_public_cache.py", ["--cases", "1000", "--requests", "300", "--rounds", "2"], ["--http"]),
    Benchmark("bench_bulletin.py", ["--cases", "3000", "--runs", "1"], ["--runs", "3"]),
]


@dataclass
class Run:
    benchmark: str
    database: str
    args: list
    exit_code: int | None = None  # None: timed out
    seconds: float = 0.0
    figures: list = field(default_factory=list)
    log: Path | None = None
    tail: str = ""


def postgres_version(url):
    """The server's version when ``url``'s server answers, else None."""
    try:
        import psycopg
        from urllib.parse import urlsplit, urlunsplit

        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0].split(" ")[0]
    except Exception:  # unreachable, refused, no driver: PostgreSQL is left out, visibly
        return None


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f"{mem / 2 ** 20:.0f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return f"{platform.node()} ({os.cpu_count()} cores{', ' + cpu if cpu else ''}, {memory}, {platform.system()})"


def load_average():
    try:
        return "{:.1f} / {:.1f} / {:.1f}".format(*os.getloadavg())
    except OSError:
        return "?"


def run_one(bench, database, args, postgres_url, timeout, preset):
    LOGS.mkdir(parents=True, exist_ok=True)
    run = Run(bench.name, database, args, log=LOGS / f"{preset}-{bench.name}-{database.lower()}.log")
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as results:
        results_path = results.name
    env = {**os.environ, "MINSHENG_BENCH_RESULTS": results_path, "PYTHONUNBUFFERED": "1"}
    if database == POSTGRES:
        env["DATABASE_URL"] = postgres_url
    else:
        env.pop("DATABASE_URL", None)  # each script's own SQLite file in var/
        if bench.name == "generate_cases":
            env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / f'bench_cases_{preset}.sqlite3'}"
    if bench.name == "generate_cases" and database == POSTGRES:
        args = [*args, "--database-url", postgres_url]
    command = [sys.executable, str(HERE / bench.script), *args]
    started = time.perf_counter()
    with open(run.log, "w") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        try:
            proc = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
            run.exit_code = proc.returncode
        except subprocess.TimeoutExpired:
            run.exit_code = None
    run.seconds = time.perf_counter() - started
    with open(results_path) as lines:
        for line in lines:
            if line.strip():
                figure = json.loads(line)
                if database != "none":
                    figure["database"] = database
                run.figures.append(figure)
    os.unlink(results_path)
    run.tail = "\n".join(run.log.read_text(errors="replace").strip().splitlines()[-12:])
    return run


def number(value, unit=""):
    if value is None:
        return ""
    magnitude = abs(value)
    text = (f"{value:,.0f}" if magnitude >= 100 else f"{value:.1f}" if magnitude >= 10 else
            f"{value:.2f}" if magnitude >= 0.1 else f"{value:.3f}")
    return f"{text} {unit}".strip()


def target_text(figure):
    target = figure.get("target")
    if target is None:
        return ""
    sign = "≤" if figure.get("better", "lower") == "lower" else "≥"
    goal = f"{sign} {number(target)}{'×' if figure.get('target_of') == 'ratio' else ' ' + figure['unit']}"
    met = figure.get("target_met")
    return f"{'yes' if met else 'NO' if met is not None else '?'} ({goal})"


def table(runs):
    rows = ["| benchmark | measurement | database | value | baseline | ratio | target met? |",
            "|---|---|---|---|---|---|---|"]
    for run in runs:
        if run.exit_code != 0:
            status = "TIMED OUT" if run.exit_code is None else f"FAILED (exit {run.exit_code})"
            rows.append(f"| {run.benchmark} | **{status}** after {run.seconds:.0f} s, "
                        f"{len(run.figures)} figures before it | {run.database} | | | | |")
        elif not run.figures:
            last = run.tail.splitlines()[-1] if run.tail else ""
            rows.append(f"| {run.benchmark} | no figures: {last[:120].replace('|', '/')} | {run.database} | | | | |")
        for f in run.figures:
            baseline = ""
            if f.get("baseline_value") is not None:
                baseline = f"{number(f['baseline_value'], f['unit'])} ({f.get('baseline_name') or 'baseline'})"
            ratio = f"{f['ratio']:.2f}×" if f.get("ratio") is not None else ""
            measurement = f["measurement"] + (f" — {f['note']}" if f.get("note") else "")
            rows.append(f"| {run.benchmark} | {measurement.replace('|', '/')} | {run.database} | "
                        f"{number(f['value'], f['unit'])} | {baseline.replace('|', '/')} | {ratio} | "
                        f"{target_text(f)} |")
    return "\n".join(rows)


def header(preset, databases, pg_version, started_at, seconds, load_before, load_after, argv):
    return "\n".join([
        f"Run {started_at:%Y-%m-%d %H:%M} UTC, preset **{preset}** (`benchmarks/run_all.py {' '.join(argv)}`), "
        f"{seconds / 60:.1f} minutes in all.",
        f"Machine: {machine()}; load average (1 / 5 / 15 min) {load_before} before, {load_after} after.",
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {pg_version}" if pg_version else ", PostgreSQL not reachable (left out)")
        + f"; databases: {', '.join(databases)}.",
    ])


def write_results(section):
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        lines = text.split("\n")
        at = 1 if lines and lines[0].startswith("# ") else 0
        text = "\n".join(lines[:at] + ["", block] + lines[at:])
    RESULTS.write_text(text)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about 10 minutes on 2 quiet cores)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names (e.g. bench_sweep,bench_inbox)")
    parser.add_argument("--databases", default="", help="sqlite, postgres or both (default: the preset's)")
    parser.add_argument("--postgres-url", default=os.environ.get("MINSHENG_BENCH_POSTGRES", DEFAULT_POSTGRES))
    parser.add_argument("--timeout", type=int, default=0, help="seconds per benchmark (default: the preset's)")
    parser.add_argument("--write-results", action="store_true", help="write the table into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    preset = "quick" if args.quick else "full"
    only = {name.strip().removesuffix(".py") for name in args.only.split(",") if name.strip()}
    unknown = only - {b.name for b in BENCHMARKS}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    wanted = {"sqlite": SQLITE, "postgres": POSTGRES, "postgresql": POSTGRES}
    names = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    if any(name not in wanted for name in names):
        parser.error(f"--databases takes sqlite and/or postgres, not {args.databases!r}")
    chosen = [wanted[name] for name in names] or None
    pg_version = postgres_version(args.postgres_url)
    started_at = datetime.datetime.now(datetime.timezone.utc)
    started, load_before = time.perf_counter(), load_average()
    plan = []
    for bench in BENCHMARKS:
        if only and bench.name not in only:
            continue
        if not (HERE / bench.script).exists():
            print(f"{bench.name}: not there, left out")
            continue
        databases = bench.quick_databases if args.quick else bench.full_databases
        if chosen is not None and databases != NONE:
            databases = tuple(d for d in (SQLITE, POSTGRES) if d in chosen)
        for database in databases:
            if database == POSTGRES and not pg_version:
                continue
            plan.append((bench, database))
    if not pg_version:
        print(f"PostgreSQL at {args.postgres_url} does not answer: SQLite only.")
    runs = []
    for k, (bench, database) in enumerate(plan, 1):
        bench_args = bench.quick if args.quick else bench.full
        timeout = args.timeout or (bench.quick_timeout if args.quick else bench.full_timeout)
        print(f"[{k}/{len(plan)}] {bench.name} on {database} {' '.join(bench_args)} …", end=" ", flush=True)
        run = run_one(bench, database, bench_args, args.postgres_url, timeout, preset)
        state = ("timed out" if run.exit_code is None else f"exit {run.exit_code}")
        print(f"{state}, {run.seconds:.0f} s, {len(run.figures)} figures (log: {run.log.relative_to(ROOT)})",
              flush=True)
        runs.append(run)
    seconds = time.perf_counter() - started
    databases = sorted({db for _b, db in plan if db != "none"})
    head = header(preset, databases, pg_version, started_at, seconds, load_before, load_average(), argv)
    body = table(runs)
    failed = [r for r in runs if r.exit_code != 0]
    print(f"\n{head}\n\n{body}\n")
    for run in failed:
        print(f"--- {run.benchmark} on {run.database}: "
              f"{'timed out' if run.exit_code is None else f'exit {run.exit_code}'}; last lines of {run.log}:")
        print(re.sub(r"^", "    ", run.tail, flags=re.M))
    if args.write_results:
        notes = ("Ratios are value / baseline, both measured in the same run; \"target met?\" judges the "
                 "issue's goal (on the value, or on the ratio where marked ×). The scripts' full tables are in "
                 "`var/bench_logs/`; the sections below keep earlier runs of single benchmarks with their readings.")
        failures = "".join(f"\n- {r.benchmark} on {r.database}: "
                           f"{'timed out' if r.exit_code is None else f'exit code {r.exit_code}'}"
                           for r in failed)
        write_results(f"## All benchmarks, one run (`run_all.py`, preset {preset})\n\n{head}\n\n{body}\n\n{notes}"
                      + (f"\n\nFailed:{failures}" if failures else ""))
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
