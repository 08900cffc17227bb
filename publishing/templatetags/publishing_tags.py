"""Template filters for published figures, shared by the site and the PDFs."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

DASH = "—"


@register.filter
def percent(rate, places=1):
    """A rate between 0 and 1 as a percentage with one decimal: 0.875 → 87.5%;
    "—" for None (nothing to measure) or anything that is not a number."""
    if rate is None or rate == "":
        return DASH
    try:
        value = Decimal(str(rate)) * 100
        places = int(places)
    except (InvalidOperation, TypeError, ValueError):
        return DASH
    if not value.is_finite():
        return DASH
    quantum = Decimal(1).scaleb(-places) if places > 0 else Decimal(1)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP)}%"
