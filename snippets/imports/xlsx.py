"""A fast reader for the first sheet of an XLSX file: values only.

openpyxl's read-only mode spends most of an import's time turning XML into
cell objects (about 1 s for a 2,000-row directory). This reader feeds the
sheet to expat and keeps only what an import needs: text (shared or
inline), numbers, booleans and dates (numbers in a date format, as openpyxl
decides them). Anything unexpected raises ``UnsupportedWorkbook`` and the
caller falls back to openpyxl.
"""

import posixpath
import re
import zipfile
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COLUMN = re.compile(r"[A-Z]+")


class UnsupportedWorkbook(Exception):
    pass


def _parse(data, start=None, end=None, text=None):
    parser = expat.ParserCreate()
    parser.buffer_text = True
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    parser.Parse(data, True)


def _local(name):
    return name.rsplit(":", 1)[-1]


def _first_sheet(book):
    sheets, date1904, rels = [], False, {}

    def wb_start(name, attrs):
        nonlocal date1904
        tag = _local(name)
        if tag == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            sheets.append(rid)
        elif tag == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            date1904 = True

    _parse(book.read("xl/workbook.xml"), start=wb_start)

    def rel_start(name, attrs):
        if _local(name) == "Relationship":
            rels[attrs.get("Id")] = attrs.get("Target", "")

    _parse(book.read("xl/_rels/workbook.xml.rels"), start=rel_start)
    if not sheets or sheets[0] not in rels:
        raise UnsupportedWorkbook("no sheet")
    target = rels[sheets[0]]
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return path, date1904


_SI = re.compile(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.S)
_RPH = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)


def _shared_strings(book):
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    from html import unescape

    xml = book.read("xl/sharedStrings.xml").decode("utf-8")
    return [unescape("".join(_TEXT.findall(_RPH.sub("", si)))) for si in _SI.findall(xml)]


def _date_styles(book):
    """Indexes of the cell formats that show dates."""
    if "xl/styles.xml" not in book.namelist():
        return set()
    custom, xfs, state = {}, [], {"in_xfs": False}

    def start(name, attrs):
        tag = _local(name)
        if tag == "numFmt":
            custom[int(attrs.get("numFmtId", 0))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_xfs"] = True
        elif tag == "xf" and state["in_xfs"]:
            xfs.append(int(attrs.get("numFmtId", 0)))

    def end(name):
        if _local(name) == "cellXfs":
            state["in_xfs"] = False

    _parse(book.read("xl/styles.xml"), start, end)
    dates = set()
    for index, fmt_id in enumerate(xfs):
        code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "General")
        if is_date_format(code):
            dates.add(index)
    return dates


def _column_index(ref):
    letters = _COLUMN.match(ref).group(0)
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def read_first_sheet(data):
    """Yield (row number, [values]) for every row of the first sheet."""
    import io

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnsupportedWorkbook("not a zip") from None
    with book:
        try:
            path, date1904 = _first_sheet(book)
            shared = _shared_strings(book)
            dates = _date_styles(book)
            sheet = book.read(path)
        except (KeyError, ValueError, expat.ExpatError) as exc:
            raise UnsupportedWorkbook(str(exc)) from None
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    try:
        return list(_sheet_rows(sheet.decode("utf-8"), shared, dates, epoch))
    except (ValueError, IndexError, AttributeError, UnicodeDecodeError) as exc:
        raise UnsupportedWorkbook(str(exc)) from None


_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)


def _sheet_rows(xml, shared, dates, epoch):
    """Regular expressions over the sheet XML: a few microseconds a cell."""
    from html import unescape

    next_row = 1
    for row_match in _ROW.finditer(xml):
        attrs = dict(_ATTR.findall(row_match.group(1)))
        number = int(attrs["r"]) if "r" in attrs else next_row
        next_row = number + 1
        values = []
        col = -1
        for cell in _CELL.finditer(row_match.group(2) or ""):
            cattrs = dict(_ATTR.findall(cell.group(1)))
            ref = cattrs.get("r")
            col = _column_index(ref) if ref else col + 1
            body = cell.group(2) or ""
            kind = cattrs.get("t", "n")
            if kind == "inlineStr":
                value = unescape("".join(_TEXT.findall(body)))
            else:
                found = _VALUE.search(body)
                raw = found.group(1) if found else ""
                if kind == "s":
                    value = shared[int(raw)] if raw else None
                elif kind in ("str", "e"):
                    value = unescape(raw)
                elif kind == "b":
                    value = raw in ("1", "true")
                elif raw == "":
                    value = None
                else:
                    num = float(raw)
                    if int(cattrs.get("s", 0)) in dates:
                        value = from_excel(num, epoch)
                    elif num.is_integer() and "." not in raw and "E" not in raw.upper():
                        value = int(raw)
                    else:
                        value = num
            while len(values) < col:
                values.append(None)
            values.append(value)
        yield number, values
