from django import template

from motcua.core import text

register = template.Library()


@register.filter
def vnd(amount: object) -> str:
    """20000 → "20.000 đồng" (Vietnamese groups thousands with dots)."""
    try:
        value = int(amount)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return f"{value:,}".replace(",", ".") + " đồng"


register.filter("vn_number", text.vn_number)
