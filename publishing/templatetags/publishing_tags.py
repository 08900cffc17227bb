"""Template filters for published figures, shared by the site and the PDFs."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

ONE_DECIMAL = Decimal("0.1")


@register.filter
def percent(value):
    """A share between 0 and 1 as a percentage with one decimal (0.875 → 87.5%); "—" for None."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(str(value)) * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)}%"
