"""Every write of a rating (docs/domain/ratings.md): the counter's tablet after a served visit,
the QR of Form 01, of the ticket or of the result, the public lookup after delivery, a paper
form typed in by staff, and the `motcua.ratings/1` import. One function, `record_rating`,
checks what a rating must be bound to, the windows and the throttle, and records who, when
and how; refusals are `MotcuaError`s with a Vietnamese message and a stable code, and write
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.catalog.models import Unit
from motcua.core import ratelimit
from motcua.core.clock import now
from motcua.core.errors import Conflict, MotcuaError, NotFound, PermissionRefused, ValidationFailed
from motcua.dossiers import lookup_codes
from motcua.dossiers.models import Dossier
from motcua.feedback.models import (
    CHANNEL_OF_SOURCE,
    Rating,
    RatingChannel,
    RatingDevice,
    RatingScale,
    RatingSource,
)
from motcua.queueing.models import Ticket, TicketDossier, TicketStatus

COLLECTED = (RatingSource.TABLET, RatingSource.QR, RatingSource.ONLINE, RatingSource.PAPER)


class TooManyRatings(MotcuaError):
    code = "too_many_ratings"
    http_status = 429


@dataclass(frozen=True)
class Question:
    key: str  # the key in `Rating.answers`
    label: str
    scale: RatingScale
    answers: list[tuple[str, str]]  # (code, words), best first


def questions(*, tablet: bool = False) -> list[Question]:
    """The questions a form asks, scale by scale (built-in first); the tablet asks only the
    scales marked for it."""
    from motcua.reports.ratings import scales

    found = []
    for scale in scales():
        if tablet and not scale.on_tablet:
            continue
        labels = list(scale.answer_labels().items())
        for key, label in scale.questions():
            found.append(Question(key, label, scale, labels))
    return found


def clean_answers(raw: dict[str, Any]) -> dict[str, str]:
    """The answers kept: each key a question of a scale, each value one of its answers, at
    least one. Empty values (a question left unanswered) are dropped."""
    allowed = {q.key: {code for code, _words in q.answers} for q in questions()}
    answers: dict[str, str] = {}
    for key, value in sorted(raw.items()):
        if value in (None, ""):
            continue
        if key not in allowed:
            raise ValidationFailed(f"Không có câu hỏi đánh giá “{key}”.", code="unknown_scale")
        if str(value) not in allowed[key]:
            raise ValidationFailed(
                f"Câu trả lời “{value}” không thuộc thang đánh giá “{key}”.", code="invalid_answer"
            )
        answers[key] = str(value)
    if not answers:
        raise ValidationFailed("Hãy chọn ít nhất một mức đánh giá.", code="no_answer")
    return answers


# --- the bindings each channel needs -----------------------------------------------------------


def find_dossier(code: str) -> Dossier:
    found = Dossier.objects.select_related("receiving_unit").filter(code=code.strip().upper())
    dossier = found.first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ có mã này.", code="unknown_dossier")
    return dossier


def check_lookup_code(dossier: Dossier, lookup_code: str) -> None:
    """The QR's second factor: the dossier's lookup code (docs/decisions/0009-lookup-code.md),
    counted against the same per-dossier lock as the lookup."""
    if not lookup_code.strip():
        raise PermissionRefused(
            "Cần mã tra cứu in trên Giấy tiếp nhận để đánh giá hồ sơ này.",
            code="lookup_code_needed",
        )
    lock = ratelimit.lookup_code_lock()
    verdict = ratelimit.attempt(lock, dossier.code)
    if not verdict.allowed:
        raise TooManyRatings(
            "Đã nhập sai mã tra cứu quá nhiều lần. Vui lòng thử lại sau.",
            code="lookup_code_locked",
            retry_after=verdict.retry_after,
        )
    if not lookup_codes.matches(dossier.lookup_code, lookup_code):
        raise PermissionRefused("Mã tra cứu không đúng.", code="wrong_lookup_code")
    ratelimit.succeeded(lock, dossier.code)


def served_ticket_for(device: RatingDevice, at: datetime | None = None) -> Ticket | None:
    """The visit the counter's tablet offers: the counter's last finished ticket, served
    (not a no-show), finished less than RATING_TABLET_MINUTES ago, and not yet rated."""
    moment = at or now()
    last = (
        Ticket.objects.select_related("hall__unit", "counter", "officer", "group")
        .filter(counter_id=device.counter_id, status=TicketStatus.DONE, finished_at__isnull=False)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if last is None or last.finished_at is None:
        return None
    if moment - last.finished_at > timedelta(minutes=settings.RATING_TABLET_MINUTES):
        return None
    if Rating.objects.filter(ticket=last).exists():
        return None
    return last


def _dossier_ticket(dossier: Dossier) -> Ticket | None:
    """The visit the dossier was received at (or delivered at), if it came through the hall."""
    link = (
        TicketDossier.objects.select_related("ticket__counter", "ticket__officer")
        .filter(dossier=dossier, ticket__status=TicketStatus.DONE)
        .order_by("kind", "-ticket__finished_at")  # `delivered` before `received`
        .first()
    )
    return link.ticket if link else None


def _dossiers_of(ticket: Ticket) -> list[Dossier]:
    return list(Dossier.objects.filter(pk__in=ticket.links.values("dossier_id")).order_by("pk"))


# --- the one write ---------------------------------------------------------------------------


def record_rating(
    *,
    source: str,
    answers: dict[str, Any],
    dossier_code: str = "",
    lookup_code: str = "",
    ticket: Ticket | None = None,
    ticket_key: str = "",
    device: RatingDevice | None = None,
    by: User | None = None,
    unit: Unit | None = None,
    client: str = "",
    at: datetime | None = None,
) -> Rating:
    """Record (or change, within its window) one rating.

    - `tablet`: `device` and the `ticket` it offers (`served_ticket_for`); bound to the
      ticket, its counter and officer, and its dossier if one was received from it.
    - `qr`: the dossier (`dossier_code` + its `lookup_code`) or the ticket (`ticket_key`, the
      secret of the ticket's QR); bound to the ticket the dossier came through, if any.
    - `online`: the dossier with its lookup code, once its result was delivered.
    - `paper`: typed in by `by` (staff); `dossier_code` optional, else `unit` rated.

    `client` (the device token or the address) is throttled per source."""
    moment = at or now()
    if source not in COLLECTED:
        raise ValidationFailed("Nguồn đánh giá không hợp lệ.", code="invalid_source")
    _throttle(source, client or (device.token if device else ""))
    cleaned = clean_answers(answers)
    dossier: Dossier | None = None
    bound: Ticket | None = None  # the visit rated
    served: Ticket | None = None  # the visit whose officer and counter are named
    if source == RatingSource.TABLET:
        bound, dossier = _tablet_binding(device, ticket, moment)
    elif source == RatingSource.PAPER:
        if by is None or not by.is_authenticated:
            raise PermissionRefused("Cần đăng nhập để nhập phiếu giấy.", code="forbidden")
        if dossier_code.strip():
            dossier = find_dossier(dossier_code)
            served = _dossier_ticket(dossier)
        elif unit is None:
            raise ValidationFailed("Hãy chọn hồ sơ hoặc đơn vị được đánh giá.", code="no_subject")
    elif ticket_key:
        bound = _ticket_by_key(ticket_key, moment)
        dossiers = _dossiers_of(bound)
        dossier = dossiers[0] if dossiers else None
    else:
        if not dossier_code.strip():
            raise ValidationFailed("Hãy cho biết mã hồ sơ.", code="unknown_dossier")
        dossier = find_dossier(dossier_code)
        check_lookup_code(dossier, lookup_code)
        _check_dossier_window(dossier, source, moment)
        served = _dossier_ticket(dossier)
    # a rating of the dossier names the officer and counter of the visit it came through,
    # but not the visit itself: that visit may have its own rating (the tablet's)
    served = served or bound
    rated_unit = _unit_of(dossier, served, unit)
    paper_by = by if source == RatingSource.PAPER else None
    if paper_by is not None and not access.may_record_paper_rating(paper_by, rated_unit):
        raise PermissionRefused(
            "Bạn không được nhập phiếu đánh giá của đơn vị này.", code="forbidden"
        )
    fields = {
        "unit": rated_unit,
        "province_code": rated_unit.province_code,
        "channel": CHANNEL_OF_SOURCE.get(RatingSource(source), RatingChannel.ONLINE),
        "source": source,
        "dossier": dossier,
        "ticket": bound,
        "counter": served.counter if served else None,
        "officer": served.officer if served else None,
        "recorded_by": by if by is not None and by.is_authenticated else None,
        "device": device,
        "answers": cleaned,
    }
    with transaction.atomic():
        existing = _existing(source, dossier, bound)
        if existing is not None:
            return _change(existing, cleaned, moment, by)
        try:
            with transaction.atomic():
                return Rating.objects.create(at=moment, source_key=_key(), **fields)
        except IntegrityError as clash:  # the same dossier or ticket, rated meanwhile
            raise Conflict(
                "Hồ sơ hoặc lượt phục vụ này vừa được đánh giá.", code="already_rated"
            ) from clash


def _throttle(source: str, client: str) -> None:
    if source == RatingSource.PAPER:
        return
    verdict = ratelimit.take(
        f"rating-{source}",
        client or "unknown",
        limit=settings.RATING_MAX_REQUESTS,
        window=settings.RATING_WINDOW_SECONDS,
    )
    if not verdict.allowed:
        raise TooManyRatings(
            "Thiết bị này đã gửi quá nhiều phiếu đánh giá. Vui lòng thử lại sau ít phút.",
            retry_after=verdict.retry_after,
        )


def _tablet_binding(
    device: RatingDevice | None, ticket: Ticket | None, moment: datetime
) -> tuple[Ticket, Dossier | None]:
    if device is None or not device.is_active:
        raise PermissionRefused("Thiết bị đánh giá không hợp lệ.", code="unknown_device")
    offered = served_ticket_for(device, moment)
    if ticket is None or offered is None or offered.pk != ticket.pk:
        if ticket is not None and Rating.objects.filter(ticket=ticket).exists():
            raise Conflict("Lượt phục vụ này đã được đánh giá.", code="already_rated")
        raise ValidationFailed(
            "Không có lượt phục vụ nào vừa kết thúc tại quầy này để đánh giá.", code="no_service"
        )
    dossiers = _dossiers_of(offered)
    return offered, (dossiers[0] if dossiers else None)


def _ticket_by_key(key: str, moment: datetime) -> Ticket:
    found = (
        Ticket.objects.select_related("hall__unit", "counter", "officer")
        .filter(public_key=key)
        .first()
    )
    if found is None:
        raise NotFound("Không tìm thấy vé này.", code="unknown_ticket")
    if found.status != TicketStatus.DONE or found.finished_at is None:
        raise ValidationFailed(
            "Vé này chưa được phục vụ xong nên chưa thể đánh giá.", code="no_service"
        )
    if moment - found.finished_at > timedelta(days=settings.RATING_OPEN_DAYS):
        raise ValidationFailed("Đã hết thời hạn đánh giá lượt phục vụ này.", code="rating_closed")
    return found


def _check_dossier_window(dossier: Dossier, source: str, moment: datetime) -> None:
    if source == RatingSource.ONLINE and dossier.delivered_at is None:
        raise ValidationFailed(
            "Hồ sơ chưa trả kết quả nên chưa thể đánh giá trực tuyến.", code="not_delivered"
        )
    ended = dossier.delivered_at or dossier.ended_at
    if ended is not None and moment - ended > timedelta(days=settings.RATING_OPEN_DAYS):
        raise ValidationFailed(
            f"Đã hết thời hạn đánh giá hồ sơ này ({settings.RATING_OPEN_DAYS} ngày sau khi "
            "kết thúc).",
            code="rating_closed",
        )


def _unit_of(dossier: Dossier | None, ticket: Ticket | None, unit: Unit | None) -> Unit:
    if dossier is not None:
        return dossier.receiving_unit
    if ticket is not None:
        return ticket.hall.unit
    if unit is None:
        raise ValidationFailed("Hãy chọn đơn vị được đánh giá.", code="no_subject")
    return unit


def _existing(source: str, dossier: Dossier | None, ticket: Ticket | None) -> Rating | None:
    """The rating this one would replace: the citizen's rating of the dossier (QR or online),
    or the rating of the same visit."""
    rows = Rating.objects.select_for_update()
    if ticket is not None:
        of_visit = rows.filter(ticket=ticket).first()
        if of_visit is not None:
            return of_visit
    if source in (RatingSource.QR, RatingSource.ONLINE) and dossier is not None:
        return rows.filter(
            dossier=dossier, source__in=[RatingSource.QR, RatingSource.ONLINE]
        ).first()
    return None


def _change(rating: Rating, answers: dict[str, str], moment: datetime, by: User | None) -> Rating:
    window = timedelta(minutes=settings.RATING_CHANGE_MINUTES)
    if rating.source in (RatingSource.TABLET, RatingSource.PAPER) or moment - rating.at > window:
        raise Conflict(
            "Hồ sơ hoặc lượt phục vụ này đã được đánh giá; đã hết thời gian cho phép sửa đánh giá.",
            code="already_rated",
        )
    rating.answers = answers
    rating.changed_at = moment
    rating.changes += 1
    if by is not None and by.is_authenticated:
        rating.recorded_by = by
    rating.save(update_fields=["answers", "changed_at", "changes", "recorded_by"])
    return rating


def _key() -> str:
    import secrets

    return "collected:" + secrets.token_hex(20)


def record_imported(**fields: Any) -> Rating:
    """A line of `motcua.ratings/1` (integrations/ratings.py checked it): stored as given,
    marked `import`."""
    return Rating.objects.create(source=RatingSource.IMPORT, **fields)
