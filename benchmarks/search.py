"""Search speed on a province's history: the staff dossier search (`dossiers/search.py`) by
each kind of query, and the public procedure search (`catalog/published.py`).

Run: `.venv/bin/python benchmarks/search.py [--database-url postgres://…/motcua_bench]
[--queries 200] [--explain]` (PostgreSQL).

The database (default motcua_bench, the 1 M history of `benchmarks/lifecycle.py` and
`benchmarks/reports.py`) is migrated first (timed: on an older history that is where the
folded names are filled and the trigram indexes built). If it holds no complete history,
and only if its name contains "bench", it is created, the demo catalogue and personas loaded
and `--dossiers` dossiers generated (`benchmarks/_history.py`); a complete history is always
reused, whatever its size, and nothing is ever dropped.

Each query is made from a random history dossier, so it finds at least that one:
- code part: the last 11 characters of its code ("250424-0012"), in every unit;
- name: its applicant's name without accents, words shuffled ("an nguyen van");
- phone, ID: its phone number with spaces, its ID number;
- procedure words: three words of a procedure's name, without accents, shuffled.
Dossier searches run as the provincial centre's counter officer (sees the whole province)
and as the Đông Hòa commune centre's (sees its own dossiers only), each query a fresh call
of `search.find` (access rule included, 50 results at most). After 20 untimed queries per
kind, prints p50 / p95 / max in milliseconds. No timing is asserted."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# The folder itself never goes on the path: benchmarks/queue.py would hide the standard
# library's `queue` from everything imported after it.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"
USERS = {"province (AH)": "quay.tinh", "commune (AH-X01)": "quay.donghoa"}
WARM_UP = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--queries", type=int, default=200, help="timed queries per kind")
    parser.add_argument(
        "--dossiers", type=int, default=1_000_000, help="history to generate if none"
    )
    parser.add_argument("--explain", action="store_true", help="print one plan per kind")
    args = parser.parse_args()
    if args.queries < 1 or args.dossiers < 1:
        parser.error("--queries and --dossiers must be at least 1")
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "MOTCUA_SECRET_KEY": "benchmark-only-" + uuid.uuid4().hex,
            "MOTCUA_AUDIT_KEY": "bench:benchmark-only-audit-key",
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        }
    )
    try:
        _create_if_missing(args.database_url)
    except RuntimeError as error:
        print(error)
        return 2
    import django

    django.setup()
    history = _prepare(args.database_url, args.dossiers)
    if history is None:
        return 2
    rng = random.Random(2026)
    samples = _samples(history, args.queries + WARM_UP, rng)
    print(f"\n{'query kind':<34}{'as':<20}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'found':>7}")
    for kind, queries in samples.items():
        if kind == "procedure words":
            _report(kind, "public", queries, _procedure_search(), args.explain)
            continue
        for label, username in USERS.items():
            _report(kind, label, queries, _dossier_search(username), args.explain)
    return 0


# --- the database ---------------------------------------------------------------------


def _create_if_missing(database_url: str) -> None:
    import psycopg

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    try:
        admin = psycopg.connect(
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or None,
            dbname="postgres",
            connect_timeout=5,
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        raise RuntimeError(f"PostgreSQL is not reachable: {error}".strip()) from error
    with admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        if "bench" not in name:
            raise RuntimeError(f"no database {name!r}; only a name with 'bench' is created")
        admin.execute(f'CREATE DATABASE "{name}"')
        print(f"database {name} created")


def _prepare(database_url: str, dossiers: int) -> Any:
    """Migrate (timed); generate a history where there is none (a 'bench' database only)."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    from benchmarks import _history

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    history = _history.history_range()
    if history is not None:
        print(f"reusing the history of {history.dossiers:,} dossiers")
        return history
    if "bench" not in urlsplit(database_url).path:
        print("no complete history here, and only a 'bench' database is filled")
        return None
    with override_settings(DEBUG=True):  # the demo refuses to run without it
        call_command("demo", "--no-history", "--quiet")
    print(f"generating {dossiers:,} dossiers of history:")
    return _history.generate(dossiers=dossiers)


# --- the queries ----------------------------------------------------------------------


def _samples(history: Any, count: int, rng: random.Random) -> dict[str, list[str]]:
    from motcua.catalog.models import ProcedureVersion
    from motcua.core.text import fold_accents
    from motcua.dossiers.models import Dossier

    ids = [rng.randint(history.first_id, history.last_id) for _ in range(count * 2)]
    rows = list(
        Dossier.objects.filter(id__in=ids).values_list(
            "code", "applicant_name", "applicant_phone", "applicant_id_number"
        )
    )
    rng.shuffle(rows)
    rows = rows[:count]
    names = list(ProcedureVersion.objects.values_list("name", flat=True))

    def shuffled(text: str, keep: int | None = None) -> str:
        words = fold_accents(text).split()
        words = rng.sample(words, min(keep or len(words), len(words)))
        return " ".join(words)

    return {
        "code part": [code[-11:] for code, *_ in rows],
        "name (no accents, any order)": [shuffled(name) for _, name, *_ in rows],
        "phone": [f"{phone[:4]} {phone[4:7]} {phone[7:]}" for *_, phone, _ in rows],
        "ID number": [number for *_, number in rows if number] or ["000000000000"],
        "procedure words": [shuffled(rng.choice(names), keep=3) for _ in range(count)],
    }


def _dossier_search(username: str) -> Callable[[str], Any]:
    from motcua.accounts import access
    from motcua.accounts.models import User
    from motcua.dossiers import search

    user = User.objects.get(username=username)

    def run(query: str) -> Any:
        return search.find(user, query)

    def queryset(query: str) -> Any:
        found = access.visible_to(user).filter(search.matching(query))
        return found.order_by("-received_at", "-id")[: search.LIMIT]

    run.queryset = queryset  # type: ignore[attr-defined]
    return run


def _procedure_search() -> Callable[[str], Any]:
    from motcua.catalog import published
    from motcua.core.clock import local, now

    day = local(now()).date()

    def run(query: str) -> Any:
        return list(published.search(query, day=day)[:30])

    run.queryset = lambda query: published.search(query, day=day)[:30]  # type: ignore[attr-defined]
    return run


def _report(
    kind: str, label: str, queries: list[str], run: Callable[[str], Any], explain: bool
) -> None:
    for query in queries[:WARM_UP]:
        run(query)
    times, found = [], 0
    for query in queries[WARM_UP:]:
        started = time.perf_counter()
        found += bool(run(query))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(len(times) * 0.95))]
    share = f"{found * 100 // len(times)}%"
    print(
        f"{kind:<34}{label:<20}{statistics.median(times):>8.1f}{p95:>8.1f}{times[-1]:>8.1f}"
        f"{share:>7}"
    )
    if explain:
        plan = run.queryset(queries[WARM_UP]).explain(analyze=True)  # type: ignore[attr-defined]
        print("    " + "\n    ".join(plan.splitlines()))


if __name__ == "__main__":
    sys.exit(main())
