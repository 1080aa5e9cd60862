"""Dossier states (trạng thái hồ sơ), the roles people act in and the places they act at,
docs/domain/lifecycle.md.

Which action leads from which states to which, and who may take it, is declared once per
action in `workflow/actions.py`. Pure Python: who belongs to which unit is checked by
`accounts/access.py`; what a transition does to the clock is in `dossiers/clock.py`."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "SUBMITTED"  # mới đăng ký / chờ tiếp nhận (online, not yet received)
    NEEDS_COMPLETION_AT_RECEPTION = "NEEDS_COMPLETION_AT_RECEPTION"  # hướng dẫn bổ sung
    REFUSED_AT_RECEPTION = "REFUSED_AT_RECEPTION"  # từ chối tiếp nhận
    RECEIVED = "RECEIVED"  # mới tiếp nhận: at the one-stop, the legal clock runs
    TRANSFERRED = "TRANSFERRED"  # đã chuyển cơ quan giải quyết, chờ phân công
    ASSIGNED = "ASSIGNED"  # chuyên viên đang thẩm định
    APPRAISED = "APPRAISED"  # đã thẩm định, chờ trình
    AWAITING_APPROVAL = "AWAITING_APPROVAL"  # chờ lãnh đạo phê duyệt, ký
    APPROVED = "APPROVED"  # đã ký, chờ chuyển kết quả về một cửa
    AWAITING_SUPPLEMENT = "AWAITING_SUPPLEMENT"  # chờ bổ sung: the clock is paused
    STOPPED = "STOPPED"  # dừng xử lý / rút hồ sơ
    RETURNED_NOT_RESOLVED = "RETURNED_NOT_RESOLVED"  # trả lại hồ sơ
    RESOLVED = "RESOLVED"  # đã xử lý xong: the result is at the one-stop
    RETURNED = "RETURNED"  # đã trả kết quả


class Role(StrEnum):
    COUNTER_OFFICER = "counter_officer"
    SPECIALIST = "specialist"
    AGENCY_LEADER = "agency_leader"
    CENTRE_DIRECTOR = "centre_director"
    ADMINISTRATOR = "administrator"
    SYSTEM = "system"  # replays recorded history (imports) through the same actions


class Place(StrEnum):
    """Whose unit must the actor belong to: the receiving one-stop, the deciding agency, or
    the co-ordinating unit (liên thông) holding an open inter-agency step of the dossier."""

    ONE_STOP = "one_stop"
    AGENCY = "agency"
    STEP = "step"


S = Status
AT_AGENCY = frozenset({S.TRANSFERRED, S.ASSIGNED, S.APPRAISED, S.AWAITING_APPROVAL, S.APPROVED})
BEFORE_DECISION = frozenset(
    {S.RECEIVED, S.TRANSFERRED, S.ASSIGNED, S.APPRAISED, S.AWAITING_SUPPLEMENT}
)
# Never received (tiếp nhận): waiting at reception, sent back to complete, or refused there. No
# clock runs, no report counts them, no receipt slip is printed.
NOT_RECEIVED = frozenset({S.SUBMITTED, S.NEEDS_COMPLETION_AT_RECEPTION, S.REFUSED_AT_RECEPTION})
TERMINAL = frozenset({S.REFUSED_AT_RECEPTION, S.STOPPED, S.RETURNED_NOT_RESOLVED, S.RETURNED})
OPEN = frozenset(set(S) - TERMINAL - NOT_RECEIVED - {S.RESOLVED})
