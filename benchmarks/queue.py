"""The hall under load: N simulated kiosks drawing tickets, counters calling them, and call
screens listening to the live stream, through gunicorn on loopback.

Run: `.venv/bin/python benchmarks/queue.py [--seconds 30] [--kiosks 4] [--counters 4]
[--displays 4] [--database-url postgres://postgres@127.0.0.1:5432/motcua_queue_bench]`;
`--devices 200` instead of the three counts is 100 kiosks, 50 counters and 50 screens.
(SQLite in a temporary directory by default; a PostgreSQL database is used only if its name
contains "queue_bench", and it is dropped and created).

1. The database is migrated; the demo catalogue is imported; the provincial centre (AH) gets a
   hall with groups A and B, `--counters` counters, one counter officer each, `--kiosks`
   kiosks and `--displays` call screens.
2. gunicorn (gthread, `--workers` 3 × `--threads` 16) serves the app on a free loopback port.
3. For `--seconds`: each kiosk draws tickets as fast as the server answers (a random group, a
   fresh request key each); each counter officer calls the next ticket, reads its number from
   the counter page (as the browser does after the redirect), and ends the visit as guidance;
   each screen holds the server-sent events stream open, reconnecting with Last-Event-ID
   after the server's `retry:` (a process holds at most MOTCUA_HALL_STREAMS_PER_PROCESS
   streams open; the screens beyond them are answered at once and reconnect).
4. Prints tickets per second, call-to-display latency (from the officer's POST to the event
   arriving at a screen) p50/p99 over every screen, and the server's CPU time (gunicorn master
   and workers, user + system, from /proc) per ticket drawn. The latency is printed twice:
   from the officer's press (includes the wait for a server thread under load) and from the
   answer to the press (the call is committed by then: the screens' own delay). Nothing is
   asserted."""

from __future__ import annotations

import sys
from pathlib import Path

# This file's name is the standard library's `queue`: keep its folder off the import path.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

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
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PROCEDURE = "1.004222"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--counters", type=int, default=4)
    parser.add_argument("--displays", type=int, default=4)
    parser.add_argument(
        "--devices",
        type=int,
        default=0,
        help="instead of the three counts: this many devices in all, half kiosks, a quarter "
        "counters, the rest screens (--devices 200: 100 kiosks, 50 counters, 50 screens)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads per worker")
    parser.add_argument(
        "--streams",
        type=int,
        default=8,
        help="MOTCUA_HALL_STREAMS_PER_PROCESS: live screen streams a worker holds open",
    )
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.devices:
        args.kiosks, args.counters = args.devices // 2, args.devices // 4
        args.displays = args.devices - args.kiosks - args.counters
    var_dir = Path(tempfile.mkdtemp(prefix="motcua-queue-bench-"))
    url = args.database_url or f"sqlite:///{var_dir / 'queue.sqlite3'}"
    if args.database_url:
        name = urlsplit(url).path.lstrip("/")
        if "queue_bench" not in name:
            print(f"refusing to touch database {name!r}: its name must contain 'queue_bench'")
            return 2
        _recreate_postgres(url, name)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MOTCUA_SECRET_KEY": "benchmark-only-" + uuid.uuid4().hex,
        "MOTCUA_AUDIT_KEY": "bench:benchmark-only-audit-key",
        "MOTCUA_VAR_DIR": str(var_dir),
        "MOTCUA_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_HALL_STREAMS_PER_PROCESS": str(args.streams),
    }
    os.environ.update(env)
    import django

    django.setup()
    cast = _prepare(args)
    port = _free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "motcua.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=(var_dir / "gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port)
        _warm_up(port, cast, args.workers)
        result = _run(port, cast, args)
        cpu_before, cpu_after = result.cpu
        _print(args, result, (cpu_after - cpu_before) / os.sysconf("SC_CLK_TCK"), url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"  server log: {var_dir / 'gunicorn.log'}") if os.environ.get("KEEP") else shutil.rmtree(
        var_dir, ignore_errors=True
    )
    return 0


# --- the cast ---------------------------------------------------------------------------


@dataclass
class Cast:
    site: str
    kiosks: list[str]
    displays: list[str]
    groups: list[int]
    counters: list[tuple[int, str, str]]  # (counter pk, number, session key)


