"""A few weeks of believable work for the demo: dossiers received at the three centres and
moved along by the demo personas through the same actions as live work, so the inbox, the
dossier desk and the agencies' page have something true to show. Deterministic per seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from motcua.accounts.models import User
from motcua.calendars.services import calendar_for
from motcua.catalog.models import Procedure, Unit
from motcua.core.clock import local, now
from motcua.core.errors import MotcuaError
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier

NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Hoàng Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
    "Đặng Quốc Huy",
    "Bùi Thị Khánh",
    "Đỗ Minh Long",
    "Ngô Thị Mai",
]
# (procedure, centre, counter officer, specialist, leader, inter-agency specialist)
FLOWS = [
    ("3.000333", "AH", "quay.tinh", "chuyenvien.pv06", "lanhdao.pv06", None),
    ("1.013831", "AH", "quay.tinh", "chuyenvien.dat", "lanhdao.dat", "chuyenvien.thue"),
]
HOUR = timedelta(hours=1)


def load(*, seed: int, count: int = 24) -> None:
    if Dossier.objects.count() > 1:
        return  # history already there
    rng = random.Random(seed)  # noqa: S311 — demo data, not secrets
    users = {user.username: user for user in User.objects.all()}
    for index in range(count):
        flow = FLOWS[index % len(FLOWS)]
        start = _working_moment(now() - timedelta(days=rng.randint(1, 28)), rng)
        try:
            _one(flow, start, users, rng, index)
        except MotcuaError:
            continue  # a step that would land in the future simply has not happened yet


def _working_moment(moment: datetime, rng: random.Random) -> datetime:
    calendar = calendar_for(None)
    base = local(moment).replace(
        hour=7 + rng.randint(0, 8), minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0
    )
    return calendar.next_working_instant(base)


def _one(
    flow: tuple, start: datetime, users: dict[str, User], rng: random.Random, index: int
) -> None:
    code, centre, counter, specialist, leader, consultant = flow
    version = Procedure.objects.get(code=code).current_version()
    assert version is not None
    dossier = actions.receive_dossier(
        by=users[counter],
        unit=Unit.objects.get(code=centre),
        version=version,
        applicant=actions.Applicant(
            name=NAMES[index % len(NAMES)], phone=f"09{rng.randint(10_000_000, 99_999_999)}"
        ),
        channel=rng.choice(["counter", "counter", "online", "postal"]),
        components=version.component_names()[:1],
        received_at=start,
        return_channel=rng.choice(["counter", "counter", "postal"]),
        postal_address="Số 5 Trần Phú, phường Bắc An",
    )
    moment = start
    steps = rng.randint(0, 7)

    def later(hours: float) -> datetime:
        nonlocal moment
        moment = moment + timedelta(hours=hours)
        if moment > now():
            raise _Stop
        return moment

    try:
        if steps < 1:
            return
        dossier = actions.transfer_dossier(dossier=dossier, by=users[counter], at=later(2))
        if steps < 2:
            return
        dossier = actions.assign_dossier(
            dossier=dossier, by=users[leader], specialist=users[specialist], at=later(3)
        )
        if consultant:
            dossier = actions.complete_inter_agency_step(
                dossier=dossier,
                by=users[consultant],
                step_key="tax",
                opinion="Đã xác định nghĩa vụ tài chính",
                at=later(rng.choice([20, 60, 140])),
            )
        if steps == 3 and rng.random() < 0.5:
            actions.request_supplement(
                dossier=dossier,
                by=users[specialist],
                reason="Thiếu giấy tờ chứng minh",
                items=["Bản sao giấy tờ tùy thân"],
                at=later(5),
            )
            return
        if steps < 4:
            return
        dossier = actions.appraise_dossier(
            dossier=dossier,
            by=users[specialist],
            opinion="Hồ sơ hợp lệ",
            at=later(rng.choice([6, 30])),
        )
        dossier = actions.submit_for_approval(dossier=dossier, by=users[specialist], at=later(1))
        if steps < 5:
            return
        dossier = actions.approve_dossier(dossier=dossier, by=users[leader], at=later(4))
        dossier = actions.return_result(
            dossier=dossier, by=users[leader], at=later(rng.choice([2, 40, 120]))
        )
        if steps < 7:
            return
        actions.deliver_result(
            dossier=dossier, by=users[counter], via=dossier.return_channel, at=later(20)
        )
    except _Stop:
        return


class _Stop(Exception):
    pass
