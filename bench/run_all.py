"""Run the five benchmarks and print one results table (then each benchmark's own table).

    .venv/bin/python bench/run_all.py [--import-rows 500000] [--output results.md] [--strict]

`make bench` runs this after `make setup`. It needs PostgreSQL (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432, a role allowed to create databases), Redis (BENCH_CACHE_URL,
default redis://127.0.0.1:6379/5), psql and wrk. Every benchmark uses its own phxpay_bench_*
database. Progress goes to stderr, the Markdown report to stdout (and to --output if given).
Exit status 0 when every benchmark ran, whatever its verdict; with --strict, 1 if any FAILed.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib

BENCH = Path(__file__).resolve().parent


def run(script: str, args: list[str], env: dict[str, str] | None = None) -> tuple[list, str]:
    """Run bench/<script> with --json; its summaries and its stdout (the detailed table)."""
    handle, json_path = tempfile.mkstemp(prefix="phxpay-bench-", suffix=".json")
    os.close(handle)
    benchlib.log(f"\n=== {script} {' '.join(args)}")
    start = time.monotonic()
    try:
        result = subprocess.run(
            [benchlib.PYTHON, str(BENCH / script), *args, "--json", json_path],
            cwd=benchlib.ROOT,
            env=env or os.environ.copy(),
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        summaries = json.loads(Path(json_path).read_text() or "[]")
    finally:
        Path(json_path).unlink(missing_ok=True)
    benchlib.log(f"=== {script}: {time.monotonic() - start:.0f} s, exit {result.returncode}")
    if result.returncode != 0 or not summaries:
        summaries = [
            {
                "benchmark": script,
                "measured": f"did not finish (exit {result.returncode}, see stderr)",
                "limit": "",
                "ratio": "",
                "target": "",
                "verdict": "ERROR",
                "notes": "",
            }
        ]
    return summaries, result.stdout.strip()


def git_revision() -> str:
    result = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"],
        cwd=benchlib.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=benchlib.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    revision = result.stdout.strip()[:70] or "unknown"
    return revision + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--import-rows", type=int, default=500_000, help="rows for import_benchmark.py (500000)"
    )
    parser.add_argument("--output", help="also write the Markdown report to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any benchmark FAILs")
    options = parser.parse_args()

    started = datetime.datetime.now().astimezone()
    load_before = benchlib.load_average()
    import_env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": benchlib.database_url("phxpay_bench_import"),
    }
    plan = [
        ("import_benchmark.py", ["--rows", str(options.import_rows)], import_env),
        ("pages_load.py", [], None),
        ("flat_cost.py", [], None),
        ("email_off_request.py", [], None),
        ("login_timing.py", [], None),
    ]
    summaries, details = [], []
    for script, args, env in plan:
        found, text = run(script, args, env)
        summaries += found
        details.append((script, text))
    load_after = benchlib.load_average()
    minutes = (datetime.datetime.now().astimezone() - started).total_seconds() / 60

    lines = [
        f"Run {started:%Y-%m-%d %H:%M %Z}, {minutes:.0f} min, at {git_revision()}.",
        f"Load average before: {load_before}; after: {load_after}.",
        "",
        "| benchmark | measured | limit (same run) | ratio | target | result |",
        "|---|---|---|---:|---|:---:|",
    ]
    for summary in summaries:
        notes = f" ({summary['notes']})" if summary.get("notes") else ""
        lines.append(
            f"| {summary['benchmark']} | {summary['measured']}{notes} | {summary['limit']} | "
            f"{summary['ratio']} | {summary['target']} | {summary['verdict']} |"
        )
    for script, text in details:
        lines += ["", f"### {script}", "", text or "(no output)"]
    report = "\n".join(lines) + "\n"
    print(report)
    if options.output:
        Path(options.output).write_text(report)
    failed = [s for s in summaries if s["verdict"] != "PASS"]
    if any(s["verdict"] == "ERROR" for s in failed) or (options.strict and failed):
        sys.exit(1)


if __name__ == "__main__":
    main()
