"""What the applicant is told: the citizen's words for each state and each step of a dossier,
and what happens next (docs/domain/lifecycle.md). Declared once here; the public lookup page
and the lookup API (`dossiers/selectors.py`) read it.

Staff words ("Phân công thụ lý", "Trình phê duyệt") are the officers' vocabulary
(`workflow/actions.py`); a citizen is told what the step means for them. Steps that only
concern the staff (a draft sent back, a document attached, a unit merged) are not shown.

Pure Python: labels are `Label` pairs (Vietnamese first, then English); the caller hands in
the facts (dates as instants in the site zone, texts already cleaned) and the language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from motcua.workflow.actions import Label
from motcua.workflow.explain import Lang, format_instant
from motcua.workflow.states import Status

S = Status

# The state as the applicant reads it. The agency's internal stages are one stage for them.
STATES: dict[Status, Label] = {
    S.SUBMITTED: Label("Đã gửi trực tuyến, chờ tiếp nhận", "Sent online, waiting to be received"),
    S.NEEDS_COMPLETION_AT_RECEPTION: Label(
        "Cần hoàn thiện trước khi tiếp nhận", "To be completed before it can be received"
    ),
    S.REFUSED_AT_RECEPTION: Label("Không được tiếp nhận", "Not accepted"),
    S.RECEIVED: Label("Đã tiếp nhận", "Received"),
    S.TRANSFERRED: Label("Đang giải quyết", "Being processed"),
    S.ASSIGNED: Label("Đang giải quyết", "Being processed"),
    S.APPRAISED: Label("Đang giải quyết", "Being processed"),
    S.AWAITING_APPROVAL: Label("Đang hoàn tất kết quả", "The result is being finalised"),
    S.APPROVED: Label("Đang hoàn tất kết quả", "The result is being finalised"),
    S.AWAITING_SUPPLEMENT: Label("Chờ ông/bà bổ sung giấy tờ", "Waiting for your extra papers"),
    S.STOPPED: Label("Đã dừng giải quyết", "Processing stopped"),
    S.RETURNED_NOT_RESOLVED: Label("Hồ sơ được trả lại", "Returned without a decision"),
    S.RESOLVED: Label("Đã có kết quả", "Result ready"),
    S.RETURNED: Label("Đã trả kết quả", "Result delivered"),
}

# Each event type of the log (dossiers/models.py `EventType`) as a step the applicant sees;
# None: a staff-only step, not shown. A test keeps every event type listed here.
STEPS: dict[str, Label | None] = {
    "received": Label("Tiếp nhận hồ sơ", "Your dossier was received"),
    "transferred": Label(
        "Chuyển đến cơ quan có thẩm quyền giải quyết", "Sent to the agency that decides"
    ),
    "assigned": Label(
        "Cán bộ của cơ quan giải quyết bắt đầu xem xét hồ sơ",
        "An officer of the agency started examining your dossier",
    ),
    "appraised": Label("Xem xét hồ sơ xong", "Examination of your dossier finished"),
    "submitted_for_approval": Label(
        "Trình lãnh đạo cơ quan ký kết quả", "Sent to the head of the agency for signature"
    ),
    "approved": Label("Lãnh đạo cơ quan đã ký kết quả", "The result was signed"),
    "resolved": Label("Kết quả đã về bộ phận một cửa", "The result reached the one-stop shop"),
    "result_delivered": Label("Đã trả kết quả", "The result was delivered"),
    "supplement_requested": Label(
        "Đề nghị ông/bà bổ sung giấy tờ", "You were asked for more papers"
    ),
    "supplement_received": Label(
        "Đã nhận giấy tờ bổ sung, tiếp tục giải quyết",
        "Your extra papers were received; processing resumed",
    ),
    "extended": Label(
        "Xin lỗi và hẹn lại ngày trả kết quả", "Apology and a new appointment for the result"
    ),
    "returned_unresolved": Label("Trả lại hồ sơ", "The dossier was returned to you"),
    "withdrawn": Label("Dừng giải quyết", "Processing stopped"),
    "marked_uncollected": Label(
        "Đến hẹn nhưng kết quả chưa được nhận", "The result was not collected on the appointment"
    ),
    "submitted": Label("Đã nộp hồ sơ trực tuyến", "You submitted your dossier online"),
    "resubmitted": Label(
        "Đã nộp lại hồ sơ sau khi bổ sung", "You submitted your completed dossier again"
    ),
    "completion_requested": Label(
        "Đề nghị ông/bà bổ sung, hoàn thiện hồ sơ trước khi tiếp nhận",
        "You were asked to complete your dossier before it can be received",
    ),
    "refused_at_reception": Label("Hồ sơ không được tiếp nhận", "Your dossier was not accepted"),
    "calendar_changed": None,  # the explanation of the appointment says what it changed
    "sent_back": None,
    "step_completed": None,
    "document_added": None,
    "unit_merged": None,
}


def state_label(status: str, lang: Lang) -> str:
    return STATES[Status(status)].in_language(lang)


def step_label(event_type: str, lang: Lang) -> str | None:
    """The step in the applicant's words, or None for a step only the staff see."""
    label = STEPS.get(event_type)
    return label.in_language(lang) if label is not None else None


