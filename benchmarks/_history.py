"""Years of believable history for the benchmarks, written with set-based SQL on PostgreSQL.

`generate(dossiers=N)` fills `dossiers_dossier`, `dossiers_dossierevent`,
`dossiers_dossierstep`, `dossiers_supplementpause` and `dossiers_dossiercodecounter` of an
EMPTY, migrated benchmark database that already holds the demo catalogue and personas
(`motcua demo --no-history`). It is fixture data, not live work: the rows are written
directly (a few `INSERT … SELECT … FROM generate_series`), not through the actions.

What the history looks like:
* dossiers received on the working days (real calendar: weekends and holidays skipped) of the
  last `years` years, up to yesterday, in the centres' working sessions, at the three
  receiving units of the demo (AH 40 %, AH-X01 35 %, AH-P02 25 %); province procedures at
  the provincial centre, commune procedures (and a few province ones) at the communes, each
  with its competent agency; a skewed procedure mix, channels among those the procedure
  allows (counter ~50 %, online ~44 %, postal ~6 %);
* codes in the official format `<identity code>-<YYMMDD>-<NNNN>`, numbered per unit and day
  in order of receipt, with `DossierCodeCounter` set to each day's last number; every day is
  before today, so they never collide with the codes live work issues today;
* three paths: the ordinary one (received → transferred → assigned → appraised → submitted
  for approval → approved → resolved → result delivered, 8 events, like a live lifecycle),
  one with a supplement request (+2 events, a `SupplementPause` row, the due date pushed by
  the wait) and one returned unresolved after assignment; 2 % of decisions are refusals,
  ~4 % end late, ~0.3 % of results are never collected;
* the process steps of each procedure's real process definition (4 or 5 per dossier),
  opened and completed with the events, with their share of the legal time and `late`;
* every event before the start of today: the dossiers of the last weeks are still open
  (their status, assignee, pause… follow from the events that have happened).

Approximations (fixture data): due dates count working days on the real calendar but not
the same-day cut-off rules; intermediate events fall anywhere in the day; the inter-agency
steps' own events (`transferred` to the co-ordinating unit, `step_completed`) are not
written. Event hashes are md5-based placeholders of the right length (prev_hash chains to
the previous event's placeholder): the benchmark database is not audited, and
`motcua audit verify` would report every history event as changed.

Reusable by other benchmarks (reports): `generate()`, `history_range()`, `table_sizes()`."""

from __future__ import annotations

import dataclasses
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

HISTORY_TABLE = "bench_history"  # one row: what was generated, for --reuse
RECEIVING_SHARES = {"AH": 0.40, "AH-X01": 0.35, "AH-P02": 0.25}
CHANNEL_SHARES = {"counter": 0.50, "online": 0.44, "postal": 0.06}
SLOTS = 10_000  # resolution of the unit × procedure × channel mix
ZONE = "Asia/Ho_Chi_Minh"
STAGING_TABLES = ("bench_gen", "bench_mix", "bench_slot", "bench_days", "bench_event_def")
STAGING_TABLES += ("bench_step_def",)
GENERATED_TABLES = (
    "dossiers_dossier",
    "dossiers_dossierevent",
    "dossiers_dossierstep",
    "dossiers_supplementpause",
    "dossiers_dossiercodecounter",
)

