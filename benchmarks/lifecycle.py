"""Full dossier lifecycles per second through the JSON API over real HTTP, on top of years
of history, and the latency of reading a dossier.

Run: `.venv/bin/python benchmarks/lifecycle.py [--dossiers 1000000] [--seconds 30]
[--reads 2000] [--reuse] [--no-keep]` (PostgreSQL at 127.0.0.1:5432, user postgres).

1. Database `motcua_bench` (only a database whose name contains "bench" is ever touched):
   dropped and created, migrated, demo catalogue and personas loaded (`motcua demo
   --no-history`), then `--dossiers` dossiers of history generated with set-based SQL
   (`benchmarks/_history.py`: five years at the demo's three receiving units, 8 events and
   4-5 process steps for a typical dossier). `--reuse` skips all that when the database
   already holds a complete history of that size.
2. gunicorn (3 workers × 2 threads, for 2 cores) serves the app on a free local port, with
   notifications only queued (database task backend); it is always stopped at the end.
3. Lifecycles: each is 8 POSTs, every one with its own `Idempotency-Key` and the dossier
   version last seen: receive (3.000333 at the provincial counter AH, as quay.tinh) →
   transfer (quay.tinh) → assign (lanhdao.pv06) → appraise → submit-for-approval
   (chuyenvien.pv06) → approve → return-result (lanhdao.pv06) → deliver (quay.tinh): receive,
   6 transitions and the delivery. After 3 s of warm-up (3 clients, not timed), run for
   `--seconds` with 1 client, then with `--clients` (4) clients: threads, one keep-alive
   connection each; a lifecycle started before the end is finished and counted.
4. Reads: `--reads` GET /api/v1/dossiers/{code} of random history dossiers, each as the
   counter officer of the dossier's receiving unit, with 1 client and with `--clients`
   clients (after 100 untimed reads).

Prints a summary table to paste into a note. Exits 1 if any response was not 2xx (there
should be none), 2 if PostgreSQL is not reachable. No timing is asserted."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# The folder itself never goes on the path: benchmarks/queue.py would hide the standard
# library's `queue` from everything imported after it.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"
SECRET = "benchmark-only-" + uuid.uuid4().hex
PROCEDURE, UNIT = "3.000333", "AH"
COUNTER, LEADER, SPECIALIST = "quay.tinh", "lanhdao.pv06", "chuyenvien.pv06"
READERS = {"AH": "quay.tinh", "AH-X01": "quay.donghoa", "AH-P02": "quay.bacan"}
WORKERS, THREADS = 3, 2  # gunicorn, for 2 cores (PostgreSQL and the clients share them)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="history size")
    parser.add_argument("--seconds", type=float, default=30.0, help="per lifecycle run")
    parser.add_argument("--reads", type=int, default=2000, help="GETs per read run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (2nd run)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the history if it has --dossiers rows"
    )
    parser.add_argument(
        "--keep",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep the database at the end (default), for --reuse",
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    if args.dossiers < 1 or args.reads < 1 or args.clients < 1:
        parser.error("--dossiers, --reads and --clients must be at least 1")

    url = urlsplit(args.database_url)
    name = url.path.lstrip("/")
    if "bench" not in name:
        print(f"refusing to touch database {name!r}: its name must contain 'bench'")
        return 2
    try:
        fresh = _prepare_database(args.database_url, reuse=args.reuse, dossiers=args.dossiers)
    except _Unreachable as error:
        print(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432}: {error}")
        print("Start it (or pass --database-url postgres://USER@HOST:PORT/motcua_bench).")
        return 2
    var_dir = tempfile.mkdtemp(prefix="motcua-bench-")  # media, static, the server's log
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "MOTCUA_SECRET_KEY": SECRET,
            "MOTCUA_AUDIT_KEY": "bench:benchmark-only-audit-key",
            "MOTCUA_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        }
    )

    import django

    django.setup()
    summary = Summary(dossiers=args.dossiers)
    history, tokens, components = _load(args.dossiers, fresh=fresh, summary=summary)
    codes = _sample_codes(history, args.reads * 2 + 100)

    server = Server(var_dir)
    try:
        server.start()
        _lifecycle_runs(server, tokens, components, args, summary)
        _read_runs(server, tokens, codes, args, summary)
    finally:
        server.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(args.database_url)
    summary.print()
    if not summary.failures:
        shutil.rmtree(var_dir, ignore_errors=True)
        return 0
    print(f"\nFAILED: {sum(summary.failures.values())} non-2xx responses or errors:")
    for (what, status), count in summary.failures.most_common():
        print(f"  {count:>6} × {what}: {status}")
    print(f"server errors logged in {server.log_path}:")
    for line, count in server.errors().most_common(8):
        print(f"  {count:>6} × {line}")
    return 1


# --- the database ---------------------------------------------------------------------


class _Unreachable(Exception):
    pass


def _admin_connection(database_url: str) -> Any:
    import psycopg

    url = urlsplit(database_url)
    try:
        return psycopg.connect(
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or None,
            dbname="postgres",
            connect_timeout=5,
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        raise _Unreachable(str(error).strip().splitlines()[0]) from error


def _prepare_database(database_url: str, *, reuse: bool, dossiers: int) -> bool:
    """Create the database unless --reuse finds a complete history of that size in it;
    returns True when it was (re)created."""
    name = urlsplit(database_url).path.lstrip("/")
    with _admin_connection(database_url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reuse and exists:
            found = _history_size(database_url)
            if found == dossiers:
                return False
            print(
                f"--reuse: {name} holds no complete history of {dossiers:,} dossiers "
                f"(found {found}); starting over"
            )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def _history_size(database_url: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as connection:
            row = connection.execute(
                "SELECT h.dossiers FROM bench_history h WHERE h.dossiers = (SELECT count(*) "
                "FROM dossiers_dossier d WHERE d.id BETWEEN h.first_id AND h.last_id)"
            ).fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def _drop_database(database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    with _admin_connection(database_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"database {name} dropped")


def _load(dossiers: int, *, fresh: bool, summary: Summary) -> tuple[Any, dict[str, str], list]:
    """Migrate, load the demo and the history (when fresh), and issue the API tokens."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from benchmarks import _history
    from motcua.accounts.models import User
    from motcua.api.auth import issue_token
    from motcua.catalog.models import Procedure

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if fresh:
        with override_settings(DEBUG=True):  # the demo refuses to run without it
            call_command("demo", "--no-history", "--quiet")
        print(f"schema and demo loaded in {time.perf_counter() - started:.1f} s")
        print(f"generating {dossiers:,} dossiers of history:")
        history = _history.generate(dossiers=dossiers)
        print(f"history generated in {history.seconds:.1f} s")
        summary.generation_seconds = history.seconds
    else:
        history = _history.history_range()
        assert history is not None
        print(f"reusing the history of {history.dossiers:,} dossiers (generated earlier)")
        summary.generation_seconds = None
    summary.history = history
    summary.postgres = connection.pg_version // 10000
    summary.sizes = _history.table_sizes()
    print(f"{'table':<30}{'rows':>14}{'size':>12}")
    for table, rows, size in summary.sizes:
        print(f"{table:<30}{rows or '':>14}{size / 2**20:>9.0f} MB")
    tokens = {}
    for username in {COUNTER, LEADER, SPECIALIST, *READERS.values()}:
        user = User.objects.get(username=username)
        tokens[username] = issue_token(user=user, name="lifecycle benchmark")[1]
    version = Procedure.objects.get(code=PROCEDURE).current_version()
    assert version is not None
    return history, tokens, version.component_names()[:2]