def _prepare(args: argparse.Namespace) -> Cast:
    from importlib import resources

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from motcua.accounts.models import Membership, Role, User
    from motcua.catalog.models import Unit
    from motcua.integrations.catalogue import import_catalogue
    from motcua.queueing.models import Counter, Device, DeviceKind, Hall, ServiceGroup

    call_command("migrate", verbosity=0)
    text = resources.files("motcua.catalog").joinpath("data/demo_province.json").read_text()
    import_catalogue(text, filename="demo_province.json")
    unit = Unit.objects.get(code="AH")
    hall = Hall.objects.create(unit=unit, priority_kinds=["elderly", "disabled"])
    groups = [
        ServiceGroup.objects.create(hall=hall, code="A", name="Hộ tịch").pk,
        ServiceGroup.objects.create(hall=hall, code="B", name="Đất đai").pk,
    ]
    kiosks = [
        Device.objects.create(hall=hall, kind=DeviceKind.KIOSK, name=f"K{i}").token
        for i in range(args.kiosks)
    ]
    displays = [
        Device.objects.create(hall=hall, kind=DeviceKind.DISPLAY, name=f"D{i}").token
        for i in range(args.displays)
    ]
    counters = []
    for i in range(1, args.counters + 1):
        counter = Counter.objects.create(hall=hall, number=str(i))
        user = User.objects.create_user(username=f"quay{i}", password=uuid.uuid4().hex)
        Membership.objects.create(user=user, unit=unit, role=Role.COUNTER_OFFICER)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        counters.append((counter.pk, counter.number, session.session_key or ""))
    return Cast("AH", kiosks, displays, groups, counters)


# --- the run ------------------------------------------------------------------------------


@dataclass
class Result:
    tickets: int = 0
    # (counter, number) → when the officer pressed "call", when the server answered
    calls: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    seen: list[tuple[str, str, float]] = field(default_factory=list)  # per screen event
    errors: list[str] = field(default_factory=list)
    retries: int = 0  # kiosk requests answered 5xx (busy) and sent again with the same key
    elapsed: float = 0.0
    cpu: tuple[int, int] = (0, 0)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _run(port: int, cast: Cast, args: argparse.Namespace) -> Result:
    result = Result()
    stop = threading.Event()
    threads = [
        threading.Thread(target=_display, args=(port, cast, token, stop, result))
        for token in cast.displays
    ]
    threads += [
        threading.Thread(target=_kiosk, args=(port, cast, token, stop, result))
        for token in cast.kiosks
    ]
    threads += [
        threading.Thread(target=_counter, args=(port, counter, stop, result))
        for counter in cast.counters
    ]
    master_cpu = _tree_cpu
    started = time.monotonic()
    before = master_cpu()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    result.elapsed = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=60)
    result.cpu = (before, master_cpu())
    return result


CSRF = "b" * 32


def _post(conn: http.client.HTTPConnection, path: str, form: dict, cookies: str, **headers: str):
    body = urlencode(form, doseq=True)
    conn.request(
        "POST",
        path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={CSRF}; {cookies}",
            "X-CSRFToken": CSRF,
            "Referer": f"http://{conn.host}:{conn.port}/",
            **headers,
        },
    )
    response = conn.getresponse()
    return response.status, response.read()


