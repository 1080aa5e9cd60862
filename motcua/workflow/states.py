"""Dossier states (trạng thái hồ sơ) and the transitions between them, docs/domain/lifecycle.md.

One table, readable on one screen: for each action, the states it may start from, the state it
leads to, and the roles that may take it. Pure Python: who belongs to which unit is checked by
`dossiers/actions.py`; what a transition does to the clock is in `dossiers/clock.py`."""

from __future__ import annotations

from dataclasses import dataclass
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
    """Whose unit must the actor belong to: the receiving one-stop or the deciding agency."""

    ONE_STOP = "one_stop"
    AGENCY = "agency"


# Where the dossier was before a supplement request is where it goes back to.
PREVIOUS = "PREVIOUS"

S = Status
AT_AGENCY = frozenset({S.TRANSFERRED, S.ASSIGNED, S.APPRAISED, S.AWAITING_APPROVAL, S.APPROVED})
BEFORE_DECISION = frozenset(
    {S.RECEIVED, S.TRANSFERRED, S.ASSIGNED, S.APPRAISED, S.AWAITING_SUPPLEMENT}
)
TERMINAL = frozenset({S.REFUSED_AT_RECEPTION, S.STOPPED, S.RETURNED_NOT_RESOLVED, S.RETURNED})
OPEN = frozenset(set(S) - TERMINAL - {S.SUBMITTED, S.NEEDS_COMPLETION_AT_RECEPTION, S.RESOLVED})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | str  # a Status, or PREVIOUS
    roles: frozenset[Role]
    place: Place


def _t(
    sources: set[Status] | frozenset[Status], target: Status | str, roles: set[Role], place: Place
) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles), place)


R, ONE_STOP, AGENCY = Role, Place.ONE_STOP, Place.AGENCY
TRANSITIONS: dict[str, Transition] = {
    "transfer": _t({S.RECEIVED}, S.TRANSFERRED, {R.COUNTER_OFFICER}, ONE_STOP),
    # (re)assignment: the leader may give the file to another specialist before submission
    "assign": _t({S.TRANSFERRED, S.ASSIGNED, S.APPRAISED}, S.ASSIGNED, {R.AGENCY_LEADER}, AGENCY),
    "appraise": _t({S.ASSIGNED}, S.APPRAISED, {R.SPECIALIST}, AGENCY),
    "submit_for_approval": _t({S.APPRAISED}, S.AWAITING_APPROVAL, {R.SPECIALIST}, AGENCY),
    # the leader sends a draft back for rework (trả lại bước trước)
    "send_back": _t({S.AWAITING_APPROVAL}, S.ASSIGNED, {R.AGENCY_LEADER}, AGENCY),
    "approve": _t({S.AWAITING_APPROVAL}, S.APPROVED, {R.AGENCY_LEADER}, AGENCY),
    # a refusal is a decision too: signed like a grant, delivered like a result
    "refuse": _t({S.AWAITING_APPROVAL}, S.APPROVED, {R.AGENCY_LEADER}, AGENCY),
    # the agency hands the result back to the one-stop: the clock stops here (ended_at)
    "return_result": _t({S.APPROVED}, S.RESOLVED, {R.SPECIALIST, R.AGENCY_LEADER}, AGENCY),
    "deliver": _t({S.RESOLVED}, S.RETURNED, {R.COUNTER_OFFICER}, ONE_STOP),
    "mark_uncollected": _t({S.RESOLVED}, S.RESOLVED, {R.COUNTER_OFFICER}, ONE_STOP),
    # supplements only while the file is still being examined (clock paused or restarted)
    # (RECEIVED too, for imported history; live, only the assigned specialist may ask)
    "request_supplement": _t(
        {S.RECEIVED, S.TRANSFERRED, S.ASSIGNED, S.APPRAISED},
        S.AWAITING_SUPPLEMENT,
        {R.SPECIALIST},
        AGENCY,
    ),
    "receive_supplement": _t({S.AWAITING_SUPPLEMENT}, PREVIOUS, {R.COUNTER_OFFICER}, ONE_STOP),
    # the applicant may withdraw only before the result is decided
    "withdraw": _t(BEFORE_DECISION, S.STOPPED, {R.COUNTER_OFFICER}, ONE_STOP),
    "return_unresolved": _t(
        AT_AGENCY - {S.APPROVED} | {S.RECEIVED, S.AWAITING_SUPPLEMENT},
        S.RETURNED_NOT_RESOLVED,
        {R.AGENCY_LEADER},
        AGENCY,
    ),
    # at most once per dossier (checked by the action); the original due is kept
    "apologise_and_extend": _t(
        AT_AGENCY - {S.APPROVED} | {S.RECEIVED}, PREVIOUS, {R.AGENCY_LEADER}, AGENCY
    ),
    # a hand-over between units while the file stays at its step (recorded history, liên thông)
    "hand_over": _t(AT_AGENCY, PREVIOUS, {R.AGENCY_LEADER}, AGENCY),
    # imported history often says only "resolved": the system records it from any open step
    "record_resolution": _t({S.RECEIVED} | AT_AGENCY, S.RESOLVED, set(), AGENCY),
}


# The system role (imports of history) may record every transition.
TRANSITIONS = {
    name: Transition(t.sources, t.target, t.roles | {Role.SYSTEM}, t.place)
    for name, t in TRANSITIONS.items()
}


def target_of(action: str, current: Status, previous: Status | None = None) -> Status:
    """The state `action` leads to from `current`; PREVIOUS resolves to where it came from."""
    transition = TRANSITIONS[action]
    if transition.target != PREVIOUS:
        return Status(transition.target)
    if action in ("apologise_and_extend", "hand_over"):
        return current
    if previous is None:
        raise ValueError(f"{action} needs the state the dossier was in before")
    return previous


def allowed_actions(current: Status) -> list[str]:
    return [name for name, transition in TRANSITIONS.items() if current in transition.sources]