def _sample_codes(history: Any, count: int) -> list[tuple[str, str]]:
    """(code, receiving unit code) of random history dossiers."""
    from motcua.dossiers.models import Dossier

    rng = random.Random(7)
    ids = [rng.randint(history.first_id, history.last_id) for _ in range(count)]
    found = {
        pk: (code, unit)
        for pk, code, unit in Dossier.objects.filter(id__in=ids).values_list(
            "id", "code", "receiving_unit__code"
        )
    }
    return [found[pk] for pk in ids if pk in found]


# --- the server -------------------------------------------------------------------------


class Server:
    """gunicorn serving motcua on a free local port; `stop()` always ends it."""

    def __init__(self, var_dir: str) -> None:
        self.var_dir = var_dir
        self.log_path = Path(var_dir) / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_file: Any = None
        self.port = 0

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "MOTCUA_DEBUG": "0",
            "MOTCUA_ALLOWED_HOSTS": "127.0.0.1",
            "MOTCUA_HTTPS": "0",
            "MOTCUA_TASK_BACKEND": "django_tasks_db.DatabaseBackend",  # queued, never sent
            "MOTCUA_LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "motcua.config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log_path),
        ]
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/api/openapi.json")
                if connection.getresponse().status == 200:
                    connection.close()
                    print(f"gunicorn up on 127.0.0.1:{self.port} ({WORKERS}×{THREADS})")
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.log()}")

    def log(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no log)"

    def errors(self) -> Counter[str]:
        """The exception lines of the server's log (e.g. `…: deadlock detected`), counted."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return Counter()
        return Counter(
            re.sub(r"/dossiers/[^/\s]+", "/dossiers/{code}", line.strip())[:160]
            for line in text.splitlines()
            if line[:1].isalpha() and ("Error: " in line or "Exception: " in line)
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log_file is not None:
            self.log_file.close()


# --- HTTP clients ------------------------------------------------------------------------


@dataclass
class Tally:
    """What one client saw: latencies per step (ms), failures, reconnections."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    lifecycles: int = 0
    requests: int = 0
    reconnects: int = 0

    def merge(self, other: Tally) -> None:
        for key, values in other.latencies.items():
            self.latencies.setdefault(key, []).extend(values)
        self.failures.update(other.failures)
        self.lifecycles += other.lifecycles
        self.requests += other.requests
        self.reconnects += other.reconnects


