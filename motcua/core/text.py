"""Text hygiene for everything people type: Unicode NFC, trimmed, inner runs of spaces folded.

Vietnamese text arrives in NFD from some keyboards and PDFs; stored NFD breaks search, sorting
and the printed slips, so every text field passes through `clean_text` before it is saved."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Model

from motcua.core.errors import ValidationFailed

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")


def clean_text(value: str | None) -> str:
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold_accents(value: str) -> str:
    """Lower-case ASCII skeleton for accent-insensitive search ("Đăng ký" → "dang ky")."""
    decomposed = unicodedata.normalize("NFD", clean_text(value).lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def search_words(value: str) -> list[str]:
    """The words of `value` as search compares them: folded, split at anything that is not a
    letter or a digit ("Nguyễn Thị Ánh-Đào" → ["nguyen", "thi", "anh", "dao"])."""
    return _WORD.findall(fold_accents(value))


def search_key(value: str) -> str:
    """A stored search column: every folded word after a space (" nguyen thi anh dao"), so
    that `contains(" " + word)` finds the words that start with what was typed, in any order."""
    return "".join(f" {word}" for word in search_words(value))


def digits_only(value: str | None) -> str:
    return "".join(ch for ch in clean_text(value) if ch.isdigit())


def vn_number(value: object) -> str:
    """12345 → "12.345", Decimal("12345.5") → "12.345,5": Vietnamese separators (a dot between
    thousands, a decimal comma), digits as given: rounding is the caller's."""
    if value is None or value == "":
        return ""
    text = f"{value:,}" if isinstance(value, int | Decimal) else str(value)
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# --- lengths, measured as stored ----------------------------------------------------------


class TextTooLong(ValidationFailed):
    """A text that is longer than its field allows once normalised as it will be stored."""

    code = "text_too_long"


def clean_upper(value: str | None) -> str:
    """Identifiers (CCCD, tax codes): `clean_text`, upper-cased ("ß" becomes "SS")."""
    return clean_text(value).upper()


def clean_lower(value: str | None) -> str:
    """E-mail addresses: `clean_text`, lower-cased ("İ" becomes two characters)."""
    return clean_text(value).lower()


def is_email(value: str) -> bool:
    """The e-mail rule of the whole application: Django's, as the pages' EmailField applies."""
    try:
        validate_email(value)
    except DjangoValidationError:
        return False
    return True


def column_length(model: type[Model], name: str) -> int:
    """The number of characters the column `name` of `model` holds."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return length


def fitted(
    value: str | None,
    *,
    max_length: int,
    field: str,
    normalise: Callable[[str | None], str] = clean_text,
) -> str:
    """`value` as it will be stored (`normalise`d), or TextTooLong naming `field`.

    Normalising can lengthen a text: NFC decomposes some characters (U+0958 becomes two),
    upper-casing "ß" gives "SS". So the length a field allows is measured on the stored form,
    never on what was typed. The one home of this rule: API schemas, forms and imports call it."""
    stored = normalise(value)
    if len(stored) > max_length:
        raise TextTooLong(
            f"{field}: dài quá {max_length} ký tự (sau khi chuẩn hoá có {len(stored)} ký tự).",
            field=field,
            max_length=max_length,
            length=len(stored),
        )
    return stored