def _kiosk(port: int, cast: Cast, token: str, stop: threading.Event, result: Result) -> None:
    """A kiosk as its page runs it: a fresh request key per ticket, the same key again after
    a 5xx answer (the server busy), so a retry never makes a second ticket."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = f"/sanh/{cast.site}/kiosk/{token}/lay-so/"
    form = {"request_key": uuid.uuid4().hex, "group": random.choice(cast.groups)}
    while not stop.is_set():
        status, _body = _post(conn, path, form, "", Accept="application/json")
        with result.lock:
            if status == 200:
                result.tickets += 1
            elif status >= 500:
                result.retries += 1
                continue
            else:
                result.errors.append(f"kiosk {status}")
        form = {"request_key": uuid.uuid4().hex, "group": random.choice(cast.groups)}


NUMBER = re.compile(rb'data-testid="current-number">([A-Z]+\d+)<')


def _counter(port: int, counter: tuple[int, str, str], stop: threading.Event, result: Result):
    pk, number, session = counter
    cookies = f"sessionid={session}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    _post(conn, "/quay/quay-so/", {"action": "open", "counter": pk, "groups": [1, 2]}, cookies)
    while not stop.is_set():
        pressed = time.monotonic()
        _post(conn, "/quay/quay-so/", {"action": "call"}, cookies)
        answered = time.monotonic()  # the call is committed before its answer is sent
        conn.request("GET", "/quay/quay-so/", headers={"Cookie": cookies})
        page = conn.getresponse().read()
        found = NUMBER.search(page)
        if found is None:
            time.sleep(0.05)  # nobody waiting yet
            continue
        with result.lock:
            result.calls[(number, found.group(1).decode())] = (pressed, answered)
        _post(conn, "/quay/quay-so/", {"action": "guidance", "procedure": PROCEDURE}, cookies)


def _display(port: int, cast: Cast, token: str, stop: threading.Event, result: Result) -> None:
    """A screen as a browser's EventSource runs it: reconnect when the stream ends, after the
    `retry:` the server asked for, with the last event id."""
    last, retry = "0", 0.0
    path = f"/sanh/{cast.site}/man-hinh/{token}/su-kien/"
    while not stop.wait(retry):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers={"Last-Event-ID": last})
        response = conn.getresponse()
        data = ""
        while not stop.is_set():
            line = response.readline()
            if not line:
                break
            text = line.decode().rstrip("\n")
            if text.startswith("retry: "):
                retry = int(text[7:]) / 1000
            elif text.startswith("id: "):
                last = text[4:]
            elif text.startswith("data: "):
                data = text[6:]
            elif not text and data:
                call = json.loads(data)
                with result.lock:
                    result.seen.append((call["counter"], call["number"], time.monotonic()))
                data = ""
        conn.close()


def _tree_cpu() -> int:
    """User + system clock ticks of every gunicorn process of this run (master and workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in command and b"motcua.config.wsgi" in command:
            total += int(fields[11]) + int(fields[12])
    return total


# --- output -------------------------------------------------------------------------------


def _print(args: argparse.Namespace, result: Result, cpu_seconds: float, url: str) -> None:
    shown = [
        (result.calls[(counter, number)], seen)
        for counter, number, seen in result.seen
        if (counter, number) in result.calls
    ]
    latencies = sorted((seen - pressed) * 1000 for (pressed, _a), seen in shown)
    after_commit = sorted((seen - answered) * 1000 for (_p, answered), seen in shown)
    vendor = "postgresql" if url.startswith("postgres") else "sqlite"
    print(
        f"motcua hall benchmark — {vendor}, gunicorn {args.workers}×{args.threads} on loopback, "
        f"{args.streams} live streams per worker"
    )
    print(
        f"  {args.kiosks} kiosks, {args.counters} counters, {args.displays} screens, "
        f"{result.elapsed:.1f} s"
    )
    print(
        f"  tickets drawn            {result.tickets:>8}  ({result.tickets / result.elapsed:.1f}/s)"
    )
    print(f"  calls made               {len(result.calls):>8}")
    if latencies:
        p50, p99 = _percentiles(latencies)
        print(f"  call → screen (ms)       p50 {p50:.0f}  p99 {p99:.0f}  (n={len(latencies)})")
        p50, p99 = _percentiles(after_commit)
        print(f"  answered → screen (ms)   p50 {p50:.0f}  p99 {p99:.0f}  (from the call's answer)")
    if result.tickets:
        per = cpu_seconds * 1000 / result.tickets
        print(f"  server CPU per ticket     {per:.1f} ms  (all server CPU ÷ tickets drawn)")
    if result.retries:
        print(f"  kiosk retries (5xx)      {result.retries:>8}")
    if result.errors:
        print(f"  errors: {len(result.errors)} (first: {result.errors[0]})")


def _percentiles(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.99))]


# --- plumbing -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _warm_up(port: int, cast: Cast, workers: int) -> None:
    """Every worker booted and its first requests served before the clock starts."""
    for _ in range(workers * 4):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", f"/sanh/{cast.site}/man-hinh/{cast.displays[0]}/trang-thai/")
        conn.getresponse().read()
        conn.close()


def _recreate_postgres(url: str, name: str) -> None:
    import psycopg

    parts = urlsplit(url)
    user, host, port = parts.username or "postgres", parts.hostname, parts.port or 5432
    admin = f"postgresql://{user}@{host}:{port}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
