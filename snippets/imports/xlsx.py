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


class WorkbookRefused(Exception):
    """The workbook is readable but not importable: it expands to more than
    ``MAX_EXPANDED_BYTES`` (a zip bomb, or far too large), or cells hold
    formulas (``cells``: their references, e.g. ``E3``)."""

    def __init__(self, message, cells=()):
        super().__init__(message)
        self.cells = list(cells)


#: The most a workbook's sheet and shared strings may expand to when unzipped.
MAX_EXPANDED_BYTES = 600 * 1024 * 1024
_FORMULA = re.compile(r"<(?:\w+:)?f[\s>/]")


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


_SI = re.compile(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.DOTALL)
_RPH = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.DOTALL)


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


def _column_letters(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
            expanded = sum(info.file_size for info in book.infolist()
                           if info.filename in (path, "xl/sharedStrings.xml"))
            if expanded > MAX_EXPANDED_BYTES:
                raise WorkbookRefused(f"expands to {expanded} bytes")
            shared = _shared_strings(book)
            dates = _date_styles(book)
            sheet = book.read(path)
        except (KeyError, ValueError, expat.ExpatError) as exc:
            raise UnsupportedWorkbook(str(exc)) from None
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    try:
        xml = sheet.decode("utf-8")
        rows = _plain_rows(xml, shared, dates, epoch)
        if rows is None:
            formulas = []
            rows = list(_sheet_rows(xml, shared, dates, epoch, formulas))
            if formulas:
                raise WorkbookRefused("formulas", formulas)
        return rows
    except (ValueError, IndexError, AttributeError, UnicodeDecodeError) as exc:
        raise UnsupportedWorkbook(str(exc)) from None


_ITEM = re.compile(
    r"<(?:\w+:)?row\b([^>]*?)/?>"  # a row starts (1: its attributes)
    r"|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)",  # a cell (2: attributes, 3: body)
    re.DOTALL,
)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_REF = re.compile(r'\br="([A-Z]+)')
_TYPE = re.compile(r'\bt="(\w+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.DOTALL)


# The shapes of a cell that openpyxl and Excel write for plain values:
# 1-2: reference (column letters, row number), 3: style, 4: type,
# 5: inline text, 6: value.
_PLAIN_CELL = re.compile(
    r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?'
    r'(?: ?/>|><is><t>([^<]*)</t></is></c>|><v>([^<]*)</v></c>)'
)


def _plain_rows(xml, shared, dates, epoch):
    """The rows, when every cell of the sheet has one of the plain shapes
    (one ``findall``, a fraction of a microsecond a cell); ``None`` when
    some cell has another shape (a formula, rich text, other attributes):
    ``_sheet_rows`` reads those."""
    from html import unescape

    if "<sheetData" not in xml:
        return None
    found = _PLAIN_CELL.findall(xml)
    if not found or len(found) != xml.count("<c ") + xml.count("<c>"):
        return None
    rows, columns = [], {}
    values, current = None, None
    for letters, number, style, kind, text, raw in found:
        if number != current:
            values, current = [], number
            rows.append((int(number), values))
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = _column_index(letters)
        if kind == "inlineStr":
            value = (unescape(text) if "&" in text else text) if text else None
        elif not raw:
            value = None
        elif kind == "s":
            value = shared[int(raw)]
        elif kind == "str" or kind == "e":
            value = unescape(raw) if "&" in raw else raw
        elif kind == "b":
            value = raw in ("1", "true")
        elif kind and kind != "n":
            return None
        elif dates and (int(style) if style else 0) in dates:
            value = from_excel(float(raw), epoch)
        elif raw.isdigit() or (raw[:1] == "-" and raw[1:].isdigit()):
            value = int(raw)
        else:
            value = float(raw)
        if col == len(values):
            values.append(value)
        elif col > len(values):
            values.extend([None] * (col - len(values)))
            values.append(value)
        else:
            return None  # cells out of order
    if len({number for number, _values in rows}) != len(rows):
        return None  # a row split in two
    return rows


def _sheet_rows(xml, shared, dates, epoch, formulas):
    """One regular expression over the sheet XML, with plain string checks
    for the usual shapes of a cell (about a microsecond a cell). The
    references of cells holding a formula are added to ``formulas``."""
    from html import unescape

    columns = {}
    number, values, col = 0, None, -1
    for match in _ITEM.finditer(xml):
        cell_attrs = match.group(2)
        if cell_attrs is None:  # a new row
            if values is not None:
                yield number, values
            found = _ROW_NUMBER.search(match.group(1))
            number = int(found.group(1)) if found else number + 1
            values, col = [], -1
            continue
        if values is None:  # a cell before any row: not a sheet we know
            raise ValueError("cell outside a row")
        ref = _REF.search(cell_attrs)
        if ref:
            letters = ref.group(1)
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = _column_index(letters)
        else:
            col += 1
        body = match.group(3)
        if body and _FORMULA.search(body):
            formulas.append(f"{_column_letters(col)}{number}")
        kind = _TYPE.search(cell_attrs)
        kind = kind.group(1) if kind else "n"
        if not body:
            value = None
        elif kind == "inlineStr":
            if body.startswith("<is><t>") and body.endswith("</t></is>") and "<" not in body[7:-9]:
                value = body[7:-9]
            else:
                value = "".join(_TEXT.findall(_RPH.sub("", body)))
            if "&" in value:
                value = unescape(value)
        else:
            if body.startswith("<v>") and body.endswith("</v>") and "<" not in body[3:-4]:
                raw = body[3:-4]
            else:
                found = _VALUE.search(body)
                raw = found.group(1) if found else ""
            if kind == "s":
                value = shared[int(raw)] if raw else None
            elif kind in ("str", "e"):
                value = unescape(raw) if "&" in raw else raw
            elif kind == "b":
                value = raw in ("1", "true")
            elif raw == "":
                value = None
            else:
                style = _STYLE.search(cell_attrs) if dates else None
                if dates and (int(style.group(1)) if style else 0) in dates:
                    value = from_excel(float(raw), epoch)
                elif raw.isdigit() or (raw[:1] == "-" and raw[1:].isdigit()):
                    value = int(raw)
                else:
                    value = float(raw)
        if col == len(values):
            values.append(value)
        else:
            while len(values) < col:
                values.append(None)
            if col < len(values):
                raise ValueError("cells out of order")
            values.append(value)
    if values is not None:
        yield number, values
