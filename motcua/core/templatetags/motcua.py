from django import template

from motcua.core import identity, text

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


@register.filter
def phone(stored: object) -> str:
    """A stored phone number grouped for reading ("0912 345 678")."""
    return identity.display_phone(str(stored or ""))