class Next(StrEnum):
    """What the applicant should expect or do now."""

    WAIT_RECEIPT = "wait_receipt"  # sent online, not yet received
    COMPLETE = "complete"  # guided to complete it before reception
    WAIT = "wait"  # being processed: the result by the appointment
    SUPPLEMENT = "supplement"  # bring the papers asked for; the clock is paused
    EXTENDED = "extended"  # apology: a later appointment
    COLLECT = "collect"  # the result waits at the one-stop counter
    POSTED = "posted"  # the result goes by public post
    ONLINE = "online"  # the result is given online
    DELIVERED = "delivered"  # done
    ENDED = "ended"  # refused, stopped or returned: nothing more will happen


@dataclass(frozen=True)
class Facts:
    """What the next step is built from: the dossier's state and the latest events' facts.
    Free texts written by officers (`items`, `reason`, `postal_item`) are given only to the
    applicant who holds the lookup code; they are "" (or empty) otherwise."""

    status: str
    due_at: datetime  # the current appointment (dossiers/clock.py `current_deadline`)
    place: str  # the one-stop counter: the receiving unit's name and address
    return_channel: str  # counter | postal | online
    paused_since: datetime | None = None
    items: list[str] = field(default_factory=list)
    reason: str = ""  # of the supplement request or of the delay
    previous_due: datetime | None = None  # before the apology
    delivered_at: datetime | None = None
    delivered_via: str = ""
    postal_item: str = ""
    ended_at: datetime | None = None
    e_result: bool = False  # a signed electronic result is ready to download (e-results.md)
    # read in the applicant's own account on the citizen portal (not through the lookup code):
    # papers and the result are given on the page itself
    in_account: bool = False


@dataclass(frozen=True)
class NextStep:
    kind: Next
    title: str
    lines: list[str]
    items: list[str] = field(default_factory=list)  # the papers to bring, listed apart
    items_label: str = ""


def next_step(facts: Facts, lang: Lang) -> NextStep:
    """What happens next, in plain words, with its dates."""
    builder = _BUILDERS.get(Status(facts.status), _wait)
    return builder(facts, lang)


