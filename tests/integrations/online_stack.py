"""motcua as it runs in production, each piece its own OS process on 127.0.0.1, for the online
end-to-end specification: a database of its own (a file on SQLite; a fresh database on the
PostgreSQL server `DATABASE_URL` names, dropped afterwards), `motcua migrate`, the catalogue
imported from a file, gunicorn and `motcua db_worker` processes, all configured by environment
variables only. Nothing here touches pytest-django's database.

Every process runs in its own session (process group), killed as a group at the end; each
wait has a deadline and says what it waited for when it gives up."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tests.faults.processes import wait_for
from tests.notifications.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
MOTCUA = str(Path(sys.executable).parent / "motcua")


@contextmanager
def own_database(directory: Path) -> Iterator[str]:
    """The DATABASE_URL of a database made for this test alone: a SQLite file in `directory`
    when the suite runs on SQLite; when `DATABASE_URL` names a PostgreSQL server, a database
    with a unique name on that server, created here and dropped at the end."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{directory / 'motcua-e2e.sqlite3'}"
        return
    parts = urlsplit(server)
    name = f"motcua_e2e_{uuid.uuid4().hex[:12]}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as error:
        message = f"cannot reach the PostgreSQL server of DATABASE_URL: {error}"
        raise AssertionError(message) from None
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@dataclass
class Child:
    """A child process in its own process group, its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM to the whole group (gunicorn's workers too), SIGKILL if it lingers."""
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)
        except ProcessLookupError:
            pass


@dataclass
class Stack:
    """The environment every motcua process of the test gets, and the processes started."""

    var_dir: Path
    env: dict[str, str]
    children: list[Child] = field(default_factory=list)
    port: int = 0

    def run(self, *argv: str, timeout: float = 120) -> str:
        """`motcua ARGV…` to completion; its standard output. A failure shows what it said."""
        done = subprocess.run(
            [MOTCUA, *argv], cwd=ROOT, env=self.env, capture_output=True, timeout=timeout
        )
        if done.returncode != 0:
            raise AssertionError(
                f"motcua {' '.join(argv)} exited with {done.returncode}:\n"
                f"{done.stdout.decode(errors='replace')[-2000:]}\n"
                f"{done.stderr.decode(errors='replace')[-4000:]}"
            )
        return done.stdout.decode()

    def start(self, name: str, argv: list[str]) -> Child:
        log = self.var_dir / f"{name}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(name, popen, log)
        self.children.append(child)
        return child

    def serve(self, *, workers: int = 2) -> None:
        """gunicorn serving motcua on its loopback port, once it answers."""
        argv = [sys.executable, "-m", "gunicorn", "motcua.config.wsgi:application"]
        argv += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--preload"]
        argv += ["--timeout", "60", "--graceful-timeout", "2"]
        web = self.start("gunicorn", argv)

        def answers() -> bool:
            if not web.alive():
                raise AssertionError(f"gunicorn exited:\n{web.output()}")
            try:
                return self.request("GET", "/api/v1/no-such-thing", timeout=2)[0] == 404
            except OSError:
                return False

        wait_for("gunicorn to answer", answers, timeout=60, step=0.2)

    def worker(self, worker_id: str) -> Child:
        argv = [MOTCUA, "db_worker", "--no-startup-delay", "--interval", "0.2"]
        argv += ["--worker-id", worker_id, "--no-reload"]
        return self.start(worker_id, argv)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str = "",
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request to gunicorn: status, headers and the raw body. With `token`, as
        the API's client: bearer token, JSON body and a fresh Idempotency-Key on a POST."""
        headers: dict[str, str] = {}
        payload = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if method == "POST" and token:
            headers["Idempotency-Key"] = f"e2e-{uuid.uuid4()}"
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            client.request(method, path, body=payload, headers=headers)
            response = client.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            client.close()

    def api(self, token: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST `body` (GET without one) under /api/v1 as the token's holder; the JSON answer,
        which must be a 2xx."""
        method = "GET" if body is None else "POST"
        status, _headers, raw = self.request(method, f"/api/v1{path}", body, token=token)
        assert 200 <= status < 300, f"{method} {path}: {status} {raw.decode(errors='replace')}"
        answer: dict[str, Any] = json.loads(raw)
        return answer

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()

    def report(self) -> str:
        return "\n".join(
            f"--- {child.name} (pid {child.popen.pid}) ---\n{child.output()}"
            for child in self.children
        )


@contextmanager
def stack(var_dir: Path, database_url: str, **settings: str) -> Iterator[Stack]:
    """The environment of a production deployment (motcua's own settings, not the tests'),
    against `database_url`; the processes started in the block are stopped at its end, and
    their output printed if the block failed."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MOTCUA_", "DJANGO_", "DATABASE_URL", "PYTEST"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
            "DATABASE_URL": database_url,
            "MOTCUA_SECRET_KEY": f"e2e-only-{uuid.uuid4().hex}",
            "MOTCUA_AUDIT_KEY": f"e2e:{uuid.uuid4().hex}",
            "MOTCUA_DEBUG": "0",
            "MOTCUA_HTTPS": "0",
            "MOTCUA_VAR_DIR": str(var_dir),
            "MOTCUA_LOG_LEVEL": "WARNING",
            "MOTCUA_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "MOTCUA_TASK_WORKER_HEARTBEAT": "1",
            "MOTCUA_TASK_WORKER_TIMEOUT": "2",
            "PYTHONPATH": str(ROOT),
            **settings,
        }
    )
    port = free_port()
    env.setdefault("MOTCUA_PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    running = Stack(var_dir, env, port=port)
    try:
        yield running
    except BaseException:
        print(running.report())
        raise
    finally:
        running.stop_all()
