"""Throttles that cannot be bypassed or culled (docs/decisions/0006-throttles.md): login locks
per normalised name and address, the phone-digit lock per dossier, the lookup's sliding
window per client; each with the clock moved forward, under concurrency, and on both stores
(the database table, and Redis at MOTCUA_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from motcua.core import ratelimit
from motcua.core.models import ThrottleState
from motcua.core.throttle_stores import DatabaseStore, RedisStore
from tests.conftest import on_postgres
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "pw-counter_officer"
WRONG = "not-the-password"


class Clock:
    """The throttles' clock, moved by hand."""

    def __init__(self) -> None:
        self.moment = datetime.fromisoformat("2025-05-05T09:00:00+07:00")

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ratelimit, "now", fake)
    return fake


def redis_store() -> Iterator[RedisStore]:
    import redis

    store = RedisStore(REDIS_URL, prefix=f"motcua-test-{uuid.uuid4().hex}:")
    try:
        store.client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    yield store
    for key in store.client.scan_iter(match=store.prefix + "*"):
        store.client.delete(key)


@pytest.fixture(params=["database", "redis"])
def store(request, monkeypatch) -> Iterator[DatabaseStore | RedisStore]:
    """Each specification runs on both stores, through the same public functions."""
    if request.param == "database":
        chosen: Iterator[DatabaseStore | RedisStore] = iter([DatabaseStore()])
    else:
        chosen = redis_store()
    current = next(chosen)
    monkeypatch.setattr(ratelimit, "store", lambda: current)
    yield current
    next(chosen, None)


def login(client: Client, username: str = "counter_officer", password: str = WRONG) -> int:
    return client.post("/dang-nhap/", {"username": username, "password": password}).status_code


def lock_out(client: Client, username: str = "counter_officer") -> None:
    for _ in range(settings.LOGIN_MAX_ATTEMPTS):
        assert login(client, username) == 200


# --- login ---------------------------------------------------------------------------------


def test_a_login_lock_lasts_as_long_as_configured(client, counter_officer, store, clock) -> None:
    lock_out(client)
    clock.advance(settings.LOGIN_LOCK_SECONDS - 1)
    response = client.post("/dang-nhap/", {"username": "counter_officer", "password": PASSWORD})
    assert response.status_code == 429 and response["Retry-After"] == "1"
    clock.advance(1)
    assert login(client, password=PASSWORD) == 302


@override_settings(LOGIN_LOCK_SECONDS=3600)
def test_attempts_while_locked_do_not_prolong_the_lock(
    client, counter_officer, store, clock
) -> None:
    lock_out(client)
    for _ in range(3):
        clock.advance(1000)
        assert login(client, password=PASSWORD) == 429
    clock.advance(600)
    assert login(client, password=PASSWORD) == 302


def test_failures_spread_beyond_the_window_do_not_lock(
    client, counter_officer, store, clock
) -> None:
    for _ in range(settings.LOGIN_MAX_ATTEMPTS - 1):
        assert login(client) == 200
    clock.advance(settings.LOGIN_WINDOW_SECONDS)
    assert login(client) == 200  # a new window: one failure so far
    assert login(client, password=PASSWORD) == 302


def test_a_success_forgives_the_failures_before_it(client, counter_officer, store) -> None:
    for _ in range(settings.LOGIN_MAX_ATTEMPTS - 1):
        assert login(client) == 200
    assert login(client, password=PASSWORD) == 302
    other = Client()
    for _ in range(settings.LOGIN_MAX_ATTEMPTS - 1):
        assert login(other) == 200
    assert login(other, password=PASSWORD) == 302


@pytest.mark.parametrize(
    "variant",
    [
        "\uff43ounter_officer",  # a full-width c
        "COUNTER_OFFICER",
        "Counter_Officer ",
        "\uff23\uff2f\uff35\uff2e\uff34\uff25\uff32_officer",  # full-width COUNTER
    ],
)
def test_a_locked_user_stays_locked_under_another_spelling_of_the_name(
    client, counter_officer, store, variant
) -> None:
    lock_out(client)
    assert login(client, variant, PASSWORD) == 429


