"""Chaos: a bounded load of intakes and transfers through gunicorn, with the task worker sending
the notifications, while web workers, the gunicorn master and task workers are killed at
random (SIGKILL) and the database connections are cut; then what was acknowledged against
what is stored.

Run: `.venv/bin/python benchmarks/chaos.py [--seconds 120] [--kills 20] [--cuts 6]
[--clients 4] [--web-workers 3] [--task-workers 2] [--seed N]`

1. The database `motcua_chaos` on `CHAOS_SERVER` (default postgres://postgres@127.0.0.1:5432)
   is dropped and created, migrated, and given the demo catalogue, a counter officer at AH
   and an API token. A real SMTP server runs on 127.0.0.1 and counts Message-IDs.
2. gunicorn and the task workers run as in deploy/systemd (same options, the production
   heartbeat and timeout), under a small supervisor that restarts whatever dies after 2 s
   (`RestartSec`); when the master dies, its remaining workers are killed first, as systemd
   does with the unit's processes.
3. `--clients` clients, for `--seconds`: receive a dossier (with an e-mail address, hence one
   notification), then transfer it; each POST has its own Idempotency-Key, and a request
   without an answer (connection lost, 5xx, 409 in progress) is retried with the same key
   until answered, for at most 90 s. Meanwhile `--kills` kills (web worker, master, task
   worker, chosen at random) and `--cuts` pg_terminate_backend of every session, at random
   moments.
4. Everything is restarted, then the script waits a minute and counts: acknowledged vs stored
   dossiers and events, duplicates, tasks still running or due, notifications still pending,
   Message-IDs delivered more than once, and `motcua audit verify`.

Exits 0 when nothing is lost, duplicated or stuck, no request got a 5xx other than 503, and
the audit passes; 1 otherwise."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The folder itself never goes on the path: benchmarks/queue.py would hide the standard
# library's `queue` from everything imported after it.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

SERVER = os.environ.get("CHAOS_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = "motcua_chaos"
PROCEDURE, UNIT = "3.000333", "AH"
RESTART_DELAY = 2.0  # RestartSec in deploy/systemd
GIVE_UP = 90.0  # a client stops retrying one request after this many seconds
SETTLE = 60.0  # "after a minute"
KINDS = {"web worker": 10, "master": 3, "task worker": 7}  # relative odds of each kill


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--cuts", type=int, default=6)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    var_dir = Path(tempfile.mkdtemp(prefix="motcua-chaos-"))
    database_url = f"{SERVER}/{DATABASE}"
    _recreate_database()
    token, components = _prepare(database_url, var_dir)

    from tests.notifications.smtp import free_port, smtp_server

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command

    with smtp_server() as sink:
        env = _environment(database_url, var_dir, sink.port)
        port = free_port()
        web = Service("gunicorn", _gunicorn_argv(port, args.web_workers), env, var_dir)
        workers = [
            Service(f"task-worker-{n}", _worker_argv(), env, var_dir)
            for n in range(1, args.task_workers + 1)
        ]
        supervisor = Supervisor([web, *workers])
        supervisor.start()
        try:
            client = Client(port, token, components)
            client.wait_until_up()
            print(f"motcua chaos — seed {seed}, {args.seconds:.0f} s, {args.clients} clients, ")
            print(f"  gunicorn {args.web_workers} workers, {args.task_workers} task workers")
            chaos = Chaos(random.Random(seed), web, workers, args)
            ledger = _run_load(client, chaos, args)
            supervisor.wait_all_running()
            print(f"load over; everything restarted; waiting {SETTLE:.0f} s before counting…")
            time.sleep(SETTLE)
            return _report(ledger, chaos, sink, [web, *workers], env)
        finally:
            supervisor.stop()


# --- set-up ------------------------------------------------------------------------------------


def _admin() -> Any:
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _recreate_database() -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')


def _prepare(database_url: str, var_dir: Path) -> tuple[str, list[str]]:
    """Migrate and load the cast in this process; returns the API token and the components
    of the procedure's intake."""
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="motcua.config.settings",
        MOTCUA_SECRET_KEY="chaos-only-" + uuid.uuid4().hex,
        # the audit key seals the event log; `audit verify` at the end needs the same one
        MOTCUA_AUDIT_KEY=os.environ.get("MOTCUA_AUDIT_KEY", "chaos:" + uuid.uuid4().hex),
        MOTCUA_VAR_DIR=str(var_dir),
        MOTCUA_HTTPS="0",
    )
    import django

    django.setup()
    from importlib import resources

    from django.core.management import call_command

    from motcua.accounts.models import Membership, Role, User
    from motcua.api.auth import issue_token
    from motcua.catalog.models import Procedure, Unit
    from motcua.integrations.catalogue import import_catalogue

    call_command("migrate", verbosity=0)
    catalogue = resources.files("motcua.catalog").joinpath("data/demo_province.json")
    import_catalogue(catalogue.read_text(encoding="utf-8"), filename="demo_province.json")
    officer = User.objects.create_user(username="quay.chaos", full_name="Quầy Chaos")
    Membership.objects.create(
        user=officer, unit=Unit.objects.get(code=UNIT), role=Role.COUNTER_OFFICER
    )
    version = Procedure.objects.get(code=PROCEDURE).current_version()
    assert version is not None
    return issue_token(user=officer, name="chaos")[1], version.component_names()[:1]


