"""Telling the applicant (thông báo cho tổ chức, cá nhân): e-mail and SMS after the events
that matter to them, written in the action's transaction and sent after it commits, retried
with backoff, never twice.

The specifications call `schedule_for_event` themselves, inside the action's transaction.
`append_event` may already call it too (it does as of this writing): the second call then adds
nothing, so they hold either way, and show that scheduling is idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import User
from motcua.core.clock import now
from motcua.dossiers.actions import Applicant, append_event
from motcua.dossiers.models import Dossier, DossierEvent, EventType
from motcua.notifications.messages import SMS_LIMIT, fit_sms, fold_for_sms, gsm_length
from motcua.notifications.models import Notification, NotificationChannel, NotificationStatus
from motcua.notifications.services import schedule_for_event
from motcua.notifications.sms import SmsError
from motcua.notifications.tasks import retry_delay, send_notification
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive
from tests.notifications.smtp import SmtpSink, free_port, smtp_server

pytestmark = pytest.mark.django_db

EMAIL = "an.nguyen@example.vn"
PHONE = "0912 345 678"
EMAIL_CHANNEL, SMS_CHANNEL = NotificationChannel.EMAIL, NotificationChannel.SMS
PENDING, SENT, FAILED = (
    NotificationStatus.PENDING,
    NotificationStatus.SENT,
    NotificationStatus.FAILED,
)
Capture = Callable[..., Any]


def use_smtp(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    with smtp_server() as sink:
        use_smtp(settings, sink.port)
        yield sink


@pytest.fixture
def database_queue(settings: Any) -> None:
    """The production queue (django-tasks-db) instead of the tests' immediate backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class FailingProvider:
    calls: ClassVar[list[str]] = []

    def send(self, phone: str, text: str, *, reference: str) -> str:
        FailingProvider.calls.append(phone)
        raise SmsError("gateway timeout")


class RefusingProvider:
    calls: ClassVar[list[str]] = []

    def send(self, phone: str, text: str, *, reference: str) -> str:
        RefusingProvider.calls.append(phone)
        raise SmsError("number not in service", permanent=True)


def received_and_scheduled(
    officer: User, capture: Capture, *, return_channel: str = "counter", **contact: str
) -> Dossier:
    """Receive a dossier with the given contact details and schedule its notifications in the
    same transaction, then run what waits for the commit (the enqueue, hence the sending)."""
    extra = {"postal_address": "12 Lê Lợi, phường Bắc An"} if return_channel == "postal" else {}
    with capture(execute=True), transaction.atomic():
        dossier = receive(
            officer,
            applicant=Applicant(name="Nguyễn Văn An", **contact),
            return_channel=return_channel,
            **extra,
        )
        schedule_for_event(dossier.events.get(type=EventType.RECEIVED))
    return dossier


def appended(dossier: Dossier, capture: Capture, by: User, type: EventType, **fields: Any):
    """Append an event the way an action does and schedule it, running the commit hooks."""
    with capture(execute=True), transaction.atomic():
        event = append_event(dossier, type=type, at=vn(2025, 5, 5, 9, 0), by=by, **fields)
        schedule_for_event(event)
    return event


def one(dossier: Dossier, channel: str, event: DossierEvent | None = None) -> Notification:
    rows = Notification.objects.filter(dossier=dossier, channel=channel)
    return rows.get(event=event) if event else rows.get(event__type=EventType.RECEIVED)


def queued_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.order_by("enqueued_at"))


# --- Sending -----------------------------------------------------------------------------------


def test_the_receipt_email_arrives_at_a_real_smtp_server(
    counter_officer, smtp, django_capture_on_commit_callbacks
) -> None:
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL, phone=PHONE
    )

    [delivery] = smtp.received
    assert delivery.rcpt_tos == [EMAIL]
    message = delivery.message
    assert message["To"] == EMAIL
    # Django folds the encoded subject onto a continuation line; the parser keeps its space.
    assert message["Subject"].strip() == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert body.startswith("Kính gửi Ông/Bà Nguyễn Văn An,")
    assert f"Mã hồ sơ: {dossier.code}" in body
    assert f"Thủ tục: {dossier.procedure_version.name}" in body
    assert "Thời điểm tiếp nhận: 10:00 ngày 24/04/2025" in body
    assert "Hẹn trả kết quả: 10:00 ngày 12/05/2025" in body
    assert f"/tra-cuu/{dossier.code}/" in body
    # what Form 01 gives, the receipt gives: the lookup code and the address that it opens
    code = f"{dossier.lookup_code[:4]}-{dossier.lookup_code[4:]}"
    assert f"Mã tra cứu: {code}" in body
    assert f"/tra-cuu/{dossier.code}/?k={dossier.lookup_code}" in body

    email = one(dossier, EMAIL_CHANNEL)
    assert email.status == SENT and email.attempts == 1 and email.sent_at is not None
    assert email.recipient == EMAIL and email.last_error == ""
    assert email.provider_message_id == message["Message-ID"].strip()
    assert one(dossier, SMS_CHANNEL).status == SENT