# The three paths: (event type, position in the processing time [0, 1], after the
# supplement wait, is the delivery, actor, status after it).
# A dossier's event times are received_at + T * position^r (+ wait W) (+ delivery delay D),
# T its processing time and r a per-dossier exponent: monotonic, so the events that have
# happened by the cut-off are always a prefix of the path.
ORDINARY, SUPPLEMENT, UNRESOLVED = 0, 1, 2
_HEAD = [
    ("received", 0.0, False, False, "counter", "RECEIVED"),
    ("transferred", 0.03, False, False, "counter", "TRANSFERRED"),
    ("assigned", 0.08, False, False, "leader", "ASSIGNED"),
]
_TAIL = [
    ("appraised", 0.60, True, False, "specialist", "APPRAISED"),
    ("submitted_for_approval", 0.65, True, False, "specialist", "AWAITING_APPROVAL"),
    ("approved", 0.90, True, False, "leader", "APPROVED"),
    ("resolved", 1.0, True, False, "leader", "RESOLVED"),
    ("result_delivered", 1.0, True, True, "counter", "RETURNED"),
]
PATHS: dict[int, list[tuple[str, float, bool, bool, str, str]]] = {
    ORDINARY: _HEAD + _TAIL,
    SUPPLEMENT: [
        *_HEAD,
        ("supplement_requested", 0.20, False, False, "specialist", "AWAITING_SUPPLEMENT"),
        ("supplement_received", 0.20, True, False, "counter", "ASSIGNED"),
        *_TAIL,
    ],
    UNRESOLVED: [
        *_HEAD,
        ("returned_unresolved", 0.50, False, False, "leader", "RETURNED_NOT_RESOLVED"),
    ],
}
# When each kind of process step opens and closes: the event (type) that opens it, the one
# that completes it.
STEP_EVENTS = {
    "reception": ("received", "transferred"),
    "appraisal": ("transferred", "submitted_for_approval"),
    "inter_agency": ("transferred", "appraised"),
    "approval": ("submitted_for_approval", "approved"),
    "return": ("approved", "resolved"),
}
ENDING_EVENTS = ("resolved", "returned_unresolved")

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thu", "Hoàng", "Đức", "Ngọc", "Thanh", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Em", "Giang", "Huy", "Khánh", "Long", "Mai", "Nam"]
GIVEN += ["Oanh", "Phúc", "Quang", "Sơn", "Tâm", "Uyên", "Vân", "Xuân", "Yến", "Hà", "Lan"]
NAME_PARTS = (FAMILY, MIDDLE, GIVEN)
STREETS = ["Lê Lợi", "Trần Phú", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt"]
PLACES = ["phường Bắc An", "xã Đông Hòa", "phường Nam Sơn", "xã Tây Hà", "phường Trung Tâm"]
WEEKDAYS_VI = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclasses.dataclass(frozen=True)
class History:
    dossiers: int
    first_id: int
    last_id: int
    first_day: date
    last_day: date
    seconds: float
    provinces: int = 1


def generate(
    *,
    dossiers: int,
    years: int = 5,
    seed: int = 2026,
    log: Any = print,
    events: bool = True,
    provinces: int = 1,
) -> History:
    """Write `dossiers` dossiers of history (see the module's docstring) into a freshly
    migrated database; returns what was written. With `events=False` only the dossiers, their
    pauses and the code counters are written, not their events and process steps (the period
    report reads neither; 10 M dossiers with them take ~55 GB of disk, without ~10 GB).
    With `provinces` > 1 the dossiers are shared equally by the demo province AH and
    `provinces - 1` copies of its three receiving units under other roots (Q01, Q02, …): a
    larger history whose months are, for AH, as full as with `provinces=1`.

    Two sessions share the work (the machine has 2 cores): the staging tables are UNLOGGED
    tables both can read, the events are split by dossier id, the indexes and the VACUUM
    are shared out. Not atomic: a failed run leaves a partial history without the
    `bench_history` row, and `--reuse` then starts over."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the history generator needs PostgreSQL")
    started = time.perf_counter()
    phase = _Phases(log)
    rng = random.Random(seed)  # the mix; PostgreSQL's random() is seeded from it too
    _ensure_provinces(provinces)
    today = _today()
    days = _working_days(today - timedelta(days=round(years * 365.25)), today)
    history_days = [day for day in days if day < today]
    with _loading() as cursor:
        cursor.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
        cursor.execute("SELECT coalesce(max(id), 0) FROM dossiers_dossier")
        offset = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM dossiers_dossierevent")
        event_offset = cursor.fetchone()[0]
        _fixture_tables(cursor, rng, days, provinces)
        dropped = _drop_secondary_indexes(cursor)
        _stage(cursor, dossiers=dossiers, offset=offset, n_days=len(history_days), today=today)
    phase.done("staging (random draws, codes, event times)")
    middle = offset + dossiers * 3 // 5  # the first session also writes the rest

    def first_session() -> None:
        with _loading() as cursor:
            _insert_dossiers(cursor)
            if events:
                _insert_steps(cursor)
            _insert_pauses_and_counters(cursor)
            if events:
                _insert_events(cursor, ids=(offset + 1, middle), event_offset=event_offset)

    def second_session() -> None:
        if not events:
            return
        with _loading() as cursor:
            _insert_events(cursor, ids=(middle + 1, offset + dossiers), event_offset=event_offset)

    _in_parallel([first_session, second_session])
    phase.done("dossiers, events, steps, pauses, code counters")
    _in_parallel([partial(_run_all, half) for half in _halves(dropped)])
    phase.done(f"{len(dropped)} secondary indexes rebuilt")
    with _loading() as cursor:
        for table in GENERATED_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cursor.execute("DROP TABLE " + ", ".join(STAGING_TABLES))
    vacuums = [f"VACUUM (ANALYZE) {table}" for table in GENERATED_TABLES]
    _in_parallel([partial(_run_all, [vacuums[1]]), partial(_run_all, vacuums[:1] + vacuums[2:])])
    phase.done("VACUUM ANALYZE (hint bits, visibility map, statistics)")
    _run_all(["CHECKPOINT"])  # the load reaches the disk now, not during the measurements
    phase.done("CHECKPOINT")
    history = History(
        dossiers=dossiers,
        first_id=offset + 1,
        last_id=offset + dossiers,
        first_day=history_days[0],
        last_day=history_days[-1],
        seconds=time.perf_counter() - started,
        provinces=provinces,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (dossiers integer, first_id bigint, "
            "last_id bigint, first_day date, last_day date, seconds double precision, "
            "generated_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            f"ALTER TABLE {HISTORY_TABLE} ADD COLUMN IF NOT EXISTS provinces integer DEFAULT 1"
        )
        cursor.execute(f"DELETE FROM {HISTORY_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {HISTORY_TABLE} (dossiers, first_id, last_id, first_day, "  # noqa: S608
            "last_day, seconds, provinces) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            dataclasses.astuple(history),
        )
    return history


@contextmanager
def _loading() -> Iterator[Any]:
    """A cursor in a transaction set up for bulk loading: no FK triggers (the rows are
    consistent by construction), no waiting for the WAL flush, memory for sorts."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL session_replication_role = replica;"
            "SET LOCAL synchronous_commit = off;"
            "SET LOCAL work_mem = '256MB';"
            "SET LOCAL maintenance_work_mem = '512MB';"
        )
        yield cursor


