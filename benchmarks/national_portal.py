"""National portal connector: dossiers taken per second by `motcua portal pull` (each with one
PDF in Base64, checked and stored as an upload, and acknowledged), and status records
delivered per second to the portal through the outbox's task path, against the stand-in
portal of the tests on 127.0.0.1.

Run: `.venv/bin/python benchmarks/national_portal.py [--dossiers 500]
[--database-url postgres://postgres@127.0.0.1:5432/motcua_portal_bench]` (SQLite in a
temporary file by default). The database is emptied and migrated by the script: never point
it at a database you keep. One worker, run in this process as `motcua db_worker` runs each
task (claim, run, record). Printed: dossiers per second pulled, statuses per second
delivered, and the checks that must hold (one dossier per MaHoSo, every status taken once,
in order per dossier)."""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the project first, and not this folder (its queue.py would hide the standard library's)
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
SECRET = "benchmark-only-portal-secret"  # noqa: S105  (a throwaway, loopback only)
os.environ.setdefault("MOTCUA_SECRET_KEY", "benchmark-only")
os.environ.setdefault("MOTCUA_AUDIT_KEY", "bench:benchmark-only-audit-key")
os.environ.setdefault("MOTCUA_VAR_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
os.environ["MOTCUA_OUTBOX_DESTINATIONS"] = "national_portal"
os.environ["MOTCUA_NATIONAL_PORTAL_SECRET"] = SECRET
os.environ["MOTCUA_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = (
        args.database_url or f"sqlite:///{os.environ['MOTCUA_VAR_DIR']}/portal.sqlite3"
    )
    if os.environ["DATABASE_URL"].rsplit("/", 1)[-1].split("?")[0] == "motcua_bench":
        sys.exit("motcua_bench belongs to the other benchmarks: choose another database")

    from tests.integrations.portal_standin import standin_running

    with standin_running(SECRET) as portal:
        os.environ["MOTCUA_NATIONAL_PORTAL_URL"] = portal.url
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("migrate", verbosity=0)
        from motcua.catalog.models import Procedure
        from motcua.integrations.catalogue import import_catalogue
        from motcua.integrations.national_portal import inbound
        from motcua.outbox.models import OutboxMessage
        from tests.conftest import demo_catalogue_text
        from tests.documents.test_documents import pdf_bytes

        import_catalogue(demo_catalogue_text(), filename="demo_province.json")
        version = Procedure.objects.get(code="3.000333").current_version()
        assert version is not None
        component = version.component_names()[0]
        for n in range(args.dossiers):
            portal.offer(
                {
                    "MaHoSo": f"G22.99-261102-{n:05d}",
                    "MaTTHC": "3.000333",
                    "MaDonViTiepNhan": "000.00.01.H99",
                    "NgayNopHoSo": "20261102090000",
                    "ChuHoSo": "Trần Thị Bình",
                    "SoDienThoai": "0912345678",
                    "TaiLieuNop": [
                        {
                            "TenTepDinhKem": "to-khai.pdf",
                            "TenThanhPhanHoSo": component,
                            "Base64": base64.b64encode(pdf_bytes(f"to khai {n}")).decode(),
                        }
                    ],
                }
            )
        print(f"motcua national portal benchmark — {connection.vendor}, {args.dossiers} dossiers")
        started = time.perf_counter()
        summary = inbound.pull()
        pulled = time.perf_counter() - started
        started = time.perf_counter()
        _drain()
        delivered = time.perf_counter() - started
        sent = OutboxMessage.objects.filter(destination="national_portal").count()
        taken, statuses = len(summary.received), len(portal.statuses)
        print(f"pulled: {taken} in {pulled:.1f} s = {taken / pulled:.1f} dossiers/s")
        print(
            f"statuses delivered: {statuses} of {sent} in {delivered:.1f} s"
            f" = {statuses / delivered:.1f}/s"
        )
        codes = [s["MaHoSo"] for s in portal.statuses]
        print(
            f"refused: {len(summary.refused)}, duplicate statuses: {len(codes) - len(set(codes))}"
        )


def _drain() -> None:
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench-worker",
        excluded_queue_names=[],
    )
    while (ready := DBTaskResult.objects.ready().first()) is not None:
        ready.claim(worker.worker_id)
        worker.run_task(ready)


if __name__ == "__main__":
    main()