def _say(lang: Lang, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _when(moment: datetime, lang: Lang) -> str:
    return format_instant(moment, lang)


def _wait_receipt(facts: Facts, lang: Lang) -> NextStep:
    return NextStep(
        Next.WAIT_RECEIPT,
        _say(lang, "Hồ sơ đang chờ được tiếp nhận", "Your dossier is waiting to be received"),
        [
            _say(
                lang,
                "Cán bộ một cửa sẽ kiểm tra hồ sơ; ngày hẹn trả kết quả được tính "
                "từ khi tiếp nhận.",
                "An officer of the one-stop shop will check it; the appointment for the result "
                "is counted from its receipt.",
            )
        ],
    )


def _complete(facts: Facts, lang: Lang) -> NextStep:
    return NextStep(
        Next.COMPLETE,
        _say(lang, "Cần hoàn thiện hồ sơ", "Your dossier needs completing"),
        [
            _say(
                lang,
                f"Vui lòng hoàn thiện hồ sơ theo hướng dẫn và nộp lại tại {facts.place}.",
                f"Please complete it as you were guided and submit it again at {facts.place}.",
            )
        ],
    )


def _wait(facts: Facts, lang: Lang) -> NextStep:
    due = _when(facts.due_at, lang)
    return NextStep(
        Next.WAIT,
        _say(lang, f"Hẹn trả kết quả: {due}", f"Result expected by {due}"),
        [
            _say(
                lang,
                "Ông/bà chưa cần làm gì. Nếu cần thêm giấy tờ, cơ quan sẽ báo cho ông/bà.",
                "Nothing to do for now. If more papers are needed, you will be told.",
            ),
            _return_hint(facts, lang),
        ],
    )


def _supplement(facts: Facts, lang: Lang) -> NextStep:
    lines: list[str] = []
    if facts.reason:
        lines.append(_say(lang, f"Lý do: {facts.reason}", f"Why: {facts.reason}"))
    if not facts.items:
        lines.append(
            _say(
                lang,
                "Danh sách giấy tờ cần bổ sung có trong phiếu yêu cầu bổ sung đã gửi ông/bà, "
                "và hiện ra ở đây khi nhập mã tra cứu in trên giấy hẹn.",
                "The list of papers is in the request sent to you, and shows here once you "
                "enter the lookup code printed on your slip.",
            )
        )
    if facts.paused_since is not None:
        since = _when(facts.paused_since, lang)
        lines.append(
            _say(
                lang,
                f"Thời hạn giải quyết tạm dừng từ {since} cho đến khi nhận đủ giấy tờ bổ sung; "
                "ngày hẹn trả sẽ được tính lại khi đó.",
                f"The time limit has been paused since {since} until the papers arrive; the "
                "appointment is then computed again.",
            )
        )
    if facts.in_account:
        lines.append(
            _say(
                lang,
                f"Gửi giấy tờ bổ sung ngay trên trang này, hoặc mang đến {facts.place}.",
                f"Send the papers on this page, or bring them to {facts.place}.",
            )
        )
    else:
        lines.append(
            _say(
                lang,
                f"Mang giấy tờ bổ sung đến {facts.place}.",
                f"Bring the papers to {facts.place}.",
            )
        )
    return NextStep(
        Next.SUPPLEMENT,
        _say(lang, "Ông/bà cần bổ sung giấy tờ", "You need to bring more papers"),
        lines,
        items=list(facts.items),
        items_label=_say(lang, "Giấy tờ cần bổ sung:", "Papers to bring:"),
    )


def _extended(facts: Facts, lang: Lang) -> NextStep:
    due = _when(facts.due_at, lang)
    lines = [
        _say(
            lang,
            "Cơ quan giải quyết xin lỗi ông/bà vì hồ sơ chưa giải quyết được đúng hẹn.",
            "The agency apologises: your dossier could not be decided by the appointment.",
        )
    ]
    if facts.previous_due is not None:
        before = _when(facts.previous_due, lang)
        lines.append(_say(lang, f"Ngày hẹn trước: {before}.", f"Previous appointment: {before}."))
    if facts.reason:
        lines.append(_say(lang, f"Lý do: {facts.reason}", f"Why: {facts.reason}"))
    lines.append(_return_hint(facts, lang))
    return NextStep(
        Next.EXTENDED,
        _say(lang, f"Ngày hẹn trả đã dời đến {due}", f"Appointment moved to {due}"),
        lines,
    )


def _result_ready(facts: Facts, lang: Lang) -> NextStep:
    if facts.e_result:
        return NextStep(
            Next.ONLINE,
            _say(lang, "Đã có kết quả điện tử", "Electronic result ready"),
            [
                _say(
                    lang,
                    "Ông/bà tải kết quả có chữ ký số ngay trên trang này.",
                    "Download the digitally signed result on this page.",
                )
                if facts.in_account
                else _say(
                    lang,
                    "Ông/bà tải kết quả có chữ ký số ngay trên trang này, bằng mã tra cứu in "
                    "trên giấy hẹn.",
                    "Download the digitally signed result on this page, with the lookup code "
                    "printed on your slip.",
                )
            ],
        )
    if facts.return_channel == "postal":
        return NextStep(
            Next.POSTED,
            _say(lang, "Đã có kết quả, sẽ gửi qua bưu điện", "Result ready, to be sent by post"),
            [
                _say(
                    lang,
                    "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ "
                    "ông/bà đã đăng ký.",
                    "It is sent by public post to the address you gave.",
                )
            ],
        )
    if facts.return_channel == "online":
        return NextStep(
            Next.ONLINE,
            _say(lang, "Đã có kết quả trực tuyến", "Result ready online"),
            [
                _say(
                    lang,
                    "Kết quả điện tử được trả trên Cổng Dịch vụ công, trong tài khoản của ông/bà.",
                    "The electronic result is in your account on the public services portal.",
                )
            ],
        )
    return NextStep(
        Next.COLLECT,
        _say(lang, "Đã có kết quả: mời ông/bà đến nhận", "Result ready: please collect it"),
        [
            _say(
                lang,
                f"Đến quầy trả kết quả tại {facts.place}, mang theo giấy hẹn và căn cước "
                "(hoặc giấy tờ tùy thân) của người nộp hồ sơ.",
                f"Come to the results counter at {facts.place}, with your slip and the "
                "applicant's ID card.",
            ),
            _say(
                lang,
                "Người nhận thay cần có giấy ủy quyền.",
                "Someone collecting it for you needs your written authorisation.",
            ),
        ],
    )


def _delivered(facts: Facts, lang: Lang) -> NextStep:
    at = facts.delivered_at or facts.ended_at or facts.due_at
    when = _when(at, lang)
    lines = []
    if facts.delivered_via == "postal":
        lines.append(
            _say(
                lang,
                f"Gửi qua bưu chính công ích, số hiệu bưu gửi {facts.postal_item}."
                if facts.postal_item
                else "Gửi qua bưu chính công ích.",
                f"Sent by public post, item number {facts.postal_item}."
                if facts.postal_item
                else "Sent by public post.",
            )
        )
    lines.append(_say(lang, "Hồ sơ đã hoàn thành.", "Your dossier is complete."))
    return NextStep(
        Next.DELIVERED,
        _say(lang, f"Đã trả kết quả lúc {when}", f"Result delivered at {when}"),
        lines,
    )


def _ended(facts: Facts, lang: Lang) -> NextStep:
    at = facts.ended_at
    when = _when(at, lang) if at is not None else ""
    title = {
        S.REFUSED_AT_RECEPTION: ("Hồ sơ không được tiếp nhận", "Your dossier was not accepted"),
        S.STOPPED: ("Đã dừng giải quyết hồ sơ", "Processing of your dossier stopped"),
        S.RETURNED_NOT_RESOLVED: ("Hồ sơ được trả lại", "Your dossier was returned"),
    }[Status(facts.status)]
    lines = [_say(lang, f"Ngày: {when}.", f"On {when}.")] if when else []
    if facts.reason:
        lines.append(_say(lang, f"Lý do: {facts.reason}", f"Why: {facts.reason}"))
    lines.append(
        _say(
            lang,
            f"Nếu cần, ông/bà liên hệ {facts.place} để được hướng dẫn.",
            f"If needed, ask at {facts.place} for guidance.",
        )
    )
    return NextStep(Next.ENDED, _say(lang, *title), lines)


def _return_hint(facts: Facts, lang: Lang) -> str:
    if facts.return_channel == "postal":
        return _say(
            lang,
            "Kết quả sẽ được gửi qua bưu chính công ích.",
            "The result will be sent by public post.",
        )
    if facts.return_channel == "online":
        return _say(lang, "Kết quả sẽ được trả trực tuyến.", "The result will be given online.")
    return _say(
        lang,
        f"Nhận kết quả tại {facts.place}, mang theo giấy hẹn và căn cước.",
        f"Collect the result at {facts.place}, with your slip and ID card.",
    )


def _in_progress(facts: Facts, lang: Lang) -> NextStep:
    return _extended(facts, lang) if facts.previous_due is not None else _wait(facts, lang)


_BUILDERS = {
    S.SUBMITTED: _wait_receipt,
    S.NEEDS_COMPLETION_AT_RECEPTION: _complete,
    S.REFUSED_AT_RECEPTION: _ended,
    S.RECEIVED: _in_progress,
    S.TRANSFERRED: _in_progress,
    S.ASSIGNED: _in_progress,
    S.APPRAISED: _in_progress,
    S.AWAITING_APPROVAL: _in_progress,
    S.APPROVED: _in_progress,
    S.AWAITING_SUPPLEMENT: _supplement,
    S.STOPPED: _ended,
    S.RETURNED_NOT_RESOLVED: _ended,
    S.RESOLVED: _result_ready,
    S.RETURNED: _delivered,
}