class Client:
    """One keep-alive connection. A POST whose connection broke is resent with the same
    Idempotency-Key (safe: the server answers a retry without acting twice)."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port, self.tally = port, tally
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(
        self, step: str, method: str, path: str, token: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()  # reconnects on the next request
                self.tally.reconnects += 1
                if attempt == 0:
                    continue
                self.tally.failures[(step, "connection error")] += 1
                return None
            elapsed = (time.perf_counter() - started) * 1000
            self.tally.requests += 1
            if not 200 <= response.status < 300:
                code = _error_code(data)
                self.tally.failures[(step, f"{response.status} {code}")] += 1
                return None
            self.tally.latencies.setdefault(step, []).append(elapsed)
            return json.loads(data)
        return None

    def close(self) -> None:
        self.connection.close()


def _error_code(data: bytes) -> str:
    if data.lstrip().startswith(b"<"):
        return "(HTML error page)"
    try:
        return str(json.loads(data).get("code", ""))
    except (ValueError, AttributeError):
        return data[:80].decode(errors="replace")


def _lifecycle(client: Client, tokens: dict[str, str], components: list[str], n: int) -> bool:
    """One full lifecycle: 8 POSTs; False as soon as one is refused."""
    base = "/api/v1/dossiers"
    dossier = client.call(
        "receive",
        "POST",
        base,
        tokens[COUNTER],
        {
            "unit": UNIT,
            "procedure": PROCEDURE,
            "applicant": {"name": "Nguyễn Văn Bình", "phone": f"09{n % 100_000_000:08d}"},
            "channel": "counter",
            "components": components,
        },
    )
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("transfer", COUNTER, {}),
        ("assign", LEADER, {"specialist": SPECIALIST}),
        ("appraise", SPECIALIST, {"opinion": "Hồ sơ hợp lệ, đủ điều kiện cấp Phiếu."}),
        ("submit-for-approval", SPECIALIST, {}),
        ("approve", LEADER, {"result_number": f"{n}/LLTP"}),
        ("return-result", LEADER, {}),
        ("deliver", COUNTER, {"via": "counter"}),
    ]
    for action, username, body in steps:
        if dossier is None:
            return False
        dossier = client.call(
            action,
            "POST",
            f"{base}/{dossier['code']}/{action}",
            tokens[username],
            {**body, "version": dossier["version"]},
        )
    return dossier is not None and dossier["status"] == "RETURNED"


def _run_clients(
    clients: int, work: Callable[[Client, int, Tally], None], port: int
) -> tuple[Tally, float]:
    tallies = [Tally() for _ in range(clients)]

    def run(index: int) -> None:
        client = Client(port, tallies[index])
        try:
            work(client, index, tallies[index])
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total, elapsed


def _lifecycle_runs(
    server: Server, tokens: dict[str, str], components: list[str], args: Any, summary: Summary
) -> None:
    counter = iter(range(10**9))
    lock = threading.Lock()

    def until(deadline: float) -> Callable[[Client, int, Tally], None]:
        def work(client: Client, index: int, tally: Tally) -> None:
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter)
                if _lifecycle(client, tokens, components, n):
                    tally.lifecycles += 1

        return work

    warm, _ = _run_clients(3, until(time.perf_counter() + 3), server.port)  # not timed
    summary.failures.update(
        {(f"warm-up {step}", why): n for (step, why), n in warm.failures.items()}
    )
    summary.background = _busy_cpu(2.0)
    if summary.background is not None:
        print(f"\nCPU busy while the server idles (other processes): {summary.background:.0%}")
        if summary.background > 0.2:
            print("  WARNING: the machine is shared right now; the figures will be low and noisy")
    print(f"\nlifecycles: {args.seconds:.0f} s per run, 8 POSTs each")
    for clients in (1, args.clients):
        tally, elapsed = _run_clients(
            clients, until(time.perf_counter() + args.seconds), server.port
        )
        summary.lifecycle_runs.append((clients, tally, elapsed))
        summary.failures.update(tally.failures)
        print(
            f"  C={clients}: {tally.lifecycles} lifecycles in {elapsed:.1f} s = "
            f"{tally.lifecycles / elapsed:.2f}/s, {tally.requests / elapsed:.1f} requests/s, "
            f"{sum(tally.failures.values())} non-2xx, {tally.reconnects} reconnects"
        )


def _read_runs(
    server: Server,
    tokens: dict[str, str],
    codes: list[tuple[str, str]],
    args: Any,
    summary: Summary,
) -> None:
    warm, sequential, concurrent = (
        codes[:100],
        codes[100 : 100 + args.reads],
        codes[100 + args.reads :],
    )

    def reading(batch: list[tuple[str, str]], clients: int) -> Callable[[Client, int, Tally], None]:
        def work(client: Client, index: int, tally: Tally) -> None:
            for code, unit in batch[index::clients]:
                client.call("read", "GET", f"/api/v1/dossiers/{code}", tokens[READERS[unit]])

        return work

    warmed, _ = _run_clients(1, reading(warm, 1), server.port)  # not timed
    summary.failures.update(warmed.failures)
    print(f"\nreads: {args.reads} random history dossiers per run")
    for clients, batch in ((1, sequential), (args.clients, concurrent)):
        tally, elapsed = _run_clients(clients, reading(batch, clients), server.port)
        summary.read_runs.append((clients, tally, elapsed))
        summary.failures.update(tally.failures)
        values = tally.latencies.get("read", [])
        p = _percentiles(values)
        print(
            f"  C={clients}: {len(values)} reads in {elapsed:.1f} s = "
            f"{len(values) / elapsed:.1f}/s; p50 {p[50]:.1f} ms, p95 {p[95]:.1f} ms, "
            f"p99 {p[99]:.1f} ms, max {p[100]:.1f} ms"
        )


def _busy_cpu(seconds: float) -> float | None:
    """The share of all CPUs busy over `seconds` (Linux /proc/stat), None elsewhere: taken
    while the benchmark idles, it tells how much other work shares the machine."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])

    try:
        busy0, total0 = sample()
        time.sleep(seconds)
        busy1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return (busy1 - busy0) / max(1, total1 - total0)


