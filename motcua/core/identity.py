"""What a person's contact and identity numbers look like: the one home of their checks.

The counter's intake form, the API and the imports of history all receive an applicant
through `dossiers.actions.receive_dossier`, which calls these functions; the intake form calls
them too, so that the error appears next to the field as it is typed. A bad value raises
`ValidationFailed` with a stable code (`invalid_phone`, `invalid_id_number`) and a Vietnamese
message; the English one is in the catalogue of translations.

- **Phone numbers** (số điện thoại) are Vietnamese numbers, checked with `phonenumbers`
  (Google's libphonenumber metadata: which prefixes are in service, how long each is). They
  may be typed as 0912 345 678, 0912.345.678, +84 912 345 678 or 84912345678, and are stored
  in one format, the national digits ("0912345678"): what the records, the SMS gateway and the
  public lookup's "last 4 digits" already use; `display_phone` groups them for reading
  ("0912 345 678"). Letters are refused, never dropped.
- **Identity numbers** (số định danh): the dossier records one number without saying its
  type, so its shape tells which it is: a citizen identity card (CCCD, 12 digits, also the
  personal tax code since 1 July 2025), an old identity card (CMND, 9 digits), an
  organisation's tax code (mã số thuế, 10 digits, or 10-3 for a branch) or a passport (one or
  two letters and 7 digits). Spaces and dots are dropped and letters upper-cased.
"""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_noop

from motcua.core.errors import ValidationFailed
from motcua.core.text import clean_text

REGION = "VN"
# What a typed phone number may contain besides digits: spaces, dots, dashes, brackets and a
# leading plus. Anything else (a letter, a comma) is a typing error to show, not to drop.
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 .\-()]+$")
_ID_SEPARATORS = re.compile(r"[\s.]")
ID_SHAPES = (
    ("cccd", re.compile(r"^[0-9]{12}$")),
    ("cmnd", re.compile(r"^[0-9]{9}$")),
    ("tax_code", re.compile(r"^[0-9]{10}(-[0-9]{3})?$")),
    ("passport", re.compile(r"^[A-Z]{1,2}[0-9]{7}$")),
)

PHONE_MESSAGE = gettext_noop(
    "Số điện thoại không hợp lệ: cần một số Việt Nam, chỉ gồm chữ số, "
    "ví dụ 0912 345 678 hoặc 024 3825 3210."
)
ID_MESSAGE = gettext_noop(
    "Số định danh không hợp lệ: CCCD gồm 12 chữ số (CMND cũ 9 chữ số, mã số thuế 10 chữ số, "
    "hộ chiếu 1–2 chữ cái và 7 chữ số)."
)


def normalize_phone(raw: str | None) -> str:
    """The national digits of a Vietnamese phone number ("0912345678"), "" for nothing typed;
    `ValidationFailed` (`invalid_phone`) for anything that is not one."""
    typed = clean_text(raw)
    if not typed:
        return ""
    if not _PHONE_CHARACTERS.match(typed):
        raise ValidationFailed(PHONE_MESSAGE, code="invalid_phone")
    digits = "".join(ch for ch in typed if ch.isdigit())
    # "84912345678" typed without its plus is the country code, as people write it on forms.
    international = typed.startswith("+") or (digits.startswith("84") and len(digits) >= 11)
    try:
        number = phonenumbers.parse("+" + digits if international else digits, REGION)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(PHONE_MESSAGE, code="invalid_phone") from None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise ValidationFailed(PHONE_MESSAGE, code="invalid_phone")
    return "0" + str(number.national_number)


def display_phone(stored: str | None) -> str:
    """A stored number grouped as people read it ("0912 345 678"); as stored if it is not a
    valid Vietnamese number (records kept from before the check)."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, REGION)
    except phonenumbers.NumberParseException:
        return stored
    if not phonenumbers.is_valid_number(number):
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def id_number_kind(normalized: str) -> str | None:
    """Which kind of number `normalized` is shaped as ("cccd", "cmnd", "tax_code",
    "passport"), or None."""
    return next((kind for kind, shape in ID_SHAPES if shape.match(normalized)), None)


def normalize_id_number(raw: str | None) -> str:
    """An identity number without spaces or dots, upper-cased, "" for nothing typed;
    `ValidationFailed` (`invalid_id_number`) unless it has one of the shapes above."""
    typed = _ID_SEPARATORS.sub("", clean_text(raw)).upper()
    if not typed:
        return ""
    if id_number_kind(typed) is None:
        raise ValidationFailed(ID_MESSAGE, code="invalid_id_number")
    return typed
