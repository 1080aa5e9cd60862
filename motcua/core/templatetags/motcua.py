from django import template

register = template.Library()


@register.filter
def vnd(amount: object) -> str:
    """20000 → "20.000 đồng" (Vietnamese groups thousands with dots)."""
    try:
        value = int(amount)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return f"{value:,}".replace(",", ".") + " đồng"


@register.filter
def vn_number(value: object) -> str:
    """12345 → "12.345"; Decimal("12.5") → "12,5" (Vietnamese separators)."""
    if value is None or value == "":
        return ""
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
