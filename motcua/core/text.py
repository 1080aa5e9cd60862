"""Text hygiene for everything people type: Unicode NFC, trimmed, inner runs of spaces folded.

Vietnamese text arrives in NFD from some keyboards and PDFs; stored NFD breaks search, sorting
and the printed slips, so every text field passes through `clean_text` before it is saved."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

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
