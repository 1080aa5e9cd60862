"""A notification whose task was lost is sent by the periodic requeue, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from motcua.notifications.models import Notification
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


def test_requeue_sends_lost_notifications_once(
    counter_officer, capsys, django_capture_on_commit_callbacks
) -> None:
    from motcua.dossiers.actions import Applicant

    receive(
        counter_officer,
        received_at=vn(2025, 5, 5, 9, 0),
        applicant=Applicant(name="Nguyễn Văn An", email="an@example.vn"),
    )
    # no on_commit callbacks ran in this test transaction: the send tasks were "lost"
    pending = Notification.objects.filter(status="pending", channel="email")
    assert pending.count() == 1
    pending.update(created_at=pending.get().created_at - timedelta(hours=1))
    # (the command's enqueues run once its transaction commits, here the test's: run them)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications", "requeue")
    assert "requeued: 1" in capsys.readouterr().out
    assert Notification.objects.get(channel="email").status == "sent"
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications", "requeue")
    assert len(mail.outbox) == 1


def test_replayed_history_tells_nobody(counter_officer) -> None:
    from motcua.dossiers.actions import Applicant, replaying_history

    with replaying_history():
        receive(
            counter_officer,
            received_at=vn(2021, 4, 5, 8, 10),
            applicant=Applicant(name="Nguyễn Văn An", phone="0912345678"),
        )
    assert not Notification.objects.exists()