def test_the_sms_is_unaccented_and_fits_in_160_characters(
    counter_officer, django_capture_on_commit_callbacks, caplog
) -> None:
    caplog.set_level("INFO", logger="motcua.notifications.sms")
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, phone=PHONE
    )

    sms = one(dossier, SMS_CHANNEL)
    assert sms.status == SENT and sms.attempts == 1 and sms.provider_message_id.startswith("log-")
    assert sms.recipient == "0912345678" and sms.subject == ""
    assert sms.body.isascii() and len(sms.body) <= SMS_LIMIT
    code = f"{dossier.lookup_code[:4]}-{dossier.lookup_code[4:]}"
    assert sms.body.startswith(
        f"Ho so {dossier.code} da duoc tiep nhan, hen tra ket qua 10:00 ngay 12/05/2025. "
        f"Ma tra cuu: {code}."
    )
    # The procedure's long name is shortened at a word, not the code or the appointment.
    assert " Thu tuc: Cap Phieu Ly lich tu phap" in sms.body and sms.body.endswith("...")
    assert "091****678" in caplog.text and "0912345678" not in caplog.text
    assert not Notification.objects.filter(channel=EMAIL_CHANNEL).exists()
    assert mail.outbox == []


def test_a_failing_sms_provider_is_retried_until_the_last_attempt(
    counter_officer, django_capture_on_commit_callbacks, settings
) -> None:
    settings.SMS_PROVIDER = f"{__name__}.FailingProvider"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    FailingProvider.calls.clear()

    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, phone=PHONE
    )

    # The immediate backend cannot defer: each re-enqueue runs at once, after the commit.
    sms = one(dossier, SMS_CHANNEL)
    assert FailingProvider.calls == ["0912345678"] * 3
    assert sms.status == FAILED and sms.attempts == 3 and sms.sent_at is None
    assert sms.last_error == "SmsError: gateway timeout"
    assert sms.locked_until is None


def test_a_permanent_sms_error_is_not_retried(
    counter_officer, django_capture_on_commit_callbacks, settings
) -> None:
    settings.SMS_PROVIDER = f"{__name__}.RefusingProvider"
    RefusingProvider.calls.clear()
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, phone=PHONE
    )
    sms = one(dossier, SMS_CHANNEL)
    assert RefusingProvider.calls == ["0912345678"]
    assert sms.status == FAILED and sms.attempts == 1
    assert sms.last_error == "SmsError: number not in service"


def test_on_the_database_queue_each_retry_waits_longer(
    counter_officer, django_capture_on_commit_callbacks, settings, database_queue
) -> None:
    settings.SMS_PROVIDER = f"{__name__}.FailingProvider"
    FailingProvider.calls.clear()
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, phone=PHONE
    )
    sms = one(dossier, SMS_CHANNEL)
    assert sms.status == PENDING and sms.attempts == 0  # queued, not sent yet
    [first] = queued_tasks()
    assert first.task_path == "motcua.notifications.tasks.send_notification"
    assert first.args_kwargs == {"args": [sms.pk], "kwargs": {}}

    for attempt, minutes in [(1, 1), (2, 5), (3, 25), (4, 125)]:
        before = now()
        with django_capture_on_commit_callbacks(execute=True):
            assert send_notification.call(sms.pk) == "retry"
        sms.refresh_from_db()
        retry = queued_tasks()[-1]
        assert sms.status == PENDING and sms.attempts == attempt
        assert retry.args_kwargs["args"] == [sms.pk]
        assert retry.run_after == sms.next_attempt_at
        wait = retry.run_after - before
        assert timedelta(minutes=minutes) <= wait < timedelta(minutes=minutes, seconds=30)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification.call(sms.pk) == "failed"
    sms.refresh_from_db()
    assert sms.status == FAILED and sms.attempts == 5 and sms.next_attempt_at is None
    assert len(queued_tasks()) == 5  # the first enqueue and four retries; none after failing
    assert len(FailingProvider.calls) == 5


