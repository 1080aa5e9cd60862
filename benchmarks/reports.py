"""Period report speed at province scale, next to the floor: one hand-written SQL aggregate
computing the same counts on the same tables.

Run: `.venv/bin/python benchmarks/reports.py [--database-url postgres://…/motcua_bench]
[--dossiers 1000000]`. It reuses the history that `benchmarks/lifecycle.py` generates (same
database, same generator in `benchmarks/_history.py`); a database without it is migrated and
filled first. For the 1 M versus 10 M comparison run it twice, on two databases, e.g.
`--database-url postgres://postgres@127.0.0.1:5432/motcua_bench_10m --dossiers 10000000`.
Prints the monthly and yearly report for the whole province (AH with its communes), best of 5
runs after a warm-up, and the ratio to the floor. No timing assertions anywhere."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"

FLOOR_SQL = """
SELECT
  count(*) FILTER (WHERE d.received_at < %(t0)s AND (d.ended_at IS NULL OR d.ended_at >= %(t0)s)),
  count(*) FILTER (WHERE d.received_at >= %(t0)s AND d.received_at < %(t1)s),
  count(*) FILTER (WHERE d.received_at >= %(t0)s AND d.received_at < %(t1)s
                   AND d.channel = 'online'),
  count(*) FILTER (WHERE d.ended_at >= %(t0)s AND d.ended_at < %(t1)s
                   AND d.status IN ('RESOLVED', 'RETURNED')),
  count(*) FILTER (WHERE d.ended_at >= %(t0)s AND d.ended_at < %(t1)s
                   AND d.status IN ('RESOLVED', 'RETURNED')
                   AND (d.ended_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                     > (coalesce(d.due_at_original, d.due_at)
                        AT TIME ZONE 'Asia/Ho_Chi_Minh')::date),
  count(*) FILTER (WHERE d.ended_at >= %(t0)s AND d.ended_at < %(t1)s
                   AND d.status IN ('STOPPED', 'RETURNED_NOT_RESOLVED')),
  count(*) FILTER (WHERE d.received_at < %(t1)s AND (d.ended_at IS NULL OR d.ended_at >= %(t1)s))
FROM dossiers_dossier d
WHERE d.receiving_unit_id IN (SELECT id FROM catalog_unit WHERE path LIKE %(path)s)
  AND (d.received_at >= %(t0)s AND d.received_at < %(t1)s
       OR d.ended_at >= %(t0)s AND d.ended_at < %(t1)s
       OR d.ended_at IS NULL AND d.received_at < %(t1)s
       OR d.ended_at >= %(t1)s AND d.received_at < %(t0)s)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if "bench" not in urlsplit(args.database_url).path:
        print("refusing a database whose name does not contain 'bench'")
        return 2
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "MOTCUA_SECRET_KEY": "benchmark-only",
            "MOTCUA_VAR_DIR": tempfile.mkdtemp(prefix="motcua-bench-"),
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
            "MOTCUA_DEBUG": "1",
        }
    )
    import django

    django.setup()
    from benchmarks import _history

    history = _ensure_history(args.dossiers, _history)
    month_start, month_end = _last_full_month(history.last_day)
    year_start, year_end = (
        date(history.last_day.year - 1, 1, 1),
        date(history.last_day.year - 1, 12, 31),
    )
    print(
        f"motcua report benchmark — {history.dossiers:,} dossiers of history "
        f"({history.first_day} → {history.last_day}), PostgreSQL, province AH with sub-units"
    )
    print(f"{'case':<34}{'report ms':>11}{'floor ms':>10}{'ratio':>8}")
    for label, start, end in (
        ("month " + f"{month_start:%Y-%m}", month_start, month_end),
        ("year " + f"{year_start:%Y}", year_start, year_end),
    ):
        report_ms, floor_ms, figures, floor = _measure(start, end, args.runs)
        _check(figures, floor)
        print(f"{label:<34}{report_ms:>11.1f}{floor_ms:>10.1f}{report_ms / floor_ms:>8.2f}")
    return 0


def _ensure_history(dossiers: int, history_module: Any) -> Any:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    existing = history_module.history_range()
    if existing is not None and existing.dossiers == dossiers:
        return existing
    call_command("demo", "--no-history", "--quiet")
    return history_module.generate(dossiers=dossiers)


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


def _measure(start: date, end: date, runs: int) -> tuple[float, float, Any, Any]:
    from django.db import connection

    from motcua.catalog.models import Unit
    from motcua.reports.figures import ReportSpec, compute
    from motcua.reports.periods import bounds

    unit = Unit.objects.get(code="AH")
    spec = ReportSpec(unit=unit, start=start, end=end)
    t0, t1 = bounds(start, end, ZoneInfo("Asia/Ho_Chi_Minh"))

    def floor() -> tuple[int, ...]:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute(FLOOR_SQL, {"t0": t0, "t1": t1, "path": unit.path + "%"})
            return tuple(cursor.fetchone())

    report_ms, figures = _best(lambda: compute(spec), runs)
    floor_ms, counts = _best(floor, runs)
    return report_ms, floor_ms, figures, counts


def _check(figures: Any, floor: tuple[int, ...]) -> None:
    """The floor counts the same things: a mismatch means one of them is wrong."""
    get = figures.__getitem__
    mine = (
        get("carried_over"),
        get("received.total"),
        get("received.online"),
        get("resolved.total"),
        get("resolved.late"),
        get("returned.total"),
        get("pending.total"),
    )
    if mine != floor:
        print(f"  MISMATCH report {mine} vs floor {floor}")


if __name__ == "__main__":
    sys.exit(main())
