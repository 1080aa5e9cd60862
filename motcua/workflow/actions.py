"""What each action on a dossier is, declared once (docs/domain/lifecycle.md#actions).

One record per action: the states it may start from and the state it leads to, who may take it
and at which unit, whether only the assigned specialist may, whether it may happen only once,
its label in Vietnamese and English, the fields a person fills in to take it, the official
papers it issues, the event it writes, its API endpoint and what the inbox says while it waits.

Everything that offers or checks an action reads this table: the transition checks and the
desk's buttons (`dossiers/actions.py`, `accounts/access.py`), the desk's forms
(`backoffice/action_forms.py`), the API's endpoints and so the OpenAPI document
(`api/dossiers.py`), the replay of imported history (`integrations/dossiers.py`), the papers a
dossier may print (`dossiers/printing.py`) and the inbox (`dossiers/work.py`). Adding an action
is one record here, its function in `dossiers/actions.py` (listed in `PERFORMERS` there) and
its tests.

Pure Python: labels are plain pairs of strings (`Label`), Vietnamese first, and the interface
shows the one of the page's language; what the clock does is in `dossiers/clock.py`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from motcua.workflow.states import AT_AGENCY, BEFORE_DECISION, Place, Role, Status

S, R = Status, Role

# Targets that are not a state: back to where the dossier was before a supplement request,
# or the state it is in (the action records something without moving the dossier).
PREVIOUS = "PREVIOUS"
SAME = "SAME"


@dataclass(frozen=True)
class Label:
    """Words shown to people: Vietnamese (the product's first language) and English."""

    vi: str
    en: str

    def __str__(self) -> str:
        return self.vi

    def in_language(self, language: str | None) -> str:
        """The words in `language` (a Django language code such as "en" or "vi")."""
        return self.en if (language or "").startswith("en") else self.vi


class Kind(StrEnum):
    """What a field holds, which decides how each interface asks for it."""

    TEXT = "text"  # one line
    PARAGRAPH = "paragraph"  # prose, several lines allowed
    LINES = "lines"  # a list of short items: one a line on the desk, a JSON list in the API
    MOMENT = "moment"  # an instant, with its UTC offset
    CHOICE = "choice"  # one value of a named vocabulary (`vocabulary`)
    USER = "user"  # a person holding `role` at the action's place (the API takes a username)
    UNIT = "unit"  # another agency of the province
    STEP = "step"  # an open inter-agency step of the dossier (the API takes it from the path)
    FILE = "file"  # a document: a file input on the desk, base64 text in the API's JSON body


@dataclass(frozen=True)
class Field:
    """One thing a person fills in to take an action; `name` is the keyword argument of the
    action's function in `dossiers/actions.py`."""

    name: str
    kind: Kind
    label: Label
    required: bool = True
    max_length: int | None = None  # characters (of each item, for LINES)
    max_items: int | None = None  # LINES only
    vocabulary: str = ""  # CHOICE only: the named list of values (`dossiers.actions.VOCABULARIES`)
    role: Role | None = None  # USER only: the role the person must hold at the action's place
    initial_from: str = ""  # the dossier attribute that pre-fills it
    help: str = ""  # one English sentence for the API's documentation


@dataclass(frozen=True)
class Action:
    """One action on a dossier. `roles` may take it at `place`: the receiving one-stop, the
    deciding agency, or (STEP) the unit holding an open inter-agency step."""

    name: str
    label: Label
    sources: frozenset[Status]
    target: Status | str  # a Status, PREVIOUS or SAME
    roles: frozenset[Role]
    place: Place
    event: str  # the EventType value it appends (dossiers/models.py)
    summary: str  # one English sentence for the API's documentation
    fields: tuple[Field, ...] = ()
    assignee_only: bool = False  # only the assigned specialist (or the system replaying history)
    at_most_once: bool = False  # refused once the dossier's log holds this action's event
    outcome: str = ""  # the decision it records, where two actions write the same event
    papers: tuple[str, ...] = ()  # official forms it issues (Circular 03/2025 numbers)
    endpoint: str = ""  # the API path below /dossiers/{code}/; empty when history-only
    history_only: bool = False  # imports of history need it; the API does not offer it
    replays: bool = False  # imports replay the `motcua.dossiers/1` event `event` through it
    awaited_in: frozenset[Status] = field(default_factory=frozenset)  # the inbox's "waiting"
    awaiting: Label | None = None  # what the inbox says, when not the label
    danger: bool = False  # refuses or ends the dossier: the desk asks for care

    @property
    def operation_id(self) -> str:
        """The API operation's name: the endpoint in snake case, or the action's name when the
        endpoint has parts of its own (a step's key)."""
        return self.name if "/" in self.endpoint else self.endpoint.replace("-", "_")

    @property
    def waiting_label(self) -> Label:
        return self.awaiting or self.label


# --- the fields ---------------------------------------------------------------------------


def _text(name: str, vi: str, en: str, *, max_length: int, required: bool = False) -> Field:
    return Field(name, Kind.TEXT, Label(vi, en), required=required, max_length=max_length)


def _prose(name: str, vi: str, en: str, *, required: bool = True, max_length: int = 2000) -> Field:
    return Field(name, Kind.PARAGRAPH, Label(vi, en), required=required, max_length=max_length)


NOTE = _prose("note", "Ghi chú", "Note", required=False)
REASON = _prose("reason", "Lý do", "Reason")


def _reason(vi: str, en: str) -> Field:
    return replace(REASON, label=Label(vi, en))


SPECIALIST = Field(
    "specialist",
    Kind.USER,
    Label("Chuyên viên thụ lý", "Specialist in charge"),
    role=Role.SPECIALIST,
    help="Username of a specialist of the agency.",
)
OPINION = _prose("opinion", "Ý kiến thẩm định", "Appraisal opinion", max_length=4000)
VIA = Field(
    "via",
    Kind.CHOICE,
    Label("Trả qua", "Delivered via"),
    vocabulary="return_channel",
    initial_from="return_channel",
)
ITEMS = Field(
    "items",
    Kind.LINES,
    Label("Giấy tờ cần bổ sung (mỗi dòng một loại)", "Documents to supplement (one per line)"),
    max_length=300,
    max_items=50,
)
NEW_DUE = Field("new_due_at", Kind.MOMENT, Label("Ngày hẹn trả mới", "New appointment"))
TO_UNIT = Field("to", Kind.UNIT, Label("Chuyển tới đơn vị", "Hand over to"))
OUTCOME = Field("outcome", Kind.CHOICE, Label("Kết quả", "Outcome"), vocabulary="outcome")
STEP_KEY = Field("step_key", Kind.STEP, Label("Bước liên thông", "Inter-agency step"))
STEP_OPINION = _prose(
    "opinion", "Ý kiến của cơ quan phối hợp", "Opinion of the co-ordinating agency", max_length=4000
)


# --- the actions --------------------------------------------------------------------------


def _action(
    name: str,
    vi: str,
    en: str,
    *,
    sources: Iterable[Status],
    target: Status | str,
    roles: Iterable[Role],
    place: Place,
    event: str,
    summary: str,
    awaited_in: Iterable[Status] = (),
    **details: object,
) -> Action:
    return Action(
        name=name,
        label=Label(vi, en),
        sources=frozenset(sources),
        target=target,
        roles=frozenset(roles),
        place=place,
        event=event,
        summary=summary,
        awaited_in=frozenset(awaited_in),
        **details,  # type: ignore[arg-type]
    )


ONE_STOP, AGENCY, STEP = Place.ONE_STOP, Place.AGENCY, Place.STEP
_DECLARED = (
    # reception of an online dossier (docs/domain/lifecycle.md#online-reception): the one-stop
    # accepts it (the clock starts), asks for completion (not received) or refuses it
    _action(
        "accept",
        "Tiếp nhận hồ sơ trực tuyến",
        "Accept the online dossier",
        sources={S.SUBMITTED},
        target=S.RECEIVED,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="received",
        summary="Accept an online dossier at reception; the legal clock starts",
        fields=(NOTE,),
        endpoint="accept",
    ),
    _action(
        "ask_to_complete",
        "Hướng dẫn bổ sung hồ sơ",
        "Ask the applicant to complete the dossier",
        sources={S.SUBMITTED},
        target=S.NEEDS_COMPLETION_AT_RECEPTION,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="completion_requested",
        summary="Send an online dossier back for completion before reception",
        fields=(_reason("Lý do hướng dẫn bổ sung", "Why the dossier is incomplete"), ITEMS),
        papers=("02",),
        endpoint="ask-to-complete",
    ),
    _action(
        "refuse_at_reception",
        "Từ chối tiếp nhận",
        "Refuse at reception",
        sources={S.SUBMITTED, S.NEEDS_COMPLETION_AT_RECEPTION},
        target=S.REFUSED_AT_RECEPTION,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="refused_at_reception",
        summary="Refuse an online dossier at reception; it ends",
        fields=(_reason("Lý do từ chối tiếp nhận", "Reason for the refusal"),),
        papers=("03",),
        endpoint="refuse-at-reception",
        danger=True,
    ),
    _action(
        "transfer",
        "Chuyển cơ quan giải quyết",
        "Send to the handling agency",
        sources={S.RECEIVED},
        target=S.TRANSFERRED,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="transferred",
        summary="Send the dossier to the deciding agency",
        fields=(NOTE,),
        endpoint="transfer",
        replays=True,
        awaited_in={S.RECEIVED},
    ),
    # (re)assignment: the leader may give the file to another specialist before submission
    _action(
        "assign",
        "Phân công thụ lý",
        "Assign to a specialist",
        sources={S.TRANSFERRED, S.ASSIGNED, S.APPRAISED},
        target=S.ASSIGNED,
        roles={R.AGENCY_LEADER},
        place=AGENCY,
        event="assigned",
        summary="Give the dossier to a specialist of the agency",
        fields=(SPECIALIST,),
        endpoint="assign",
        awaited_in={S.TRANSFERRED},
    ),
    _action(
        "appraise",
        "Ghi kết quả thẩm định",
        "Record the appraisal",
        sources={S.ASSIGNED},
        target=S.APPRAISED,
        roles={R.SPECIALIST},
        place=AGENCY,
        event="appraised",
        summary="Record the appraisal opinion",
        fields=(OPINION,),
        assignee_only=True,
        endpoint="appraise",
        awaited_in={S.ASSIGNED},
    ),
    _action(
        "submit_for_approval",
        "Trình phê duyệt",
        "Submit for approval",
        sources={S.APPRAISED},
        target=S.AWAITING_APPROVAL,
        roles={R.SPECIALIST},
        place=AGENCY,
        event="submitted_for_approval",
        summary="Submit the draft result for signature",
        fields=(NOTE,),
        assignee_only=True,
        endpoint="submit-for-approval",
        awaited_in={S.APPRAISED},
    ),
    # the leader sends a draft back for rework (trả lại bước trước)
    _action(
        "send_back",
        "Trả lại chuyên viên",
        "Send back to the specialist",
        sources={S.AWAITING_APPROVAL},
        target=S.ASSIGNED,
        roles={R.AGENCY_LEADER},
        place=AGENCY,
        event="sent_back",
        summary="Send the draft back to the specialist",
        fields=(REASON,),
        endpoint="send-back",
    ),
    _action(
        "approve",
        "Phê duyệt, ký",
        "Approve and sign",
        sources={S.AWAITING_APPROVAL},
        target=S.APPROVED,
        roles={R.AGENCY_LEADER},
        place=AGENCY,
        event="approved",
        outcome="granted",
        summary="Sign the result (granted)",
        fields=(
            _text("result_number", "Số văn bản kết quả", "Result number", max_length=100),
            # required when the procedure issues electronic results (dossiers/actions.py)
            Field(
                "result_file",
                Kind.FILE,
                Label("Tệp kết quả (PDF, hệ thống ký số)", "Result file (PDF, signed by motcua)"),
                required=False,
                help=(
                    "The result as a PDF, base64-encoded; motcua stamps the lookup QR on it and "
                    "signs it. Required for procedures that issue electronic results."
                ),
            ),
        ),
        endpoint="approve",
        awaited_in={S.AWAITING_APPROVAL},
    ),
    # a refusal is a decision too: signed like a grant, delivered like a result
    _action(
        "refuse",
        "Từ chối giải quyết",
        "Refuse in writing",
        sources={S.AWAITING_APPROVAL},
        target=S.APPROVED,
        roles={R.AGENCY_LEADER},
        place=AGENCY,
        event="approved",
        outcome="denied",
        summary="Sign a written refusal",
        fields=(REASON,),
        papers=("03",),
        endpoint="refuse",
        danger=True,
    ),
    # the agency hands the result back to the one-stop: the clock stops here (ended_at)
    _action(
        "return_result",
        "Chuyển kết quả về một cửa",
        "Return the result to the one-stop shop",
        sources={S.APPROVED},
        target=S.RESOLVED,
        roles={R.SPECIALIST, R.AGENCY_LEADER},
        place=AGENCY,
        event="resolved",
        summary="Hand the result back to the one-stop",
        endpoint="return-result",
        awaited_in={S.APPROVED},
    ),
    _action(
        "deliver",
        "Trả kết quả",
        "Deliver the result",
        sources={S.RESOLVED},
        target=S.RETURNED,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="result_delivered",
        summary="Deliver the result to the applicant",
        fields=(
            VIA,
            _text("postal_item", "Số hiệu bưu gửi", "Postal item number", max_length=100),
            _text("recipient", "Người nhận", "Recipient", max_length=200),
            _text(
                "recipient_id_number",
                "Số CCCD / giấy tờ của người nhận",
                "Recipient's identity number",
                max_length=20,
            ),
        ),
        endpoint="deliver",
        replays=True,
        awaited_in={S.RESOLVED},
    ),
    _action(
        "mark_uncollected",
        "Ghi nhận chưa nhận kết quả",
        "Record the result as not collected",
        sources={S.RESOLVED},
        target=S.RESOLVED,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="marked_uncollected",
        summary="Record that the result was not collected",
        endpoint="mark-uncollected",
    ),
    # supplements only while the file is still being examined (clock paused or restarted)
    # (RECEIVED too, for imported history; live, only the assigned specialist may ask)
    _action(
        "request_supplement",
        "Yêu cầu bổ sung",
        "Request more documents",
        sources={S.RECEIVED, S.TRANSFERRED, S.ASSIGNED, S.APPRAISED},
        target=S.AWAITING_SUPPLEMENT,
        roles={R.SPECIALIST},
        place=AGENCY,
        event="supplement_requested",
        summary="Ask the applicant for more papers",
        fields=(_reason("Lý do yêu cầu bổ sung", "Why more documents are needed"), ITEMS),
        assignee_only=True,
        papers=("02",),
        endpoint="request-supplement",
        replays=True,
    ),
    _action(
        "receive_supplement",
        "Xác nhận đã bổ sung",
        "Confirm the documents were supplemented",
        sources={S.AWAITING_SUPPLEMENT},
        target=PREVIOUS,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="supplement_received",
        summary="Record the papers brought; clock resumes",
        fields=(NOTE,),
        endpoint="receive-supplement",
        replays=True,
        awaited_in={S.AWAITING_SUPPLEMENT},
        awaiting=Label("Chờ công dân bổ sung", "Waiting for the applicant's documents"),
    ),
    # the applicant may withdraw only before the result is decided
    _action(
        "withdraw",
        "Dừng xử lý theo đề nghị rút hồ sơ",
        "Stop at the applicant's request (withdrawal)",
        sources=BEFORE_DECISION,
        target=S.STOPPED,
        roles={R.COUNTER_OFFICER},
        place=ONE_STOP,
        event="withdrawn",
        summary="Stop at the applicant's request",
        fields=(REASON,),
        papers=("05",),
        endpoint="withdraw",
        replays=True,
        danger=True,
    ),
    _action(
        "return_unresolved",
        "Trả lại hồ sơ",
        "Return the dossier unresolved",
        sources=AT_AGENCY - {S.APPROVED} | {S.RECEIVED, S.AWAITING_SUPPLEMENT},
        target=S.RETURNED_NOT_RESOLVED,
        roles={R.AGENCY_LEADER},
        place=AGENCY,
        event="returned_unresolved",
        summary="Return the dossier unresolved",
        fields=(REASON,),
        papers=("05",),
        endpoint="return-unresolved",
        replays=True,
        danger=True,
    ),
    # the original due is kept for reporting
    _action(
        "apologise_and_extend",
        "Xin lỗi và hẹn lại",
        "Apologise and set a new appointment",
        sources=AT_AGENCY - {S.APPROVED} | {S.RECEIVED},
        target=SAME,
        roles={R.AGENCY_LEADER},
        place=AGENCY,
        event="extended",
        summary="Apologise and set a later appointment (once)",
        fields=(NEW_DUE, _reason("Lý do chậm giải quyết", "Reason for the delay")),
        at_most_once=True,
        papers=("04",),
        endpoint="extend",
        replays=True,
    ),
    # a hand-over between units while the file stays at its step (recorded history, liên thông)
    _action(
        "hand_over",
        "Chuyển tiếp đơn vị khác",
        "Hand over to another unit",
        sources=AT_AGENCY,
        target=SAME,
        roles={R.AGENCY_LEADER},
        place=AGENCY,
        event="transferred",
        summary="Hand the file over to another unit",
        fields=(TO_UNIT, NOTE),
        history_only=True,
        replays=True,
    ),
    # imported history often says only "resolved": the system records it from any open step
    _action(
        "record_resolution",
        "Ghi nhận đã xử lý xong (dữ liệu lịch sử)",
        "Record as resolved (historical data)",
        sources={S.RECEIVED} | AT_AGENCY,
        target=S.RESOLVED,
        roles=set(),
        place=AGENCY,
        event="resolved",
        summary="Record the end of processing from any open step",
        fields=(OUTCOME,),
        history_only=True,
        replays=True,
    ),
    # a co-ordinating agency (liên thông) answers its part; the dossier's state is unchanged
    _action(
        "complete_step",
        "Gửi ý kiến liên thông",
        "Send the co-ordinating opinion",
        sources=set(Status),
        target=SAME,
        roles={R.SPECIALIST, R.AGENCY_LEADER},
        place=STEP,
        event="step_completed",
        summary="Answer an inter-agency step",
        fields=(STEP_KEY, STEP_OPINION),
        endpoint="steps/{key}/complete",
    ),
)


def _with_system(action: Action) -> Action:
    """The system role (imports of history) may record every transition between states."""
    if action.place == STEP:
        return action
    return replace(action, roles=action.roles | {Role.SYSTEM})


ACTIONS: dict[str, Action] = {action.name: _with_system(action) for action in _DECLARED}
# The actions that move a dossier through its states (all but answering a step).
TRANSITIONS: dict[str, Action] = {
    name: action for name, action in ACTIONS.items() if action.place != STEP
}


def target_of(action: str, current: Status, previous: Status | None = None) -> Status:
    """The state `action` leads to from `current`; PREVIOUS resolves to where it came from."""
    target = ACTIONS[action].target
    if target == SAME:
        return current
    if target != PREVIOUS:
        return Status(target)
    if previous is None:
        raise ValueError(f"{action} needs the state the dossier was in before")
    return previous


def allowed_actions(current: Status) -> list[str]:
    """The transitions whose table allows them from `current` (who may take them aside)."""
    return [name for name, action in TRANSITIONS.items() if current in action.sources]


def awaited(role: Role) -> dict[Place, frozenset[Status]]:
    """Per place, the states in which a dossier waits for a holder of `role` to act."""
    found: dict[Place, frozenset[Status]] = {}
    for action in ACTIONS.values():
        if role in action.roles and action.awaited_in and role != Role.SYSTEM:
            found[action.place] = found.get(action.place, frozenset()) | action.awaited_in
    return found


def waiting_for(status: Status) -> Action | None:
    """The action a dossier in `status` waits for (the inbox's "waiting for you")."""
    return next((a for a in ACTIONS.values() if status in a.awaited_in), None)
