"""The dossier's random lookup code: issued at receipt, printed on Form 01 and in its QR, given
in the API's receipt, read back leniently and compared in constant time."""

from __future__ import annotations

import re
import subprocess
from collections import Counter

import pytest

from motcua.dossiers import lookup_codes, printing
from motcua.dossiers.models import Dossier
from motcua.dossiers.papers import barcodes
from motcua.dossiers.papers.receipt import receipt_context
from tests.dossiers.test_receive_dossier import receive

CODE = re.compile(r"^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}$")


def test_codes_are_8_characters_of_the_unambiguous_alphabet_and_vary() -> None:
    codes = [lookup_codes.new_code() for _ in range(2000)]
    assert all(CODE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    letters = Counter("".join(codes))
    assert set(letters) == set(lookup_codes.ALPHABET)  # every symbol in use, none other


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("7KQ2-M9XD", "7KQ2M9XD"),
        (" 7kq2 m9xd ", "7KQ2M9XD"),
        ("OIL2-M9XD", "0112M9XD"),  # O read as 0, I and L as 1
        ("7KQ2M9X", ""),  # too short
        ("7KQ2M9XU", ""),  # U is not in the alphabet
        ("", ""),
        (None, ""),
    ],
)
def test_what_people_type_is_read_leniently(typed: str | None, read: str) -> None:
    assert lookup_codes.normalise(typed) == read


def test_matching_needs_the_exact_code_and_a_stored_one() -> None:
    assert lookup_codes.matches("7KQ2M9XD", "7kq2-m9xd")
    assert not lookup_codes.matches("7KQ2M9XD", "7KQ2M9XE")
    assert not lookup_codes.matches("", "")
    assert not lookup_codes.matches("", "00000000")


def test_the_comparison_is_constant_time(monkeypatch) -> None:
    compared = []
    real = lookup_codes.hmac.compare_digest
    monkeypatch.setattr(
        lookup_codes.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b)
    )
    assert not lookup_codes.matches("7KQ2M9XD", "7KQ2M9XE")
    assert compared == [(b"7KQ2M9XD", b"7KQ2M9XE")]


def test_display_groups_by_four() -> None:
    assert lookup_codes.display("7KQ2M9XD") == "7KQ2-M9XD"
    assert lookup_codes.display("") == ""


@pytest.mark.django_db
def test_each_received_dossier_gets_its_own_code(counter_officer) -> None:
    first, second = receive(counter_officer), receive(counter_officer)
    assert CODE.match(first.lookup_code) and CODE.match(second.lookup_code)
    assert first.lookup_code != second.lookup_code
    assert Dossier.objects.get(pk=first.pk).lookup_code == first.lookup_code


@pytest.mark.django_db
def test_form_01_prints_the_code_and_its_qr_opens_the_full_view(counter_officer) -> None:
    dossier = receive(counter_officer)
    slip = printing.receipt_slip(dossier)
    assert slip.lookup_url.endswith(f"/tra-cuu/{dossier.code}/?k={dossier.lookup_code}")
    assert str(receipt_context(slip)["qr_svg"]) == barcodes.qr_svg(slip.lookup_url)
    pdf = printing.receipt_pdf(dossier)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    shown = lookup_codes.display(dossier.lookup_code)
    assert re.search(rf"Mã tra cứu .*{shown}", text), text
    assert f"?k={dossier.lookup_code}" in text.replace("\n", "")


@pytest.mark.django_db
def test_the_other_papers_do_not_carry_the_code(counter_officer) -> None:
    dossier = receive(counter_officer)
    assert "k=" not in printing.lookup_url(dossier)
    assert dossier.lookup_code not in printing.control_slip(dossier).header.lookup_url


@pytest.mark.django_db
def test_the_api_receipt_gives_the_code_and_it_opens_the_lookup(counter_officer) -> None:
    from django.test import Client

    from tests.api.test_dossier_api import as_system
    from tests.api.test_dossier_api import receive as receive_by_api

    answer = receive_by_api(as_system(counter_officer))
    stored = Dossier.objects.get(code=answer["code"]).lookup_code
    assert answer["lookup_code"] == lookup_codes.display(stored)
    looked_up = Client().get(
        f"/api/v1/lookup/{answer['code']}", {"lookup_code": answer["lookup_code"]}
    )
    assert looked_up.json()["access"] == "full"


@pytest.mark.django_db
def test_the_migration_gives_each_existing_dossier_its_own_code(counter_officer) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("motcua.dossiers.migrations.0014_dossier_lookup_code")
    kept = receive(counter_officer)
    before = [receive(counter_officer) for _ in range(3)]
    Dossier.objects.filter(pk__in=[d.pk for d in before]).update(lookup_code="")
    migration.fill_codes(apps, None)
    codes = list(
        Dossier.objects.filter(pk__in=[d.pk for d in before]).values_list("lookup_code", flat=True)
    )
    assert all(CODE.match(code) for code in codes) and len(set(codes)) == 3
    assert Dossier.objects.get(pk=kept.pk).lookup_code == kept.lookup_code