def test_backoff_grows_fivefold_and_is_capped() -> None:
    minutes = [retry_delay(n) / timedelta(minutes=1) for n in range(1, 7)]
    assert minutes == [1, 5, 25, 125, 360, 360]


def test_an_smtp_server_that_is_down_costs_an_attempt_and_is_retried(
    counter_officer, django_capture_on_commit_callbacks, settings, database_queue
) -> None:
    capture = django_capture_on_commit_callbacks
    port = free_port()  # nothing listens there
    use_smtp(settings, port)
    dossier = received_and_scheduled(counter_officer, capture, email=EMAIL)

    with capture(execute=True):
        run_ready_tasks()  # the retry is queued for later: not ready, not run

    email = one(dossier, EMAIL_CHANNEL)
    assert email.status == PENDING and email.attempts == 1 and email.sent_at is None
    assert email.last_error.startswith("ConnectionRefusedError")
    first, retry = queued_tasks()
    assert first.status == "SUCCESSFUL" and first.return_value == "retry"  # recorded, no crash
    assert retry.status == "READY" and retry.args_kwargs["args"] == [email.pk]
    assert retry.run_after == email.next_attempt_at
    assert timedelta(seconds=50) < retry.run_after - now() <= timedelta(minutes=1)

    # A minute later the server is back.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=now())
    with smtp_server(port) as server, capture(execute=True):
        run_ready_tasks()
    assert [d.rcpt_tos for d in server.received] == [[EMAIL]]
    email.refresh_from_db()
    assert email.status == SENT and email.attempts == 2 and email.last_error == ""


def test_with_the_immediate_backend_a_dead_smtp_server_ends_failed_without_crashing(
    counter_officer, django_capture_on_commit_callbacks, settings
) -> None:
    use_smtp(settings, free_port())
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL
    )
    email = one(dossier, EMAIL_CHANNEL)
    assert email.status == FAILED and email.attempts == settings.NOTIFICATION_MAX_ATTEMPTS
    assert email.last_error.startswith("ConnectionRefusedError")


def test_the_db_worker_sends_what_the_commit_queued(
    counter_officer, smtp, django_capture_on_commit_callbacks, database_queue
) -> None:
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL
    )
    assert one(dossier, EMAIL_CHANNEL).status == PENDING and smtp.received == []

    with django_capture_on_commit_callbacks(execute=True):
        run_ready_tasks()

    assert [d.rcpt_tos for d in smtp.received] == [[EMAIL]]
    assert one(dossier, EMAIL_CHANNEL).status == SENT
    [task] = queued_tasks()
    assert task.status == "SUCCESSFUL" and task.return_value == "sent"


