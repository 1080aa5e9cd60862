"""A month of work with known answers (March 2025), built only through `dossiers.actions`.

3.000333 (criminal record, PV06, online "partial") takes 10 working days: a dossier received
at 09:00 on day D is due at 09:00 ten working days later. March 2025 has no holidays;
7 April 2025 is one. 1.004222 (commune residence, "partial") takes 7 working days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from motcua.accounts.models import Role, User
from motcua.catalog.models import Unit
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating, RatingScale
from tests.conftest import make_user, vn
from tests.dossiers.test_receive_dossier import receive

CRIMINAL_RECORD = "3.000333"  # AH-CAT-PV06, 10 working days, online partial
RESIDENCE = "1.004222"  # AH-X01-CA, 7 working days, online partial
DIPLOMA_COPY = "3.000465"  # AH-SGDDT, same day, five on the spot, online partial
CERTIFIED_COPY = "2.000815"  # AH-X01-UBND, same day, five on the spot, no online service


@dataclass
class History:
    counter: User
    commune: User
    leader: User
    system: User
    d: dict[str, Dossier] = field(default_factory=dict)

    def receive(
        self,
        name: str,
        at: datetime,
        *,
        unit: str = "AH",
        procedure: str = CRIMINAL_RECORD,
        channel: str = "counter",
        source: str = "",
    ) -> Dossier:
        by = self.commune if unit == "AH-X01" else self.counter
        self.d[name] = receive(by, unit, procedure, received_at=at, channel=channel)
        if source:  # where an online dossier came from, as online reception records it
            Dossier.objects.filter(pk=self.d[name].pk).update(source=source)
            self.d[name].refresh_from_db()
        return self.d[name]

    def resolve(self, name: str, at: datetime, outcome: str = "granted") -> None:
        self.d[name] = actions.record_resolution(
            dossier=self.d[name], by=self.system, outcome=outcome, at=at
        )

    def deliver(self, name: str, at: datetime, via: str = "postal") -> None:
        self.d[name] = actions.deliver_result(
            dossier=self.d[name], by=self.system, via=via, postal_item="EMS1VN", at=at
        )

    def ask_supplement(self, name: str, at: datetime) -> None:
        self.d[name] = actions.request_supplement(
            dossier=self.d[name], by=self.system, reason="Thiếu giấy", items=["Tờ khai"], at=at
        )

    def supplement_arrives(self, name: str, at: datetime) -> None:
        self.d[name] = actions.receive_supplement(dossier=self.d[name], by=self.counter, at=at)

    def withdraw(self, name: str, at: datetime) -> None:
        self.d[name] = actions.withdraw_dossier(
            dossier=self.d[name], by=self.counter, reason="Công dân xin rút", at=at
        )

    def return_unresolved(self, name: str, at: datetime) -> None:
        self.d[name] = actions.return_unresolved(
            dossier=self.d[name], by=self.leader, reason="Không đủ điều kiện", at=at
        )

    def extend(self, name: str, new_due: datetime, at: datetime) -> None:
        self.d[name] = actions.apologise_and_extend(
            dossier=self.d[name], by=self.leader, new_due_at=new_due, reason="Chờ xác minh", at=at
        )

    def fresh(self, name: str) -> Dossier:
        return Dossier.objects.get(pk=self.d[name].pk)


def people(counter: User, commune: User, leader: User) -> History:
    return History(counter, commune, leader, make_user("system", "AH", Role.SYSTEM))


def build_march(h: History) -> History:
    """The dossiers of March 2025 (comments: what the March report must say of each)."""
    # Before March
    h.receive("O1", vn(2025, 1, 6, 9))  # resolved in January: in no figure
    h.resolve("O1", vn(2025, 1, 20, 9))
    h.receive("C4", vn(2025, 1, 10, 9))  # resolved in Feb, result posted in March
    h.resolve("C4", vn(2025, 2, 25, 9))
    h.deliver("C4", vn(2025, 3, 3, 9))  # → results_by_post only
    h.receive("C1", vn(2025, 2, 17, 9))  # due 3 Mar 09:00
    h.resolve("C1", vn(2025, 3, 3, 10))  # carried, resolved on time (day) / late (timestamp)
    h.receive("C2", vn(2025, 2, 20, 9))  # due 6 Mar 09:00
    h.resolve("C2", vn(2025, 3, 4, 10))  # carried, resolved early
    h.receive("C3", vn(2025, 2, 24, 10))  # due 10 Mar 10:00, never resolved: carried, overdue
    h.receive("X3", vn(2025, 2, 26, 9), unit="AH-X01", procedure=RESIDENCE)  # due 7 Mar
    h.resolve("X3", vn(2025, 3, 10, 9))  # carried (sub-unit), resolved late
    h.receive("B0", vn(2025, 2, 28, 23, 30), channel="online")  # 16:30 UTC: still February
    h.withdraw("B0", vn(2025, 3, 3, 8))  # carried, withdrawn
    # Received in March
    h.receive("B2", vn(2025, 3, 1, 0, 30), channel="online")  # 17:30 UTC 28 Feb: March
    h.resolve("B2", vn(2025, 3, 10, 9))  # early; online
    h.receive("R1", vn(2025, 3, 3, 9))  # due 17 Mar 09:00
    h.resolve("R1", vn(2025, 3, 12, 9))  # early
    h.deliver("R1", vn(2025, 3, 13, 9))  # → results_by_post
    h.receive("R2", vn(2025, 3, 3, 10))  # due 17 Mar 10:00
    h.resolve("R2", vn(2025, 3, 17, 16))  # on time (day), late (timestamp, half session)
    h.receive("R3", vn(2025, 3, 4, 9))  # due 18 Mar 09:00
    h.resolve("R3", vn(2025, 3, 31, 23, 59))  # late, the last minute of March
    h.receive("R4", vn(2025, 3, 5, 9))  # due 19 Mar 09:00
    h.extend("R4", vn(2025, 3, 26, 17), at=vn(2025, 3, 14, 9))
    h.resolve("R4", vn(2025, 3, 24, 10))  # before the new due, late against the original
    h.receive("R5", vn(2025, 3, 6, 9))
    h.return_unresolved("R5", vn(2025, 3, 10, 9))  # returned unresolved
    h.receive("R6", vn(2025, 3, 6, 10), channel="postal")
    h.withdraw("R6", vn(2025, 3, 7, 9))  # withdrawn
    h.receive("R7", vn(2025, 3, 10, 9), channel="online", source="national_portal")
    h.ask_supplement("R7", vn(2025, 3, 12, 9))  # still waiting: awaiting supplement
    h.receive("R8", vn(2025, 3, 10, 10))  # due 24 Mar 10:00, +2 working days paused
    h.ask_supplement("R8", vn(2025, 3, 11, 10))
    h.supplement_arrives("R8", vn(2025, 3, 13, 10))  # due 26 Mar 10:00
    h.resolve("R8", vn(2025, 3, 25, 9))  # early against the moved due
    h.receive("R9", vn(2025, 3, 20, 9))
    h.ask_supplement("R9", vn(2025, 3, 28, 9))
    h.supplement_arrives("R9", vn(2025, 4, 2, 9))  # waiting at the end of March
    h.resolve("R9", vn(2025, 4, 4, 9))
    h.receive("R10", vn(2025, 3, 24, 9))  # due 8 Apr 09:00 (7 Apr is a holiday)
    h.resolve("R10", vn(2025, 4, 3, 9))  # resolved in April: pending within time
    h.receive("R11", vn(2025, 3, 11, 9), channel="online", source="own_portal")
    h.resolve("R11", vn(2025, 3, 14, 9))  # early; submitted online
    h.receive("R12", vn(2025, 3, 12, 9))  # due 26 Mar
    h.resolve("R12", vn(2025, 3, 19, 9), outcome="denied")  # a written refusal, early
    h.receive("F1", vn(2025, 3, 12, 9), procedure=DIPLOMA_COPY)  # five on the spot
    h.resolve("F1", vn(2025, 3, 12, 11))  # same day, due 12 Mar 17:00: on time
    h.receive("X1", vn(2025, 3, 5, 9), unit="AH-X01", procedure=RESIDENCE)  # due 14 Mar
    h.resolve("X1", vn(2025, 3, 13, 9))  # early
    h.receive("X2", vn(2025, 3, 18, 9), unit="AH-X01", procedure=CERTIFIED_COPY)
    h.resolve("X2", vn(2025, 3, 18, 10))  # same day, on time; five on the spot, no online
    h.receive("B1", vn(2025, 3, 31, 16, 30))  # due 14 Apr
    h.resolve("B1", vn(2025, 4, 1, 0, 0))  # ended at T1 exactly: pending within time
    # After March
    h.receive("A1", vn(2025, 4, 1, 8))
    h.resolve("A1", vn(2025, 4, 2, 8))
    return h


def rate(unit: str, at: datetime, **answers: str) -> Rating:
    return Rating.objects.create(
        unit=Unit.objects.get(code=unit),
        province_code="AH",
        at=at,
        channel="kiosk",
        answers=answers,
        source_key=f"{unit}-{at.isoformat()}",
    )


def build_ratings() -> None:
    RatingScale.objects.create(
        code="waiting", name="Thời gian chờ", values=[["short", "Nhanh"], ["long", "Lâu"]]
    )
    rate("AH", vn(2025, 2, 28, 23, 30), overall="dissatisfied", attitude="unfriendly")  # Feb
    rate("AH", vn(2025, 3, 3, 9), overall="very_satisfied", attitude="very_polite")
    rate("AH", vn(2025, 3, 15, 9), overall="very_satisfied", attitude="normal")
    rate(
        "AH", vn(2025, 3, 31, 23, 30), overall="satisfied", attitude="very_polite", waiting="short"
    )
    rate("AH-X01", vn(2025, 3, 20, 9), overall="dissatisfied", attitude="unfriendly")
    rate("AH-P02", vn(2025, 3, 21, 9), overall="neutral", attitude="normal")
    rate("AH", vn(2025, 4, 1, 0, 0), overall="dissatisfied", attitude="unfriendly")  # April