def _environment(database_url: str, var_dir: Path, smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_VAR_DIR": str(var_dir),
        "MOTCUA_HTTPS": "0",
        "MOTCUA_LOG_LEVEL": "WARNING",
        "MOTCUA_EMAIL_HOST": "127.0.0.1",
        "MOTCUA_EMAIL_PORT": str(smtp_port),
        "PYTHONPATH": str(ROOT),
    }


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _gunicorn_argv(port: int, workers: int) -> list[str]:
    """As deploy/systemd/motcua-web.service, on a free loopback port."""
    return [
        _bin("gunicorn"),
        "motcua.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "30",
    ]


def _worker_argv() -> list[str]:
    """As deploy/systemd/motcua-worker.service (each start draws a new worker id)."""
    return [_bin("motcua"), "db_worker", "--no-reload"]


# --- processes, and a supervisor that restarts them as systemd does ----------------------------


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    var_dir: Path
    process: subprocess.Popen[bytes] | None = None
    children: set[int] = field(default_factory=set)
    died_at: float | None = None
    starts: int = 0

    def start(self) -> None:
        log = (self.var_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.children, self.died_at = set(), None
        self.starts += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def log(self) -> str:
        return (self.var_dir / f"{self.name}.log").read_text(errors="replace")


class Supervisor(threading.Thread):
    """Restarts a dead service after RESTART_DELAY; kills a dead master's remaining workers
    first (systemd kills the unit's processes when its main process is gone)."""

    def __init__(self, services: list[Service]) -> None:
        super().__init__(daemon=True)
        self.services = services
        self.stopping = threading.Event()
        for service in services:
            service.start()

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            for service in self.services:
                self.tend(service)

    def tend(self, service: Service) -> None:
        if service.alive():
            assert service.process is not None
            service.children |= set(_children_of(service.process.pid))
            return
        if service.died_at is None:
            service.died_at = time.monotonic()
            for pid in service.children:
                _kill_quietly(pid)
        elif time.monotonic() - service.died_at >= RESTART_DELAY:
            service.start()

    def wait_all_running(self) -> None:
        while not all(service.alive() for service in self.services):
            time.sleep(0.2)

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        for service in self.services:
            if service.alive():
                assert service.process is not None
                service.process.send_signal(signal.SIGTERM)
        for service in self.services:
            if service.process is not None:
                try:
                    service.process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    service.kill()
            for pid in service.children:
                _kill_quietly(pid)


def _children_of(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def _kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- chaos -------------------------------------------------------------------------------------


class Chaos(threading.Thread):
    """Kills and cuts at random moments of the load."""

    def __init__(self, rng: random.Random, web: Service, workers: list[Service], args: Any):
        super().__init__(daemon=True)
        self.rng, self.web, self.workers = rng, web, workers
        margin = min(5.0, args.seconds / 10)
        moments = [rng.uniform(margin, args.seconds - margin) for _ in range(args.kills)]
        kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=args.kills)
        cuts = [(rng.uniform(margin, args.seconds - margin), "cut") for _ in range(args.cuts)]
        self.plan = sorted([*zip(moments, kinds, strict=True), *cuts])
        self.done: Counter[str] = Counter()
        self.stopping = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        for moment, kind in self.plan:
            if self.stopping.wait(max(0.0, started + moment - time.monotonic())):
                return
            self.strike(kind)

    def strike(self, kind: str) -> None:
        if kind == "cut":
            self.done["cut: sessions terminated"] += _terminate_sessions()
            self.done["cut"] += 1
            return
        if kind == "web worker":
            pids = _children_of(self.web.process.pid) if self.web.process else []
            if not pids:
                kind = "web worker (none up: master restarting)"
            else:
                _kill_quietly(self.rng.choice(pids))
        elif kind == "master":
            self.web.kill()
        elif kind == "task worker":
            self.rng.choice(self.workers).kill()
        self.done[kind] += 1


def _terminate_sessions() -> int:
    with _admin() as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE],
        ).fetchall()
    return len(rows)


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the clients were told: acknowledged intakes (marker → code) and transfers."""

    intakes: dict[str, str] = field(default_factory=dict)
    intakes_unanswered: list[str] = field(default_factory=list)
    transfers: set[str] = field(default_factory=set)
    transfers_unanswered: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    no_answer: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, port: int, token: str, components: list[str]) -> None:
        self.port, self.token, self.components = port, token, components

    def call(self, method: str, path: str, body: Any, key: str) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=70)
        try:
            headers = {
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            connection.request(method, path, body=json.dumps(body), headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def until_answered(self, ledger: Ledger, path: str, body: Any) -> tuple[int | None, Any]:
        """POST with one key until the server answers (not 5xx, not 409 in progress)."""
        key, deadline, pause = uuid.uuid4().hex, time.monotonic() + GIVE_UP, 0.2
        while time.monotonic() < deadline:
            try:
                status, data = self.call("POST", path, body, key)
            except OSError:
                with ledger.lock:
                    ledger.no_answer += 1
            else:
                with ledger.lock:
                    ledger.statuses[status] += 1
                busy = status == 409 and data.get("code") == "idempotency_in_progress"
                if status < 500 and not busy:
                    return status, data
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        return None, None

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if self.call("GET", "/api/v1/no-such-thing", None, "x")[0] == 404:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 90 s")

    def work(self, number: int, ledger: Ledger, stop: threading.Event) -> None:
        count = 0
        while not stop.is_set():
            count += 1
            marker = f"Chaos {number}-{count}"
            body = {
                "unit": UNIT,
                "procedure": PROCEDURE,
                "applicant": {"name": marker, "email": f"chaos.{number}.{count}@example.vn"},
                "channel": "counter",
                "components": self.components,
            }
            status, data = self.until_answered(ledger, "/api/v1/dossiers", body)
            if status != 201:
                with ledger.lock:
                    ledger.intakes_unanswered.append(marker)
                continue
            code = data["code"]
            with ledger.lock:
                ledger.intakes[marker] = code
            status, data = self.until_answered(ledger, f"/api/v1/dossiers/{code}/transfer", {})
            with ledger.lock:
                (ledger.transfers.add if status == 200 else ledger.transfers_unanswered.append)(
                    code
                )


def _run_load(client: Client, chaos: Chaos, args: Any) -> Ledger:
    ledger, stop = Ledger(), threading.Event()
    threads = [
        threading.Thread(target=client.work, args=(n, ledger, stop), daemon=True)
        for n in range(1, args.clients + 1)
    ]
    for thread in threads:
        thread.start()
    chaos.start()
    time.sleep(args.seconds)
    stop.set()
    chaos.stopping.set()
    chaos.join()
    for thread in threads:
        thread.join(timeout=GIVE_UP * 2 + 10)
    return ledger


# --- the count ---------------------------------------------------------------------------------


def _report(ledger: Ledger, chaos: Chaos, sink: Any, services: list[Service], env: dict) -> int:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from motcua.core.clock import now
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.notifications.models import Notification

    connection.close()  # cut during the run: start afresh
    stored = Counter(
        Dossier.objects.filter(applicant_name__startswith="Chaos ").values_list(
            "applicant_name", flat=True
        )
    )
    codes = dict(
        Dossier.objects.filter(applicant_name__startswith="Chaos ").values_list(
            "applicant_name", "code"
        )
    )
    acked = ledger.intakes
    transferred = Counter(
        DossierEvent.objects.filter(
            type="transferred", dossier__applicant_name__startswith="Chaos "
        ).values_list("dossier__code", flat=True)
    )
    received = DossierEvent.objects.filter(
        type="received", dossier__applicant_name__startswith="Chaos "
    ).count()
    moment = now()
    running = DBTaskResult.objects.filter(status="RUNNING").count()
    due = DBTaskResult.objects.ready().filter(run_after__lte=moment).count()
    notifications = Counter(Notification.objects.values_list("status", flat=True))
    message_ids = Counter(sink.message_ids())
    expected_ids = {n.message_id for n in Notification.objects.all()}
    delivered_unknown = sum(
        1 for n in Notification.objects.filter(status="unknown") if message_ids[n.message_id]
    )
    audit = subprocess.run(
        [_bin("motcua"), "audit", "verify"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    server_errors = sum(s.log().count("Internal Server Error") for s in services)

    figures = {
        "intakes acknowledged": len(acked),
        "intakes stored": sum(stored.values()),
        "intakes acknowledged, not stored (lost)": sum(1 for m in acked if m not in stored),
        "intakes stored twice or more (duplicated)": sum(1 for c in stored.values() if c > 1),
        "intakes acknowledged under another code": sum(
            1 for m, c in acked.items() if m in codes and codes[m] != c
        ),
        "intakes never answered (client gave up)": len(ledger.intakes_unanswered),
        "  of which stored anyway": sum(1 for m in ledger.intakes_unanswered if m in stored),
        "transfers acknowledged": len(ledger.transfers),
        "transfer events stored": sum(transferred.values()),
        "transfers acknowledged, not stored (lost)": sum(
            1 for c in ledger.transfers if not transferred[c]
        ),
        "transfers stored twice or more (duplicated)": sum(
            1 for c in transferred.values() if c > 1
        ),
        "transfers never answered (client gave up)": len(ledger.transfers_unanswered),
        "events acknowledged (received + transferred)": len(acked) + len(ledger.transfers),
        "events stored (received + transferred)": received + sum(transferred.values()),
        "tasks still RUNNING a minute later (stuck)": running,
        "tasks due but not run a minute later (stuck)": due,
        "notifications": sum(notifications.values()),
        "  sent": notifications["sent"],
        "  pending a minute later (stuck)": notifications["pending"],
        "  unknown (not resent; delivered anyway)": notifications["unknown"],
        "  …of which the SMTP server has": delivered_unknown,
        "  failed": notifications["failed"],
        "Message-IDs delivered": len(message_ids),
        "Message-IDs delivered twice or more (sent twice)": sum(
            1 for c in message_ids.values() if c > 1
        ),
        "messages not from a notification": sum(1 for m in message_ids if m not in expected_ids),
        "HTTP answers": sum(ledger.statuses.values()),
        "  5xx answers (503 = told to retry)": sum(
            n for s, n in ledger.statuses.items() if s >= 500
        ),
        "  of which 500": ledger.statuses[500],
        "requests without an answer (process killed)": ledger.no_answer,
        "server errors logged": server_errors,
    }
    print()
    print("chaos done:", ", ".join(f"{kind} ×{n}" for kind, n in sorted(chaos.done.items())))
    print("restarts:", ", ".join(f"{s.name} {s.starts - 1}" for s in services))
    width = max(map(len, figures)) + 2
    for label, value in figures.items():
        print(f"{label:<{width}}{value:>8}")
    print(f"statuses: {dict(sorted(ledger.statuses.items()))}")
    print(f"motcua audit verify (exit {audit.returncode}): {audit.stdout.strip()[-300:]}")
    bad = [
        figures["intakes acknowledged, not stored (lost)"],
        figures["intakes stored twice or more (duplicated)"],
        figures["intakes acknowledged under another code"],
        figures["transfers acknowledged, not stored (lost)"],
        figures["transfers stored twice or more (duplicated)"],
        running,
        due,
        notifications["pending"],
        figures["Message-IDs delivered twice or more (sent twice)"],
        ledger.statuses[500],
        audit.returncode,
    ]
    return 0 if not any(bad) else 1


if __name__ == "__main__":
    sys.exit(main())