def run_ready_tasks() -> None:
    """What `motcua db_worker` does with each ready task (its loop also manages connections
    and row locks, which the test's transaction cannot share): claim it, run it, record it."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (ready := DBTaskResult.objects.ready().first()) is not None:
        ready.claim(worker.worker_id)
        worker.run_task(ready)


# --- Never twice -------------------------------------------------------------------------------


def test_a_sent_notification_is_not_sent_again(
    counter_officer, django_capture_on_commit_callbacks
) -> None:
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL
    )
    email = one(dossier, EMAIL_CHANNEL)
    assert len(mail.outbox) == 1

    assert send_notification.call(email.pk) == "already sent"
    send_notification.enqueue(email.pk)

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_notification_being_sent_by_another_run_is_left_to_it(
    counter_officer, django_capture_on_commit_callbacks, database_queue
) -> None:
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL
    )
    email = one(dossier, EMAIL_CHANNEL)
    Notification.objects.filter(pk=email.pk).update(locked_until=now() + timedelta(minutes=5))

    assert send_notification.call(email.pk) == "in flight"
    assert mail.outbox == []

    # A run that crashed mid-send leaves a claim that lapses; the next run sends.
    Notification.objects.filter(pk=email.pk).update(locked_until=now() - timedelta(seconds=1))
    assert send_notification.call(email.pk) == "sent"
    assert len(mail.outbox) == 1


def test_scheduling_one_event_twice_still_makes_one_per_channel(
    counter_officer, django_capture_on_commit_callbacks
) -> None:
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL, phone=PHONE
    )
    event = dossier.events.get(type=EventType.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        assert schedule_for_event(event) == []
        assert schedule_for_event(event) == []
    assert callbacks == []
    channels = Notification.objects.filter(event=event).values_list("channel", flat=True)
    assert sorted(channels) == ["email", "sms"]
    assert len(mail.outbox) == 1


# --- When nothing is sent ----------------------------------------------------------------------


def test_a_rolled_back_action_writes_and_sends_nothing(
    counter_officer, smtp, django_capture_on_commit_callbacks
) -> None:
    class Abort(Exception):
        pass

    def an_action_that_fails_after_its_event() -> None:
        with transaction.atomic():
            dossier = receive(
                counter_officer, applicant=Applicant(name="An", email=EMAIL, phone=PHONE)
            )
            schedule_for_event(dossier.events.get())
            assert Notification.objects.filter(dossier=dossier).count() == 2
            raise Abort

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Abort):
        an_action_that_fails_after_its_event()

    assert callbacks == []
    assert not Notification.objects.exists() and not Dossier.objects.exists()
    assert smtp.received == [] and mail.outbox == []


def test_an_applicant_without_email_or_phone_gets_nothing(
    counter_officer, django_capture_on_commit_callbacks
) -> None:
    dossier = received_and_scheduled(counter_officer, django_capture_on_commit_callbacks)
    assert schedule_for_event(dossier.events.get()) == []
    assert not Notification.objects.exists()


def test_events_the_applicant_is_not_told_about_make_no_notification(
    counter_officer, django_capture_on_commit_callbacks
) -> None:
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL, phone=PHONE
    )
    transferred = appended(
        dossier, django_capture_on_commit_callbacks, counter_officer, EventType.TRANSFERRED
    )
    assert schedule_for_event(transferred) == []
    assert not Notification.objects.filter(event=transferred).exists()
    assert Notification.objects.count() == 2  # the receipt's e-mail and SMS only


# --- What is said ------------------------------------------------------------------------------


def test_a_supplement_request_says_why_and_what_to_bring(
    counter_officer, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    dossier = received_and_scheduled(counter_officer, capture, email=EMAIL, phone=PHONE)
    event = appended(
        dossier,
        capture,
        counter_officer,
        EventType.SUPPLEMENT_REQUESTED,
        reason="Tờ khai chưa ghi nơi cư trú trước đây",
        data={"items": ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (bản sửa)"], "count": 1},
    )
    email, sms = one(dossier, EMAIL_CHANNEL, event), one(dossier, SMS_CHANNEL, event)
    assert email.subject == f"Hồ sơ {dossier.code} cần bổ sung, hoàn thiện"
    assert "Lý do: Tờ khai chưa ghi nơi cư trú trước đây" in email.body
    assert "- Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (bản sửa)" in email.body
    assert "Trung tâm Phục vụ hành chính công tỉnh An Hòa" in email.body
    assert sms.body.startswith(
        f"Ho so {dossier.code} can bo sung. "
        "Can mang: To khai yeu cau cap Phieu ly lich tu phap (ban sua)."
    )
    assert "Ly do: To khai chua ghi noi cu tru" in sms.body and len(sms.body) <= SMS_LIMIT
    assert email.status == sms.status == SENT
    assert mail.outbox[-1].subject == email.subject


def test_an_apology_gives_the_new_appointment_and_the_reason(
    counter_officer, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    dossier = received_and_scheduled(counter_officer, capture, email=EMAIL, phone=PHONE)
    new_due = datetime(2025, 5, 26, 9, 30, tzinfo=UTC)  # 16:30 in Hà Nội
    event = appended(
        dossier,
        capture,
        counter_officer,
        EventType.EXTENDED,
        reason="Cần xác minh thông tin tại địa phương khác",
        data={
            "new_due_at": new_due.isoformat(),
            "original_due_at": vn(2025, 5, 12, 10, 0).isoformat(),
        },
    )
    email, sms = one(dossier, EMAIL_CHANNEL, event), one(dossier, SMS_CHANNEL, event)
    assert email.subject == f"Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {dossier.code}"
    assert f"Chúng tôi chân thành xin lỗi Ông/Bà vì hồ sơ {dossier.code}" in email.body
    assert f"Trân trọng,\n{dossier.agency.name}\n" in email.body  # signed by the agency
    assert "chưa được giải quyết theo lịch hẹn 10:00 ngày 12/05/2025" in email.body
    assert "Thời gian hẹn trả kết quả mới: 16:30 ngày 26/05/2025" in email.body
    assert "Lý do: Cần xác minh thông tin tại địa phương khác" in email.body
    assert sms.body == (
        f"Xin loi Ong/Ba: ho so {dossier.code} cham giai quyet, hen lai tra ket qua "
        "16:30 ngay 26/05/2025. Ly do: Can xac minh thong tin tai dia phuong khac."
    )


def test_a_result_at_the_counter_invites_the_applicant_to_collect_it(
    counter_officer, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    dossier = received_and_scheduled(counter_officer, capture, email=EMAIL, phone=PHONE)
    event = appended(
        dossier, capture, counter_officer, EventType.RESOLVED, data={"outcome": "granted"}
    )
    email, sms = one(dossier, EMAIL_CHANNEL, event), one(dossier, SMS_CHANNEL, event)
    assert email.subject == f"Hồ sơ {dossier.code} đã có kết quả"
    assert (
        "Kết quả đã sẵn sàng, mời Ông/Bà đến nhận tại "
        "Trung tâm Phục vụ hành chính công tỉnh An Hòa." in email.body
    )
    assert sms.body == (
        f"Ho so {dossier.code} da co ket qua. "
        "Moi Ong/Ba den nhan tai Trung tam Phuc vu hanh chinh cong tinh An Hoa."
    )


def test_a_result_sent_by_post_says_so(counter_officer, django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    dossier = received_and_scheduled(
        counter_officer, capture, return_channel="postal", email=EMAIL, phone=PHONE
    )
    event = appended(dossier, capture, counter_officer, EventType.RESOLVED)
    email, sms = one(dossier, EMAIL_CHANNEL, event), one(dossier, SMS_CHANNEL, event)
    assert "qua dịch vụ bưu chính công ích theo địa chỉ: 12 Lê Lợi, phường Bắc An." in email.body
    assert "mời Ông/Bà đến nhận" not in email.body
    assert sms.body.endswith("Ket qua se duoc gui qua buu chinh cong ich.")


def test_sms_folding_keeps_case_and_fits_the_gsm_alphabet() -> None:
    assert fold_for_sms("Đăng ký thường trú — Công an xã Đông Hòa…") == (
        "Dang ky thuong tru - Cong an xa Dong Hoa..."
    )
    assert fold_for_sms("Nguyễn  Thị\nHỒNG “Hoa”") == 'Nguyen Thi HONG "Hoa"'
    assert gsm_length("[a]") == 5  # brackets are GSM extension characters


def test_a_long_sms_keeps_its_essential_part_and_drops_what_does_not_fit() -> None:
    essential = "Hồ sơ 000.00.01.H99-250424-0001 cần bổ sung."
    reason = "Lý do: " + "thiếu giấy tờ chứng minh nơi cư trú " * 10
    text = fit_sms(essential, reason, "Nộp bổ sung tại quầy số 5.")
    assert text.startswith("Ho so 000.00.01.H99-250424-0001 can bo sung. Ly do: thieu giay to")
    assert text.endswith("...") and len(text) <= SMS_LIMIT
    assert "quay so 5" not in text
    # a short optional part after one that does not fit at all is still sent
    assert fit_sms("x" * 150, "a" * 20, "ok.") == "x" * 150 + " ok."
    assert len(fit_sms("y" * 400)) == SMS_LIMIT


# --- Admin -------------------------------------------------------------------------------------


def test_the_admin_resends_failed_notifications(
    counter_officer, django_capture_on_commit_callbacks, settings, client
) -> None:
    capture = django_capture_on_commit_callbacks
    settings.SMS_PROVIDER = f"{__name__}.RefusingProvider"
    dossier = received_and_scheduled(counter_officer, capture, email=EMAIL, phone=PHONE)
    sms, email = one(dossier, SMS_CHANNEL), one(dossier, EMAIL_CHANNEL)
    assert sms.status == FAILED and email.status == SENT

    settings.SMS_PROVIDER = "motcua.notifications.sms.LoggingProvider"
    admin = User.objects.create_superuser("root", "root@example.vn", "pw-root")
    client.force_login(admin)
    url = "/quan-tri/notifications/notification/"
    assert client.get(url, {"status__exact": "failed"}).status_code == 200
    with capture(execute=True):
        response = client.post(
            url,
            {"action": "resend", "index": 0, "_selected_action": [sms.pk, email.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "Đã đưa 1 thông báo vào hàng đợi gửi lại." in response.content.decode()
    sms.refresh_from_db()
    assert sms.status == SENT and sms.attempts == 1
    assert len(mail.outbox) == 1  # the e-mail, already sent, was not sent again
