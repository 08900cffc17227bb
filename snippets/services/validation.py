"""Input checks shared by configuration and case services."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")


def normalise_phone(value):
    return re.sub(r"[\s()（）]", "", value or "").replace("+86", "", 1)


def validate_phone(value, *, field="phone"):
    """Return the normalised phone or raise a ValidationError naming the field."""
    phone = normalise_phone(value)
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        # The code goes on the inner error: Django drops ``code`` given next to a dict.
        raise ValidationError({field: ValidationError(
            _("“%(value)s” is not a valid phone number: use an 11-digit mobile number "
              "or a landline such as 0356-1234567.") % {"value": value},
            code="invalid_phone",
        )})
    return phone


def validate_id_number(value, *, field="citizen_id_number"):
    if not ID_NUMBER_RE.match(value or ""):
        raise ValidationError({field: ValidationError(
            _("“%(value)s” is not a valid ID card number (18 characters).") % {"value": value},
            code="invalid_id_number",
        )})
    return value.upper()
