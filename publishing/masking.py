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


# House, building, unit and room numbers: "18号院", "3号楼", "2单元", "501室",
# and the short forms "5-2-501" or "5栋2单元501".
_NUMBER_DETAIL = re.compile(r"\d+\s*(号楼|号院|号|栋|幢|单元|室|楼|层|户)")
_DASHED_NUMBER = re.compile(r"\d+(?:\s*[-－—]\s*\d+)+")
_TRAILING_ROOM = re.compile(r"(\*\*(?:单元|栋|幢|楼|层))\d+")


def mask_address(address):
    """Keep the street or community; hide house, building and room numbers."""
    address = (address or "").strip()
    if not address:
        return ""
    masked = _NUMBER_DETAIL.sub(lambda m: "**" + m.group(1), address)
    masked = _DASHED_NUMBER.sub("**", masked)
    return _TRAILING_ROOM.sub(lambda m: m.group(1) + "**", masked)


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def mask_text(text):
    """Mask ID numbers, phone numbers and e-mail addresses inside free text
    (a title, a message, a reply), leaving the rest readable."""
    text = text or ""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    text = _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    return _EMAIL_IN_TEXT.sub(lambda m: m.group(0)[0] + "***@" + m.group(0).split("@", 1)[1], text)
