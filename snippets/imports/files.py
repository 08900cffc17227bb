"""Reading an uploaded spreadsheet (XLSX or CSV) into a tablib Dataset for a
resource: headers matched to the resource's columns, blank rows dropped,
and each row keeping the number a person sees in the spreadsheet (the
header is row 1)."""

import csv
import io
import zipfile

import tablib
from django.utils.translation import gettext as _

from .resources.base import ROW_KEY
from .resources.columns import normalise_header

FORMATS = ("xlsx", "csv")


class FileProblem(Exception):
    """The file as a whole cannot be imported (format, headers)."""


def read_rows(data: bytes, file_format):
    """Return (headers, [(row number, values)]) of the first sheet."""
    if file_format == "xlsx":
        from .xlsx import UnsupportedWorkbook, WorkbookRefused, read_first_sheet

        try:
            return _split(read_first_sheet(data))
        except UnsupportedWorkbook:
            pass  # let openpyxl try, and explain if it cannot either
        except WorkbookRefused as exc:
            raise _refusal(exc) from None
        return _split(_openpyxl_lines(data))
    if file_format == "csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FileProblem(_("The CSV file is neither UTF-8 nor GB18030 text."))
        return _split(enumerate(csv.reader(io.StringIO(text)), start=1))
    raise FileProblem(_("Only XLSX and CSV files can be imported."))


def _refusal(exc):
    if exc.cells:
        shown = "、".join(exc.cells[:10]) + ("…" if len(exc.cells) > 10 else "")
        return FileProblem(
            _("%(count)s cells hold formulas (%(cells)s). Formulas are not imported: save the workbook with "
              "values only (copy the sheet and paste it as values) and import it again.")
            % {"count": len(exc.cells), "cells": shown}
        )
    from .xlsx import MAX_EXPANDED_BYTES

    return FileProblem(
        _("The workbook unpacks to more than %(mb)s MB; split it into smaller files.")
        % {"mb": MAX_EXPANDED_BYTES // (1024 * 1024)}
    )


def _openpyxl_lines(data):
    """The rows as openpyxl reads them, for workbooks the fast reader does not
    know; formula cells are refused here too."""
    import openpyxl

    from .xlsx import MAX_EXPANDED_BYTES, WorkbookRefused

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_EXPANDED_BYTES:
                raise _refusal(WorkbookRefused("too large"))
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileProblem:
        raise
    except Exception:
        raise FileProblem(_("The file is not a readable XLSX workbook.")) from None
    try:
        lines, formulas = [], []
        for number, cells in enumerate(book.worksheets[0].iter_rows(), start=1):
            values = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(cell.coordinate)
                values.append(getattr(cell, "value", None))
            lines.append((number, values))
    except Exception:
        raise FileProblem(_("The file is not a readable XLSX workbook.")) from None
    finally:
        book.close()
    if formulas:
        raise _refusal(WorkbookRefused("formulas", formulas))
    return lines


# C0 control characters but tab, line feed and carriage return: never meant in a cell, and
# PostgreSQL cannot store NUL in text or JSON at all (a value quoted in an error would fail too).
_CONTROLS = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _split(lines):
    headers, rows = None, []
    for number, values in lines:
        values = [v.translate(_CONTROLS) if v.__class__ is str and not v.isprintable() else v for v in values]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if headers is None:
            if number != 1:
                raise FileProblem(_("The first row must hold the column headers."))
            headers = values
            continue
        rows.append((number, values))
    if headers is None:
        raise FileProblem(_("The file is empty."))
    return headers, rows


def build_dataset(resource, headers, rows):
    """A Dataset with the resource's column names and a row-number column.

    Raises FileProblem when a required column is missing."""
    mapping = resource.header_map()
    positions = {}
    for index, header in enumerate(headers):
        name = mapping.get(normalise_header(header))
        if name is not None and name not in positions:
            positions[name] = index
    missing = [
        resource.column_label(resource.fields[f].attribute) for f in resource.required_columns
        if resource.fields[f].column_name not in positions
    ]
    if missing:
        raise FileProblem(_("Columns missing from the first row: %(columns)s.") % {"columns": "、".join(missing)})
    names = list(positions)
    rows = resource.order_rows(names, [(n, [_at(v, positions[c]) for c in names]) for n, v in rows])
    dataset = tablib.Dataset(headers=[*names, ROW_KEY])
    for number, values in rows:
        dataset.append([*values, number])
    return dataset


def _at(values, index):
    return values[index] if index < len(values) else None
