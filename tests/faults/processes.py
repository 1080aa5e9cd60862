"""Real processes for the fault specifications, all on 127.0.0.1 against the test database:
gunicorn serving motcua, `motcua db_worker`, and the PostgreSQL tools to hurt them (a row or
table lock held from outside, `pg_terminate_backend`, refusing connections).

Each helper waits with a deadline and says what it was waiting for when it gives up."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from django.db import connection

from tests.notifications.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def wait_for(what: str, check: Callable[[], T], *, timeout: float = 20.0, step: float = 0.05) -> T:
    """The first truthy value of `check()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


# --- the database, from outside ----------------------------------------------------------------


def conninfo(dbname: str | None = None) -> str:
    """libpq connection string of the test database (or another one on the same server)."""
    params = connection.settings_dict
    parts = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or "5432",
        "user": params["USER"],
        "password": params["PASSWORD"],
        "dbname": dbname or params["NAME"],
    }
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


def database_url() -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or "5432"
    return f"postgres://{params['USER']}{password}@{host}:{port}/{params['NAME']}"


def outside(dbname: str | None = None) -> psycopg.Connection[Any]:
    """A connection of our own, not Django's (for locks held while Django works)."""
    return psycopg.connect(conninfo(dbname), autocommit=True)


def other_backends(db: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """The test database's sessions, except the test's own and `db`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (ours,) = cursor.fetchone()
    rows = db.execute(
        "SELECT pid, client_port, state, wait_event_type FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
        [ours],
    ).fetchall()
    return [dict(zip(("pid", "port", "state", "wait"), row, strict=True)) for row in rows]


def waiting_on_a_lock(db: psycopg.Connection[Any]) -> dict[str, Any] | None:
    return next((row for row in other_backends(db) if row["wait"] == "Lock"), None)


def terminate(db: psycopg.Connection[Any], pids: list[int] | None = None) -> int:
    """pg_terminate_backend on the given sessions (default: every other one); how many."""
    targets = pids if pids is not None else [row["pid"] for row in other_backends(db)]
    for pid in targets:
        db.execute("SELECT pg_terminate_backend(%s)", [pid])
    return len(targets)


@contextmanager
def connections_refused(dbname: str) -> Iterator[None]:
    """The database refuses new connections (from a session on another database, as
    PostgreSQL requires) until the block ends."""
    admin = outside("postgres")
    name = psycopg.sql.Identifier(dbname)
    try:
        admin.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
        yield
    finally:
        admin.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))
        admin.close()


# --- processes ---------------------------------------------------------------------------------


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """What a production process gets: motcua's own settings (not the tests'), the test
    database, and quick worker heartbeats."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_SECRET_KEY": "faults-only-not-a-secret",
        "MOTCUA_HTTPS": "0",
        "MOTCUA_DEBUG": "0",
        "MOTCUA_VAR_DIR": str(var_dir),
        "MOTCUA_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url(),
        "MOTCUA_TASK_WORKER_HEARTBEAT": "1",
        "MOTCUA_TASK_WORKER_TIMEOUT": "2",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


@dataclass
class Process:
    """A child process with its output in a log file (printed when a specification fails)."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no handler runs, no goodbye to the database or the SMTP server."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def start(name: str, argv: list[str], var_dir: Path, **env: str) -> Process:
    log = var_dir / f"{name}.log"
    with log.open("wb") as sink:
        popen = subprocess.Popen(
            argv, cwd=ROOT, env=environment(var_dir, **env), stdout=sink, stderr=subprocess.STDOUT
        )
    return Process(name, popen, log)


@contextmanager
def running(process: Process) -> Iterator[Process]:
    try:
        yield process
    except BaseException:
        print(f"--- {process.name} (pid {process.pid}) output ---\n{process.output()}")
        raise
    finally:
        process.stop()


def task_worker(var_dir: Path, worker_id: str, **env: str) -> Process:
    argv = [str(Path(sys.executable).parent / "motcua"), "db_worker", "--no-startup-delay"]
    argv += ["--interval", "0.2", "--worker-id", worker_id, "--no-reload"]
    return start(worker_id, argv, var_dir, **env)


# --- gunicorn ----------------------------------------------------------------------------------


@dataclass
class Web:
    """gunicorn serving motcua on a free loopback port."""

    process: Process
    port: int
    token: str = ""
    calls: list[int] = field(default_factory=list)

    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        return children_of(self.process.pid)

    def request(
        self, method: str, path: str, body: Any = None, *, timeout: float = 20.0, **headers: str
    ) -> tuple[int, dict[str, str], Any]:
        """One HTTP request as the API's client; returns status, headers and the JSON body."""
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **headers}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            client.request(method, path, body=payload, headers=headers)
            response = client.getresponse()
            raw = response.read()
        finally:
            client.close()
        self.calls.append(response.status)
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, dict(response.getheaders()), data

    def worker_serving(self, client_port: int) -> int:
        """The worker whose database connection leaves from `client_port`."""
        for pid in self.workers():
            if client_port in local_ports_of(pid):
                return pid
        raise AssertionError(f"no gunicorn worker holds a connection from port {client_port}")


def gunicorn(var_dir: Path, *, workers: int = 2) -> Web:
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "motcua.config.wsgi:application"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--preload"]
    argv += ["--timeout", "60", "--graceful-timeout", "2"]
    web = Web(start("gunicorn", argv, var_dir), port)

    def answers() -> bool:
        if not web.process.alive():
            raise AssertionError(f"gunicorn exited:\n{web.process.output()}")
        try:
            return web.request("GET", "/api/v1/no-such-thing", timeout=2)[0] == 404
        except OSError:
            return False

    wait_for("gunicorn to answer", answers, timeout=60, step=0.2)
    return web


def children_of(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def local_ports_of(pid: int) -> set[int]:
    """The local ports of the TCP sockets process `pid` has open (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            columns = line.split()
            if columns[9] in inodes:
                ports.add(int(columns[1].rsplit(":", 1)[1], 16))
    return ports
