"""Outbox delivery: messages delivered per second, and the delay from event to delivery, with 1
and then 4 `motcua db_worker` processes POSTing to a webhook receiver on 127.0.0.1.

Run: `.venv/bin/python benchmarks/outbox.py [--count 100000] [--workers 1,4]
[--database-url postgres://postgres@127.0.0.1:5432/motcua_outbox_bench]` (SQLite in a
temporary file by default). The database is created if missing, and emptied and migrated by
the script for each round: never point it at a database you keep.

Each round (one per worker count) measures, on a fresh database:
1. Setup, not timed: `--dossiers` dossiers received through `receive_dossier`, each writing
   its first webhook message through the real outbox path (`append_event` → `record_event`,
   delivery task queued in the transaction). The rest of `--count` messages are bulk-written
   (rows and their queued tasks, in the order the real path would queue them), spread over
   those dossiers in turns — dossier 1's 2nd message, dossier 2's 2nd…: `count / dossiers`
   messages per dossier, which must be delivered in order. Bulk messages name synthetic
   event ids (no event rows behind them: the webhook only sends the stored payload).
2. Backlog: the workers start and drain it. Printed: messages delivered per second (first
   to last delivery at the receiver, so the workers' start-up is not counted; with it, in
   brackets), and the delay of each message from the workers' start to its delivery, p50 and
   p99 — the time a backlog of that size waits.
3. Live: with the workers idle and still running, `--live` events are appended through the
   real actions, one transaction each, at most `--rate` per second. Printed: delay from each
   event's commit to its delivery at the receiver, p50 and p99 (the workers poll the queue
   every `--interval` seconds).
The receiver checks every signature and counts duplicate deliveries (by idempotency key)
and order breaks per dossier; both must be 0."""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The folder itself never goes on the path: benchmarks/queue.py would hide the standard
# library's `queue` from everything imported after it.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
SECRET = "benchmark-only-webhook-secret"  # noqa: S105  (a throwaway, loopback only)
os.environ.setdefault("MOTCUA_SECRET_KEY", "benchmark-only")
os.environ.setdefault("MOTCUA_AUDIT_KEY", "bench:benchmark-only-audit-key")
os.environ.setdefault("MOTCUA_VAR_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
os.environ["MOTCUA_OUTBOX_DESTINATIONS"] = "webhook"
os.environ["MOTCUA_OUTBOX_WEBHOOK_SECRET"] = SECRET
os.environ["MOTCUA_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000, help="messages in the backlog")
    parser.add_argument("--dossiers", type=int, default=500, help="received for real")
    parser.add_argument("--workers", default="1,4", help="worker counts, one round each")
    parser.add_argument("--live", type=int, default=200, help="live events after the backlog")
    parser.add_argument("--rate", type=float, default=50.0, help="live events per second")
    parser.add_argument("--interval", type=float, default=0.05, help="workers' poll interval")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['MOTCUA_VAR_DIR']}/outbox.sqlite3"
    if os.environ["DATABASE_URL"].rsplit("/", 1)[-1].split("?")[0] == "motcua_bench":
        sys.exit("motcua_bench belongs to the other benchmarks: choose another database")
    _create_postgres_database(os.environ["DATABASE_URL"])

    from tests.outbox.receiver import receiver_running

    with receiver_running(SECRET) as receiver:
        os.environ["MOTCUA_OUTBOX_WEBHOOK_URL"] = receiver.url
        import django

        django.setup()
        from django.db import connection

        print(
            f"motcua outbox benchmark — {connection.vendor}, {args.count} messages in the "
            f"backlog over {args.dossiers} dossiers, {args.live} live events"
        )
        print(
            f"{'workers':>7}{'msg/s':>10}{'(w/ start)':>12}{'backlog p50':>13}{'p99':>9}"
            f"{'live p50':>11}{'p99':>9}{'dupes':>7}{'order':>7}"
        )
        for workers in [int(n) for n in args.workers.split(",")]:
            receiver.accepted.clear()
            receiver.accepted_keys.clear()
            receiver.keys_seen.clear()
            one_round(args, workers, receiver)


def one_round(args: argparse.Namespace, workers: int, receiver: Any) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        connection.close()
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    officer, unit, version = _cast()
    dossiers = _receive(officer, unit, version, args.dossiers)
    _bulk(dossiers, args.count - len(dossiers))
    connection.close()

    started = time.time()
    processes = [_worker(n, args.interval) for n in range(workers)]
    try:
        _wait_for(receiver, args.count, timeout=3600)
        drained = time.time()
        times = sorted(item.at for item in receiver.accepted)
        rate = len(times) / max(times[-1] - times[0], 1e-9)
        with_start = len(times) / (drained - started)
        backlog = [t - started for t in times]
        live = _live(args, officer, receiver)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    dupes = len(receiver.keys_seen) - len(set(receiver.keys_seen))
    print(
        f"{workers:>7}{rate:>10.0f}{with_start:>12.0f}{_pct(backlog, 50):>12.1f}s"
        f"{_pct(backlog, 99):>8.1f}s{_pct(live, 50) * 1000:>9.0f}ms{_pct(live, 99) * 1000:>7.0f}ms"
        f"{dupes:>7}{_order_breaks(receiver):>7}",
        flush=True,
    )


def _receive(officer: Any, unit: Any, version: Any, count: int) -> list[Any]:
    from motcua.dossiers.actions import Applicant, receive_dossier

    return [
        receive_dossier(
            by=officer,
            unit=unit,
            version=version,
            applicant=Applicant(name="Nguyễn Văn Bình"),
            channel="counter",
            components=version.component_names()[:1],
        )
        for _ in range(count)
    ]


def _bulk(dossiers: list[Any], count: int) -> None:
    """`count` more messages and their queued tasks, written directly (setup, not timed)."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult, get_date_max

    from motcua.core.clock import now
    from motcua.outbox.models import OutboxMessage, idempotency_key
    from motcua.outbox.services import payload
    from motcua.outbox.tasks import deliver_message

    first_events = {
        m.dossier_id: m.event for m in OutboxMessage.objects.select_related("event", "dossier")
    }
    enqueued = DBTaskResult._meta.get_field("enqueued_at")
    enqueued.auto_now_add = False  # type: ignore[attr-defined]  # keep the order given here
    base = now()
    synthetic = 1_000_000_000
    done = 0
    while done < count:
        rows = []
        for n in range(done, min(done + BATCH, count)):
            dossier = dossiers[n % len(dossiers)]
            sequence = n // len(dossiers) + 2
            event = first_events[dossier.pk]
            event.pk = event_id = synthetic + n
            key = idempotency_key(event_id, "webhook")
            rows.append(
                OutboxMessage(
                    destination="webhook",
                    dossier_id=dossier.pk,
                    event_id=event_id,
                    event_type=event.type,
                    sequence=sequence,
                    idempotency_key=key,
                    payload=payload(
                        event, dossier=dossier, destination="webhook", key=key, sequence=sequence
                    ),
                    created_at=base,
                )
            )
        with transaction.atomic():
            written = OutboxMessage.objects.bulk_create(rows)
            moment = now()
            DBTaskResult.objects.bulk_create(
                DBTaskResult(
                    id=uuid.uuid4(),
                    args_kwargs={"args": [message.pk], "kwargs": {}},
                    priority=deliver_message.priority,
                    task_path=deliver_message.module_path,
                    queue_name=deliver_message.queue_name,
                    run_after=get_date_max(),
                    backend_name="default",
                    enqueued_at=moment + timedelta(microseconds=i),
                )
                for i, message in enumerate(written)
            )
        done += len(rows)
    enqueued.auto_now_add = True  # type: ignore[attr-defined]


def _live(args: argparse.Namespace, officer: Any, receiver: Any) -> list[float]:
    from django.db import transaction

    from motcua.core.clock import now
    from motcua.dossiers.actions import append_event
    from motcua.dossiers.models import Dossier, EventType
    from motcua.outbox.models import OutboxMessage

    dossiers = list(Dossier.objects.order_by("pk")[: max(args.live, 1)])
    committed: dict[str, float] = {}
    for n in range(args.live):
        dossier = dossiers[n % len(dossiers)]
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            event = append_event(locked, type=EventType.APPRAISED, at=now(), by=officer)
        key = OutboxMessage.objects.get(event=event).idempotency_key
        committed[key] = time.time()
        time.sleep(1 / args.rate)
    _wait_for(receiver, len(receiver.accepted_keys | committed.keys()), timeout=600)
    at = {item.key: item.at for item in receiver.accepted if item.key in committed}
    return [at[key] - moment for key, moment in committed.items()]


def _order_breaks(receiver: Any) -> int:
    last: dict[str, int] = {}
    breaks = 0
    for item in receiver.accepted:
        dossier, sequence = item.payload["dossier"], item.payload["sequence"]
        if sequence != last.get(dossier, 0) + 1:
            breaks += 1
        last[dossier] = sequence
    return breaks


def _wait_for(receiver: Any, count: int, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.accepted_keys) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up: {len(receiver.accepted_keys)} of {count} delivered")
        time.sleep(0.01)


def _worker(n: int, interval: float) -> subprocess.Popen[bytes]:
    argv = [str(Path(sys.executable).parent / "motcua"), "db_worker", "--no-startup-delay"]
    argv += ["--interval", str(interval), "--worker-id", f"bench-{n}", "--no-reload"]
    log = Path(os.environ["MOTCUA_VAR_DIR"]) / f"worker-{n}.log"
    with log.open("ab") as out:
        return subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def _pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def _create_postgres_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[-1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


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
