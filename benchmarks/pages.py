"""Server time of the pages people open all day, next to the 300 ms floor.

Run: `.venv/bin/python benchmarks/pages.py [--database-url URL] [--requests 30]`.
* Without `--database-url`: a fresh SQLite file with the demo province (`motcua demo`,
  with its history), made in a temporary folder.
* With `--database-url postgres://postgres@127.0.0.1:5432/motcua_bench`: the benchmark
  history as `benchmarks/reports.py` or `benchmarks/lifecycle.py` left it (1 M dossiers of
  the demo province); only a database whose name contains "bench" is accepted there, since the
  intake submissions write to it.

Each page is requested in-process through the whole Django stack (middleware, sessions,
access rules, templates; DEBUG off), as the persona who uses it, `--requests` times after two
untimed requests; the time of each request is what the server spends on it (no network). It
prints p50 and p95 in milliseconds for each page. No timing is asserted anywhere."""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# The folder itself never goes on the path: benchmarks/queue.py would hide the standard
# library's `queue` from everything imported after it.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
FLOOR_MS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    environment = {
        "MOTCUA_SECRET_KEY": "benchmark-only",
        "MOTCUA_AUDIT_KEY": "bench:benchmark-only-audit-key",
        "MOTCUA_VAR_DIR": tempfile.mkdtemp(prefix="motcua-pages-"),
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_HTTPS": "0",
    }
    if args.database_url:
        if "bench" not in urlsplit(args.database_url).path:
            print("refusing a database whose name does not contain 'bench'")
            return 2
        environment["DATABASE_URL"] = args.database_url
        label = f"PostgreSQL {urlsplit(args.database_url).path.lstrip('/')}"
    else:
        database = Path(environment["MOTCUA_VAR_DIR"]) / "demo.sqlite3"
        environment["DATABASE_URL"] = f"sqlite:///{database}"
        label = "SQLite, demo province"
    os.environ.update(environment)
    if not args.database_url:
        _load_demo(environment)
    import django

    django.setup()
    return _measure(label, args.requests)


def _load_demo(environment: dict[str, str]) -> None:
    """The demo loads known passwords, so only under MOTCUA_DEBUG=1: in its own process."""
    motcua = [str(Path(sys.executable).with_name("motcua"))]
    demo_env = os.environ | environment | {"MOTCUA_DEBUG": "1"}
    subprocess.run([*motcua, "migrate", "--verbosity", "0"], check=True, env=demo_env)
    subprocess.run([*motcua, "demo", "--quiet"], check=True, env=demo_env)


def _measure(label: str, requests: int) -> int:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier

    connection.ensure_connection()
    people = {name: User.objects.get(username=name) for name in PEOPLE}
    clients: dict[str, Client] = {}
    for name, user in people.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(user)
        clients[name] = client
    # A fresh documentation address (TEST-NET-2) each run: the public pages' throttle counts
    # per address in the database, and a second run soon after would meet the first's count.
    public = Client(
        HTTP_ACCEPT_LANGUAGE="vi", REMOTE_ADDR=f"198.51.100.{secrets.randbelow(254) + 1}"
    )
    today = timezone.localdate()
    month = today.replace(day=1)
    last_month = (month - _days(1)).replace(day=1)
    open_here = (
        Dossier.objects.filter(receiving_unit__code="AH", ended_at__isnull=True)
        .order_by("-received_at")
        .values_list("code", flat=True)
    )
    desk_code = (
        open_here.first() or Dossier.objects.order_by("-id").values_list("code", flat=True)[0]
    )
    counted = Dossier.objects.count()

    period = {"don-vi": "AH", "tu": last_month.isoformat(), "den": (month - _days(1)).isoformat()}
    version = _a_version_in_force()
    pages: list[tuple[str, Callable[[], Any], int]] = [
        (
            "landing after login (counter)",
            lambda: clients["quay.tinh"].get("/quay/", follow=True),
            200,
        ),
        (
            "landing after login (director)",
            lambda: clients["giamdoc"].get("/quay/", follow=True),
            200,
        ),
        ("inbox (counter)", lambda: clients["quay.tinh"].get("/quay/viec-can-lam/"), 200),
        ("inbox (specialist)", lambda: clients["chuyenvien.pv06"].get("/quay/viec-can-lam/"), 200),
        ("dashboard, last month", lambda: clients["giamdoc"].get("/quay/bao-cao/", period), 200),
        ("dashboard, default", lambda: clients["giamdoc"].get("/quay/bao-cao/"), 200),
        (
            "drill-down, received",
            lambda: clients["giamdoc"].get(
                "/quay/bao-cao/ho-so/", period | {"chi-so": "received.total"}
            ),
            200,
        ),
        ("dossier desk", lambda: clients["quay.tinh"].get(f"/quay/ho-so/{desk_code}/"), 200),
        (
            "intake form",
            lambda: clients["quay.tinh"].get("/quay/tiep-nhan/", {"version": version.pk}),
            200,
        ),
        ("intake submission", lambda: _submit_intake(clients["quay.tinh"], version), 302),
        ("public lookup", lambda: public.get(f"/tra-cuu/{desk_code}/"), 200),
        ("public statistics", lambda: public.get("/thong-ke/"), 200),
    ]
    print(f"motcua pages — {label}, {counted:,} dossiers, {requests} requests each")
    print(f"{'page':<34}{'p50 ms':>9}{'p95 ms':>9}{'floor':>8}  status")
    failures = 0
    for name, call, expected in pages:
        times: list[float] = []
        status = 0
        for attempt in range(requests + 2):
            started = time.perf_counter()
            response = call()
            elapsed = (time.perf_counter() - started) * 1000
            status = response.status_code
            if attempt >= 2:
                times.append(elapsed)
            if status != expected:
                break
        if status != expected or not times:
            failures += 1
            print(f"{name:<34}{'':>9}{'':>9}{FLOOR_MS:>8.0f}  HTTP {status}, expected {expected}")
            continue
        p50 = statistics.median(times)
        p95 = _percentile(times, 95)
        mark = "ok" if p95 <= FLOOR_MS else "over"
        print(f"{name:<34}{p50:>9.1f}{p95:>9.1f}{FLOOR_MS:>8.0f}  {mark}")
    return 1 if failures else 0


PEOPLE = ("quay.tinh", "giamdoc", "chuyenvien.pv06")


def _days(n: int) -> Any:
    from datetime import timedelta

    return timedelta(days=n)


def _a_version_in_force() -> Any:
    from django.utils import timezone

    from motcua.catalog.models import ProcedureVersion, in_force_on

    return (
        ProcedureVersion.objects.filter(
            in_force_on(timezone.localdate()), procedure__code="3.000333"
        )
        .order_by("-pk")
        .first()
    )


def _submit_intake(client: Any, version: Any) -> Any:
    names = version.component_names()
    data = {
        "unit": _unit_id("AH"),
        "version": version.pk,
        "applicant_name": "Nguyễn Văn Bình",
        "applicant_phone": "0912345678",
        "channel": "counter",
        "components": names[:2],
        "sets_count": 1,
        "return_channel": "counter",
    }
    return client.post("/quay/tiep-nhan/", data)


def _unit_id(code: str) -> int:
    from motcua.catalog.models import Unit

    return int(Unit.objects.get(code=code).pk)


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered)) - 1))
    return ordered[index]


if __name__ == "__main__":
    raise SystemExit(main())
