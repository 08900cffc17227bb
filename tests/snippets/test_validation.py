"""Input checks of configuration: phones, ID numbers, time limits, routing."""

import pytest
from django.core.exceptions import ValidationError

from snippets.models import DirectoryItem, PolicyLimit
from snippets.services.validation import validate_id_number, validate_phone


@pytest.mark.parametrize(
    "value, expected",
    [("13812341234", "13812341234"), ("+86 138 1234 1234", "13812341234"), ("(0356)1234567", "03561234567"),
     ("0356-1234567", "0356-1234567")],
)
def test_valid_phones_are_normalised(value, expected):
    assert validate_phone(value) == expected


@pytest.mark.parametrize("value", ["12345abc", "1381234123", "23812341234", "138123412345", "0356-12"])
def test_invalid_phone_names_the_field_and_code(value):
    # when a malformed phone is checked for a named field
    with pytest.raises(ValidationError) as info:
        validate_phone(value, field="citizen_phone")
    # then the error is on that field, with a code the API can show
    (error,) = info.value.error_dict["citizen_phone"]
    assert error.code == "invalid_phone"
    assert value in error.messages[0]


def test_id_number():
    assert validate_id_number("14052119900101123x") == "14052119900101123X"
    with pytest.raises(ValidationError) as info:
        validate_id_number("1405211990")
    assert info.value.error_dict["citizen_id_number"][0].code == "invalid_id_number"


@pytest.mark.parametrize(
    "kwargs, error_field",
    [
        ({"unit": "fixed_date", "fixed_month": 5, "fixed_day": 31}, None),
        ({"unit": "fixed_date", "fixed_month": 2, "fixed_day": 29}, None),
        ({"unit": "fixed_date", "fixed_month": 2, "fixed_day": 30}, "fixed_month"),
        ({"unit": "fixed_date", "fixed_month": None, "fixed_day": None}, "fixed_month"),
        ({"unit": "working_days", "amount": 5}, None),
        ({"unit": "working_days", "amount": None}, "amount"),
        ({"unit": "hours", "amount": 0}, "amount"),
    ],
)
def test_policy_limit_clean(kwargs, error_field):
    limit = PolicyLimit(kind="reply", **kwargs)
    if error_field is None:
        limit.clean()
        assert str(limit)
    else:
        with pytest.raises(ValidationError) as info:
            limit.clean()
        assert error_field in info.value.error_dict


@pytest.mark.parametrize(
    "kwargs, error_field",
    [({"routing": "sector"}, "sector_unit"), ({"routing": "territorial"}, "territorial_level"),
     ({"routing": "none"}, None)],
)
def test_directory_item_routing_needs_its_target(kwargs, error_field):
    item = DirectoryItem(name="x", code="x", **kwargs)
    if error_field is None:
        item.clean()
    else:
        with pytest.raises(ValidationError) as info:
            item.clean()
        assert error_field in info.value.error_dict
