"""No form of ours offers Django's bare "---------" as a choice, the administration's included:
the empty choice is worded for people (motcua/templates/django/forms/widgets/select_option.html)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def admin_pages() -> list[str]:
    pages = []
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission.__func__ is type(model_admin).has_add_permission:
            pages.append(reverse(f"{name}_add"))
    return pages


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_admin_page_offers_dashes(admin_user, language) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin_user)
    pages = admin_pages()
    assert len(pages) > 10
    worded = "— Không chọn —" if language == "vi" else "— None —"
    seen_empty_choice = 0
    for url in pages:
        response = client.get(url)
        if response.status_code == 403:  # an add page the model refuses (append-only logs)
            continue
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "---------" not in page, url
        seen_empty_choice += worded in page
    assert seen_empty_choice >= 3  # the action menus and the optional choices are worded


def test_the_intake_page_has_no_dashes_either(counter_officer) -> None:
    client = Client()
    client.force_login(counter_officer)
    page = client.get("/quay/tiep-nhan/").content.decode()
    assert "---------" not in page
