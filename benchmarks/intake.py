"""Counter intakes per second, with and without the Form 01 PDF.

Run: `.venv/bin/python benchmarks/intake.py [--count N]` (SQLite in a temporary file by
default; set DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench for PostgreSQL —
the database is created, migrated and emptied by the script). Prints a small table."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The folder itself never goes on the path: benchmarks/queue.py would hide the standard
# library's `queue` from everything imported after it.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
os.environ.setdefault("MOTCUA_SECRET_KEY", "benchmark-only")
os.environ.setdefault("MOTCUA_AUDIT_KEY", "bench:benchmark-only-audit-key")
os.environ.setdefault("MOTCUA_VAR_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        _reset_postgres()
    call_command("migrate", verbosity=0)
    officer, unit, version = _cast()

    from motcua.dossiers.actions import Applicant, receive_dossier
    from motcua.dossiers.printing import receipt_pdf

    def intake(with_pdf: bool) -> None:
        dossier = receive_dossier(
            by=officer,
            unit=unit,
            version=version,
            applicant=Applicant(name="Nguyễn Văn Bình", phone="0912345678"),
            channel="counter",
            components=version.component_names()[:2],
        )
        if with_pdf:
            receipt_pdf(dossier)

    intake(True)  # warm up fonts, templates and the calendar memo
    print(f"motcua intake benchmark — {connection.vendor}, {args.count} intakes per case")
    print(f"{'case':<28}{'intakes/s':>12}{'ms each':>12}")
    for label, with_pdf, count in (
        ("receive (no PDF)", False, args.count),
        ("receive + Form 01 PDF", True, max(20, args.count // 5)),
    ):
        started = time.perf_counter()
        for _ in range(count):
            intake(with_pdf)
        elapsed = time.perf_counter() - started
        print(f"{label:<28}{count / elapsed:>12.1f}{elapsed / count * 1000:>12.1f}")


def _reset_postgres() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def _cast():  # type: ignore[no-untyped-def]
    from importlib import resources

    from motcua.accounts.models import Membership, Role, User
    from motcua.catalog.models import Procedure, Unit
    from motcua.integrations.catalogue import import_catalogue

    text = resources.files("motcua.catalog").joinpath("data/demo_province.json").read_text("utf-8")
    import_catalogue(text)
    unit = Unit.objects.get(code="AH")
    officer, _ = User.objects.get_or_create(username="bench")
    Membership.objects.get_or_create(user=officer, unit=unit, role=Role.COUNTER_OFFICER)
    version = Procedure.objects.get(code="3.000333").current_version()
    return officer, unit, version


if __name__ == "__main__":
    main()
