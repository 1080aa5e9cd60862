from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.outbox.receiver import Receiver, receiver_running

SECRET = "tests-only-webhook-secret"


def use_webhook(settings: Any, url: str) -> None:
    settings.OUTBOX_DESTINATIONS = ["notifications", "webhook"]
    settings.OUTBOX_WEBHOOK_URL = url
    settings.OUTBOX_WEBHOOK_SECRET = SECRET
    settings.OUTBOX_WEBHOOK_TIMEOUT = 5


@pytest.fixture
def database_queue(settings: Any) -> None:
    """The production queue (django-tasks-db) instead of the tests' immediate backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """A real webhook receiver on 127.0.0.1, and the webhook destination pointed at it."""
    with receiver_running(SECRET) as sink:
        use_webhook(settings, sink.url)
        yield sink
