"""Phone and identity numbers: one set of checks (core/identity.py) for the counter's form,
the API and the imports."""

from __future__ import annotations

import pytest

from motcua.core import identity
from motcua.core.errors import ValidationFailed


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84 912 345 678",
        "84912345678",
        "(091) 2345678",
    ],
)
def test_a_vietnamese_mobile_number_is_stored_as_its_national_digits(typed) -> None:
    assert identity.normalize_phone(typed) == "0912345678"


def test_a_landline_keeps_its_area_code() -> None:
    assert identity.normalize_phone("024 3825 3210") == "02438253210"
    assert identity.display_phone("02438253210") == "024 3825 3210"


def test_numbers_are_shown_grouped_for_reading() -> None:
    assert identity.display_phone("0912345678") == "0912 345 678"
    assert identity.display_phone("12") == "12"  # a record from before the check, as stored


@pytest.mark.parametrize(
    "typed", ["091234567a", "O912345678", "12", "0123456789", "+1 202 555 0100", "0912;345678"]
)
def test_letters_foreign_and_impossible_numbers_are_refused(typed) -> None:
    with pytest.raises(ValidationFailed) as refused:
        identity.normalize_phone(typed)
    assert refused.value.code == "invalid_phone"
    assert "không hợp lệ" in refused.value.message


def test_nothing_typed_is_nothing_stored() -> None:
    assert identity.normalize_phone("  ") == ""
    assert identity.normalize_id_number(None) == ""


@pytest.mark.parametrize(
    ("typed", "stored", "kind"),
    [
        ("001 099 012 345", "001099012345", "cccd"),
        ("123456789", "123456789", "cmnd"),
        ("0101234567", "0101234567", "tax_code"),
        ("0101234567-001", "0101234567-001", "tax_code"),
        ("c1234567", "C1234567", "passport"),
    ],
)
def test_identity_numbers_of_each_shape_are_kept(typed, stored, kind) -> None:
    assert identity.normalize_id_number(typed) == stored
    assert identity.id_number_kind(stored) == kind


@pytest.mark.parametrize("typed", ["12345", "0010990123456", "00109901234X", "ABC"])
def test_identity_numbers_of_no_known_shape_are_refused(typed) -> None:
    with pytest.raises(ValidationFailed) as refused:
        identity.normalize_id_number(typed)
    assert refused.value.code == "invalid_id_number"