def test_every_spelling_of_the_name_signs_in_and_counts_against_one_lock(
    client, counter_officer, store
) -> None:
    assert login(Client(), "\uff43ounter_officer", PASSWORD) == 302
    assert login(Client(), "Counter_Officer", PASSWORD) == 302
    for variant in ("COUNTER_OFFICER", "\uff43ounter_officer", "Counter_officer") * 2:
        login(client, variant)
    assert login(client, "counter_officer", PASSWORD) == 429


def test_three_hundred_random_names_do_not_unlock_a_locked_user(
    client, counter_officer, store
) -> None:
    lock_out(client)
    for _ in range(300):
        assert login(client, f"nobody-{uuid.uuid4().hex[:12]}") == 200
    assert login(client, password=PASSWORD) == 429


def test_new_accounts_keep_the_normalised_name(catalogue) -> None:
    from motcua.accounts.models import User

    user = User.objects.create_user(username="\uff2eguyen.VAN.A", password="pw-a-long-one")
    assert user.username == "nguyen.van.a"
    assert User.objects.get_by_natural_key("NGUYEN.van.a") == user


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_are_counted_exactly(counter_officer, store) -> None:
    if not on_postgres() and isinstance(store, DatabaseStore):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    statuses = in_parallel(12, lambda: login(Client()))
    assert sorted(statuses) == [200] * settings.LOGIN_MAX_ATTEMPTS + [429] * (
        12 - settings.LOGIN_MAX_ATTEMPTS
    )


def in_parallel(count: int, call) -> list:
    """Run `call` in `count` threads released together, each on its own connection."""
    barrier, results, failures = threading.Barrier(count), [], []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return results


# --- the phone digits (second factor) ------------------------------------------------------


@pytest.fixture
def dossier(counter_officer):
    return receive(counter_officer)


def digits(code: str, guess: str, address: str = "203.0.113.1") -> str:
    response = Client(REMOTE_ADDR=address).get(f"/api/v1/lookup/{code}", {"phone_last4": guess})
    assert response.status_code == 200, response.content
    return response.json()["second_factor"]


def test_the_phone_digit_lock_lasts_an_hour(dossier, store, clock) -> None:
    for _ in range(settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES):
        assert digits(dossier.code, "0000") == "rejected"
    assert digits(dossier.code, "5678") == "locked"
    clock.advance(settings.LOOKUP_SECOND_FACTOR_LOCK_SECONDS - 1)
    assert digits(dossier.code, "5678") == "locked"
    clock.advance(1)
    assert digits(dossier.code, "5678") == "accepted"


def test_the_phone_digit_lock_counts_per_dossier_from_every_address(
    counter_officer, dossier, store
) -> None:
    for n in range(settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES):
        assert digits(dossier.code, "0000", address=f"198.51.100.{n}") == "rejected"
    assert digits(dossier.code, "5678", address="192.0.2.77") == "locked"
    other = receive(counter_officer)
    assert digits(other.code, "5678") == "accepted"


def test_the_page_shares_the_phone_digit_lock(client, dossier, store) -> None:
    for _ in range(settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES):
        assert digits(dossier.code, "0000") == "rejected"
    page = client.post(f"/tra-cuu/{dossier.code}/", {"so_cuoi": "5678"}).content.decode()
    assert "tạm khóa" in page and "Nguyễn Văn An" not in page


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_digits_are_counted_exactly(counter_officer, store) -> None:
    if not on_postgres() and isinstance(store, DatabaseStore):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    code = receive(counter_officer).code
    answers = in_parallel(12, lambda: digits(code, "0000", address=random_address()))
    limit = settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES
    assert sorted(answers) == ["locked"] * (12 - limit) + ["rejected"] * limit


# --- the lookup code (Form 01) ----------------------------------------------------------


def key(code: str, guess: str, address: str = "203.0.113.1") -> str:
    response = Client(REMOTE_ADDR=address).get(f"/api/v1/lookup/{code}", {"lookup_code": guess})
    assert response.status_code == 200, response.content
    return response.json()["second_factor"]


def test_the_lookup_code_lock_lasts_an_hour_and_counts_per_dossier(
    counter_officer, dossier, store, clock
) -> None:
    for n in range(settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES):
        assert key(dossier.code, "ZZZZZZZZ", address=f"198.51.100.{n}") == "rejected"
    assert key(dossier.code, dossier.lookup_code, address="192.0.2.77") == "locked"
    other = receive(counter_officer)
    assert key(other.code, other.lookup_code) == "accepted"
    clock.advance(settings.LOOKUP_SECOND_FACTOR_LOCK_SECONDS - 1)
    assert key(dossier.code, dossier.lookup_code) == "locked"
    clock.advance(1)
    assert key(dossier.code, dossier.lookup_code) == "accepted"


