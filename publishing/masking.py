"""Masking personal data (脱敏) for everything outside staff views.

The one masking module: the site, the API and the PDFs all use it."""

import re


def mask_name(name):
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone):
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-2:]}"
    return "*" * len(digits)


def mask_id_number(value):
    value = (value or "").strip()
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


_NUMBER_DETAIL = re.compile(r"\d+\s*(号楼|号院|号|栋|幢|单元|室|楼|层|户)")


def mask_address(address):
    """Keep the street or community; hide house, building and room numbers."""
    address = (address or "").strip()
    if not address:
        return ""
    masked = _NUMBER_DETAIL.sub(lambda m: "**" + m.group(1), address)
    return masked
