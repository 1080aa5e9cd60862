"""Dossiers at each state a citizen may find theirs in, for the lookup tests (unit and
browser)."""

from __future__ import annotations

from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

RECEIVED_AT = vn(2025, 5, 5, 9, 0)  # Mon; 10 working days for 3.000333 → due 19 May 09:00
STATES = ("received", "in_progress", "supplement", "extended", "result_ready", "delivered")


def at_state(state: str, counter, leader, specialist) -> Dossier:
    postal = state == "delivered"
    dossier = receive(
        counter,
        received_at=RECEIVED_AT,
        return_channel="postal" if postal else "counter",
        postal_address="Số 5 đường Lê Lợi, phường Hải Châu" if postal else "",
    )
    if state == "received":
        return dossier
    dossier = actions.transfer_dossier(dossier=dossier, by=counter, at=vn(2025, 5, 5, 10, 0))
    dossier = actions.assign_dossier(
        dossier=dossier, by=leader, specialist=specialist, at=vn(2025, 5, 5, 11, 0)
    )
    if state == "in_progress":
        return dossier
    if state == "supplement":
        return actions.request_supplement(
            dossier=dossier,
            by=specialist,
            reason="Bản sao giấy khai sinh chưa có chứng thực",
            items=["Bản sao có chứng thực giấy khai sinh", "Tờ khai có chữ ký của người nộp"],
            at=vn(2025, 5, 7, 14, 0),
        )
    if state == "extended":
        return actions.apologise_and_extend(
            dossier=dossier,
            by=leader,
            new_due_at=vn(2025, 5, 26, 9, 0),
            reason="Cần xác minh thông tin tại địa phương nơi cư trú trước đây",
            at=vn(2025, 5, 14, 9, 0),
        )
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đủ điều kiện", at=vn(2025, 5, 7, 9, 0)
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 7, 10))
    dossier = actions.approve_dossier(
        dossier=dossier, by=leader, result_number="125/PV06", at=vn(2025, 5, 8, 9, 0)
    )
    dossier = actions.return_result(dossier=dossier, by=leader, at=vn(2025, 5, 8, 10, 0))
    if state == "result_ready":
        return dossier
    return actions.deliver_result(
        dossier=dossier,
        by=counter,
        via="postal",
        postal_item="EL123456789VN",
        at=vn(2025, 5, 9, 8, 0),
    )