def test_the_phone_digits_never_forgive_guessed_lookup_codes(dossier, store) -> None:
    """Whoever knows the digits (a neighbour) cannot reset the count of guessed codes."""
    limit = settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES
    for _ in range(limit - 1):
        assert key(dossier.code, "ZZZZZZZZ") == "rejected"
    assert digits(dossier.code, "5678") == "accepted"
    assert key(dossier.code, "ZZZZZZZZ") == "rejected"
    assert key(dossier.code, dossier.lookup_code) == "locked"


def test_the_page_shares_the_lookup_code_lock(client, dossier, store) -> None:
    for _ in range(settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES):
        assert key(dossier.code, "ZZZZZZZZ") == "rejected"
    page = client.get(f"/tra-cuu/{dossier.code}/", {"k": dossier.lookup_code}).content.decode()
    assert "tạm khóa" in page and "Nguyễn Văn An" not in page


# --- the lookup's sliding window -----------------------------------------------------------


def random_address() -> str:
    return f"198.51.{uuid.uuid4().int % 250}.1"


def lookups(code: str, address: str = "203.0.113.9") -> int:
    return Client(REMOTE_ADDR=address).get(f"/api/v1/lookup/{code}").status_code


@override_settings(LOOKUP_MAX_REQUESTS=3, LOOKUP_WINDOW_SECONDS=60)
def test_the_lookup_window_slides_and_cannot_be_doubled_at_a_boundary(
    dossier, store, clock
) -> None:
    clock.advance(50)  # late in a minute: a fixed window would end in 10 s
    assert [lookups(dossier.code) for _ in range(3)] == [200, 200, 200]
    clock.advance(11)  # past any fixed boundary, still within 60 s of the three
    refused = Client(REMOTE_ADDR="203.0.113.9").get(f"/api/v1/lookup/{dossier.code}")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert refused.json()["detail"]["retry_after"] == 49
    clock.advance(48)
    assert lookups(dossier.code) == 429
    clock.advance(1)
    assert [lookups(dossier.code) for _ in range(4)] == [200, 200, 200, 429]


@override_settings(LOOKUP_MAX_REQUESTS=2, LOOKUP_WINDOW_SECONDS=60)
def test_the_lookup_window_is_per_client_and_shared_by_page_and_api(
    client, dossier, store, clock
) -> None:
    assert lookups(dossier.code, "203.0.113.9") == 200
    page = Client(REMOTE_ADDR="203.0.113.9").get(f"/tra-cuu/{dossier.code}/")
    assert page.status_code == 200
    refused = Client(REMOTE_ADDR="203.0.113.9").get(f"/tra-cuu/{dossier.code}/")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert lookups(dossier.code, "203.0.113.10") == 200


# --- the stores themselves -----------------------------------------------------------------


def test_the_database_store_purges_only_what_is_over(clock, monkeypatch, catalogue) -> None:
    monkeypatch.setattr(ratelimit, "store", DatabaseStore)
    lock = ratelimit.Lock("t", limit=2, window=10, duration=100)
    for _ in range(2):
        ratelimit.attempt(lock, "locked")
    ratelimit.attempt(lock, "passing")
    clock.advance(50)  # "passing" is over, "locked" still holds
    ratelimit.attempt(lock, "newcomer")  # a fresh count sweeps
    assert ThrottleState.objects.count() == 2
    assert not ratelimit.attempt(lock, "locked").allowed


def test_redis_keys_expire_on_their_own(clock) -> None:
    store = next(redis_store())
    try:
        count, _ = store.count_attempt("k", limit=5, window=900, duration=900, now=0.0)
        assert count == 1
        assert 0 < store.client.pttl(store.prefix + "k") <= 901_000
        assert store.take_slot("w", limit=1, window=60, now=0.0) == 0
        assert 0 < store.client.pttl(store.prefix + "w") <= 61_000
    finally:
        for key in store.client.scan_iter(match=store.prefix + "*"):
            store.client.delete(key)
