"""Period report speed at province scale, next to the floor: one hand-written SQL aggregate
computing the same 28 counts on the same tables.

Run: `.venv/bin/python benchmarks/reports.py` (about 15 minutes the first time: it generates
the histories; later runs reuse them). One run measures two histories over the same five
years, each in its own process:
* 1 M dossiers of the demo province AH (`--database-url`, default motcua_bench, the database
  `benchmarks/lifecycle.py` also uses), with their events and steps;
* 10 M dossiers (`--large-database-url`, default motcua_bench_10m; `--no-large` skips it):
  AH with the same 1 M, and nine more provinces of AH's size (`_history.generate(provinces=10)`),
  so AH's months are exactly as full and only the history around them is ten times larger;
  dossiers, pauses and code counters only (the report reads no events or steps; with them
  the 10 M history needs ~55 GB of disk: `--large-with-events`).
A database without a complete history of that shape is migrated and filled first by
`benchmarks/_history.py`. For each: the latest full month, the same month four years earlier
and the last full calendar year, for the whole province (AH with its communes), best of 5
runs after a warm-up, next to the floor, with the rows the period touches; then how the
latest month's time compares between the two histories. The report's 28 counts are checked
against the floor's. No timing assertions anywhere."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
# The folder itself never goes on the path: benchmarks/queue.py would hide the standard
# library's `queue` from everything imported after it.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"

FLOOR_TEMPLATE = """
SELECT
  count(*) FILTER (WHERE d.received_at < %(t0)s AND (d.ended_at IS NULL OR d.ended_at >= %(t0)s)),
  count(*) FILTER (WHERE d.received_at >= %(t0)s AND d.received_at < %(t1)s),
  count(*) FILTER (WHERE d.received_at >= %(t0)s AND d.received_at < %(t1)s
                   AND d.channel = 'counter'),
  count(*) FILTER (WHERE d.received_at >= %(t0)s AND d.received_at < %(t1)s
                   AND d.channel = 'online'),
  count(*) FILTER (WHERE d.received_at >= %(t0)s AND d.received_at < %(t1)s
                   AND d.channel = 'postal'),
  count(*) FILTER (WHERE d.received_at < %(t1)s AND (d.ended_at IS NULL OR d.ended_at >= %(t0)s)),
  count(*) FILTER (WHERE {resolved}),
  count(*) FILTER (WHERE {resolved} AND {end_day} < {due_day}),
  count(*) FILTER (WHERE {resolved} AND {end_day} = {due_day}),
  count(*) FILTER (WHERE {resolved} AND {end_day} > {due_day}),
  count(*) FILTER (WHERE {ended} AND d.status IN ('RETURNED_NOT_RESOLVED', 'STOPPED')),
  count(*) FILTER (WHERE {ended} AND d.status = 'RETURNED_NOT_RESOLVED'),
  count(*) FILTER (WHERE {ended} AND d.status = 'STOPPED'),
  count(*) FILTER (WHERE {open_end}),
  count(*) FILTER (WHERE {open_end} AND NOT {waiting} AND {due_day} >= %(last_day)s),
  count(*) FILTER (WHERE {open_end} AND NOT {waiting} AND {due_day} < %(last_day)s),
  count(*) FILTER (WHERE {open_end} AND {waiting}),
  count(*) FILTER (WHERE d.delivered_at >= %(t0)s AND d.delivered_at < %(t1)s
                   AND d.delivered_via = 'postal'),
  count(*) FILTER (WHERE {resolved} AND {online}),
  count(*) FILTER (WHERE {resolved} AND {online} AND {end_day} < {due_day}),
  count(*) FILTER (WHERE {resolved} AND {online} AND {end_day} = {due_day}),
  count(*) FILTER (WHERE {resolved} AND {online} AND {end_day} > {due_day}),
  count(*) FILTER (WHERE {resolved} AND {online} AND d.channel = 'online'),
  count(*) FILTER (WHERE {resolved} AND d.five_on_spot),
  count(*) FILTER (WHERE {resolved} AND d.five_on_spot AND {end_day} < {due_day}),
  count(*) FILTER (WHERE {resolved} AND d.five_on_spot AND {end_day} = {due_day}),
  count(*) FILTER (WHERE {resolved} AND d.five_on_spot AND {end_day} > {due_day}),
  count(*) FILTER (WHERE {ended} AND d.status NOT IN
                   ('RESOLVED', 'RETURNED', 'RETURNED_NOT_RESOLVED', 'STOPPED'))