def _percentiles(values: list[float]) -> dict[int, float]:
    if len(values) < 2:
        return dict.fromkeys((50, 95, 99, 100), values[0] if values else float("nan"))
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {50: cuts[49], 95: cuts[94], 99: cuts[98], 100: max(values)}


# --- the summary ---------------------------------------------------------------------------


@dataclass
class Summary:
    dossiers: int
    history: Any = None
    generation_seconds: float | None = None
    sizes: list[tuple[str, int, int]] = field(default_factory=list)
    lifecycle_runs: list[tuple[int, Tally, float]] = field(default_factory=list)
    read_runs: list[tuple[int, Tally, float]] = field(default_factory=list)
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    background: float | None = None
    postgres: int = 0

    def print(self) -> None:
        history = self.history
        generated = (
            f"generated in {self.generation_seconds:.0f} s"
            if self.generation_seconds is not None
            else "reused (--reuse)"
        )
        lines = [
            "",
            f"motcua lifecycle benchmark — PostgreSQL {self.postgres}, "
            f"gunicorn {WORKERS} workers × {THREADS} threads, {os.cpu_count()} cores"
            + (
                f" ({self.background:.0%} busy with other work before the runs)"
                if self.background is not None
                else ""
            ),
            "",
            "| measure | value |",
            "|---|---|",
            f"| history | {history.dossiers:,} dossiers, {history.first_day} → "
            f"{history.last_day}; {generated} |",
        ]
        for table, rows, size in self.sizes:
            count = f"{rows:,} rows, " if rows else ""
            lines.append(f"| {table} | {count}{size / 2**20:,.0f} MB |")
        for clients, tally, elapsed in self.lifecycle_runs:
            lines.append(
                f"| lifecycles/s, C={clients} (8 POSTs each) | {tally.lifecycles / elapsed:.2f} "
                f"({tally.requests / elapsed:.1f} requests/s, {tally.lifecycles} in "
                f"{elapsed:.0f} s) |"
            )
        if self.lifecycle_runs:
            clients, tally, _ = self.lifecycle_runs[0]
            steps = ", ".join(
                f"{step} {statistics.median(values):.0f}"
                for step, values in tally.latencies.items()
            )
            lines.append(f"| POST p50 ms, C={clients} | {steps} |")
        for clients, tally, elapsed in self.read_runs:
            p = _percentiles(tally.latencies.get("read", []))
            lines.append(
                f"| GET dossier, C={clients} | p50 {p[50]:.1f} ms, p95 {p[95]:.1f} ms, "
                f"p99 {p[99]:.1f} ms, max {p[100]:.1f} ms "
                f"({len(tally.latencies.get('read', [])) / elapsed:.0f}/s) |"
            )
        lines.append(f"| non-2xx responses | {sum(self.failures.values())} |")
        print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
