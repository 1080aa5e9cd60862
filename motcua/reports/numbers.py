"""How reports show their numbers, in one place.

Counts are whole and shown with a dot between thousands ("12.345"). Everything else (a share,
an average, a sum of working days) is kept exact where it is computed and rounded half up to
two decimals when it is shown, or when an indicator divides ("26,16", "80,50 %"). A value that
does not exist (a share of nothing) is shown as "—", never as 0 or 100 %.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from motcua.core.text import vn_number

NO_VALUE = "—"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def rounded(value: Decimal | int) -> Decimal:
    """Two decimals, half up: 0,625 → 0,63 (not to even, as people round by hand)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole × 100, rounded; None when `whole` is 0 (there is nothing to divide by)."""
    if not whole:
        return None
    return rounded(Decimal(part) * HUNDRED / Decimal(whole))


def shown(value: Decimal | int | None, suffix: str = "") -> str:
    """A value as people read it: "12.345", "26,16" (rounded), `suffix` appended; "—" for
    no value."""
    if value is None:
        return NO_VALUE
    if isinstance(value, int):
        return vn_number(value) + suffix
    return vn_number(rounded(value)) + suffix


def percent_text(part: int, whole: int) -> str:
    """The share of `part` in `whole`: "80,50 %", or "—" when `whole` is 0."""
    return shown(percent(part, whole), " %")
