"""Text hygiene for everything people type: Unicode NFC, trimmed, inner runs of spaces folded.

Vietnamese text arrives in NFD from some keyboards and PDFs; stored NFD breaks search, sorting
and the printed slips, so every text field passes through `clean_text` before it is saved."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold_accents(value: str) -> str:
    """Lower-case ASCII skeleton for accent-insensitive search ("Đăng ký" → "dang ky")."""
    decomposed = unicodedata.normalize("NFD", clean_text(value).lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def digits_only(value: str | None) -> str:
    return "".join(ch for ch in clean_text(value) if ch.isdigit())