def _run_all(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for sql in statements:
            cursor.execute(sql)


def _in_parallel(jobs: list[Callable[[], None]]) -> None:
    """Run each job in its own thread (so its own database session); re-raise the first
    failure once all have ended."""
    from django.db import connection

    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _halves(statements: list[str]) -> list[list[str]]:
    """Index builds shared out between two sessions, by the rows each must read (longest
    first, each to the session with less work so far)."""
    weight = {"dossierevent": 8.0, "dossierstep": 4.0, "dossier": 1.0}

    def rows(sql: str) -> float:
        table = sql.split(" ON ", 1)[1].split()[0].rsplit(".", 1)[-1]
        return weight.get(table.removeprefix("dossiers_"), 0.1)

    halves: list[list[str]] = [[], []]
    loads = [0.0, 0.0]
    for sql in sorted(statements, key=rows, reverse=True):
        lighter = loads.index(min(loads))
        halves[lighter].append(sql)
        loads[lighter] += rows(sql)
    return halves


def history_range() -> History | None:
    """What `generate` wrote into this database, if it completed and is still all there
    (None otherwise)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [HISTORY_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT * FROM {HISTORY_TABLE}")  # noqa: S608
        found = cursor.fetchone()
        if found is None:
            return None
        named = dict(zip([column.name for column in cursor.description], found, strict=True))
        fields = [field.name for field in dataclasses.fields(History)]
        row = [named.get(name, 1) for name in fields]  # provinces: 1 before it was recorded
        cursor.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE id BETWEEN %s AND %s", [row[1], row[2]]
        )
        if cursor.fetchone()[0] != row[0]:
            return None
    return History(*row)


def table_sizes() -> list[tuple[str, int, int]]:
    """(table, rows, total bytes with indexes and TOAST) of the generated tables, then the
    whole database (rows 0)."""
    from django.db import connection

    sizes = []
    with connection.cursor() as cursor:
        for table in GENERATED_TABLES:
            cursor.execute(
                f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}"  # noqa: S608
            )
            rows, size = cursor.fetchone()
            sizes.append((table, rows, size))
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes.append(("(whole database)", 0, cursor.fetchone()[0]))
    return sizes


# --- the fixture tables: what the SQL draws from ----------------------------------------


def _today() -> date:
    from motcua.core.clock import local, now

    return local(now()).date()


def _working_days(first: date, today: date) -> list[date]:
    """Working days (the province's calendar) from `first`, and 200 more after today for due
    dates."""
    from motcua.calendars.services import calendar_for

    calendar = calendar_for(None)
    days, day = [], first
    while day < today + timedelta(days=300):
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _fixture_tables(cursor: Any, rng: random.Random, days: list[date], provinces: int) -> None:
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(STAGING_TABLES))
    mix = _mix(rng, provinces)
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_mix (id int PRIMARY KEY, unit_id bigint, prefix text, "
        "province_code text, version_id bigint, version_number int, procedure_code text, "
        "agency_id bigint, agency_code text, channel text, duration_value int, "
        "duration_unit text, convention text, pause_rule text, five_on_spot boolean, "
        "components jsonb, counter_id bigint, counter_name text, leader_id bigint, "
        "leader_name text, specialist_id bigint, specialist_name text, specialist_username "
        "text)"
    )
    columns = list(mix[0]["row"])
    cursor.executemany(
        f"INSERT INTO bench_mix (id, {', '.join(columns)}) "  # noqa: S608
        f"VALUES (%s, {', '.join(['%s'] * len(columns))})",
        [[index, *item["row"].values()] for index, item in enumerate(mix)],
    )
    cursor.execute("CREATE UNLOGGED TABLE bench_slot (slot int PRIMARY KEY, mix_id int)")
    cursor.executemany("INSERT INTO bench_slot VALUES (%s, %s)", list(enumerate(_slots(mix, rng))))
    cursor.execute("CREATE UNLOGGED TABLE bench_days (idx int PRIMARY KEY, day date)")
    cursor.executemany("INSERT INTO bench_days VALUES (%s, %s)", list(enumerate(days)))
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_event_def (path int, seq int, type text, pos float8, "
        "after_wait boolean, delivery boolean, actor text, status text, "
        "PRIMARY KEY (path, seq))"
    )
    cursor.executemany(
        "INSERT INTO bench_event_def VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            [path, seq, *event]
            for path, events in PATHS.items()
            for seq, event in enumerate(events, start=1)
        ],
    )
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_step_def (version_id bigint, ord int, key text, name text, "
        "kind text, unit_rule text, unit_id bigint, role text, share float8, completer_id "
        "bigint, path int, open_seq int, close_seq int)"
    )
    cursor.executemany(
        "INSERT INTO bench_step_def VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        _step_rows(mix),
    )
    cursor.execute("ANALYZE bench_mix, bench_slot, bench_days, bench_event_def, bench_step_def")


def province_root(number: int) -> str:
    """The root unit of the generated province `number` (0 = the demo's AH)."""
    return "AH" if number == 0 else f"Q{number:02d}"


def _ensure_provinces(provinces: int) -> None:
    """Copies of AH's three receiving units (same kinds and sessions) under the roots Q01…,
    with their own identity codes, so their dossier codes never collide with AH's."""
    from motcua.catalog.models import Unit

    for number in range(1, provinces):
        made: dict[str, Any] = {}
        for code in RECEIVING_SHARES:  # AH first: the parent of the other two
            original = Unit.objects.get(code=code)
            made[code], _ = Unit.objects.get_or_create(
                code=code.replace("AH", province_root(number), 1),
                defaults={
                    "name": f"{original.name} (tỉnh mô phỏng {number})",
                    "kind": original.kind,
                    "parent": made.get(original.parent.code) if original.parent else None,
                    "identity_code": original.identity_code.replace(".H99", f".T{number:02d}"),
                    "sessions": original.sessions,
                },
            )


def _mix(rng: random.Random, provinces: int = 1) -> list[dict[str, Any]]:
    """Every (receiving unit, procedure version, channel) the history draws from, with its
    weight and the people who act on its dossiers. Within a level, procedures are ranked in
    a seeded order and weighted 1/rank^0.9 (a few procedures make most of the work)."""
    from motcua.catalog.models import Procedure, Unit

    versions = [
        version
        for procedure in Procedure.objects.order_by("code")
        if (version := procedure.current_version()) is not None
    ]
    province = [v for v in versions if v.level != "commune"]
    commune = [v for v in versions if v.level == "commune"]
    for group in (province, commune):
        rng.shuffle(group)
    province.sort(key=lambda v: v.procedure.code != "3.000333")  # the criminal record first

    def ranked(group: list[Any], share: float) -> list[tuple[Any, float]]:
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(group))]
        return [(v, share * w / sum(weights)) for v, w in zip(group, weights, strict=True)]

    people = _People()
    mix = []
    receiving = [
        (code.replace("AH", province_root(number), 1), code, share / provinces)
        for number in range(provinces)
        for code, share in RECEIVING_SHARES.items()
    ]
    for receiving_code, unit_code, unit_share in receiving:
        unit = Unit.objects.get(code=receiving_code)
        offered = (
            ranked(province, 1.0)
            if unit_code == "AH"
            else ranked(commune, 0.85) + ranked(province, 0.15)
        )
        for version, share in offered:
            agency = _competent_agency(version, unit)
            channels = [c for c in version.extra.get("channels", []) if c in CHANNEL_SHARES]
            channels = channels or ["counter"]
            total = sum(CHANNEL_SHARES[c] for c in channels)
            counter = people.at(unit, "counter_officer")
            leader = people.at(agency, "agency_leader")
            specialist = people.at(agency, "specialist")
            for channel in channels:
                mix.append(
                    {
                        "weight": unit_share * share * CHANNEL_SHARES[channel] / total,
                        "version": version,
                        "people": people,
                        "row": {
                            "unit_id": unit.pk,
                            "prefix": unit.dossier_prefix,
                            "province_code": unit.province_code,
                            "version_id": version.pk,
                            "version_number": version.number,
                            "procedure_code": version.procedure.code,
                            "agency_id": agency.pk,
                            "agency_code": agency.code,
                            "channel": channel,
                            "duration_value": version.duration_value,
                            "duration_unit": version.duration_unit,
                            "convention": version.convention,
                            "pause_rule": version.pause_rule,
                            "five_on_spot": version.five_on_spot,
                            "components": json.dumps(
                                version.component_names()[:2], ensure_ascii=False
                            ),
                            "counter_id": counter.pk,
                            "counter_name": str(counter),
                            "leader_id": leader.pk,
                            "leader_name": str(leader),
                            "specialist_id": specialist.pk,
                            "specialist_name": str(specialist),
                            "specialist_username": specialist.username,
                        },
                    }
                )
    return mix


def _competent_agency(version: Any, unit: Any) -> Any:
    """As `dossiers.actions` chooses it: the first competent agency under the receiving
    centre, else the procedure's own."""
    candidates = [version.agency, *version.other_agencies.all()]
    local_ones = [agency for agency in candidates if agency.is_within(unit)]
    return local_ones[0] if local_ones else version.agency


def _slots(mix: list[dict[str, Any]], rng: random.Random) -> list[int]:
    """SLOTS entries, each a mix row, in proportion to the weights (largest remainder)."""
    total = sum(item["weight"] for item in mix)
    exact = [item["weight"] / total * SLOTS for item in mix]
    counts = [max(1, int(value)) for value in exact]
    order = sorted(range(len(mix)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    index = 0
    while sum(counts) < SLOTS:
        counts[order[index % len(order)]] += 1
        index += 1
    while sum(counts) > SLOTS:
        largest = max(range(len(counts)), key=counts.__getitem__)
        counts[largest] -= 1
    slots = [i for i, count in enumerate(counts) for _ in range(count)]
    rng.shuffle(slots)
    return slots


def _step_rows(mix: list[dict[str, Any]]) -> list[list[Any]]:
    from motcua.catalog.models import Unit
    from motcua.catalog.process import definition_of

    rows, seen = [], set()
    people = mix[0]["people"]
    for item in mix:
        version = item["version"]
        if version.pk in seen:
            continue
        seen.add(version.pk)
        for ord_, step in enumerate(definition_of(version.process)):
            unit_rule = step["unit"] if step["unit"] in ("one_stop", "agency") else "unit"
            unit = Unit.objects.get(code=step["unit"]) if unit_rule == "unit" else None
            completer = people.at(unit, step["role"]) if unit is not None else None
            opens, closes = STEP_EVENTS[step["kind"]]
            for path, events in PATHS.items():
                types = [event[0] for event in events]
                if opens not in types:
                    continue
                close = closes if closes in types else types[-1]  # ended: all steps close
                rows.append(
                    [
                        version.pk,
                        ord_,
                        step["key"],
                        step["name"],
                        step["kind"],
                        unit_rule,
                        unit.pk if unit else None,
                        step["role"],
                        float(step["share"]),
                        completer.pk if completer else None,
                        path,
                        types.index(opens) + 1,
                        types.index(close) + 1,
                    ]
                )
    return rows


class _People:
    """The staff who act on history dossiers: the demo personas where the demo has one for
    the unit and role, else a fixture member created once per unit and role."""

    SHORT = {"counter_officer": "quay", "specialist": "chuyenvien", "agency_leader": "lanhdao"}
    NAMES = ["Phan Văn Tài", "Lâm Thị Hoa", "Trịnh Quốc Bảo", "Đinh Thị Nhung", "Mai Văn Lực"]

    def __init__(self) -> None:
        self.cache: dict[tuple[int, str], Any] = {}

    def at(self, unit: Any, role: str) -> Any:
        from motcua.accounts.models import Membership, User

        key = (unit.pk, role)
        if key not in self.cache:
            membership = (
                Membership.objects.filter(unit=unit, role=role, is_active=True)
                .select_related("user")
                .order_by("user__username")
                .first()
            )
            if membership is not None:
                user = membership.user
            else:
                name = self.NAMES[len(self.cache) % len(self.NAMES)]
                user, _ = User.objects.get_or_create(
                    username=f"lichsu.{self.SHORT[role]}.{unit.code.lower()}",
                    defaults={"full_name": f"{name} ({unit.code})", "is_active": True},
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
                Membership.objects.get_or_create(user=user, unit=unit, role=role)
            self.cache[key] = user
        return self.cache[key]


def _drop_secondary_indexes(cursor: Any) -> list[str]:
    """Drop the indexes of the generated tables that back no constraint (they are rebuilt in
    one pass after the load, much faster than maintained row by row); returns their DDL."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(GENERATED_TABLES)],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


# --- the load ---------------------------------------------------------------------------


def _local_iso(column: str) -> str:
    """SQL: an ISO 8601 text of a timestamptz in Vietnam's time, as the actions write it."""
    return f"to_char(({column}) AT TIME ZONE '{ZONE}', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+07:00'"


def _stage(cursor: Any, *, dossiers: int, offset: int, n_days: int, today: date) -> None:
    """bench_gen: one row per dossier with every random draw, its code and id, and `ts`: the
    times of the events of its path that happened before today."""
    cutoff = datetime.combine(today, datetime.min.time())
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_gen AS
        WITH draw AS MATERIALIZED (
            SELECT n, floor(random() * {SLOTS})::int AS slot,
                   floor(random() * %(n_days)s)::int AS day_idx,
                   floor(random() * 420)::int AS minute,
                   random() AS u_path, random() AS u_f, random() AS u_late, random() AS u_r,
                   random() AS u_wait, random() AS u_deliver, random() AS u_outcome,
                   random() AS u_return, random() AS u_name, random() AS u_contact
            FROM generate_series(1, %(dossiers)s) AS n
        ), placed AS (
            SELECT draw.*, m.id AS mix_id, d.day,
                   (d.day + make_interval(mins => 420 + CASE WHEN minute < 270 THEN minute
                        ELSE minute + 120 END)) AT TIME ZONE '{ZONE}' AS received_at,
                   (due.day + make_interval(mins => 420 + CASE WHEN minute < 270 THEN minute
                        ELSE minute + 120 END)) AT TIME ZONE '{ZONE}' AS base_due_at,
                   CASE WHEN u_path < 0.06 THEN {SUPPLEMENT} WHEN u_path < 0.075 THEN {UNRESOLVED}
                        ELSE {ORDINARY} END AS path
            FROM draw
            JOIN bench_slot s ON s.slot = draw.slot
            JOIN bench_mix m ON m.id = s.mix_id
            JOIN bench_days d ON d.idx = draw.day_idx
            JOIN bench_days due ON due.idx = draw.day_idx + m.duration_value
        ), timed AS (
            SELECT placed.*,
                   -- processing time: mostly 25-98 %% of the legal time, 4 %% late
                   (base_due_at - received_at) * CASE WHEN u_late < 0.04
                        THEN 1.02 + u_f * 0.6 ELSE 0.25 + u_f * 0.73 END AS t,
                   0.8 + u_r * 0.45 AS r,
                   CASE WHEN path = {SUPPLEMENT} THEN interval '1 day' * (1 + u_wait * 14)
                        ELSE interval '0' END AS wait,
                   CASE WHEN u_deliver < 0.003 THEN NULL
                        WHEN u_deliver < 0.70 THEN interval '1 hour' * (0.5 + u_deliver * 30)
                        WHEN u_deliver < 0.95 THEN interval '1 day' * (1 + (u_deliver - 0.7) * 24)
                        ELSE interval '1 day' * (7 + (u_deliver - 0.95) * 460) END AS deliver,
                   CASE WHEN u_outcome < 0.02 THEN 'denied' ELSE 'granted' END AS outcome,
                   CASE WHEN u_return < 0.70 THEN 'counter' WHEN u_return < 0.90 THEN 'postal'
                        ELSE 'online' END AS return_channel
            FROM placed
        )
        SELECT x.*, cardinality(x.ts) AS k FROM (
        SELECT timed.*,
               %(offset)s + row_number() OVER (ORDER BY received_at, n) AS id,
               row_number() OVER (PARTITION BY m.unit_id, day ORDER BY received_at, n) AS day_seq,
               base_due_at + wait AS due_at,
               ARRAY(
                   SELECT e.at FROM (
                       SELECT def.seq, received_at + t * power(def.pos, r)
                              + CASE WHEN def.after_wait THEN wait ELSE interval '0' END
                              + CASE WHEN def.delivery THEN deliver ELSE interval '0' END AS at
                       FROM bench_event_def def WHERE def.path = timed.path
                   ) e
                   WHERE e.at < %(cutoff)s::timestamp AT TIME ZONE '{ZONE}'
                   ORDER BY e.seq
               ) AS ts
        FROM timed JOIN bench_mix m ON m.id = timed.mix_id
        ) x
        """,  # noqa: S608 — constants of this module, no outside input
        {"dossiers": dossiers, "n_days": n_days, "offset": offset, "cutoff": cutoff},
    )
    cursor.execute("ANALYZE bench_gen")


# The sequence number of some events on each path (NULL where the path has none).
PATH_SEQS = """(SELECT path,
        max(seq) FILTER (WHERE type = 'approved') AS approved,
        max(seq) FILTER (WHERE type IN ('resolved', 'returned_unresolved')) AS ended,
        max(seq) FILTER (WHERE type = 'result_delivered') AS delivered
    FROM bench_event_def GROUP BY path)"""


def _insert_dossiers(cursor: Any) -> None:
    from motcua.core.text import fold_accents, search_key

    def name_of(family: list[str], middle: list[str], given: list[str]) -> str:
        return (
            f"(ARRAY{family})[1 + floor(g.u_name * {len(family)})::int] || ' ' || "
            f"(ARRAY{middle})[1 + (g.n % {len(middle)})] || ' ' || "
            f"(ARRAY{given})[1 + ((g.n / 7) % {len(given)})]"
        )

    name = name_of(FAMILY, MIDDLE, GIVEN)
    # the same draw from the folded words: the search key the staff search reads
    folded_name = "' ' || " + name_of(
        *([fold_accents(word) for word in words] for words in NAME_PARTS)
    )
    assert search_key("Nguyễn Văn An") == " " + fold_accents("Nguyễn Văn An")
    address = (
        f"'Số ' || (1 + g.n % 199) || ' đường ' || (ARRAY{STREETS})[1 + (g.n % "
        f"{len(STREETS)})] || ', ' || (ARRAY{PLACES})[1 + ((g.n / 3) % {len(PLACES)})] "
        f"|| ', tỉnh An Hòa'"
    )
    cursor.execute(
        f"""
        INSERT INTO dossiers_dossier (
            id, code, province_code, procedure_version_id, procedure_code, receiving_unit_id,
            agency_id, channel, status, five_on_spot, applicant_name, applicant_name_folded,
            applicant_id_number,
            applicant_phone, applicant_email, applicant_address, components, sets_count,
            return_channel, postal_address, duration_value, duration_unit, convention,
            pause_rule, received_at, clock_started_at, due_at, due_at_original, ended_at,
            delivered_at, version, assignee_id, resume_status, paused_at, supplement_count,
            outcome, uncollected, delivered_via, received_by_id, created_at, source,
            external_code)
        SELECT g.id,
               m.prefix || '-' || to_char(g.day, 'YYMMDD') || '-'
                   || lpad(g.day_seq::text, greatest(4, length(g.day_seq::text)), '0'),
               m.province_code, m.version_id, m.procedure_code, m.unit_id, m.agency_id,
               m.channel, def.status, m.five_on_spot,
               {name},
               {folded_name},
               CASE WHEN g.u_contact < 0.8
                    THEN '0' || (30000000000 + g.n::bigint * 7919 % 9999999999)::text
                    ELSE '' END,
               '09' || lpad(((g.n::bigint * 48271) % 100000000)::text, 8, '0'),
               CASE WHEN g.u_contact < 0.25 THEN 'congdan' || g.n || '@example.vn' ELSE '' END,
               {address},
               m.components, 1 + (g.n % 10 = 0)::int,
               g.return_channel,
               CASE WHEN g.return_channel = 'postal' THEN {address} ELSE '' END,
               m.duration_value, m.duration_unit, m.convention, m.pause_rule,
               g.received_at, g.received_at,
               CASE WHEN g.k >= 5 THEN g.due_at ELSE g.due_at - g.wait END,
               NULL, g.ts[p.ended], g.ts[p.delivered], g.k,
               CASE WHEN g.k >= 3 THEN m.specialist_id END,
               CASE WHEN def.status = 'AWAITING_SUPPLEMENT' THEN 'ASSIGNED' ELSE '' END,
               CASE WHEN def.status = 'AWAITING_SUPPLEMENT' THEN g.ts[g.k] END,
               CASE WHEN g.path = {SUPPLEMENT} AND g.k >= 4 THEN 1 ELSE 0 END,
               CASE WHEN g.k >= p.approved THEN g.outcome ELSE '' END,
               false,
               CASE WHEN g.k >= p.delivered THEN g.return_channel ELSE '' END,
               m.counter_id, g.received_at,
               CASE WHEN m.channel = 'online' THEN 'national_portal' ELSE '' END,
               CASE WHEN m.channel = 'online' THEN 'G22.' || g.id ELSE '' END
        FROM bench_gen g
        JOIN bench_mix m ON m.id = g.mix_id
        JOIN bench_event_def def ON def.path = g.path AND def.seq = g.k
        JOIN {PATH_SEQS} p ON p.path = g.path
        ORDER BY g.id
        """  # noqa: S608 — constants of this module, no outside input
    )


def _insert_events(cursor: Any, *, ids: tuple[int, int], event_offset: int) -> None:
    """The events of the dossiers whose ids are in `ids` (inclusive). Event ids are given
    (dossier id × 12 + sequence), so two sessions append to separate ranges of the index."""
    due = _local_iso("g.due_at - g.wait")
    received = "g.ts[1] AT TIME ZONE '" + ZONE + "'"
    due_local = "(g.due_at - g.wait) AT TIME ZONE '" + ZONE + "'"
    weekday_vi = f"(ARRAY{WEEKDAYS_VI})[extract(isodow FROM {{0}})::int]"
    weekday_en = f"(ARRAY{WEEKDAYS_EN})[extract(isodow FROM {{0}})::int]"
    unit_label = (
        "CASE WHEN m.duration_unit = 'working_hours' THEN 'giờ làm việc' ELSE 'ngày làm việc' END"
    )
    explanation = f"""jsonb_build_array(
        'Tiếp nhận lúc ' || to_char({received}, 'HH24:MI') || ' ' || {weekday_vi.format(received)}
            || ' ' || to_char({received}, 'DD/MM/YYYY') || '; thời hạn ' || m.duration_value
            || ' ' || {unit_label} || ', tính theo giờ làm việc (mỗi ngày 8 giờ).',
        'Bỏ qua ' || (2 * (m.duration_value / 5 + 1)) || ' ngày nghỉ cuối tuần.',
        'Hẹn trả: ' || to_char({due_local}, 'HH24:MI') || ' ' || {weekday_vi.format(due_local)}
            || ' ' || to_char({due_local}, 'DD/MM/YYYY') || '.')"""
    explanation_en = f"""jsonb_build_array(
        'Received at ' || to_char({received}, 'HH24:MI') || ' on ' || {weekday_en.format(received)}
            || ' ' || to_char({received}, 'FMDD FMMonth YYYY') || '; time limit '
            || m.duration_value || ' working days, counted in working hours (8 hours a day).',
        'Skipped ' || (2 * (m.duration_value / 5 + 1)) || ' weekend days.',
        'Due: ' || to_char({due_local}, 'HH24:MI') || ' on ' || {weekday_en.format(due_local)}
            || ' ' || to_char({due_local}, 'FMDD FMMonth YYYY') || '.')"""
    cursor.execute(
        f"""
        INSERT INTO dossiers_dossierevent (id, dossier_id, sequence, type, at, recorded_at,
            actor_id, actor_name, reason, data, prev_hash, hash)
        SELECT {event_offset} + g.id * 12 + def.seq,
               g.id, def.seq, def.type, g.ts[def.seq], g.ts[def.seq],
               CASE def.actor WHEN 'counter' THEN m.counter_id WHEN 'leader' THEN m.leader_id
                    ELSE m.specialist_id END,
               CASE def.actor WHEN 'counter' THEN m.counter_name WHEN 'leader' THEN m.leader_name
                    ELSE m.specialist_name END,
               CASE def.type
                   WHEN 'appraised' THEN 'Hồ sơ hợp lệ, đủ điều kiện giải quyết.'
                   WHEN 'approved' THEN CASE WHEN g.outcome = 'denied'
                        THEN 'Không đủ điều kiện theo quy định.' ELSE '' END
                   WHEN 'supplement_requested' THEN 'Thiếu giấy tờ chứng minh theo quy định.'
                   WHEN 'returned_unresolved' THEN 'Hồ sơ không thuộc thẩm quyền giải quyết.'
                   ELSE '' END,
               CASE def.type
                   WHEN 'received' THEN jsonb_build_object(
                        'due_at', {due}, 'due_recorded', false,
                        'clock_started_at', {_local_iso("g.ts[1]")},
                        'explanation', {explanation}, 'explanation_en', {explanation_en},
                        'procedure_version', m.version_number)
                   WHEN 'transferred' THEN jsonb_build_object(
                        'to', m.agency_code, 'step', 'appraisal')
                   WHEN 'assigned' THEN jsonb_build_object(
                        'assignee', m.specialist_username, 'assignee_name', m.specialist_name)
                   WHEN 'supplement_requested' THEN jsonb_build_object(
                        'items', jsonb_build_array('Bản sao giấy tờ tùy thân'), 'count', 1,
                        'second_request', false)
                   WHEN 'supplement_received' THEN jsonb_build_object(
                        'due_at', {_local_iso("g.due_at")})
                   WHEN 'approved' THEN jsonb_build_object(
                        'outcome', g.outcome, 'result_number', g.id || '/KQ')
                   WHEN 'resolved' THEN jsonb_build_object('outcome', g.outcome)
                   WHEN 'result_delivered' THEN jsonb_build_object(
                        'via', g.return_channel,
                        'postal_item', CASE WHEN g.return_channel = 'postal'
                            THEN 'EL' || g.id || 'VN' ELSE '' END,
                        'recipient', '')
                   ELSE '{{}}'::jsonb END,
               -- placeholder seals (the benchmark database is not audited): 64 hex digits
               CASE WHEN def.seq = 1 THEN '' ELSE md5(g.id || ':' || (def.seq - 1))
                    || md5((def.seq - 1) || ':' || g.id) END,
               md5(g.id || ':' || def.seq) || md5(def.seq || ':' || g.id)
        FROM bench_gen g
        JOIN bench_mix m ON m.id = g.mix_id
        JOIN bench_event_def def ON def.path = g.path AND def.seq <= g.k
        WHERE g.id BETWEEN {ids[0]} AND {ids[1]}
        ORDER BY g.id, def.seq
        """  # noqa: S608 — constants of this module, no outside input
    )


def _insert_steps(cursor: Any) -> None:
    cursor.execute(
        """
        INSERT INTO dossiers_dossierstep (dossier_id, key, name, kind, unit_id, role,
            opened_at, due_at, completed_at, completed_by_id, late, note)
        SELECT g.id, s.key, s.name, s.kind,
               CASE s.unit_rule WHEN 'one_stop' THEN m.unit_id WHEN 'agency' THEN m.agency_id
                    ELSE s.unit_id END,
               s.role, g.ts[s.open_seq],
               g.ts[s.open_seq] + (g.due_at - g.wait - g.received_at) * (s.share / 100),
               g.ts[s.close_seq],
               CASE WHEN g.ts[s.close_seq] IS NULL THEN NULL
                    WHEN s.unit_rule = 'one_stop' THEN m.counter_id
                    WHEN s.unit_rule = 'unit' THEN s.completer_id
                    WHEN s.role = 'specialist' THEN m.specialist_id ELSE m.leader_id END,
               CASE WHEN g.ts[s.close_seq] IS NULL THEN NULL
                    ELSE g.ts[s.close_seq] > g.ts[s.open_seq]
                         + (g.due_at - g.wait - g.received_at) * (s.share / 100) END,
               ''
        FROM bench_gen g
        JOIN bench_mix m ON m.id = g.mix_id
        JOIN bench_step_def s ON s.version_id = m.version_id AND s.path = g.path
             AND s.open_seq <= g.k
        ORDER BY g.id, s.open_seq, s.ord
        """
    )


def _insert_pauses_and_counters(cursor: Any) -> None:
    cursor.execute(
        f"""
        INSERT INTO dossiers_supplementpause (dossier_id, started_at, ended_at)
        SELECT g.id, g.ts[4], g.ts[5] FROM bench_gen g
        WHERE g.path = {SUPPLEMENT} AND g.k >= 4 ORDER BY g.id
        """  # noqa: S608 — constants of this module, no outside input
    )
    cursor.execute(
        """
        INSERT INTO dossiers_dossiercodecounter (unit_id, day, last_value)
        SELECT m.unit_id, g.day, max(g.day_seq) FROM bench_gen g
        JOIN bench_mix m ON m.id = g.mix_id GROUP BY m.unit_id, g.day
        """
    )


class _Phases:
    def __init__(self, log: Any) -> None:
        self.log, self.last = log, time.perf_counter()

    def done(self, what: str) -> None:
        moment = time.perf_counter()
        self.log(f"  {what:<56}{moment - self.last:>8.1f} s")
        self.last = moment
