"""One due date everywhere: the desk, the public lookup page, the lookup API, the dossier API,
the receipt slip (form 01), the apology letter (form 04) and the inbox read the appointment
from one place (`clock.current_deadline`), so after pauses, restarts and an apology they
show the same date, and every explanation ends on it."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from django.test import Client

from motcua.accounts.models import Role
from motcua.api.auth import issue_token
from motcua.core.clock import local
from motcua.dossiers import actions, clock, printing
from motcua.dossiers.models import Dossier
from motcua.dossiers.papers import forms2025
from motcua.dossiers.papers.receipt import receipt_html
from motcua.workflow.explain import format_instant
from tests.conftest import make_user, vn
from tests.dossiers.test_derived_state import RESTARTING, restarting_procedure
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db

DUE_ON_DESK = r'data-testid="due">(\d\d:\d\d \d\d/\d\d/\d{4})'
DUE_ON_LOOKUP = r'data-testid="due">(\d\d:\d\d, \d\d/\d\d/\d{4})'
DUE_ON_SLIP = r"(\d\d) giờ (\d\d) phút, ngày (\d\d/\d\d/\d{4})"


def last_item(page: str, opening: str) -> str:
    """The last <li> of the list that `opening` starts."""
    block = page[page.index(opening) :]
    block = block[: block.index("</ol>")]
    return html.unescape(re.findall(r"<li>(.*?)</li>", block, re.S)[-1])


def parsed(text: str, pattern: str) -> datetime:
    match = re.search(pattern, text)
    assert match, pattern
    digits = re.sub(r"\D", "", "".join(match.groups()))  # HHMMDDMMYYYY
    return vn(
        int(digits[8:]), int(digits[6:8]), int(digits[4:6]), int(digits[:2]), int(digits[2:4])
    )


def names(line: str, due: datetime) -> bool:
    """The line names `due` (clock time, weekday and date), in Vietnamese or English."""
    return any(format_instant(local(due), lang) in line for lang in ("vi", "en"))


class Readers:
    """Every place a due date is shown, each read as its user would read it."""

    def __init__(self, staff, director) -> None:
        self.desk, self.inbox, self.public = Client(), Client(), Client()
        self.desk.force_login(staff)
        self.inbox.force_login(director)
        _, token = issue_token(user=staff, name="system")
        self.api = Client(headers={"Authorization": f"Bearer {token}"})

    def all(self, dossier: Dossier) -> dict[str, tuple[datetime, str | None]]:
        code = dossier.code
        desk = self.desk.get(f"/quay/ho-so/{code}/").content.decode()
        lookup = self.public.get(f"/tra-cuu/{code}/").content.decode()
        lookup_api = self.public.get(f"/api/v1/lookup/{code}").json()
        en_api = self.public.get(f"/api/v1/lookup/{code}?lang=en").json()
        dossier_api = self.api.get(f"/api/v1/dossiers/{code}").json()["clock"]
        slip = html.unescape(receipt_html(printing.receipt_slip(dossier)))
        inbox = self.inbox.get("/quay/viec-can-lam/?tat-ca=1").content.decode()
        row = inbox[inbox.index(code) :]
        slip_lines = slip[slip.index("Cách tính ngày hẹn:") :].split("</div>")[0].split("<br>")
        return {
            "desk": (parsed(desk, DUE_ON_DESK), last_item(desk, 'class="explanation"')),
            "lookup page": (
                parsed(lookup, DUE_ON_LOOKUP),
                last_item(lookup, 'data-testid="explanation"'),
            ),
            "lookup API": (
                datetime.fromisoformat(lookup_api["due_at"]),
                lookup_api["explanation"][-1],
            ),
            "lookup API (en)": (datetime.fromisoformat(en_api["due_at"]), None),
            "dossier API": (
                datetime.fromisoformat(dossier_api["due_at"]),
                dossier_api["explanation"][-1],
            ),
            "dossier API (en)": (
                datetime.fromisoformat(dossier_api["due_at"]),
                dossier_api["explanation_en"][-1],
            ),
            "receipt slip": (
                parsed(slip[slip.index("Thời gian trả kết quả") :], DUE_ON_SLIP),
                slip_lines[-1].strip(),
            ),
            "inbox": (parsed(row, r"(\d\d:\d\d \d\d/\d\d/\d{4})"), None),
        }


def assert_one_due(readers: Readers, dossier: Dossier, expected: datetime) -> None:
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.due_at == expected == clock.current_deadline(dossier).due_at
    for reader, (due, last_line) in readers.all(dossier).items():
        assert due == expected, reader
        if last_line is not None:
            assert names(last_line, expected), (reader, last_line)


def test_every_reader_shows_the_same_due_through_pauses_restarts_and_an_apology(
    counter_officer, agency_leader, specialist
) -> None:
    restarting_procedure()
    director = make_user("director", "AH", Role.CENTRE_DIRECTOR)
    readers = Readers(counter_officer, director)
    # 5 working days from Monday 6 October 2025 09:00; the clock restarts after a supplement.
    dossier = receive(counter_officer, procedure=RESTARTING, received_at=vn(2025, 10, 6, 9))
    assert_one_due(readers, dossier, vn(2025, 10, 13, 9))
    dossier = actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 10, 6, 10))
    dossier = actions.assign_dossier(
        dossier=dossier, by=agency_leader, specialist=specialist, at=vn(2025, 10, 6, 11)
    )

    dossier = actions.request_supplement(
        dossier=dossier, by=specialist, reason="Thiếu", items=["Tờ khai"], at=vn(2025, 10, 7, 9)
    )
    assert_one_due(readers, dossier, vn(2025, 10, 13, 9))  # waiting: the date will move
    assert "Đang tạm dừng" in clock.current_deadline(dossier).explanation[-2]

    dossier = actions.receive_supplement(
        dossier=dossier, by=counter_officer, at=vn(2025, 10, 9, 10)
    )
    assert_one_due(readers, dossier, vn(2025, 10, 16, 10))  # 5 days again from the supplement

    dossier = actions.apologise_and_extend(
        dossier=dossier,
        by=agency_leader,
        new_due_at=vn(2025, 10, 31, 17),
        reason="Chờ kết quả xác minh",
        at=vn(2025, 10, 14, 9),
    )
    assert_one_due(readers, dossier, vn(2025, 10, 31, 17))
    explanation = clock.current_deadline(dossier).explanation
    assert "xin lỗi và hẹn lại (lý do: Chờ kết quả xác minh)" in explanation[-2]
    assert "sang 17:00 thứ Sáu 31/10/2025" in explanation[-2]
    letter = html.unescape(forms2025.paper_html(printing.apology(dossier)))
    new_due = letter[letter.index("Thời gian hẹn trả kết quả mới") :]
    assert parsed(new_due, DUE_ON_SLIP) == vn(2025, 10, 31, 17)

    dossier = actions.request_supplement(
        dossier=dossier, by=specialist, reason="Thiếu", items=["Bản sao"], at=vn(2025, 10, 15, 9)
    )
    dossier = actions.receive_supplement(
        dossier=dossier, by=counter_officer, at=vn(2025, 10, 16, 9)
    )
    # counting 5 days again would end on 23 October: the promised 31 October, pushed by the day
    # the pause took, stands
    assert_one_due(readers, dossier, vn(2025, 11, 3, 17))
    assert any("giữ" in line for line in clock.current_deadline(dossier).explanation)