FROM dossiers_dossier d
JOIN catalog_procedureversion v ON v.id = d.procedure_version_id
WHERE d.receiving_unit_id = ANY(%(units)s)
  AND d.status NOT IN ('SUBMITTED', 'NEEDS_COMPLETION_AT_RECEPTION', 'REFUSED_AT_RECEPTION')
  AND (d.received_at >= %(t0)s AND d.received_at < %(t1)s
       OR d.ended_at >= %(t0)s AND d.ended_at < %(t1)s
       OR d.ended_at IS NULL AND d.received_at < %(t1)s
       OR d.ended_at >= %(t1)s AND d.received_at < %(t0)s
       OR d.delivered_at >= %(t0)s AND d.delivered_at < %(t1)s AND d.delivered_via = 'postal')
"""
# Constant fragments only; every value is a query parameter.
FRAGMENTS = {
    "ended": "d.ended_at >= %(t0)s AND d.ended_at < %(t1)s",
    "resolved": "d.ended_at >= %(t0)s AND d.ended_at < %(t1)s"
    " AND d.status IN ('RESOLVED', 'RETURNED')",
    "open_end": "d.received_at < %(t1)s AND (d.ended_at IS NULL OR d.ended_at >= %(t1)s)",
    "end_day": "(d.ended_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
    "due_day": "(coalesce(d.due_at_original, d.due_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
    "online": "v.online IN ('partial', 'full')",
    "waiting": "EXISTS (SELECT 1 FROM dossiers_supplementpause p WHERE p.dossier_id = d.id"
    " AND p.started_at < %(t1)s AND (p.ended_at IS NULL OR p.ended_at >= %(t1)s))",
}
FLOOR_SQL = FLOOR_TEMPLATE.format(**FRAGMENTS)
LARGE_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_10m"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--large-database-url", default=LARGE_URL)
    parser.add_argument("--large-dossiers", type=int, default=10_000_000)
    parser.add_argument(
        "--no-large", action="store_true", help="only the first history (skip the 10 M one)"
    )
    parser.add_argument(
        "--large-with-events",
        action="store_true",
        help="write the events and steps of the 10 M history too (~55 GB instead of ~10 GB)",
    )
    parser.add_argument("--lean", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--provinces", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for url in (args.database_url, args.large_database_url):
        if "bench" not in urlsplit(url).path:
            print("refusing a database whose name does not contain 'bench'")
            return 2
    if args.child:
        measured = _child(
            args.database_url, args.dossiers, args.runs, lean=args.lean, provinces=args.provinces
        )
        print(json.dumps(measured))
        return 0
    # The large history holds AH and as many more provinces of AH's size as it takes: AH's
    # months are as full as in the small one, only the history around them is larger.
    histories = [(args.database_url, args.dossiers, False, 1)]
    if not args.no_large:
        provinces = max(1, round(args.large_dossiers / args.dossiers))
        lean = not args.large_with_events
        histories.append((args.large_database_url, args.large_dossiers, lean, provinces))
    results = [_in_child(url, n, args.runs, lean, k) for url, n, lean, k in histories]
    _print(results)
    return 0


def _in_child(url: str, dossiers: int, runs: int, lean: bool, provinces: int) -> dict[str, Any]:
    """Measure one history in its own process (one Django set-up per database)."""
    _create_database(url)
    command = [sys.executable, __file__, "--child", "--database-url", url]
    command += ["--dossiers", str(dossiers), "--runs", str(runs)] + (["--lean"] if lean else [])
    command += ["--provinces", str(provinces)]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)  # the generator's progress, if it ran
    return dict(json.loads(lines[-1]))


def _create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def _child(url: str, dossiers: int, runs: int, *, lean: bool, provinces: int) -> dict[str, Any]:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "MOTCUA_SECRET_KEY": "benchmark-only",
            "MOTCUA_VAR_DIR": tempfile.mkdtemp(prefix="motcua-bench-"),
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
            "MOTCUA_DEBUG": "1",
        }
    )
    import django

    django.setup()
    from django.db import connection

    from benchmarks import _history

    history = _ensure_history(dossiers, _history, events=not lean, provinces=provinces)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM dossiers_dossierevent WHERE dossier_id = %s)",
            [history.last_id],
        )
        with_events = bool(cursor.fetchone()[0])
    month_start, month_end = _last_full_month(history.last_day)
    old_start, old_end = (
        month_start.replace(year=month_start.year - 4),
        month_end.replace(year=month_end.year - 4),
    )
    year_start, year_end = (
        date(history.last_day.year - 1, 1, 1),
        date(history.last_day.year - 1, 12, 31),
    )
    cases = []
    for label, start, end in (
        (f"month {month_start:%Y-%m}", month_start, month_end),
        (f"month {old_start:%Y-%m}", old_start, old_end),
        (f"year {year_start:%Y}", year_start, year_end),
    ):
        report_ms, floor_ms, rows, mismatch = _measure(start, end, runs)
        cases.append(
            {
                "case": label,
                "report_ms": report_ms,
                "floor_ms": floor_ms,
                "rows": rows,
                "mismatch": mismatch,
            }
        )
    return {
        "dossiers": history.dossiers,
        "events": with_events,
        "provinces": history.provinces,
        "first_day": history.first_day.isoformat(),
        "last_day": history.last_day.isoformat(),
        "cases": cases,
    }


def _print(results: list[dict[str, Any]]) -> None:
    print("motcua report benchmark — PostgreSQL, province AH with its sub-units, best of the runs")
    print("report = build_report (figures + ratings); floor = one hand-written SQL aggregate of")
    print("the same 28 counts; rows = dossiers the period touches (the aggregate's input)")
    head = f"{'history':>12} {'case':<16}{'rows':>9}{'report ms':>11}{'floor ms':>10}"
    print(head + f"{'ratio':>7}{'µs/row':>8}")
    for result in results:
        if not result["events"] or result["provinces"] > 1:
            lean = "dossiers, pauses and code counters, no events or steps; "
            print(
                f"({result['dossiers']:,}: {lean if not result['events'] else ''}AH and "
                f"{result['provinces'] - 1} more provinces of its size)"
            )
        for case in result["cases"]:
            ratio = case["report_ms"] / case["floor_ms"]
            per_row = case["report_ms"] * 1000 / max(case["rows"], 1)
            print(
                f"{result['dossiers']:>12,} {case['case']:<16}{case['rows']:>9,}"
                f"{case['report_ms']:>11.1f}{case['floor_ms']:>10.1f}{ratio:>7.2f}{per_row:>8.2f}"
            )
            if case["mismatch"]:
                print(f"  MISMATCH {case['mismatch']}")
    if len(results) == 2:
        small, large = (r["cases"][0] for r in results)
        print(
            f"latest month: {large['report_ms'] / small['report_ms']:.2f}× the time on "
            f"{results[1]['dossiers'] / results[0]['dossiers']:.0f}× the history, for "
            f"{large['rows'] / max(small['rows'], 1):.2f}× the dossiers in the month"
        )


def _ensure_history(dossiers: int, history_module: Any, *, events: bool, provinces: int) -> Any:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    existing = history_module.history_range()
    if existing is not None and (existing.dossiers, existing.provinces) == (dossiers, provinces):
        return existing
    if existing is not None:
        raise SystemExit(
            f"the database holds another history ({existing.dossiers:,} dossiers, "
            f"{existing.provinces} provinces): drop it or choose another database"
        )
    call_command("demo", "--no-history", "--quiet")
    return history_module.generate(dossiers=dossiers, events=events, provinces=provinces)


def _last_full_month(day: date) -> tuple[date, date]:
    first_this = day.replace(day=1)
    end = first_this - timedelta(days=1)
    return end.replace(day=1), end


def _best(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    result = call()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), result


def _measure(start: date, end: date, runs: int) -> tuple[float, float, int, str]:
    from django.db import connection

    from motcua.catalog.models import Unit
    from motcua.reports.figures import KEYS, ReportSpec, candidates
    from motcua.reports.periods import bounds
    from motcua.reports.report import build_report

    unit = Unit.objects.get(code="AH")
    t0, t1 = bounds(start, end, ZoneInfo("Asia/Ho_Chi_Minh"))
    # the ids of the province's units, looked up first (as the report does: a sub-select
    # leaves the planner blind to how few rows they select)
    units = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    params: dict[str, Any] = {"t0": t0, "t1": t1, "last_day": end, "units": units}

    def floor() -> tuple[int, ...]:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute(FLOOR_SQL, params)
            return tuple(cursor.fetchone())

    def report() -> Any:  # a new spec each time: nothing cached between runs
        return build_report(ReportSpec(unit=unit, start=start, end=end))

    report_ms, built = _best(report, runs)
    floor_ms, counts = _best(floor, runs)
    rows = candidates(ReportSpec(unit=unit, start=start, end=end)).count()
    mine = tuple(built.figures[key] for key in KEYS)
    mismatch = "" if mine == counts else f"report {mine} vs floor {counts}"
    return report_ms, floor_ms, rows, mismatch


if __name__ == "__main__":
    sys.exit(main())
