"""Masking personal data (脱敏) for everything outside staff views.

The one masking module: the site, the API, the PDFs and the staff workbench (for
roles that may not see personal data) all use it.

- names keep the family name: 张**;
- phones keep the first three and the last four digits: 138****1234;
- ID numbers keep the first and last four characters: 1405**********123X;
- addresses keep the street or community and hide house, building, unit
  and room numbers: 建设南路**号楼**单元;
- free text (a title, a reply) has its phone numbers, ID numbers and e-mail
  addresses masked in place (``mask_text``), and, when given, the names and
  addresses of the people concerned.

Full-width digits (１３８…) are recognised like ASCII digits."""

import re

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
D = "[0-9０-９]"  # a digit, ASCII or full-width (not other scripts' digits)
_NOT_DIGIT = "(?<![0-9０-９])"
_NO_DIGIT_AFTER = "(?![0-9０-９])"


def _digits(value):
    return "".join(re.findall(D, value or "")).translate(_FULL_WIDTH)


def mask_name(name):
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone):
    digits = _digits(phone)
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-2:]}"
    return "*" * len(digits)


def mask_id_number(value):
    value = (value or "").strip().translate(_FULL_WIDTH)
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_email(email):
    local, _at, domain = (email or "").partition("@")
    if not domain:
        return "*" * len(local)
    return f"{local[:1]}***@{domain}"


# --- Addresses -------------------------------------------------------------------
# House, building, unit and room numbers: "18号", "18号院", "3号楼", "2单元",
# "501室", "A座", "5#楼", "三楼", and the short forms "5-2-501", "5栋2单元501".
_MARK = r"(号楼|号院|号|栋|幢|单元|室|楼|层|户|座|房|[#＃])"
_NUMBER = rf"(?:{D}+|[一二三四五六七八九十百零〇两]+|[A-Za-zＡ-Ｚａ-ｚ]+)"
_DASHED_NUMBER = re.compile(rf"{D}+(?:\s*[-－—]\s*{D}+)+")
_NUMBER_DETAIL = re.compile(rf"{_NUMBER}\s*(?:[#＃]\s*)?{_MARK}")
_TRAILING_NUMBER = re.compile(rf"(\*\*{_MARK})\s*[-－—]?\s*(?:{D}|[A-Za-z])+")


def mask_address(address):
    """Keep the street or community; hide house, building, unit and room numbers."""
    address = (address or "").strip()
    if not address:
        return ""
    masked = _DASHED_NUMBER.sub("**", address)
    masked = _NUMBER_DETAIL.sub(lambda m: "**" + m.group(1), masked)
    return _TRAILING_NUMBER.sub(lambda m: m.group(1) + "**", masked)


# --- Free text -------------------------------------------------------------------
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ID_IN_TEXT = re.compile(rf"(?<![0-9０-９A-Za-z]){D}{{17}}[0-9０-９Xx](?![0-9０-９A-Za-z])")
_MOBILE_IN_TEXT = re.compile(
    rf"{_NOT_DIGIT}(?P<cc>(?:\+|＋)?86[-\s]?)?(?P<number>[1１][3-9３-９]{D}(?:[-\s]?{D}{{4}}){{2}}){_NO_DIGIT_AFTER}"
)
_LANDLINE_IN_TEXT = re.compile(
    rf"{_NOT_DIGIT}(?P<number>(?:[(（][0０]{D}{{2,3}}[)）]\s*|[0０]{D}{{2,3}}[-－\s]?){D}{{7,8}})"
    rf"(?P<extension>\s*(?:[-－]|转){D}{{1,5}})?{_NO_DIGIT_AFTER}"
)
# A local number without its area code, when the text says it is a phone number.
_LOCAL_PHONE_IN_TEXT = re.compile(
    rf"(?P<label>电话|座机|手机|联系方式|号码|tel|TEL|Tel)(?P<sep>[：:\s]*(?:是|为)?[：:\s]*){_NOT_DIGIT}"
    rf"(?P<number>{D}{{7,8}}){_NO_DIGIT_AFTER}"
)


def _mask_mobile(match):
    return (match.group("cc") or "") + mask_phone(match.group("number"))


_FIRST_DIGIT = re.compile(r"[0-9０-９]")


def mask_known(text, *, names=(), addresses=()):
    """Mask the given names and addresses wherever they occur in ``text``
    (the people a case concerns, when their own details turn up in a
    reply). One-character names are left alone: they would hit ordinary words."""
    text = text or ""
    for address in sorted({(a or "").strip() for a in addresses} - {""}, key=len, reverse=True):
        text = text.replace(address, mask_address(address))
        # The house-number part quoted without the place before it ("幸福小区3号楼2单元501室"
        # of "米山镇幸福小区3号楼2单元501室"): from the first digit on.
        first_digit = _FIRST_DIGIT.search(address)
        if first_digit is not None and len(address) - first_digit.start() >= 3:
            tail = address[first_digit.start():]
            text = text.replace(tail, mask_address(tail))
    for name in sorted({(n or "").strip() for n in names}, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text


def mask_text(text, *, names=(), addresses=()):
    """Mask e-mail addresses, 18-character ID numbers, mobile numbers and
    landlines inside free text (a title, a message, a reply), leaving the
    rest readable; and the given ``names`` and ``addresses`` (see ``mask_known``)."""
    text = mask_known(text, names=names, addresses=addresses)
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE_IN_TEXT.sub(_mask_mobile, text)
    text = _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group("number")) + (m.group("extension") or ""), text)
    return _LOCAL_PHONE_IN_TEXT.sub(lambda m: m.group("label") + m.group("sep") + mask_phone(m.group("number")), text)
